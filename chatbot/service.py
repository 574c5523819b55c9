"""The application service behind every adapter: routes each typed command, form and button
to its request kind through the registry, and runs it in one database transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from chatbot import faults
from chatbot.identity_cache import RecentIdentities
from chatbot.storage.database import Database
from chatbot.storage.identities import cached_email, remember_email
from chatbot.storage.ledger import Clock, SqlLedger
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.directory import current
from flows.kit import buttons
from flows.kit.kind import CardView
from flows.kit.machine import Machine, refuse
from flows.kit.registry import HELP, STATUS, AnyKind, Registry
from flows.kit.views import Views
from flows.model import Actor, Platform
from flows.nudges.inactivity import INACTIVITY_FLOW, InactivityFlow
from flows.outcomes import Help, Outcome
from flows.ports import CommandHelp, EmailLookup, FormValues
from flows.profiles import ProfileEmail
from flows.ui import ActionCommand, Notice

T = TypeVar("T")

IDENTITY_TTL = timedelta(hours=12)  # a changed profile e-mail is picked up within half a day
UNKNOWN_FORM = "That form is not one this bot knows."

UNIDENTIFIED = {
    "no_email_in_profile": (
        "I could not find a work e-mail in your profile, so I cannot tell who you are in the "
        "HMIS directory. Ask your workspace admin to show e-mail addresses, or contact the "
        "HMIS help desk."
    ),
    "platform_unavailable": (
        "I could not look you up just now: the chat service did not answer. Nothing was "
        "changed; please try again in a minute."
    ),
}


@dataclass
class BotService:
    """Implements ``flows.ports.Inbound``. ``platforms`` are those that receive notifications."""

    db: Database
    community: Community
    calendar: BusinessCalendar
    clock: Clock
    platforms: Sequence[Platform]
    registry: Registry
    on_commit: Callable[[], None] = lambda: None
    admin_platforms: Collection[Platform] | None = None  # None: every platform
    _identities: RecentIdentities = field(init=False)

    def __post_init__(self) -> None:
        self._identities = RecentIdentities(self.clock, IDENTITY_TTL)

    def commands(self) -> Sequence[CommandHelp]:
        return self.registry.commands()

    async def identify(
        self, platform: Platform, platform_user_id: str, lookup_email: EmailLookup
    ) -> Actor | None:
        """The person behind a platform user id. Raises ``LookupFailedError`` (from the lookup)
        when the platform could not be asked, which is not the same as having no e-mail. A
        lookup answering a ``ProfileEmail`` has the profile's name remembered with it."""
        email = self._identities.get(platform, platform_user_id)
        if email is not None:
            return Actor(email, platform, platform_user_id)
        found = await asyncio.to_thread(self._cached_email, platform, platform_user_id)
        if found is None:
            fresh = await lookup_email()
            if not fresh:
                return None
            name = fresh.display_name if isinstance(fresh, ProfileEmail) else None
            email = fresh.strip().lower()
            found = (
                email,
                await asyncio.to_thread(self._remember, platform, platform_user_id, email, name),
            )
        self._identities.put(platform, platform_user_id, *found)
        return Actor(found[0], platform, platform_user_id)

    async def refuse_unidentified(
        self,
        platform: Platform,
        platform_user_id: str,
        action: str,
        reason: str = "no_email_in_profile",
    ) -> Notice:
        nobody = Actor("", platform, platform_user_id)
        message = UNIDENTIFIED.get(reason, UNIDENTIFIED["no_email_in_profile"])
        await self._run(
            lambda ledger: refuse(ledger, nobody, action, reason, message, subject=None)
        )
        return Notice(message)

    async def command(self, actor: Actor, words: Sequence[str]) -> Outcome:
        word = words[0] if words else ""
        if word == HELP:
            return Help()
        if word == STATUS:
            return await self._run(lambda ledger: self._views(ledger).home(actor))
        kind = self.registry.by_command(word) if word else self.registry.default
        if kind is None:
            return Help(problem=f"There is no '{word}' command.")
        return await self._run(lambda ledger: kind.open_form(self._machine(kind, ledger), actor))

    async def submit_form(
        self, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        if form_id == buttons.REASON_FORM:
            command = ActionCommand.decode(context)
            kind = self.registry.kind(command.flow) if command else None
            if command is None or kind is None:
                return Notice(UNKNOWN_FORM)
            asked = command
            return await self._run(
                lambda ledger: buttons.submit_reason(
                    self._machine(kind, ledger), actor, asked, values
                )
            )
        owner = self.registry.by_form(form_id)
        if owner is None:
            return Notice(UNKNOWN_FORM)
        return await self._run(
            lambda ledger: owner.submit(
                self._machine(owner, ledger), actor, form_id, context, values
            )
        )

    async def click(self, actor: Actor, command: ActionCommand) -> Outcome:
        if command.flow == INACTIVITY_FLOW:
            return await self._run(
                lambda ledger: InactivityFlow(self._current(ledger), ledger).click(actor, command)
            )
        kind = self.registry.kind(command.flow)
        if kind is None:
            return await self._run(
                lambda ledger: refuse(
                    ledger,
                    actor,
                    f"{command.flow}.{command.verb}",
                    "unknown_action",
                    "That button is not something this bot knows how to do.",
                    subject=None,
                )
            )
        return await self._run(
            lambda ledger: buttons.click(self._machine(kind, ledger), actor, command)
        )

    def _machine(self, kind: AnyKind, ledger: SqlLedger) -> Machine[Any]:
        return Machine(kind, self._current(ledger), self.calendar, ledger, self.registry)

    def _views(self, ledger: SqlLedger) -> Views:
        view = CardView(self._current(ledger), self.calendar, ledger.person_name)
        return Views(self.registry, view, ledger)

    def _current(self, ledger: SqlLedger) -> Community:
        """The community file with the bot's own directory changes applied."""
        return current(self.community, ledger.agency_changes())

    async def _run(self, work: Callable[[SqlNudgeLedger], T]) -> T:
        result = await asyncio.to_thread(self.run_sync, work)
        self.on_commit()
        return result

    def run_sync(self, work: Callable[[SqlNudgeLedger], T]) -> T:
        """Run ``work`` in one transaction: all its changes, audit rows and outbox rows or none."""
        with self.db.transaction() as session:
            ledger = SqlNudgeLedger(session, self.clock, self.platforms, self.admin_platforms)
            result = work(ledger)
            faults.crash_point(faults.BEFORE_COMMIT)
        faults.crash_point(faults.AFTER_COMMIT)
        return result

    def _cached_email(
        self, platform: Platform, platform_user_id: str
    ) -> tuple[str, datetime] | None:
        with self.db.transaction() as session:
            fresh_after = self.clock() - IDENTITY_TTL
            return cached_email(session, platform.value, platform_user_id, fresh_after)

    def _remember(
        self, platform: Platform, platform_user_id: str, email: str, name: str | None
    ) -> datetime:
        """Stores the e-mail; returns when it was resolved."""
        now = self.clock()
        with self.db.transaction() as session:
            remember_email(session, platform.value, platform_user_id, email, now, name=name)
        return now
