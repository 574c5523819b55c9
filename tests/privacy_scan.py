"""Issue 9's privacy check over the whole run: every message the bot sends to the fake Slack
and Teams APIs, every log line it writes in-process and every log file of a ``serve`` process
the tests started is scanned for client data (a US Social Security number, a date of birth)
and for secrets (Slack tokens and signing secrets, Bot Framework bearer tokens). A finding
fails the run at its end, naming where it was seen and never printing the match whole.

Tests feed client-looking text in on purpose (free-text fields must refuse it); what they
send is not scanned, only what the bot says and logs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

PATTERNS = {
    "an SSN": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "a date of birth": re.compile(
        r"\b(?:DOB|D\.O\.B\.|date of birth|born(?: on)?)\W{0,3}\d{1,4}[/-]\d{1,2}[/-]\d{1,4}",
        re.IGNORECASE,
    ),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{3,}|\bxapp-\d-[A-Za-z0-9-]{3,}"),
    "a bearer token": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}"),
}
SECRETS = ("test-signing-secret",)  # the testbeds' signing secret, by value
MAX_FINDINGS = 20


@dataclass
class Scan:
    findings: list[str] = field(default_factory=list)
    log_files: set[Path] = field(default_factory=set)

    def check(self, where: str, text: str) -> None:
        if len(self.findings) >= MAX_FINDINGS:
            return
        for what, pattern in PATTERNS.items():
            found = pattern.search(text)
            if found:
                self.findings.append(f"{what} in {where}: {_masked(found.group(0))}")
        for secret in SECRETS:
            if secret in text:
                self.findings.append(f"the signing secret in {where}")

    def check_log_files(self) -> None:
        for path in sorted(self.log_files):
            if path.exists():
                self.check(f"the log of {path.name}", path.read_text(errors="replace"))


SCAN = Scan()


class ScanningHandler(logging.Handler):
    """Sees every record emitted in this process, at whatever level its logger allows."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is no finding of ours
            return
        if record.exc_text:
            text += "\n" + record.exc_text
        SCAN.check(f"a log line of {record.name}", text)


def _masked(text: str) -> str:
    return text[:4] + "…" if len(text) > 4 else "…"
