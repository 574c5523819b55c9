"""``hmis-bot demo``: the whole New User Access Request, narrated, on the bundled community."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from flows.kinds.new_user.form import F

LEAD = "lead@riverhouse.example.org"
SUPERVISOR = "sup@riverhouse.example.org"
TRAINEE = "jane.doe@riverhouse.example.org"
ADMIN = "helpdesk@hmis.example.org"
SECOND_ADMIN = "admin2@hmis.example.org"

ANSWERS: dict[str, str | list[str] | None] = {
    F.REQUESTER_ROLE: "Agency Lead / Technical Administrator",
    F.DIRECTLY_SUPERVISES: "no",
    F.SUPERVISOR_NAME: "Sam Supervisor",
    F.SUPERVISOR_EMAIL: SUPERVISOR,
    F.AGENCY: "river-house",
    F.COC: "sac",
    F.TRAINEE_NAME: "Jane Doe",
    F.TRAINEE_EMAIL: TRAINEE,
    F.ACCESS_ROLE: "dss",
    F.MONITORS_CONTRACTS: "no",
    F.ADDITIONAL_AGENCIES: ["yolo-food-bank"],
    F.BACKGROUND_CHECK: [],
}


async def play_demo(session: ConsoleSession) -> None:
    say = session.write
    say("\n>>> Rosa, the agency lead at River House Shelter, asks the bot for the form.")
    form = await session.open_form(LEAD)
    assert form is not None
    say("\n>>> She first tries a personal Gmail address for the new hire...")
    await session.submit(LEAD, form, ANSWERS | {F.TRAINEE_EMAIL: "jane.doe@gmail.com"})
    say("\n>>> ...fixes it, and submits. Admins, Rosa and the supervisor get cards.")
    await session.submit(LEAD, form, ANSWERS)
    say("\n>>> Sam, the direct supervisor, confirms the background check.")
    await session.press(SUPERVISOR, "Confirm background check passed")
    say("\n>>> Jane completes and reports her trainings.")
    await session.press(TRAINEE, "I've completed Clarity General Training")
    await session.press(TRAINEE, "I've completed Privacy & Security Training")
    say("\n>>> Rosa tries to press Approve on the admin card; she is not an HMIS admin.")
    approve = await session.find_button(ADMIN, "Approve")
    assert approve is not None
    await session.click(LEAD, approve)
    say("\n>>> The help desk approves.")
    await session.press(ADMIN, "Approve")
    say("\n>>> A second admin creates the account in HMIS and confirms it here.")
    await session.press(SECOND_ADMIN, "Account created in HMIS")
    say("\n>>> Jane logs in to HMIS with the credentials HMIS sent her, and says so.")
    await session.press(TRAINEE, "I've logged in")
    say("\n>>> Done. Every step is in the audit log, printed below as `hmis-bot audit export`")
    say(">>> prints it (this demo's database is thrown away when it ends).")
