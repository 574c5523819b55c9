"""The request kinds the bot runs, one package each. ``DEFAULT_KINDS`` is the registry's list:
adding a kind is one package here and one line there."""

from __future__ import annotations

from flows.kinds.agency_access.kind import AgencyAccessKind
from flows.kinds.agency_participation.kind import AgencyParticipationKind
from flows.kinds.ce_assessor.kind import AssessorKind
from flows.kinds.ce_trainer.kind import CeTrainerKind
from flows.kinds.deactivation.kind import DeactivationKind
from flows.kinds.end_agency_access.kind import EndAgencyAccessKind
from flows.kinds.lead_designation.kind import LeadDesignationKind
from flows.kinds.new_user.kind import NewUserKind
from flows.kinds.program.kind import ProgramKind
from flows.kinds.reinstatement.kind import ReinstatementKind
from flows.kinds.role_change.kind import RoleChangeKind
from flows.kinds.security_officer_designation.kind import SecurityOfficerDesignationKind
from flows.kit.registry import AnyKind, Registry

DEFAULT_KINDS: tuple[type[AnyKind], ...] = (
    NewUserKind,
    DeactivationKind,
    RoleChangeKind,
    ReinstatementKind,
    AgencyAccessKind,
    EndAgencyAccessKind,
    ProgramKind,
    CeTrainerKind,
    AssessorKind,
    LeadDesignationKind,
    SecurityOfficerDesignationKind,
    AgencyParticipationKind,
)
"""In help order; the first is what the command alone opens."""


def default_registry() -> Registry:
    return Registry([kind() for kind in DEFAULT_KINDS])
