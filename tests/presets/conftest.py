"""Each scenario module names its preset (``PRESET``); its tests run with that community."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chatbot.policy import BUNDLED_PRESET
from chatbot.storage.database import Database
from flows.community import Community
from tests.conftest import Clock
from tests.presets.harness import PresetBed, load_preset, preset_bed


@pytest.fixture
def community(request: pytest.FixtureRequest) -> Community:
    return load_preset(getattr(request.module, "PRESET", BUNDLED_PRESET))


@pytest.fixture
async def bed(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[PresetBed]:
    async with preset_bed(database_url, database, community, clock) as testbed:
        yield testbed
