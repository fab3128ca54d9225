"""Candidate-facing message templates (English, ``%(name)s`` placeholders).

Every literal is wrapped in the no-op :func:`N_` so that Babel extracts it (keyword ``N_``);
the web app translates the template with gettext and fills in the parameters afterwards.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for translation without translating it.

    :param message: the English template.
    :returns: the same string.
    """
    return message


EMPTY = N_("Please type an answer.")
TOO_LONG = N_("Your answer is too long (%(length)s characters; the limit is %(limit)s).")
TOO_DEEP = N_("Your answer has too many nested brackets (more than %(limit)s levels).")
TOO_MANY_TOKENS = N_("Your answer is too long to check (more than %(limit)s symbols).")
BAD_CHAR = N_('Your answer must not contain the character "%(char)s".')
MISSING_STAR = N_("You seem to be missing * characters. Perhaps you meant %(suggestion)s")
UNKNOWN_FUNCTION = N_('The function "%(name)s" is not known. Perhaps you meant %(suggestion)s')
UNKNOWN_FUNCTION_PLAIN = N_('The function "%(name)s" is not known.')
NO_ARGUMENT = N_('The function "%(name)s" needs an argument in brackets, e.g. %(name)s(x).')
POWER_OF_FUNCTION = N_("Write %(name)s(x)^%(power)s instead of %(name)s^%(power)s(x).")
UNBALANCED = N_('Your brackets are not balanced: "%(bracket)s" has no partner.')
MISMATCHED = N_('The bracket "%(open)s" is closed by "%(close)s".')
SYNTAX = N_("This answer is not a valid expression (syntax error near %(near)s).")
SYNTAX_END = N_("This answer is not a valid expression: it ends unexpectedly.")
TWO_NUMBERS = N_('Two numbers stand next to each other in "%(near)s": is an operator missing?')
FLOATS_FORBIDDEN = N_(
    "Your answer contains the floating-point number %(number)s. Please give an exact value, "
    "such as a fraction."
)
FORBIDDEN_WORD = N_('The word "%(word)s" is not allowed in this answer.')
CAS_COMMAND = N_(
    'The command "%(name)s" cannot be used in this answer: please do the calculation yourself '
    "and type the result."
)
MATRIX_PRODUCT = N_(
    "Please multiply the matrices or vectors yourself and type the resulting matrix or vector."
)
PYTHON_KEYWORD = N_('"%(name)s" cannot be used in an answer.')
UNKNOWN_VARIABLE = N_('"%(name)s" is not a variable of this question. You may use: %(variables)s.')
WRONG_ARGS = N_('The function "%(name)s" takes %(expected)s argument(s), not %(got)s.')
NUMBER_TOO_LARGE = N_("A number in your answer is too large to work with.")
NUMBER_TOO_LONG = N_("A number in your answer has too many digits.")
DIVISION_BY_ZERO = N_("Your answer divides by zero.")
UNDEFINED = N_("Your answer is undefined (for example 0/0 or 0^0).")
NOT_A_NUMBER = N_("Please give a number.")
NOT_A_MATRIX = N_("Please give a matrix, e.g. [[1,2],[3,4]].")
MATRIX_ROWS = N_("Every row of a matrix must have the same number of entries.")
NOT_A_SET = N_("Please give a set, e.g. {1, 2}.")
NOT_AN_EQUATION = N_("Please give an equation, e.g. y = 2*x + 1.")
NOT_AN_INTERVAL = N_("Please give an interval, e.g. [0, 1) or (-oo, 2].")
BAD_CHOICE = N_('"%(choice)s" is not one of the options.')
NO_CHOICE = N_("Please choose an option.")
BAD_USE = N_("%(what)s cannot be used here.")
LIMIT = N_("This answer could not be checked within the time or memory limit.")
TEACHER_INVALID = N_("The answer key could not be read: %(message)s")
BAD_OPTIONS = N_("The answer test options are not valid: %(message)s")
UNKNOWN_TEST = N_('Unknown answer test "%(test)s".')
INTERNAL = N_("This answer could not be checked (internal error).")

# Feedback for candidates, used by the answer tests.
FB_EXPANDED = N_("Your answer is not expanded.")
FB_NOT_FACTORED = N_("Your answer is not fully factored.")
FB_NOT_SINGLE_FRAC = N_("Your answer should be written as a single fraction.")
FB_NOT_LOWEST = N_("Your fraction is not in lowest terms.")
FB_NOT_PARTFRAC = N_("Your answer is not in partial fractions.")
FB_NOT_COMPSQUARE = N_("Your answer is not in completed-square form.")
FB_SIGFIGS = N_("Your answer should be given to %(n)s significant figures.")
FB_DECPLACES = N_("Your answer should be given to %(n)s decimal places.")
FB_CONST = N_("You have forgotten the constant of integration.")
FB_WRONG_TYPE = N_("Your answer should be %(expected)s, but it is %(got)s.")
FB_SET_WRONG = N_("Your set has the wrong elements.")
FB_MISSING_VARIABLE = N_("Your answer should depend on %(variables)s.")
FB_SIGN = N_("Your answer differs from the correct one by a sign.")


def render(template: str, params: dict[str, str] | None = None) -> str:
    """Fill a template's placeholders, tolerating missing ones.

    :param template: an English template.
    :param params: its parameters.
    :returns: the English text.
    """
    if not params:
        return template
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        return template
