"""Live cards rendered from the database at delivery time: every request kind's cards (by the
kind the registry names) and the inactivity announcement."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from chatbot.storage.ledger import Clock, SqlLedger
from flows.directory import current
from flows.kit.kind import CardView
from flows.kit.registry import Registry
from flows.nudges.inactivity import Announcement, InactivityCard
from flows.ui import Card


class RequestCards:
    """Implements ``chatbot.delivery.outbox.LiveCards`` for the ``request`` subject, with the
    community as the bot's directory has it now (leads and security officers designated
    through the bot), as the service sees it when it decides."""

    def __init__(self, registry: Registry, view: CardView, clock: Clock) -> None:
        self._registry = registry
        self._view = view
        self._clock = clock

    def render(self, session: Session, subject_id: str, audience: str) -> Card | None:
        ledger = SqlLedger(session, self._clock, ())
        request = ledger.get_request(int(subject_id))
        kind = self._registry.kind(request.kind) if request else None
        if request is None or kind is None:
            return None
        view = replace(
            self._view,
            community=current(self._view.community, ledger.agency_changes()),
            profile_names=ledger.person_name,
        )
        return kind.render(view, kind.typed(request), audience)


class InactivityCards:
    """Implements ``chatbot.delivery.outbox.LiveCards`` for the ``inactivity`` subject."""

    def __init__(self, card: InactivityCard, clock: Clock) -> None:
        self._card = card
        self._clock = clock

    def render(self, session: Session, subject_id: str, audience: str) -> Card | None:
        announcement = Announcement.parse(subject_id)
        if announcement is None:
            return None
        account = SqlLedger(session, self._clock, ()).get_account(announcement.account_id)
        return self._card.render(account, announcement, audience) if account else None
