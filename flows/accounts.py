"""HMIS end-user accounts as the HMIS lead tracks them: metadata only, never credentials.

The rules about what a login on record does to an account live here, so the login import,
the sweeps and the in-memory ledger all decide the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    DEACTIVATED = "deactivated"
    """Closed for good (the person left the agency or no longer needs HMIS); kept for history."""


LIVE_STATUSES = (AccountStatus.PENDING_FIRST_LOGIN, AccountStatus.ACTIVE, AccountStatus.WARNED)
"""Accounts whose holder can still use HMIS."""

HELD_STATUSES = (*LIVE_STATUSES, AccountStatus.DISABLE_DUE, AccountStatus.DISABLED)
"""Accounts someone still holds: a new-user request for them is refused, a deactivation or a
role change may be filed."""


@dataclass(frozen=True)
class HmisAccount:
    id: int
    version: int
    email: str
    name: str
    agency_id: str
    status: AccountStatus
    last_login_at: datetime | None
    access_role_id: str = ""
    first_login_due: datetime | None = None
    disabled_by: str | None = None
    disabled_at: datetime | None = None

    @property
    def is_held(self) -> bool:
        return self.status in HELD_STATUSES


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

    @property
    def first_login(self) -> bool:
        return self.before.status is AccountStatus.PENDING_FIRST_LOGIN

    @property
    def ends_disabling(self) -> bool:
        """The account was waiting to be disabled: its announcement says it logged in again."""
        return self.before.status is AccountStatus.DISABLE_DUE


def login_change(account: HmisAccount, login: datetime) -> LoginChange | None:
    """What a login at ``login`` on record does to the account: nothing when it is not newer
    than the one on record; otherwise a newer last login, and active again where a login
    reactivates the account."""
    if account.last_login_at is not None and login <= account.last_login_at:
        return None
    after = replace(account, last_login_at=login, version=account.version + 1)
    if account.status in REACTIVATED_BY_LOGIN:
        after = replace(after, status=AccountStatus.ACTIVE)
    return LoginChange(account, after)
