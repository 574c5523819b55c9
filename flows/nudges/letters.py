"""The fixed messages nudges send: who gets what, worded for them. Pure; rendered per platform
by the adapters like every other card."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import blake2b

from flows.accounts import HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community, Reminder, Training
from flows.model import AccessRequest, RequestState
from flows.new_user.cards import STATE_LABELS, CardRenderer
from flows.nudges.policy import ReminderAudience
from flows.nudges.rules import DueRenewal, NudgeKind
from flows.ui import Card, Fact


class Role:
    """Why someone gets a nudge; part of the outbox audience, so one message per person."""

    ADMINS = "admins"  # the admin channel
    ADMIN = "admin"
    LEAD = "lead"
    SECURITY_OFFICER = "security"
    REQUESTER = "requester"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    ACCOUNT_HOLDER = "holder"


@dataclass(frozen=True)
class Letter:
    """A fixed message for one person, or for the admin channel when ``email`` is None."""

    role: str
    email: str | None
    card: Card


def audience_for(role: str, email: str | None) -> str:
    """The outbox audience of one recipient's message: their role and a digest of their
    e-mail (short, stable, and unique per person, so each gets their own message)."""
    if email is None:
        return role
    return f"{role}.{blake2b(email.encode(), digest_size=6).hexdigest()}"


def one_per_person(letters: Sequence[Letter]) -> list[Letter]:
    """The first letter for each recipient: a supervisor who also filed gets one message."""
    seen: set[str | None] = set()
    unique = []
    for letter in letters:
        if letter.email not in seen:
            seen.add(letter.email)
            unique.append(letter)
    return unique


class NudgeLetters:
    def __init__(self, community: Community, calendar: BusinessCalendar) -> None:
        self._community = community
        self._calendar = calendar
        self.when = CardRenderer(community, calendar).when

    # Requests ---------------------------------------------------------------------------

    def for_request(
        self, kind: NudgeKind, request: AccessRequest, occurrence: datetime
    ) -> list[Letter]:
        letters: dict[NudgeKind, Callable[[AccessRequest, datetime], list[Letter]]] = {
            NudgeKind.VERIFICATION_REMINDER: self._verification_reminder,
            NudgeKind.VERIFICATION_OVERDUE: self._verification_overdue,
            NudgeKind.TRAINING_REMINDER: self._training_reminder,
            NudgeKind.TRAINING_OVERDUE: self._training_overdue,
            NudgeKind.TRAINING_EXPIRED: self._training_expired,
            NudgeKind.ADMIN_SLA: self._admin_sla,
        }
        return one_per_person(letters[kind](request, occurrence))

    def _verification_reminder(self, request: AccessRequest, due: datetime) -> list[Letter]:
        draft = request.draft
        card = Card(
            title=f"Reminder: staff verification for {draft.trainee_name}",
            summary=f"Please confirm the staff verification for {draft.trainee_name} by "
            f"{self.when(due)}.",
            text=(
                f"{self._community.display_name(draft.requester_email)} requested HMIS access "
                f"for {draft.trainee_name} and named you as their supervisor. Please confirm "
                "that they passed your agency's background check, with the button on the staff "
                "verification message. Do not send any background-check details here."
            ),
            facts=(*self._request_facts(request), Fact("Confirm by", self.when(due))),
        )
        return [Letter(Role.SUPERVISOR, draft.supervisor_email, card)]

    def _verification_overdue(self, request: AccessRequest, due: datetime) -> list[Letter]:
        draft = request.draft
        card = Card(
            title=f"Overdue: staff verification for {draft.trainee_name}",
            summary=f"The staff verification for {draft.trainee_name} was due {self.when(due)} "
            "and is not confirmed.",
            text=(
                f"{draft.supervisor_name} <{draft.supervisor_email}> has not confirmed the staff "
                f"verification for request #{request.id}. Please follow up with them; the "
                "request waits until they confirm it or it is withdrawn."
            ),
            facts=(
                *self._request_facts(request),
                Fact("Supervisor", draft.supervisor_name),
                Fact("Was due", self.when(due)),
            ),
        )
        return [
            Letter(Role.REQUESTER, draft.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]

    def _training_reminder(self, request: AccessRequest, due: datetime) -> list[Letter]:
        remaining = self._remaining_trainings(request)
        card = Card(
            title="Reminder: your HMIS training",
            summary=f"Complete your HMIS trainings by {self.when(due)}.",
            text=(
                "Complete these trainings and report each one with the buttons on your HMIS "
                "training message."
            ),
            facts=(
                Fact("Due", self.when(due)),
                *(Fact(t.name, "Not yet reported") for t in remaining),
            ),
            links=tuple((t.name, t.url) for t in remaining),
        )
        return [Letter(Role.TRAINEE, request.draft.trainee_email, card)]

    def _training_overdue(self, request: AccessRequest, due: datetime) -> list[Letter]:
        draft = request.draft
        expires = self._calendar.deadline(due, self._community.deadlines.training_grace)
        card = Card(
            title=f"Overdue: HMIS training for {draft.trainee_name}",
            summary=f"The HMIS training for {draft.trainee_name} was due {self.when(due)}.",
            text=(
                "Not every required training has been reported. The request expires "
                f"{self.when(expires)} unless the remaining trainings are reported before then."
            ),
            facts=(
                *self._request_facts(request),
                Fact("Was due", self.when(due)),
                Fact("Expires", self.when(expires)),
                *(Fact(t.name, "Not yet reported") for t in self._remaining_trainings(request)),
            ),
        )
        return [
            Letter(Role.SUPERVISOR, draft.supervisor_email, card),
            Letter(Role.TRAINEE, draft.trainee_email, card),
        ]

    def _training_expired(self, request: AccessRequest, due: datetime) -> list[Letter]:
        draft = request.draft
        grace = self._community.deadlines.training_grace
        card = Card(
            title=f"Expired: HMIS access request #{request.id} for {draft.trainee_name}",
            summary=f"Request #{request.id} for {draft.trainee_name} expired: the training was "
            "not completed in time.",
            text=(
                f"The required trainings were not all reported by {self.when(due)}, nor within "
                f"the {grace} grace period, so the request is closed. A supervisor or agency "
                "lead can file a new request to start again."
            ),
            facts=self._request_facts(request),
        )
        return [
            Letter(Role.TRAINEE, draft.trainee_email, card),
            Letter(Role.SUPERVISOR, draft.supervisor_email, card),
            Letter(Role.REQUESTER, draft.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]

    def _admin_sla(self, request: AccessRequest, entered: datetime) -> list[Letter]:
        target = self._community.deadlines.approval
        waiting_for = (
            "approval" if request.state is RequestState.AWAITING_APPROVAL else "account creation"
        )
        card = Card(
            title=f"Waiting on HMIS admins: request #{request.id} for {request.draft.trainee_name}",
            summary=f"Request #{request.id} has waited longer than {target} for {waiting_for}.",
            text=(
                f"{STATE_LABELS[request.state]} since {self.when(entered)}; the community's "
                f"target is {target}. Please act on the request's card in this channel."
            ),
            facts=self._request_facts(request),
        )
        return [Letter(Role.ADMINS, None, card)]

    # Accounts ---------------------------------------------------------------------------

    def for_account(
        self, kind: NudgeKind, account: HmisAccount, occurrence: datetime
    ) -> list[Letter]:
        letters: dict[NudgeKind, Callable[[HmisAccount, datetime], list[Letter]]] = {
            NudgeKind.FIRST_LOGIN_REMINDER: self.first_login_reminder,
            NudgeKind.FIRST_LOGIN_MISSED: self.first_login_missed,
            NudgeKind.INACTIVITY_WARNING: self.inactivity_warning,
            NudgeKind.INACTIVITY_DISABLE: self.inactivity_disable,
        }
        return one_per_person(letters[kind](account, occurrence))

    def first_login_reminder(self, account: HmisAccount, due: datetime) -> list[Letter]:
        card = Card(
            title="Reminder: log in to HMIS",
            summary=f"Log in to HMIS by {self.when(due)} to keep your new account.",
            text=(
                "Your HMIS account has been created. HMIS sends your login details directly; "
                "this bot never asks for or handles passwords. Log in and set your password by "
                f"{self.when(due)}, then tell me with the button on the account message."
            ),
        )
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def first_login_missed(self, account: HmisAccount, due: datetime) -> list[Letter]:
        card = Card(
            title=f"Missed first login: {account.name}",
            summary=f"{account.name} ({self._agency_name(account)}) has not logged in to HMIS; "
            f"the first login was due {self.when(due)}.",
            text=(
                "Neither their confirmation nor a login report shows a first login. Please check "
                "that they received their login details from HMIS."
            ),
            facts=self._account_facts(account),
        )
        return [Letter(Role.ADMINS, None, card), *self._leads(account, card)]

    def inactivity_warning(self, account: HmisAccount, last_login: datetime) -> list[Letter]:
        limit = self._community.deadlines.inactivity_disable
        disable_at = self._calendar.deadline(last_login, limit)
        card = Card(
            title="Log in to HMIS to keep your access",
            summary=f"Log in to HMIS by {self.when(disable_at)} or your access will be disabled.",
            text=(
                f"Your last HMIS login on record is {self.when(last_login)}. Accounts without a "
                f"login for {limit} are disabled. Log in by {self.when(disable_at)} to keep "
                "your access."
            ),
        )
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def inactivity_disable(self, account: HmisAccount, last_login: datetime) -> list[Letter]:
        limit = self._community.deadlines.inactivity_disable
        card = Card(
            title="Your HMIS access is being disabled",
            summary=f"Your HMIS access is being disabled: no login since {self.when(last_login)}.",
            text=(
                f"Accounts without a login for {limit} are disabled. To use HMIS again, contact "
                "the HMIS help desk to have your account reinstated."
            ),
        )
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def renewal_reminder(self, due: DueRenewal) -> list[Letter]:
        training = self._community.training(due.training_id)
        if training is None or training.valid_for is None:
            return []
        lapses = self._calendar.deadline(due.reported_at, training.valid_for)
        card = Card(
            title=f"Renew your {training.name}",
            summary=f"Your {training.name} lapses {self.when(lapses)}; retake it before then.",
            text=(
                f"You completed {training.name} on {self.when(due.reported_at)}; it is valid for "
                f"{training.valid_for}. Retake it before it lapses to keep your HMIS access."
            ),
            links=((training.name, training.url),),
        )
        return [Letter(Role.ACCOUNT_HOLDER, due.account.email, card)]

    # Recurring reminders ----------------------------------------------------------------

    def meeting_reminder(self, reminder: Reminder, occurrence: datetime) -> list[Letter]:
        card = Card(
            title=reminder.title,
            summary=f"{reminder.title}: {self.when(occurrence)}",
            facts=(Fact("When", self.when(occurrence)),),
            links=(("Join or RSVP", reminder.link),) if reminder.link else (),
        )
        role = (
            Role.LEAD
            if reminder.audience is ReminderAudience.AGENCY_LEADS
            else Role.SECURITY_OFFICER
        )
        return [Letter(role, email, card) for email in self.audience(reminder.audience)]

    def audience(self, audience: ReminderAudience) -> list[str]:
        """Everyone in that role at a participating agency, once each."""
        agencies = self._community.participating_agencies()
        if audience is ReminderAudience.AGENCY_LEADS:
            emails = {email for agency in agencies for email in agency.leads}
        else:
            emails = {email for agency in agencies for email in agency.security_officers}
        return sorted(emails)

    # Helpers ----------------------------------------------------------------------------

    def _leads(self, account: HmisAccount, card: Card) -> list[Letter]:
        agency = self._community.agency(account.agency_id)
        return [Letter(Role.LEAD, email, card) for email in (agency.leads if agency else ())]

    def _agency_name(self, account: HmisAccount) -> str:
        agency = self._community.agency(account.agency_id)
        return agency.name if agency else account.agency_id

    def _account_facts(self, account: HmisAccount) -> tuple[Fact, ...]:
        return (
            Fact("HMIS user", f"{account.name} <{account.email}>"),
            Fact("Agency", self._agency_name(account)),
        )

    def _request_facts(self, request: AccessRequest) -> tuple[Fact, ...]:
        agency = self._community.agency(request.draft.agency_id)
        return (
            Fact("Request", f"#{request.id}"),
            Fact("New user", f"{request.draft.trainee_name} <{request.draft.trainee_email}>"),
            Fact("Agency", agency.name if agency else request.draft.agency_id),
        )

    def _remaining_trainings(self, request: AccessRequest) -> list[Training]:
        role = self._community.access_role(request.draft.access_role_id)
        trainings = (self._community.training(t) for t in (role.trainings if role else ()))
        return [t for t in trainings if t is not None and request.reported(t.id) is None]
