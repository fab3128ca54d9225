"""Fixtures for the grading tests: the reference data folder and a small worker pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exam_engine.grading import GradingPool

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    """The folder of reference data (../shared/reference from the repository root)."""
    assert REFERENCE.is_dir(), f"reference data missing at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def pool() -> Iterator[GradingPool]:
    """A pool of two workers with a short time limit, closed after the session."""
    p = GradingPool(size=2, timeout=2.0, memory_bytes=1 << 30)
    try:
        yield p
    finally:
        p.close()
