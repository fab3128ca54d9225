"""Background work on a Celery task queue: grading, deadlines, regrades and analyses.

Nothing heavy runs inside a web request. A view commits what the person did, then *enqueues*
the work by task name; worker processes (``exam-engine worker``, on this machine or others) take
it from the broker and run it inside an app context, committing as a view does.

The broker is ``BROKER_URL`` (``EXAM_ENGINE_BROKER_URL``): Redis for real sittings. Without one,
an *embedded* broker keeps its messages as files in the instance folder, and ``exam-engine run``
starts a worker beside the development server, so a fresh clone needs no broker server.

Every task is idempotent and every state it moves lives in the database (an attempt's
``graded_at``, a job's progress), so a lost message costs only time: the periodic sweep
(:mod:`exam_engine.jobs.sweep`) finds what is owed and enqueues it again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.signals import after_setup_logger, task_postrun, task_prerun, worker_process_init
from flask import Flask, current_app

log = logging.getLogger(__name__)

# Task names: senders name a task without importing the module that runs it.
GRADE_ATTEMPT = "exam_engine.grade_attempt"
SWEEP = "exam_engine.sweep"
SEND_RECEIPT = "exam_engine.send_receipt"
MAIL_SWEEP = "exam_engine.mail_sweep"
SEND_RESET = "exam_engine.send_reset"
MAIL_INVITATIONS = "exam_engine.mail_invitations"

TASK_MODULES = (
    "exam_engine.jobs.grading",
    "exam_engine.jobs.sweep",
    "exam_engine.jobs.analysis",
    "exam_engine.jobs.regrade",
    "exam_engine.jobs.mail",
)


def broker_settings(app: Flask) -> dict[str, Any]:
    """The broker's URL and transport options: the configured one, or the embedded one."""
    url = app.config.get("BROKER_URL")
    if url:
        return {"broker_url": str(url), "broker_transport_options": {}}
    folder = Path(app.config.get("EMBEDDED_BROKER_PATH") or Path(app.instance_path) / "queue")
    (folder / "messages").mkdir(parents=True, exist_ok=True)
    (folder / "control").mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://localhost/",  # the host means nothing to files; named, quiet
        "broker_transport_options": {
            "data_folder_in": str(folder / "messages"),
            "data_folder_out": str(folder / "messages"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    }


def is_embedded(app: Flask) -> bool:
    """Whether this app uses the embedded broker (no ``BROKER_URL`` set)."""
    return not app.config.get("BROKER_URL")


def init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app``: tasks run inside its app context.

    :returns: the Celery app, also kept as ``app.extensions["celery"]``.
    """

    class FlaskTask(Task):
        """A task that runs inside the Flask app's context (and so its database session)."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    queue = str(app.config["QUEUE_NAME"])
    celery.conf.update(
        **broker_settings(app),
        include=list(TASK_MODULES),
        task_default_queue=queue,
        task_ignore_result=True,
        result_backend=None,
        # A task is acknowledged after it ran: a worker that dies mid-task gives it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=int(app.config["TASK_TIME_LIMIT_SECONDS"]),
        task_soft_time_limit=int(app.config["TASK_TIME_LIMIT_SECONDS"]) - 10,
        worker_max_tasks_per_child=int(app.config["WORKER_MAX_TASKS_PER_CHILD"]),
        worker_max_memory_per_child=int(app.config["WORKER_MAX_MEMORY_MB"]) * 1024,
        broker_connection_retry_on_startup=True,
        # Enqueueing happens inside web requests: an unreachable broker must cost a second, not
        # a worker's timeout (the sweep re-enqueues what could not be sent).
        broker_connection_timeout=2,
        broker_connection_max_retries=1,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_max": 0.5},
        beat_schedule={
            "sweep": {
                "task": "exam_engine.sweep",
                "schedule": float(app.config["SWEEP_SECONDS"]),
                "options": {"expires": float(app.config["SWEEP_SECONDS"])},
            },
            # Analyses and regrade dry runs whose worker died or whose message was lost.
            "committee-sweep": {
                "task": "exam_engine.committee_sweep",
                "schedule": float(app.config["SWEEP_SECONDS"]),
                "options": {"expires": float(app.config["SWEEP_SECONDS"])},
            },
            # Mail whose task was lost, and receipts of attempts the deadline closed.
            "mail-sweep": {
                "task": "exam_engine.mail_sweep",
                "schedule": float(app.config["SWEEP_SECONDS"]) * 3,
                "options": {"expires": float(app.config["SWEEP_SECONDS"]) * 3},
            },
        },
        timezone="UTC",
        # The app's lines go to standard error through its own handler (exam_engine.logs), once:
        # not again through Celery's capture of standard error, nor through the root logger.
        worker_redirect_stdouts=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery

    @worker_process_init.connect(weak=False)
    def _pool_process_started(**_: Any) -> None:
        _prepare_pool_process(app)

    return celery


def _prepare_pool_process(app: Flask) -> None:
    """Ready a freshly forked pool process of a worker to grade.

    - Database connections inherited from the parent must not be shared: drop them.
    - Each pool process grades one attempt at a time, so one grading process (with its time and
      memory limits) is all it needs.
    - Celery's pool processes come from billiard (its fork of multiprocessing): they are marked
      daemonic, which multiprocessing refuses children to, and carry billiard's authentication
      key, which multiprocessing cannot hand to its fork server. The grading processes are
      exactly such children (stopped with their parent), so the process gets plain values.
    """
    from exam_engine import grading
    from exam_engine.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
    grading.configure_pool(size=1)
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    config["daemon"] = False
    config["authkey"] = multiprocessing.process.AuthenticationString(os.urandom(32))  # type: ignore[attr-defined]


_STARTED: dict[str, float] = {}


@after_setup_logger.connect(weak=False)
def _own_lines_once(**_: Any) -> None:
    """In a worker, Celery gives the root logger a handler of its own: the app's records, which
    its handler already wrote, stop there instead of being written a second time."""
    logging.getLogger("exam_engine").propagate = False


@task_prerun.connect(weak=False)
def _task_started(task_id: str = "", **_: Any) -> None:
    _STARTED[task_id] = time.perf_counter()


@task_postrun.connect(weak=False)
def _task_finished(task_id: str = "", task: Any = None, state: str = "", **_: Any) -> None:
    """One log line per job, with its id (the ``request_id`` of every line it logged)."""
    began = _STARTED.pop(task_id, None)
    ms = round((time.perf_counter() - began) * 1000, 1) if began is not None else None
    name = getattr(task, "name", "?")
    log.info("job %s %s in %s ms", name, state, ms, extra={"task": name, "ms": ms})


def celery_app() -> Celery:
    """The current Flask app's Celery app."""
    return current_app.extensions["celery"]


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Send a task once the current transaction commits (never before, never if it does not).

    How services hand work to the queue: they flush, the view or task commits, and only then
    can a worker read what the task needs. A transaction rolled back instead sends nothing.
    """
    from sqlalchemy import event

    from exam_engine.extensions import db

    session = db.session()

    def send(_session: Any) -> None:
        if event.contains(session, "after_soft_rollback", drop):
            event.remove(session, "after_soft_rollback", drop)
        enqueue(task_name, *args)

    def drop(_session: Any, _previous: Any) -> None:
        if event.contains(session, "after_commit", send):
            event.remove(session, "after_commit", send)

    event.listen(session, "after_commit", send, once=True)
    event.listen(session, "after_soft_rollback", drop, once=True)


def enqueue(task_name: str, *args: Any, **options: Any) -> bool:
    """Send a task by name, after the caller committed what it needs.

    A broker that cannot be reached is logged, not raised: the person's action is already
    committed, and the sweep enqueues whatever is still owed.

    :returns: whether the message was handed to the broker.
    """
    try:
        celery_app().send_task(task_name, args=list(args), **options)
    except Exception:  # noqa: BLE001 - any broker failure; the sweep makes up for it
        log.warning("could not enqueue %s%r; the sweep will retry", task_name, args, exc_info=True)
        return False
    return True
