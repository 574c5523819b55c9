"""San Francisco ONE System's own path with its preset, end to end through signed Slack requests
on SQLite and PostgreSQL: the agency lead's short form after the trainings, the DPH privacy
training or, for VA staff, the VA one, deactivation and role change within one work day (one
deactivation confirmed in time, one escalated by the sweep), and the security officer's duties
as reminders."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.accounts import AccountStatus
from flows.kinds.new_user.form import F, question_field
from tests.e2e.records import account_of, refused, stored_states
from tests.presets.harness import PresetBed, labels, view_text

PRESET = "san-francisco"
LEAD = "lead@missionhouse.example.org"
SUPERVISOR = "sup@missionhouse.example.org"
SECURITY_OFFICER = "so@missionhouse.example.org"
VA_LEAD = "lead@vets.example.org"
ADMIN = "helpdesk@onesf.example.org"
NEW_USER = "nia.new@vets.example.org"
CE = question_field("ce-access-point")


async def test_the_agency_lead_files_the_short_form_after_the_trainings(bed: PresetBed) -> None:
    refusal = await bed.command(SUPERVISOR)
    assert "Only agency leads can request HMIS access" in refusal
    bed.member(NEW_USER, "Nia New")
    view = await bed.open_form(VA_LEAD)
    assert labels(view) == [
        "Agency",
        "New user's full name",
        "New user's work e-mail",
        "Access role",
        "Will this user work at a Coordinated Entry Access Point?",
        "Additional agency access",
        "Trainings",
    ]
    roles = view_text(view)
    assert "DPH Privacy Training or VA Privacy Training" in roles
    assert "Coordinated Entry Access Point Training (if yes to:" in roles

    await bed.submit(
        VA_LEAD,
        view,
        {
            F.AGENCY: "veterans-housing",
            F.TRAINEE_NAME: "Nia New",
            F.TRAINEE_EMAIL: NEW_USER,
            F.ACCESS_ROLE: "agency-staff",
            CE: "yes",
            F.ADDITIONAL_AGENCIES: ["mission-house"],
            F.TRAININGS_DONE: ["yes"],
        },
    )
    card = bed.last(bed.admin_channel)
    assert "DPH Privacy Training or VA Privacy Training" in card
    assert "Coordinated Entry Access Point Training" in card, "the access point's extra training"
    await bed.press(ADMIN, "Approve", bed.admin_channel)
    await bed.press(ADMIN, "Account created in HMIS", bed.admin_channel)
    assert "self-certify that you completed the DPH (or, for VA staff, the VA) privacy" in bed.last(
        bed.dm(NEW_USER)
    )
    await bed.press(NEW_USER, "I've logged in")
    assert stored_states(bed.database) == ["active"]
    assert account_of(bed.database, NEW_USER).access_role_id == "agency-staff"
    assert [action for action, _ in refused(bed.database)] == ["new_user.open_form"]


async def test_the_va_privacy_training_counts_for_a_role_change_escalated_after_a_work_day(
    bed: PresetBed,
) -> None:
    vet = "val.vet@vets.example.org"
    bed.account(vet, "Val Vet", "veterans-housing", "reports-only")
    view = await bed.open_form(VA_LEAD, "role")
    await bed.submit(
        VA_LEAD, view, {"person": vet, "new_role": "agency-staff", "reason": "Enters data now."}
    )
    card = bed.last(bed.dm(vet))
    assert "I've completed DPH Privacy Training" in card
    assert "I've completed VA Privacy Training" in card
    await bed.press(vet, "I've completed Clarity Human Services General Training")
    await bed.press(vet, "I've completed VA Privacy Training")
    assert stored_states(bed.database) == ["awaiting_admin"], "VA privacy met the either-or"
    assert "Role changed in HMIS" in bed.last(bed.admin_channel)

    bed.slack.clock.advance(days=1, hours=6, minutes=50)  # Tuesday 16:50: inside one work day
    await bed.slack.sweep()
    assert "Waiting on HMIS admins" not in bed.said(bed.admin_channel)
    bed.slack.clock.advance(minutes=20)  # the work day has ended: held to the help desk's 5 am
    await bed.slack.sweep()
    assert "Waiting on HMIS admins" not in bed.said(bed.admin_channel)
    bed.slack.clock.advance(hours=12)  # Wednesday 05:10
    await bed.slack.deliver()
    assert "Waiting on HMIS admins: role change #1 for Val Vet" in bed.last(bed.admin_channel)
    await bed.press(ADMIN, "Role changed in HMIS", bed.admin_channel)
    assert account_of(bed.database, vet).access_role_id == "agency-staff"
    assert stored_states(bed.database) == ["changed"]


async def test_deactivations_within_one_work_day_and_one_escalated(bed: PresetBed) -> None:
    bed.account("lee@missionhouse.example.org", "Lee Leaver", "mission-house", "agency-staff")
    bed.account("max@missionhouse.example.org", "Max Mover", "mission-house", "agency-staff")
    refusal = await bed.command(SUPERVISOR, "deactivate")
    assert "Only agency leads" in refusal, refusal
    for person in ("lee@missionhouse.example.org", "max@missionhouse.example.org"):
        view = await bed.open_form(LEAD, "deactivate")
        await bed.submit(LEAD, view, {"person": person, "reason": "left_agency"})

    bed.slack.clock.advance(hours=5)  # Monday 15:00
    ts = next(
        m["ts"]
        for m in bed.slack.fake.messages_in(bed.dm(ADMIN))
        if "Lee Leaver" in str(m.get("text", ""))
    )
    status, _ = await bed.slack.click(bed.member(ADMIN), bed.dm(ADMIN), ts, "Deactivated in HMIS")
    assert status == 200
    await bed.slack.settle()
    lee = account_of(bed.database, "lee@missionhouse.example.org")
    assert lee.status is AccountStatus.DEACTIVATED

    bed.slack.clock.advance(days=1, hours=1, minutes=50)  # Tuesday 16:50, before the close
    await bed.slack.sweep()
    assert "Overdue" not in bed.said(bed.dm(ADMIN))
    bed.slack.clock.advance(minutes=20)  # one work day has ended
    await bed.slack.sweep()
    escalation = bed.last(bed.dm(ADMIN))
    assert "Overdue: deactivate Max Mover" in escalation
    assert "1 business day" in escalation
    assert stored_states(bed.database) == ["deactivated", "awaiting_admin"]


async def test_security_officers_are_reminded_of_their_duties(bed: PresetBed) -> None:
    bed.slack.clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 08:00 in SF
    await bed.slack.sweep()
    for officer in (SECURITY_OFFICER, VA_LEAD):
        said = bed.said(bed.dm(officer))
        assert "Privacy and security check-in" in said
        assert "within 1 business day" in said
    assert "Run your agency's Data Quality Report" in bed.said(bed.dm(LEAD))
    assert "Privacy and security check-in" not in bed.said(bed.dm(LEAD)), "officers only"


async def test_a_lead_names_an_alternate_security_officer_who_is_told_the_duties(
    bed: PresetBed,
) -> None:
    alternate = "ana.alt@missionhouse.example.org"
    bed.account(alternate, "Ana Alternate", "mission-house", "agency-staff")
    view = await bed.open_form(LEAD, "security-officer")
    assert "bi-annual agency audits" in view_text(view), "the form says what the officer does"
    await bed.submit(LEAD, view, {"agency": "mission-house", "person": alternate})
    await bed.press(ADMIN, "Security officer set in HMIS", bed.admin_channel)
    told = bed.said(bed.dm(alternate))
    assert "You are now a security officer" in told
    assert "within 1 business day" in told
    assert stored_states(bed.database) == ["designated"]

    bed.slack.clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 08:00 in SF
    await bed.slack.sweep()
    assert "Privacy and security check-in" in bed.said(bed.dm(alternate)), "the new officer too"
