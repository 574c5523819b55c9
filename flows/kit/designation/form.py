"""The designation form: the agency, the person, whom they replace (if anyone), the kind's
yes/no questions and a note; and reading it back without trusting it.

Who may file: HMIS admins, for any agency; the agency's current holders of the position (and,
for a security officer, its leads), whose filing is their approval; and someone with an HMIS
account at the agency, for themselves, which a current holder then approves. Where nobody at
the agency could approve (a new agency without a lead), only an HMIS admin names the person.
Someone put forward by others holds an HMIS account at the agency, except while the agency is
still onboarding (applying): nobody there has one yet, and King County names its Technical
Administrators, Security Officers and their alternates before any account is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.kit.designation.details import Answer
from flows.kit.forms import Problem, Problems, Reader, check_free_text, check_name, work_email
from flows.ports import FormValues, Ledger
from flows.ui import FieldKind, Form, FormField, Option, Section

if TYPE_CHECKING:
    from flows.kit.designation.kind import DesignationKind

AGENCY = "agency"
PERSON = "person"
PERSON_EMAIL = "person_email"
PERSON_NAME = "person_name"
REPLACES = "replaces"
NOTE = "note"
YES, NO = "yes", "no"
MAX_CHOICES = 100  # Slack's static select shows at most 100 options; the rest are typed


@dataclass(frozen=True)
class Candidate:
    email: str
    name: str
    account: HmisAccount | None
    """Their HMIS account at the agency, when the bot knows it."""


@dataclass(frozen=True)
class Designation:
    """A read and checked form, ready to file."""

    agency: Agency
    candidate: Candidate
    replaces: str
    approvers: tuple[str, ...]
    answers: tuple[Answer, ...]
    note: str


def agencies_for(
    kind: DesignationKind, community: Community, ledger: Ledger, filer: str
) -> list[Agency]:
    """The agencies the person may file this for: every agency for HMIS admins; those where
    they approve such changes; and the agency of their own HMIS account, to put themselves
    forward where someone there can approve it."""
    if community.is_admin(filer):
        return list(community.agencies)
    account = ledger.account_by_email(filer)
    own = account.agency_id if account is not None and account.is_held else None
    return [
        a
        for a in community.agencies
        if filer in kind.approvers_of(a) or (a.id == own and kind.approvers_of(a))
    ]


def designation_form(
    kind: DesignationKind, community: Community, ledger: Ledger, filer: str
) -> Form:
    agencies = agencies_for(kind, community, ledger, filer)
    position = kind.position
    items: list[FormField | Section] = [Section("What happens", kind.explanation(community))]
    duties = kind.duties(community)
    if duties:
        items.append(Section(f"What {position.article} {position.title} does", duties))
    items.append(
        FormField(
            AGENCY,
            "Agency",
            FieldKind.SELECT,
            options=tuple(Option(a.id, a.name) for a in agencies),
            initial=agencies[0].id if len(agencies) == 1 else None,
        )
    )
    items += _person_fields(community, ledger, agencies)
    holders = [(email, a) for a in agencies for email in kind.holders_of(a)]
    if holders:
        items.append(
            FormField(
                REPLACES,
                "Replaces",
                FieldKind.SELECT,
                required=False,
                options=tuple(
                    Option(email, f"{community.display_name(email)} ({agency.name})")
                    for email, agency in holders
                ),
                hint=f"Their designation ends. Leave it empty to add {position.additional}.",
            )
        )
    items += [
        FormField(
            q.id,
            q.text,
            FieldKind.YES_NO,
            options=(Option(YES, "Yes"), Option(NO, "No")),
            hint=q.hint,
        )
        for q in kind.questions(community)
    ]
    items.append(
        FormField(
            NOTE,
            "Anything HMIS should know",
            FieldKind.LONG_TEXT,
            required=False,
            hint="Optional. Nothing about clients.",
        )
    )
    return Form(
        id=kind.form_id, title=position.form_title, submit_label="Ask HMIS", items=tuple(items)
    )


def _person_fields(community: Community, ledger: Ledger, agencies: list[Agency]) -> list[FormField]:
    """The agencies' HMIS accounts to pick from, or a work e-mail and name to type."""
    accounts = ledger.accounts_of([a.id for a in agencies], MAX_CHOICES)
    names = {a.id: a.name for a in agencies}
    fields = []
    if accounts:
        fields.append(
            FormField(
                PERSON,
                "Person",
                FieldKind.SELECT,
                required=False,
                options=tuple(
                    Option(a.email, f"{a.name} ({names.get(a.agency_id, a.agency_id)})")
                    for a in accounts
                ),
            )
        )
    return [
        *fields,
        FormField(
            PERSON_EMAIL,
            "Or their work e-mail",
            FieldKind.EMAIL,
            required=False,
            hint="For someone not in the list.",
        ),
        FormField(PERSON_NAME, "Their full name", FieldKind.TEXT, required=False),
    ]


class DesignationReader:
    """Reads and checks a submitted designation form, each problem next to its field."""

    def __init__(
        self,
        kind: DesignationKind,
        community: Community,
        ledger: Ledger,
        filer: str,
        this_year: int,
    ) -> None:
        self.kind = kind
        self.community = community
        self.ledger = ledger
        self.filer = filer
        self.this_year = this_year
        self.problems: Problems = {}

    def read(self, values: FormValues) -> Designation | None:
        reader = Reader(values)
        agency = self._agency(reader)
        candidate = self._candidate(reader, agency)
        answers = self._answers(reader)
        note = check_free_text(reader, NOTE, self.problems, self.this_year)
        if agency is None or candidate is None:
            return None
        replaces = self._replaces(reader, agency)
        if self.problems:
            return None
        approvers = self._approvers(agency, candidate)
        return Designation(agency, candidate, replaces, approvers, answers, note)

    def _agency(self, reader: Reader) -> Agency | None:
        agency_id = reader.text(AGENCY)
        allowed = {
            a.id: a for a in agencies_for(self.kind, self.community, self.ledger, self.filer)
        }
        agency = allowed.get(agency_id)
        if agency is None:
            message = "Pick the agency from the list."
            self.problems[AGENCY] = Problem(
                "missing" if not agency_id else "not_authorized", message
            )
        return agency

    def _candidate(self, reader: Reader, agency: Agency | None) -> Candidate | None:
        picked, typed = reader.text(PERSON), reader.text(PERSON_EMAIL)
        field = PERSON if picked else PERSON_EMAIL
        if picked and typed:
            self.problems[PERSON_EMAIL] = Problem(
                "invalid", "Pick the person from the list or type their e-mail, not both."
            )
            return None
        if not (picked or typed):
            self.problems[PERSON] = Problem(
                "missing", "Pick the person, or type their work e-mail below."
            )
            return None
        email = work_email(picked or typed, self.community, field, self.problems)
        if email is None or agency is None:
            return None
        check_name(reader, PERSON_NAME, self.problems)
        account = self.ledger.account_by_email(email)
        here = account if account is not None and account.is_held else None
        if here is not None and here.agency_id != agency.id:
            here = None
        name = here.name if here else reader.text(PERSON_NAME) or self._known_name(email)
        candidate = Candidate(email, name, here)
        problem = self._who_may(agency, candidate)
        if problem is not None:
            self.problems[field] = problem
            return None
        return candidate

    def _known_name(self, email: str) -> str:
        """The directory's name, else the one their chat profile showed (someone named during
        onboarding has no HMIS account to take it from), else the e-mail."""
        listed = self.community.display_name(email)
        return listed if listed != email else self.ledger.person_name(email) or email

    def _who_may(self, agency: Agency, candidate: Candidate) -> Problem | None:
        """Why this filer may not put this person forward for this agency, if so."""
        position, kind = self.kind.position, self.kind
        if candidate.email in kind.holders_of(agency):
            return Problem(
                "already",
                f"{candidate.name} is already {position.article} {position.title} "
                f"of {agency.name}.",
            )
        approvers = [e for e in kind.approvers_of(agency) if e != candidate.email]
        admin = self.community.is_admin(self.filer)
        if not approvers:
            if admin:
                return None
            return Problem(
                "no_approver",
                f"Nobody at {agency.name} can approve this yet, so HMIS admins name its first "
                f"{position.title}. Ask the HMIS help desk.",
            )
        if candidate.account is None and agency.status is not AgencyStatus.APPLYING:
            return Problem(
                "no_account",
                f"The bot knows no HMIS account of {candidate.name}'s at {agency.name}; "
                f"{position.article} {position.title} must be an HMIS user of the agency. "
                "Request their access first.",
            )
        if admin or self.filer in approvers or self.filer == candidate.email:
            return None
        return Problem(
            "not_authorized",
            f"Only {agency.name}'s current {position.approvers}, or HMIS admins, can put "
            "someone else forward; you may put yourself forward.",
        )

    def _replaces(self, reader: Reader, agency: Agency) -> str:
        email = reader.text(REPLACES).lower()
        if email and email not in self.kind.holders_of(agency):
            self.problems[REPLACES] = Problem(
                "invalid",
                f"{self.community.display_name(email)} is not {self.kind.position.article} "
                f"{self.kind.position.title} of {agency.name}.",
            )
            return ""
        return email

    def _approvers(self, agency: Agency, candidate: Candidate) -> tuple[str, ...]:
        """Who must approve: the agency's approvers but the candidate, unless the filer is
        one of them (their filing is the approval)."""
        approvers = tuple(e for e in self.kind.approvers_of(agency) if e != candidate.email)
        return () if self.filer in approvers else approvers

    def _answers(self, reader: Reader) -> tuple[Answer, ...]:
        answers = []
        for question in self.kind.questions(self.community):
            text = reader.text(question.id)
            if text not in (YES, NO):
                code = "missing" if not text else "invalid"
                self.problems[question.id] = Problem(code, "Answer yes or no.")
                continue
            answers.append(Answer(id=question.id, question=question.label, yes=text == YES))
        return tuple(answers)
