"""Operator mistakes as one line each, naming the setting or option to fix and how.

``hmis-bot`` prints these instead of a traceback. Database URLs are shown with the password
masked, and a driver's message is never shown with the password in it.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from chatbot.storage.schema import is_current, unknown_revisions

DATABASE_URL = "HMIS_BOT_DATABASE_URL"
URL_FORMS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE"

# "connection failed: connection to server at "h", port 1 failed: FATAL:  why" -> "why"
_DRIVER_PREAMBLE = re.compile(r"^(connection failed: )?(connection to server .*? failed: )?")

# What an operator does about a driver's reason, by a phrase of the reason; first match wins.
_DATABASE_HINTS = (
    ("no such table", "run `hmis-bot init` first"),
    ("relation", "run `hmis-bot init` first"),
    ("unable to open database file", "check that the folder exists and is writable"),
    ('database "', "create the database first (createdb NAME) or fix the URL"),
    ('role "', "check the user name in the URL"),
    ("password", "check the user name and password in the URL"),
    ("permission denied", "check that this database user may create and use tables"),
)
_SERVER_HINT = "check the host and port in the URL, and that the server is running"
_FILE_HINT = "check the database file and its folder"

_BIND_PROBLEMS = {
    errno.EADDRINUSE: "is in use by another program: stop it, or choose another --port",
    errno.EACCES: "needs root: choose a --port above 1023",
    errno.EADDRNOTAVAIL: "is not an address of this machine: fix --host",
}


class CommandError(Exception):
    """A mistake the operator can fix; its message is the line ``hmis-bot`` prints."""


def masked(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def check_database_url(url: str) -> None:
    """Refuse a URL SQLAlchemy cannot read, or whose database or driver it cannot load."""
    try:
        make_url(url).get_dialect().import_dbapi()
    except NoSuchModuleError:
        kind = make_url(url).drivername
        raise CommandError(
            f"{DATABASE_URL}: '{kind}' is not a kind of database this bot knows: write {URL_FORMS}"
        ) from None
    except ArgumentError:
        raise CommandError(f"{DATABASE_URL} is not a database URL: write {URL_FORMS}") from None
    except ImportError as error:
        kind = make_url(url).drivername
        raise CommandError(
            f"{DATABASE_URL}: '{kind}' needs the driver {error.name}, which is not installed: "
            f"write {URL_FORMS}"
        ) from None


def schema_not_ready(url: str, newer: Iterable[str] = ()) -> CommandError:
    """The schema is not the one this version works on: missing or old (``init`` upgrades
    it), or ``newer``, at revisions only a later version knows (``init`` cannot go back)."""
    if newer:
        return CommandError(
            f"{DATABASE_URL}: {masked(url)} has a newer schema ({', '.join(sorted(newer))}) "
            "than this version of hmis-bot knows: run the version that upgraded it"
        )
    return CommandError(
        f"{DATABASE_URL}: {masked(url)} has no tables yet, or an old schema: "
        "run `hmis-bot init` first"
    )


def require_current_schema(engine: Engine, url: str) -> None:
    """Refuse to work on a database whose schema is not the one this version works on."""
    if not is_current(engine):
        raise schema_not_ready(url, unknown_revisions(engine))


def database_failed(error: DBAPIError, url: str) -> CommandError:
    """The database refused the connection or a statement: why, and what to do about it."""
    reason = _reason(error, url)
    default = _FILE_HINT if make_url(url).get_backend_name() == "sqlite" else _SERVER_HINT
    hint = next((h for phrase, h in _DATABASE_HINTS if phrase in reason.lower()), default)
    return CommandError(f"{DATABASE_URL}: {masked(url)}: {reason}; {hint}")


def _reason(error: DBAPIError, url: str) -> str:
    """The driver's first line without its preamble, and never the password."""
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    reason = _DRIVER_PREAMBLE.sub("", lines[0]).replace("FATAL:", "").strip()
    password = make_url(url).password
    return reason.replace(password, "***") if password else reason


def bind_failed(error: OSError, host: str, port: int) -> CommandError | None:
    """Why ``serve`` could not listen on host:port; None for an error that is not about that."""
    if isinstance(error, socket.gaierror):
        return CommandError(f"--host {host}: not a name or address of this machine")
    problem = _BIND_PROBLEMS.get(error.errno or 0)
    return CommandError(f"--port {port} on {host} {problem}") if problem else None
