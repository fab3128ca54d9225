"""A throwaway Redis server in a temporary folder, on a Unix socket only (the queue's broker)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class RedisServer:
    """Start with :meth:`start`, stop with :meth:`stop`; :attr:`url` is the broker URL."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="exam-engine-redis-"))
        self.socket = self.root / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket))

    def start(self) -> RedisServer:
        """Start redis-server with no TCP port, persistence off, in the temporary folder."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server was not found: run `make test`, which installs it")
        self.process = subprocess.Popen(
            [
                binary,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--dir", str(self.root),
                "--save", "",
                "--appendonly", "no",
                "--databases", "64",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except (redis.ConnectionError, FileNotFoundError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 20 s")

    def restart(self) -> None:
        """Stop the server (its queued messages are lost) and start it again on the same socket."""
        self.stop(keep_folder=True)
        self.start()

    def stop(self, keep_folder: bool = False) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if not keep_folder:
            shutil.rmtree(self.root, ignore_errors=True)
