"""Access added to an HMIS account beside its role, each by a request of its own: another
agency's clients (additional agency access), Coordinated Entry assessor access. A grant may
lapse (``expires_at``) and is ended by a request too; ended grants are kept for history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

AGENCY_ACCESS = "agency_access"
"""Another agency's clients, beside the person's own agency's; the value is that agency's id.
Added by an additional agency access request, ended by a request to end it."""
CE_ASSESSOR = "ce_assessor"
"""Coordinated Entry assessor access (no value); it lapses with the assessor training."""
GRANT_SUBJECT = "grant"
"""The audit subject kind of a grant's own events (ended with the person's account)."""


@dataclass(frozen=True)
class Grant:
    id: int
    email: str
    kind: str
    """What is granted: ``agency_access``, ``ce_assessor``..., named by the kind that adds it."""
    value: str
    """Which one: the other agency's id; empty when the kind needs none."""
    granted_at: datetime
    request_id: int | None = None
    expires_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None
