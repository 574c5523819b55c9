"""How a community runs its New User Access Request, under ``new_user:`` in the community file:
whether trainings come before the request or after it, which of the form's optional questions
it asks, and how the staff member's background check is vouched for."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.training_stages import TrainingStages


class TrainingOrder(StrEnum):
    REQUEST_THEN_TRAIN = "request_then_train"
    """The request is filed, then the new user trains (Sacramento/Yolo, Alaska)."""
    TRAIN_THEN_REQUEST = "train_then_request"
    """The new user trains first; the filer attests it when asking for the account (Santa
    Clara, San Francisco, King County)."""


class StaffVerification(StrEnum):
    SUPERVISOR_CONFIRMS = "supervisor_confirms"
    """A supervisor who does not file and attest it themselves confirms the background check."""
    FILER_ATTESTS = "filer_attests"
    """The filer attests the background check on the form; nobody is asked afterwards."""
    NONE = "none"
    """The community's process has no background check step."""


class FieldUse(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    HIDDEN = "hidden"


class NewUserFields(BaseModel):
    """The form's questions a community may ask or leave out; the agency, the new user's name
    and work e-mail and the access role are always asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requester_role: FieldUse = FieldUse.REQUIRED
    directly_supervises: FieldUse = FieldUse.REQUIRED
    supervisor: FieldUse = Field(
        default=FieldUse.OPTIONAL,
        description="required anyway when the filer does not directly supervise the new user",
    )
    coc: FieldUse = Field(
        default=FieldUse.REQUIRED, description="hidden: the agency's own CoC is used"
    )
    monitors_contracts: FieldUse = FieldUse.REQUIRED
    additional_agencies: FieldUse = FieldUse.OPTIONAL

    def asks(self, field: str) -> bool:
        use: FieldUse = getattr(self, field)
        return use is not FieldUse.HIDDEN

    def requires(self, field: str) -> bool:
        use: FieldUse = getattr(self, field)
        return use is FieldUse.REQUIRED


class NewUserSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order: TrainingOrder = TrainingOrder.REQUEST_THEN_TRAIN
    fields: NewUserFields = NewUserFields()
    staff_verification: StaffVerification = StaffVerification.SUPERVISOR_CONFIRMS
    first_login: str | None = Field(
        default=None,
        max_length=300,
        description="what the new user does at first login, on their account card (such as "
        "signing the end-user agreement); by default: log in and set the password",
    )
    staged_training: TrainingStages | None = Field(
        default=None,
        description="staged training with per-stage deadlines and admin review, taken instead "
        "of the access role's trainings before the account (request_then_train only)",
    )

    @field_validator("first_login")
    @classmethod
    def _one_instruction(cls, value: str | None) -> str | None:
        if value is not None and value.rstrip().endswith((".", "!", ";")):
            raise ValueError(
                "write it as one instruction without a final full stop: the account card "
                "goes on with 'by <the first-login deadline> to keep the account active'"
            )
        return value

    @model_validator(mode="after")
    def _supervisor_can_confirm(self) -> Self:
        if self.staff_verification is StaffVerification.SUPERVISOR_CONFIRMS and not (
            self.fields.asks("directly_supervises") and self.fields.asks("supervisor")
        ):
            raise ValueError(
                "staff_verification: supervisor_confirms needs the form to ask "
                "directly_supervises and supervisor; hide them only with filer_attests or none"
            )
        if self.staged_training is not None and self.order is TrainingOrder.TRAIN_THEN_REQUEST:
            raise ValueError("staged_training needs order: request_then_train")
        return self

    @property
    def trains_first(self) -> bool:
        return self.order is TrainingOrder.TRAIN_THEN_REQUEST
