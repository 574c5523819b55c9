"""Agency participation, as King County onboards an agency: an applying agency goes through
the community's onboarding checklist (MOU signed, Technical Administrator and Security Officer
named with their trainings, welcome call held, programs requested), HMIS admins tick each
step, and once all are done an admin confirms **Approved**: the agency's status becomes
approved and its staff may be requested. Its leads see the checklist and what is missing."""
