"""Question banks in the database: importing versions and building a question's variant."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from exam_engine import banks
from exam_engine.extensions import db
from exam_engine.models import Bank, Question, QuestionVersion


@dataclass
class ImportReport:
    """What an import changed."""

    banks: int = 0
    new_questions: int = 0
    new_versions: int = 0
    unchanged: int = 0


def import_banks(root: str | Path) -> ImportReport:
    """Load every bank under ``root`` (or ``root`` itself when it is a bank) as question versions.

    A question whose content hash is already stored keeps its version; an edit adds a version
    and makes it current. Attempts stay pinned to the version they were shown.

    :param root: a folder of banks, or one bank folder (it holds ``bank.yaml``).
    :returns: counts of what changed.
    :raises ValueError: when a bank does not validate (nothing is imported from it).
    """
    root = Path(root)
    folders = (
        [root]
        if (root / "bank.yaml").exists()
        else sorted(p for p in root.iterdir() if (p / "bank.yaml").exists())
    )
    report = ImportReport()
    for folder in folders:
        problems = banks.validate_path(folder)
        if problems:
            raise ValueError("\n".join(str(p) for p in problems))
        loaded = banks.load_bank(folder)
        bank = db.session.scalars(select(Bank).where(Bank.slug == loaded.name)).first()
        if bank is None:
            bank = Bank(slug=loaded.name, title=loaded.title or loaded.name)
            db.session.add(bank)
        # bank.yaml is the source of truth for what people read: its title and topic titles.
        bank.title = loaded.title or loaded.name
        bank.topics = dict(loaded.topics)
        db.session.flush()
        report.banks += 1
        for spec in loaded.questions:
            store_version(bank, spec, report)
    db.session.flush()
    return report


def store_version(bank: Bank, spec: banks.QuestionSpec, report: ImportReport) -> None:
    """Add ``spec`` as a version of its question unless that exact content is stored."""
    question = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.slug == spec.id)
    ).first()
    if question is None:
        question = Question(bank=bank, slug=spec.id)
        db.session.add(question)
        db.session.flush()
        report.new_questions += 1
    existing = db.session.scalars(
        select(QuestionVersion).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.content_hash == spec.content_hash,
        )
    ).first()
    if existing is not None:
        report.unchanged += 1
        question.current_version = existing
        return
    version = QuestionVersion(
        question_id=question.id,
        content_hash=spec.content_hash,
        title=banks.pick(spec.title, "en"),
        topic=spec.topic,
        tags=list(spec.tags),
        points=float(spec.points),
        data=spec.raw,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    report.new_versions += 1


def current_versions(bank_slug: str) -> list[QuestionVersion]:
    """The current version of every question in a bank, by question slug."""
    stmt = (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Bank.slug == bank_slug)
        .order_by(Question.slug)
    )
    return list(db.session.scalars(stmt))


def pool(bank_slug: str, topic: str | None, tags: list[str]) -> list[QuestionVersion]:
    """The current versions a section can draw from: its bank, its topic (if any), all its tags.

    :param bank_slug: the bank.
    :param topic: the topic, or ``None`` for any.
    :param tags: tags every drawn question must carry.
    :returns: the versions, by question slug.
    """
    return [
        v
        for v in current_versions(bank_slug)
        if (topic is None or v.topic == topic) and set(tags) <= set(v.tags)
    ]


def variant(version: QuestionVersion, seed: int, locale: str = "en") -> banks.Variant:
    """The variant of a stored question version at a seed, its texts in ``locale``
    (memoised: versions never change)."""
    return _variant(version.content_hash, version.id, seed, locale)


@lru_cache(maxsize=4096)
def _variant(content_hash: str, version_id: int, seed: int, locale: str) -> banks.Variant:
    return banks.instantiate(_spec(content_hash, version_id), seed, locale)


# One entry per stored question version (hundreds, not one per candidate): the checked,
# parsed question, so that a new candidate's variant skips parsing and validating it again.
@lru_cache(maxsize=2048)
def _spec(content_hash: str, version_id: int) -> banks.QuestionSpec:
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.content_hash != content_hash:
        raise LookupError(f"question version {version_id} is gone")
    return banks.question_from_data(version.data)
