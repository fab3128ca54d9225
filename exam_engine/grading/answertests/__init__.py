"""STACK's answer tests, by family; :data:`REGISTRY` maps a test's name to its function."""

from . import algebraic, calculus, forms, numerical, strings  # noqa: F401 - registers the tests
from .base import REGISTRY, Outcome, Spec, TestError

__all__ = ["REGISTRY", "Outcome", "Spec", "TestError"]
