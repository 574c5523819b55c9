"""What the New User Access Request's cards show of the community's staged training: each
stage with its deadline and outcome, and the buttons of whoever's turn it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flows.community import Community
from flows.kinds.new_user import stages
from flows.kinds.new_user.details import (
    NAME,
    NewUserRequest,
    NewUserState,
    PlannedStage,
    StageOutcome,
    StageProgress,
)
from flows.training_stages import Stage, TrainingStages
from flows.ui import ActionCommand, Button, ButtonStyle, Fact

_OUTCOME_WORDS = {
    StageOutcome.DONE: "done",
    StageOutcome.SUBMITTED: "submitted",
    StageOutcome.ACCEPTED: "accepted",
    StageOutcome.CORRECTIONS: "corrections needed",
    StageOutcome.RETRAIN: "more training needed",
    StageOutcome.WAIVED: "waived",
    StageOutcome.NEW_CASE: "new case set",
}


class StageCards:
    def __init__(
        self,
        community: Community,
        when: Callable[[datetime | None], str],
        name: Callable[[str], str],
    ) -> None:
        self._config: TrainingStages | None = community.new_user.staged_training
        self.when = when
        self._name = name

    def label(self, planned: PlannedStage) -> str:
        """``Practice case (Coordinated Entry)``."""
        config = self._config
        return config.label(planned.stage, planned.workflow) if config else planned.stage

    def current(self, request: NewUserRequest) -> tuple[Stage, str] | None:
        """The current stage and its label, while the series runs."""
        progress, config = request.details.stages, self._config
        if progress is None or config is None or progress.current is None:
            return None
        if request.state not in (NewUserState.STAGED, NewUserState.STAGE_REVIEW):
            return None
        stage = config.stage(progress.current.stage)
        return (stage, self.label(progress.current)) if stage else None

    def facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        """One fact per planned stage: its outcome, or its deadline while it is current."""
        progress = request.details.stages
        if progress is None:
            return ()
        facts = [
            Fact(self.label(p), self._status(request, progress, i))
            for i, p in enumerate(progress.plan)
        ]
        found = self.current(request)
        if found is not None and progress.new_case_at is not None:
            facts.append(
                Fact(f"New {found[0].name.lower()} possible from", self.when(progress.new_case_at))
            )
        if progress.extension_asked is not None:
            facts.append(Fact("More time asked for", self._extension(progress)))
        return tuple(facts)

    def _status(self, request: NewUserRequest, progress: StageProgress, index: int) -> str:
        planned = progress.plan[index]
        entries = [
            e for e in progress.log if (e.stage, e.workflow) == (planned.stage, planned.workflow)
        ]
        if index == progress.index and request.state == NewUserState.STAGED:
            tried = f"; attempt {progress.attempts + 1}" if progress.attempts else ""
            return f"Due {self.when(progress.due)}{tried}"
        if index == progress.index and request.state == NewUserState.STAGE_REVIEW:
            return f"Submitted {self.when(entries[-1].at)}; waiting for HMIS review"
        if index > progress.index or not entries:
            return "Not started"
        last = entries[-1]
        return f"{_OUTCOME_WORDS[last.outcome].capitalize()} {self.when(last.at)}"

    def _extension(self, progress: StageProgress) -> str:
        asked = f'asked {self.when(progress.extension_asked_at)}: "{progress.extension_asked}"'
        if progress.extension_granted is None:
            return f"{asked[:1].upper()}{asked[1:]}; waiting for HMIS"
        decided = "granted" if progress.extension_granted else "declined"
        by = self._name(progress.extension_decided_by or "")
        return f"{decided.capitalize()} by {by}; {asked}"

    def links(self, request: NewUserRequest, community: Community) -> tuple[tuple[str, str], ...]:
        found = self.current(request)
        if found is None:
            return ()
        trainings = (community.training(t) for t in found[0].trainings)
        return tuple((t.name, t.url) for t in trainings if t is not None)

    def trainee_buttons(self, request: NewUserRequest) -> tuple[Button, ...]:
        """The new user's button for the current stage, and the one asking for more time while
        they still may."""
        found, progress = self.current(request), request.details.stages
        if found is None or progress is None or request.state != NewUserState.STAGED:
            return ()
        stage, label = found
        words = f"Submit {label} for review" if stage.reviewed else f"I've completed {label}"
        buttons = [_button(request, f"{stages.DONE}.{progress.index}", words, ButtonStyle.PRIMARY)]
        if self._config is not None and stages.may_ask_extension(self._config, progress):
            buttons.append(_button(request, stages.EXTEND, "Ask for more time"))
        return tuple(buttons)

    def admin_buttons(self, request: NewUserRequest) -> tuple[Button, ...]:
        """Review outcomes while the work waits for review (only accept once the attempts are
        used), the extension's answer, a new case when the stage has one, waivers."""
        found, progress, config = self.current(request), request.details.stages, self._config
        if found is None or progress is None or config is None:
            return ()
        stage, _ = found
        buttons: list[Button] = []
        if request.state == NewUserState.STAGE_REVIEW:
            buttons.append(
                _button(request, f"{stages.REVIEW}.accepted", "Accept", ButtonStyle.PRIMARY)
            )
            if stages.may_retry(stage, progress):
                buttons.append(
                    _button(request, f"{stages.REVIEW}.corrections", "Corrections needed")
                )
                if stage.retrain is not None:
                    buttons.append(_button(request, f"{stages.REVIEW}.retrain", "More training"))
        if progress.extension_asked is not None and progress.extension_granted is None:
            buttons += [
                _button(request, f"{stages.EXTENSION}.grant", "Grant more time"),
                _button(request, f"{stages.EXTENSION}.decline", "Decline more time"),
            ]
        if progress.new_case_at is not None:
            buttons.append(_button(request, stages.NEW_CASE, f"Set a new {stage.name.lower()}"))
        if config.waivers:
            buttons += [
                _button(request, f"{stages.WAIVE}.{stages.STAGE}", "Waive this stage"),
                _button(request, f"{stages.WAIVE}.{stages.ALL}", "Waive all training"),
            ]
        buttons.append(_button(request, "deny", "Deny", ButtonStyle.DANGER))
        return tuple(buttons)


def _button(
    request: NewUserRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
