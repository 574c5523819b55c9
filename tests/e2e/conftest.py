from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flows.community import Community
from tests.conftest import Clock
from tests.e2e.slack_testbed import SlackTestbed, running_bot


@pytest.fixture
async def slack(
    database_url: str, database: object, community: Community, clock: Clock
) -> AsyncIterator[SlackTestbed]:
    async with running_bot(database_url, community, clock) as testbed:
        yield testbed
