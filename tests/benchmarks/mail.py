"""What e-mail costs: rendering invitations into the outbox ("send to all not yet sent" does this
inside one request) and delivering them to an SMTP server on loopback (a worker's share).

Run with ``make bench``. Prints milliseconds per message and the request time for N invitations.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(count: int = 500) -> None:
    from exam_engine.extensions import db
    from exam_engine.jobs.mail import mail_invitations
    from exam_engine.mail import outbox
    from tests.conftest import make_app, migrate
    from tests.factories import make_exam
    from tests.smtp_server import SmtpServer

    folder = Path(tempfile.mkdtemp(prefix="exam-engine-mail-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    migrate(url)
    smtp = SmtpServer().start()
    app = make_app(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        from exam_engine.services import exams

        exam = make_exam()
        for i in range(count):
            exams.invite(exam, f"c{i}@example.org", f"C{i}")
        db.session.commit()
        began = time.perf_counter()
        assert mail_invitations(exam.id) == count  # the "send to all not yet sent" task
        render_s = time.perf_counter() - began
        made = outbox.of_exam(exam)
        timings = []
        for message in made:
            assert message is not None
            start = time.perf_counter()
            assert outbox.deliver(message, datetime.now(UTC))
            timings.append((time.perf_counter() - start) * 1000)
        db.session.commit()
        assert len(smtp.messages) == count
    smtp.stop()
    timings.sort()
    print(
        f"the bulk task (render, outbox, enqueue), {count} invitations: {render_s * 1000:.0f} ms "
        f"({render_s * 1000 / count:.2f} ms each)"
    )
    print(
        f"deliver over SMTP (loopback, a connection each): "
        f"p50 {statistics.median(timings):.1f} ms, "
        f"p90 {timings[int(0.9 * count)]:.1f} ms, p99 {timings[int(0.99 * count)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
