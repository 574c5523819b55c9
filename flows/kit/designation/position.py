"""What differs between positions an agency designates someone to: the directory list it
changes, the words people read, and any yes/no questions the form asks."""

from __future__ import annotations

from dataclasses import dataclass

from flows.kit.designation.details import DesignationState


@dataclass(frozen=True)
class Position:
    field: str
    """The agency's list in the directory it changes: ``leads``, ``security_officers``."""
    title: str
    """As in a sentence: ``agency lead``."""
    long_title: str
    """The first time it is named: ``agency lead (Technical Administrator)``."""
    set_label: str
    """The admins' button: ``Lead set in HMIS``."""
    additional: str
    """The empty choice of "replaces": an addition, such as an alternate."""
    approvers: str
    """Who approves a change, in plural: ``agency leads``."""
    welcome: str
    """What holding it means, told to the person once it is set."""
    form_title: str
    """The form's title, within Slack's 24 characters: ``Name an agency lead``."""

    @property
    def article(self) -> str:
        return "an" if self.title[:1] in "aeiou" else "a"

    def state_labels(self) -> dict[str, str]:
        return {
            DesignationState.AWAITING_APPROVAL: (
                f"Waiting for one of the agency's {self.approvers} to approve"
            ),
            DesignationState.TRAINING: f"Training for the {self.title} role",
            DesignationState.AWAITING_ADMIN: "Waiting for HMIS admins to set it in HMIS",
            DesignationState.DESIGNATED: f"{self.title[:1].upper()}{self.title[1:]} set in HMIS",
            DesignationState.DECLINED: f"Declined by one of the agency's {self.approvers}",
            DesignationState.DENIED: "Denied",
            DesignationState.WITHDRAWN: "Withdrawn",
            DesignationState.EXPIRED: "Expired: training not finished in time",
        }


@dataclass(frozen=True)
class Question:
    """A yes/no question on the form, recorded with the request and shown to HMIS admins."""

    id: str
    label: str
    """Short, as a fact on the cards."""
    text: str
    """As asked on the form."""
    hint: str = ""
