"""What a new user's trainings are: the access role's requirements that apply to them (by their
answers to the form's questions), those due before the account first, then, where the role has
an interim role, those due before the full role."""

from __future__ import annotations

from collections.abc import Collection

from flows.community import Community
from flows.kinds.new_user.details import NewUserDetails, NewUserRequest
from flows.requirements import Before, Requirement, unmet


def before_account(community: Community, details: NewUserDetails) -> list[Requirement]:
    role = community.access_role(details.access_role_id)
    return role.needs(details.answered_yes, Before.ACCOUNT) if role else []


def for_full_role(community: Community, details: NewUserDetails) -> list[Requirement]:
    role = community.access_role(details.access_role_id)
    return role.needs(details.answered_yes, Before.FULL_ROLE) if role else []


def current(community: Community, request: NewUserRequest) -> list[Requirement]:
    """What the request chases now: the full role's trainings once the account holds the
    interim role, else the account's."""
    if request.details.interim_role_id:
        return for_full_role(community, request.details)
    return before_account(community, request.details)


def interim_role(
    community: Community, details: NewUserDetails, done: Collection[str]
) -> str | None:
    """The role to create the account with when the full role's trainings are not all done
    (``done``: the trainings reported or completed), else None: the role itself."""
    role = community.access_role(details.access_role_id)
    if role is None or role.interim_role is None:
        return None
    return role.interim_role if unmet(for_full_role(community, details), done) else None
