"""Realistic generated exports for the import tests and ``bench.imports``: a Clarity-style
staff list and an LMS completions export of any size, with bad rows mixed in at known lines.

Every value is made up (``example.org`` addresses); the columns are those of the bundled
community's defaults plus the columns a real export carries that the bot ignores.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

FIRST = ("Ana", "Bo", "Carmen", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lea")
LAST = ("Nguyen", "Smith", "Garcia", "Okafor", "Kim", "Patel", "Silva", "Jones", "Haddad", "Wu")
AGENCIES = (
    ("River House Shelter", "riverhouse"),
    ("Yolo Food Bank", "yolofoodbank"),
    ("Delta Outreach", "delta"),
)
ROLES = (
    "Direct Service Staff",
    "Services Only",
    "Supervisory Access",
    "Reporting and Monitoring Only",
)
STAFF_HEADER = (
    "Username",
    "Full Name",
    "Email",
    "Primary Agency Name",
    "Primary Access Role",
    "Status",
    "Last Login",
    "Phone Number",
    "Date Created",
)
LMS_HEADER = ("Learner", "Email", "Course", "Completion Date", "Score", "Enrollment Date")
COURSES = ("Clarity General Training", "Privacy & Security Training")
OTHER_COURSES = ("Fire Safety", "Trauma-Informed Care", "CPR Refresher")

BAD_STAFF = (
    ("Email", "jsmith-at-riverhouse", "is not an e-mail address"),
    ("Primary Agency Name", "Placer Shelter", "agency 'Placer Shelter' is not one of"),
    ("Primary Access Role", "Superuser", "access role 'Superuser' is not one of"),
    ("Status", "Suspended?", "status 'Suspended?' is not one of"),
    ("Last Login", "last Tuesday", "last login 'last Tuesday' is not a date and time"),
    ("Last Login", "01/01/2099", "last login 01/01/2099 is in the future"),
    ("Full Name", "", "no name in 'Full Name'"),
)
"""(column, value, part of the message) of each kind of bad row, used in turn."""
BAD_LMS = (
    ("Email", "", "no e-mail address in column 'Email'"),
    ("Completion Date", "31/31/2026", "completion date '31/31/2026' is not a date"),
    ("Completion Date", "12/31/2099", "completion date 12/31/2099 is in the future"),
    ("Course", "", "no course in column 'Course'"),
)


@dataclass
class StaffPerson:
    username: str
    name: str
    email: str
    agency: str
    role: str
    status: str
    last_login: datetime | None


@dataclass
class Generated:
    """A generated file and what a correct import of it must find."""

    path: Path
    rows: int
    bad_lines: dict[int, str] = field(default_factory=dict)
    """Line number (the header is line 1) to the part of the message it must get."""
    people: list[StaffPerson] = field(default_factory=list)


def staff_people(count: int, today: date, seed: int = 10) -> list[StaffPerson]:
    """``count`` staff members: most active with a login in the last 90 days, some never
    logged in, a few deactivated (Inactive) or locked."""
    chance = random.Random(seed)
    people = []
    for i in range(count):
        first, last = chance.choice(FIRST), chance.choice(LAST)
        agency, domain = AGENCIES[i % len(AGENCIES)]
        status = chance.choices(("Active", "Inactive", "Locked"), (90, 7, 3))[0]
        login = None
        if chance.random() > 0.05:
            days = chance.uniform(0, 90)
            moment = datetime.combine(today, datetime.min.time()) - timedelta(days=days)
            login = moment.replace(second=0, microsecond=0)
        people.append(
            StaffPerson(
                username=f"{first[0].lower()}{last.lower()}{i}",
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}.{i}@{domain}.example.org",
                agency=agency,
                role=ROLES[chance.randrange(len(ROLES))],
                status=status,
                last_login=login,
            )
        )
    return people


def write_staff(
    path: Path, people: list[StaffPerson], bad_every: int = 0, seed: int = 11
) -> Generated:
    """The staff list, with every ``bad_every``-th row spoiled in one of the ``BAD_STAFF`` ways
    (0: none); what each spoiled line must be told."""
    chance = random.Random(seed)
    generated = Generated(path, len(people), people=people)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, STAFF_HEADER)
        writer.writeheader()
        for i, person in enumerate(people):
            row = _staff_row(person, chance)
            if bad_every and i % bad_every == bad_every - 1:
                column, value, message = BAD_STAFF[(i // bad_every) % len(BAD_STAFF)]
                row[column] = value
                generated.bad_lines[i + 2] = message
            writer.writerow(row)
    return generated


def _staff_row(person: StaffPerson, chance: random.Random) -> dict[str, str]:
    login = person.last_login.strftime("%m/%d/%Y %I:%M %p") if person.last_login else ""
    return {
        "Username": person.username,
        "Full Name": person.name,
        "Email": person.email,
        "Primary Agency Name": person.agency,
        "Primary Access Role": person.role,
        "Status": person.status,
        "Last Login": login,
        "Phone Number": f"916-555-{chance.randrange(10_000):04d}",
        "Date Created": "01/15/2024",
    }


def write_completions(
    path: Path,
    emails: list[str],
    *,
    rows: int,
    today: date,
    bad_every: int = 0,
    seed: int = 12,
) -> Generated:
    """``rows`` LMS rows about these people: completions of the tracked courses over the last
    two years (some people twice), courses the community does not track, enrolments not yet
    completed, and every ``bad_every``-th row spoiled in one of the ``BAD_LMS`` ways."""
    chance = random.Random(seed)
    generated = Generated(path, rows)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, LMS_HEADER)
        writer.writeheader()
        for i in range(rows):
            email = emails[i % len(emails)]
            course = chance.choices((*COURSES, *OTHER_COURSES), (45, 45, 4, 3, 3))[0]
            done = today - timedelta(days=chance.randrange(1, 700))
            row = {
                "Learner": email.split("@", maxsplit=1)[0],
                "Email": email,
                "Course": course,
                "Completion Date": "" if chance.random() < 0.03 else done.strftime("%m/%d/%Y"),
                "Score": str(chance.randrange(70, 101)),
                "Enrollment Date": (done - timedelta(days=7)).isoformat(),
            }
            if bad_every and i % bad_every == bad_every - 1:
                column, value, message = BAD_LMS[(i // bad_every) % len(BAD_LMS)]
                row[column] = value
                generated.bad_lines[i + 2] = message
            writer.writerow(row)
    return generated
