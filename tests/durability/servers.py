"""Real servers for fault tests and benchmarks: a PostgreSQL cluster that can be restarted,
a database seeded with an exam and invitations, and a web server with several worker processes
(gunicorn or granian, the two servers docs/operations.md describes; ``SERVERS`` by name).

Everything listens on 127.0.0.1 or a Unix socket; every process started here is stopped by
``stop()``, which the fixtures call even when a test fails.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.pg import Cluster

ROOT = Path(__file__).resolve().parents[2]


class SittingCluster(Cluster):
    """A durable :class:`tests.pg.Cluster`: commits are synchronous, so an acknowledged commit
    is in the WAL before the client hears of it and survives the server being killed
    (``-m immediate``). ``durable=True`` also turns on fsync and full-page writes."""

    def __init__(self, durable: bool = False, max_connections: int = 300) -> None:
        super().__init__(durable=durable, max_connections=max_connections)
        self.settings["synchronous_commit"] = "on"


def seed_sitting(
    url: str, candidates: int, migrate_first: bool = True, slug: str = "screening", first: int = 0
) -> list[str]:
    """Migrate ``url`` (with the sample banks), make an open exam and invitations.

    :param candidates: how many invitations to create.
    :param first: number of the first candidate (to add invitations to an existing exam).
    :returns: the invitation tokens.
    """
    from exam_engine.extensions import db
    from exam_engine.models import Exam
    from tests.conftest import make_app, migrate
    from tests.factories import make_exam, make_invitation

    if migrate_first:
        migrate(url)
    app = make_app(url)
    with app.app_context():
        exam = db.session.scalars(db.select(Exam).where(Exam.slug == slug)).first()
        if exam is None:
            exam = make_exam(slug, duration_minutes=180)
        tokens = [
            make_invitation(exam, f"candidate{n}@example.org").token
            for n in range(first, first + candidates)
        ]
        db.session.remove()
        db.engine.dispose()
    return tokens


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebServer:
    """The app behind a web server with several worker processes, as in production; a
    subclass gives the server's command line (:class:`Gunicorn`, :class:`Granian`).

    :param database_url: the SQLAlchemy URL of the sitting's database.
    :param workers: worker processes, with ``threads`` each; ``worker_class`` (``sync`` or
        ``gthread``) and ``preload`` are gunicorn's.
    """

    name = "web server"

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        workers: int = 3,
        worker_class: str = "sync",
        threads: int = 1,
        grader_workers: int = 1,
        preload: bool = True,
        broker_url: str | None = None,
        queue: str = "exam-engine",
        settings: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.settings = settings or {}  # further EXAM_ENGINE_* variables
        self.log_path = log_path
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.grader_workers = grader_workers
        # Preloading imports the app once in the master: a replacement worker is a plain fork,
        # quick, and runs the same code as its siblings even if files change meanwhile.
        self.preload = preload
        # Submits enqueue grading: on the test broker (started on first use) by default.
        self.broker_url = broker_url
        self.queue = queue
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> WebServer:
        """Start the master and wait until every worker is up and the app answers."""
        self.port = free_port()
        from tests.conftest import broker

        env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_ENGINE_")}
        env.update(
            {
                "EXAM_ENGINE_DATABASE_URL": self.database_url,
                "EXAM_ENGINE_SECRET_KEY": "durability-test-secret",
                "EXAM_ENGINE_BASE_URL": "http://127.0.0.1",
                "EXAM_ENGINE_GRADER_WORKERS": str(self.grader_workers),
                "EXAM_ENGINE_BROKER_URL": self.broker_url or broker().url,
                "EXAM_ENGINE_QUEUE_NAME": self.queue,
                **self.settings,
            }
        )
        command = self.command()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}: see {self.log_path}"
                )
            if len(self.worker_pids()) == self.workers and self.answers():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not come up in {timeout} s: see {self.log_path}")

    def command(self) -> list[str]:
        """The server's command line."""
        raise NotImplementedError

    def answers(self) -> bool:
        """Whether the app answers ``GET /`` with a status under 500."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            return response.status < 500
        except OSError:
            return False
        finally:
            connection.close()

    def worker_pids(self) -> set[int]:
        """The pids of the master's live children (its workers)."""
        if self.process is None:
            return set()
        return children_of(self.process.pid)

    def stop(self) -> None:
        """Stop the master gracefully, then kill anything left in its process group."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the group of this master only
        except (ProcessLookupError, PermissionError):
            pass
        process.wait(timeout=15)


class Gunicorn(WebServer):
    """``gunicorn 'exam_engine:create_app()'``: ``worker_class`` ``sync`` or ``gthread``."""

    name = "gunicorn"

    def command(self) -> list[str]:
        """The server's command line."""
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--backlog",
            "2048",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
            *(["--preload"] if self.preload else []),
            "exam_engine:create_app()",
        ]


def children_of(parent: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``parent``, read from /proc."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[1]) == parent:
            found.add(int(entry))
    return found


class Granian(WebServer):
    """``granian --interface wsgi --factory exam_engine:create_app``: the same app behind a
    server whose HTTP handling is compiled (Rust), its WSGI calls on ``threads`` blocking
    threads per worker process; the recommended server (docs/operations.md). ``preload`` and
    ``worker_class`` do not apply: each worker process imports the app itself."""

    name = "granian"

    def command(self) -> list[str]:
        granian = Path(sys.executable).with_name("granian")
        if not granian.exists():
            raise RuntimeError(f"no {granian}: install exam-engine's dependencies")
        return [
            str(granian),
            "--interface",
            "wsgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--blocking-threads",
            str(self.threads),
            "--backlog",
            "2048",
            # A worker that dies (killed, out of memory) is replaced, as gunicorn's master does.
            "--respawn-failed-workers",
            "--respawn-interval",
            "1",
            "--workers-kill-timeout",
            "5",
            "--no-access-log",
            "exam_engine:create_app",
        ]


SERVERS: dict[str, type[WebServer]] = {"gunicorn": Gunicorn, "granian": Granian}
