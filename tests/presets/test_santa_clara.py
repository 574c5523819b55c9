"""Santa Clara County's own path with its preset, end to end through signed Slack requests on
SQLite and PostgreSQL: trainings before the request, the VI-SPDAT interim role and the later
full role, the end-user agreement at first login, deactivations within 48 hours (one confirmed,
one escalated by the sweep) and a role change that needs the Data Analysis training first."""

from __future__ import annotations

from flows.accounts import AccountStatus
from flows.kinds.new_user.form import F, question_field
from tests.e2e.records import account_of, refused, stored_states
from tests.presets.harness import PresetBed, labels, view_text

PRESET = "santa-clara"
LEAD = "lead@heartsandhomes.example.org"
SUPERVISOR = "sup@heartsandhomes.example.org"
ADMIN = "helpdesk@scc-hmis.example.org"
TRAINEE = "tina.trainee@heartsandhomes.example.org"
PENDING = "agency-staff-vi-spdat-pending"


async def test_trainings_first_then_the_interim_role_until_the_vi_spdat_training(
    bed: PresetBed,
) -> None:
    refusal = await bed.command(SUPERVISOR)
    assert "Only agency leads can request HMIS access" in refusal
    bed.member(TRAINEE, "Tina Trainee")
    view = await bed.open_form(LEAD)
    asked = labels(view)
    for absent in ("Your role", "Do you directly supervise the new user?", "Staff verification"):
        assert absent not in asked
    assert "Trainings" in asked, "the agency admin attests the trainings are done"
    roles = view_text(view)
    assert "Agency Staff (VI-SPDAT Training Pending)" not in roles.split('"access_role"')[1]
    assert "VI-SPDAT Training (if yes to:" in roles
    assert "(after the account, for the full role)" in roles

    answer = await bed.submit(
        LEAD,
        view,
        {
            F.AGENCY: "hearts-and-homes",
            F.TRAINEE_NAME: "Tina Trainee",
            F.TRAINEE_EMAIL: TRAINEE,
            F.ACCESS_ROLE: "agency-staff",
            question_field("administers-vi-spdat"): "yes",
            question_field("uses-data-analysis"): "no",
            F.TRAININGS_DONE: ["yes"],
        },
    )
    assert "HMIS admins will review it" in view_text(answer["view"])
    assert stored_states(bed.database) == ["awaiting_approval"], "no training step after it"
    assert "Attested by Hana Lead when filing" in bed.last(bed.admin_channel)

    approved = await bed.press(ADMIN, "Approve", bed.admin_channel)
    assert "with the role Agency Staff (VI-SPDAT Training Pending)" in approved
    await bed.press(ADMIN, "Account created in HMIS", bed.admin_channel)
    ready = bed.last(bed.dm(TRAINEE))
    assert "sign the Electronic End User Agreement that HMIS shows you by" in ready
    assert account_of(bed.database, TRAINEE).access_role_id == PENDING

    logged_in = await bed.press(TRAINEE, "I've logged in")
    assert "active with the role Agency Staff (VI-SPDAT Training Pending) for now" in logged_in
    assert stored_states(bed.database) == ["full_role_training"]
    await bed.press(TRAINEE, "I've completed VI-SPDAT Training")
    assert "Waiting for HMIS admins to set the full role" in bed.last(bed.admin_channel)
    await bed.press(ADMIN, "Full role set in HMIS", bed.admin_channel)
    account = account_of(bed.database, TRAINEE)
    assert (account.status, account.access_role_id) == (AccountStatus.ACTIVE, "agency-staff")
    assert stored_states(bed.database) == ["active"]
    assert [action for action, _ in refused(bed.database)] == ["new_user.open_form"]


async def test_a_deactivation_confirmed_within_48_hours_and_one_escalated(bed: PresetBed) -> None:
    bed.account("lee@heartsandhomes.example.org", "Lee Leaver", "hearts-and-homes", "agency-staff")
    bed.account("max@heartsandhomes.example.org", "Max Mover", "hearts-and-homes", "agency-manager")
    for person in ("lee@heartsandhomes.example.org", "max@heartsandhomes.example.org"):
        view = await bed.open_form(LEAD, "deactivate")
        assert "reason" in view_text(view)
        await bed.submit(LEAD, view, {"person": person, "reason": "left_agency"})
    assert "Lee Leaver" in bed.said(bed.dm(ADMIN))

    bed.slack.clock.advance(hours=20)
    ts = next(
        m["ts"]
        for m in bed.slack.fake.messages_in(bed.dm(ADMIN))
        if "Lee Leaver" in str(m.get("text", ""))
    )
    status, _ = await bed.slack.click(bed.member(ADMIN), bed.dm(ADMIN), ts, "Deactivated in HMIS")
    assert status == 200
    await bed.slack.settle()
    assert account_of(bed.database, "lee@heartsandhomes.example.org").status is (
        AccountStatus.DEACTIVATED
    )

    bed.slack.clock.advance(hours=27, minutes=50)  # 47:50 after filing
    await bed.slack.sweep()
    assert "Overdue" not in bed.said(bed.dm(ADMIN))
    bed.slack.clock.advance(minutes=15)
    await bed.slack.sweep()
    escalation = bed.last(bed.dm(ADMIN))
    assert "Overdue: deactivate Max Mover" in escalation
    assert "48 hours" in escalation
    assert "Lee Leaver" not in escalation
    assert stored_states(bed.database) == ["deactivated", "awaiting_admin"]


async def test_a_role_change_to_data_analysis_needs_its_training_first(bed: PresetBed) -> None:
    staff = "sam.staff@heartsandhomes.example.org"
    bed.account(staff, "Sam Staff", "hearts-and-homes", "agency-staff")
    view = await bed.open_form(LEAD, "role")
    answer = await bed.submit(
        LEAD,
        view,
        {"person": staff, "new_role": "agency-staff-data-analysis", "reason": "Runs reports."},
    )
    assert "will get the training it needs first" in view_text(answer["view"])
    for training in ("SCC Clarity HMIS New User Training", "Data Analysis Training"):
        await bed.press(staff, f"I've completed {training}")
    await bed.press(ADMIN, "Role changed in HMIS", bed.admin_channel)
    assert account_of(bed.database, staff).access_role_id == "agency-staff-data-analysis"
    assert "Agency Staff w/ Data Analysis" in bed.last(bed.dm(staff))
    assert stored_states(bed.database) == ["changed"]


async def test_the_current_lead_names_a_new_one_once_the_mou_and_training_are_done(
    bed: PresetBed,
) -> None:
    valley_lead, vic = "lead@valleyoutreach.example.org", "vic@valleyoutreach.example.org"
    bed.account(vic, "Vic Valley", "valley-outreach", "agency-staff")
    view = await bed.open_form(valley_lead, "lead")
    answers = {"role_update": "no", "meeting_invite": "yes"}
    lapsed = await bed.submit(
        valley_lead, view, {"agency": "valley-outreach", "person": vic, **answers}
    )
    assert "lapsed Thu Oct 1, 2026 (an MOU is current for 365 days)" in lapsed["errors"]["agency"]

    carla = "carla@heartsandhomes.example.org"
    bed.account(carla, "Carla Candidate", "hearts-and-homes", "agency-staff")
    view = await bed.open_form(LEAD, "lead")
    assert "Add them to the Monthly Agency Admin (TA/Agency Lead) meeting invite?" in labels(view)
    answer = await bed.submit(
        LEAD,
        view,
        {
            "agency": "hearts-and-homes",
            "person": carla,
            "replaces": LEAD,
            **answers,
        },
    )
    assert "will get Partner TA/Agency Lead Training first" in view_text(answer["view"])
    await bed.press(carla, "I've completed Partner TA/Agency Lead Training")
    await bed.press(ADMIN, "Lead set in HMIS", bed.admin_channel)
    assert stored_states(bed.database) == ["designated"]

    assert "Only agency leads" in await bed.command(LEAD), "the lead she replaced files no more"
    await bed.open_form(carla)
    bed.slack.clock.advance(days=17)  # Thursday 3 December: a week before the meeting
    await bed.slack.sweep()
    assert "Monthly Agency Admin (TA/Agency Lead) meeting next week" in bed.said(bed.dm(carla))
    assert "meeting next week" not in bed.said(bed.dm(LEAD))


async def test_sixty_days_without_a_login_disable_the_account_and_the_help_desk_reinstates(
    bed: PresetBed,
) -> None:
    idle = "ivy.idle@heartsandhomes.example.org"
    bed.account(idle, "Ivy Idle", "hearts-and-homes", "agency-staff")
    bed.slack.clock.advance(days=59)
    await bed.slack.sweep()
    assert "or your access will be disabled" in bed.said(bed.dm(idle)), "warned at 45 days"
    assert "being disabled" not in bed.said(bed.dm(idle))
    bed.slack.clock.advance(days=1, hours=8)  # Friday 15 January 18:00: the 60th day is over
    await bed.slack.sweep()
    assert "being disabled" not in bed.said(bed.dm(idle)), "after business hours"
    bed.slack.clock.advance(days=3, hours=15)  # held to Tuesday's opening (Monday: MLK Day)
    await bed.slack.deliver()
    assert "Your HMIS access is being disabled" in bed.said(bed.dm(idle))
    await bed.press(ADMIN, "Disabled in HMIS")
    assert account_of(bed.database, idle).status is AccountStatus.DISABLED

    view = await bed.open_form(LEAD, "reinstate")
    await bed.submit(LEAD, view, {"person": idle, "note": "Back from leave."})
    await bed.press(ADMIN, "Re-enabled in HMIS")
    assert account_of(bed.database, idle).status is AccountStatus.PENDING_FIRST_LOGIN
    await bed.press(idle, "I've logged in")
    assert account_of(bed.database, idle).status is AccountStatus.ACTIVE
    assert stored_states(bed.database) == ["reinstated"], "re-enabled only: no trainings first"
