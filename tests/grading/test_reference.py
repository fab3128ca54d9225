"""Agreement with the reference oracles (read from ../shared/reference at test time only).

* STACK's answer-test fixtures, scored as ``grading_conformance.py`` does, over the core tests;
* PrairieLearn's parser cases: inputs they accept must parse (to an equal value), inputs they
  reject must be rejected. Cases about PrairieLearn-only options are not applicable.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import sympy

from exam_engine.grading import GradingPool, ParseError, PartSettings
from exam_engine.grading.batch import run_batch
from exam_engine.grading.normalise import normalise
from exam_engine.grading.validation import read, student_ctx

CORE = set(
    "AlgEquiv EqualComAss CasEqual SameType SubstEquiv Sets Expanded FacForm SingleFrac PartFrac "
    "CompSquare LowestTerms NumRelative NumAbsolute NumSigFigs NumDecPlaces GT GTE Int Antidiff "
    "AddConst Diff String StringSloppy".split()
)
STACK_OVERALL = 0.94  # 95.3% after issue 13 (docs/grading.md)
STACK_PER_TEST = 0.50
PL_AGREEMENT = 0.85


def _agrees(expected: int, out: dict) -> bool | None:
    has_error = bool(out["error"])
    if expected in (-2, -3):
        return None
    if expected == 1:
        return out["correct"] and not has_error
    if expected == 0:
        return not out["correct"] and not has_error
    return has_error and not out["correct"]


def test_stack_fixtures(reference: Path, pool: GradingPool) -> None:
    rows = [
        json.loads(line)
        for line in (reference / "stack_answertests.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    rows = [r for r in rows if r["test"] in CORE]
    payload = "".join(
        json.dumps(
            {
                "id": i,
                "student": r["student"],
                "teacher": r["teacher"],
                "test": r["test"],
                "options": r["options"],
            }
        )
        + "\n"
        for i, r in enumerate(rows)
    )
    out = io.StringIO()
    run_batch(io.StringIO(payload), out, use_cache=False, pool=pool)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [o["id"] for o in results] == list(range(len(rows)))
    scored: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    for row, res in zip(rows, results, strict=True):
        verdict = _agrees(row["expected"], res)
        if verdict is None:
            continue
        scored[row["test"]] += 1
        agreed[row["test"]] += int(verdict)
    overall = sum(agreed.values()) / sum(scored.values())
    assert overall >= STACK_OVERALL, f"STACK agreement {overall:.3f}"
    for test in scored:
        assert agreed[test] / scored[test] >= STACK_PER_TEST, test


def _pl_settings(case: dict) -> tuple[PartSettings, frozenset[str]] | None:
    options = case.get("options") or {}
    if set(options) - {"allow_complex", "custom_functions", "allow_sets", "simplify_expression"}:
        return None
    if options.get("allow_complex") is False or options.get("allow_sets") is False:
        return None  # we always allow complex numbers and sets: a deliberate difference
    variables = tuple(normalise(v).strip() for v in (case.get("variables") or ()))
    functions = frozenset(normalise(f).strip() for f in options.get("custom_functions", ()))
    input_type = "interval" if options.get("allow_sets") else "algebraic"
    return PartSettings(variables=variables, input_type=input_type), functions


_SYMPY_SPELLINGS = [
    ("Interval.open(", "oo("),
    ("Interval.Lopen(", "oc("),
    ("Interval.Ropen(", "co("),
    ("Interval(", "cc("),
    ("Union(", "%union("),
    ("Intersection(", "%intersection("),
    ("EmptySet", "{}"),
]


def _from_sympy_str(text: str) -> str:
    """PrairieLearn writes expected values as SymPy's str(); spell sets in our syntax."""
    for old, new in _SYMPY_SPELLINGS:
        text = text.replace(old, new)
    while "FiniteSet(" in text:
        start = text.index("FiniteSet(")
        depth, i = 0, start + len("FiniteSet")
        for i in range(start + len("FiniteSet"), len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
        inner = text[start + len("FiniteSet(") : i]
        text = text[:start] + "{" + inner + "}" + text[i + 1 :]
    return text


def _read(text: str, settings: PartSettings, functions: frozenset[str]) -> sympy.Basic:
    ctx = student_ctx(settings, functions=functions)
    return read(text, settings, ctx).value


def _pl_expectation(case: dict) -> str | None:
    expected = case["expected"]
    if expected.startswith("parses successfully; equals "):
        return "accept"
    if expected.startswith(("failure", "raises")):
        return "reject"
    if expected.startswith("parses but is NOT equal"):
        return "accept"
    return None


def test_prairielearn_parser_cases(reference: Path) -> None:
    cases = [
        json.loads(line)
        for line in (reference / "prairielearn_sympy_cases.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    applicable = agree = 0
    for case in cases:
        want = _pl_expectation(case)
        setup = _pl_settings(case)
        if want is None or setup is None:
            continue
        settings, functions = setup
        applicable += 1
        try:
            value = _read(case["input"], settings, functions)
        except ParseError:
            agree += want == "reject"
            continue
        if want == "reject":
            continue
        target = case["expected"].removeprefix("parses successfully; equals ")
        if target == case["expected"]:
            agree += 1
            continue
        try:
            wanted = _read(
                _from_sympy_str(target), PartSettings(variables=settings.variables), functions
            )
        except ParseError:
            continue
        agree += (
            bool(value == wanted or sympy.simplify(value - wanted) == 0)
            if (isinstance(value, sympy.Expr) and isinstance(wanted, sympy.Expr))
            else bool(value == wanted)
        )
    assert applicable >= 100
    print(f"PrairieLearn agreement {agree}/{applicable}")
    assert agree / applicable >= PL_AGREEMENT, f"PrairieLearn agreement {agree}/{applicable}"
