"""The role-change form: who, which access role, why."""

from __future__ import annotations

from flows.accounts import HmisAccount
from flows.community import AccessRole, Community
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
            Section(
                "Access roles",
                "\n".join(
                    f"{r.name}: {r.description}" for r in community.access_roles if r.description
                ),
            ),
            *person_fields(community, ledger, filer, account),
            FormField(
                NEW_ROLE,
                "New access role",
                FieldKind.SELECT,
                options=tuple(Option(r.id, r.name, r.description) for r in community.access_roles),
            ),
            FormField(
                REASON,
                "Why",
                FieldKind.LONG_TEXT,
                hint="What changed in their job. Nothing about clients.",
            ),
        ),
    )


def read_role(
    reader: Reader, community: Community, current: str, problems: Problems
) -> AccessRole | None:
    role_id = reader.text(NEW_ROLE)
    role = community.access_role(role_id)
    if role is None:
        problems[NEW_ROLE] = Problem(
            "missing" if not role_id else "unknown_role", "Pick the new role from the list."
        )
        return None
    if role.id == current:
        problems[NEW_ROLE] = Problem("invalid", f"They already have {role.name}.")
        return None
    return role
