"""A platform under strain, for the fakes of Slack's Web API and the Bot Framework connector."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field

STATUSES = (429, 500, 503)


@dataclass
class Storm:
    """Each call to one of ``methods`` fails with probability ``share``, as HTTP 429 (the
    fakes add ``Retry-After``), 500 or 503, drawn from a seeded RNG so a run repeats."""

    methods: Collection[str]
    share: float = 0.5
    seed: int = 1
    struck: int = 0
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def strikes(self, method: str) -> int | None:
        """The status to fail this call with, or None to let it through."""
        if method not in self.methods or self._rng.random() >= self.share:
            return None
        self.struck += 1
        return self._rng.choice(STATUSES)
