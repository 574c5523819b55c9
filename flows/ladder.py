"""The reinstatement ladder of a community file: what someone whose HMIS account was disabled
for inactivity needs before it is re-enabled, by how long it has been disabled.

```yaml
reinstatement:
  - {after: 0 days, needs: re_enable}
  - {after: 90 days, needs: trainings, trainings: [privacy]}
  - {after: 6 months, needs: role_trainings}
```

Each step applies from its ``after`` on, until the next one starts; an account disabled for
less than the first ``after`` is simply re-enabled.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from flows.durations import Duration, DurationField, Unit


class Needs(StrEnum):
    RE_ENABLE = "re_enable"
    """HMIS admins re-enable the account; the person logs in within the first-login window."""
    TRAININGS = "trainings"
    """The refresher trainings listed first (retaken, even if a completion is still valid)."""
    ROLE_TRAININGS = "role_trainings"
    """Every training of the person's access role, as a new user takes them (and any listed)."""


class LadderStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after: DurationField
    needs: Needs
    trainings: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _trainings_fit_the_need(self) -> Self:
        if self.needs is Needs.TRAININGS and not self.trainings:
            raise ValueError("'needs: trainings' lists the trainings to retake under trainings")
        if self.needs is Needs.RE_ENABLE and self.trainings:
            raise ValueError("'needs: re_enable' takes no trainings; use 'needs: trainings'")
        return self


def _shortest_first(steps: tuple[LadderStep, ...]) -> tuple[LadderStep, ...]:
    lengths = [step.after.nominal_minutes for step in steps]
    if any(earlier >= later for earlier, later in pairwise(lengths)):
        raise ValueError(
            "list the steps from the shortest 'after' to the longest, such as "
            "[0 days, 90 days, 6 months]"
        )
    return steps


Ladder = Annotated[tuple[LadderStep, ...], AfterValidator(_shortest_first)]

RE_ENABLE_ONLY: tuple[LadderStep, ...] = (
    LadderStep(after=Duration(0, Unit.DAYS), needs=Needs.RE_ENABLE),
)
"""The default: every disabled account is simply re-enabled."""


def step_for(ladder: tuple[LadderStep, ...], reached: Callable[[Duration], bool]) -> LadderStep:
    """The last step whose ``after`` has been reached (plain re-enabling before the first)."""
    found = [step for step in ladder if reached(step.after)]
    return found[-1] if found else RE_ENABLE_ONLY[0]
