"""Agency lead (Technical Administrator) designation, as Santa Clara publishes it: the agency's
MOU current, the lead training done, the current lead approving a change (or filing it), and
the HMIS admins confirming "Lead set in HMIS". The form also asks, as Santa Clara's does,
whether the new lead needs an updated access role and the monthly meeting invite."""
