"""Bookings in the database, the source of truth: holds, atomic booking, moves, cancellations,
patients, the sync outbox and the busy time seen in the practitioners' calendars.

Synchronous (SQLAlchemy, one transaction per operation with its audit entry); the async facade
(`pipeline.agenda.service.AgendaService`) runs it in worker threads. Audit entries carry ids,
practitioner, type and times, never a patient's name, birth date or phone.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, delete, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agenda import Agenda, AgendaConfig, Busy, Slot, Unbookable
from agenda.config import fold
from pipeline.agenda.db import (
    AppointmentRow,
    CalendarStateRow,
    CellRow,
    ExternalEventRow,
    HoldRow,
    PatientRow,
)
from pipeline.service.store import Store


class Source(StrEnum):
    AGENT = "agent"
    DASHBOARD = "dashboard"
    API = "api"
    CALENDAR = "calendar"
    """Moved by the practitioner in their own calendar app."""


class SyncState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"


class AgendaError(Exception):
    """Base of the agenda's refusals; `code` is stable (API, dialogue)."""

    code = "agenda_error"


class SlotTaken(AgendaError):
    """Someone else holds or booked (part of) this slot, or the practitioner is busy then."""

    code = "slot_taken"


class SlotUnbookable(AgendaError):
    """The grid does not allow this start (outside hours, closed day, too soon...)."""

    code = "unbookable"

    def __init__(self, reason: Unbookable) -> None:
        super().__init__(f"this slot cannot be booked: {reason.value}")
        self.reason = reason


class NotFound(AgendaError):
    code = "not_found"


class HoldExpired(AgendaError):
    code = "hold_expired"


@dataclass(frozen=True)
class PatientIn:
    name: str
    birth_date: date
    phone: str | None = None


@dataclass(frozen=True)
class Patient:
    id: str
    name: str
    birth_date: date
    phone: str | None


@dataclass(frozen=True)
class Hold:
    id: str
    slot: Slot
    expires_at: datetime
    call_id: str | None


@dataclass(frozen=True)
class Appointment:
    id: str
    slot: Slot
    patient: Patient
    status: str
    source: str
    call_id: str | None
    urgent: bool
    created_by: str
    created_at: float
    updated_at: float
    sync_state: str
    sync_error: str | None
    caldav_href: str | None
    caldav_etag: str | None
    sms_state: str | None

    @property
    def start(self) -> datetime:
        return self.slot.start

    @property
    def practitioner(self) -> str:
        return self.slot.practitioner


@dataclass(frozen=True)
class BookingRequest:
    start: datetime
    practitioner: str
    type: str
    patient: PatientIn
    actor: str
    source: Source
    call_id: str | None = None
    hold_id: str | None = None
    """Book the slot this call was holding (the hold's cells become the appointment's)."""
    urgent: bool = False
    sms: bool = False
    """Ask for an SMS confirmation (sent when the practice enables it)."""


@dataclass(frozen=True)
class ExternalEvent:
    href: str
    uid: str
    etag: str | None
    start: datetime
    end: datetime


def _new_id(prefix: str) -> str:
    # '-' not '_': the id is also the FHIR resource id ([A-Za-z0-9.-]{1,64}).
    return f"{prefix}-{secrets.token_hex(8)}"


def _ts(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("expected a timezone-aware datetime")
    return int(at.timestamp())


class AgendaStore:
    """Every operation is one transaction; a refused booking changes nothing."""

    def __init__(self, store: Store, config: AgendaConfig, *, scoped: bool = False) -> None:
        """``scoped``: this agenda is one practice's among several sharing the database
        (issue 10): it reads, lists and syncs only its own practitioners' rows (their ids are
        unique across the deployment, `pipeline.practices`). Unscoped, a practitioner removed
        from the file still shows in listings, as before."""
        self.store = store
        self.config = config
        self.agenda = Agenda(config)
        self._step_s = config.step_min * 60
        self._own: frozenset[str] | None = (
            frozenset(p.id for p in config.practitioners) if scoped else None)

    def _owns(self, practitioner: str) -> bool:
        return self._own is None or practitioner in self._own

    def _mine(self, column: Any) -> ColumnElement[bool]:
        """Rows of this practice's practitioners (everything when unscoped)."""
        return true() if self._own is None else column.in_(sorted(self._own))

    # -- conversions ------------------------------------------------------------------------
    def _dt(self, ts: int | float) -> datetime:
        return datetime.fromtimestamp(ts, self.config.tz)

    def _patient(self, row: PatientRow) -> Patient:
        return Patient(row.id, row.name, date.fromisoformat(row.birth_date), row.phone)

    def _appointment(self, row: AppointmentRow, patient: PatientRow) -> Appointment:
        return Appointment(
            id=row.id,
            slot=Slot(self._dt(row.start), self._dt(row.end), row.practitioner, row.type),
            patient=self._patient(patient), status=row.status, source=row.source,
            call_id=row.call_id, urgent=row.urgent, created_by=row.created_by,
            created_at=row.created_at, updated_at=row.updated_at, sync_state=row.sync_state,
            sync_error=row.sync_error, caldav_href=row.caldav_href, caldav_etag=row.caldav_etag,
            sms_state=row.sms_state)

    def _cells(self, practitioner: str, start: int, end: int) -> list[int]:
        return list(range(start, end, self._step_s))

    def _end(self, start: datetime, type_id: str) -> datetime:
        return start + timedelta(minutes=self.config.type(type_id).minutes)

    # -- shared checks inside a transaction ---------------------------------------------------
    def _purge_expired(self, s: Session, now: float) -> None:
        s.execute(delete(CellRow).where(CellRow.owner_kind == "hold", CellRow.expires_at < now))
        s.execute(delete(HoldRow).where(HoldRow.expires_at < now))

    def _external_overlap(self, s: Session, practitioner: str, start: int, end: int) -> bool:
        return s.execute(select(ExternalEventRow.href).where(
            ExternalEventRow.practitioner == practitioner, ExternalEventRow.start < end,
            ExternalEventRow.end > start).limit(1)).first() is not None

    def _take_cells(self, s: Session, practitioner: str, start: int, end: int, kind: str,
                    owner: str, expires_at: float | None = None) -> None:
        """Insert the cells or raise SlotTaken (the savepoint keeps the transaction usable
        for the caller's rollback)."""
        try:
            with s.begin_nested():
                s.add_all([CellRow(practitioner=practitioner, start=c, owner_kind=kind,
                                   owner_id=owner, expires_at=expires_at)
                           for c in self._cells(practitioner, start, end)])
                s.flush()
        except IntegrityError:
            raise SlotTaken("this slot was just taken by someone else") from None

    def _check(self, start: datetime, practitioner: str, type_id: str, now: datetime,
               urgent: bool) -> None:
        reason = self.agenda.unbookable(start, practitioner, type_id, now, urgent=urgent)
        if reason is not None:
            raise SlotUnbookable(reason)

    # -- availability -----------------------------------------------------------------------
    def busy(self, start: datetime, end: datetime, *, now: datetime,
             practitioner: str | None = None) -> list[Busy]:
        """Booked appointments, live holds and calendar events overlapping [start, end)."""
        a, b, t = _ts(start), _ts(end), now.timestamp()
        out: list[Busy] = []
        with self.store.session(read=True) as s:
            who_appt: ColumnElement[bool] = (AppointmentRow.practitioner == practitioner
                                             if practitioner else true())
            for p, s0, s1 in s.execute(select(
                    AppointmentRow.practitioner, AppointmentRow.start, AppointmentRow.end).where(
                    AppointmentRow.status == "booked", AppointmentRow.start < b,
                    AppointmentRow.end > a, who_appt, self._mine(AppointmentRow.practitioner))):
                out.append(Busy(p, self._dt(s0), self._dt(s1)))
            who_hold: ColumnElement[bool] = (HoldRow.practitioner == practitioner
                                             if practitioner else true())
            for p, s0, s1 in s.execute(select(HoldRow.practitioner, HoldRow.start, HoldRow.end)
                                       .where(HoldRow.expires_at >= t, HoldRow.start < b,
                                              HoldRow.end > a, who_hold,
                                              self._mine(HoldRow.practitioner))):
                out.append(Busy(p, self._dt(s0), self._dt(s1)))
            who_ext: ColumnElement[bool] = (ExternalEventRow.practitioner == practitioner
                                            if practitioner else true())
            for p, s0, s1 in s.execute(select(
                    ExternalEventRow.practitioner, ExternalEventRow.start, ExternalEventRow.end)
                    .where(ExternalEventRow.start < b, ExternalEventRow.end > a, who_ext,
                           self._mine(ExternalEventRow.practitioner))):
                out.append(Busy(p, self._dt(s0), self._dt(s1)))
        return out

    def busy_for_search(self, now: datetime, practitioner: str | None = None) -> list[Busy]:
        day0 = self.config.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.busy(day0, day0 + timedelta(days=self.config.horizon_days + 2), now=now,
                         practitioner=practitioner)

    def day_busy(self, day: date, now: datetime, practitioner: str | None = None) -> list[Busy]:
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.config.tz)
        return self.busy(start, start + timedelta(days=1), now=now, practitioner=practitioner)

    # -- holds ------------------------------------------------------------------------------
    def hold(self, slot: Slot, now: datetime, *, call_id: str | None = None,
             urgent: bool = False, ttl_s: float | None = None) -> Hold:
        """Keep `slot` for this caller while they confirm (SlotTaken if anyone has it)."""
        self._check(slot.start, slot.practitioner, slot.type, now, urgent)
        start, end = _ts(slot.start), _ts(self._end(slot.start, slot.type))
        expires = now.timestamp() + (ttl_s if ttl_s is not None else self.config.hold_s)
        hold_id = _new_id("hold")
        with self.store.session() as s:
            self._purge_expired(s, now.timestamp())
            if self._external_overlap(s, slot.practitioner, start, end):
                raise SlotTaken("the practitioner is busy then (their calendar)")
            s.add(HoldRow(id=hold_id, practitioner=slot.practitioner, type=slot.type,
                          start=start, end=end, call_id=call_id, urgent=urgent,
                          created_at=now.timestamp(), expires_at=expires))
            self._take_cells(s, slot.practitioner, start, end, "hold", hold_id, expires)
            self.store.log(s, "agent" if call_id else "system", "agenda.hold", call_id,
                           hold=hold_id, practitioner=slot.practitioner,
                           start=slot.start.isoformat(), type=slot.type)
        return Hold(hold_id, Slot(self._dt(start), self._dt(end), slot.practitioner, slot.type,
                                  slot.urgent_reserved), self._dt(expires), call_id)

    def release(self, hold_id: str) -> None:
        with self.store.session() as s:
            s.execute(delete(CellRow).where(CellRow.owner_kind == "hold",
                                            CellRow.owner_id == hold_id))
            s.execute(delete(HoldRow).where(HoldRow.id == hold_id))

    # -- patients ---------------------------------------------------------------------------
    def _upsert_patient(self, s: Session, p: PatientIn, now: float) -> PatientRow:
        name = " ".join(p.name.split())
        key = fold(name)
        if not key:
            raise ValueError("patient.name: expected a name")
        row = s.execute(select(PatientRow).where(
            PatientRow.birth_date == p.birth_date.isoformat(), PatientRow.name_key == key)
        ).scalars().first()
        if row is None:
            row = PatientRow(id=_new_id("pat"), name=name, name_key=key,
                             birth_date=p.birth_date.isoformat(), phone=p.phone, created_at=now)
            s.add(row)
            s.flush()
        elif p.phone and p.phone != row.phone:
            row.phone = p.phone
        return row

    def find_patient(self, name: str, birth_date: date) -> Patient | None:
        """The stored patient with this birth date whose name matches what was said (word order
        and a recognizer's spelling tolerated: token-sort ratio >= 85)."""
        key = fold(name)
        if not key:
            return None
        with self.store.session(read=True) as s:
            rows = s.execute(select(PatientRow).where(
                PatientRow.birth_date == birth_date.isoformat())).scalars().all()
        best: tuple[float, PatientRow] | None = None
        for row in rows:
            score = 100.0 if row.name_key == key else fuzz.token_sort_ratio(row.name_key, key)
            if score >= 85 and (best is None or score > best[0]):
                best = (score, row)
        return self._patient(best[1]) if best else None

    # -- booking ----------------------------------------------------------------------------
    def book(self, req: BookingRequest, now: datetime) -> Appointment:
        """Atomic: the appointment, its cells and its audit entry commit together, or nothing
        does (SlotTaken / SlotUnbookable)."""
        if not req.hold_id:
            self._check(req.start, req.practitioner, req.type, now, req.urgent)
        else:
            # The hold was checked when it was taken (an urgent caller's reserved slot stays
            # theirs); the start must still be in the future.
            reason = self.agenda.unbookable(req.start, req.practitioner, req.type, now,
                                            urgent=True)
            if reason not in (None, Unbookable.TOO_SOON) or req.start <= now:
                raise SlotUnbookable(reason or Unbookable.TOO_SOON)
        start, end = _ts(req.start), _ts(self._end(req.start, req.type))
        t = now.timestamp()
        appt_id = _new_id("apt")
        with self.store.session() as s:
            self._purge_expired(s, t)
            if req.hold_id:
                hold = s.get(HoldRow, req.hold_id)
                if hold is None or hold.expires_at < t:
                    raise HoldExpired("the hold on this slot has expired; search again")
                if (hold.practitioner, hold.start, hold.type) != (req.practitioner, start,
                                                                  req.type):
                    raise SlotTaken("the hold is for another slot")
                s.execute(delete(CellRow).where(CellRow.owner_kind == "hold",
                                                CellRow.owner_id == hold.id))
                s.delete(hold)
                s.flush()
            if self._external_overlap(s, req.practitioner, start, end):
                raise SlotTaken("the practitioner is busy then (their calendar)")
            patient = self._upsert_patient(s, req.patient, t)
            self._take_cells(s, req.practitioner, start, end, "appointment", appt_id)
            row = AppointmentRow(
                id=appt_id, practitioner=req.practitioner, type=req.type, start=start, end=end,
                patient_id=patient.id, status="booked", source=req.source.value,
                call_id=req.call_id, urgent=req.urgent, created_by=req.actor, created_at=t,
                updated_at=t, sync_state=SyncState.PENDING.value, sync_attempts=0,
                sms_state="pending" if req.sms and patient.phone else None)
            s.add(row)
            s.flush()
            self.store.log(s, req.actor, "agenda.book", req.call_id, appointment=appt_id,
                           practitioner=req.practitioner, type=req.type,
                           start=req.start.isoformat(), source=req.source.value,
                           patient=patient.id, urgent=req.urgent)
            return self._appointment(row, patient)

    def move(self, appointment_id: str, new_start: datetime, *, actor: str, now: datetime,
             practitioner: str | None = None, type_id: str | None = None,
             source: Source = Source.API, check_grid: bool = True,
             hold_id: str | None = None) -> Appointment:
        """Move in one transaction: the old cells are freed and the new ones taken together;
        refused (SlotTaken) the appointment stays where it was."""
        t = now.timestamp()
        with self.store.session() as s:
            row = s.get(AppointmentRow, appointment_id)
            if row is None or row.status != "booked" or not self._owns(row.practitioner):
                raise NotFound(f"no booked appointment {appointment_id}")
            who = practitioner or row.practitioner
            kind = type_id or row.type
            if check_grid:
                self._check(new_start, who, kind, now, row.urgent)
            start, end = _ts(new_start), _ts(self._end(new_start, kind))
            old = (row.practitioner, row.start)
            self._purge_expired(s, t)
            s.execute(delete(CellRow).where(CellRow.owner_kind == "appointment",
                                            CellRow.owner_id == row.id))
            if hold_id:  # the new slot this caller was holding
                s.execute(delete(CellRow).where(CellRow.owner_kind == "hold",
                                                CellRow.owner_id == hold_id))
                s.execute(delete(HoldRow).where(HoldRow.id == hold_id))
            if check_grid and self._external_overlap(s, who, start, end):
                raise SlotTaken("the practitioner is busy then (their calendar)")
            self._take_cells(s, who, start, end, "appointment", row.id)
            row.practitioner, row.type, row.start, row.end = who, kind, start, end
            row.updated_at = max(t, row.updated_at + 1e-3)
            row.sync_state = SyncState.PENDING.value
            self.store.log(s, actor, "agenda.move", row.call_id, appointment=row.id,
                           practitioner=who, type=kind, start=new_start.isoformat(),
                           old_practitioner=old[0],
                           old_start=self._dt(old[1]).isoformat(), source=source.value)
            patient = s.get(PatientRow, row.patient_id)
            assert patient is not None
            return self._appointment(row, patient)

    def cancel(self, appointment_id: str, *, actor: str, now: datetime,
               source: Source = Source.API) -> Appointment:
        t = now.timestamp()
        with self.store.session() as s:
            row = s.get(AppointmentRow, appointment_id)
            if row is None or row.status != "booked" or not self._owns(row.practitioner):
                raise NotFound(f"no booked appointment {appointment_id}")
            s.execute(delete(CellRow).where(CellRow.owner_kind == "appointment",
                                            CellRow.owner_id == row.id))
            row.status = "cancelled"
            row.updated_at = max(t, row.updated_at + 1e-3)
            row.sync_state = SyncState.PENDING.value
            self.store.log(s, actor, "agenda.cancel", row.call_id, appointment=row.id,
                           practitioner=row.practitioner, start=self._dt(row.start).isoformat(),
                           source=source.value)
            patient = s.get(PatientRow, row.patient_id)
            assert patient is not None
            return self._appointment(row, patient)

    # -- reads ------------------------------------------------------------------------------
    def get(self, appointment_id: str) -> Appointment | None:
        with self.store.session(read=True) as s:
            pair = s.execute(select(AppointmentRow, PatientRow).join(
                PatientRow, PatientRow.id == AppointmentRow.patient_id).where(
                AppointmentRow.id == appointment_id,
                self._mine(AppointmentRow.practitioner))).first()
            return self._appointment(pair[0], pair[1]) if pair else None

    def between(self, start: datetime, end: datetime, *, practitioner: str | None = None,
                include_cancelled: bool = False) -> list[Appointment]:
        a, b = _ts(start), _ts(end)
        with self.store.session(read=True) as s:
            q = select(AppointmentRow, PatientRow).join(
                PatientRow, PatientRow.id == AppointmentRow.patient_id).where(
                AppointmentRow.start < b, AppointmentRow.end > a,
                self._mine(AppointmentRow.practitioner))
            if practitioner:
                q = q.where(AppointmentRow.practitioner == practitioner)
            if not include_cancelled:
                q = q.where(AppointmentRow.status == "booked")
            rows = s.execute(q.order_by(AppointmentRow.start, AppointmentRow.practitioner)).all()
            return [self._appointment(r, p) for r, p in rows]

    def upcoming(self, patient_id: str, now: datetime) -> list[Appointment]:
        with self.store.session(read=True) as s:
            rows = s.execute(select(AppointmentRow, PatientRow).join(
                PatientRow, PatientRow.id == AppointmentRow.patient_id).where(
                AppointmentRow.patient_id == patient_id, AppointmentRow.status == "booked",
                AppointmentRow.start >= int(now.timestamp()),
                self._mine(AppointmentRow.practitioner)).order_by(AppointmentRow.start)
            ).all()
            return [self._appointment(r, p) for r, p in rows]

    # -- sync outbox ------------------------------------------------------------------------
    def pending_sync(self, limit: int = 50) -> list[Appointment]:
        with self.store.session(read=True) as s:
            rows = s.execute(select(AppointmentRow, PatientRow).join(
                PatientRow, PatientRow.id == AppointmentRow.patient_id).where(
                AppointmentRow.sync_state == SyncState.PENDING.value,
                self._mine(AppointmentRow.practitioner)).order_by(
                AppointmentRow.updated_at).limit(limit)).all()
            return [self._appointment(r, p) for r, p in rows]

    def pending_count(self) -> int:
        with self.store.session(read=True) as s:
            return len(s.execute(select(AppointmentRow.id).where(
                AppointmentRow.sync_state == SyncState.PENDING.value,
                self._mine(AppointmentRow.practitioner))).all())

    def mark_synced(self, appointment_id: str, version: float, *, href: str | None,
                    etag: str | None) -> bool:
        """Record what the calendar now holds. The appointment stays pending when it changed
        again since `version` was read (the next round pushes the newer version)."""
        with self.store.session() as s:
            row = s.get(AppointmentRow, appointment_id)
            if row is None:
                return False
            row.caldav_href, row.caldav_etag = href, etag
            row.sync_error = None
            if abs(row.updated_at - version) < 1e-6:
                row.sync_state = SyncState.SYNCED.value
                row.sync_attempts = 0
                return True
            return False

    def repend(self, appointment_id: str, *, clear_href: bool = False,
               error: str | None = None) -> None:
        """Push this appointment again (our version wins over the calendar's)."""
        with self.store.session() as s:
            row = s.get(AppointmentRow, appointment_id)
            if row is None:
                return
            row.sync_state = SyncState.PENDING.value
            row.sync_error = error
            if clear_href:
                row.caldav_href, row.caldav_etag = None, None
            self.store.log(s, "caldav", "agenda.sync_repend", row.call_id,
                           appointment=row.id, cleared=clear_href)

    def mark_sync_failed(self, appointment_id: str, error: str) -> None:
        with self.store.session() as s:
            s.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id).values(
                sync_attempts=AppointmentRow.sync_attempts + 1, sync_error=error[:255]))

    def set_sms_state(self, appointment_id: str, state: str) -> None:
        with self.store.session() as s:
            s.execute(update(AppointmentRow).where(AppointmentRow.id == appointment_id)
                      .values(sms_state=state))
            self.store.log(s, "system", f"agenda.sms_{state}", None, appointment=appointment_id)

    # -- the practitioners' own calendars ---------------------------------------------------
    def calendar_state(self, practitioner: str) -> CalendarStateRow | None:
        with self.store.session(read=True) as s:
            return s.get(CalendarStateRow, practitioner)

    def save_calendar_state(self, practitioner: str, url: str, *, sync_token: str | None,
                            error: str | None = None) -> None:
        with self.store.session() as s:
            row = s.get(CalendarStateRow, practitioner)
            if row is None:
                row = CalendarStateRow(practitioner=practitioner, url=url)
                s.add(row)
            row.url = url
            if sync_token is not None:
                row.sync_token = sync_token
            row.last_sync_at = time.time()
            row.last_error = error[:255] if error else None

    def apply_external(self, practitioner: str, changed: Sequence[ExternalEvent],
                       removed_hrefs: Sequence[str], *, full: bool = False) -> int:
        """Busy time from the practitioner's own calendar. `full`: `changed` is the whole
        calendar (events not in it are gone). Returns how many rows changed."""
        n = 0
        now = time.time()
        with self.store.session() as s:
            if full:
                keep = [e.href for e in changed]
                result = s.execute(delete(ExternalEventRow).where(
                    ExternalEventRow.practitioner == practitioner,
                    ExternalEventRow.href.not_in(keep) if keep else true()))
                n += int(getattr(result, "rowcount", 0) or 0)
            # A resource's rows are replaced whole: a recurring event's occurrences are
            # "<href>#<start>", and a changed rule may drop some of them.
            resources = {e.href.split("#", 1)[0] for e in changed} | set(removed_hrefs)
            incoming = {e.href for e in changed}
            for base in resources:
                stale = [h for (h,) in s.execute(select(ExternalEventRow.href).where(or_(
                    ExternalEventRow.href == base,
                    ExternalEventRow.href.startswith(base + "#"))))
                    if h not in incoming]
                if stale:
                    s.execute(delete(ExternalEventRow).where(ExternalEventRow.href.in_(stale)))
                    n += len(stale)
            for e in changed:
                row = s.get(ExternalEventRow, e.href)
                if row is None:
                    s.add(ExternalEventRow(href=e.href, practitioner=practitioner, uid=e.uid,
                                           etag=e.etag, start=_ts(e.start), end=_ts(e.end),
                                           seen_at=now))
                    n += 1
                elif (row.start, row.end, row.etag) != (_ts(e.start), _ts(e.end), e.etag):
                    row.start, row.end, row.etag, row.seen_at = (_ts(e.start), _ts(e.end),
                                                                 e.etag, now)
                    n += 1
            if n:
                self.store.log(s, "caldav", "agenda.calendar_busy", None,
                               practitioner=practitioner, changed=len(changed),
                               removed=len(removed_hrefs))
        return n

    def by_href(self, href: str) -> Appointment | None:
        with self.store.session(read=True) as s:
            pair = s.execute(select(AppointmentRow, PatientRow).join(
                PatientRow, PatientRow.id == AppointmentRow.patient_id).where(
                AppointmentRow.caldav_href == href)).first()
            return self._appointment(pair[0], pair[1]) if pair else None

    def external_between(self, start: datetime, end: datetime,
                         practitioner: str | None = None) -> list[Busy]:
        a, b = _ts(start), _ts(end)
        with self.store.session(read=True) as s:
            q = select(ExternalEventRow.practitioner, ExternalEventRow.start,
                       ExternalEventRow.end).where(ExternalEventRow.start < b,
                                                   ExternalEventRow.end > a)
            if practitioner:
                q = q.where(ExternalEventRow.practitioner == practitioner)
            return [Busy(p, self._dt(x), self._dt(y)) for p, x, y in s.execute(q)]


_PHONE = re.compile(r"^\+?[0-9 ().-]{6,20}$")


def valid_phone(value: str) -> bool:
    return bool(_PHONE.match(value))


__all__ = [
    "AgendaError", "AgendaStore", "Appointment", "BookingRequest", "ExternalEvent", "Hold",
    "HoldExpired", "NotFound", "Patient", "PatientIn", "SlotTaken", "SlotUnbookable", "Source",
    "SyncState", "valid_phone",
]
