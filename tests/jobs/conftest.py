"""Fixtures for the task queue: real ``exam-engine worker`` processes on the test broker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.workers import Worker


@pytest.fixture
def workers(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start workers for the test's app: ``workers(name="w1", beat=True, **config)``."""
    started: list[Worker] = []

    def start(name: str = "w1", beat: bool = True, **config: Any) -> Worker:
        worker = Worker.for_app(app, tmp_path, name, beat, **config).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
