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
    """Start with :meth:`start`, stop with :meth:`stop`; ``url(db)`` names a database in it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="exam-engine-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> Cluster:
        """initdb, then pg_ctl start listening only on a socket in the temporary folder."""
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
        options = (
            f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
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
        return self

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
                with psycopg.connect(
                    host=str(self.socket_dir), user=self.user, dbname="postgres", autocommit=True
                ) as conn:
                    conn.execute(statement)  # type: ignore[arg-type]
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.1 * (attempt + 1))  # template still has a connection closing
        raise RuntimeError(f"could not run: {statement}")
