"""Copies the community file's directory (people, agencies, who leads what) into the database,
idempotently, so that exports and operators see the same directory the flows enforce."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from chatbot.storage.models import AgencyMembership, AgencyRow, Person
from flows.community import Community


def sync_directory(session: Session, community: Community) -> None:
    names = {p.email: p.name for p in community.people}
    admins = {a.email: a.name for a in community.admins}
    memberships = {
        (agency.id, email, role)
        for agency in community.agencies
        for role, emails in (
            ("lead", agency.leads),
            ("supervisor", agency.supervisors),
            ("security_officer", agency.security_officers),
        )
        for email in emails
    }
    everyone = set(names) | set(admins) | {email for _, email, _ in memberships}
    for email in sorted(everyone):
        session.merge(
            Person(
                email=email,
                name=admins.get(email) or names.get(email) or email,
                is_admin=email in admins,
            )
        )
    for agency in community.agencies:
        session.merge(
            AgencyRow(id=agency.id, name=agency.name, coc_id=agency.coc, status=agency.status.value)
        )
    session.flush()
    session.execute(delete(AgencyMembership))
    session.add_all(AgencyMembership(agency_id=a, email=e, role=r) for a, e, r in memberships)
