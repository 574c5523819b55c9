"""A bundled preset's community, driven end to end through signed Slack requests: the people of
the preset's own directory as Slack members, its own admin channel, and the verbs a scenario
speaks in (open a form, submit it, press a button someone was sent, sweep at a time).

A scenario module names its preset (``PRESET = "santa-clara"``); ``tests/presets/conftest.py``
then loads it as the ``community`` every fixture uses, and gives the test a ``bed``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from chatbot.catalog import preset_path
from chatbot.policy import load_community
from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from flows.community import Community
from flows.ports import NewAccount
from tests.conftest import Clock
from tests.e2e.slack_testbed import SlackTestbed, card_text, find_button, running_bot


def load_preset(name: str) -> Community:
    return load_community(preset_path(name))


def directory_emails(community: Community) -> list[str]:
    """Everyone the community file names: admins, people, and each agency's positions."""
    emails = [p.email for p in (*community.admins, *community.people)]
    for agency in community.agencies:
        emails += [*agency.leads, *agency.supervisors, *agency.security_officers]
        emails += [e for holders in agency.positions.values() for e in holders]
    return list(dict.fromkeys(emails))


@dataclass
class PresetBed:
    """The running bot on the fake Slack, with the preset's people as Slack members."""

    slack: SlackTestbed
    community: Community
    database: Database
    users: dict[str, str] = field(default_factory=dict)

    # People ------------------------------------------------------------------------------

    def member(self, email: str, name: str | None = None) -> str:
        """The Slack user id of ``email``, added to the workspace on first use."""
        if email not in self.users:
            user_id = f"U{len(self.users) + 1:04d}"
            self.slack.fake.add_user(user_id, email, name or self.community.display_name(email))
            self.users[email] = user_id
        return self.users[email]

    def dm(self, email: str) -> str:
        """The bot's direct-message channel with ``email``."""
        return "D" + self.member(email)

    @property
    def admin_channel(self) -> str:
        channel = self.community.channels.admin.slack
        assert channel is not None, "the preset names no Slack admin channel"
        return channel

    def account(self, email: str, name: str, agency_id: str, role: str) -> None:
        """An active HMIS account the bot already knows (created or imported earlier), last
        logged in at the testbed's clock."""
        self.member(email, name)
        with self.database.transaction() as session:
            ledger = SqlLedger(session, self.slack.clock, ())
            ledger.open_account(NewAccount(email, name, agency_id, role, None, None))
            ledger.activate_account(email)

    # What people do ------------------------------------------------------------------------

    async def command(self, email: str, text: str = "") -> str:
        """``/hmis-access TEXT``; the text of what the bot answered in place, if anything."""
        responses = len(self.slack.fake.responses)
        status, body = await self.slack.command(self.member(email), text)
        assert status == 200, body
        await self.slack.settle()
        answered = self.slack.fake.responses[responses:]
        return body + "".join(str(r.get("text", "")) for r in answered)

    async def open_form(self, email: str, text: str = "") -> dict[str, Any]:
        opened = len(self.slack.fake.opened_views)
        said = await self.command(email, text)
        assert len(self.slack.fake.opened_views) > opened, f"no form opened: {said}"
        return dict(self.slack.fake.opened_views[-1])

    async def submit(
        self, email: str, view: dict[str, Any], values: dict[str, str | list[str] | None]
    ) -> dict[str, Any]:
        answer = await self.slack.submit(self.member(email), view, values)
        await self.slack.settle()
        return answer

    async def press(self, email: str, label: str, channel: str | None = None) -> str:
        """Press ``label`` on the newest message in ``channel`` (``email``'s DM by default)
        that has it; the text the bot answered with."""
        where = channel or self.dm(email)
        ts = self.with_button(where, label)
        responses = len(self.slack.fake.responses)
        status, body = await self.slack.click(self.member(email), where, ts, label)
        assert status == 200, body
        await self.slack.settle()
        answered = self.slack.fake.responses[responses:]
        return " ".join(str(r.get("text", "")) for r in answered)

    def with_button(self, channel: str, label: str) -> str:
        """The ts of the newest message in ``channel`` with a button ``label``."""
        for message in reversed(self.slack.fake.messages_in(channel)):
            current = self.slack.fake.message(channel, message["ts"])
            try:
                find_button(current.get("blocks", []), label)
            except AssertionError:
                continue
            return str(message["ts"])
        raise AssertionError(
            f"no message in {channel} has a button {label!r}: {self.said(channel)}"
        )

    # What the bot showed -------------------------------------------------------------------

    def said(self, channel: str) -> str:
        """Every message in ``channel`` as it reads now (updated in place), for assertions."""
        fake = self.slack.fake
        return "\n".join(
            card_text(fake.message(channel, m["ts"])) + " " + str(m.get("text", ""))
            for m in fake.messages_in(channel)
        )

    def last(self, channel: str) -> str:
        ts, _ = self.slack.last_card(channel)
        message = self.slack.fake.message(channel, ts)
        return card_text(message) + " " + str(message.get("text", ""))


def labels(view: dict[str, Any]) -> list[str]:
    """The labels of a modal's inputs, as the person reads them."""
    return [b["label"]["text"] for b in view["blocks"] if b.get("type") == "input"]


def view_text(view: dict[str, Any]) -> str:
    return json.dumps(view.get("blocks", []), ensure_ascii=False)


@asynccontextmanager
async def preset_bed(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[PresetBed]:
    """The bot with ``community`` loaded, its people and admin channel on the fake Slack."""
    async with running_bot(database_url, community, clock) as slack:
        bed = PresetBed(slack, community, database)
        for email in directory_emails(community):
            bed.member(email)
        slack.fake.add_channel(bed.admin_channel)
        yield bed
