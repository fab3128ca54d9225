"""Tests of the grading core (pure, mostly parametrised)."""
