"""Adding a request kind is one class and one registry entry: a small kind, declared here and
nowhere else, shows up in Slack's help, opens its form, files, lists in status, is nudged by
the sweeps and decided by an admin's button, all without any adapter knowing about it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from chatbot.storage.database import Database
from flows.accounts import HmisAccount
from flows.community import Community
from flows.durations import Duration, Unit
from flows.kinds import DEFAULT_KINDS
from flows.kit import kind as kit
from flows.kit.kind import REQUESTER, SUBJECT, CardView, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.model import Actor, Filing, Request
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import RequestClock, RequestRule
from flows.outcomes import Accepted, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import ActionCommand, Button, Card, FieldKind, Form, FormField, Notice
from tests.conftest import Clock
from tests.e2e.records import stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, SlackTestbed, card_text, running_bot
from tests.requests import ADMIN, LEAD

Run = Machine["PingDetails"]


class PingDetails(BaseModel):
    model_config = ConfigDict(frozen=True)
    note: str


class PingKind(RequestKind[PingDetails]):
    """Ask the HMIS admins to ping back; they answer with a button."""

    name = "ping"
    command = "ping"
    help = "asks the HMIS admins to ping you back"
    title = "Ping"
    details_model = PingDetails
    labels: ClassVar[Mapping[str, str]] = {"open": "Waiting for a pong", "done": "Ponged"}
    open_states = frozenset({"open"})
    admin_states = frozenset({"open"})
    forms = frozenset({"ping_form"})

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        note = FormField("note", "Note", FieldKind.TEXT)
        return OpenForm(Form("ping_form", "Ping the admins", "Ping", (note,)))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        note = values.get("note")
        filing = Filing(
            kind=self.name,
            state="open",
            requester_email=actor.email,
            subject_email=actor.email,
            subject_name=actor.email,
            agency_id="river-house",
            details=PingDetails(note=str(note)),
            parties={REQUESTER: actor.email, SUBJECT: actor.email},
            open_key=actor.email,
        )
        request = machine.file(actor, filing, {})
        assert request is not None
        return Accepted(Notice(f"Ping #{request.id} sent."))

    def steps(self) -> Mapping[str, Step[PingDetails]]:
        return {"pong": Step(kit.ADMIN, self.open_states, self._pong)}

    def _pong(
        self, machine: Run, actor: Actor, request: Request[PingDetails], _a: str, _r: str
    ) -> Outcome:
        machine.move(request, actor, "done", "pong", decided=True)
        return Notice("Pong.")

    def audiences(
        self, community: Community, request: Request[PingDetails]
    ) -> list[tuple[str, str | None]]:
        return [("admins", None), (REQUESTER, request.requester_email)]

    def render(self, view: CardView, request: Request[PingDetails], audience: str) -> Card:
        pong = Button("Pong", ActionCommand(self.name, "pong", request.id, request.version))
        return Card(
            title=f"Ping #{request.id}: {request.details.note}",
            summary=f"Ping #{request.id}: {self.labels[request.state]}",
            buttons=(pong,) if request.state == "open" and audience == "admins" else (),
        )

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        waited = cutoffs.since(Duration(1, Unit.HOURS))
        yield RequestRule(self.name, "ping_waiting", "open", RequestClock.STATE_ENTERED, waited)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: Request[PingDetails],
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        card = Card(title=f"Ping #{request.id} still waits", summary="A ping waits for a pong.")
        return [Letter(Role.ADMINS, None, card, immediate=True)]


@pytest.fixture
async def slack(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[SlackTestbed]:
    registry = Registry([kind() for kind in DEFAULT_KINDS] + [PingKind()])
    async with running_bot(database_url, community, clock, registry=registry) as testbed:
        yield testbed


async def test_a_new_kind_is_in_help_routing_status_nudges_and_buttons(
    slack: SlackTestbed, database: Database
) -> None:
    status, body = await slack.command(LEAD, "help")
    assert status == 200
    assert "*/hmis-access ping* asks the HMIS admins to ping you back." in body

    await slack.command(LEAD, "ping")
    await slack.settle()
    view = slack.fake.opened_views[-1]
    assert view["callback_id"] == "ping_form"
    answer = await slack.submit(LEAD, view, {"note": "hello"})
    assert "Ping #1 sent." in card_text(answer["view"])
    await slack.settle()
    ts, card = slack.last_card(ADMIN_CHANNEL)
    assert "Ping #1: hello" in card_text(card)

    await slack.command(LEAD, "status")
    await slack.settle()
    assert "Ping #1: hello" in str(slack.fake.responses[-1]["blocks"])

    slack.clock.advance(hours=2)
    await slack.sweep()
    assert "Ping #1 still waits" in card_text(slack.last_card(ADMIN_CHANNEL)[1])

    await slack.click(ADMIN, ADMIN_CHANNEL, ts, "Pong")
    await slack.settle()
    assert "Pong." in slack.last_response_text()
    assert stored_states(database) == ["done"]
