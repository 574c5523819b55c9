"""Helpers for the supervision tests: a database that can go down and come back, a messenger
whose next deliveries can fail or hang, and cards queued straight into the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prometheus_client import REGISTRY
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock, SqlLedger
from flows.model import Notification, Platform
from flows.ports import MessageRef, PostMark, Recipient
from flows.ui import Card

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/bot.sqlite3",  # "unable to open database file"
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/down",  # nothing listens on 9
}


class SwitchableDatabase(Database):
    """A real database that can be taken down: while ``down``, every transaction and ping
    fails the way the driver fails against a server that is gone (a real OperationalError)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self._gone = create_engine(UNREACHABLE[dialect])
        self.down = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.down:
            self._gone.connect()  # raises sqlalchemy.exc.OperationalError
        with super().transaction() as session:
            yield session

    def ping(self) -> bool:
        if self.down:
            self._gone.connect()
        return super().ping()

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.down = True
        try:
            yield
        finally:
            self.down = False

    def dispose(self) -> None:
        self._gone.dispose()
        super().dispose()


@dataclass
class ScriptedMessenger:
    """Records what it posts; ``failures`` are raised by the next posts, one each, and while
    ``held`` is set a post waits for it to clear (a hung platform)."""

    platform: Platform = Platform.CONSOLE
    posted: list[tuple[Recipient, Card]] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    delay: float = 0.0
    held: asyncio.Event | None = None

    async def post(
        self, recipient: Recipient, card: Card, mark: PostMark | None = None
    ) -> MessageRef:
        if self.failures:
            raise self.failures.pop(0)
        if self.held is not None:
            await self.held.wait()
        await asyncio.sleep(self.delay)
        self.posted.append((recipient, card))
        return MessageRef("channel", str(len(self.posted)))

    async def update(self, ref: MessageRef, card: Card) -> None:
        raise AssertionError("fixed cards are never updated")

    async def check_health(self) -> bool:
        return True


def queue_card(
    database: Database,
    clock: Clock,
    title: str,
    email: str = "a@example.org",
    platform: Platform = Platform.CONSOLE,
) -> None:
    """A fixed card for one person, queued as a flow would queue it."""
    card = Card(title=title, summary=title)
    notification = Notification("test", title, "person", email, f"test:{title}", card=card)
    with database.transaction() as session:
        SqlLedger(session, clock, (platform,)).notify(notification)


def loop_failures(loop: str) -> float:
    return REGISTRY.get_sample_value("hmis_bot_loop_failures_total", {"loop": loop}) or 0.0


async def eventually(condition: Callable[[], object], seconds: float = 5.0) -> float:
    """Wait until ``condition()`` is true; the seconds it took (fails after ``seconds``)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not condition():
        if loop.time() - started > seconds:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.02)
    return loop.time() - started
