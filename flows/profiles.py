"""What a chat platform's profile says about a person: their work e-mail and the name it shows.

An adapter's e-mail lookup (``flows.ports.EmailLookup``) may answer a ``ProfileEmail``: still
the e-mail (a ``str``), carrying the name too, so the bot can remember it and cards can call
people by name where the community file does not name them.
"""

from __future__ import annotations

NAME_LENGTH = 200  # the directory's and the identity cache's name columns


class ProfileEmail(str):
    """A work e-mail as a profile gives it, with the profile's display name (or None)."""

    display_name: str | None

    def __new__(cls, email: str, display_name: str | None = None) -> ProfileEmail:
        profile = super().__new__(cls, email)
        profile.display_name = clean_name(display_name)
        return profile


def clean_name(name: object) -> str | None:
    """A profile's name as the bot keeps it: trimmed, at most ``NAME_LENGTH`` characters; None
    when it is not a non-empty string."""
    if not isinstance(name, str) or not name.strip():
        return None
    return " ".join(name.split())[:NAME_LENGTH]


def profile_name(*candidates: object) -> str | None:
    """The first usable name among a profile's fields, in the order given."""
    return next((n for n in map(clean_name, candidates) if n is not None), None)
