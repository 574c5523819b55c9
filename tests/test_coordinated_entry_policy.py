"""The community file's ``coordinated_entry`` key (King County's assessors): optional, naming a
training of the file; a mistake is reported at its own line like every other."""

from __future__ import annotations

import pytest

from chatbot.policy import PolicyError, bundled_preset_path, load_community, parse_community
from flows.community import CE_TRAINER
from flows.durations import Duration, Unit

ACT = (
    '  - {id: act, name: "Assessor\'s Credential Training", '
    'url: "https://support.example.org/act", valid_for: 365 days}\n'
)


def king_county_bits(training: str = "act") -> str:
    """The bundled file with an assessor training, CE settings and a CE trainer position."""
    text = bundled_preset_path().read_text(encoding="utf-8")
    text = text.replace("\naccess_roles:\n", f"{ACT}\naccess_roles:\n", 1)
    text = text.replace(
        "    supervisors: [sup@riverhouse.example.org]\n",
        "    supervisors: [sup@riverhouse.example.org]\n"
        "    positions: {ce-trainer: [sup@riverhouse.example.org]}\n",
        1,
    )
    return text + f"\ncoordinated_entry:\n  assessor_training: {training}\n"


def test_without_the_key_there_is_no_coordinated_entry() -> None:
    community = load_community(bundled_preset_path())
    assert community.coordinated_entry is None
    assert community.assessor_training() is None


def test_the_key_names_the_assessor_training_and_positions_name_ce_trainers() -> None:
    community = parse_community(king_county_bits(), "king-county.yml")
    training = community.assessor_training()
    assert training is not None
    assert (training.id, training.valid_for) == ("act", Duration(365, Unit.DAYS))
    agency = community.agency("river-house")
    assert agency is not None
    assert agency.holding(CE_TRAINER) == ("sup@riverhouse.example.org",)


def test_an_unknown_assessor_training_is_reported_at_its_line() -> None:
    text = king_county_bits("acts")
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "king-county.yml")
    [problem] = caught.value.problems
    assert problem.path == "coordinated_entry.assessor_training"
    assert problem.line == text.count("\n")
    assert problem.message == "training 'acts' is not in trainings (general, privacy, act)"


def test_an_unknown_key_under_it_is_reported() -> None:
    text = king_county_bits() + "  trainer_position: ce-trainer\n"
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "king-county.yml")
    [problem] = caught.value.problems
    assert problem.path == "coordinated_entry.trainer_position"
