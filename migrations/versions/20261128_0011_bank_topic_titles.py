"""banks: topic titles from bank.yaml (topics: {slug: {en: ..., ko: ...}})

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 01:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Existing banks get no titles (pages then show the readable slug) until their next import.
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_column('topics')
