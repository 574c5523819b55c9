"""Scheduled nudges: the sweeper that runs the plan's rules and the in-process scheduler."""
