"""Reading submitted form values without trusting them, for every kind's validation: each
problem names its field, with a code for the audit log and words for the person."""

from __future__ import annotations

import re
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


_SSN = re.compile(r"(?<!\d)\d{3}[- ]?\d{2}[- ]?\d{4}(?!\d)")
_BIRTH_WORDS = re.compile(r"\b(dob|d\.o\.b\.?|date of birth|birth ?date|born)\b", re.IGNORECASE)
_DATE = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](\d{4})(?!\d)|(?<!\d)(\d{4})-\d{2}-\d{2}(?!\d)")
ADULT_AGE = 14  # a date this many years back or more is read as someone's date of birth
CLIENT_DATA = (
    "This looks like client or personal information ({what}). The bot never stores client "
    "data: describe the reason without it."
)


def client_data(text: str, this_year: int) -> str | None:
    """What in free text looks like client data: a Social Security number, or a date of
    birth (a date named as one, or a date too far back to be about staff work)."""
    if _SSN.search(text):
        return "a Social Security number"
    if _BIRTH_WORDS.search(text):
        return "a date of birth"
    for match in _DATE.finditer(text):
        year = int(match.group(1) or match.group(2))
        if year <= this_year - ADULT_AGE:
            return "a date of birth"
    return None


def check_free_text(
    reader: Reader, field_id: str, problems: Problems, this_year: int, limit: int = 1000
) -> str:
    """Free text within ``limit`` and without client data; the text ("" after a problem)."""
    text = reader.text(field_id)
    if len(text) > limit:
        problems[field_id] = Problem("invalid", f"Keep it under {limit} characters.")
        return ""
    found = client_data(text, this_year)
    if found:
        problems[field_id] = Problem("client_data", CLIENT_DATA.format(what=found))
        return ""
    return text
