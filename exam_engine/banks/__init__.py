"""Question banks: load and validate ``question_banks/`` YAML files into plain dataclasses.

Pure: no Flask, no SQLAlchemy. See ``docs/question-format.md`` for the file format and
``docs/CONTRACTS.md`` for this interface.
"""

from exam_engine.banks.authortests import AuthorTestFailure, run_author_tests
from exam_engine.banks.checks import missing_languages
from exam_engine.banks.hashing import content_hash
from exam_engine.banks.loader import (
    BankError,
    load_bank,
    load_question_file,
    question_from_data,
    validate_path,
)
from exam_engine.banks.model import (
    LANGUAGES,
    Bank,
    ChoiceSpec,
    LocalText,
    PartSpec,
    Problem,
    QuestionSpec,
    RuleSpec,
    Variant,
    VariantPart,
    languages_of,
    pick,
)
from exam_engine.banks.params import ParameterError
from exam_engine.banks.render import render_markdown
from exam_engine.banks.variants import instantiate

__all__ = [
    "missing_languages",
    "LANGUAGES",
    "LocalText",
    "languages_of",
    "pick",
    "AuthorTestFailure",
    "Bank",
    "BankError",
    "ChoiceSpec",
    "ParameterError",
    "PartSpec",
    "Problem",
    "QuestionSpec",
    "RuleSpec",
    "Variant",
    "VariantPart",
    "content_hash",
    "instantiate",
    "load_bank",
    "load_question_file",
    "question_from_data",
    "render_markdown",
    "run_author_tests",
    "validate_path",
]
