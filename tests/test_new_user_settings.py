"""The New User Access Request as a community's file sets it up: trainings before the request,
the filer attesting the background check, a shorter form, only leads filing, questions, either-
or and conditional trainings, and an interim role until the full role's training is done; on
memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from chatbot.policy import PolicyError, bundled_preset_path, parse_community
from flows.community import Community, Question, Training
from flows.kinds.new_user.details import NewUserDetails, NewUserState
from flows.kinds.new_user.form import F, question_field
from flows.model import Request
from flows.new_user_settings import (
    FieldUse,
    NewUserFields,
    NewUserSettings,
    StaffVerification,
    TrainingOrder,
)
from flows.outcomes import Accepted, FieldErrors, OpenForm
from flows.requirements import Requirement
from flows.ui import FormField, Notice
from tests.communities import ADMINISTERS_VI_SPDAT, PENDING, with_interim_role
from tests.drive import Driver
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

Values = dict[str, str | list[str] | None]
VA_PRIVACY = Training(id="va-privacy", name="VA privacy training", url="https://va.example.org")
CE_ACCESS_POINT = Question(id="ce-access-point", text="Is this user Coordinated Entry staff?")
CE_TRAINING = Training(id="ce", name="Coordinated Entry training", url="https://ce.example.org")


def leads_train_first(community: Community) -> Community:
    """As San Francisco and Santa Clara: the lead files, trainings are done first, the form
    is short and no supervisor confirms a background check."""
    fields = NewUserFields(
        requester_role=FieldUse.HIDDEN,
        directly_supervises=FieldUse.HIDDEN,
        supervisor=FieldUse.HIDDEN,
        coc=FieldUse.HIDDEN,
        monitors_contracts=FieldUse.HIDDEN,
    )
    settings = NewUserSettings(
        order=TrainingOrder.TRAIN_THEN_REQUEST,
        fields=fields,
        staff_verification=StaffVerification.NONE,
        first_login="Log in, set your password and sign the Electronic End User Agreement",
    )
    return community.model_copy(update={"new_user": settings, "filed_by": {"new_user": ("lead",)}})


def either_or_and_conditional(community: Community) -> Community:
    """As San Francisco: the VA privacy training counts instead of the other, and Coordinated
    Entry staff have one more."""
    requirements = (
        Requirement(any_of=("general",)),
        Requirement(any_of=("privacy", VA_PRIVACY.id)),
        Requirement(any_of=(CE_TRAINING.id,), when=CE_ACCESS_POINT.id),
    )
    roles = tuple(
        r.model_copy(update={"requirements": requirements}) if r.id == "dss" else r
        for r in community.access_roles
    )
    return community.model_copy(
        update={
            "access_roles": roles,
            "trainings": (*community.trainings, VA_PRIVACY, CE_TRAINING),
            "questions": (CE_ACCESS_POINT,),
        }
    )


def short_form() -> Values:
    values = request_values()
    for hidden in (
        F.REQUESTER_ROLE,
        F.DIRECTLY_SUPERVISES,
        F.SUPERVISOR_NAME,
        F.SUPERVISOR_EMAIL,
        F.COC,
        F.MONITORS_CONTRACTS,
    ):
        del values[hidden]
    return values


def new_user(driver: Driver, request_id: int = 1) -> Request[NewUserDetails]:
    return driver.request(request_id).typed(NewUserDetails)


def field_ids(outcome: object) -> set[str]:
    assert isinstance(outcome, OpenForm)
    return {item.id for item in outcome.form.items if isinstance(item, FormField)}


def test_a_community_that_trains_first_asks_its_lead_a_short_form(driver: Driver) -> None:
    driver.community = leads_train_first(driver.community)
    refused = driver.command(SUPERVISOR, "new")
    assert isinstance(refused, Notice)
    fields = field_ids(driver.command(LEAD, "new"))
    assert F.TRAININGS_DONE in fields
    assert not fields & {F.SUPERVISOR_EMAIL, F.COC, F.MONITORS_CONTRACTS, F.BACKGROUND_CHECK}

    unattested = driver.submit(LEAD, short_form())
    assert isinstance(unattested, FieldErrors)
    assert set(unattested.errors) == {F.TRAININGS_DONE}
    filed = driver.submit(LEAD, short_form() | {F.TRAININGS_DONE: ["yes"]})
    assert isinstance(filed, Accepted)
    assert "HMIS admins will review it" in filed.notice.text

    request = new_user(driver)
    assert request.state == NewUserState.AWAITING_APPROVAL
    assert request.details.trained_first
    assert request.details.coc_id == "sac"  # the agency's own
    assert request.details.supervisor_email == LEAD
    assert request.details.monitors_contracts is None
    for who, verb in ((ADMIN, "approve"), (SECOND_ADMIN, "account_created")):
        driver.click(who, verb)
    assert driver.click(TRAINEE, "logged_in").text == "Thanks. Your HMIS account is active."  # type: ignore[union-attr]
    assert new_user(driver).state == NewUserState.ACTIVE


def test_the_filer_attests_the_background_check_where_the_community_says(
    driver: Driver,
) -> None:
    settings = NewUserSettings(staff_verification=StaffVerification.FILER_ATTESTS)
    driver.community = driver.community.model_copy(update={"new_user": settings})
    missing = driver.submit(LEAD, request_values())
    assert isinstance(missing, FieldErrors)
    assert set(missing.errors) == {F.BACKGROUND_CHECK}
    driver.submit(LEAD, request_values(**{F.BACKGROUND_CHECK: ["yes"]}))
    request = new_user(driver)
    assert request.state == NewUserState.TRAINING  # nobody is asked to confirm it
    assert not request.details.needs_staff_verification


def test_either_training_meets_an_either_or_requirement(driver: Driver) -> None:
    driver.community = either_or_and_conditional(driver.community)
    driver.submit(LEAD, request_values(**{question_field(CE_ACCESS_POINT.id): "no"}))
    driver.click(SUPERVISOR, "verify")
    driver.click(TRAINEE, "trained.general")
    assert new_user(driver).state == NewUserState.TRAINING
    done = driver.click(TRAINEE, "trained.va-privacy")
    assert isinstance(done, Notice)
    assert "All trainings reported" in done.text
    assert new_user(driver).state == NewUserState.AWAITING_APPROVAL


def test_a_yes_answer_adds_the_trainings_that_depend_on_it(driver: Driver) -> None:
    driver.community = either_or_and_conditional(driver.community)
    unanswered = driver.submit(LEAD, request_values())
    assert isinstance(unanswered, FieldErrors)
    assert set(unanswered.errors) == {question_field(CE_ACCESS_POINT.id)}
    driver.submit(LEAD, request_values(**{question_field(CE_ACCESS_POINT.id): "yes"}))
    assert new_user(driver).details.answered_yes == (CE_ACCESS_POINT.id,)
    for who, verb in ((SUPERVISOR, "verify"), (TRAINEE, "trained.general")):
        driver.click(who, verb)
    driver.click(TRAINEE, "trained.privacy")
    assert new_user(driver).state == NewUserState.TRAINING  # Coordinated Entry's is still due
    driver.click(TRAINEE, "trained.ce")
    assert new_user(driver).state == NewUserState.AWAITING_APPROVAL


def test_the_account_holds_the_interim_role_until_the_full_roles_training(
    driver: Driver,
) -> None:
    driver.community = with_interim_role(driver.community)
    yes = {question_field(ADMINISTERS_VI_SPDAT.id): "yes"}
    driver.submit(LEAD, request_values(**yes))
    for who, verb in (
        (SUPERVISOR, "verify"),
        (TRAINEE, "trained.general"),
        (TRAINEE, "trained.privacy"),
    ):
        driver.click(who, verb)
    approved = driver.click(ADMIN, "approve")
    assert isinstance(approved, Notice)
    assert PENDING.name in approved.text  # the admin creates the account with it
    driver.click(SECOND_ADMIN, "account_created")
    assert driver.account(TRAINEE).access_role_id == PENDING.id

    logged_in = driver.click(TRAINEE, "logged_in")
    assert isinstance(logged_in, Notice)
    assert "for its full role" in logged_in.text
    assert new_user(driver).state == NewUserState.FULL_ROLE_TRAINING
    driver.click(TRAINEE, "trained.vi-spdat")
    assert new_user(driver).state == NewUserState.AWAITING_FULL_ROLE
    refused = driver.click(TRAINEE, "full_role_set")
    assert new_user(driver).state == NewUserState.AWAITING_FULL_ROLE, refused
    driver.click(ADMIN, "full_role_set")
    assert new_user(driver).state == NewUserState.ACTIVE
    assert driver.account(TRAINEE).access_role_id == "dss"


def test_without_the_question_answered_yes_the_role_comes_at_once(driver: Driver) -> None:
    driver.community = with_interim_role(driver.community)
    driver.submit(LEAD, request_values(**{question_field(ADMINISTERS_VI_SPDAT.id): "no"}))
    for who, verb in (
        (SUPERVISOR, "verify"),
        (TRAINEE, "trained.general"),
        (TRAINEE, "trained.privacy"),
        (ADMIN, "approve"),
        (SECOND_ADMIN, "account_created"),
        (TRAINEE, "logged_in"),
    ):
        driver.click(who, verb)
    assert new_user(driver).state == NewUserState.ACTIVE
    assert driver.account(TRAINEE).access_role_id == "dss"


def test_an_interim_role_is_never_offered_on_the_form(driver: Driver) -> None:
    driver.community = with_interim_role(driver.community)
    outcome = driver.command(LEAD, "new")
    assert isinstance(outcome, OpenForm)
    [roles] = [i for i in outcome.form.items if isinstance(i, FormField) and i.id == F.ACCESS_ROLE]
    assert PENDING.id not in {o.value for o in roles.options}
    picked = driver.submit(
        LEAD,
        request_values(
            **{F.ACCESS_ROLE: PENDING.id, question_field(ADMINISTERS_VI_SPDAT.id): "no"}
        ),
    )
    assert isinstance(picked, FieldErrors)
    assert set(picked.errors) == {F.ACCESS_ROLE}


BUNDLED = bundled_preset_path().read_text()


@pytest.mark.parametrize(
    ("addition", "path", "message"),
    [
        (
            "new_user:\n  staff_verification: supervisor_confirms\n"
            "  fields: {supervisor: hidden}\n",
            "new_user",
            "supervisor_confirms needs the form to ask",
        ),
        ("filed_by:\n  new_user: [lead, manager]\n", "filed_by.new_user.1", "position 'manager'"),
        ("filed_by:\n  new_users: [lead]\n", "filed_by.new_users", "not a request kind"),
        ("new_user:\n  order: train_first\n", "new_user.order", "train_then_request"),
        (
            "new_user:\n  first_login: Log in and sign the agreement.\n",
            "new_user.first_login",
            "without a final full stop",
        ),
    ],
)
def test_new_user_settings_mistakes_name_their_key(addition: str, path: str, message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_community(BUNDLED + "\n" + addition)
    problems = [p for p in raised.value.problems if p.path == path]
    assert problems, str(raised.value)
    assert message in problems[0].message
    assert problems[0].line is not None


def test_requirements_name_known_trainings_and_questions() -> None:
    text = BUNDLED.replace(
        "    trainings: [general, privacy]\n",
        "    trainings: [general, {any_of: [privacy, va]}, {training: ce, when: ce-staff}]\n",
        1,
    )
    with pytest.raises(PolicyError) as raised:
        parse_community(text)
    messages = {p.path: p.message for p in raised.value.problems}
    assert "training 'va' is not in trainings" in messages["access_roles.0.trainings.1.any_of.1"]
    assert "training 'ce'" in messages["access_roles.0.trainings.2.training"]
    assert "question 'ce-staff' is not in questions" in messages["access_roles.0.trainings.2.when"]


def test_a_full_role_training_needs_an_interim_role() -> None:
    text = BUNDLED.replace(
        "    trainings: [general, privacy]\n",
        "    trainings: [general, {training: privacy, before: full_role}]\n",
        1,
    )
    with pytest.raises(PolicyError, match="needs the role's interim_role"):
        parse_community(text)
