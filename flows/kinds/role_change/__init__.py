"""Access-role change: a lead or supervisor of the person's agency (or an HMIS admin) asks for
someone's HMIS access role to change. Trainings the new role needs that the person lacks are
assigned first (with an interim role where the community defines one); the admins confirm
"Role changed in HMIS" within the community's SLA."""
