"""The live cards of New User Access Requests, rendered from the database for the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chatbot.storage.ledger import Clock, SqlLedger
from flows.model import Audience
from flows.new_user.cards import CardRenderer
from flows.ui import Card


class RequestCards:
    def __init__(self, renderer: CardRenderer, clock: Clock) -> None:
        self._renderer = renderer
        self._clock = clock

    def render(self, session: Session, subject_id: str, audience: str) -> Card | None:
        request = SqlLedger(session, self._clock, ()).get_request(int(subject_id))
        return self._renderer.render(request, Audience(audience)) if request else None
