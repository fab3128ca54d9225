"""Run a question's author tests: each response must get the expected score on every seed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exam_engine.banks.model import QuestionSpec, Variant
from exam_engine.banks.params import ParameterError, draw_parameters
from exam_engine.banks.quality import range_failures, shown_examples
from exam_engine.banks.variants import fill_text, instantiate
from exam_engine.grading import grade_part

TOLERANCE = 1e-6


@dataclass(frozen=True)
class AuthorTestFailure:
    """One author test that did not give the expected score (or could not run)."""

    question: str
    test: int
    seed: int
    part: str
    response: str
    expected: float | None
    got: float | None
    message: str
    note: str = ""

    def __str__(self) -> str:
        label = f"tests[{self.test}]" + (f" ({self.note})" if self.note else "")
        return (
            f"{self.question}: {label}, seed {self.seed}, part {self.part or '-'}: {self.message}"
        )


def _run_one(
    spec: QuestionSpec, variant: Variant, index: int, graded_zero: dict[str, bool]
) -> list[AuthorTestFailure]:
    test = spec.tests[index]
    failures: list[AuthorTestFailure] = []
    for key, template in test.responses.items():
        part = variant.part(key)
        values = dict(variant.params, answer=part.model_answer)
        response = fill_text(template, values)
        result = grade_part(response, part.rules, part.settings)
        expected = test.expected[key]
        if expected == 0:
            graded_zero[key] = graded_zero.get(key, False) or result.error is None
        if result.error is not None and expected > 0:
            message = f"response {response!r} was not graded: {result.error}"
        elif abs(result.score - expected) > TOLERANCE:
            message = (
                f"response {response!r} scored {result.score:g}, expected {expected:g} "
                f"(note {result.note!r}, model answer {part.model_answer!r})"
            )
        else:
            continue
        failures.append(
            AuthorTestFailure(
                spec.id,
                index,
                variant.seed,
                key,
                response,
                expected,
                result.score,
                message,
                test.note,
            )
        )
    return failures


def _strict_failures(
    spec: QuestionSpec, variant: Variant, graded_zero: dict[str, bool]
) -> list[AuthorTestFailure]:
    """Declared ranges broken by this variant, parts whose wrong answers were all refused, and
    prompt examples that are right answers."""
    seed = variant.seed
    values = draw_parameters(spec.id, spec.parameters, spec.conditions, seed)
    failures = [
        AuthorTestFailure(spec.id, -1, seed, "", "", None, None, f"{path[0]}.{path[1]}: {text}")
        for path, text in range_failures(spec, values)
    ]
    for key, spans in shown_examples(spec).items():
        part = variant.part(key)
        for span in spans:
            example = fill_text(span, variant.params)
            if grade_part(example, part.rules, part.settings).score >= 1 - TOLERANCE:
                failures.append(
                    AuthorTestFailure(
                        spec.id,
                        -1,
                        seed,
                        key,
                        example,
                        None,
                        1.0,
                        f"the prompt's example `{example}` is a right answer here; "
                        "show an example that cannot be one",
                    )
                )
    failures += [
        AuthorTestFailure(
            spec.id,
            -1,
            seed,
            key,
            "",
            0.0,
            None,
            "every wrong-answer test of this part was refused as invalid; at least one must "
            "be an answer a candidate could submit, graded 0",
        )
        for key, graded in graded_zero.items()
        if not graded
    ]
    return failures


def run_author_tests(
    spec: QuestionSpec, seeds: Iterable[int], strict: bool = False
) -> list[AuthorTestFailure]:
    """Run every author test of a question on each seed (a test with its own seed runs once).

    Grading runs in this process, without the worker pool's limits: author tests are the
    authors' own input, run by staff or CI.

    :param spec: the question.
    :param seeds: the seeds to instantiate (e.g. the seeds an exam will deploy).
    :param strict: also fail a seed whose parameters break a declared range, or on which every
        wrong-answer test (expected 0) of a part is refused as invalid rather than graded
        (``exam-engine banks test``).
    :returns: the failures; empty when every test passes.
    """
    failures: list[AuthorTestFailure] = []
    seed_list = list(seeds)
    wanted = sorted({*seed_list, *(t.seed for t in spec.tests if t.seed is not None)})
    for seed in wanted:
        try:
            variant = instantiate(spec, seed)
        except ParameterError as exc:
            failures.append(
                AuthorTestFailure(
                    spec.id, -1, seed, "", "", None, None, f"cannot instantiate: {exc}"
                )
            )
            continue
        graded_zero: dict[str, bool] = {}
        for index, test in enumerate(spec.tests):
            own = test.seed is not None
            if (own and test.seed == seed) or (not own and seed in seed_list):
                failures += _run_one(spec, variant, index, graded_zero)
        if strict:
            failures += _strict_failures(spec, variant, graded_zero)
    return failures
