"""Load question files and bank folders, and validate them with file/question/field/line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exam_engine.banks import checks, schema
from exam_engine.banks.build import build_question
from exam_engine.banks.model import Bank, Problem, QuestionSpec
from exam_engine.banks.source import Source, SourceError, format_path, read_yaml
from exam_engine.banks.topics import check_topics

BANK_FILE = "bank.yaml"
BANK_TEXT_FIELDS = {"name", "title", "description"}
BANK_FIELDS = BANK_TEXT_FIELDS | {"topics"}


class BankError(ValueError):
    """A bank or question that does not validate; ``problems`` lists every issue."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class _Loaded:
    spec: QuestionSpec | None
    problems: list[Problem]
    id_line: int | None = None


def _problems(
    issues: list[schema.Issue], file: str, question: str, source: Source | None
) -> list[Problem]:
    return [
        Problem(file, question, format_path(path), source.line(path) if source else None, message)
        for path, message in issues
    ]


def check_data(
    data: Any,
    file: str = "<data>",
    source: Source | None = None,
    topic_folder: str | None = None,
    try_seeds: bool = True,
    strict: bool = False,
) -> _Loaded:
    """Validate one question's data and build its specification when it is valid.

    :param data: the loaded mapping.
    :param file: the file name to put in problems.
    :param source: the YAML source, for line numbers.
    :param topic_folder: the folder the file sits in, when it is part of a bank.
    :param try_seeds: also instantiate a few seeds as a check.
    :param strict: also apply the bank-file checks of :mod:`exam_engine.banks.quality`.
    :returns: the specification (``None`` when invalid) and the problems.
    """
    qid = data.get("id", "") if isinstance(data, dict) else ""
    qid = qid if isinstance(qid, str) else ""
    issues = schema.check_question(data)
    if not issues:
        try:
            json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            issues.append(((), f"holds a value JSON cannot store ({exc}); quote it"))
    if not issues and topic_folder is not None and data["topic"] != topic_folder:
        issues.append((("topic",), f"is {data['topic']!r} but the file is in {topic_folder}/"))
    if source is not None:
        issues += [(path, f"duplicate key {path[-1]!r}") for path, _ in source.duplicates]
    if issues:
        return _Loaded(None, _problems(issues, file, qid, source))
    spec = build_question(data, source=file)
    problems = _problems(checks.check_question(spec, try_seeds, strict), file, qid, source)
    return _Loaded(None if problems else spec, problems)


def _load_file(path: Path, display: str, topic_folder: str | None) -> _Loaded:
    try:
        source = read_yaml(path.read_text(encoding="utf-8"))
    except SourceError as exc:
        return _Loaded(None, [Problem(display, "", "", exc.line, str(exc))])
    except (OSError, UnicodeDecodeError) as exc:
        return _Loaded(None, [Problem(display, "", "", None, f"cannot read: {exc}")])
    loaded = check_data(source.data, display, source, topic_folder, strict=True)
    loaded.id_line = source.line(("id",))
    if isinstance(source.data, dict) and source.data.get("id") not in (None, path.stem):
        loaded.problems.append(
            Problem(
                display,
                str(source.data.get("id")),
                "id",
                source.line(("id",)),
                f"must match the file name {path.stem!r}",
            )
        )
        loaded.spec = None
    return loaded


def load_question_file(path: str | Path) -> QuestionSpec:
    """Load and validate one question file.

    :param path: a ``.yaml`` file.
    :returns: the question.
    :raises BankError: when the file has problems.
    """
    path = Path(path)
    loaded = _load_file(path, str(path), None)
    if loaded.spec is None:
        raise BankError(loaded.problems)
    return loaded.spec


def _bank_meta(root: Path) -> tuple[dict[str, Any], list[Problem]]:
    meta_path = root / BANK_FILE
    if not meta_path.is_file():
        return {}, [
            Problem(BANK_FILE, "", "", None, "missing: a bank needs bank.yaml (name, title)")
        ]
    try:
        source = read_yaml(meta_path.read_text(encoding="utf-8"))
    except SourceError as exc:
        return {}, [Problem(BANK_FILE, "", "", exc.line, str(exc))]
    meta = source.data
    if not isinstance(meta, dict):
        return {}, [Problem(BANK_FILE, "", "", 1, "must be a mapping with name: and title:")]
    problems = [
        Problem(BANK_FILE, "", str(k), source.line((str(k),)), f"unknown field {k!r}")
        for k in meta
        if k not in BANK_FIELDS
    ]
    problems += [
        Problem(BANK_FILE, "", k, source.line((k,)), "must be a string")
        for k in BANK_TEXT_FIELDS
        if k in meta and not isinstance(meta[k], str)
    ]
    if "topics" in meta:
        problems += _problems(check_topics(meta["topics"]), BANK_FILE, "", source)
    if "name" in meta and meta["name"] != root.name:
        problems.append(
            Problem(
                BANK_FILE,
                "",
                "name",
                source.line(("name",)),
                f"must match the folder name {root.name!r}",
            )
        )
    return meta, problems


def _scan(root: Path) -> tuple[dict[str, Any], list[QuestionSpec], list[Problem]]:
    meta, problems = _bank_meta(root)
    specs: list[QuestionSpec] = []
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*.y*ml")):
        display = path.relative_to(root).as_posix()
        if display == BANK_FILE:
            continue
        parts = path.relative_to(root).parts
        folder = parts[0] if len(parts) > 1 else None
        loaded = _load_file(path, display, folder)
        problems += loaded.problems
        if folder is None:
            problems.append(
                Problem(
                    display, "", "", None, "question files go in a topic folder: <topic>/<id>.yaml"
                )
            )
            continue
        if loaded.spec is not None:
            if loaded.spec.id in seen:
                problems.append(
                    Problem(
                        display,
                        loaded.spec.id,
                        "id",
                        loaded.id_line,
                        f"duplicate id: also in {seen[loaded.spec.id]}",
                    )
                )
                continue
            seen[loaded.spec.id] = display
            specs.append(loaded.spec)
    return meta, specs, problems


def load_bank(path: str | Path) -> Bank:
    """Load and validate a bank folder (``bank.yaml`` plus ``<topic>/<id>.yaml`` files).

    :param path: the bank folder.
    :returns: the bank, questions in file order.
    :raises BankError: when any file has problems.
    """
    root = Path(path)
    meta, specs, problems = _scan(root)
    if problems:
        raise BankError(problems)
    return Bank(
        name=meta.get("name", root.name),
        path=root,
        questions=specs,
        title=meta.get("title", ""),
        description=meta.get("description", ""),
        topics=dict(meta.get("topics") or {}),
    )


def validate_path(path: str | Path) -> list[Problem]:
    """Validate a bank folder, a folder of banks, or a single question file.

    :param path: a ``.yaml`` file, a bank folder (with ``bank.yaml``), or a folder of banks.
    :returns: every problem found (empty when all is well).
    """
    root = Path(path)
    if root.is_file():
        return _load_file(root, str(root), None).problems
    if not root.is_dir():
        return [Problem(str(root), "", "", None, "no such file or folder")]
    if (root / BANK_FILE).is_file():
        return _scan(root)[2]
    banks = sorted(p.parent for p in root.glob(f"*/{BANK_FILE}"))
    if not banks:
        return [Problem(str(root), "", "", None, "no bank.yaml here or in its sub-folders")]
    problems: list[Problem] = []
    for bank in banks:
        problems += [
            Problem(f"{bank.name}/{p.file}", p.question, p.field, p.line, p.message)
            for p in _scan(bank)[2]
        ]
    return problems


def question_from_data(data: dict[str, Any]) -> QuestionSpec:
    """Rebuild a question from its stored JSON form (what the database keeps as ``raw``).

    Every check runs except trial instantiation (the caller instantiates next anyway; a bad
    draw then raises :class:`~exam_engine.banks.ParameterError`).

    :param data: the question mapping.
    :returns: the question.
    :raises BankError: when the data does not validate.
    """
    loaded = check_data(data, try_seeds=False)
    if loaded.spec is None:
        raise BankError(loaded.problems)
    return loaded.spec
