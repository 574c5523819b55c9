"""Ending a person's grants (another agency's clients, Coordinated Entry assessor access) when
their HMIS access ends as a whole: whatever kind closes the account calls ``end_grants_of``, so
no grant outlives the account it was added to, and each ending is in the audit log."""

from __future__ import annotations

from flows.grants import GRANT_SUBJECT, Grant
from flows.model import Actor, AuditEvent, Subject
from flows.ports import Ledger


def end_grants_of(ledger: Ledger, email: str, by: Actor | str, cause: str) -> list[Grant]:
    """End every active grant of the person, each audited as ``grant.ended`` with ``cause``
    (such as ``deactivation #12``); the grants this call ended (one ended meanwhile by someone
    else is left out). ``by`` is the person acting, or the bot's process that acts."""
    actor = by if isinstance(by, Actor) else None
    email_by = by.email if isinstance(by, Actor) else by
    ended = [g for g in (ledger.end_grant(g, email_by) for g in ledger.grants_of(email)) if g]
    ledger.audit_many(
        [
            AuditEvent(
                actor,
                "grant.ended",
                "ok",
                Subject(GRANT_SUBJECT, str(grant.id)),
                {"kind": grant.kind, "value": grant.value, "holder": email, "cause": cause}
                | ({} if actor else {"by": email_by}),
            )
            for grant in ended
        ]
    )
    return ended
