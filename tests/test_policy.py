"""Community files: the published example loads unchanged; mistakes name their key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.commands.cli import main
from chatbot.policy import PolicyError, bundled_preset_path, load_community, parse_community
from flows.durations import Duration, Unit, parse_duration

DATA = Path(__file__).parent / "data"


def test_the_issue_example_loads_unchanged() -> None:
    community = load_community(DATA / "issue3-community.yml")
    assert community.deadlines.staff_verification == Duration(5, Unit.BUSINESS_DAYS)
    assert community.deadlines.first_login == Duration(24, Unit.HOURS)
    assert community.training("privacy").valid_for == Duration(365, Unit.DAYS)  # type: ignore[union-attr]
    assert community.agency("delta-outreach").status == "applying"  # type: ignore[union-attr]


def test_the_bundled_preset_is_valid() -> None:
    assert main(["policy", "check", str(bundled_preset_path())]) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 days", Duration(14, Unit.DAYS)),
        ("5 business days", Duration(5, Unit.BUSINESS_DAYS)),
        ("1 business day", Duration(1, Unit.BUSINESS_DAYS)),
        ("24 hours", Duration(24, Unit.HOURS)),
        ("1 work day", Duration(1, Unit.BUSINESS_DAYS)),
        ("2 Weeks", Duration(2, Unit.WEEKS)),
        ("0 days", Duration(0, Unit.DAYS)),
    ],
)
def test_durations_read_the_way_people_write_them(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(str(expected)) == expected


@pytest.mark.parametrize("text", ["fortnight", "14", "-3 days", "3 lunar days", ""])
def test_a_bad_duration_says_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="business days"):
        parse_duration(text)


def mangle(old: str, new: str) -> str:
    return (DATA / "issue3-community.yml").read_text().replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "message"),
    [
        ("status: applying", "status: aplying", 22, "agencies.1.status", "'applying', 'approved'"),
        ("training: 14 days", "trainnig: 14 days", 34, "deadlines.trainnig", "unknown key"),
        (
            "first_login: 24 hours",
            "first_login: soon",
            35,
            "deadlines.first_login",
            "not a duration",
        ),
        ("coc: yolo\n    status", "coc: placer\n    status", None, "", "CoC 'placer'"),
        ("timezone: America/Los_Angeles", "timezone: Pacific", 2, "timezone", "unknown time zone"),
        (
            "{email: helpdesk@hmis.example.org",
            "{email: helpdesk",
            9,
            "admins.0.email",
            "not an e-mail",
        ),
    ],
)
def test_mistakes_are_reported_by_key_and_line(
    old: str, new: str, line: int | None, path: str, message: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_community(mangle(old, new), "my.yml")
    [problem] = caught.value.problems
    assert message in problem.message
    assert path in problem.path
    if line is not None:
        assert problem.line == line


def test_policy_check_exits_2_with_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(mangle("status: applying", "status: maybe"))
    assert main(["policy", "check", str(bad)]) == 2
    assert "line 22: agencies.1.status" in capsys.readouterr().err


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_community("community: x\ncocs: [\n", "broken.yml")
    assert caught.value.problems[0].line is not None


def test_the_bundled_preset_cites_its_source_by_title_not_by_a_path_outside_the_package() -> None:
    text = bundled_preset_path().read_text(encoding="utf-8")
    assert "../" not in text
    assert '"New HMIS User Account Request"' in text
