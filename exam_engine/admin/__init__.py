"""Administrators: staff accounts, invitations, and their e-mail."""

from exam_engine.admin import mail  # noqa: F401  (routes on the admin blueprint)
