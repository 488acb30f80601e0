"""Agenda tables (migration 0002_agenda). The database is the source of truth for bookings;
CalDAV is a synchronised copy.

No double booking, whatever the durations: every appointment and every hold occupies one
`agenda_cells` row per grid step it covers, and (practitioner, start) is that table's primary
key. Two transactions that want an overlapping quarter cannot both commit: the second gets an
IntegrityError (PostgreSQL) or waits for the write lock then sees the row (SQLite).
Times are Unix seconds (UTC).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.service.db import Base


class PatientRow(Base):
    """A patient as the agenda knows them: identified by name + date of birth."""

    __tablename__ = "agenda_patients"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))
    """Folded name (lowercase, no accents) for matching what a caller says."""
    birth_date: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_agenda_patients_identity", "birth_date", "name_key"),)


class AppointmentRow(Base):
    __tablename__ = "agenda_appointments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    practitioner: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[str] = mapped_column(ForeignKey("agenda_patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    """booked, cancelled."""
    source: Mapped[str] = mapped_column(String(16))
    """agent, dashboard, api."""
    call_id: Mapped[str | None] = mapped_column(String(40))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")
    """pending (the calendar has not got this version yet), synced."""
    sync_attempts: Mapped[int] = mapped_column(Integer, default=0)
    sync_error: Mapped[str | None] = mapped_column(String(255))
    caldav_href: Mapped[str | None] = mapped_column(String(500))
    caldav_etag: Mapped[str | None] = mapped_column(String(200))
    sms_state: Mapped[str | None] = mapped_column(String(16))
    """None (not asked), pending, sent, failed."""

    __table_args__ = (
        Index("ix_agenda_appointments_day", "start", "practitioner"),
        Index("ix_agenda_appointments_sync", "sync_state"),
    )


class CellRow(Base):
    """One grid step of one practitioner, taken by an appointment or a hold."""

    __tablename__ = "agenda_cells"
    practitioner: Mapped[str] = mapped_column(String(40), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(16))
    """appointment, hold."""
    owner_id: Mapped[str] = mapped_column(String(40), index=True)
    expires_at: Mapped[float | None] = mapped_column(Float)
    """Holds only: after this the cell is free again."""


class HoldRow(Base):
    __tablename__ = "agenda_holds"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    practitioner: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    call_id: Mapped[str | None] = mapped_column(String(40))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class ExternalEventRow(Base):
    """An event the practitioner put in their own calendar: busy time, nothing else kept (its
    title may name a person)."""

    __tablename__ = "agenda_external_events"
    href: Mapped[str] = mapped_column(String(500), primary_key=True)
    practitioner: Mapped[str] = mapped_column(String(40), index=True)
    uid: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str | None] = mapped_column(String(200))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[float] = mapped_column(Float)


class CalendarStateRow(Base):
    """Per practitioner: the calendar URL and where the last sync-collection left off."""

    __tablename__ = "agenda_calendars"
    practitioner: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    sync_token: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(String(255))
