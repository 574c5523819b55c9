"""The community file's keys for agency leads, security officers and agency onboarding: all
optional (the bundled preset has none and behaves as before), each mistake at its own line."""

from __future__ import annotations

from datetime import date

import pytest

from chatbot.policy import PolicyError, bundled_preset_path, load_community, parse_community
from flows.durations import Duration, Unit

KEYS = """
lead_training: general
security_officer_training: privacy
security_officer_duties: Ensure your users complete the privacy training.
mou_valid_for: 365 days
mou_current_since: 2025-07-01
onboarding_checklist:
  - {id: mou, name: "Partner Agency Privacy Agreement (MOU) signed"}
  - {id: ta-so, name: "Technical Administrator and Security Officer named, trainings done"}
  - {id: call, name: Onboarding welcome call held}
  - {id: programs, name: Programs requested}
"""


def with_keys(extra: str = KEYS, checklist: str = "[mou]") -> str:
    text = bundled_preset_path().read_text(encoding="utf-8")
    text = text.replace(
        "    status: applying\n", f"    status: applying\n    checklist: {checklist}\n", 1
    )
    return text + extra


def test_the_bundled_preset_has_none_of_them() -> None:
    community = load_community(bundled_preset_path())
    assert (community.lead_training, community.security_officer_training) == ((), ())
    assert (community.mou_valid_for, community.mou_current_since) == (None, None)
    assert community.onboarding_checklist == ()
    assert all(a.checklist == () for a in community.agencies)


def test_they_load_as_written() -> None:
    community = parse_community(with_keys(), "kc.yml")
    assert community.lead_training == ("general",)
    assert community.mou_valid_for == Duration(365, Unit.DAYS)
    assert community.mou_current_since == date(2025, 7, 1)
    assert [i.id for i in community.onboarding_checklist] == ["mou", "ta-so", "call", "programs"]
    assert community.agency("delta-outreach").checklist == ("mou",)  # type: ignore[union-attr]
    assert community.checklist_item("call").name == "Onboarding welcome call held"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "lead_training: general",
            "lead_training: ta-training",
            "lead_training: training 'ta-training' is not in trainings (general, privacy)",
        ),
        (
            "security_officer_training: privacy",
            "security_officer_training: so",
            "security_officer_training: training 'so' is not in trainings (general, privacy)",
        ),
        (
            "{id: call,",
            "{id: mou,",
            "onboarding_checklist.2.id: id 'mou' is already used by onboarding_checklist.0",
        ),
        ("mou_valid_for: 365 days", "mou_valid_for: a year", "mou_valid_for: 'a year' is not"),
    ],
)
def test_mistakes_name_their_key_and_line(old: str, new: str, expected: str) -> None:
    text = with_keys(KEYS.replace(old, new))
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "kc.yml")
    [problem] = caught.value.problems
    assert expected in str(problem)
    assert problem.line is not None
    assert new in text.splitlines()[problem.line - 1]


def test_an_agency_step_must_be_on_the_checklist() -> None:
    text = with_keys(checklist="[mou, lunch]")
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "kc.yml")
    [problem] = caught.value.problems
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "[mou, lunch]" in t)
    assert str(problem) == (
        f"line {line}: agencies.1.checklist.1: step 'lunch' is not in onboarding_checklist "
        "(mou, ta-so, call, programs)"
    )


def test_a_position_may_need_several_trainings_each_checked_at_its_line() -> None:
    listed = KEYS.replace("lead_training: general", "lead_training: [general, privacy]")
    community = parse_community(with_keys(listed), "kc.yml")
    assert community.lead_training == ("general", "privacy")
    text = with_keys(
        listed.replace("lead_training: [general, privacy]", "lead_training:\n  - general\n  - ta")
    )
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "kc.yml")
    [problem] = caught.value.problems
    assert problem.path == "lead_training.1"
    assert problem.message == "training 'ta' is not in trainings (general, privacy)"
    assert problem.line is not None
    assert text.splitlines()[problem.line - 1] == "  - ta"


def test_one_step_may_record_the_mou_date_and_only_one() -> None:
    one = KEYS.replace('(MOU) signed"}', '(MOU) signed", records_mou: true}')
    community = parse_community(with_keys(one), "kc.yml")
    step = community.mou_step()
    assert step is not None
    assert step.id == "mou"
    text = with_keys(one.replace("Onboarding welcome call held}", "Call held, records_mou: true}"))
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "kc.yml")
    [problem] = caught.value.problems
    assert problem.path == "onboarding_checklist.2.records_mou"
    assert problem.message == "onboarding_checklist.0 records the MOU's date already: keep one"
    assert problem.line is not None
    assert "{id: call" in text.splitlines()[problem.line - 1]
