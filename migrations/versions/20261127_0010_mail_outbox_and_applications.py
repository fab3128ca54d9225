"""mail outbox; where a candidate came from (invitation or application)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 21:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column(
            'state',
            sa.Enum('QUEUED', 'RETRYING', 'SENT', 'FAILED', name='mailstate',
                    native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('exam_id', sa.Integer(), nullable=True),
        sa.Column('invitation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'],
                                name=op.f('fk_mail_messages_exam_id_exams')),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'],
                                name=op.f('fk_mail_messages_invitation_id_invitations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_messages')),
        sa.UniqueConstraint('key', name=op.f('uq_mail_messages_key')),
    )
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_messages_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_messages_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_messages_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_mail_messages_invitation_id'), ['invitation_id'], unique=False
        )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=20), server_default='invitation', nullable=False)
        )
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('source')
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_messages_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_mail_messages_exam_id'))
        batch_op.drop_index(batch_op.f('ix_mail_messages_state'))
        batch_op.drop_index(batch_op.f('ix_mail_messages_kind'))
    op.drop_table('mail_messages')
