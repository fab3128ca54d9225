"""Real task-queue workers for tests: ``exam-engine worker`` in child processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask


class Worker:
    """``exam-engine worker`` for the app's database and queue, logging to a file.

    :param name: the worker's node name (``name@host`` in Celery's terms).
    :param beat: also run the scheduler (the sweep, every ``SWEEP_SECONDS``).
    """

    def __init__(
        self,
        database_url: str,
        broker_url: str,
        queue: str,
        folder: Path,
        name: str = "w1",
        beat: bool = True,
        **config: Any,
    ) -> None:
        self.log = folder / f"worker-{name}.log"
        self.name = name
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_ENGINE_")}
        settings = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "worker-test-secret",
            "BASE_URL": "http://127.0.0.1",
            "BROKER_URL": broker_url,
            "QUEUE_NAME": queue,
            "SWEEP_SECONDS": 1,
            "GRADER_WORKERS": 1,
            "MAIL_FILE_PATH": str(folder / "mail"),  # receipts with no mail server land here
            **config,
        }
        env.update({f"EXAM_ENGINE_{k}": str(v) for k, v in settings.items()})
        self.command = [
            sys.executable,
            "-m",
            "exam_engine.cli",
            "worker",
            "--concurrency=1",
            f"--loglevel={'INFO'}",
            *(["--beat"] if beat else []),
        ]
        self.env = env
        self.cwd = folder
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def for_app(
        cls, app: Flask, folder: Path, name: str = "w1", beat: bool = True, **config: Any
    ) -> Worker:
        """A worker for the test app's database and queue."""
        return cls(
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["BROKER_URL"],
            app.config["QUEUE_NAME"],
            folder,
            name,
            beat,
            **config,
        )

    def graded(self) -> list[int]:
        """The attempts this worker's log says it graded."""
        return [int(m) for m in re.findall(r"graded attempt (\d+)", self.text())]

    def start(self, timeout: float = 90) -> Worker:
        """Start the worker and wait until it says it is ready."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*self.command, "-n", f"{self.name}@%h"],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.text():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.text()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready in {timeout} s:\n{self.text()[-3000:]}")

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[int]:
        """The pids of the worker's pool processes (the ones that run tasks)."""
        assert self.process is not None
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and children): a machine that died."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_for(predicate: Any, timeout: float = 60, every: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)
