"""Designating someone to a position at an agency (an agency lead, a security officer): the
agency's MOU must be current, the position's training done, the agency's current holders
approve when there are any (a filing by one of them is their approval), and HMIS admins set
it in HMIS. Each position is a request kind of its own (``flows.kinds``) built on this one
``DesignationKind``; on confirmation the directory the bot holds changes."""
