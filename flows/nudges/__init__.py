"""Scheduled nudges: reminders, escalations and expiries that chase every published deadline."""
