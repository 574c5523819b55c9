"""Deactivation: an agency lead, supervisor or HMIS admin asks for someone's HMIS account to be
closed (they left the agency, no longer need HMIS, or another reason), now or from a known last
day; the admins confirm "Deactivated in HMIS" within the community's SLA."""
