"""Turn a structurally valid question mapping into a :class:`QuestionSpec`."""

from __future__ import annotations

from typing import Any

from exam_engine.banks.hashing import content_hash
from exam_engine.banks.model import (
    CHOICE_INPUTS,
    AuthorTest,
    ChoiceSpec,
    PartSpec,
    QuestionSpec,
    RuleSpec,
)

DEFAULT_TEST = "AlgEquiv"
DEFAULT_CHOICE_TEST = "String"


def _text(value: Any) -> str:
    """Expressions may be bare YAML numbers; keep them as the author wrote them."""
    return value if isinstance(value, str) else str(value)


def _answer(value: Any) -> str | tuple[str, ...]:
    return tuple(_text(x) for x in value) if isinstance(value, list) else _text(value)


def default_test(input_type: str) -> str:
    """The answer test used when a part does not name one.

    :param input_type: the part's input type.
    :returns: ``String`` for choice inputs, ``AlgEquiv`` otherwise.
    """
    return DEFAULT_CHOICE_TEST if input_type in CHOICE_INPUTS else DEFAULT_TEST


def part_points(data: dict[str, Any]) -> tuple[float, list[float]]:
    """Resolve the question's points and each part's share.

    Parts either all give ``points`` (the question's points default to their sum) or share the
    question's ``points`` (default: one per part) by ``weight`` (default 1).

    :param data: a structurally valid question mapping.
    :returns: the question's points and the points of each part.
    """
    parts = data["parts"]
    if all("points" in part for part in parts):
        each = [float(part["points"]) for part in parts]
        return float(data.get("points", sum(each))), each
    total = float(data.get("points", len(parts)))
    weights = [float(part.get("weight", 1)) for part in parts]
    return total, [total * w / sum(weights) for w in weights]


def _part(data: dict[str, Any], points: float) -> PartSpec:
    input_type = data["input"]
    test = data.get("test", default_test(input_type))
    feedback = data.get("feedback", {})
    return PartSpec(
        key=data["key"],
        prompt=data.get("prompt", ""),
        input_type=input_type,
        answer=_answer(data["answer"]),
        test=test,
        options=None if data.get("options") is None else _text(data["options"]),
        points=points,
        variables=tuple(data.get("variables", ())),
        allow_floats=data.get("allow_floats", True),
        implicit_multiplication=data.get("implicit_multiplication", True),
        forbidden_words=tuple(data.get("forbidden_words", ())),
        allowed_commands=tuple(data.get("allowed_commands", ())),
        allow_matrix_product=data.get("allow_matrix_product", False),
        choices=tuple(
            ChoiceSpec(c["key"], c["text"] if isinstance(c["text"], dict) else _text(c["text"]))
            for c in data.get("choices", ())
        ),
        shuffle=data.get("shuffle", False),
        rules=tuple(
            RuleSpec(
                test=rule.get("test", test),
                answer=_answer(rule["answer"]),
                options=None if rule.get("options") is None else _text(rule["options"]),
                score=float(rule["score"]),
                feedback=rule.get("feedback", ""),
                note=rule.get("note", ""),
            )
            for rule in data.get("rules", ())
        ),
        feedback_correct=feedback.get("correct", ""),
        feedback_incorrect=feedback.get("incorrect", ""),
    )


def _response(value: Any) -> str:
    return ", ".join(_text(x) for x in value) if isinstance(value, list) else _text(value)


def _test(data: dict[str, Any]) -> AuthorTest:
    if "part" in data:
        responses = {data["part"]: _response(data["response"])}
        expected = {data["part"]: float(data["expected"])}
    else:
        responses = {str(k): _response(v) for k, v in data["parts"].items()}
        expected = {str(k): float(v) for k, v in data["expected"].items()}
    return AuthorTest(responses, expected, data.get("note", ""), data.get("seed"))


def build_question(data: dict[str, Any], source: str | None = None) -> QuestionSpec:
    """Build the specification of a question whose structure has been checked.

    :param data: the question mapping (as loaded; kept as ``raw``).
    :param source: the file it came from, if any.
    :returns: the specification.
    """
    total, shares = part_points(data)
    return QuestionSpec(
        id=data["id"],
        title=data["title"],
        topic=data["topic"],
        tags=tuple(data.get("tags", ())),
        difficulty=data["difficulty"],
        points=total,
        body=data["body"],
        parameters={name: _text(text) for name, text in (data.get("parameters") or {}).items()},
        conditions=tuple(data.get("conditions", ())),
        parts=tuple(_part(part, share) for part, share in zip(data["parts"], shares, strict=True)),
        tests=tuple(_test(test) for test in data.get("tests", ())),
        content_hash=content_hash(data),
        raw=data,
        source=source,
    )
