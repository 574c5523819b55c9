"""The application service behind every adapter: runs a flow in one database transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock, SqlLedger
from chatbot.storage.models import ChatIdentity
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.model import Actor, AuditEvent, Platform
from flows.new_user.form import DENY_FORM_ID, FORM_ID
from flows.new_user.lifecycle import NewUserFlow, NewUserViews
from flows.outcomes import Outcome
from flows.ports import EmailLookup, FormValues
from flows.ui import ActionCommand, CardList, Notice

T = TypeVar("T")
ClickFlow = Callable[[Actor, ActionCommand], Outcome]

IDENTITY_TTL = timedelta(hours=12)  # a changed profile e-mail is picked up within half a day


@dataclass
class BotService:
    """Implements ``flows.ports.Inbound``. ``platforms`` are those that receive notifications."""

    db: Database
    community: Community
    calendar: BusinessCalendar
    clock: Clock
    platforms: Sequence[Platform]
    on_commit: Callable[[], None] = lambda: None
    admin_platforms: Collection[Platform] | None = None  # None: every platform
    other_flows: Mapping[str, ClickFlow] = field(default_factory=dict)
    """Buttons of flows other than ``new_user``, by ``ActionCommand.flow``; each runs its own
    transaction (see ``chatbot.inactivity``)."""

    async def identify(
        self, platform: Platform, platform_user_id: str, lookup_email: EmailLookup
    ) -> Actor | None:
        email = await asyncio.to_thread(self._cached_email, platform, platform_user_id)
        if email is None:
            fresh = await lookup_email()
            if not fresh:
                return None
            email = fresh.strip().lower()
            await asyncio.to_thread(self._remember, platform, platform_user_id, email)
        return Actor(email, platform, platform_user_id)

    async def refuse_unidentified(
        self, platform: Platform, platform_user_id: str, action: str
    ) -> Notice:
        def audit(ledger: SqlLedger) -> None:
            ledger.audit(
                AuditEvent(
                    Actor("", platform, platform_user_id),
                    action,
                    "refused",
                    None,
                    {"reason": "no_email_in_profile"},
                )
            )

        await self._run(audit)
        return Notice(
            "I could not find a work e-mail in your profile, so I cannot tell who you "
            "are in the HMIS directory. Ask your workspace admin to show e-mail "
            "addresses, or contact the HMIS help desk."
        )

    async def open_request_form(self, actor: Actor) -> Outcome:
        return await self._run(lambda ledger: self._flow(ledger).open_form(actor))

    async def submit_form(
        self, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        if form_id == FORM_ID:
            return await self._run(lambda ledger: self._flow(ledger).submit(actor, values))
        if form_id == DENY_FORM_ID:
            return await self._run(
                lambda ledger: self._flow(ledger).submit_denial(actor, context, values)
            )
        return Notice("That form is not one this bot knows.")

    async def click(self, actor: Actor, command: ActionCommand) -> Outcome:
        other_flow = self.other_flows.get(command.flow)
        if other_flow is not None:
            outcome = await asyncio.to_thread(other_flow, actor, command)
            self.on_commit()
            return outcome
        return await self._run(lambda ledger: self._flow(ledger).click(actor, command))

    async def status(self, actor: Actor) -> CardList:
        return await self._run(lambda ledger: self._views(ledger).status(actor))

    async def admin_queue(self, actor: Actor) -> CardList | None:
        return await self._run(lambda ledger: self._views(ledger).admin_queue(actor))

    def _flow(self, ledger: SqlLedger) -> NewUserFlow:
        return NewUserFlow(self.community, self.calendar, ledger)

    def _views(self, ledger: SqlLedger) -> NewUserViews:
        return NewUserViews(self.community, self.calendar, ledger)

    async def _run(self, work: Callable[[SqlLedger], T]) -> T:
        result = await asyncio.to_thread(self.run_sync, work)
        self.on_commit()
        return result

    def run_sync(self, work: Callable[[SqlLedger], T]) -> T:
        """Run ``work`` in one transaction: all its changes, audit rows and outbox rows or none."""
        with self.db.transaction() as session:
            return work(SqlLedger(session, self.clock, self.platforms, self.admin_platforms))

    def _cached_email(self, platform: Platform, platform_user_id: str) -> str | None:
        with self.db.transaction() as session:
            row = session.get(ChatIdentity, (platform.value, platform_user_id))
            if row is None or row.resolved_at < self.clock() - IDENTITY_TTL:
                return None
            return row.email

    def _remember(self, platform: Platform, platform_user_id: str, email: str) -> None:
        with self.db.transaction() as session:
            session.merge(
                ChatIdentity(
                    platform=platform.value,
                    platform_user_id=platform_user_id,
                    email=email,
                    resolved_at=self.clock(),
                )
            )
