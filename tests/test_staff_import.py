"""What the HMIS staff list changes (``flows.imports.staff``), as plain calls: no database, no
file. The command and the database are in tests/test_import_commands.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.accounts import AccountStatus, HmisAccount
from flows.imports.policy import StaffStatus
from flows.imports.ports import ListedAccount
from flows.imports.staff import STAFF_IMPORTER, StaffRow, plan_staff, status_after

NOW = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
LOGIN = NOW - timedelta(days=3)
ANA, BO, CY = "ana@riverhouse.example.org", "bo@riverhouse.example.org", "cy@delta.example.org"


def row(
    email: str,
    *,
    line: int = 2,
    name: str = "Ana Ng",
    agency: str = "river-house",
    role: str = "dss",
    status: StaffStatus = StaffStatus.ACTIVE,
    login: datetime | None = LOGIN,
) -> StaffRow:
    return StaffRow(line, email, name, agency, role, status, login)


def account(
    email: str,
    status: AccountStatus = AccountStatus.ACTIVE,
    *,
    account_id: int = 1,
    name: str = "Ana Ng",
    agency: str = "river-house",
    role: str = "dss",
    login: datetime | None = LOGIN,
) -> HmisAccount:
    return HmisAccount(account_id, 3, email, name, agency, status, login, role)


def test_people_the_bot_does_not_hold_are_added_active_or_pending_their_first_login() -> None:
    plan = plan_staff([row(ANA), row(BO, line=3, name="Bo Li", login=None)], {ANA, BO}, [], NOW)
    assert plan.creates == [
        ListedAccount(ANA, "Ana Ng", "river-house", "dss", AccountStatus.ACTIVE, LOGIN),
        ListedAccount(BO, "Bo Li", "river-house", "dss", AccountStatus.PENDING_FIRST_LOGIN, None),
    ]
    assert (plan.updates, plan.logins, plan.vanished, plan.unchanged) == ([], {}, [], 0)


def test_people_closed_in_hmis_whom_the_bot_never_held_are_not_added() -> None:
    rows = [row(ANA, status=StaffStatus.DEACTIVATED), row(BO, status=StaffStatus.DISABLED)]
    plan = plan_staff(rows, {ANA, BO}, [], NOW)
    assert (plan.creates, plan.not_added) == ([], 2)


def test_the_list_s_name_agency_and_role_are_taken_and_the_version_moves_on() -> None:
    held = account(ANA)
    newer = LOGIN + timedelta(days=1)
    listed = row(ANA, name="Ana Ng-Lopez", agency="yolo-food-bank", role="reporting", login=newer)
    plan = plan_staff([listed], {ANA}, [held], NOW)
    [update] = plan.updates
    assert update.before == held
    assert (update.after.name, update.after.agency_id, update.after.access_role_id) == (
        "Ana Ng-Lopez",
        "yolo-food-bank",
        "reporting",
    )
    assert (update.after.version, update.after.status) == (4, AccountStatus.ACTIVE)
    assert update.changes() == {
        "name": "Ana Ng → Ana Ng-Lopez",
        "agency": "river-house → yolo-food-bank",
        "access_role": "dss → reporting",
    }
    assert plan.logins == {ANA: newer}, "the login rules decide what a newer login does"


def test_an_account_the_list_shows_as_it_is_is_unchanged() -> None:
    plan = plan_staff([row(ANA)], {ANA}, [account(ANA)], NOW)
    assert (plan.updates, plan.unchanged, plan.logins) == ([], 1, {})


def test_only_a_newer_login_is_passed_on() -> None:
    held = [account(ANA, account_id=1), account(BO, account_id=2, login=None)]
    rows = [row(ANA, login=LOGIN - timedelta(days=9)), row(BO, line=3, login=LOGIN)]
    assert plan_staff(rows, {ANA, BO}, held, NOW).logins == {BO: LOGIN}


@pytest.mark.parametrize(
    ("current", "listed", "after"),
    [
        # Active in HMIS: the bot's own states stand (the login rules move them).
        (AccountStatus.PENDING_FIRST_LOGIN, StaffStatus.ACTIVE, AccountStatus.PENDING_FIRST_LOGIN),
        (AccountStatus.WARNED, StaffStatus.ACTIVE, AccountStatus.WARNED),
        (AccountStatus.DISABLE_DUE, StaffStatus.ACTIVE, AccountStatus.DISABLE_DUE),
        # Closed here: a list never opens it again (reinstatement is a request).
        (AccountStatus.DISABLED, StaffStatus.ACTIVE, AccountStatus.DISABLED),
        (AccountStatus.DEACTIVATED, StaffStatus.ACTIVE, AccountStatus.DEACTIVATED),
        # Locked in HMIS: disabled, unless it is closed for good already.
        (AccountStatus.ACTIVE, StaffStatus.DISABLED, AccountStatus.DISABLED),
        (AccountStatus.DISABLE_DUE, StaffStatus.DISABLED, AccountStatus.DISABLED),
        (AccountStatus.DEACTIVATED, StaffStatus.DISABLED, AccountStatus.DEACTIVATED),
        # Inactive in HMIS: deactivated, from any state.
        (AccountStatus.WARNED, StaffStatus.DEACTIVATED, AccountStatus.DEACTIVATED),
        (AccountStatus.DISABLED, StaffStatus.DEACTIVATED, AccountStatus.DEACTIVATED),
    ],
)
def test_the_list_closes_accounts_but_never_opens_one(
    current: AccountStatus, listed: StaffStatus, after: AccountStatus
) -> None:
    assert status_after(current, listed) is after


def test_an_account_the_list_closes_records_who_and_when() -> None:
    plan = plan_staff([row(ANA, status=StaffStatus.DEACTIVATED)], {ANA}, [account(ANA)], NOW)
    [update] = plan.updates
    assert (update.after.status, update.after.disabled_by, update.after.disabled_at) == (
        AccountStatus.DEACTIVATED,
        STAFF_IMPORTER,
        NOW,
    )
    assert update.changes() == {"status": "active → deactivated"}


def test_an_account_closed_here_but_active_in_hmis_is_kept_and_reported() -> None:
    closed = account(ANA, AccountStatus.DISABLED)
    plan = plan_staff([row(ANA)], {ANA}, [closed], NOW)
    assert (plan.still_closed, plan.updates, plan.unchanged) == ([closed], [], 1)


def test_held_accounts_missing_from_the_list_are_reported_not_deleted() -> None:
    accounts = [
        account(ANA, account_id=1),
        account(BO, AccountStatus.DISABLED, account_id=2, name="Bo Li"),
        account("gone@riverhouse.example.org", AccountStatus.DEACTIVATED, account_id=3),
        account(CY, account_id=4, name="Cy Day", agency="delta-outreach"),
        account("bad@riverhouse.example.org", account_id=5, name="Bad Row"),
    ]
    listed = {ANA, "bad@riverhouse.example.org"}  # the second was on a row skipped as bad
    plan = plan_staff([row(ANA)], listed, accounts, NOW)
    assert [a.email for a in plan.vanished] == [CY, BO], "by agency, then name"
    assert (plan.updates, plan.creates) == ([], [])


def test_an_e_mail_on_two_rows_keeps_the_first_and_reports_the_second() -> None:
    rows = [row(ANA, line=4), row(ANA, line=9, agency="yolo-food-bank")]
    plan = plan_staff(rows, {ANA}, [], NOW)
    assert [c.agency_id for c in plan.creates] == ["river-house"]
    assert plan.problems == [(9, f"{ANA} is also on line 4; skipped")]


def test_a_second_plan_over_the_applied_first_changes_nothing() -> None:
    """Idempotence: applying a plan, then planning the same rows again."""
    rows = [row(ANA, name="Ana N"), row(BO, line=3, status=StaffStatus.DISABLED)]
    held = [account(ANA, account_id=1), account(BO, account_id=2)]
    first = plan_staff(rows, {ANA, BO}, held, NOW)
    applied = [u.after for u in first.updates]
    second = plan_staff(rows, {ANA, BO}, applied, NOW + timedelta(hours=1))
    assert (len(first.updates), second.updates, second.unchanged) == (2, [], 2)
