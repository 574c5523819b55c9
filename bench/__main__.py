"""``python -m bench [--quick | --smoke] [--database-url URL] [--paths a,b]``: the bot under
concurrent load against bare Bolt and stock botbuilder, one table of ratios. See bench/README.md."""

from __future__ import annotations

import asyncio

from bench.plan import parse
from bench.run import run


def main(argv: list[str] | None = None) -> None:
    print(asyncio.run(run(parse(argv))), flush=True)


if __name__ == "__main__":
    main()
