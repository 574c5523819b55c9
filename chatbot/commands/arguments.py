"""The argument parser's conventions: one-line usage errors, checked option values, and an
epilog per command listing the environment variables it reads."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import NoReturn

from chatbot.settings import ENVIRONMENT

Commands = argparse._SubParsersAction  # argparse names no public type for it

HIGHEST_PORT = 65535


class Parser(argparse.ArgumentParser):
    """Usage mistakes end in one line naming the option, not in the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def add_command(
    commands: Commands[Parser], name: str, summary: str, reads: Sequence[str]
) -> Parser:
    """A sub-command whose ``--help`` ends with the environment variables it reads."""
    command: Parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=environment_epilog(reads),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(reads=tuple(reads))
    return command


def environment_epilog(reads: Sequence[str]) -> str:
    if not reads:
        return "environment: this command reads no environment variables"
    width = max(map(len, reads))
    return "environment:\n" + "\n".join(f"  {n.ljust(width)}  {ENVIRONMENT[n]}" for n in reads)


def port(text: str) -> int:
    """A TCP port number, for ``--port``."""
    if not text.isdigit() or not 1 <= int(text) <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number from 1 to {HIGHEST_PORT}")
    return int(text)


def iso_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD, for ``--since``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: write it as YYYY-MM-DD, such as 2026-01-31"
        ) from None
