"""All models, importable from one place (Alembic sees them through this module)."""

from exam_engine.models.attempt import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Grade,
    IntegrityEvent,
    Response,
    ResponseHistory,
)
from exam_engine.models.audit import AuditEntry
from exam_engine.models.bank import Bank, Question, QuestionVersion
from exam_engine.models.candidate import Candidate, Invitation
from exam_engine.models.decision import (
    Decision,
    DecisionKind,
    GradeChange,
    ItemAction,
    ItemAdjustment,
)
from exam_engine.models.exam import Exam, ExamQuestion, ExamSection, ExamStatus
from exam_engine.models.job import ExamRevision, Job, JobKind, JobState
from exam_engine.models.mail import MailMessage, MailState
from exam_engine.models.membership import CommitteeMember, ExamStage
from exam_engine.models.types import utcnow
from exam_engine.models.user import LoginThrottle, Role, User

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "AttemptStatus",
    "AuditEntry",
    "Bank",
    "Candidate",
    "CommitteeMember",
    "Decision",
    "DecisionKind",
    "Exam",
    "ExamQuestion",
    "ExamRevision",
    "ExamSection",
    "ExamStage",
    "ExamStatus",
    "Grade",
    "GradeChange",
    "IntegrityEvent",
    "Invitation",
    "LoginThrottle",
    "MailMessage",
    "MailState",
    "ItemAction",
    "ItemAdjustment",
    "Job",
    "JobKind",
    "JobState",
    "Question",
    "QuestionVersion",
    "Response",
    "ResponseHistory",
    "Role",
    "User",
    "utcnow",
]
