"""The role-change form: who, which access role, why; a staff member's own, without the who."""

from __future__ import annotations

from flows.accounts import HmisAccount
from flows.community import AccessRole, Community
from flows.kinds.role_change.details import NAME
from flows.kit.forms import Problem, Problems, Reader
from flows.kit.people import person_fields
from flows.ports import Ledger
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "role_change_request"
NEW_ROLE = "new_role"
REASON = "reason"


def role_change_form(
    community: Community, ledger: Ledger, filer: str, account: HmisAccount | None
) -> Form:
    return Form(
        id=FORM_ID,
        title="Change an access role",
        submit_label="Ask HMIS",
        items=(
            _roles(community),
            *person_fields(community, ledger, filer, account, NAME),
            _new_role(community),
            FormField(
                REASON,
                "Why",
                FieldKind.LONG_TEXT,
                hint="What changed in their job. Nothing about clients.",
            ),
        ),
    )


def staff_role_change_form(community: Community, account: HmisAccount, endorsers: str) -> Form:
    """The same form for a staff member asking for their own role: no person to pick, and it
    goes to their agency's leads first."""
    current = community.access_role(account.access_role_id)
    return Form(
        id=FORM_ID,
        title="Ask for a new role",
        submit_label="Ask my agency",
        items=(
            Section(
                "Your request goes to your agency first",
                f"Your HMIS access role is {current.name if current else 'not on record'}. "
                f"{endorsers} will be asked to endorse this request; once endorsed, it goes "
                "to HMIS like any request from your agency.",
            ),
            _roles(community),
            _new_role(community),
            FormField(
                REASON,
                "Why",
                FieldKind.LONG_TEXT,
                hint="What changed in your job. Nothing about clients.",
            ),
        ),
    )


def _roles(community: Community) -> Section:
    return Section(
        "Access roles",
        "\n".join(f"{r.name}: {r.description}" for r in community.access_roles if r.description),
    )


def _new_role(community: Community) -> FormField:
    return FormField(
        NEW_ROLE,
        "New access role",
        FieldKind.SELECT,
        options=tuple(Option(r.id, r.name, r.description) for r in community.access_roles),
    )


def read_role(
    reader: Reader, community: Community, current: str, problems: Problems, they: str = "They"
) -> AccessRole | None:
    role_id = reader.text(NEW_ROLE)
    role = community.access_role(role_id)
    if role is None:
        problems[NEW_ROLE] = Problem(
            "missing" if not role_id else "unknown_role", "Pick the new role from the list."
        )
        return None
    if role.id == current:
        problems[NEW_ROLE] = Problem("invalid", f"{they} already have {role.name}.")
        return None
    return role
