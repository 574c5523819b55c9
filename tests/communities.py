"""The bundled community with King County's Coordinated Entry added: an Assessor's Credential
Training valid for a year, named as the assessor training. The bundled Sacramento/Yolo file
has no Coordinated Entry, so the CE trainer and assessor kinds are tested on this one."""

from __future__ import annotations

from flows.community import CE_TRAINER, Community, CoordinatedEntry, Training
from flows.directory import POSITION_PREFIX, Action, AgencyChange
from flows.durations import Duration, Unit
from flows.ports import Ledger

ACT = Training(
    id="act",
    name="Assessor's Credential Training",
    url="https://support.example.org/events/act",
    valid_for=Duration(365, Unit.DAYS),
)


def with_coordinated_entry(community: Community) -> Community:
    return community.model_copy(
        update={
            "trainings": (*community.trainings, ACT),
            "coordinated_entry": CoordinatedEntry(assessor_training=ACT.id),
        }
    )


def name_ce_trainer(ledger: Ledger, agency_id: str, email: str) -> None:
    """Record a CE trainer as the bot does once the admins confirm one."""
    field = f"{POSITION_PREFIX}{CE_TRAINER}"
    ledger.record_agency_change(AgencyChange(agency_id, field, Action.ADD, email))
