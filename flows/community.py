"""The community policy: one HMIS community's directory, catalogs and deadlines.

Validated by pydantic so that an operator's YAML mistakes are reported by key; the YAML loading
(and line numbers) lives in ``chatbot.policy``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from flows.community_references import BUILT_IN_POSITIONS, joined, reference_problems
from flows.durations import Duration, DurationField, Unit
from flows.ladder import RE_ENABLE_ONLY, Ladder
from flows.new_user_settings import NewUserSettings
from flows.nudges.policy import Imports, ReminderAudience, ReminderOffsets
from flows.recurrence import check_rrule
from flows.requirements import Before, Requirement, RequirementField, applicable, training_ids

_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _normalize_email(value: str) -> str:
    value = value.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z0-9-]+", value):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value


Email = Annotated[str, AfterValidator(_normalize_email)]
Slug = Annotated[str, Field(pattern=_SLUG)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CoC(Strict):
    id: Slug
    name: str


class DirectoryPerson(Strict):
    email: Email
    name: str


LEAD, SUPERVISOR, SECURITY_OFFICER = BUILT_IN_POSITIONS
DEFAULT_FILERS = (LEAD, SUPERVISOR)
"""Who files requests for an agency's staff unless ``filed_by`` says otherwise."""


class AgencyStatus(StrEnum):
    APPLYING = "applying"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class Agency(Strict):
    id: Slug
    name: str
    coc: str
    status: AgencyStatus
    mou_date: date | None = None
    leads: tuple[Email, ...] = ()
    supervisors: tuple[Email, ...] = ()
    security_officers: tuple[Email, ...] = ()
    positions: dict[Slug, tuple[Email, ...]] = Field(
        default_factory=dict,
        description="other named positions, such as a Coordinated Entry trainer: ce-trainer",
    )
    checklist: tuple[str, ...] = Field(
        default=(),
        description="onboarding_checklist steps the agency has done already; the bot records "
        "the ones HMIS admins tick after that",
    )

    def may_file_requests(self, email: str, by: Collection[str] = DEFAULT_FILERS) -> bool:
        """Whether ``email`` holds one of the positions ``by`` that file requests for the
        agency's staff (its leads and supervisors unless the community says otherwise)."""
        return any(email in self.holding(position) for position in by)

    def holding(self, position: str) -> tuple[str, ...]:
        """Who holds a position (``lead``, ``supervisor``, ``security_officer`` or a named one
        such as ``ce-trainer``), as the directory knows it now."""
        built_in = {
            LEAD: self.leads,
            SUPERVISOR: self.supervisors,
            SECURITY_OFFICER: self.security_officers,
        }
        return built_in.get(position) or self.positions.get(position, ())


class Training(Strict):
    id: Slug
    name: str
    url: str
    description: str = ""
    valid_for: DurationField | None = None


CE_TRAINER = "ce-trainer"
"""The agency position of a Coordinated Entry trainer (King County: at least one per agency)."""


class CoordinatedEntry(Strict):
    """Coordinated Entry assessor access (King County): staff who attended the training named
    here get assessor access, requested by their agency's CE trainer (the agency position
    ``ce-trainer``), until the training's ``valid_for`` runs out."""

    assessor_training: str = Field(
        description="the id, in trainings, of the Assessor's Credential Training"
    )


def _one_or_several(value: object) -> object:
    """``ta-training`` is ``[ta-training]``: one training, or a list of them."""
    return (value,) if isinstance(value, str) else value


PositionTrainings = Annotated[tuple[str, ...], BeforeValidator(_one_or_several)]
"""The trainings every holder of a position completes: one trainings id, or a list of them."""


class ChecklistItem(Strict):
    """One step of an agency's onboarding that HMIS admins tick, such as King County's
    "Partner Agency Privacy Agreement (MOU) signed"."""

    id: Slug
    name: str
    description: str = ""
    records_mou: bool = Field(
        default=False,
        description="true: ticking this step records that day as the agency's mou_date (the "
        "step where the signed MOU comes back); at most one step",
    )


class Question(Strict):
    """A yes/no question the New User Access Request asks, on which a role's requirements may
    depend (``when``): such as "Will this user administer the VI-SPDAT?"."""

    id: Slug
    text: str = Field(max_length=150)


class AccessRole(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Slug
    name: str
    description: str = ""
    requirements: tuple[RequirementField, ...] = Field(
        default=(),
        alias="trainings",
        description="trainings the role needs: an id, {any_of: [ids]}, {training: id, when: "
        "question}, and before: full_role for one needed only for the role itself",
    )
    interim_role: str | None = Field(
        default=None,
        description=(
            "the access role someone holds while this role's trainings are pending, such as "
            "Santa Clara's 'Agency Staff (VI-SPDAT Training Pending)'"
        ),
    )
    selectable: bool = Field(
        default=True, description="false: never offered on forms (an interim role, say)"
    )

    @model_validator(mode="after")
    def _interim_for_full_role(self) -> Self:
        if self.interim_role is None and any(
            r.before is Before.FULL_ROLE for r in self.requirements
        ):
            raise ValueError(
                "a training needed before: full_role needs the role's interim_role, the role "
                "the account holds until it is done"
            )
        return self

    def needs(
        self, answered_yes: Collection[str] = (), before: Before | None = Before.ACCOUNT
    ) -> list[Requirement]:
        """What applies to someone who answered these form questions yes (what is due before
        the account by default; ``before=None``: everything)."""
        return applicable(self.requirements, answered_yes, before)

    @property
    def training_ids(self) -> list[str]:
        """Every training the role names, each once (for links and lists)."""
        return training_ids(self.requirements)


class PlatformChannel(Strict):
    slack: str | None = None
    teams: str | None = Field(default=None, description="a Teams channel's conversation id")


class Channels(Strict):
    admin: PlatformChannel = PlatformChannel()


class Deadlines(Strict):
    staff_verification: DurationField = Duration(5, Unit.BUSINESS_DAYS)
    training: DurationField = Duration(14, Unit.DAYS)
    first_login: DurationField = Duration(24, Unit.HOURS)
    # Nudges (flows/nudges): reminders before each deadline, escalations after it.
    staff_verification_reminders: ReminderOffsets = (Duration(1, Unit.BUSINESS_DAYS),)
    training_reminders: ReminderOffsets = (Duration(2, Unit.DAYS), Duration(0, Unit.DAYS))
    training_grace: DurationField = Duration(3, Unit.DAYS)
    first_login_reminders: ReminderOffsets = (Duration(4, Unit.HOURS),)
    renewal_reminders: ReminderOffsets = (Duration(30, Unit.DAYS), Duration(7, Unit.DAYS))
    inactivity_warning: DurationField = Duration(45, Unit.DAYS)
    inactivity_disable: DurationField = Duration(60, Unit.DAYS)
    # SLAs on admin work: approvals and account creation now; the request kinds for
    # deactivations and role changes will use theirs.
    approval: DurationField = Duration(2, Unit.BUSINESS_DAYS)
    deactivation: DurationField = Duration(48, Unit.HOURS)
    role_change: DurationField = Duration(1, Unit.BUSINESS_DAYS)


class Reminder(Strict):
    """A recurring community event, such as the monthly agency-lead meeting, announced ahead."""

    id: Slug
    title: str
    rrule: Annotated[str, AfterValidator(check_rrule)]
    audience: ReminderAudience
    description: str = Field(
        default="",
        max_length=500,
        description="what to do, for a reminder that is a duty rather than a meeting (such as "
        "a security officer's audit); shown on the reminder",
    )
    notify_before: Annotated[ReminderOffsets, Field(min_length=1)] = (Duration(1, Unit.DAYS),)
    link: str | None = None
    starts: date = Field(
        default=date(2020, 1, 1), description="the series' first day; matters for INTERVAL > 1"
    )


class BusinessHours(Strict):
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValueError("business hours must start before they end")
        return self


def _parse_business_hours(value: object) -> object:
    if isinstance(value, str):
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"'{value}' is not a range such as '08:00-17:00'")
        return {"start": start.strip(), "end": end.strip()}
    return value


DEFAULT_REQUESTER_ROLES = (
    "Supervisor / Program Manager",
    "Agency leadership (Director or above)",
    "Agency Lead / Technical Administrator",
)


class Community(Strict):
    community: str
    timezone: str = "UTC"
    holidays: str | None = Field(default=None, description="country code for public holidays")
    closures: tuple[date, ...] = ()
    business_hours: Annotated[BusinessHours, Field(validate_default=True)] = BusinessHours(
        start=time(8), end=time(17)
    )
    cocs: tuple[CoC, ...]
    admins: tuple[DirectoryPerson, ...]
    people: tuple[DirectoryPerson, ...] = ()
    channels: Channels = Channels()
    agencies: tuple[Agency, ...]
    trainings: tuple[Training, ...] = ()
    access_roles: tuple[AccessRole, ...]
    questions: tuple[Question, ...] = Field(
        default=(), description="yes/no questions the New User Access Request asks"
    )
    new_user: NewUserSettings = Field(
        default=NewUserSettings(),
        description="the New User Access Request's order, fields and staff verification",
    )
    filed_by: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="per request kind, the agency positions that file it (default: lead, "
        "supervisor); such as new_user: [lead]",
    )
    deadlines: Deadlines = Deadlines()
    reminders: tuple[Reminder, ...] = ()
    reinstatement: Ladder = Field(
        default=RE_ENABLE_ONLY,
        description="what a disabled account needs before it is re-enabled, by how long",
    )
    imports: Imports = Imports()
    coordinated_entry: CoordinatedEntry | None = Field(
        default=None,
        description="Coordinated Entry assessors and CE trainers; without it, neither is offered",
    )
    requester_roles: tuple[str, ...] = DEFAULT_REQUESTER_ROLES
    free_mail_domains: tuple[str, ...] = ()
    # Agency leads, security officers and agency participation (request kinds of their own).
    lead_training: PositionTrainings = Field(
        default=(),
        description="the training(s) every agency lead (Technical Administrator) completes, "
        "such as Santa Clara's TA/Agency Lead Training: a trainings id or a list of them",
    )
    security_officer_training: PositionTrainings = Field(
        default=(),
        description="the training(s) every security officer completes: a trainings id or a "
        "list of them",
    )
    security_officer_duties: str | None = Field(
        default=None, description="what a security officer does, shown when one is designated"
    )
    mou_valid_for: DurationField | None = Field(
        default=None,
        description="how long an agency's MOU (mou_date) stays current, such as 365 days",
    )
    mou_current_since: date | None = Field(
        default=None, description="an agency's MOU is current when signed on or after this date"
    )
    onboarding_checklist: tuple[ChecklistItem, ...] = Field(
        default=(),
        description="the steps an applying agency goes through before HMIS approves it; "
        "empty: none",
    )
    privacy: str | None = Field(default=None, description="the privacy statement, at /privacy")
    terms: str | None = Field(default=None, description="the terms of use, at /terms")

    @field_validator("business_hours", mode="before")
    @classmethod
    def _business_hours(cls, value: object) -> object:
        return _parse_business_hours(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (use an IANA name)") from None
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _references_resolve(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Unique ids, agencies' CoCs and roles' trainings, checked on the input so that each
        bad reference is reported at its own key, together with every other mistake."""
        problems = reference_problems(data)
        try:
            community = handler(data)
        except ValidationError as error:
            if not problems:
                raise
            raise joined(cls.__name__, error, problems) from None
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return community

    # Lookups used by the flows -------------------------------------------------------------

    def agency(self, agency_id: str) -> Agency | None:
        return next((a for a in self.agencies if a.id == agency_id), None)

    def coc(self, coc_id: str) -> CoC | None:
        return next((c for c in self.cocs if c.id == coc_id), None)

    def access_role(self, role_id: str) -> AccessRole | None:
        return next((r for r in self.access_roles if r.id == role_id), None)

    def training(self, training_id: str) -> Training | None:
        return next((t for t in self.trainings if t.id == training_id), None)

    def assessor_training(self) -> Training | None:
        """The training Coordinated Entry assessors attend, when the community has them."""
        ce = self.coordinated_entry
        return self.training(ce.assessor_training) if ce is not None else None

    def mou_step(self) -> ChecklistItem | None:
        """The onboarding step whose tick records an agency's MOU date, if any."""
        return next((i for i in self.onboarding_checklist if i.records_mou), None)

    def checklist_item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.onboarding_checklist if i.id == item_id), None)

    def is_admin(self, email: str) -> bool:
        return any(a.email == email for a in self.admins)

    def filers(self, kind: str) -> tuple[str, ...]:
        """The positions that file requests of ``kind`` for their agency's staff."""
        return self.filed_by.get(kind, DEFAULT_FILERS)

    def filer_words(self, kind: str) -> str:
        """``leads or supervisors``: who files requests of ``kind``, for refusals."""
        plurals = {LEAD: "leads", SUPERVISOR: "supervisors", SECURITY_OFFICER: "security officers"}
        words = [plurals.get(p, f"{p.replace('-', ' ')}s") for p in self.filers(kind)]
        return " or ".join(words)

    def agencies_filed_for_by(self, email: str, kind: str) -> list[Agency]:
        """The agencies for which ``email`` files requests of ``kind``."""
        by = self.filers(kind)
        return [a for a in self.agencies if a.may_file_requests(email, by)]

    def agencies_staffed_by(self, email: str) -> list[Agency]:
        """The agencies for which ``email`` files requests of any kind (their home lists)."""
        by = {*DEFAULT_FILERS, *(p for positions in self.filed_by.values() for p in positions)}
        return [a for a in self.agencies if a.may_file_requests(email, by)]

    def selectable_roles(self) -> list[AccessRole]:
        """The access roles forms offer (not interim roles only admins set)."""
        return [r for r in self.access_roles if r.selectable]

    def participating_agencies(self) -> list[Agency]:
        return [a for a in self.agencies if a.status is AgencyStatus.APPROVED]

    def display_name(self, email: str) -> str:
        """The directory's name for a person, or their e-mail when the file does not name them."""
        for person in (*self.admins, *self.people):
            if person.email == email:
                return person.name
        return email
