"""The bundled community with agency leads, security officers and agency onboarding switched
on, as Santa Clara and King County have them, for the designation and onboarding tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.community import Agency, ChecklistItem, Community, Training
from flows.durations import Duration, Unit

TESS = "tess@riverhouse.example.org"
KIM = "kim@riverhouse.example.org"
NOAH = "noah@riverhouse.example.org"
OLGA = "olga@riverhouse.example.org"
YURI = "yuri@yolofoodbank.example.org"
DELTA = "delta-outreach"

CHECKLIST = (
    ChecklistItem(id="mou", name="Partner Agency Privacy Agreement (MOU) signed"),
    ChecklistItem(
        id="ta-so", name="Technical Administrator and Security Officer named, trainings done"
    ),
    ChecklistItem(id="call", name="Onboarding welcome call held"),
    ChecklistItem(id="programs", name="Programs requested"),
)
DUTIES = (
    "Make sure your users complete the privacy training; coordinate the twice-yearly agency "
    "audits with HMIS; tell HMIS at once of any possible misuse of data, breach, or other "
    "privacy or security concern."
)
LEAD_TRAINING = Training(
    id="ta-training",
    name="Technical Administrator/Agency Lead Training",
    url="https://training.example.org/agency-lead",
)
SO_TRAINING = Training(
    id="so-training",
    name="Security Officer Training",
    url="https://training.example.org/security-officer",
)
MOU_SIGNED = {"river-house": date(2026, 7, 1), "yolo-food-bank": date(2025, 3, 1)}
"""River House's MOU is current (365 days from July 2026); Yolo Food Bank's has lapsed."""


def with_designations(community: Community, **keys: Any) -> Community:
    """The bundled community using its own trainings for both positions (so that cards render
    with the bundled file too), plus ``keys``."""
    settings = {"lead_training": ("general",), "security_officer_training": ("privacy",)} | keys
    return community.model_copy(update=settings)


def king_county_style(community: Community) -> Community:
    """Position trainings of their own, the duties, an MOU current for 365 days, and the
    onboarding checklist of the issue."""
    agencies = tuple(_with_mou(a) for a in community.agencies)
    return community.model_copy(
        update={
            "trainings": (*community.trainings, LEAD_TRAINING, SO_TRAINING),
            "lead_training": (LEAD_TRAINING.id,),
            "security_officer_training": (SO_TRAINING.id,),
            "security_officer_duties": DUTIES,
            "mou_valid_for": Duration(365, Unit.DAYS),
            "onboarding_checklist": CHECKLIST,
            "agencies": agencies,
        }
    )


def _with_mou(agency: Agency) -> Agency:
    return agency.model_copy(update={"mou_date": MOU_SIGNED.get(agency.id)})
