"""security and durability: journal idempotency ids, service instances, call ownership

Revision ID: 0003_security_journal
Revises: 0002_agenda
Create Date: 2026-12-01 12:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_security_journal'
down_revision: str | Sequence[str] | None = '0002_agenda'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'journal_applied',
        sa.Column('write_id', sa.String(length=32), nullable=False),
        sa.Column('applied_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('write_id'),
    )
    with op.batch_alter_table('journal_applied', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_applied_applied_at'), ['applied_at'],
                              unique=False)
    op.create_table(
        'service_instances',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.Float(), nullable=False),
        sa.Column('heartbeat_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('instance_id')
    op.drop_table('service_instances')
    with op.batch_alter_table('journal_applied', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_applied_applied_at'))
    op.drop_table('journal_applied')
