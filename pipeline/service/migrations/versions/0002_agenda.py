# ruff: noqa: E501
"""agenda: patients, appointments, cells (no double booking), holds, external events, calendars

Revision ID: 0002_agenda
Revises: 0001
Create Date: 2026-12-01 11:45:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002_agenda'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agenda_patients',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('birth_date', sa.String(length=10), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agenda_patients', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_patients_identity', ['birth_date', 'name_key'], unique=False)

    op.create_table('agenda_appointments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('practitioner', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('call_id', sa.String(length=40), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.Column('sync_state', sa.String(length=16), nullable=False),
    sa.Column('sync_attempts', sa.Integer(), nullable=False),
    sa.Column('sync_error', sa.String(length=255), nullable=True),
    sa.Column('caldav_href', sa.String(length=500), nullable=True),
    sa.Column('caldav_etag', sa.String(length=200), nullable=True),
    sa.Column('sms_state', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['agenda_patients.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agenda_appointments', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_appointments_day', ['start', 'practitioner'], unique=False)
        batch_op.create_index('ix_agenda_appointments_sync', ['sync_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_appointments_patient_id'), ['patient_id'], unique=False)

    # The no-double-booking constraint: one owner per practitioner and grid step.
    op.create_table('agenda_cells',
    sa.Column('practitioner', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('owner_kind', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.String(length=40), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('practitioner', 'start')
    )
    with op.batch_alter_table('agenda_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_cells_owner_id'), ['owner_id'], unique=False)

    op.create_table('agenda_holds',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('practitioner', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=40), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agenda_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_holds_expires_at'), ['expires_at'], unique=False)

    op.create_table('agenda_external_events',
    sa.Column('href', sa.String(length=500), nullable=False),
    sa.Column('practitioner', sa.String(length=40), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('etag', sa.String(length=200), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('href')
    )
    with op.batch_alter_table('agenda_external_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_external_events_practitioner'), ['practitioner'], unique=False)

    op.create_table('agenda_calendars',
    sa.Column('practitioner', sa.String(length=40), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('sync_token', sa.Text(), nullable=True),
    sa.Column('last_sync_at', sa.Float(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('practitioner')
    )


def downgrade() -> None:
    op.drop_table('agenda_calendars')
    with op.batch_alter_table('agenda_external_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_external_events_practitioner'))
    op.drop_table('agenda_external_events')
    with op.batch_alter_table('agenda_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_holds_expires_at'))
    op.drop_table('agenda_holds')
    with op.batch_alter_table('agenda_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_cells_owner_id'))
    op.drop_table('agenda_cells')
    with op.batch_alter_table('agenda_appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_appointments_patient_id'))
        batch_op.drop_index('ix_agenda_appointments_sync')
        batch_op.drop_index('ix_agenda_appointments_day')
    op.drop_table('agenda_appointments')
    with op.batch_alter_table('agenda_patients', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_patients_identity')
    op.drop_table('agenda_patients')
