"""The Slack endpoint of the running server refuses what slack_sdk's verifier used to raise on
(HTTP 500 and a traceback): nothing reaches the bot and nothing is written."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, ChatIdentity, OutboxRow
from tests.e2e.slack_testbed import SlackTestbed

BODY = "command=%2Fhmis-access&user_id=ULEAD&text="


def written(database: Database) -> tuple[int, ...]:
    with database.transaction() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (AuditEventRow, ChatIdentity, OutboxRow)
        )


@pytest.mark.parametrize(
    "timestamp", ["abc", "1e9", "", "-1", "9" * 5000, "\u0661\u0668\u0660\u0660", "+1"]
)
async def test_a_timestamp_that_is_not_a_number_is_401(
    slack: SlackTestbed, database: Database, timestamp: str
) -> None:
    before = written(database)
    headers = slack.signed(BODY) | {"X-Slack-Request-Timestamp": timestamp}
    assert (await slack.post(BODY, headers))[0] == 401
    await slack.settle()
    assert slack.fake.calls == []
    assert written(database) == before


async def test_signatures_from_the_future_are_stale_too(
    slack: SlackTestbed, database: Database
) -> None:
    before = written(database)
    ahead = slack.signed(BODY, timestamp=int(time.time()) + 600)
    assert (await slack.post(BODY, ahead))[0] == 401
    non_ascii = slack.signed(BODY) | {"X-Slack-Signature": "v0=" + "\u00e9" * 64}
    assert (await slack.post(BODY, non_ascii))[0] == 401
    await slack.settle()
    assert slack.fake.calls == []
    assert written(database) == before
