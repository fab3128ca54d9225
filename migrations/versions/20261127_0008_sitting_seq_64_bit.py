"""responses.seq and response_history.seq as 64-bit integers

A page's ``seq`` may be any whole number from 0 to 2^63 - 1 (the API refuses others with a
400); PostgreSQL's ``integer`` stopped at 2^31 - 1. SQLite's integers are 64-bit already; the
batch mode rewrites the tables there so that the declared type matches the models.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 18:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ("responses", "response_history")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "seq", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "seq", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
            )
