"""several practices per deployment: a call's practice, users' practices

Revision ID: 0004_practices
Revises: 0003_security_journal
Create Date: 2026-12-01 15:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_practices'
down_revision: str | Sequence[str] | None = '0003_security_journal'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_calls_practice_id'), ['practice_id'], unique=False)
    op.create_table(
        'user_practices',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('practice_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('username', 'practice_id'),
    )


def downgrade() -> None:
    op.drop_table('user_practices')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_practice_id'))
        batch_op.drop_column('practice_id')
