"""Platform user ids resolved to work e-mails, cached to spare the platforms' APIs, with the
name each person's profile showed when it was resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chatbot.storage.models import ChatIdentity


def cached_email(
    session: Session, platform: str, user_id: str, fresh_after: datetime
) -> tuple[str, datetime] | None:
    """The e-mail resolved for this user and when, if it was resolved after ``fresh_after``."""
    row = session.get(ChatIdentity, (platform, user_id))
    if row is None or row.resolved_at < fresh_after:
        return None
    return row.email, row.resolved_at


def remember_email(
    session: Session,
    platform: str,
    user_id: str,
    email: str,
    at: datetime,
    *,
    name: str | None = None,
) -> None:
    """Insert or refresh in one statement, so a person's first requests arriving at once on
    several replicas never collide on the primary key. A profile without a name keeps the
    name remembered before."""
    values = {
        "platform": platform,
        "platform_user_id": user_id,
        "email": email,
        "resolved_at": at,
        "name": name,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ChatIdentity).values(values)
    refreshed = {"email": statement.excluded.email, "resolved_at": statement.excluded.resolved_at}
    if name is not None:
        refreshed["name"] = statement.excluded.name
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["platform", "platform_user_id"], set_=refreshed
        )
    )


def profile_name(session: Session, email: str) -> str | None:
    """The name this person's chat profile showed when last resolved on any platform."""
    return session.scalar(
        select(ChatIdentity.name)
        .where(ChatIdentity.email == email, ChatIdentity.name.is_not(None))
        .order_by(ChatIdentity.resolved_at.desc())
        .limit(1)
    )
