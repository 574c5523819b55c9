"""Coordinated Entry assessor access (King County): the agency's CE trainer attests that a
staff member attended the Assessor's Credential Training, and when; the admins confirm
"Assessor access added". The access lasts for the training's validity (yearly), renewal
reminders go out before it lapses, and when it lapses the admins are asked to remove it."""
