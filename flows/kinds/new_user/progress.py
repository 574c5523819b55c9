"""Where a New User Access Request stands, in a sentence for each audience: what previews,
notifications and status lists show (a card's summary) and what its text explains. Every
state has its own words, so a closed request never reads as a to-do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flows.kinds.new_user.details import NewUserRequest, NewUserState
from flows.kinds.new_user.stage_cards import StageCards

CLOSED = frozenset({NewUserState.DENIED, NewUserState.WITHDRAWN, NewUserState.EXPIRED})


@dataclass(frozen=True)
class Progress:
    """Sentences about one request; ``name`` and ``when`` come from the card renderer."""

    request: NewUserRequest
    name: Callable[[str], str]
    when: Callable[[datetime | None], str]
    stages: StageCards

    @property
    def number(self) -> str:
        return f"request #{self.request.id}"

    @property
    def requester(self) -> str:
        return self.name(self.request.requester_email)

    @property
    def supervisor(self) -> str:
        return self.name(self.request.details.supervisor_email)

    @property
    def decider(self) -> str:
        decided_by = self.request.decided_by
        return self.name(decided_by) if decided_by else "HMIS"

    @property
    def stage(self) -> str:
        """The current training stage, by name (and workflow)."""
        found = self.stages.current(self.request)
        return found[1] if found else "the training stage"

    @property
    def stage_due(self) -> str:
        progress = self.request.details.stages
        return self.when(progress.due if progress else None)

    def _stage_text(self, asked: str) -> str:
        found = self.stages.current(self.request)
        what = found[0].description if found else ""
        then = (
            "submit it for HMIS review with the button below"
            if found and found[0].reviewed
            else "report it with the button below"
        )
        parts = (
            asked,
            "Your HMIS training goes in stages, each with its own deadline.",
            f"Now: {self.stage}, due {self.stage_due}.",
            what,
            f"When it is done, {then}.",
        )
        return " ".join(p for p in parts if p)

    def overview(self) -> str:
        """Where the request stands, for the admins and the requester."""
        r, details = self.request, self.request.details
        sentences: dict[str, str] = {
            NewUserState.STAGED: f"training stage {self.stage} in progress, due {self.stage_due}",
            NewUserState.STAGE_REVIEW: f"{self.stage} submitted; waiting for HMIS review",
            NewUserState.SUBMITTED: "submitted",
            NewUserState.AWAITING_VERIFICATION: (
                f"waiting for {self.supervisor} to confirm the staff verification "
                f"(due {self.when(details.verification_due)})"
            ),
            NewUserState.TRAINING: f"training in progress, due {self.when(details.training_due)}",
            NewUserState.AWAITING_APPROVAL: self._before_approval(),
            NewUserState.APPROVED: (
                f"approved by {self.decider}; waiting for the account to be created in HMIS"
            ),
            NewUserState.ACCOUNT_CREATED: (
                f"account created; waiting for {r.subject_name}'s first login"
            ),
            NewUserState.FULL_ROLE_TRAINING: (
                "the account is active with an interim role; the full role's trainings are due "
                f"{self.when(details.training_due)}"
            ),
            NewUserState.AWAITING_FULL_ROLE: (
                "the full role's trainings are reported; waiting for HMIS admins to set it"
            ),
            NewUserState.ACTIVE: "done; the HMIS account is active",
        }
        return sentences.get(r.state) or self.closed()

    def _before_approval(self) -> str:
        details = self.request.details
        if details.trained_first:
            return "trainings attested; waiting for HMIS admin approval"
        if details.stages is not None:
            return "every training stage is done; waiting for HMIS admin approval"
        if details.training_due is not None:
            return "trainings reported; waiting for HMIS admin approval"
        return "waiting for HMIS admin approval"

    def closed(self) -> str:
        """How a closed request ended, as a clause: ``withdrawn by Rosa Lead on ...``."""
        r = self.request
        if r.state == NewUserState.DENIED:
            return f"denied by {self.decider} on {self.when(r.decided_at)}"
        if r.state == NewUserState.WITHDRAWN:
            return f"withdrawn by {self.decider} on {self.when(r.decided_at)}"
        return (
            f"expired on {self.when(r.state_entered_at)} (the trainings were not all "
            f"reported by {self.when(r.details.training_due)})"
        )

    # The supervisor -------------------------------------------------------------------------

    def supervisor_summary(self) -> str:
        r, details = self.request, self.request.details
        about = f"the staff verification for {r.subject_name} ({self.number})"
        if r.state == NewUserState.AWAITING_VERIFICATION:
            return f"Please confirm {about} by {self.when(details.verification_due)}."
        if details.verified_by:
            return f"You confirmed {about}. Request status: {self.overview()}."
        return f"No need to confirm {about}: the request was {self.closed()}."

    def supervisor_text(self) -> str:
        r, details = self.request, self.request.details
        asked = (
            f"{self.requester} requested HMIS access for {r.subject_name} and named you as "
            "their supervisor."
        )
        if r.state == NewUserState.AWAITING_VERIFICATION:
            return (
                f"{asked} Please confirm the Staff Verification: that this staff member passed "
                "your agency's background check. Do not send any background-check details here."
            )
        if details.verified_by:
            then = (
                f"The request was later {self.closed()}."
                if r.state in CLOSED
                else "Nothing more is needed from you."
            )
            return (
                f"{asked} You confirmed the staff verification on "
                f"{self.when(details.verified_at)}. {then}"
            )
        return f"{asked} The request was {self.closed()}, so there is nothing to confirm."

    # The new user ---------------------------------------------------------------------------

    def trainee_summary(self) -> str:
        r, details = self.request, self.request.details
        yours = f"Your HMIS access {self.number}"
        sentences: dict[str, str] = {
            NewUserState.STAGED: f"Complete {self.stage} by {self.stage_due} ({self.number}).",
            NewUserState.STAGE_REVIEW: (
                f"Your {self.stage} is submitted; HMIS is reviewing it ({self.number})."
            ),
            NewUserState.SUBMITTED: f"{yours} waits for the staff verification.",
            NewUserState.AWAITING_VERIFICATION: f"{yours} waits for the staff verification.",
            NewUserState.TRAINING: (
                f"Complete your HMIS trainings by {self.when(details.training_due)} "
                f"({self.number})."
            ),
            NewUserState.AWAITING_APPROVAL: (
                f"All trainings reported; HMIS is reviewing {self.number}."
            ),
            NewUserState.FULL_ROLE_TRAINING: (
                f"Complete the trainings for your full HMIS role by "
                f"{self.when(details.training_due)} ({self.number})."
            ),
            NewUserState.AWAITING_FULL_ROLE: (
                f"All trainings reported; HMIS is setting your full role ({self.number})."
            ),
            NewUserState.APPROVED: f"{yours} is approved; HMIS is creating your account.",
            NewUserState.ACCOUNT_CREATED: (
                f"{yours} is approved and your account is created; log in by "
                f"{self.when(details.first_login_due)}."
            ),
            NewUserState.ACTIVE: f"{yours} is complete; your HMIS account is active.",
            NewUserState.DENIED: f"{yours} was denied.",
            NewUserState.WITHDRAWN: f"{yours} was withdrawn; no training is needed now.",
            NewUserState.EXPIRED: f"{yours} expired: the trainings were not all reported in time.",
        }
        return sentences[r.state]

    def trainee_text(self, role: str) -> str:
        r, details = self.request, self.request.details
        asked = f"{self.requester} requested HMIS access for you as {role}."
        again = (
            "If you still need HMIS access, ask your supervisor or agency lead to file a new "
            "request."
        )
        sentences: dict[str, str] = {
            NewUserState.STAGED: self._stage_text(asked),
            NewUserState.STAGE_REVIEW: (
                f"{asked} Thank you: your {self.stage} is submitted. HMIS will review it and "
                "tell you here whether it is accepted or needs more work."
            ),
            NewUserState.SUBMITTED: f"{asked} Your trainings will be listed here soon.",
            NewUserState.AWAITING_VERIFICATION: (
                f"{asked} Your trainings will be listed here once {self.supervisor} confirms "
                "the staff verification."
            ),
            NewUserState.TRAINING: (
                f"{asked} Complete these trainings by {self.when(details.training_due)} and "
                "report each one with its button when done."
            ),
            NewUserState.AWAITING_APPROVAL: (
                f"{asked} Thank you: every training is reported. HMIS admins will review the "
                "request and create your account; this bot will tell you when it is ready."
            ),
            NewUserState.APPROVED: (
                f"{asked} HMIS approved it and is creating your account; this bot will tell you "
                "when it is ready."
            ),
            NewUserState.ACCOUNT_CREATED: (
                f"{asked} Your trainings are done and your account is created: see the message "
                "about your HMIS account."
            ),
            NewUserState.FULL_ROLE_TRAINING: (
                f"{asked} Your account is active with an interim role until you complete these "
                f"trainings: complete them by {self.when(details.training_due)} and report each "
                "one with its button when done."
            ),
            NewUserState.AWAITING_FULL_ROLE: (
                f"{asked} Thank you: every training is reported. HMIS admins will give your "
                "account its full role; this bot will tell you when it is done."
            ),
            NewUserState.ACTIVE: f"{asked} Your trainings are done and your account is active.",
            NewUserState.DENIED: (
                f"{asked} HMIS denied it on {self.when(r.decided_at)}; {self.requester}, who "
                f"filed it, has the reason. {again}"
            ),
            NewUserState.WITHDRAWN: (
                f"{asked} {self.decider} withdrew it on {self.when(r.decided_at)}. {again}"
            ),
            NewUserState.EXPIRED: (
                f"{asked} The trainings were not all reported by "
                f"{self.when(details.training_due)}, so the request expired. {again}"
            ),
        }
        return sentences[r.state]
