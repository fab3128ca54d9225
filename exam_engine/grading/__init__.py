"""The grading core: safe parsing, validation, STACK's answer tests, limits. Pure Python + SymPy.

See docs/CONTRACTS.md for the interface and docs/grading.md for the design.
"""

from .grader import grade, grade_part
from .pool import GradingPool, close_pool, get_pool
from .pool import configure as configure_pool
from .types import (
    GRADER_VERSION,
    GradeResult,
    ParseError,
    PartSettings,
    Rule,
    Validation,
)
from .validation import parse, validate

__all__ = [
    "GRADER_VERSION",
    "GradeResult",
    "GradingPool",
    "ParseError",
    "PartSettings",
    "Rule",
    "Validation",
    "close_pool",
    "configure_pool",
    "get_pool",
    "grade",
    "grade_part",
    "parse",
    "validate",
]
