"""The run-wide privacy scan (``tests/privacy_scan.py``) finds what it is for and nothing a
card ordinarily says."""

from __future__ import annotations

import pytest

from tests.privacy_scan import Scan


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Client SSN 123-45-6789 on file", "an SSN"),
        ("Jane Doe, DOB 4/12/1987", "a date of birth"),
        ("born on 1987-04-12", "a date of birth"),
        ("token xoxb-1234-abcd", "a Slack token"),
        ("app token xapp-1-A111-222", "a Slack token"),
        ("Authorization: Bearer eyJhbGciOiJSUzI1.eyJpc3MiOiJodHRwczov.sig", "a bearer token"),
        ("secret=test-signing-secret", "the signing secret"),
    ],
)
def test_each_kind_of_leak_is_found_and_not_repeated_whole(text: str, what: str) -> None:
    scan = Scan()
    scan.check("a test", text)
    [finding] = scan.findings
    assert finding.startswith(what)
    assert "6789" not in finding
    assert "1234-abcd" not in finding


def test_what_cards_say_is_not_a_finding() -> None:
    scan = Scan()
    for text in (
        "Request #12 for Jane Doe approved on Mon Nov 23, 2026 10:00 AM PST.",
        "Log in to HMIS by 2026-11-27 08:00 to keep your new account.",
        "Call the help desk at (916) 555-1234, 5 am - 5 pm.",
        "Training stage: 1 of 3, due Tue Dec 8, 2026.",
    ):
        scan.check("a card", text)
    assert scan.findings == []
