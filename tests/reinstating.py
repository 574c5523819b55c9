"""Accounts disabled for inactivity, made as the sweeps and an admin's "Disabled in HMIS"
would leave them, and the reinstatement ladder tests use."""

from __future__ import annotations

from datetime import timedelta

from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from flows.accounts import AccountStatus, HmisAccount
from flows.community import Community
from flows.durations import Duration, Unit
from flows.ladder import LadderStep, Needs
from flows.ports import Ledger, NewAccount
from tests.conftest import Clock
from tests.drive import Driver
from tests.requests import ADMIN

LADDER = (
    LadderStep(after=Duration(0, Unit.DAYS), needs=Needs.RE_ENABLE),
    LadderStep(after=Duration(90, Unit.DAYS), needs=Needs.TRAININGS, trainings=("privacy",)),
    LadderStep(after=Duration(6, Unit.MONTHS), needs=Needs.ROLE_TRAININGS),
)
"""Under 90 days re-enable; 90 days or more a privacy refresher; 6 months or more every
training of the person's access role."""


def with_ladder(community: Community) -> Community:
    return community.model_copy(update={"reinstatement": LADDER})


def disabled_account(
    driver: Driver,
    clock: Clock,
    email: str,
    name: str,
    days: int = 10,
    *,
    confirmed: bool = True,
    agency_id: str = "river-house",
    role: str = "dss",
) -> HmisAccount:
    """An account disabled ``days`` ago: confirmed by an admin then, or only due to be
    disabled (its last login ``inactivity_disable`` before that)."""
    now = clock.now
    limit = driver.community.deadlines.inactivity_disable.amount
    clock.now = now - timedelta(days=days if confirmed else days + limit)
    account = driver.add_account(email, name, agency_id, role)
    clock.now = now - timedelta(days=days)
    status = AccountStatus.DISABLED if confirmed else AccountStatus.DISABLE_DUE

    def disable(ledger: Ledger) -> HmisAccount:
        moved = ledger.move_account(account, status, ADMIN)
        assert moved is not None
        return moved

    try:
        return driver.run(disable)  # type: ignore[no-any-return]
    finally:
        clock.now = now


def seed_disabled(database: Database, clock: Clock, email: str, name: str, days: int) -> None:
    """An account an admin confirmed disabled ``days`` ago, after 60 days without a login."""
    with database.transaction() as session:
        ledger = SqlLedger(session, lambda: clock.now - timedelta(days=days + 60), ())
        ledger.open_account(NewAccount(email, name, "river-house", "dss", None, None))
        ledger.activate_account(email)
    with database.transaction() as session:
        ledger = SqlLedger(session, lambda: clock.now - timedelta(days=days), ())
        account = ledger.account_by_email(email)
        assert account is not None
        ledger.move_account(account, AccountStatus.DISABLED, ADMIN)
