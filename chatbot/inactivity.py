"""The inactivity announcement's live card and its "Disabled in HMIS" button, on the database."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from flows.community import Community
from flows.model import Actor, Platform
from flows.nudges.inactivity import Announcement, InactivityCard, InactivityFlow
from flows.outcomes import Outcome
from flows.ui import ActionCommand, Card


class InactivityCards:
    """Implements ``chatbot.delivery.outbox.LiveCards`` for the ``inactivity`` subject."""

    def __init__(self, card: InactivityCard, clock: Clock) -> None:
        self._card = card
        self._clock = clock

    def render(self, session: Session, subject_id: str, audience: str) -> Card | None:
        announcement = Announcement.parse(subject_id)
        if announcement is None:
            return None
        account = SqlNudgeLedger(session, self._clock, ()).get_account(announcement.account_id)
        return self._card.render(account, announcement, audience) if account else None


class InactivityClicks:
    """Runs the button's flow in one transaction (``BotService`` dispatches by flow name)."""

    def __init__(
        self,
        db: Database,
        community: Community,
        clock: Clock,
        platforms: Sequence[Platform],
        admin_platforms: Collection[Platform] | None = None,
    ) -> None:
        self._db = db
        self._community = community
        self._clock = clock
        self._platforms = platforms
        self._admin_platforms = admin_platforms

    def click(self, actor: Actor, command: ActionCommand) -> Outcome:
        with self._db.transaction() as session:
            ledger = SqlNudgeLedger(session, self._clock, self._platforms, self._admin_platforms)
            return InactivityFlow(self._community, ledger).click(actor, command)
