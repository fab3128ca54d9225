"""Fixtures for the question-bank tests: the sample bank, and broken copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exam_engine.banks import Bank, load_bank

SAMPLE_BANK = Path(__file__).resolve().parents[2] / "question_banks" / "fellowship"


@pytest.fixture(scope="session")
def sample_bank() -> Bank:
    """The sample bank, loaded once."""
    return load_bank(SAMPLE_BANK)


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A fresh copy of the sample bank to break."""
    target = tmp_path / "fellowship"
    shutil.copytree(SAMPLE_BANK, target)
    return target
