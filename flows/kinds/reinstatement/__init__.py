"""Reinstatement after an inactivity lockout: an HMIS account disabled for going too long
without a login is re-enabled at the request of the person's agency lead or supervisor, or of
the person (then a lead or supervisor of their agency endorses it first). The community's
ladder decides, by how long the account has been disabled, whether trainings come first; the
admins confirm "Re-enabled in HMIS", and the request is complete once the person logs in."""
