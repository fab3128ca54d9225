"""Saving questions from the web editor, and checking an exam's questions against their tests.

The YAML file under the bank folder is the source of truth: a save validates the question,
refuses to overwrite a file that changed since the editor loaded it, writes the file
atomically, and then stores the content as a question version in the database.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from exam_engine import banks
from exam_engine.banks import archive, moodle
from exam_engine.banks.dump import dump_question
from exam_engine.banks.limited import limited_author_tests, limited_problems
from exam_engine.banks.source import SourceError, read_yaml
from exam_engine.extensions import db
from exam_engine.grading import GRADER_VERSION
from exam_engine.models import Bank, Exam, Question, QuestionVersion
from exam_engine.services import questions

DEFAULT_EXAM_SEEDS = range(10)


class EditConflict(Exception):
    """The question changed on disk since the editor loaded it; nothing was written.

    ``current`` is the file's data now (``None`` when it was deleted), ``text`` its YAML.
    """

    def __init__(self, message: str, current: dict[str, Any] | None, text: str) -> None:
        super().__init__(message)
        self.current = current
        self.text = text


@dataclass
class StoredFile:
    """A question file as it is on disk: its path, text, data and content hash."""

    path: Path
    text: str
    data: dict[str, Any]
    content_hash: str


@dataclass
class SaveResult:
    """What a save did: the file written and the version now current."""

    path: Path
    version: QuestionVersion
    new_version: bool
    changed_file: bool


QUESTION_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def find_file(bank_dir: Path, question_id: str) -> StoredFile | None:
    """Read the file of a question in a bank folder.

    :param bank_dir: the bank folder.
    :param question_id: the question's id (its file name).
    :returns: the file, or ``None`` when the bank has no such file.
    :raises ValueError: when the file is not valid YAML.
    """
    if not QUESTION_ID.fullmatch(question_id):
        return None  # never let a name reach the file system as a pattern (``*``, ``..``)
    for path in sorted(bank_dir.glob(f"*/{question_id}.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            data = read_yaml(text).data
        except SourceError as exc:
            raise ValueError(f"{path.name}: {exc}") from exc
        if isinstance(data, dict):
            return StoredFile(path, text, data, banks.content_hash(data))
    return None


@contextmanager
def _bank_lock(bank_dir: Path) -> Iterator[None]:
    """Serialise saves to one bank across threads and processes: an advisory lock on the bank
    folder itself, so no lock file is left anywhere (nothing shows in git or piles up in /tmp).
    """
    bank_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(bank_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validate_question(data: dict[str, Any]) -> list[banks.Problem]:
    """Every problem of a question as the bank loader would report it (with trial seeds).

    :param data: the question mapping.
    :returns: the problems; empty when the question is valid.
    """
    topic = data.get("topic") if isinstance(data.get("topic"), str) else None
    return limited_problems(data, f"{data.get('id', '')}.yaml", topic)


def save_question(bank_dir: Path, data: dict[str, Any], base_hash: str | None) -> SaveResult:
    """Validate a question, write its file and store it as the current version.

    :param bank_dir: the bank folder (it holds ``bank.yaml``).
    :param data: the question mapping, in the order its fields should be written.
    :param base_hash: the content hash the editor loaded (``None`` for a new question).
    :returns: the file written and the current version.
    :raises BankError: when the question does not validate.
    :raises EditConflict: when the file changed (or appeared) since it was loaded.
    """
    problems = validate_question(data)
    if problems:
        raise banks.BankError(problems)
    spec = banks.question_from_data(data)
    target = bank_dir / spec.topic / f"{spec.id}.yaml"
    with _bank_lock(bank_dir):
        current = find_file(bank_dir, spec.id)
        if base_hash is None and current is not None:
            raise EditConflict(
                _("a question with the id %(id)s already exists", id=repr(spec.id)),
                current.data,
                current.text,
            )
        if base_hash is not None and (current is None or current.content_hash != base_hash):
            raise EditConflict(
                _("the question was changed by someone else since you opened it"),
                None if current is None else current.data,
                "" if current is None else current.text,
            )
        text = dump_question(data, current.text if current else None)
        changed = current is None or current.text != text or current.path != target
        if changed:
            _write_atomically(target, text)
            if current is not None and current.path != target:
                current.path.unlink()
        version, new = store_version(bank_dir.name, spec)  # in the lock: same order as files
    return SaveResult(target, version, new, changed)


def store_version(bank_slug: str, spec: banks.QuestionSpec) -> tuple[QuestionVersion, bool]:
    """Make ``spec`` the current version of its question (a new version when its hash is new).

    :param bank_slug: the bank's name.
    :param spec: the question.
    :returns: the current version and whether it was created now.
    """
    bank = db.session.scalars(select(Bank).where(Bank.slug == bank_slug)).first()
    if bank is None:
        bank = Bank(slug=bank_slug, title=bank_slug)
        db.session.add(bank)
        db.session.flush()
    report = questions.ImportReport()
    questions.store_version(bank, spec, report)  # the import's own rule for versions
    question = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.slug == spec.id)
    ).one()
    assert question.current_version is not None
    return question.current_version, report.new_versions == 1


def version_history(question: Question) -> list[QuestionVersion]:
    """Every stored version of a question, newest first.

    :param question: the question.
    :returns: its versions.
    """
    stmt = (
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.created_at.desc(), QuestionVersion.id.desc())
    )
    return list(db.session.scalars(stmt))


@lru_cache(maxsize=2048)
def _failures(
    content_hash: str, version_id: int, seeds: tuple[int, ...], grader: str
) -> tuple[banks.AuthorTestFailure, ...]:
    """Author-test failures of one stored version (memoised: versions never change)."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        return ()
    try:
        spec = banks.question_from_data(version.data)
    except banks.BankError as exc:
        slug = version.question.slug
        return (banks.AuthorTestFailure(slug, -1, 0, "", "", None, None, str(exc)),)
    return tuple(limited_author_tests(spec, seeds))


def exam_test_failures(
    exam: Exam, seeds: Sequence[int] = DEFAULT_EXAM_SEEDS
) -> list[banks.AuthorTestFailure]:
    """The author-test failures of every question an exam's sections can draw.

    :param exam: the exam.
    :param seeds: the variant seeds to check each question on.
    :returns: the failures; empty when every question passes its tests.
    """
    failures: list[banks.AuthorTestFailure] = []
    seen: set[int] = set()
    for section in exam.sections:
        for version in questions.pool(section.bank_slug, section.topic, section.tags):
            if version.id in seen:
                continue
            seen.add(version.id)
            failures += _failures(version.content_hash, version.id, tuple(seeds), GRADER_VERSION)
    return failures


@dataclass
class ArchiveImport:
    """What importing a bank archive did."""

    bank: str
    files: int
    report: questions.ImportReport


def import_archive(banks_root: Path, data: bytes) -> ArchiveImport:
    """Import a bank zip: check it, validate the bank as it would be, then write and import.

    Files in the archive replace the bank's files of the same path; other files stay.

    :param banks_root: the folder of banks (``QUESTION_BANKS_PATH``).
    :param data: the zip archive.
    :returns: the bank, the number of files written and the database import's counts.
    :raises ArchiveError: when the archive is unsafe or not a bank.
    :raises BankError: when the bank would not validate (nothing is written).
    """
    bundle = archive.read_archive(data)
    target = banks_root / bundle.name
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / bundle.name
        if target.is_dir():
            shutil.copytree(target, staged, ignore=shutil.ignore_patterns(".*"))
        archive.write_files(staged, bundle.files)
        problems = banks.validate_path(staged)
    if problems:
        raise banks.BankError(problems)
    target.mkdir(parents=True, exist_ok=True)
    with _bank_lock(target):
        for relative, text in bundle.files.items():
            _write_atomically(target / relative, text)
    return ArchiveImport(bundle.name, len(bundle.files), questions.import_banks(target))


@dataclass
class MoodleOutcome:
    """One question of a Moodle XML import: its new id (``None`` when skipped) and notes."""

    name: str
    question_id: str | None
    notes: list[str]


def import_moodle(bank_dir: Path, xml: str | bytes, topic: str) -> list[MoodleOutcome]:
    """Import the STACK questions of a Moodle XML file into a bank, as new questions.

    :param bank_dir: the bank folder (it must hold ``bank.yaml``).
    :param xml: the Moodle XML.
    :param topic: the topic to file the questions under.
    :returns: one outcome per question, with what was skipped and why.
    :raises MoodleError: when the XML cannot be read safely.
    """
    used = {p.stem for p in bank_dir.glob("*/*.yaml")}
    outcomes: list[MoodleOutcome] = []
    for item in moodle.convert_moodle_xml(xml, topic, used):
        if item.data is None:
            outcomes.append(MoodleOutcome(item.name, None, item.notes))
            continue
        try:
            saved = save_question(bank_dir, item.data, None)
        except banks.BankError as exc:
            problems = [f"skipped: {p.field}: {p.message}" for p in exc.problems]
            outcomes.append(MoodleOutcome(item.name, None, item.notes + problems))
            continue
        except EditConflict as exc:
            outcomes.append(MoodleOutcome(item.name, None, [*item.notes, f"skipped: {exc}"]))
            continue
        spec = banks.question_from_data(item.data)
        failing = [f"author test fails: {f}" for f in limited_author_tests(spec, range(3))]
        outcomes.append(MoodleOutcome(item.name, saved.version.question.slug, item.notes + failing))
    return outcomes
