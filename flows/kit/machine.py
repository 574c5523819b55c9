"""The state-machine kit: compare-and-set with its audit row, refusals, a lost race, a stale
click answered with what happened, and the live cards of everyone involved.

One ``Machine`` runs one kind for one call, inside the ledger's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kit.kind import CardView, RequestKind
from flows.model import (
    REQUEST_SUBJECT,
    Actor,
    AuditEvent,
    Filing,
    Notification,
    Request,
    Subject,
    Transition,
)
from flows.ports import Ledger
from flows.ui import Notice

M = TypeVar("M", bound=BaseModel)

UNKNOWN_REQUEST = "That request no longer exists."


@dataclass(frozen=True)
class Machine(Generic[M]):
    kind: RequestKind[M]
    community: Community
    calendar: BusinessCalendar
    ledger: Ledger
    kinds: Iterable[RequestKind[Any]] = ()
    """Every kind in the registry, for effects on requests of other kinds."""

    @property
    def view(self) -> CardView:
        return CardView(self.community, self.calendar, self.ledger.person_name)

    def action(self, verb: str) -> str:
        """The audit action of a verb of this kind: ``deactivation.confirm``."""
        return f"{self.kind.name}.{verb}"

    def get(self, request_id: int) -> Request[M] | None:
        """The request, if it exists and is of this kind."""
        stored = self.ledger.get_request(request_id)
        if stored is None or stored.kind != self.kind.name:
            return None
        return self.kind.typed(stored)

    # Changes -------------------------------------------------------------------------------

    def file(self, actor: Actor, filing: Filing, details: dict[str, str]) -> Request[M] | None:
        """Store a new request with its audit row and cards; None when its open key is taken."""
        stored = self.ledger.add_request(filing)
        if stored is None:
            return None
        request = self.kind.typed(stored)
        self.ledger.audit(
            AuditEvent(actor, self.action("file"), "ok", Subject.request(request.id), details)
        )
        self.notify_cards(request, cause="filed")
        return request

    def move(
        self,
        request: Request[M],
        by: Actor | str,
        to_state: str,
        verb: str,
        *,
        reason: str = "",
        decided: bool = False,
        details: BaseModel | None = None,
        due_at: datetime | None = None,
        audit: dict[str, str] | None = None,
    ) -> Request[M] | None:
        """Compare-and-set the request into ``to_state``, audited and with every live card
        refreshed; None when someone else changed it first (the caller says what happened).

        ``by`` is the person acting, or the name of the bot's own process (a sweep, an
        import) for changes nobody clicked.
        """
        actor = by if isinstance(by, Actor) else None
        email = by.email if isinstance(by, Actor) else by
        if to_state == request.state and due_at is None:
            due_at = request.due_at  # a change within a state keeps that state's deadline
        transition = Transition(
            request.id,
            request.version,
            request.state,
            to_state,
            email,
            reason=reason,
            decided=decided,
            closes=self.kind.closes(to_state),
            details=details,
            due_at=due_at,
        )
        stored = self.ledger.apply(transition)
        if stored is None:
            return None
        moved = self.kind.typed(stored)
        changes = {"from": request.state, "to": to_state} | (audit or {})
        if actor is None:
            changes.setdefault("by", email)
        self.ledger.audit(
            AuditEvent(actor, self.action(verb), "ok", Subject.request(request.id), changes)
        )
        self.notify_cards(moved, cause=f"{verb}.{to_state}")
        return moved

    def withdraw_requests_about(
        self, email: str, by: Actor | str, reason: str, keep: int
    ) -> list[int]:
        """Withdraw every other open request about this person, each through its own kind's
        state machine (when the kind withdraws on deactivation); the ids withdrawn."""
        kinds = {k.name: k for k in self.kinds if k.withdrawn_state}
        withdrawn = []
        for stored in self.ledger.requests_about(email, list(kinds)):
            kind = kinds[stored.kind]
            if stored.id == keep or stored.state not in kind.open_states:
                continue
            other = Machine(kind, self.community, self.calendar, self.ledger, self.kinds)
            target = kind.withdrawn_state
            assert target is not None
            typed = kind.typed(stored)
            if other.move(typed, by, target, "withdraw", reason=reason, decided=True):
                withdrawn.append(stored.id)
        return withdrawn

    def notify_cards(self, request: Request[M], cause: str) -> None:
        """Queue every involved audience's live card for re-rendering; ``cause`` makes each
        queued row's dedupe key unique."""
        self.ledger.notify_many(card_refreshes(self.kind, self.community, request, cause))

    # Refusals ------------------------------------------------------------------------------

    def refuse(
        self, actor: Actor, verb: str, code: str, request_id: int | None, message: str
    ) -> Notice:
        """Tell the person why not, and audit the refusal."""
        subject = Subject.request(request_id) if request_id is not None else None
        return refuse(self.ledger, actor, self.action(verb), code, message, subject=subject)

    def lost_race(self, actor: Actor, request: Request[M], verb: str) -> Notice:
        """Someone else changed the request first: say what it is now, change nothing."""
        current = self.get(request.id) or request
        return self.refuse(actor, verb, "lost_race", request.id, self.already(current))

    def already(self, request: Request[M]) -> str:
        label = self.kind.labels.get(request.state, request.state)
        return f"Request #{request.id} has already moved on: {label.lower()}. Nothing was changed."


def card_refreshes(
    kind: RequestKind[M], community: Community, request: Request[M], cause: str
) -> list[Notification]:
    """Every involved audience's live card, to re-render from the database at delivery."""
    return [
        Notification(
            REQUEST_SUBJECT,
            str(request.id),
            audience,
            email,
            f"request:{request.id}:{audience}:v{request.version}:{cause}",
        )
        for audience, email in kind.audiences(community, request)
    ]


def refuse(
    ledger: Ledger, actor: Actor, action: str, code: str, message: str, *, subject: Subject | None
) -> Notice:
    """Audit a refused attempt with its reason code; the notice tells the person why."""
    ledger.audit(AuditEvent(actor, action, "refused", subject, {"reason": code}))
    return Notice(message)
