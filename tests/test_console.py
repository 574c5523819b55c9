"""The console as a person types at it: answers by number or name, Ctrl-C in a form, and the
buttons a person can see now, read from the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.answers import FormCancelledError, NotAChoiceError, parse_answer
from adapters.console.repl import run_console
from chatbot.commands.console import console_session
from chatbot.settings import Settings
from flows.community import Community
from flows.kinds.new_user.form import F, request_form
from flows.ui import FormField
from tests.requests import LEAD

Script = list[str | type[BaseException]]


def field(field_id: str, community: Community) -> FormField:
    [found] = [f for f in request_form(community, LEAD).fields() if f.id == field_id]
    return found


@pytest.mark.parametrize(
    ("field_id", "typed", "answer"),
    [
        (F.REQUESTER_ROLE, "2", "Agency leadership (Director or above)"),
        (F.REQUESTER_ROLE, " supervisor / PROGRAM manager ", "Supervisor / Program Manager"),
        (F.DIRECTLY_SUPERVISES, "Y", "yes"),
        (F.DIRECTLY_SUPERVISES, "2", "no"),
        (F.AGENCY, "river house shelter", "river-house"),
        (F.AGENCY, "River-House", "river-house"),
        (F.ADDITIONAL_AGENCIES, "1, Yolo Food Bank", ["yolo-food-bank"]),
        (F.ADDITIONAL_AGENCIES, "", []),
        (F.BACKGROUND_CHECK, "yes", ["yes"]),
        (F.BACKGROUND_CHECK, "", []),
        (F.TRAINEE_NAME, "  Jane Doe ", "Jane Doe"),
        (F.SUPERVISOR_NAME, "", None),
    ],
)
def test_choices_are_answered_by_number_or_name_in_any_case(
    community: Community, field_id: str, typed: str, answer: object
) -> None:
    assert parse_answer(field(field_id, community), typed) == answer


def test_an_answer_that_is_no_choice_says_what_to_type(community: Community) -> None:
    with pytest.raises(NotAChoiceError, match=r"type its number \(1 to 4\) or its name"):
        parse_answer(field(F.ACCESS_ROLE, community), "superuser")
    with pytest.raises(FormCancelledError):
        parse_answer(field(F.ACCESS_ROLE, community), "Cancel")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A console database of its own, which every session in a test shares."""
    return Settings(HMIS_BOT_DATABASE_URL=f"sqlite:///{tmp_path / 'console.sqlite3'}")


async def play(settings: Settings, community: Community, email: str, script: Script) -> str:
    """Run the console on ``script``: lines typed, or an exception raised instead of a line
    (KeyboardInterrupt is Ctrl-C); returns everything printed."""
    printed: list[str] = []
    runtime, session = console_session(settings, community, printed.append)
    answers = iter(script)

    def ask(prompt: str) -> str:
        printed.append(prompt)
        answer = next(answers, EOFError)
        if isinstance(answer, type):
            raise answer
        return answer

    try:
        await run_console(session, email, ask)
    finally:
        runtime.db.dispose()
    return "\n".join(printed)


async def test_ctrl_c_in_a_form_cancels_it_and_the_console_goes_on(
    settings: Settings, community: Community
) -> None:
    out = await play(settings, community, LEAD, ["request", "3", KeyboardInterrupt, "status"])
    assert "Cancelled: nothing was sent." in out
    assert "You have no HMIS requests." in out
    out = await play(settings, community, LEAD, ["buttons", KeyboardInterrupt])
    assert "You have no buttons to press now." in out


async def test_a_denial_asks_for_its_reason_at_the_prompt(
    settings: Settings, community: Community
) -> None:
    filing = [
        "request", "3", "no", "Sam Supervisor", "sup@riverhouse.example.org", "1", "1",
        "Kim Koe", "kim@riverhouse.example.org", "1", "no", "", "no", "quit",
    ]  # fmt: skip
    await play(settings, community, LEAD, filing)
    out = await play(
        settings, community, "helpdesk@hmis.example.org", ["buttons", "press 1", "MOU lapsed"]
    )
    assert "1. [Deny] on New user access request #1: Kim Koe" in out
    assert "Reason (the requester will see it): " in out
    assert "Request #1 for Kim Koe denied." in out
