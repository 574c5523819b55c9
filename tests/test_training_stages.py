"""Staged training (``new_user: staged_training:``) on the bundled community: stages with their
own clocks, a practice case an admin reviews (accepted, corrections, more training), a stage
per workflow, a written request for more time, waivers, a new case past the stage's limit, and
a denial once the attempts are used; on memory, SQLite and PostgreSQL. Then the file format's
line-numbered errors."""

from __future__ import annotations

import pytest

from chatbot.community_calendar import business_calendar
from chatbot.policy import PolicyError, bundled_preset_path, parse_community
from chatbot.storage.database import Database
from flows.community import Community
from flows.durations import Duration, Unit
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserDetails, NewUserState, StageProgress
from flows.kinds.new_user.form import question_field
from flows.kit.kind import CardView
from flows.memory import MemoryLedger
from flows.model import Request
from flows.outcomes import Accepted, Lists, OpenForm
from flows.ui import Notice
from tests.communities import STAGED, with_staged_training
from tests.conftest import Clock
from tests.drive import Driver, memory_driver
from tests.nudges import ADMINS, NudgeBed, local
from tests.requests import ADMIN, LEAD, SUPERVISOR, TRAINEE, request_values
from tests.test_card_snapshots import check_card

BUNDLED = bundled_preset_path().read_text()


@pytest.fixture(scope="module")
def community() -> Community:
    return with_staged_training()


def current(driver: Driver) -> Request[NewUserDetails]:
    return driver.request(1).typed(NewUserDetails)


def progress(driver: Driver) -> StageProgress:
    found = current(driver).details.stages
    assert found is not None
    return found


def file_and_verify(driver: Driver, ce_staff: str = "no") -> None:
    values = request_values(**{question_field("ce-staff"): ce_staff})
    assert isinstance(driver.submit(LEAD, values), Accepted)
    driver.click(SUPERVISOR, "verify")


def stage_now(driver: Driver) -> tuple[str, str | None]:
    planned = progress(driver).current
    assert planned is not None
    return planned.stage, planned.workflow


def button_verbs(driver: Driver, who: str) -> list[str]:
    """The verbs of the buttons on ``who``'s card for request 1, as their status shows it."""
    status = driver.status(who)
    assert isinstance(status, Lists)
    cards = [card for listing in status.lists for card in listing.cards]
    return [b.command.verb for card in cards for b in card.buttons if b.command.subject_id == 1]


def test_a_new_user_goes_through_the_stages_with_corrections(driver: Driver, clock: Clock) -> None:
    file_and_verify(driver)
    request = current(driver)
    assert request.state == NewUserState.STAGED
    started = clock.now
    first_due = driver.calendar.deadline(started, Duration(20, Unit.BUSINESS_DAYS))
    assert (stage_now(driver), request.due_at) == (("initial", None), first_due)
    assert [(p.stage, p.workflow) for p in progress(driver).plan] == [
        ("initial", None),
        ("workflow-training", "shelter"),
        ("practice-case", "shelter"),
    ]

    clock.advance(days=3)
    assert isinstance(driver.click(TRAINEE, "stage_done.0"), Notice)
    assert stage_now(driver) == ("workflow-training", "shelter")
    reports = {r.training_id for r in current(driver).training_reports}
    assert reports == {"general", "privacy"}  # the stage's trainings count as reported
    assert current(driver).due_at == driver.calendar.deadline(clock.now, Duration(1, Unit.MONTHS))

    clock.advance(days=10)
    driver.click(TRAINEE, "stage_done.1")
    training_day = clock.now
    assert stage_now(driver) == ("practice-case", "shelter")
    assert progress(driver).new_case_at == driver.calendar.deadline(
        training_day, Duration(20, Unit.DAYS)
    )

    clock.advance(days=2)
    driver.click(TRAINEE, "stage_done.2")
    assert current(driver).state == NewUserState.STAGE_REVIEW
    assert current(driver).due_at is None

    clock.advance(hours=4)
    driver.click(ADMIN, "review.corrections")
    request = current(driver)
    corrections_due = driver.calendar.deadline(clock.now, Duration(5, Unit.BUSINESS_DAYS))
    assert (request.state, request.due_at) == (NewUserState.STAGED, corrections_due)
    assert progress(driver).attempts == 1

    clock.advance(days=1)
    driver.click(TRAINEE, "stage_done.2")
    driver.click(ADMIN, "review.accepted")
    request = current(driver)
    assert request.state == NewUserState.AWAITING_APPROVAL
    assert [e.outcome for e in progress(driver).log] == [
        "done",
        "done",
        "submitted",
        "corrections",
        "submitted",
        "accepted",
    ]
    driver.click(ADMIN, "approve")
    assert current(driver).state == NewUserState.APPROVED
    assert driver.refusals() == []
    assert driver.transitions_to("stage_review") == 2


def test_each_workflow_has_its_own_training_and_practice_case(driver: Driver) -> None:
    file_and_verify(driver, ce_staff="yes")
    assert [(p.stage, p.workflow) for p in progress(driver).plan] == [
        ("initial", None),
        ("workflow-training", "shelter"),
        ("practice-case", "shelter"),
        ("workflow-training", "ce"),
        ("practice-case", "ce"),
    ]
    for index in range(3):
        driver.click(TRAINEE, f"stage_done.{index}")
        if current(driver).state == NewUserState.STAGE_REVIEW:
            driver.click(ADMIN, "review.accepted")
    assert stage_now(driver) == ("workflow-training", "ce")
    driver.click(TRAINEE, "stage_done.3")
    driver.click(TRAINEE, "stage_done.4")
    driver.click(ADMIN, "review.retrain")
    assert stage_now(driver) == ("workflow-training", "ce")  # the same workflow's training
    assert progress(driver).index == 3


def test_a_button_from_an_earlier_stage_is_refused(driver: Driver) -> None:
    file_and_verify(driver)
    driver.click(TRAINEE, "stage_done.0")
    driver.click(TRAINEE, "stage_done.0")
    assert stage_now(driver) == ("workflow-training", "shelter")
    assert driver.refusals() == [("new_user.stage_done", {"reason": "not_current_stage"})]


def test_only_the_new_user_reports_and_only_admins_review(driver: Driver) -> None:
    file_and_verify(driver)
    driver.click(LEAD, "stage_done.0")
    driver.click(TRAINEE, "stage_done.0")
    driver.click(TRAINEE, "stage_done.1")
    driver.click(TRAINEE, "stage_done.2")
    driver.click(TRAINEE, "review.accepted")
    driver.click(LEAD, "review.accepted")
    assert current(driver).state == NewUserState.STAGE_REVIEW
    assert [code["reason"] for _, code in driver.refusals()] == [
        "not_trainee",
        "not_admin",
        "not_admin",
    ]


def test_the_extension_is_asked_in_writing_before_the_series_and_granted(
    driver: Driver, clock: Clock
) -> None:
    file_and_verify(driver)
    due = current(driver).due_at
    assert due is not None
    form = driver.click(TRAINEE, "extend")
    assert isinstance(form, OpenForm)
    written = "I start on the night shift and cannot attend ICA training this month."
    assert isinstance(driver.give_reason(TRAINEE, form.form.context, written), Notice)
    assert progress(driver).extension_asked == written
    clock.advance(hours=1)
    driver.click(ADMIN, "extension.grant")
    extended = driver.calendar.deadline(due, Duration(1, Unit.MONTHS))
    assert current(driver).due_at == extended
    assert progress(driver).extension_granted is True

    driver.click(TRAINEE, "stage_done.0")
    later = driver.calendar.deadline(
        driver.calendar.deadline(clock.now, Duration(1, Unit.MONTHS)), Duration(1, Unit.MONTHS)
    )
    assert current(driver).due_at == later  # later stages get the extra time too
    assert driver.refusals() == []


def test_more_time_cannot_be_asked_once_the_series_started(driver: Driver) -> None:
    file_and_verify(driver)
    driver.click(TRAINEE, "stage_done.0")
    form = driver.click(TRAINEE, "extend")
    assert isinstance(form, OpenForm)
    driver.give_reason(TRAINEE, form.form.context, "Please, more time.")
    assert progress(driver).extension_asked is None
    assert driver.refusals() == [("new_user.extend", {"reason": "extension_not_open"})]


def test_after_the_attempts_an_admin_accepts_or_denies(driver: Driver) -> None:
    file_and_verify(driver)
    for index in range(2):
        driver.click(TRAINEE, f"stage_done.{index}")
    for _ in range(2):
        driver.click(TRAINEE, "stage_done.2")
        driver.click(ADMIN, "review.corrections")
    driver.click(TRAINEE, "stage_done.2")
    driver.click(ADMIN, "review.corrections")
    assert current(driver).state == NewUserState.STAGE_REVIEW
    assert driver.refusals() == [("new_user.review", {"reason": "attempts_used"})]
    form = driver.click(ADMIN, "deny")
    assert isinstance(form, OpenForm)
    driver.give_reason(ADMIN, form.form.context, "Practice cases incomplete after 3 attempts.")
    assert current(driver).state == NewUserState.DENIED


def test_more_training_does_not_start_the_attempts_again(driver: Driver) -> None:
    file_and_verify(driver)
    for index in range(3):
        driver.click(TRAINEE, f"stage_done.{index}")
    driver.click(ADMIN, "review.corrections")
    driver.click(TRAINEE, "stage_done.2")
    driver.click(ADMIN, "review.retrain")
    assert stage_now(driver) == ("workflow-training", "shelter")
    driver.click(TRAINEE, "stage_done.1")
    driver.click(TRAINEE, "stage_done.2")
    assert progress(driver).attempts == 2
    driver.click(ADMIN, "review.retrain")
    assert driver.refusals() == [("new_user.review", {"reason": "attempts_used"})]
    driver.click(ADMIN, "review.accepted")
    assert current(driver).state == NewUserState.AWAITING_APPROVAL


def test_a_new_case_only_after_the_stage_ran_past_its_limit(driver: Driver, clock: Clock) -> None:
    file_and_verify(driver)
    driver.click(TRAINEE, "stage_done.0")
    driver.click(TRAINEE, "stage_done.1")
    driver.click(ADMIN, "new_case")
    assert driver.refusals() == [("new_user.new_case", {"reason": "too_early_for_new_case"})]
    clock.advance(days=21)
    driver.click(ADMIN, "new_case")
    request = current(driver)
    assert request.due_at == driver.calendar.deadline(clock.now, Duration(5, Unit.BUSINESS_DAYS))
    assert progress(driver).log[-1].outcome == "new_case"
    assert progress(driver).new_case_at is None  # once; then more training or a denial


def test_an_admin_waives_the_training_of_a_returning_user(driver: Driver) -> None:
    file_and_verify(driver)
    driver.click(ADMIN, "waive.stage")
    assert stage_now(driver) == ("workflow-training", "shelter")
    driver.click(ADMIN, "waive.all")
    assert current(driver).state == NewUserState.AWAITING_APPROVAL
    assert [e.outcome for e in progress(driver).log] == ["waived"] * 3


def test_communities_without_stages_keep_the_training_step(clock: Clock) -> None:
    bundled = parse_community(BUNDLED)
    assert bundled.new_user.staged_training is None
    driver = memory_driver(
        bundled, business_calendar(bundled), default_registry(), MemoryLedger(clock)
    )
    driver.submit(LEAD, request_values())
    driver.click(SUPERVISOR, "verify")
    request = current(driver)
    assert (request.state, request.details.stages) == (NewUserState.TRAINING, None)
    assert request.due_at == request.details.training_due


def test_the_cards_show_each_stage_and_whose_turn_it_is(driver: Driver, clock: Clock) -> None:
    file_and_verify(driver)
    assert "stage_done.0" in button_verbs(driver, TRAINEE)
    assert "extend" in button_verbs(driver, TRAINEE)
    driver.click(TRAINEE, "stage_done.0")
    driver.click(TRAINEE, "stage_done.1")
    driver.click(TRAINEE, "stage_done.2")
    assert button_verbs(driver, TRAINEE) == []
    clock.advance(hours=1)
    assert {"review.accepted", "review.corrections", "review.retrain"} <= set(
        button_verbs(driver, ADMIN)
    )


# The file format --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            ("retrain: workflow-training", "retrain: practice-case"),
            "new_user.staged_training",
            "retrain must name an earlier stage",
        ),
        (
            (
                "trainings: [general, privacy]\n        due",
                "trainings: [general, videos]\n        due",
            ),
            "new_user.staged_training.stages.0.trainings.1",
            "training 'videos' is not in trainings",
        ),
        (
            ("when: ce-staff", "when: ce-worker"),
            "new_user.staged_training.workflows.1.when",
            "question 'ce-worker' is not in questions",
        ),
        (
            ("trainings: [general, privacy]\n        due", "trainings: [general]\n        due"),
            "access_roles.0.trainings.1",
            "training 'privacy' is taken in a stage",
        ),
        (
            ("        from: start\n", "        from: start\n        per_workflow: true\n"),
            "new_user.staged_training",
            "per_workflow stages must be consecutive",
        ),
        (
            ("max_attempts: 2", "max_attempts: 0"),
            "new_user.staged_training.stages.2.max_attempts",
            "greater than or equal to 1",
        ),
        (
            ("due: 5 business days\n        corrections", "due: 5 workdays\n        corrections"),
            "new_user.staged_training.stages.2.due",
            "is not a duration",
        ),
    ],
)
def test_mistakes_are_reported_at_their_line(
    change: tuple[str, str], path: str, message: str
) -> None:
    text = (BUNDLED + STAGED).replace(*change, 1)
    if "consecutive" in message:  # and the stage between them no longer per workflow
        text = text.replace("per_workflow: true\n        due: 1 month", "due: 1 month")
    assert text != BUNDLED + STAGED
    with pytest.raises(PolicyError) as raised:
        parse_community(text)
    problems = [p for p in raised.value.problems if p.path == path]
    assert problems, str(raised.value)
    assert message in problems[0].message
    assert problems[0].line is not None


def test_a_review_setting_needs_an_admin_review() -> None:
    text = (BUNDLED + STAGED).replace(
        "        per_workflow: true\n        due: 1 month",
        ("        per_workflow: true\n        due: 1 month\n        max_attempts: 3"),
    )
    with pytest.raises(PolicyError, match="need done_by: admin_review"):
        parse_community(text)


def test_staged_training_needs_the_request_first() -> None:
    text = (BUNDLED + STAGED).replace("new_user:\n", "new_user:\n  order: train_then_request\n")
    with pytest.raises(PolicyError, match="staged_training needs order: request_then_train"):
        parse_community(text)


def test_a_corrections_window_defaults_to_the_stage_s_own() -> None:
    text = (BUNDLED + STAGED).replace("        corrections: 5 business days\n", "")
    staged = parse_community(text).new_user.staged_training
    assert staged is not None
    practice_case = staged.stage("practice-case")
    assert practice_case is not None
    assert practice_case.corrections_window == Duration(5, Unit.BUSINESS_DAYS)


# The clocks -------------------------------------------------------------------------------


def test_each_stage_is_reminded_and_escalated_at_its_own_deadline(
    database: Database, community: Community, clock: Clock
) -> None:
    bed = NudgeBed(database, community, clock)
    bed.at("2026-11-16 10:00")
    bed.file(LEAD, request_values(**{question_field("ce-staff"): "no"}))
    bed.click(SUPERVISOR, "verify")
    bed.click(TRAINEE, "stage_done.0")
    assert bed.request().due_at == local("2026-12-16 17:00")  # 1 month, to the day's close
    bed.sweep_daily("2026-11-17", "2026-12-18", ("09:00",))
    assert bed.take() == [
        ("stage_overdue", ADMINS, "Thu 2026-12-17 09:00"),
        ("stage_overdue", TRAINEE, "Thu 2026-12-17 09:00"),
        ("stage_overdue", SUPERVISOR, "Thu 2026-12-17 09:00"),
        ("stage_reminder", TRAINEE, "Tue 2026-12-15 09:00"),
    ]
    bed.click(TRAINEE, "stage_done.1")
    bed.click(TRAINEE, "stage_done.2")
    bed.sweep("2026-12-23 09:00")  # past two business days waiting for the review
    assert bed.take() == [("admin_sla", ADMINS, "Wed 2026-12-23 09:00")]


# The cards, as each platform shows them -----------------------------------------------------


def test_staged_cards_snapshots(community: Community, clock: Clock) -> None:
    """Every audience's card at three moments: a stage due with more time asked for, a
    practice case waiting for review after corrections, every stage done."""
    calendar = business_calendar(community)
    registry = default_registry()
    driver = memory_driver(community, calendar, registry, MemoryLedger(clock))
    kind = registry.kind("new_user")
    assert kind is not None
    view = CardView(community, calendar)

    def snap(moment: str) -> None:
        request = kind.typed(driver.request(1))
        for audience, _ in kind.audiences(community, request):
            check_card(f"new_user_staged/{moment}-{audience}", kind.render(view, request, audience))

    file_and_verify(driver, ce_staff="yes")
    form = driver.click(TRAINEE, "extend")
    assert isinstance(form, OpenForm)
    driver.give_reason(TRAINEE, form.form.context, "On leave until next month.")
    snap("staged-extension-asked")
    for index in range(3):
        clock.advance(days=1)
        driver.click(TRAINEE, f"stage_done.{index}")
    driver.click(ADMIN, "review.corrections")
    driver.click(TRAINEE, "stage_done.2")
    snap("stage_review-after-corrections")
    driver.click(ADMIN, "waive.all")
    snap("awaiting_approval-after-stages")


def test_more_training_may_go_back_to_a_stage_taken_once(clock: Clock) -> None:
    staged = parse_community(
        BUNDLED + STAGED.replace("retrain: workflow-training", "retrain: initial")
    )
    driver = memory_driver(
        staged, business_calendar(staged), default_registry(), MemoryLedger(clock)
    )
    file_and_verify(driver, ce_staff="yes")
    for index in range(3):
        driver.click(TRAINEE, f"stage_done.{index}")
    driver.click(ADMIN, "review.retrain")
    assert (stage_now(driver), progress(driver).index) == (("initial", None), 0)
