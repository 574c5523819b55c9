"""Community files: the published example loads unchanged; mistakes name their key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.commands.cli import main
from chatbot.policy import PolicyError, bundled_preset_path, load_community, parse_community
from flows.durations import Duration, Unit, parse_duration
from tests.test_commands import run

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
        ("coc: yolo\n    status", "coc: placer\n    status", 21, "agencies.1.coc", "CoC 'placer'"),
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
    old: str, new: str, line: int, path: str, message: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_community(mangle(old, new), "my.yml")
    [problem] = caught.value.problems
    assert message in problem.message
    assert problem.path == path
    assert problem.line == line


def test_policy_check_exits_2_with_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(mangle("status: applying", "status: maybe"))
    assert main(["policy", "check", str(bad)]) == 2
    assert "line 22: agencies.1.status" in capsys.readouterr().err


def test_every_mistake_is_reported_at_once_each_at_its_own_line() -> None:
    text = (
        mangle("status: applying", "status: maybe")
        .replace("coc: sac", "coc: placer", 1)
        .replace("id: delta-outreach", "id: river-house", 1)
        .replace("trainings: [general, privacy]}", "trainings: [general, privcy]}", 1)
        .replace("  training: 14 days\n", "  training: 14 days\n  training: 10 days\n", 1)
    )
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "my.yml")
    assert [str(p) for p in caught.value.problems] == [
        "line 15: agencies.0.coc: CoC 'placer' is not in cocs (sac, yolo)",
        "line 19: agencies.1.id: id 'river-house' is already used by agencies.0",
        "line 22: agencies.1.status: Input should be 'applying', 'approved' or 'suspended'",
        "line 29: access_roles.1.trainings.1: training 'privcy' is not in trainings "
        "(general, privacy)",
        "line 35: deadlines.training: this key is given twice (first on line 34): keep one",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "community: x\ncocs:\n  - id: a\n    name: b\n   admins: []\n",
            "line 5, column 4: the indentation does not line up with the lines above",
        ),
        (
            "community: x\ndeadlines:\n  training: 14 days\n first_login: 24 hours\n",
            "line 4, column 2: the indentation does not line up with the lines above",
        ),
        ("community: x\ncocs:\n\t- id: a\n", "line 3, column 1: a tab: indent with spaces only"),
        ('community: "x\ncocs: []\n', "line 1, column 12: a quote opened here is never closed"),
        (
            "community: x\ncocs: [\n",
            "line 3, column 1: the file ends where a value should be: is a [ or { open?",
        ),
        (
            "community: x\ncocs\n  - a\n",
            "line 2, column 1: a line without 'key: value': is a ':' missing?",
        ),
    ],
)
def test_yaml_syntax_errors_are_one_plain_line_with_line_and_column(
    text: str, expected: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "broken.yml")
    assert [str(p) for p in caught.value.problems] == [expected]
    assert str(caught.value) == f"broken.yml is not a valid community file:\n  {expected}"


def test_the_bundled_preset_cites_its_source_by_title_not_by_a_path_outside_the_package() -> None:
    text = bundled_preset_path().read_text(encoding="utf-8")
    assert "../" not in text
    assert '"New HMIS User Account Request"' in text


def test_policy_check_prints_every_problem_and_a_missing_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(mangle("status: applying", "status: maybe").replace("coc: sac", "coc: x", 1))
    result = run("policy", "check", "bad.yml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "bad.yml is not a valid community file:",
        "  line 15: agencies.0.coc: CoC 'x' is not in cocs (sac, yolo)",
        "  line 22: agencies.1.status: Input should be 'applying', 'approved' or 'suspended'",
    ]
    missing = run("policy", "check", "missing.yml", cwd=tmp_path)
    assert missing.returncode == 2
    assert (
        missing.stderr == "missing.yml: cannot read the community file: No such file or directory\n"
    )
    served = run("init", cwd=tmp_path, HMIS_BOT_POLICY="missing.yml")
    assert served.stderr.splitlines()[-1] == (
        "HMIS_BOT_POLICY: missing.yml: cannot read the community file: No such file or directory"
    )
