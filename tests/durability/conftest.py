"""One real sitting per module and web server: PostgreSQL, a seeded database and gunicorn or
granian with 3 worker processes (each test runs on both)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.durability.servers import SERVERS, SittingCluster, WebServer, seed_sitting

WORKERS = 3
INVITATIONS = 160


@dataclass
class Sitting:
    """The servers of a sitting, and invitations not yet used by any test."""

    cluster: SittingCluster
    database: str
    server: WebServer
    tokens: list[str]
    log: Path

    def take(self, n: int) -> list[str]:
        """``n`` fresh invitation tokens: every test gets its own candidates."""
        taken, self.tokens = self.tokens[:n], self.tokens[n:]
        assert len(taken) == n, "not enough invitations seeded for this module"
        return taken

    def log_tail(self, lines: int = 40) -> str:
        """The end of the web server's log, for assertion messages."""
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@pytest.fixture(scope="module", params=sorted(SERVERS))
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Sitting:
    """Start everything behind the web server named by the parameter; each finalizer is
    registered as soon as its process exists."""
    cluster = SittingCluster()
    request.addfinalizer(cluster.stop)
    cluster.start()
    cluster.sql("CREATE DATABASE sitting")
    tokens = seed_sitting(cluster.url("sitting"), INVITATIONS)
    log = tmp_path_factory.mktemp(request.param) / f"{request.param}.log"
    server = SERVERS[request.param](cluster.url("sitting"), log, workers=WORKERS)
    request.addfinalizer(server.stop)
    server.start()
    return Sitting(cluster, "sitting", server, tokens, log)


@pytest.fixture
def sitting(servers: Sitting) -> Sitting:
    """The module's sitting, checked to be up before each test."""
    process = servers.server.process
    assert process is not None and process.poll() is None, (
        f"{servers.server.name} is not running (an earlier test broke it):\n" + servers.log_tail()
    )
    assert servers.server.answers(), (
        f"{servers.server.name} does not answer:\n" + servers.log_tail()
    )
    return servers
