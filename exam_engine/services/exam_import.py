"""Reading a whole-exam export (see :mod:`exam_export`) back into a database."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select

from exam_engine.banks import pick
from exam_engine.banks.topics import check_topics
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Bank,
    Candidate,
    Decision,
    DecisionKind,
    Exam,
    ExamSection,
    Grade,
    IntegrityEvent,
    Invitation,
    ItemAction,
    ItemAdjustment,
    Question,
    QuestionVersion,
    Response,
    ResponseHistory,
    utcnow,
)
from exam_engine.services.exam_export import FORMAT, VERSION, InvalidExport
from exam_engine.services.exam_export import parse_time as _when
from exam_engine.services.jobs import grades_changed


def import_exam(data: Any, slug: str | None = None, now: datetime | None = None) -> Exam:
    """Recreate an exported exam (under ``slug``, or its own) with everything it held.

    Question versions are matched by content hash and added when missing; candidates by email.
    Invitations get new tokens: links from the old installation do not carry over.

    :raises InvalidExport: when the file is not an export, or the slug is taken.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidExport("this is not an exam-engine exam export")
    if data.get("version") != VERSION:
        raise InvalidExport(f"unsupported export version {data.get('version')!r}")
    try:
        info = data["exam"]
        slug = slug or info["slug"]
        if db.session.scalars(select(Exam).where(Exam.slug == slug)).first():
            raise InvalidExport(f"an exam with slug {slug!r} already exists")
        exam = Exam(
            slug=slug,
            title=info["title"],
            instructions=info["instructions"],
            opens_at=_when(info["opens_at"]),
            closes_at=_when(info["closes_at"]),
            timezone=info["timezone"],
            duration_minutes=info["duration_minutes"],
            cohort_size=info["cohort_size"],
            grace_seconds=info["grace_seconds"],
            shuffle_questions=info["shuffle_questions"],
            default_locale=info["default_locale"],
            blind=info.get("blind", False),
            settings=info.get("settings", {}),
        )
        exam.sections = [
            ExamSection(
                position=i,
                title=s["title"],
                bank_slug=s["bank"],
                topic=s["topic"],
                tags=s["tags"],
                draw_count=s["draw"],
            )
            for i, s in enumerate(info["sections"], start=1)
        ]
        db.session.add(exam)
        db.session.flush()
        for b in data.get("banks", []):  # exports before topic titles have none
            _bank(b)
        versions = {
            (v["question"], v["content_hash"]): _version(v) for v in data["question_versions"]
        }
        for a in data["adjustments"]:
            question = next(
                v.question for (slug_, _), v in versions.items() if slug_ == a["question"]
            )
            db.session.add(
                ItemAdjustment(
                    exam_id=exam.id,
                    question_id=question.id,
                    action=ItemAction(a["action"]),
                    reason=a["reason"],
                    at=_when(a["at"]),
                )
            )
        invitations = {}
        for i in data["invitations"]:
            candidate = _candidate(i["email"], i["name"])
            invitation = Invitation(
                exam=exam,
                candidate=candidate,
                time_factor=i["time_factor"],
                token=secrets.token_urlsafe(24),
            )
            db.session.add(invitation)
            invitations[i["email"]] = invitation
        db.session.flush()
        for a in data["attempts"]:
            _import_attempt(exam, a, invitations[a["email"]], versions)
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise InvalidExport(f"the export is incomplete or damaged: {exc!r}") from exc
    grades_changed(exam.id, now or utcnow())  # its analysis is owed
    db.session.flush()
    return exam


def _candidate(email: str, name: str) -> Candidate:
    found = db.session.scalars(select(Candidate).where(Candidate.email == email)).first()
    if found is None:
        found = Candidate(email=email, name=name)
        db.session.add(found)
        db.session.flush()
    return found


def _bank(b: dict[str, Any]) -> None:
    """A bank as the export names it: created if missing; one already here keeps its title and
    topic titles (its own bank.yaml says them) and takes only the topic titles it lacks."""
    if not isinstance(b, dict):
        raise TypeError("each bank is an object")
    slug, title, topics = b["slug"], b["title"], b.get("topics") or {}
    if (
        not (isinstance(slug, str) and 0 < len(slug) <= 100)
        or not (isinstance(title, str) and len(title) <= 200)
        or check_topics(topics)
    ):
        raise ValueError(f"bank {slug!r}: needs a slug, a title and valid topic titles")
    bank = db.session.scalars(select(Bank).where(Bank.slug == slug)).first()
    if bank is None:
        db.session.add(Bank(slug=slug, title=title or slug, topics=topics))
        db.session.flush()
    elif missing := {k: v for k, v in topics.items() if k not in (bank.topics or {})}:
        bank.topics = {**(bank.topics or {}), **missing}


def _version(v: dict[str, Any]) -> QuestionVersion:
    """The stored version with this content, created (with its bank and question) if missing."""
    bank = db.session.scalars(select(Bank).where(Bank.slug == v["bank"])).first()
    if bank is None:
        bank = Bank(slug=v["bank"], title=v["bank"])
        db.session.add(bank)
        db.session.flush()
    question = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.slug == v["question"])
    ).first()
    if question is None:
        question = Question(bank=bank, slug=v["question"])
        db.session.add(question)
        db.session.flush()
    version = db.session.scalars(
        select(QuestionVersion).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.content_hash == v["content_hash"],
        )
    ).first()
    if version is None:
        data = v["data"]
        version = QuestionVersion(
            question_id=question.id,
            content_hash=v["content_hash"],
            title=pick(data["title"], "en"),
            topic=data["topic"],
            tags=list(data.get("tags", [])),
            points=float(data.get("points", 1)),
            data=data,
        )
        db.session.add(version)
        db.session.flush()
        if question.current_version_id is None:
            question.current_version = version
    return version


def _import_attempt(
    exam: Exam,
    a: dict[str, Any],
    invitation: Invitation,
    versions: dict[tuple[str, str], QuestionVersion],
) -> None:
    attempt = Attempt(
        exam_id=exam.id,
        candidate_id=invitation.candidate_id,
        invitation_id=invitation.id,
        seed=a["seed"],
        status=AttemptStatus(a["status"]),
        started_at=_when(a["started_at"]),
        deadline_at=_when(a["deadline_at"]),
        submitted_at=_when(a["submitted_at"]),
        graded_at=_when(a["graded_at"]),
        receipt=a["receipt"],
        extra_minutes=a["extra_minutes"],
    )
    attempt.questions = [
        AttemptQuestion(
            position=q["position"],
            variant_seed=q["variant_seed"],
            section_position=q["section"],
            flagged=q["flagged"],
            version=versions[(q["question"], q["content_hash"])],
        )
        for q in a["questions"]
    ]
    db.session.add(attempt)
    db.session.flush()
    by_position = {q.position: q.version for q in attempt.questions}
    for r in a["responses"]:
        db.session.add(
            Response(
                attempt_id=attempt.id,
                part_key=r["part"],
                value=r["value"],
                seq=r["seq"],
                saved_at=_when(r["saved_at"]),
            )
        )
    for r in a["history"]:
        db.session.add(
            ResponseHistory(
                attempt_id=attempt.id,
                part_key=r["part"],
                value=r["value"],
                seq=r["seq"],
                saved_at=_when(r["saved_at"]),
            )
        )
    for g in a["grades"]:
        position = int(g["part"].split("-", 1)[0].lstrip("q"))
        db.session.add(
            Grade(
                attempt_id=attempt.id,
                part_key=g["part"],
                topic=g["topic"],
                score=g["score"],
                auto_score=g["auto_score"],
                override_score=g["override_score"],
                override_reason=g["override_reason"],
                max_score=g["max_score"],
                fraction=g["fraction"],
                note=g["note"],
                feedback=g["feedback"],
                error=g["error"],
                grader_version=g["grader_version"],
                graded_at=_when(g["graded_at"]),
                question_version_id=by_position[position].id,
            )
        )
    for e in a["events"]:
        db.session.add(
            IntegrityEvent(
                attempt_id=attempt.id, kind=e["kind"], at=_when(e["at"]), details=e["details"]
            )
        )
    if a["decision"]:
        d = a["decision"]
        db.session.add(
            Decision(
                attempt_id=attempt.id,
                kind=DecisionKind(d["kind"]),
                note=d["note"],
                at=_when(d["at"]),
            )
        )
