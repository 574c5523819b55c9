"""Coordinated Entry trainer designation (King County: at least one CE trainer per agency,
named on the CE Trainer Form): a lead of the agency names a person with an HMIS account
there; the admins confirm and the bot records the agency's ``ce-trainer`` position, which then
lets that person request assessor access for the agency's staff."""
