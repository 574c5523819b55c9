"""Ending additional agency access: a lead or supervisor of the agency whose clients the
person sees, or of the person's own agency, or an HMIS admin, asks for that access to end; the
admins confirm "Removed in HMIS" within the community's deactivation SLA (access to clients
ends as promptly as an account does), and the grant ends."""
