"""Drives the request kinds as plain function calls, on the in-memory ledger or on a real
database through the service's transaction: the same test runs on all three."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select

from chatbot.service import BotService
from chatbot.storage.models import AuditEventRow, OutboxRow, RequestTransition
from flows.accounts import HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.directory import current
from flows.kit import buttons
from flows.kit.kind import CardView
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.kit.views import Views
from flows.memory import MemoryLedger
from flows.model import Actor, Platform, StoredRequest
from flows.outcomes import Outcome
from flows.ports import FormValues, Ledger, NewAccount
from flows.ui import ActionCommand

T = TypeVar("T")
Work = Callable[[Ledger], T]


def actor(email: str) -> Actor:
    return Actor(email, Platform.SLACK, f"U-{email.split('@', maxsplit=1)[0]}")


@dataclass
class Driver:
    community: Community
    calendar: BusinessCalendar
    registry: Registry
    run: Callable[[Work[Any]], Any]
    refusals: Callable[[], list[tuple[str, dict[str, Any]]]]
    """(action, details) of every refused attempt, oldest first."""
    transitions_to: Callable[[str], int]
    """How many transitions into this state were recorded."""
    queued: Callable[[], list[str]]
    """The audience of every queued notification, in order."""

    def machine(self, kind: str, ledger: Ledger) -> Machine[Any]:
        found = self.registry.kind(kind)
        assert found is not None, kind
        community = current(self.community, ledger.agency_changes())
        return Machine(found, community, self.calendar, ledger, self.registry)

    def command(self, who: str, *words: str) -> Outcome:
        kind = self.registry.by_command(words[0]) if words else self.registry.default
        assert kind is not None
        return self.run(lambda ledger: kind.open_form(self.machine(kind.name, ledger), actor(who)))

    def submit(self, who: str, values: FormValues, kind: str = "new_user") -> Outcome:
        found = self.registry.kind(kind)
        assert found is not None, kind
        [form_id] = sorted(found.forms)
        return self.run(
            lambda ledger: found.submit(self.machine(kind, ledger), actor(who), form_id, "", values)
        )

    def click(
        self,
        who: str,
        verb: str,
        request_id: int = 1,
        version: int | None = None,
        kind: str = "new_user",
    ) -> Outcome:
        seen = self.request(request_id).version if version is None else version
        command = ActionCommand(kind, verb, request_id, seen)
        return self.run(
            lambda ledger: buttons.click(self.machine(kind, ledger), actor(who), command)
        )

    def give_reason(self, who: str, context: str, reason: str) -> Outcome:
        command = ActionCommand.decode(context)
        assert command is not None
        values = {buttons.REASON_FIELD: reason}
        return self.run(
            lambda ledger: buttons.submit_reason(
                self.machine(command.flow, ledger), actor(who), command, values
            )
        )

    def status(self, who: str) -> Outcome:
        def home(ledger: Ledger) -> Outcome:
            view = CardView(current(self.community, ledger.agency_changes()), self.calendar)
            return Views(self.registry, view, ledger).home(actor(who))

        return self.run(home)

    def add_account(
        self, email: str, name: str, agency_id: str = "river-house", role: str = "dss"
    ) -> HmisAccount:
        """An active HMIS account the bot knows, as if created earlier."""
        new = NewAccount(email, name, agency_id, role, None, None)

        def add(ledger: Ledger) -> HmisAccount:
            ledger.open_account(new)
            ledger.activate_account(email)
            account = ledger.account_by_email(email)
            assert account is not None
            return account

        return self.run(add)  # type: ignore[no-any-return]

    def account(self, email: str) -> HmisAccount:
        account = self.run(lambda ledger: ledger.account_by_email(email))
        assert account is not None
        return account  # type: ignore[no-any-return]

    def request(self, request_id: int = 1) -> StoredRequest:
        request = self.run(lambda ledger: ledger.get_request(request_id))
        assert request is not None
        return request  # type: ignore[no-any-return]


def memory_driver(
    community: Community, calendar: BusinessCalendar, registry: Registry, ledger: MemoryLedger
) -> Driver:
    return Driver(
        community,
        calendar,
        registry,
        lambda work: work(ledger),
        lambda: [(e.action, e.details) for e in ledger.audit_log if e.outcome == "refused"],
        lambda state: sum(t.to_state == state for t in ledger.transitions),
        lambda: [n.audience for n in ledger.outbox],
    )


def service_driver(service: BotService) -> Driver:
    def refusals() -> list[tuple[str, dict[str, Any]]]:
        query = select(AuditEventRow).where(AuditEventRow.outcome == "refused")
        with service.db.transaction() as session:
            return [
                (r.action, r.details) for r in session.scalars(query.order_by(AuditEventRow.id))
            ]

    def transitions_to(state: str) -> int:
        query = select(func.count()).select_from(RequestTransition)
        with service.db.transaction() as session:
            return int(session.scalar(query.where(RequestTransition.to_state == state)) or 0)

    def queued() -> Sequence[str]:
        with service.db.transaction() as session:
            return list(session.scalars(select(OutboxRow.audience).order_by(OutboxRow.id)))

    return Driver(
        service.community,
        service.calendar,
        service.registry,
        service.run_sync,
        refusals,
        transitions_to,
        lambda: list(queued()),
    )
