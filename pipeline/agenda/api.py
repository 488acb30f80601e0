"""Agenda REST API (the dashboard uses the same) and its FHIR R4 views.

Roles as for calls: tele-secretaries, physicians and admins see and change the agenda; every
change is audited (in the booking's own transaction, see `pipeline.agenda.store`).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from pipeline.agenda import fhir
from pipeline.agenda.service import AgendaService
from pipeline.agenda.store import (
    AgendaError,
    Appointment,
    BookingRequest,
    HoldExpired,
    NotFound,
    PatientIn,
    SlotTaken,
    SlotUnbookable,
    Source,
    valid_phone,
)
from pipeline.service.api import Clinical, ServicesDep
from pipeline.service.auth import Principal
from pipeline.service.services import Services

router = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "service" / "static"
FHIR_JSON = "application/fhir+json"


PracticeQuery = Annotated[str | None, Query(
    max_length=64, description="Several practices (issue 10): whose agenda. Default: the "
    "user's practice when they belong to one, else the deployment's default practice.")]


def _agenda(services: Services, user: Principal, practice: str | None = None) -> AgendaService:
    """The agenda of `practice` (several practices: each has its own); a practice the user
    is not a member of, or no such practice, is a 404 like another practice's call."""
    if services.agenda is None:
        raise HTTPException(404, "the agenda is not enabled (PERMANENCE_AGENDA__ENABLED)")
    if not services.agendas:
        if practice is not None:
            raise HTTPException(404, f"no practice {practice!r}: this deployment has one")
        return services.agenda
    if practice is None and user.practices is not None and len(user.practices) == 1:
        practice = next(iter(user.practices))
    if practice is None:
        default = next(pid for pid, a in services.agendas.items() if a is services.agenda)
        if not user.sees(default):
            raise HTTPException(404, "several practices: say whose agenda (?practice=ID)")
        return services.agenda
    if practice not in services.agendas or not user.sees(practice):
        raise HTTPException(404, f"no practice {practice!r} of yours")
    return services.agendas[practice]


@router.get("/agenda", include_in_schema=False)
async def agenda_page() -> FileResponse:
    """The dashboard's agenda (a public shell: data comes from the authorized API)."""
    return FileResponse(STATIC / "agenda.html", headers={"Cache-Control": "no-store"})


# -- schemas ----------------------------------------------------------------------------------
class SlotOut(BaseModel):
    start: datetime
    end: datetime
    practitioner: str
    type: str
    urgent_reserved: bool = False


class PatientBody(BaseModel):
    name: str = Field(min_length=2, max_length=120)
    birth_date: date
    phone: str | None = Field(default=None, max_length=40)

    @field_validator("birth_date")
    @classmethod
    def _past(cls, v: date) -> date:
        if v > date.today() or v.year < 1890:
            raise ValueError("expected a birth date in the past (YYYY-MM-DD)")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and v != "" and not valid_phone(v):
            raise ValueError("expected a phone number such as +33612345678")
        return v or None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not any(c.isalpha() for c in v):
            raise ValueError("expected a name")
        return " ".join(v.split())


class AppointmentIn(BaseModel):
    start: AwareDatetime
    """ISO 8601 with an offset, e.g. 2026-12-08T10:30:00+01:00."""
    practitioner: str = Field(min_length=1, max_length=40)
    type: str | None = Field(default=None, max_length=40)
    patient: PatientBody
    sms: bool = False
    """Send an SMS confirmation (when the practice enables SMS)."""
    urgent: bool = False
    """Triaged urgent: the same-day reserved slots are open to this booking."""
    call_id: str | None = Field(default=None, max_length=40)


class AppointmentMove(BaseModel):
    start: AwareDatetime
    practitioner: str | None = Field(default=None, max_length=40)
    type: str | None = Field(default=None, max_length=40)


class PatientOut(BaseModel):
    id: str
    name: str
    birth_date: date
    phone: str | None


class AppointmentOut(BaseModel):
    id: str
    start: datetime
    end: datetime
    practitioner: str
    type: str
    status: str
    source: str
    call_id: str | None
    urgent: bool
    created_by: str
    patient: PatientOut
    sync_state: str
    """pending: not yet in the practitioner's calendar (it is down, or not configured)."""
    sync_error: str | None
    sms_state: str | None

    @classmethod
    def of(cls, a: Appointment) -> AppointmentOut:
        return cls(id=a.id, start=a.slot.start, end=a.slot.end,
                   practitioner=a.slot.practitioner, type=a.slot.type, status=a.status,
                   source=a.source, call_id=a.call_id, urgent=a.urgent,
                   created_by=a.created_by,
                   patient=PatientOut(id=a.patient.id, name=a.patient.name,
                                      birth_date=a.patient.birth_date, phone=a.patient.phone),
                   sync_state=a.sync_state, sync_error=a.sync_error, sms_state=a.sms_state)


class BusyOut(BaseModel):
    start: datetime
    end: datetime
    practitioner: str


def _conflict(exc: AgendaError) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    detail: dict[str, Any] = {"code": exc.code, "message": str(exc)}
    if isinstance(exc, SlotUnbookable):
        detail["reason"] = exc.reason.value
    return HTTPException(409, detail)


def _known(agenda: AgendaService, practitioner: str | None, type_id: str | None) -> None:
    """Unknown ids are bad input (422), not a taken slot."""
    cfg = agenda.config
    if practitioner is not None and practitioner not in {p.id for p in cfg.practitioners}:
        raise HTTPException(422, {"message": f"practitioner: unknown {practitioner!r}",
                                  "fields": ["practitioner"],
                                  "expected": [p.id for p in cfg.practitioners]})
    if type_id is not None and type_id not in {t.id for t in cfg.types}:
        raise HTTPException(422, {"message": f"type: unknown {type_id!r}", "fields": ["type"],
                                  "expected": [t.id for t in cfg.types]})


# -- configuration and status -----------------------------------------------------------------
@router.get("/api/agenda/config", tags=["agenda"])
async def agenda_config(services: ServicesDep, _user: Clinical,
                        practice: PracticeQuery = None) -> dict[str, Any]:
    cfg = _agenda(services, _user, practice).config
    return {
        "timezone": cfg.timezone, "step_min": cfg.step_min, "horizon_days": cfg.horizon_days,
        "default_type": cfg.default_type, "hold_s": cfg.hold_s,
        "practitioners": [
            {"id": p.id, "name": p.name,
             "hours": {d: [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in iv]
                       for d, iv in p.hours.items()},
             "types": sorted(p.types) or [t.id for t in cfg.types]}
            for p in cfg.practitioners],
        "types": [{"id": t.id, "minutes": t.minutes, "fr": t.label_fr, "en": t.label_en,
                   "remote": t.remote} for t in cfg.types],
        "urgent_reserved": [t.strftime("%H:%M") for t in cfg.urgent.times],
    }


@router.get("/api/agenda/status", tags=["agenda"])
async def agenda_status(services: ServicesDep, _user: Clinical,
                        practice: PracticeQuery = None) -> dict[str, Any]:
    s = await _agenda(services, _user, practice).status()
    return {"calendar_configured": s.configured, "server": s.server, "pending": s.pending,
            "last_error": s.last_error, "rounds": s.rounds}


@router.post("/api/agenda/sync", tags=["agenda"])
async def agenda_sync(services: ServicesDep, _user: Clinical,
                      practice: PracticeQuery = None) -> dict[str, Any]:
    """Run one calendar sync round now and say how it went."""
    report = await _agenda(services, _user, practice).sync_now()
    if report is None:
        return {"configured": False}
    return {"configured": True, "pushed": report.pushed, "failed": report.failed,
            "pulled": report.pulled, "error": report.error}


# -- slots ------------------------------------------------------------------------------------
@router.get("/api/agenda/slots", tags=["agenda"])
async def slots(services: ServicesDep, _user: Clinical,
                day: Annotated[date, Query(alias="date", description="YYYY-MM-DD (local)")],
                practitioner: Annotated[str | None, Query(max_length=40)] = None,
                type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
                urgent: bool = False,
                practice: PracticeQuery = None) -> list[SlotOut]:
    """Free slots of one local day (ISO 8601 times with the practice's offset)."""
    agenda = _agenda(services, _user, practice)
    _known(agenda, practitioner, type)
    found = await agenda.day_slots(day, practitioner=practitioner, type_id=type, urgent=urgent)
    return [SlotOut(start=s.start, end=s.end, practitioner=s.practitioner, type=s.type,
                    urgent_reserved=s.urgent_reserved) for s in found]


@router.get("/api/agenda/busy", tags=["agenda"])
async def busy(services: ServicesDep, _user: Clinical,
               day: Annotated[date, Query(alias="date")],
               days: Annotated[int, Query(ge=1, le=14)] = 1,
               practitioner: Annotated[str | None, Query(max_length=40)] = None,
               practice: PracticeQuery = None) -> list[BusyOut]:
    """Busy time from the practitioners' own calendars (no titles: they may name people)."""
    agenda = _agenda(services, _user, practice)
    _known(agenda, practitioner, None)
    start = datetime.combine(day, datetime.min.time(), tzinfo=agenda.config.tz)
    from datetime import timedelta

    rows = await asyncio.to_thread(agenda.db.external_between, start,
                                   start + timedelta(days=days), practitioner)
    return [BusyOut(start=b.start, end=b.end, practitioner=b.practitioner) for b in rows]


# -- appointments -----------------------------------------------------------------------------
@router.post("/api/agenda/appointments", tags=["agenda"], status_code=201)
async def book(body: AppointmentIn, services: ServicesDep, user: Clinical,
               practice: PracticeQuery = None) -> AppointmentOut:
    """Book a slot: 201, or 409 when it is taken or not bookable (outside hours, closed day,
    too soon, beyond the horizon, reserved for urgent triage)."""
    agenda = _agenda(services, user, practice)
    type_id = body.type or agenda.config.default_type
    _known(agenda, body.practitioner, type_id)
    request = BookingRequest(
        start=body.start, practitioner=body.practitioner, type=type_id,
        patient=PatientIn(body.patient.name, body.patient.birth_date, body.patient.phone),
        actor=user.username, source=Source.DASHBOARD, call_id=body.call_id,
        urgent=body.urgent, sms=body.sms)
    try:
        appt = await agenda.book(request)
    except (SlotTaken, SlotUnbookable, HoldExpired) as exc:
        raise _conflict(exc) from None
    except ValueError as exc:
        raise HTTPException(422, {"message": str(exc)}) from None
    return AppointmentOut.of(appt)


@router.get("/api/agenda/appointments", tags=["agenda"])
async def list_appointments(
        services: ServicesDep, user: Clinical,
        day: Annotated[date, Query(alias="date", description="YYYY-MM-DD (local)")],
        days: Annotated[int, Query(ge=1, le=31)] = 1,
        practitioner: Annotated[str | None, Query(max_length=40)] = None,
        include_cancelled: bool = False,
        practice: PracticeQuery = None) -> list[AppointmentOut]:
    agenda = _agenda(services, user, practice)
    _known(agenda, practitioner, None)
    found = await agenda.day(day, days=days, practitioner=practitioner,
                             include_cancelled=include_cancelled)
    await asyncio.to_thread(services.store.record_audit, user.username, "agenda.read", None,
                            day=day.isoformat(), days=days, count=len(found))
    return [AppointmentOut.of(a) for a in found]


@router.get("/api/agenda/appointments/{appointment_id}", tags=["agenda"])
async def get_appointment(appointment_id: str, services: ServicesDep,
                          user: Clinical,
                          practice: PracticeQuery = None) -> AppointmentOut:
    appt = await _agenda(services, user, practice).get(appointment_id)
    if appt is None:
        raise HTTPException(404, f"no appointment {appointment_id!r}")
    await asyncio.to_thread(services.store.record_audit, user.username, "agenda.read", None,
                            appointment=appointment_id)
    return AppointmentOut.of(appt)


@router.patch("/api/agenda/appointments/{appointment_id}", tags=["agenda"])
async def move(appointment_id: str, body: AppointmentMove, services: ServicesDep,
               user: Clinical,
               practice: PracticeQuery = None) -> AppointmentOut:
    """Move: 200, 404, or 409 (the new slot is taken or not bookable; nothing changed)."""
    agenda = _agenda(services, user, practice)
    _known(agenda, body.practitioner, body.type)
    try:
        appt = await agenda.move(appointment_id, body.start, actor=user.username,
                                 practitioner=body.practitioner, type_id=body.type,
                                 source=Source.DASHBOARD)
    except AgendaError as exc:
        raise _conflict(exc) from None
    return AppointmentOut.of(appt)


@router.delete("/api/agenda/appointments/{appointment_id}", tags=["agenda"])
async def cancel(appointment_id: str, services: ServicesDep, user: Clinical,
                 practice: PracticeQuery = None) -> AppointmentOut:
    try:
        appt = await _agenda(services, user, practice).cancel(
            appointment_id, actor=user.username, source=Source.DASHBOARD)
    except AgendaError as exc:
        raise _conflict(exc) from None
    return AppointmentOut.of(appt)


# -- FHIR R4 ----------------------------------------------------------------------------------
def _fhir(resource: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(resource, status_code=status, media_type=FHIR_JSON)


@router.get("/api/fhir/Slot", tags=["fhir"])
async def fhir_slots(services: ServicesDep, _user: Clinical,
                     day: Annotated[date | None, Query(alias="date")] = None,
                     schedule: Annotated[str | None, Query(
                         max_length=60, description="Schedule/<practitioner> or its id")] = None,
                     type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002,
                     practice: PracticeQuery = None) -> Response:
    """Free slots as a FHIR searchset Bundle (one Schedule per practitioner)."""
    agenda = _agenda(services, _user, practice)
    practitioner = schedule.removeprefix("Schedule/") if schedule else None
    _known(agenda, practitioner, type)
    when = day or agenda.config.local(agenda.now()).date()
    found = await agenda.day_slots(when, practitioner=practitioner, type_id=type)
    return _fhir(fhir.bundle([fhir.slot_resource(s, agenda.config) for s in found]))


@router.get("/api/fhir/Appointment/{appointment_id}", tags=["fhir"])
async def fhir_appointment(appointment_id: str, services: ServicesDep,
                           user: Clinical,
                           practice: PracticeQuery = None) -> Response:
    agenda = _agenda(services, user, practice)
    appt = await agenda.get(appointment_id)
    if appt is None:
        return _fhir({"resourceType": "OperationOutcome", "issue": [
            {"severity": "error", "code": "not-found",
             "diagnostics": f"no appointment {appointment_id}"}]}, 404)
    await asyncio.to_thread(services.store.record_audit, user.username, "agenda.read", None,
                            appointment=appt.id, format="fhir")
    return _fhir(fhir.appointment_resource(appt, agenda.config))


@router.get("/api/fhir/QuestionnaireResponse/{call_id}", tags=["fhir"])
async def fhir_triage_form(call_id: str, services: ServicesDep, user: Clinical) -> Response:
    """The call's triage form as a FHIR QuestionnaireResponse. The read is audited."""
    await services.hub.flush(timeout_s=2.0)
    detail = await asyncio.to_thread(services.store.get_call, call_id, reader=user.username)
    if detail is None:
        return _fhir({"resourceType": "OperationOutcome", "issue": [
            {"severity": "error", "code": "not-found", "diagnostics": f"no call {call_id}"}]},
            404)
    return _fhir(fhir.questionnaire_response(
        call_id, detail.form, authored=detail.summary.started_at,
        completed=detail.summary.ended_at is not None))
