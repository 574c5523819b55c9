"""Reading submitted form values without trusting them, for every kind's validation: each
problem names its field, with a code for the audit log and words for the person."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from flows.community import Community
from flows.ports import FormValues

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "comcast.net",
        "att.net",
        "sbcglobal.net",
        "verizon.net",
    }
)
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Problem:
    """Why one field was refused. ``code`` goes to the audit log; ``message`` to the person."""

    code: str
    message: str


Problems = dict[str, Problem]


class Reader:
    """Reads raw submitted values without trusting their shape."""

    def __init__(self, values: FormValues) -> None:
        self._values = values

    def text(self, field_id: str) -> str:
        value = self._values.get(field_id)
        return value.strip() if isinstance(value, str) else ""

    def choices(self, field_id: str) -> list[str]:
        value = self._values.get(field_id)
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return [value] if isinstance(value, str) and value else []


def work_email(raw: str, community: Community, field_id: str, problems: Problems) -> str | None:
    """The address normalized, or None with the problem noted: not an address, or a personal
    mail service (HMIS accounts are for agency e-mail only)."""
    try:
        email = validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems[field_id] = Problem("invalid", f"'{raw}' is not a valid e-mail address.")
        return None
    domain = email.rpartition("@")[2]
    if domain in FREE_MAIL_DOMAINS or domain in community.free_mail_domains:
        problems[field_id] = Problem(
            "free_mail", (f"{domain} is a personal mail service; use the person's agency e-mail.")
        )
        return None
    return email


def check_name(reader: Reader, field_id: str, problems: Problems) -> None:
    if len(reader.text(field_id)) > MAX_NAME_LENGTH:
        problems[field_id] = Problem("invalid", f"Keep it under {MAX_NAME_LENGTH} characters.")
