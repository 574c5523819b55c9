"""The community file's ``imports.users`` and ``imports.trainings``: Clarity's defaults, and
each mapping to an id the file does not define reported at its own line."""

from __future__ import annotations

import pytest

from chatbot.policy import PolicyError, bundled_preset_path, parse_community
from flows.imports.policy import StaffStatus


def test_the_defaults_read_a_clarity_staff_list_and_change_nothing_else() -> None:
    community = parse_community(bundled_preset_path().read_text())
    users = community.imports.users
    assert (users.name, users.email, users.agency, users.access_role, users.status) == (
        ("Full Name",),
        "Email",
        "Primary Agency Name",
        "Primary Access Role",
        "Status",
    )
    assert dict(users.statuses) == {
        "Active": StaffStatus.ACTIVE,
        "Inactive": StaffStatus.DEACTIVATED,
        "Locked": StaffStatus.DISABLED,
    }
    assert (community.imports.trainings.training, community.imports.trainings.trainings) == (
        "Course",
        {},
    )


def test_several_name_columns_and_mappings_are_read() -> None:
    community = parse_community(
        bundled_preset_path().read_text() + "imports:\n"
        "  users:\n"
        "    name: [First Name, Last Name]\n"
        "    statuses: {Enabled: active}\n"
        "    access_roles: {Case Manager: dss}\n"
        "  trainings:\n"
        "    trainings: {HMIS 101: general}\n"
    )
    assert community.imports.users.name == ("First Name", "Last Name")
    assert dict(community.imports.users.statuses) == {"Enabled": StaffStatus.ACTIVE}
    assert dict(community.imports.trainings.trainings) == {"HMIS 101": "general"}


def test_every_unknown_target_is_reported_at_its_line() -> None:
    text = bundled_preset_path().read_text()
    lines = len(text.splitlines())
    with pytest.raises(PolicyError) as caught:
        parse_community(
            text + "imports:\n"
            "  users:\n"
            "    agencies: {River House: river-housee}\n"
            "    access_roles: {Manager: boss}\n"
            "    statuses: {Gone: vanished}\n"
            "  trainings:\n"
            "    trainings: {Privacy: privcy}\n"
        )
    assert [str(p) for p in caught.value.problems] == [
        f"line {lines + 3}: imports.users.agencies.River House: agency 'river-housee' is not in "
        "agencies (river-house, delta-outreach, yolo-food-bank)",
        f"line {lines + 4}: imports.users.access_roles.Manager: access role 'boss' is not in "
        "access_roles (dss, services-only, supervisory, reporting)",
        f"line {lines + 5}: imports.users.statuses.Gone: Input should be 'active', 'disabled' "
        "or 'deactivated'",
        f"line {lines + 7}: imports.trainings.trainings.Privacy: training 'privcy' is not in "
        "trainings (general, privacy)",
    ]
