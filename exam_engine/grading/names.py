"""The whitelist of names: functions, constants and keywords the parser accepts."""

from __future__ import annotations

import difflib

# canonical function name -> (min args, max args); aliases below map other spellings to these.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1),
    "root": (1, 2),
    "exp": (1, 1),
    "log": (1, 2),
    "ln": (1, 1),
    "lg": (1, 2),
    "log10": (1, 1),
    "log2": (1, 1),
    "abs": (1, 1),
    "sign": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "tan": (1, 1),
    "sec": (1, 1),
    "csc": (1, 1),
    "cot": (1, 1),
    "asin": (1, 1),
    "acos": (1, 1),
    "atan": (1, 1),
    "asec": (1, 1),
    "acsc": (1, 1),
    "acot": (1, 1),
    "atan2": (2, 2),
    "sinh": (1, 1),
    "cosh": (1, 1),
    "tanh": (1, 1),
    "sech": (1, 1),
    "csch": (1, 1),
    "coth": (1, 1),
    "asinh": (1, 1),
    "acosh": (1, 1),
    "atanh": (1, 1),
    "asech": (1, 1),
    "acsch": (1, 1),
    "acoth": (1, 1),
    "factorial": (1, 1),
    "binomial": (2, 2),
    "gamma": (1, 1),
    "beta": (2, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "max": (1, 50),
    "min": (1, 50),
    "re": (1, 1),
    "im": (1, 1),
    "conjugate": (1, 1),
    "arg": (1, 1),
    "erf": (1, 1),
    "mod": (2, 2),
    "gcd": (2, 2),
    "lcm": (2, 2),
    "matrix": (1, 50),
    "transpose": (1, 1),
    "determinant": (1, 1),
    "invert": (1, 1),
    "oo": (2, 2),
    "cc": (2, 2),
    "co": (2, 2),
    "oc": (2, 2),
    "diff": (1, 3),
    "integrate": (2, 4),
    "sum": (4, 4),
    "product": (4, 4),
    # Maxima spellings that only rewrite or check the form of an expression (teacher side).
    "expand": (1, 1),
    "factor": (1, 5),
    "ratsimp": (1, 5),
    "fullratsimp": (1, 5),
    "radcan": (1, 5),
    "trigsimp": (1, 5),
    "trigexpand": (1, 5),
    "trigreduce": (1, 5),
    "trigrat": (1, 5),
    "rectform": (1, 5),
    "polarform": (1, 5),
    "logcontract": (1, 5),
    "exdowncase": (1, 1),
    "ev": (1, 10),
    "simplify": (1, 1),
    "nounadd": (1, 50),
    "nounmul": (1, 50),
    "stackeq": (1, 1),
    "subst": (3, 3),
    "assume": (1, 10),
    "declare": (1, 10),
    "taylor": (4, 4),
    "displaydp": (2, 2),
    "dispsf": (2, 2),
    "displaysci": (3, 3),
    "remove_numerical_inert": (1, 1),
    "round": (1, 1),
    "significantfigures": (2, 2),
    "scientific_notation": (1, 2),
    "%union": (1, 20),
    "%intersection": (1, 20),
    # STACK's predicates (predicates.py): answer keys and the answer-test layer only.
    "complex_exponentialp": (1, 1),
    "imag_numberp": (1, 1),
    "integerp": (1, 1),
    "lowesttermsp": (1, 1),
    "scientific_notationp": (1, 1),
    "rationalized": (1, 1),
}

ALIASES: dict[str, str] = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsec": "asec",
    "arccsc": "acsc",
    "arccot": "acot",
    "arctan2": "atan2",
    "arsinh": "asinh",
    "arcosh": "acosh",
    "artanh": "atanh",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "cosec": "csc",
    "cosech": "csch",
    "cotan": "cot",
    "signum": "sign",
    "sgn": "sign",
    "Abs": "abs",
    "Max": "max",
    "Min": "min",
    "ceil": "ceiling",
    "fact": "factorial",
    "int": "integrate",
    "binom": "binomial",
    "nCr": "binomial",
    "det": "determinant",
    "noundiff": "diff",
    "inverse": "invert",
    "Sum": "sum",
    "Log": "log",
    "Ln": "ln",
    "Exp": "exp",
    "Sqrt": "sqrt",
    "dispdp": "displaydp",
    "Union": "%union",
    "Intersection": "%intersection",
}

CONSTANTS: dict[str, str] = {
    "pi": "pi",
    "%pi": "pi",
    "Pi": "pi",
    "e": "e",
    "%e": "e",
    "i": "i",
    "%i": "i",
    "I": "i",
    "E": "e",
    "inf": "inf",
    "infinity": "inf",
    "infty": "inf",
    "oo": "inf",
    "minf": "minf",
    "true": "true",
    "false": "false",
    "all": "all",
    "none": "none",
    "%gamma": "euler_gamma",
    "%phi": "golden",
}

BINARY_WORDS = {
    "and": "and",
    "or": "or",
    "nounand": "and",
    "nounor": "or",
    "union": "union",
    "intersect": "intersect",
    "cup": "union",
    "cap": "intersect",
    "implies": "implies",
    "xor": "xor",
    "xnor": "xnor",
}
PREFIX_WORDS = {"not": "not", "nounnot": "not"}

GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron rho "
    "sigma tau upsilon phi chi psi omega Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota "
    "Kappa Lambda Mu Nu Xi Omicron Rho Sigma Tau Upsilon Phi Chi Psi Omega".split()
)

STUDENT_HIDDEN = frozenset(
    {
        "nounadd",
        "nounmul",
        "exdowncase",
        "ev",
        "stackeq",
        "trigrat",
        "logcontract",
        "assume",
        "declare",
        "displaydp",
        "dispsf",
        "displaysci",
        "remove_numerical_inert",
        "significantfigures",
        "scientific_notation",
        "%union",
        "%intersection",
        "complex_exponentialp",
        "imag_numberp",
        "integerp",
        "lowesttermsp",
        "scientific_notationp",
        "rationalized",
    }
)


# Commands that would make the CAS do the candidate's work (calculus, algebra, linear algebra):
# refused in candidate answers unless a part lists them in ``allowed_commands``. Answer keys
# (teacher side) keep them.
CAS_COMMANDS = frozenset(
    {
        "diff",
        "integrate",
        "sum",
        "product",
        "taylor",
        "determinant",
        "invert",
        "transpose",
        "expand",
        "factor",
        "ratsimp",
        "fullratsimp",
        "radcan",
        "trigsimp",
        "trigexpand",
        "trigreduce",
        "rectform",
        "polarform",
        "simplify",
        "subst",
    }
)

# CAS commands the grader does not know at all: a candidate typing one gets the same specific
# message instead of "unknown function" (no part setting can allow them).
UNKNOWN_CAS_COMMANDS = frozenset(
    "limit lim series solve linsolve nsolve algsys rank eigenvalues eigenvals eigenvectors "
    "eigenvects charpoly nullspace rref echelon adjoint dot cross gradient jacobian laplace "
    "ilt ode2 desolve partfrac apart cancel together collect nintegrate quad_qags romberg "
    "find_root realroots allroots roots nroots polyroots float numer evalf nsum dsolve "
    "integral derivative deriv defint".split()
)

# Python keywords never read as variable names in candidate answers ("import os" is not a
# product). ``and``/``or``/``not`` are our logic words; ``lambda`` is also a Greek letter, so it
# is refused only when used as Python uses it (followed by a name or ":").
PYTHON_KEYWORDS = frozenset(
    "import from if else elif for while def class return yield with as is in pass raise try "
    "except finally global nonlocal del assert async await break continue None True False "
    "print exec eval open __import__".split()
)


def command_name(name: str) -> str:
    """The canonical spelling of a command name as an author lists it (``int`` -> ``integrate``).

    :param name: a name as typed in a part's ``allowed_commands``.
    :returns: the canonical function name, or the name itself when it is not a known function.
    """
    return function_name(name.strip()) or name.strip()


def function_name(name: str) -> str | None:
    """Return the canonical name of a whitelisted function, or ``None``.

    :param name: a name as typed.
    :returns: the canonical name, or ``None`` when it is not a known function.
    """
    canon = ALIASES.get(name, name)
    return canon if canon in FUNCTIONS else None


def closest_function(name: str) -> str | None:
    """Suggest the known function nearest to an unknown name.

    :param name: the unknown name.
    :returns: the closest known function name, or ``None`` when nothing is close.
    """
    candidates = [f for f in FUNCTIONS if f not in STUDENT_HIDDEN and len(f) > 2]
    for f in sorted(candidates, key=len, reverse=True):
        if name.startswith(f) and len(f) >= 3:
            return f
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
