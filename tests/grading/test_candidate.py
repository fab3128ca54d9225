"""Candidate-side rules: the candidate does the mathematics, not the CAS (issue 13, point 1)."""

from __future__ import annotations

import pytest

from exam_engine.grading import PartSettings, Rule, grade, grade_part, validate
from exam_engine.grading import messages as M

MATRIX = PartSettings(input_type="matrix")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("diff(x^3,x)", "diff"),
        ("integrate(x^2,x)+c", "integrate"),
        ("int(x^2,x)+c", "int"),
        ("sum(k^2,k,1,n)", "sum"),
        ("product(k,k,1,n)", "product"),
        ("taylor(exp(x),x,0,3)", "taylor"),
        ("determinant(matrix([1,2],[3,4]))", "determinant"),
        ("det(matrix([1,2],[3,4]))", "det"),
        ("invert(matrix([1,2],[3,4]))", "invert"),
        ("inverse(matrix([1,2],[3,4]))", "inverse"),
        ("transpose(matrix([1,2],[3,4]))", "transpose"),
        ("expand((x+1)^2)", "expand"),
        ("factor(x^2-1)", "factor"),
        ("simplify(x+x)", "simplify"),
        ("ratsimp(x/x^2)", "ratsimp"),
        ("subst(x=2,x^2)", "subst"),
        ("2*diff(x^2,x)+1", "diff"),
        # commands the grader does not know get the same specific message
        ("limit(sin(x)/x,x,0)", "limit"),
        ("series(exp(x),x,0,3)", "series"),
        ("solve(x^2=4,x)", "solve"),
        ("rank(matrix([1,2],[3,4]))", "rank"),
        ("eigenvalues(matrix([1,2],[3,4]))", "eigenvalues"),
    ],
)
def test_cas_commands_are_refused_with_their_name(text: str, name: str) -> None:
    v = validate(text)
    assert not v.valid and v.code == "cas_command"
    assert v.message_template == M.CAS_COMMAND
    assert v.message_params == {"name": name}


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("diff(x^3,x)", ("diff",)),
        ("int(x^2,x)+c", ("int",)),
        ("int(x^2,x)+c", ("integrate",)),
        ("integrate(x^2,x)+c", ("int",)),
        ("det(matrix([1,2],[3,4]))", ("determinant",)),
        ("inverse(matrix([1,2],[3,4]))", ("invert",)),
        ("expand((x+1)^2)", ("diff", "expand")),
    ],
)
def test_a_part_may_allow_named_commands(text: str, allowed: tuple[str, ...]) -> None:
    assert validate(text, PartSettings(allowed_commands=allowed)).valid
    assert not validate(text).valid


def test_allowing_one_command_does_not_allow_another() -> None:
    v = validate("integrate(diff(x^3,x),x)", PartSettings(allowed_commands=("diff",)))
    assert v.code == "cas_command" and v.message_params == {"name": "integrate"}


def test_unknown_commands_stay_refused_even_when_listed() -> None:
    assert validate("limit(1/x,x,inf)", PartSettings(allowed_commands=("limit",))).code == (
        "cas_command"
    )


@pytest.mark.parametrize(
    ("response", "key"),
    [
        ("diff(x^3,x)", "3*x^2"),
        ("integrate(x^2,x)+c", "x^3/3+c"),
        ("taylor(log(1+x),x,0,3)", "x-x^2/2+x^3/3"),
        ("sum(k^2,k,1,n)", "n*(n+1)*(2*n+1)/6"),
    ],
)
def test_grade_part_gives_no_marks_for_cas_work(response: str, key: str) -> None:
    result = grade_part(response, [Rule("AlgEquiv", key)], PartSettings())
    assert result.score == 0.0 and not result.correct
    assert result.error and result.note == "invalid:cas_command"
    allowed = PartSettings(allowed_commands=("diff", "integrate", "taylor", "sum"))
    assert grade_part(response, [Rule("AlgEquiv", key)], allowed).correct


def test_answer_keys_keep_the_commands() -> None:
    rules = [Rule("AlgEquiv", "diff(x^3,x)")]
    assert grade_part("3*x^2", rules, PartSettings()).correct
    assert grade_part(
        "[[1/2,0],[0,1/4]]", [Rule("AlgEquiv", "invert(matrix([2,0],[0,4]))")], MATRIX
    ).correct


def test_the_answer_test_layer_keeps_stack_semantics() -> None:
    # grade() is STACK's answer test (grade-batch, conformance): there the student expression is
    # a CAS expression, as in STACK; candidate input rules apply in validate() and grade_part().
    assert grade("diff(x^2,x)", "2*x").correct


AB_KEY = "matrix([2,7],[-4,4])"


@pytest.mark.parametrize(
    "text",
    [
        "[[3,1],[0,4]]*[[1,2],[-1,1]]",
        "matrix([3,1],[0,4])*matrix([1,2],[-1,1])",
        "2*[[3,1],[0,4]]*[[1,2],[-1,1]]/2",
        "([[3,1],[0,4]]+[[0,0],[0,0]])*[[1,2],[-1,1]]",
        "[[3,1],[0,4]]^2",
        "-[[3,1],[0,4]]*[[1,2],[-1,1]]",
        "transpose([[3,1],[0,4]])*[[1,2],[-1,1]]",
    ],
)
def test_matrix_products_are_refused_by_default(text: str) -> None:
    v = validate(text, MATRIX)
    assert not v.valid and v.code == "matrix_product"
    result = grade_part(text, [Rule("AlgEquiv", AB_KEY)], MATRIX)
    assert result.score == 0.0 and result.note in ("invalid:matrix_product", "invalid:cas_command")


def test_a_part_may_allow_matrix_products() -> None:
    settings = PartSettings(input_type="matrix", allow_matrix_product=True)
    result = grade_part("[[3,1],[0,4]]*[[1,2],[-1,1]]", [Rule("AlgEquiv", AB_KEY)], settings)
    assert result.correct


@pytest.mark.parametrize("text", ["2*[[1,2],[3,4]]", "[[1,2],[3,4]]/2", "t*[[1,0],[0,1]]"])
def test_a_number_times_a_matrix_is_not_a_matrix_product(text: str) -> None:
    assert validate(text, MATRIX).valid


def test_the_typed_matrix_product_itself_is_marked_with_the_typed_result() -> None:
    assert grade_part("[[2,7],[-4,4]]", [Rule("AlgEquiv", AB_KEY)], MATRIX).correct
