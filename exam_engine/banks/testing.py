"""Run the author tests of every question under a path (``exam-engine banks test``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from exam_engine.banks.authortests import AuthorTestFailure, run_author_tests
from exam_engine.banks.loader import BANK_FILE, BankError, load_bank, load_question_file
from exam_engine.banks.model import Problem, QuestionSpec


@dataclass(frozen=True)
class FileFailure:
    """An author-test failure and the file of its question."""

    file: str
    failure: AuthorTestFailure

    def __str__(self) -> str:
        f = self.failure
        label = (
            "variant"  # a variant-level failure: a declared range, or only invalid wrong answers
        )
        if f.test >= 0:
            label = f"tests[{f.test}]" + (f" ({f.note})" if f.note else "")
        expected = "-" if f.expected is None else f"{f.expected:g}"
        got = "-" if f.got is None else f"{f.got:g}"
        return (
            f"{self.file}: {f.question}: {label}: seed {f.seed}, part {f.part or '-'}, "
            f"response {f.response!r}: expected {expected}, got {got}: {f.message}"
        )


@dataclass
class AuthorTestRun:
    """The outcome of running author tests under a path."""

    questions: int
    failures: list[FileFailure]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """Whether every question loaded and passed every test."""
        return not self.failures and not self.problems


def _questions(path: Path) -> tuple[list[tuple[str, QuestionSpec]], list[Problem]]:
    if path.is_file():
        spec = load_question_file(path)
        return [(str(path), spec)], []
    roots = (
        [path]
        if (path / BANK_FILE).is_file()
        else sorted(p.parent for p in path.glob(f"*/{BANK_FILE}"))
    )
    found: list[tuple[str, QuestionSpec]] = []
    problems: list[Problem] = []
    for root in roots:
        prefix = "" if root == path else f"{root.name}/"
        try:
            bank = load_bank(root)
        except BankError as exc:
            problems += [
                Problem(prefix + p.file, p.question, p.field, p.line, p.message)
                for p in exc.problems
            ]
            continue
        found += [(prefix + (q.source or q.id), q) for q in bank.questions]
    return found, problems


def run_path_tests(path: str | Path, seeds: Iterable[int]) -> AuthorTestRun:
    """Load every question under ``path`` and run its author tests on each seed.

    :param path: a question file, a bank folder or a folder of banks.
    :param seeds: the variant seeds.
    :returns: the number of questions, the failures, and any loading problems.
    """
    root = Path(path)
    try:
        found, problems = _questions(root)
    except BankError as exc:
        return AuthorTestRun(0, [], exc.problems)
    seed_list = list(seeds)
    failures = [
        FileFailure(file, failure)
        for file, spec in found
        for failure in run_author_tests(spec, seed_list, strict=True)
    ]
    return AuthorTestRun(len(found), failures, problems)
