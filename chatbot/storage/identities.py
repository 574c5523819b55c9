"""Platform user ids resolved to work e-mails, cached to spare the platforms' APIs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chatbot.storage.models import ChatIdentity


def cached_email(
    session: Session, platform: str, user_id: str, fresh_after: datetime
) -> str | None:
    """The e-mail resolved for this user, if it was resolved after ``fresh_after``."""
    row = session.get(ChatIdentity, (platform, user_id))
    if row is None or row.resolved_at < fresh_after:
        return None
    return row.email


def remember_email(session: Session, platform: str, user_id: str, email: str, at: datetime) -> None:
    """Insert or refresh in one statement, so a person's first requests arriving at once on
    several replicas never collide on the primary key."""
    values = {"platform": platform, "platform_user_id": user_id, "email": email, "resolved_at": at}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ChatIdentity).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["platform", "platform_user_id"],
            set_={"email": statement.excluded.email, "resolved_at": statement.excluded.resolved_at},
        )
    )
