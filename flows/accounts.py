"""HMIS end-user accounts as the HMIS lead tracks them: metadata only, never credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AccountStatus(StrEnum):
    PENDING_FIRST_LOGIN = "pending_first_login"
    ACTIVE = "active"
    WARNED = "warned"
    """Told to log in or lose access."""
    DISABLE_DUE = "disable_due"
    """Past the inactivity limit; waiting for an HMIS admin to disable it in HMIS."""
    DISABLED = "disabled"
    """An HMIS admin confirmed that it is disabled in HMIS."""


LIVE_STATUSES = (AccountStatus.PENDING_FIRST_LOGIN, AccountStatus.ACTIVE, AccountStatus.WARNED)
"""Accounts whose holder can still use HMIS."""


@dataclass(frozen=True)
class HmisAccount:
    id: int
    version: int
    email: str
    name: str
    agency_id: str
    status: AccountStatus
    last_login_at: datetime | None
    disabled_by: str | None = None
    disabled_at: datetime | None = None


REACTIVATED_BY_LOGIN = (
    AccountStatus.PENDING_FIRST_LOGIN,
    AccountStatus.WARNED,
    AccountStatus.DISABLE_DUE,
)
"""Statuses a newer login on record returns to active (a disabled account stays disabled:
reinstatement is a request of its own)."""


@dataclass(frozen=True)
class LoginChange:
    """An account whose last login on record moved forward."""

    before: HmisAccount
    after: HmisAccount
