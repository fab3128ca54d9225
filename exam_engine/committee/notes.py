"""The grader's notes in words, for a committee judging an answer.

A grade keeps the grader's note as codes (STACK's answer notes such as ``ATAlgEquiv_False.``,
our own such as ``LIMIT``, or the rule an author wrote): exact, stable, kept in exports, and
meaningless to most readers. This turns each code into a sentence in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

# One code per match: a few STACK notes contain a space.
_TOKEN = re.compile(r"ATSubstEquiv_Subst \[[^\]]*\]\.|AT\w+?TEST_FAILED-Empty [ST]A\.|\S+")
_STACK = re.compile(r"^AT([A-Za-z]+?)(?:TEST_FAILED-Empty ([ST])A|_(.*?))\.?$")
_RULE = re.compile(r"^[\w.]+-rule(\d+)$")

# What each answer test checks, as a phrase for "passed / did not pass the check: ...".
CHECKS = {
    "AlgEquiv": _l("algebraically equal to the model answer"),
    "EqualComAss": _l("equal to the model answer, up to order and grouping"),
    "CasEqual": _l("identical to the model answer as written"),
    "SameType": _l("the same kind of object as the model answer"),
    "SubstEquiv": _l("equal to the model answer, allowing renamed variables"),
    "Sets": _l("the same set as the model answer"),
    "Expanded": _l("written in expanded form"),
    "FacForm": _l("written in factored form"),
    "SingleFrac": _l("written as a single fraction"),
    "PartFrac": _l("written in partial fractions"),
    "CompSquare": _l("written with the square completed"),
    "LowestTerms": _l("written in lowest terms"),
    "Numerical": _l("numerically close enough to the model answer"),
    "NumRelative": _l("within the relative tolerance of the model answer"),
    "NumAbsolute": _l("within the absolute tolerance of the model answer"),
    "NumSigFigs": _l("correct to the required significant figures"),
    "NumDecPlaces": _l("correct to the required decimal places"),
    "GT": _l("greater than the model answer"),
    "GTE": _l("greater than or equal to the model answer"),
    "Int": _l("an antiderivative of the right function"),
    "Antidiff": _l("an antiderivative of the right function"),
    "AddConst": _l("an antiderivative with a constant of integration"),
    "Diff": _l("the right derivative"),
    "String": _l("the same text as the model answer"),
    "StringSloppy": _l("the same text as the model answer, ignoring case and spaces"),
    "Choice": _l("the right choice"),
}

# Notes with a meaning of their own (lower-case, without the final dot).
SPECIFIC = {
    "numsigfigs_wrongdigits": _l("The answer has the wrong number of significant figures."),
    "numsigfigs_inaccurate": _l(
        "The answer has the right number of significant figures but is not accurate enough."
    ),
    "numsigfigs_wrongsign": _l("The answer has the wrong sign."),
    "numsigfigs_notdecimal": _l("The answer is not written as a decimal number."),
    "numdecplaces_wrong_dps": _l("The answer has the wrong number of decimal places."),
    "sets_missingentries": _l("Some elements of the set are missing."),
    "sets_wrongentries": _l("The set has elements that do not belong in it."),
    "facform_notfactored": _l("The answer is equal to the model answer but not factored."),
    "facform_notalgequiv": _l("The answer is not equal to the model answer."),
    "compsquare_false_not_algequiv": _l("The answer is not equal to the model answer."),
    "int_const": _l("The constant of integration is missing."),
    "int_const_int": _l("The constant of integration should be a constant, not an integer."),
    "int_const_condone": _l("The constant of integration is missing; this is condoned."),
    "int_logabs": _l("The answer needs an absolute value inside the logarithm."),
    "int_diff": _l("The candidate seems to have differentiated instead of integrating."),
    "diff_int": _l("The candidate seems to have integrated instead of differentiating."),
    "addconst_noconst": _l("The constant of integration is missing."),
    "addconst_severalconst": _l("The answer has more than one constant of integration."),
    "lowestterms_entries": _l("Some fractions are not in lowest terms."),
    "choice_partial": _l("Some, but not all, of the right options were chosen."),
    "numerical_wronglen": _l("The answer has the wrong number of entries."),
}

KEYWORDS: dict[str, Callable[[], str]] = {
    "NoAnswer": lambda: str(_l("No answer was given.")),
    "no_rule_matched": lambda: str(_l("No rule of the question matched: the answer is wrong.")),
    "LIMIT": lambda: str(
        _l("The grader could not decide within its time or memory limit: judge this answer.")
    ),
    "BUDGET": lambda: str(
        _l("Not graded: the attempt took longer than its grading budget. Judge this answer.")
    ),
    "INTERNAL": lambda: str(_l("The grader failed on this answer (internal error): judge it.")),
    "UNKNOWN_TEST": lambda: str(_l("The question names an answer test that does not exist.")),
}


def _stack(test: str, empty: str | None, outcome: str) -> str:
    check = CHECKS.get(test)
    what = str(check) if check is not None else test
    low = outcome.lower()
    if empty:
        if empty == "S":
            return str(_l("The answer was empty."))
        return str(_l("The model answer is empty: tell the question's author."))
    if f"{test.lower()}_{low}" in SPECIFIC:
        return str(SPECIFIC[f"{test.lower()}_{low}"])
    if low in ("true", "true_formal", "isfactored", "ret_exp", "ret_expression"):
        return str(_l("Passed the check: %(check)s.", check=what))
    if low in ("false", "false_no_summands", "false_factor", "part", "generic"):
        return str(_l("Did not pass the check: %(check)s.", check=what))
    if low == "undecided":
        return str(_l("The check could not decide (%(check)s): judge this answer.", check=what))
    if "stackerror" in low or low == "internal" or low.startswith("opt"):
        return str(
            _l(
                "The check (%(check)s) could not be applied: the model answer or the test's "
                "options are faulty. Judge this answer and tell the question's author.",
                check=what,
            )
        )
    if low.startswith(("sa_not", "sa_", "not_expression")) or "not_" in low:
        return str(_l("The answer is not of the kind the check needs (%(check)s).", check=what))
    if low.startswith("wrongsize"):
        return str(_l("The answer has the wrong size."))
    if low.startswith("subst"):
        return str(_l("Equal to the model answer after renaming variables."))
    return str(_l("Did not pass the check: %(check)s.", check=what))


def explain(note: str, fraction: float = 0.0) -> list[str]:
    """The grader's note as sentences in the current language; codes stay in the page beside.

    :param note: the grade's note, as stored.
    :param fraction: the share of the part's points awarded (an author's own rule label reads
        as "matched the author's rule" only when it earned something).
    :returns: one sentence per code, in order.
    """
    note = (note or "").strip()
    if not note:
        return []
    out: list[str] = []
    for token in _TOKEN.findall(note):
        sentence = _token(token)
        if sentence is None:
            # Not a code we know: an author's own label for a partial-credit rule.
            if fraction > 0:
                return [str(_l("Matched the author's rule labelled “%(label)s”.", label=note))]
            sentence = str(_l("Grader note “%(code)s” (no description).", code=token))
        out.append(sentence)
    return out


def _token(token: str) -> str | None:
    if token in KEYWORDS:
        return KEYWORDS[token]()
    if token.startswith("invalid:"):
        return str(_l("The answer was not valid, so it was not graded (it scores 0)."))
    if token.endswith("-model"):
        return str(_l("Matches the model answer."))
    rule = _RULE.match(token)
    if rule:
        return str(
            _l(
                "Matches partial-credit rule %(n)d written by the question's author.",
                n=int(rule.group(1)) + 1,
            )
        )
    match = _STACK.match(token)
    if match:
        return _stack(match.group(1), match.group(2), match.group(3) or "")
    return None
