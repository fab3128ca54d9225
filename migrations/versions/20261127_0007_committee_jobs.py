"""committee: background jobs with progress, and each exam's grades revision

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:50:00

"""
from alembic import op
import sqlalchemy as sa

import exam_engine.models.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'exam_revisions',
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('changed_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
        sa.PrimaryKeyConstraint('exam_id'),
    )
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('ANALYSIS', 'REGRADE', name='jobkind', native_enum=False, length=20), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('QUEUED', 'RUNNING', 'DONE', 'FAILED', name='jobstate', native_enum=False, length=20), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=True),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('queued_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('applied_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('applied_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_jobs_exam_kind', 'jobs', ['exam_id', 'kind', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_jobs_exam_kind', table_name='jobs')
    op.drop_table('jobs')
    op.drop_table('exam_revisions')
