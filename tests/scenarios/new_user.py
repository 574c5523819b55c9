"""The New User Access Request through every state: approved to active, withdrawn, denied,
expired, active through an interim role, and through staged training with an admin's review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flows.kinds.new_user.form import question_field
from flows.kit.machine import Machine
from flows.nudges.sweep import SWEEP_ACTOR
from tests.communities import ADMINISTERS_VI_SPDAT, with_interim_role, with_staged_training
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values
from tests.samples import ODD_NAME, Recorder

TRAINEE_VI = "vi@riverhouse.example.org"
TRAINEE_STAGED = "stage@riverhouse.example.org"


def scenario(rec: Recorder) -> None:
    d = rec.driver
    values = request_values(new_user_name=ODD_NAME)
    rec.step(lambda: d.submit(LEAD, values), 1)
    rec.step(lambda: d.click(SUPERVISOR, "verify"), 1)
    rec.step(lambda: d.click(TRAINEE, "trained.general"), 1)
    rec.step(lambda: d.click(TRAINEE, "trained.privacy"), 1)
    rec.step(lambda: d.click(ADMIN, "approve"), 1)
    rec.step(lambda: d.click(SECOND_ADMIN, "account_created"), 1)
    rec.step(lambda: d.click(TRAINEE, "logged_in"), 1)
    second = request_values(new_user_name="Ray Roe", new_user_email="ray@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, second), 2)
    rec.step(lambda: d.click(LEAD, "withdraw", 2), 2)
    third = request_values(new_user_name="Kim Koe", new_user_email="kim@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, third), 3)
    deny = d.click(ADMIN, "deny", 3)
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, "MOU lapsed"), 3)  # type: ignore[union-attr]
    fourth = request_values(new_user_name="Lou Loe", new_user_email="lou@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, fourth), 4)
    rec.step(lambda: d.click(SUPERVISOR, "verify", 4), 4)
    machine = rec.machine("new_user")
    resume = rec.clock.now
    rec.clock.advance(days=17)  # past the training deadline and its grace, as in production
    rec.step(lambda: _expire(machine, 4), 4)
    rec.clock.now = resume + timedelta(hours=5)  # the later scenarios' clock, as before
    _interim_role(rec)


def _interim_role(rec: Recorder) -> None:
    """A new user who will administer the VI-SPDAT, in a community with Santa Clara's interim
    role: the account starts with the interim role, the full role follows its training. Only
    the states the earlier requests do not reach are kept as samples."""
    d, five = rec.driver, rec.next_id()
    d.community = with_interim_role(rec.community)
    values = request_values(
        new_user_name="Vi Voe",
        new_user_email="vi@riverhouse.example.org",
        **{question_field(ADMINISTERS_VI_SPDAT.id): "yes"},
    )
    d.submit(LEAD, values)
    for who, verb in (
        (SUPERVISOR, "verify"),
        (TRAINEE_VI, "trained.general"),
        (TRAINEE_VI, "trained.privacy"),
        (ADMIN, "approve"),
        (SECOND_ADMIN, "account_created"),
    ):
        d.click(who, verb, five)
    rec.step(lambda: d.click(TRAINEE_VI, "logged_in", five), five)
    rec.step(lambda: d.click(TRAINEE_VI, "trained.vi-spdat", five), five)
    rec.step(lambda: d.click(ADMIN, "full_role_set", five), five)
    d.community = rec.community


def late_scenario(rec: Recorder) -> None:
    """After every kind's scenario (so their requests keep their numbers and times): a new
    user in a community that trains in stages (Alaska's), in a stage, then with a practice
    case waiting for an admin's review. Only those two states are kept as samples."""
    d, six = rec.driver, rec.next_id()
    d.community = with_staged_training()
    values = request_values(
        new_user_name="Sam Stage",
        new_user_email="stage@riverhouse.example.org",
        **{question_field("ce-staff"): "no"},
    )
    d.submit(LEAD, values)
    rec.step(lambda: d.click(SUPERVISOR, "verify", six), six)
    d.click(TRAINEE_STAGED, "stage_done.0", six)
    d.click(TRAINEE_STAGED, "stage_done.1", six)
    rec.step(lambda: d.click(TRAINEE_STAGED, "stage_done.2", six), six)
    d.community = rec.community


def _expire(machine: Machine[Any], request_id: int) -> None:
    """As the sweep does when the training grace has run out."""
    request = machine.get(request_id)
    assert request is not None
    machine.move(request, SWEEP_ACTOR, "expired", "expire", reason="training not reported")
