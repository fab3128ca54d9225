"""``exam-engine worker`` and ``exam-engine run``: the task queue's workers, and the development
server with an embedded worker when no broker is configured (API.md)."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import run_command, with_appcontext

from exam_engine import jobs


def worker_argv(concurrency: int, beat: bool, loglevel: str, name: str | None) -> list[str]:
    """Celery's worker arguments for this deployment."""
    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}"]
    if name:
        argv += ["--hostname", name]
    if beat:
        argv += ["--beat", "--schedule", os.path.join(current_app.instance_path, "beat-schedule")]
    if jobs.is_embedded(current_app):
        # The embedded file broker has no broadcast: run without the cluster chatter.
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return argv


@click.command("worker")
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1, 64),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="worker processes (each grades one attempt at a time)",
)
@click.option(
    "--beat/--no-beat",
    default=False,
    help="also run the scheduler (deadlines, lost work); one node is enough, two are harmless",
)
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--name", "-n", help="the worker's node name, e.g. grader1@%h (default: celery@host)")
@with_appcontext
def worker(concurrency: int, beat: bool, loglevel: str, name: str | None) -> None:
    """Run a worker of the task queue: grading, deadlines, regrades, analyses."""
    celery = current_app.extensions["celery"]
    celery.worker_main(argv=worker_argv(concurrency, beat, loglevel, name))


def start_embedded_worker() -> subprocess.Popen[bytes]:
    """A worker (with the scheduler) in a child process, stopped when this process exits."""
    command = [
        sys.executable,
        "-m",
        "exam_engine.cli",
        "worker",
        "--concurrency=1",
        "--beat",
        "--loglevel=WARNING",
    ]
    child = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own module

    def stop() -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)
    # SIGTERM would end this process without running atexit hooks, leaving the worker behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return child


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.option("--no-worker", is_flag=True, help="do not start the embedded worker")
@click.pass_context
def run(ctx: click.Context, no_worker: bool, **_: Any) -> None:
    """Run the development server; with no broker configured, an embedded worker too."""
    # The development server may run without a public address, and without a secret key (it
    # then makes a random one); the embedded worker inherits this.
    os.environ["EXAM_ENGINE_DEV_SERVER"] = "true"
    app = ctx.find_root().obj.load_app()
    # The reloader runs this command again in a child (WERKZEUG_RUN_MAIN): start the worker once.
    if not no_worker and jobs.is_embedded(app) and not os.environ.get("WERKZEUG_RUN_MAIN"):
        start_embedded_worker()
        click.echo(" * Embedded task worker started (no EXAM_ENGINE_BROKER_URL set)")
    ctx.invoke(run_command, **{k: v for k, v in ctx.params.items() if k != "no_worker"})


run.params.extend(p for p in run_command.params if p.name != "no_worker")
