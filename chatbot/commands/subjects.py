"""People, requests and accounts as an operator reads them in the CLI's output: names, not
e-mail addresses or row ids, looked up once each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatbot.storage.identities import profile_name
from chatbot.storage.models import Account, RequestRow
from flows.community import Community
from flows.model import ACCOUNT_SUBJECT, REQUEST_SUBJECT
from flows.nudges.inactivity import INACTIVITY_SUBJECT, Announcement

ADMIN_CHANNEL = "the HMIS admin channel"


@dataclass
class Subjects:
    session: Session
    community: Community
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def person(self, email: str | None) -> str:
        """The directory's name, else the chat profile's, else the e-mail; None: the admins."""
        if email is None:
            return ADMIN_CHANNEL
        return self._once("person", email, self._person)

    def subject(self, kind: str | None, subject_id: str | None) -> str:
        """``request #3: Jane Doe (new user)``, ``account: Jane Doe``; empty for none."""
        if kind is None or subject_id is None:
            return ""
        if kind == REQUEST_SUBJECT:
            return self._once(kind, subject_id, self._request)
        if kind == ACCOUNT_SUBJECT:
            return f"account: {self._once(kind, subject_id, self._account)}"
        return f"{kind} {subject_id}"

    def account_name(self, account_id: str) -> str:
        return self._once(ACCOUNT_SUBJECT, account_id, self._account)

    def announced_account(self, subject_id: str) -> str:
        """The account an inactivity announcement is about, by name."""
        announcement = Announcement.parse(subject_id)
        if announcement is None:
            return f"{INACTIVITY_SUBJECT} {subject_id}"
        return self.account_name(str(announcement.account_id))

    def _once(self, kind: str, key: str, find: Callable[[str], str]) -> str:
        if (kind, key) not in self._seen:
            self._seen[(kind, key)] = find(key)
        return self._seen[(kind, key)]

    def _person(self, email: str) -> str:
        """The directory's name, the chat profile's, the HMIS account's, or the name a
        request gave them, in that order; the e-mail when nobody named them."""
        listed = self.community.display_name(email)
        if listed != email:
            return listed
        account = self.session.scalar(select(Account.name).where(Account.email == email))
        subject = self.session.scalar(
            select(RequestRow.subject_name)
            .where(RequestRow.subject_email == email)
            .order_by(RequestRow.id.desc())
            .limit(1)
        )
        return profile_name(self.session, email) or account or subject or email

    def _request(self, request_id: str) -> str:
        row = self.session.get(RequestRow, int(request_id)) if request_id.isdigit() else None
        if row is None:
            return f"request #{request_id}"
        return f"request #{row.id}: {row.subject_name} ({row.kind.replace('_', ' ')})"

    def _account(self, account_id: str) -> str:
        row = self.session.get(Account, int(account_id)) if account_id.isdigit() else None
        return row.name if row is not None else f"#{account_id}"
