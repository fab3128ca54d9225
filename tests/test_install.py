"""The package installs as a wheel (not only editable) and sets up a database from nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_built_wheel_migrates_and_makes_the_demo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheels.glob("exam_engine-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXAM_ENGINE_", "FLASK_"))}
    env.update(
        {
            # The installed copy comes first; the dependencies come from this interpreter.
            "PYTHONPATH": str(target),
            "EXAM_ENGINE_DATABASE_URL": f"sqlite:///{tmp_path / 'exam.sqlite'}",
            "EXAM_ENGINE_SECRET_KEY": "wheel-test",
            "EXAM_ENGINE_BASE_URL": "https://exam.example.org",
        }
    )

    def cli(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "exam_engine.cli", *args],
            cwd=empty,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    where = subprocess.run(
        [sys.executable, "-c", "import exam_engine; print(exam_engine.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target)), where
    assert "Running upgrade" in cli("db", "upgrade")
    demo = cli("demo")
    assert "https://exam.example.org/i/" in demo and "Staff sign-in" in demo
    assert list(empty.iterdir()) == []  # nothing written where it was run
