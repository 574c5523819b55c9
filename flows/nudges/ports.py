"""What the nudge flows need from storage, beyond the request ledger; ``chatbot.storage``
implements it with one set-based query per rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from flows.accounts import AccountStatus, HmisAccount, LoginChange
from flows.nudges.rules import (
    AccountRule,
    DueAccount,
    DueRenewal,
    DueRequest,
    Nudge,
    RenewalRule,
    RequestRule,
)
from flows.ports import Ledger


class NudgeLedger(Ledger, Protocol):
    def due_requests(self, rule: RequestRule) -> list[DueRequest]:
        """Requests in the rule's state and window that have no nudge of this series at this
        stage or later."""
        ...

    def due_accounts(self, rule: AccountRule) -> list[DueAccount]: ...

    def due_renewals(self, rule: RenewalRule) -> list[DueRenewal]: ...

    def claim_many(self, nudges: Sequence[Nudge]) -> dict[Nudge, int]:
        """Record the nudges; the id of each one recorded now, leaving out those recorded
        before (by any sweep)."""
        ...

    def latest_stage(self, nudge: Nudge) -> int | None:
        """The latest stage recorded for the nudge's series and occurrence, if any."""
        ...

    def move_accounts(
        self, accounts: Sequence[HmisAccount], to_status: AccountStatus, actor_email: str
    ) -> list[HmisAccount]:
        """``move_account`` for each account at once: those that moved, updated, by id."""
        ...

    def record_logins(self, latest: Mapping[str, datetime]) -> tuple[list[LoginChange], int]:
        """Move each known account's last login forward to ``latest[email]``; the changes, and
        how many of the e-mails have an account at all."""
        ...
