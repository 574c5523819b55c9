"""A PostgreSQL cluster of the test's own, under /tmp on a free port, that a test may stop and
start again: a real database outage, without touching the shared server on 5432."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REQUIRE_POSTGRES


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    pg_ctl: str
    data: Path
    port: int
    run_as: list[str]  # PostgreSQL refuses to run as root: then as the postgres user

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.data / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        """As if the server crashed: no shutdown checkpoint, every connection cut."""
        self._pg_ctl("-m", "immediate", "stop")

    @contextmanager
    def down(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", str(self.data), "-w", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )


@contextmanager
def stoppable_cluster() -> Iterator[Cluster | str]:
    """A running cluster, or why there cannot be one here (when PostgreSQL is not required)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        reason = "initdb and pg_ctl (PostgreSQL's server binaries) are not installed"
        if REQUIRE_POSTGRES:
            raise RuntimeError(f"PostgreSQL is required (HMIS_BOT_REQUIRE_POSTGRES=1) but {reason}")
        yield reason
        return
    root = Path(tempfile.mkdtemp(prefix="hmis-bot-pg-"))
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(root, "postgres")
    data = root / "data"
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster = Cluster(pg_ctl, data, _free_port(), run_as)
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
