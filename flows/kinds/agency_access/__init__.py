"""Additional agency access: a lead or supervisor of agency B asks for someone of agency A to
see B's clients too. A's leads are told and may object (HMIS admins see why); the admins
confirm "Added in HMIS" within the community's approval SLA, and the access is recorded as a
grant beside the person's role. A staff member of A may ask for it themselves: a lead or
supervisor of A endorses it first, then it goes on the same way. Ending it is a request of its
own (``end_agency_access``)."""
