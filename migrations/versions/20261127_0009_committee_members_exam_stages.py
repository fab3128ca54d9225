"""committee members per exam, and second-stage exams

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 21:50:00

"""
from alembic import op
import sqlalchemy as sa

import exam_engine.models.types


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'committee_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('exam_id', 'user_id'),
    )
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_members_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_members_user_id'), ['user_id'], unique=False)
    op.create_table(
        'exam_stages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_exam_id', sa.Integer(), nullable=False),
        sa.Column('second_exam_id', sa.Integer(), nullable=False),
        sa.Column('linked_at', exam_engine.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['first_exam_id'], ['exams.id'], ),
        sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['second_exam_id'], ['exams.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('first_exam_id', 'second_exam_id'),
    )
    with op.batch_alter_table('exam_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_stages_first_exam_id'), ['first_exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_stages_second_exam_id'), ['second_exam_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_stages_second_exam_id'))
        batch_op.drop_index(batch_op.f('ix_exam_stages_first_exam_id'))
    op.drop_table('exam_stages')
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_committee_members_exam_id'))
    op.drop_table('committee_members')
