"""Requests as aiohttp's server hands them to a handler, without sockets: thousands of fuzz
cases take seconds through ``make_mocked_request``, minutes through a test server."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping

from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request


@functools.cache
def _connection() -> web.Request:
    """The mocked connection parts, made once: building them is most of a request's cost."""
    return make_mocked_request("POST", "/")


def mocked_post(path: str, body: bytes, headers: Mapping[str, str]) -> web.Request:
    """A POST as aiohttp's server hands it to a handler, with this body and these headers."""
    connection = _connection()
    payload = StreamReader(connection.protocol, 2**16, loop=asyncio.get_running_loop())
    payload.feed_data(body)
    payload.feed_eof()
    return make_mocked_request(
        "POST",
        path,
        headers=dict(headers),
        payload=payload,
        app=connection.app,
        transport=connection.transport,
        protocol=connection.protocol,
        writer=connection.writer,
    )
