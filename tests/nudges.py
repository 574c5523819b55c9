"""A test bed for nudges: a service to walk requests, a sweeper, the clock in Sacramento time,
and the nudge messages read back from the outbox as (kind, recipient, local delivery time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, select

from chatbot.community_calendar import business_calendar
from chatbot.scheduling.sweeper import Sweeper
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import Account, NudgeRow, OutboxRow
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserDetails
from flows.model import Actor, Platform, Request
from flows.outcomes import Outcome
from tests.conftest import Clock
from tests.drive import Driver, service_driver

PACIFIC = ZoneInfo("America/Los_Angeles")
ADMINS = "admin channel"

Sent = tuple[str, str, str]
"""A nudge message: its kind, its recipient (or the admin channel), when it may go out."""


def local(text: str) -> datetime:
    """``2026-11-24 08:30`` in Sacramento, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=PACIFIC).astimezone(UTC)


def shown(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).strftime("%a %Y-%m-%d %H:%M")


def actor(email: str) -> Actor:
    return Actor(email, Platform.SLACK, f"U-{email.split('@', maxsplit=1)[0]}")


@dataclass
class NudgeBed:
    database: Database
    community: Community
    clock: Clock
    seen: int = 0

    @property
    def service(self) -> BotService:
        calendar = business_calendar(self.community)
        return BotService(
            self.database,
            self.community,
            calendar,
            self.clock,
            (Platform.SLACK,),
            default_registry(),
        )

    @property
    def driver(self) -> Driver:
        return service_driver(self.service)

    @property
    def sweeper(self) -> Sweeper:
        calendar = business_calendar(self.community)
        return Sweeper(
            self.database, self.community, calendar, default_registry(), (Platform.SLACK,)
        )

    def at(self, when: str) -> None:
        self.clock.now = local(when)

    def sweep(self, when: str | None = None) -> None:
        if when is not None:
            self.at(when)
        self.sweeper.sweep(self.clock.now)

    def sweep_daily(self, first: str, last: str, times: tuple[str, ...]) -> None:
        """Sweep at each local time of day on every day from ``first`` to ``last``."""
        day = datetime.fromisoformat(first).date()
        while day <= datetime.fromisoformat(last).date():
            for time in times:
                self.sweep(f"{day} {time}")
            day += timedelta(days=1)

    def file(self, who: str, values: dict[str, str | list[str] | None]) -> Outcome:
        return self.driver.submit(who, values)

    def click(self, who: str, verb: str, request_id: int = 1) -> Outcome:
        return self.driver.click(who, verb, request_id)

    def request(self, request_id: int = 1) -> Request[NewUserDetails]:
        return self.driver.request(request_id).typed(NewUserDetails)

    def account(self, email: str) -> Account:
        with self.database.transaction() as session:
            account = session.scalar(select(Account).where(Account.email == email))
            assert account is not None
            return account

    def sent(self, *kinds: str) -> list[Sent]:
        """Every nudge message in the outbox (of these kinds of nudge), oldest first."""
        with self.database.transaction() as session:
            query = (
                select(NudgeRow.kind, OutboxRow.recipient_email, OutboxRow.next_attempt_at)
                .join(NudgeRow, OutboxRow.subject_id == cast(NudgeRow.id, String))
                .where(OutboxRow.subject_kind == "nudge")
                .order_by(OutboxRow.id)
            )
            if kinds:
                query = query.where(NudgeRow.kind.in_(kinds))
            rows = session.execute(query).all()
        return [(kind, email or ADMINS, shown(at)) for kind, email, at in rows]

    def take(self) -> list[Sent]:
        """The nudge messages about requests and accounts queued since the last call, sorted
        (meeting reminders of the bundled community are checked on their own)."""
        sent = [s for s in self.sent() if s[0] != "meeting_reminder"]
        new, self.seen = sent[self.seen :], len(sent)
        return sorted(new)

    def add_account(
        self,
        email: str,
        last_login: datetime | None,
        status: str = "active",
        name: str = "",
    ) -> int:
        """An HMIS account the bot tracks, as if created earlier (or imported)."""
        with self.database.transaction() as session:
            account = Account(
                email=email,
                name=name or self.community.display_name(email),
                agency_id="river-house",
                access_role_id="dss",
                status=status,
                created_at=self.clock.now - timedelta(days=400),
                activated_at=last_login,
                last_login_at=last_login,
            )
            session.add(account)
            session.flush()
            return account.id
