"""What the imports need from storage beyond the nudges' ledger: every account at once, and
accounts created and updated in bulk. ``chatbot.storage`` implements it with executemany."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flows.accounts import AccountStatus, HmisAccount
from flows.nudges.ports import NudgeLedger


@dataclass(frozen=True)
class ListedAccount:
    """An account the staff list shows that the bot does not hold yet."""

    email: str
    name: str
    agency_id: str
    access_role_id: str
    status: AccountStatus
    last_login_at: datetime | None


@dataclass(frozen=True)
class AccountUpdate:
    """An account whose name, agency, access role or status the staff list changes."""

    before: HmisAccount
    after: HmisAccount

    def changes(self) -> dict[str, str]:
        """Each changed field, as ``before → after``."""
        fields = ("name", "agency_id", "access_role_id", "status")
        return {
            name.removesuffix("_id"): f"{getattr(self.before, name)} → {getattr(self.after, name)}"
            for name in fields
            if getattr(self.before, name) != getattr(self.after, name)
        }


class ImportLedger(NudgeLedger, Protocol):
    def accounts_for_import(self) -> list[HmisAccount]:
        """Every account the bot has, of any status, locked until the transaction ends."""
        ...

    def create_accounts(self, accounts: Sequence[ListedAccount]) -> list[HmisAccount]:
        """Add the accounts; those added (an e-mail that another transaction took meanwhile
        is left out)."""
        ...

    def update_accounts(self, updates: Sequence[AccountUpdate]) -> list[AccountUpdate]:
        """Write each ``after`` over its ``before``, compare-and-set on the version; those
        written."""
        ...

    def subjects_with_open_requests(self, emails: Collection[str]) -> set[str]:
        """Which of these people an open request (of any kind) is about."""
        ...
