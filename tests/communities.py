"""The bundled community with King County's Coordinated Entry added: an Assessor's Credential
Training valid for a year, named as the assessor training. The bundled Sacramento/Yolo file
has no Coordinated Entry, so the CE trainer and assessor kinds are tested on this one."""

from __future__ import annotations

from chatbot.policy import bundled_preset_path, parse_community
from flows.community import CE_TRAINER, AccessRole, Community, CoordinatedEntry, Question, Training
from flows.directory import POSITION_PREFIX, Action, AgencyChange
from flows.durations import Duration, Unit
from flows.ports import Ledger
from flows.requirements import Before, Requirement

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


VI_SPDAT = Training(
    id="vi-spdat", name="VI-SPDAT training", url="https://support.example.org/events/vi-spdat"
)
ADMINISTERS_VI_SPDAT = Question(
    id="administers-vi-spdat", text="Will this user administer the VI-SPDAT?"
)
PENDING = AccessRole(
    id="dss-vi-spdat-pending",
    name="Direct Service Staff (VI-SPDAT Training Pending)",
    selectable=False,
)


def with_interim_role(community: Community) -> Community:
    """Santa Clara's rule on the bundled file: Direct Service Staff who will administer the
    VI-SPDAT hold an interim role until they have its training."""
    full_role = Requirement(
        any_of=(VI_SPDAT.id,), when=ADMINISTERS_VI_SPDAT.id, before=Before.FULL_ROLE
    )
    roles = tuple(
        r.model_copy(
            update={"requirements": (*r.requirements, full_role), "interim_role": PENDING.id}
        )
        if r.id == "dss"
        else r
        for r in community.access_roles
    )
    return community.model_copy(
        update={
            "trainings": (*community.trainings, VI_SPDAT),
            "questions": (*community.questions, ADMINISTERS_VI_SPDAT),
            "access_roles": (*roles, PENDING),
        }
    )


def sample_community(community: Community) -> Community:
    """The bundled community with every test-only addition the sample scenarios use, for
    rendering their requests."""
    return with_stages(with_interim_role(with_coordinated_entry(community)))


def with_stages(community: Community) -> Community:
    """``community`` with ``with_staged_training``'s stages, for rendering staged requests
    (its question is left out: other requests' cards would show it unanswered)."""
    return community.model_copy(update={"new_user": with_staged_training().new_user})


STAGED = """
questions:
  - {id: ce-staff, text: "Will this user enter Coordinated Entry data?"}
new_user:
  staged_training:
    stages:
      - id: initial
        name: Initial training steps
        description: Watch the introduction and the Privacy & Security videos.
        trainings: [general, privacy]
        due: 20 business days
        from: start
      - id: workflow-training
        name: Workflow training
        per_workflow: true
        due: 1 month
      - id: practice-case
        name: Practice case
        per_workflow: true
        done_by: admin_review
        due: 5 business days
        corrections: 5 business days
        retrain: workflow-training
        max_attempts: 2
        new_case_after: 20 days
        new_case_from: workflow-training
    workflows:
      - {id: shelter, name: Emergency Shelter}
      - {id: ce, name: Coordinated Entry, when: ce-staff}
    extension: {before: workflow-training, adds: 1 month}
    waivers: true
"""


def with_staged_training() -> Community:
    """Alaska's staged training on the bundled file: initial steps, then per workflow a
    training and a practice case an admin reviews; Coordinated Entry for those answering yes."""
    return parse_community(bundled_preset_path().read_text() + STAGED)
