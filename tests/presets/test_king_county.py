"""King County's own path, with its bundled preset loaded, through signed Slack requests only
(on SQLite and PostgreSQL, with an injected clock): an applying agency refused a staff account
with how far its onboarding has come, its Technical Administrator and Security Officer (one
person) named and trained, an alternate named before anyone there has an HMIS account, its
checklist ticked and the agency approved; then a program
built, a new user trained first and requested by the Technical Administrator, a CE trainer
named and an assessor requested by them. On an agency already onboarded: one deactivation
confirmed inside its SLA, one escalated by the sweep, one role change."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from flows.accounts import AccountStatus
from flows.community import CE_TRAINER, Community
from flows.kinds.new_user.form import F
from tests.conftest import Clock
from tests.e2e.records import account_of, refused, seed_account, stored_states
from tests.e2e.slack_testbed import USERS, SlackTestbed, card_text, dm, running_bot

PRESET = "king-county"
ADMIN_CHANNEL = "C0KCADMIN1"
ADMIN = "kc-admin@hmis.example.org"
HELPDESK = "kc-support@hmis.example.org"
CARMEN = "ta@cascadeshelter.example.org"  # Cascade Family Shelter's Technical Administrator
TESS = "tess@rainieroutreach.example.org"  # to be Rainier Outreach's TA and Security Officer
OMAR = "omar@rainieroutreach.example.org"  # her alternate Technical Administrator
NICO = "nico@rainieroutreach.example.org"  # Rainier Outreach's first new user
IVY = "ivy@rainieroutreach.example.org"  # attended the Assessor's Credential Training
LENA = "lena@cascadeshelter.example.org"
LUIS = "luis@cascadeshelter.example.org"
MAYA = "maya@cascadeshelter.example.org"
SLACK_IDS = {
    ADMIN: "UKCADMIN",
    HELPDESK: "UKCHELP",
    CARMEN: "UCARMEN",
    TESS: "UTESS",
    OMAR: "UOMAR",
    NICO: "UNICO",
    IVY: "UIVY",
    LENA: "ULENA",
    LUIS: "ULUIS",
    MAYA: "UMAYA",
}
PROFILE_NAMES = {TESS: "Tess Nguyen", OMAR: "Omar Haddad", NICO: "Nico Reyes", IVY: "Ivy Chen"}
"""Slack profile names of people the preset's directory does not name."""
RAINIER = "rainier-outreach"
CASCADE = "cascade-shelter"
ROLE_TRAININGS = ("HMIS Agency Leads Training", "Clarity General Training")
NEW_USER_TRAININGS = ("Clarity General Training", "Privacy & Security Training")
Values = dict[str, str | list[str] | None]


@pytest.fixture(scope="session")
def community() -> Community:
    return load_community(bundled_preset_path(PRESET))


@pytest.fixture
async def slack(
    database_url: str,
    database: Database,
    community: Community,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackTestbed]:
    """The bot on the fake Slack, whose workspace has King County's people and admin channel."""
    for email, user_id in SLACK_IDS.items():
        monkeypatch.setitem(USERS, email, user_id)
    async with running_bot(database_url, community, clock) as testbed:
        testbed.fake.add_channel(ADMIN_CHANNEL)
        for email, name in PROFILE_NAMES.items():
            testbed.fake.add_user(SLACK_IDS[email], email, name)
        yield testbed


# Driving Slack ---------------------------------------------------------------------------------


async def form(slack: SlackTestbed, email: str, word: str = "") -> dict[str, Any]:
    status, body = await slack.command(email, word)
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


async def file(slack: SlackTestbed, email: str, word: str, values: Values) -> dict[str, Any]:
    answer = await slack.submit(email, await form(slack, email, word), values)
    await slack.settle()
    assert "errors" not in answer, answer
    return answer


async def refused_at_command(slack: SlackTestbed, email: str, word: str = "") -> str:
    await slack.command(email, word)
    await slack.settle()
    return slack.last_response_text()


async def press(slack: SlackTestbed, email: str, channel: str, ts: str, label: str) -> str:
    """Press a button on a posted card; what the presser was told."""
    status, body = await slack.click(email, channel, ts, label)
    assert status == 200, body
    await slack.settle()
    return slack.last_response_text()


async def report_trainings(slack: SlackTestbed, email: str, names: tuple[str, ...]) -> None:
    ts, _ = slack.last_card(dm(email))
    for name in names:
        await press(slack, email, dm(email), ts, f"I've completed {name}")


def admin_card_titled(slack: SlackTestbed, words: str) -> str:
    """The ts of the newest card in the admin channel that says ``words``."""
    found = [m["ts"] for m in slack.fake.messages_in(ADMIN_CHANNEL) if words in card_text(m)]
    assert found, f"no admin card says {words!r}"
    return str(found[-1])


def codes(database: Database) -> list[tuple[str, str]]:
    """Each refused attempt: its action and its reason, or the code of its refused field."""
    return [(action, next(iter(details.values()))) for action, details in refused(database)]


# The preset itself -----------------------------------------------------------------------------


def test_the_preset_cites_its_source_by_title_and_marks_its_defaults(
    community: Community,
) -> None:
    text = bundled_preset_path(PRESET).read_text(encoding="utf-8")
    header = text.split("\ncommunity:")[0]
    assert '"Your Agency was Approved for HMIS Access!"' in header
    assert "/shared/" not in text, "cited by title, never by a path"
    assert "seeds/" not in text, "cited by title, never by a path"
    assert text.count("# default") >= 15
    assert community.new_user.trains_first
    assert community.filers("new_user") == ("lead",)
    assert community.lead_training == ("agency-leads", "general", "privacy")
    assert community.security_officer_training == ("security-officer", "general", "privacy")
    assert [i.id for i in community.onboarding_checklist] == [
        "privacy-agreement",
        "ta-so-agreement",
        "role-trainings",
        "welcome-call",
    ]
    act = community.assessor_training()
    assert act is not None
    assert str(act.valid_for) == "365 days"
    cascade = community.agency(CASCADE)
    assert cascade is not None
    assert cascade.holding(CE_TRAINER) == ("cetrainer@cascadeshelter.example.org",)


# Phases 1 to 4, for an agency the letter has just gone to --------------------------------------


async def test_an_agency_onboarded_in_phases_then_its_programs_users_and_assessors(
    slack: SlackTestbed, database: Database
) -> None:
    await onboarding_started(slack)
    await mou_signed_and_returned(slack)
    await technical_administrator_named(slack)
    text = await refused_at_command(slack, TESS, "")
    assert "Rainier Outreach is still onboarding: 1 of 4 steps done" in text
    await same_person_named_security_officer(slack)
    await alternate_named_by_the_technical_administrator(slack)
    await checklist_ticked_and_approved(slack)
    await program_requested_and_built(slack)
    await new_user_trained_first_then_requested(slack)
    await ce_trainer_named_then_assessor_requested(slack, database)
    assert stored_states(database) == [
        "approved",  # the agency's onboarding
        "designated",  # Tess, Technical Administrator
        "designated",  # Tess, Security Officer too
        "designated",  # Omar, alternate Technical Administrator
        "built",  # the New Program Request
        "active",  # Nico's account
        "designated",  # Nico, CE trainer
        "active",  # Ivy's assessor access, for a year
    ]
    assert codes(database) == [
        ("lead_designation.file", "mou_not_current"),
        ("new_user.open_form", "agency_not_participating"),
        ("agency_participation.approve", "own_request"),
        ("new_user.file", "missing"),  # the trainings not attested
        ("ce_assessor.confirm", "not_admin"),
    ]


async def onboarding_started(slack: SlackTestbed) -> None:
    answer = await file(slack, ADMIN, "agency", {"agency": RAINIER})
    assert "Onboarding #1 started for Rainier Outreach" in card_text(answer["view"])
    card = card_text(slack.fake.message(ADMIN_CHANNEL, admin_card_titled(slack, "Rainier")))
    assert card.count('"Done: ') == 4


async def mou_signed_and_returned(slack: SlackTestbed) -> None:
    """No Technical Administrator before the MOU is on record; ticking its step records it."""
    named: Values = {"agency": RAINIER, "person_email": TESS, "person_name": "Tess Nguyen"}
    view = await form(slack, ADMIN, "lead")
    early = await slack.submit(ADMIN, view, named | {"role_update": "no", "meeting_invite": "no"})
    assert "HMIS has no MOU on record for Rainier Outreach" in early["errors"]["agency"]
    ts = admin_card_titled(slack, "Rainier")
    await press(
        slack, ADMIN, ADMIN_CHANNEL, ts, "Done: Privacy Agreement (MOU) signed and returned"
    )


async def technical_administrator_named(slack: SlackTestbed) -> None:
    """No lead yet, so an admin names the first one; the three role trainings come first."""
    named: Values = {"agency": RAINIER, "person_email": TESS, "person_name": "Tess Nguyen"}
    answer = await file(slack, ADMIN, "lead", named | {"role_update": "no", "meeting_invite": "no"})
    assert "Tess Nguyen will get HMIS Agency Leads Training, Clarity General Training" in (
        card_text(answer["view"])
    )
    _, training = slack.last_card(dm(TESS))
    assert "complete these trainings and report each here" in card_text(training)
    slack.clock.advance(days=1)  # Tuesday: Tess has done her trainings
    await report_trainings(slack, TESS, (*ROLE_TRAININGS, "Privacy & Security Training"))
    ts = admin_card_titled(slack, "Lead set in HMIS")
    card = card_text(slack.fake.message(ADMIN_CHANNEL, ts))
    assert "*MOU signed*\\nNov 16, 2026" in card, "the day its step was ticked"
    told = await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Lead set in HMIS")
    assert "Tess Nguyen is now an agency lead of Rainier Outreach" in told


async def same_person_named_security_officer(slack: SlackTestbed) -> None:
    """ "The same staff member can fulfill both roles": only the Security Officer's own
    training is asked, the shared two were reported already."""
    named: Values = {"agency": RAINIER, "person_email": TESS}  # her Slack profile names her
    answer = await file(slack, ADMIN, "security-officer", named)
    assert "Tess Nguyen will get Security Officer Training first" in card_text(answer["view"])
    ts, training = slack.last_card(dm(TESS))
    assert "Clarity General Training" not in card_text(training)
    await press(slack, TESS, dm(TESS), ts, "I've completed Security Officer Training")
    ts = admin_card_titled(slack, "Security officer set in HMIS")
    told = await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Security officer set in HMIS")
    assert "Tess Nguyen is now a security officer of Rainier Outreach" in told


async def alternate_named_by_the_technical_administrator(slack: SlackTestbed) -> None:
    """ "Alternate staff can also be identified for these roles": the TA names one while the
    agency is still onboarding, before anyone there has an HMIS account."""
    named: Values = {"agency": RAINIER, "person_email": OMAR, "person_name": "Omar Haddad"}
    await file(slack, TESS, "lead", named | {"role_update": "no", "meeting_invite": "no"})
    await report_trainings(slack, OMAR, (*ROLE_TRAININGS, "Privacy & Security Training"))
    ts = admin_card_titled(slack, "Omar Haddad")
    told = await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Lead set in HMIS")
    assert "Omar Haddad is now an agency lead of Rainier Outreach" in told


async def checklist_ticked_and_approved(slack: SlackTestbed) -> None:
    ts = admin_card_titled(slack, "Done: TA and Security Officer Agreements signed")
    for step in (
        "TA and Security Officer Agreements signed",
        "TA and Security Officer trainings done",
    ):
        await press(slack, ADMIN, ADMIN_CHANNEL, ts, f"Done: {step}")
    slack.clock.advance(days=1)  # Wednesday: the onboarding welcome call
    await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Done: Onboarding Welcome call held")
    _, checklist = slack.last_card(dm(TESS))
    assert "Every step is done; HMIS admins approve Rainier Outreach next" in card_text(checklist)
    told = await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Approved")
    assert "another HMIS admin" in told
    told = await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Approved")
    assert "Rainier Outreach is approved to use HMIS" in told


async def program_requested_and_built(slack: SlackTestbed) -> None:
    """Phase 2: the Technical Administrator's New Program Request, built by the admins."""
    program: Values = {"program": "Rainier Day Center", "change": "new", "needs": "Drop-in, ESG."}
    answer = await file(slack, TESS, "program", program)
    assert "program Rainier Day Center at Rainier Outreach" in card_text(answer["view"])
    ts = admin_card_titled(slack, "Rainier Day Center")
    await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Built in HMIS")
    _, told = slack.last_card(dm(TESS))
    assert "Built in HMIS, confirmed by Community Administration Team" in card_text(told)


async def new_user_trained_first_then_requested(slack: SlackTestbed) -> None:
    """Phase 3: the new user trained already; the TA's short request attests it; no
    background-check step, no training step; the Helpdesk creates the account."""
    view = await form(slack, TESS)
    asked = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert asked == {F.AGENCY, F.TRAINEE_NAME, F.TRAINEE_EMAIL, F.ACCESS_ROLE, F.TRAININGS_DONE}
    listed = "Trainings: Clarity General Training; Privacy &amp; Security Training"  # mrkdwn
    assert listed in json.dumps(view)
    request: Values = {
        F.AGENCY: RAINIER,
        F.TRAINEE_NAME: "Nico Reyes",
        F.TRAINEE_EMAIL: NICO,
        F.ACCESS_ROLE: "agency-staff",
    }
    unattested = await slack.submit(TESS, view, request)
    assert F.TRAININGS_DONE in unattested["errors"]
    await slack.submit(TESS, view, request | {F.TRAININGS_DONE: ["yes"]})
    await slack.settle()
    ts = admin_card_titled(slack, "Nico Reyes")
    await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Approve")
    await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Account created in HMIS")
    ready_ts, ready = slack.last_card(dm(NICO))
    assert "first-time login instructions the Helpdesk sends you" in card_text(ready)
    await press(slack, NICO, dm(NICO), ready_ts, "I've logged in")


async def ce_trainer_named_then_assessor_requested(slack: SlackTestbed, database: Database) -> None:
    """Phase 4: the TA names a CE trainer; the CE trainer asks for assessor access for staff
    who attended ACT, good for a year."""
    seed_account(database, IVY, "Ivy Chen", agency_id=RAINIER, role="agency-staff")
    await file(slack, TESS, "ce-trainer", {"person": NICO})
    ts = admin_card_titled(slack, "has no Coordinated Entry trainer yet")
    await press(slack, ADMIN, ADMIN_CHANNEL, ts, "Confirm CE trainer")
    _, trainer = slack.last_card(dm(NICO))
    assert "You are a Coordinated Entry trainer for Rainier Outreach" in card_text(trainer)
    attended: Values = {"person": IVY, "attended": "2026-11-12", "attested": ["yes"]}
    await file(slack, NICO, "assessor", attended)
    ts = admin_card_titled(slack, "Ivy Chen")
    told = await press(slack, TESS, ADMIN_CHANNEL, ts, "Assessor access added")
    assert "Only HMIS admins" in told
    await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Assessor access added")
    _, ivy = slack.last_card(dm(IVY))
    assert "You are a Coordinated Entry assessor in HMIS" in card_text(ivy)
    assert "Fri Nov 12, 2027" in card_text(ivy), "a year from the training"


# Staff changes at an agency already onboarded ---------------------------------------------------


async def test_deactivations_inside_and_past_their_sla_and_a_role_change(
    slack: SlackTestbed, database: Database
) -> None:
    for email, name in ((LENA, "Lena Ortiz"), (LUIS, "Luis Romero"), (MAYA, "Maya Singh")):
        seed_account(database, email, name, agency_id=CASCADE, role="agency-staff")
    await file(slack, CARMEN, "deactivate", {"person": LENA, "reason": "left_agency"})
    await file(slack, CARMEN, "deactivate", {"person": LUIS, "reason": "no_longer_needed"})
    assert slack.fake.messages_in(ADMIN_CHANNEL) == [], "deactivations never go to a channel"

    slack.clock.advance(hours=3)  # inside the 48 hours
    lena_ts = card_ts(slack, dm(HELPDESK), "Lena Ortiz")
    told = await press(slack, HELPDESK, dm(HELPDESK), lena_ts, "Deactivated in HMIS")
    assert "deactivated" in told
    assert account_of(database, LENA).status is AccountStatus.DEACTIVATED

    slack.clock.advance(hours=44, minutes=50)  # 47:50 after filing: not yet overdue
    await slack.sweep()
    assert "Overdue" not in json.dumps(slack.fake.messages_in(dm(ADMIN)))
    slack.clock.advance(minutes=15)
    await slack.sweep()
    _, escalation = slack.last_card(dm(ADMIN))
    assert "Overdue: deactivate Luis Romero" in card_text(escalation)
    assert "48 hours" in card_text(escalation)
    assert "Lena Ortiz" not in card_text(escalation)

    await role_changed(slack, database)
    assert stored_states(database) == ["deactivated", "awaiting_admin", "changed"]
    assert refused(database) == []


def card_ts(slack: SlackTestbed, channel: str, words: str) -> str:
    found = [m["ts"] for m in slack.fake.messages_in(channel) if words in card_text(m)]
    assert found, f"no card in {channel} says {words!r}"
    return str(found[0])


async def role_changed(slack: SlackTestbed, database: Database) -> None:
    """Maya moves to Agency Manager: the role's trainings first, then the admins change it."""
    change: Values = {"person": MAYA, "new_role": "agency-manager", "reason": "Runs the team."}
    answer = await file(slack, CARMEN, "role", change)
    assert "will get the training it needs first" in card_text(answer["view"])
    await report_trainings(slack, MAYA, NEW_USER_TRAININGS)
    ts = admin_card_titled(slack, "Role changed in HMIS")
    await press(slack, HELPDESK, ADMIN_CHANNEL, ts, "Role changed in HMIS")
    assert account_of(database, MAYA).access_role_id == "agency-manager"
    _, maya = slack.last_card(dm(MAYA))
    assert "Your HMIS access role is now Agency Manager" in card_text(maya)
