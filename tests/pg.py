"""A throwaway PostgreSQL cluster in a temporary folder, on a Unix socket only."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: run `make test`, which installs postgresql"
        )
    return found


class Cluster:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url(db)`` names a database in it.

    By default the server trades durability for speed (no fsync, asynchronous commits), as a
    test suite may. ``durable=True`` gives a production server's settings: fault tests that
    kill it need every acknowledged commit to survive.
    """

    def __init__(self, durable: bool = False, max_connections: int = 200) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="exam-engine-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")
        flag = "on" if durable else "off"
        self.settings = {
            "listen_addresses": "''",
            "max_connections": str(max_connections),
            "synchronous_commit": flag,
            "fsync": flag,
            "full_page_writes": flag,
        }

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> Cluster:
        """initdb, then start the server listening only on a socket in the temporary folder."""
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            _bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the server on the existing data folder and wait until it accepts connections."""
        options = f"-k {self.socket_dir} " + " ".join(
            f"-c {name}={value}" for name, value in self.settings.items()
        )
        self._run(
            _bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "log"),
            "start",
        )

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: roll back open transactions; ``immediate``: kill it)."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def conninfo(self, database: str) -> dict[str, str]:
        """Keyword arguments for ``psycopg.connect``."""
        return {"host": str(self.socket_dir), "user": self.user, "dbname": database}

    def stop(self) -> None:
        """Stop the server and remove the folder."""
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for ``database`` over the socket."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}"

    def sql(self, statement: str) -> None:
        """Run one statement as the superuser in the ``postgres`` database (autocommit)."""
        import psycopg

        for attempt in range(50):
            try:
                with psycopg.connect(**self.conninfo("postgres"), autocommit=True) as conn:
                    conn.execute(statement)  # type: ignore[arg-type]
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.1 * (attempt + 1))  # template still has a connection closing
        raise RuntimeError(f"could not run: {statement}")
