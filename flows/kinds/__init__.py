"""The request kinds the bot runs, one package each. ``DEFAULT_KINDS`` is the registry's list:
adding a kind is one package here and one line there."""

from __future__ import annotations

from flows.kinds.agency_participation.kind import AgencyParticipationKind
from flows.kinds.deactivation.kind import DeactivationKind
from flows.kinds.lead_designation.kind import LeadDesignationKind
from flows.kinds.new_user.kind import NewUserKind
from flows.kinds.role_change.kind import RoleChangeKind
from flows.kinds.security_officer_designation.kind import SecurityOfficerDesignationKind
from flows.kit.registry import AnyKind, Registry

DEFAULT_KINDS: tuple[type[AnyKind], ...] = (
    NewUserKind,
    DeactivationKind,
    RoleChangeKind,
    LeadDesignationKind,
    SecurityOfficerDesignationKind,
    AgencyParticipationKind,
)
"""In help order; the first is what the command alone opens."""


def default_registry() -> Registry:
    return Registry([kind() for kind in DEFAULT_KINDS])
