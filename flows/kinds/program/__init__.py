"""New Program Request (King County's program setup): an agency's lead (its Technical
Administrator) asks for a program to be built in HMIS, or an existing one changed; the admins
confirm "Built in HMIS" within the community's approval SLA."""
