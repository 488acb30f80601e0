"""`AgendaService`: the async facade the API, the dashboard and the voice agent use.

Blocking work (database, CalDAV) runs in worker threads; the calendar sync runs in its own
thread and is nudged after every change, so a booking never waits for the calendar.

    slots = await agenda.propose(parse_slot_request(words, agenda.config, agenda.now()))
    hold = await agenda.hold(slots[0], call_id=call_id)
    appt = await agenda.book(BookingRequest(..., hold_id=hold.id))
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from agenda import AgendaConfig, Slot, SlotQuery, agenda_from_practice
from pipeline.agenda.caldav_sync import CalendarSync, SyncReport, SyncWorker
from pipeline.agenda.radicale import CalDavCredentials, EmbeddedRadicale, RadicaleError
from pipeline.agenda.sms import SmsSender, TwilioSms, cancellation_text, confirmation_text
from pipeline.agenda.store import (
    AgendaStore,
    Appointment,
    BookingRequest,
    Hold,
    Patient,
    Source,
)
from pipeline.service.store import Store
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    server: str | None
    """The CalDAV URL (no credentials)."""
    pending: int
    last_error: str | None
    rounds: int


class AgendaService:
    def __init__(self, store: Store, config: AgendaConfig, *, practice_name: str,
                 clock: Callable[[], datetime] = _utcnow, sync: CalendarSync | None = None,
                 poll_s: float = 5.0, retry_max_s: float = 30.0, sms: SmsSender | None = None,
                 radicale: EmbeddedRadicale | None = None,
                 language: Literal["fr", "en"] = "fr", scoped: bool = False) -> None:
        """``scoped``: one practice's agenda among several in one database (issue 10; see
        `AgendaStore`)."""
        self.config = config
        self.db = AgendaStore(store, config, scoped=scoped)
        self.practice_name = practice_name
        self.clock = clock
        self.sync = sync
        self.worker = SyncWorker(sync, poll_s=poll_s, retry_max_s=retry_max_s) if sync else None
        self.sms = sms if config.sms_confirmation else None
        self.radicale = radicale
        self.language = language
        self._tasks: set[asyncio.Task[None]] = set()

    def now(self) -> datetime:
        return self.clock()

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self.radicale is not None and not self.radicale.running:
            try:
                await asyncio.to_thread(self.radicale.start)
            except RadicaleError as exc:  # the line runs; bookings wait for the calendar
                log.error("embedded CalDAV server did not start (%s): appointments stay "
                          "pending until it does", exc)
        if self.worker is not None:
            self.worker.start()
            where = self.sync.calendar_url("<practitioner>") if self.sync else ""
            log.info("agenda: calendars at %s (one per practitioner: %s)", where,
                     ", ".join(p.id for p in self.config.practitioners))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        if self.radicale is not None:
            await asyncio.to_thread(self.radicale.stop)

    def _changed(self) -> None:
        if self.worker is not None:
            self.worker.nudge()

    async def sync_now(self, timeout_s: float = 10.0) -> SyncReport | None:
        """One full sync round, awaited (CLI, tests, the dashboard's 'sync now')."""
        if self.worker is not None and self.worker._thread is not None:
            return await asyncio.to_thread(self.worker.wait_round, timeout_s)
        if self.sync is not None:
            return await asyncio.to_thread(self.sync.run_once)
        return None

    async def status(self) -> SyncStatus:
        pending = await asyncio.to_thread(self.db.pending_count)
        last = self.worker.last if self.worker else None
        return SyncStatus(configured=self.sync is not None,
                          server=self.sync.credentials.url if self.sync else None,
                          pending=pending, last_error=last.error if last else None,
                          rounds=self.worker.rounds if self.worker else 0)

    # -- search -----------------------------------------------------------------------------
    async def search(self, query: SlotQuery, *, limit: int = 20) -> list[Slot]:
        now = self.now()

        def run() -> list[Slot]:
            busy = self.db.busy_for_search(now, query.practitioner)
            return self.db.agenda.search(query, now, busy, limit=limit)

        return await asyncio.to_thread(run)

    async def propose(self, query: SlotQuery, *, count: int = 2) -> list[Slot]:
        """At most `count` slots to offer a caller (a real choice: an hour apart)."""
        now = self.now()

        def run() -> list[Slot]:
            busy = self.db.busy_for_search(now, query.practitioner)
            return self.db.agenda.propose(query, now, busy, count=count)

        return await asyncio.to_thread(run)

    async def day_slots(self, day: date, *, practitioner: str | None = None,
                        type_id: str | None = None, urgent: bool = False) -> list[Slot]:
        query = SlotQuery(days=(day,), practitioner=practitioner, type=type_id, urgent=urgent)
        return await self.search(query, limit=1000)

    # -- holds and bookings -----------------------------------------------------------------
    async def hold(self, slot: Slot, *, call_id: str | None = None,
                   urgent: bool = False) -> Hold:
        return await asyncio.to_thread(self.db.hold, slot, self.now(), call_id=call_id,
                                       urgent=urgent)

    async def release(self, hold_id: str) -> None:
        await asyncio.to_thread(self.db.release, hold_id)

    async def book(self, request: BookingRequest) -> Appointment:
        appt = await asyncio.to_thread(self.db.book, request, self.now())
        self._changed()
        if appt.sms_state == "pending":
            self._spawn(self._send_sms(appt, confirmation_text(
                appt, self.config, self.practice_name, self.language)))
        return appt

    async def move(self, appointment_id: str, start: datetime, *, actor: str,
                   practitioner: str | None = None, type_id: str | None = None,
                   hold_id: str | None = None, source: Source = Source.API) -> Appointment:
        appt = await asyncio.to_thread(self.db.move, appointment_id, start, actor=actor,
                                       now=self.now(), practitioner=practitioner,
                                       type_id=type_id, source=source, hold_id=hold_id)
        self._changed()
        if self.sms is not None and appt.patient.phone and appt.sms_state:
            self._spawn(self._send_sms(appt, confirmation_text(
                appt, self.config, self.practice_name, self.language, moved=True)))
        return appt

    async def cancel(self, appointment_id: str, *, actor: str,
                     source: Source = Source.API) -> Appointment:
        appt = await asyncio.to_thread(self.db.cancel, appointment_id, actor=actor,
                                       now=self.now(), source=source)
        self._changed()
        if self.sms is not None and appt.patient.phone and appt.sms_state:
            self._spawn(self._send_sms(appt, cancellation_text(
                appt, self.config, self.practice_name, self.language)))
        return appt

    # -- patients and reads -----------------------------------------------------------------
    async def find_patient(self, name: str, birth_date: date) -> Patient | None:
        return await asyncio.to_thread(self.db.find_patient, name, birth_date)

    async def upcoming(self, patient_id: str) -> list[Appointment]:
        return await asyncio.to_thread(self.db.upcoming, patient_id, self.now())

    async def get(self, appointment_id: str) -> Appointment | None:
        return await asyncio.to_thread(self.db.get, appointment_id)

    async def between(self, start: datetime, end: datetime, *,
                      practitioner: str | None = None,
                      include_cancelled: bool = False) -> list[Appointment]:
        return await asyncio.to_thread(self.db.between, start, end, practitioner=practitioner,
                                       include_cancelled=include_cancelled)

    async def day(self, day: date, *, days: int = 1, practitioner: str | None = None,
                  include_cancelled: bool = False) -> list[Appointment]:
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.config.tz)
        return await self.between(start, start + timedelta(days=days),
                                  practitioner=practitioner,
                                  include_cancelled=include_cancelled)

    # -- SMS --------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_sms(self, appt: Appointment, text: str) -> None:
        if self.sms is None or not appt.patient.phone:
            return
        ok = await self.sms.send(appt.patient.phone, text)
        await asyncio.to_thread(self.db.set_sms_state, appt.id, "sent" if ok else "failed")

    async def drain(self) -> None:
        """Wait for SMS sends in flight (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def agenda_config_for(settings: Settings) -> AgendaConfig:
    """The agenda section of the practice file (the demo practice's when unset)."""
    import yaml

    from handoff import DEMO_PRACTICE_FILE

    path = Path(settings.practice_file) if settings.practice_file else DEMO_PRACTICE_FILE
    return agenda_from_practice(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


class UnknownPractice(ValueError):
    """``--practice`` names no practice of the practices file (or there is no such file)."""


@dataclass(frozen=True)
class PracticeAgendaConfig:
    """Whose agenda a command outside the service works on (``permanence agenda ...``,
    ``bench agenda``), chosen as the service chooses it."""

    practice_id: str | None
    """None: a single-practice deployment (no practices file)."""
    config: AgendaConfig
    scoped: bool
    """One practice's rows among several in the database (see `AgendaStore`)."""


def practice_agenda_config(settings: Settings,
                           practice: str | None = None) -> PracticeAgendaConfig:
    """The agenda of ``practice`` in the practices file (``PERMANENCE_PRACTICES_FILE``); without
    one, its default practice (else its first), as ``permanence serve`` picks the agenda of a
    call of no practice. No practices file: the single practice file (``practice`` must then
    be None)."""
    if settings.practices_file is None:
        if practice is not None:
            raise UnknownPractice(
                f"no practice {practice!r}: this deployment has one practice (set "
                "PERMANENCE_PRACTICES_FILE to a practices file to choose among several)")
        return PracticeAgendaConfig(None, agenda_config_for(settings), scoped=False)
    from pipeline.practices import agenda_configs, load_practices

    directory = load_practices(Path(settings.practices_file))
    configs = agenda_configs(directory)
    chosen = practice or directory.default or next(iter(configs), None)
    if chosen is None or chosen not in configs:
        raise UnknownPractice(
            f"no practice {chosen!r} in {settings.practices_file}: expected one of "
            + ", ".join(sorted(configs)))
    return PracticeAgendaConfig(chosen, configs[chosen], scoped=True)


def build_agenda(settings: Settings, store: Store, *, practice_name: str,
                 config: AgendaConfig | None = None,
                 clock: Callable[[], datetime] | None = None,
                 caldav: CalDavCredentials | None = None,
                 sms: SmsSender | None = None, scoped: bool = False,
                 language: Literal["fr", "en"] | None = None) -> AgendaService:
    """The agenda from settings: the practice's own CalDAV server (``PERMANENCE_CALDAV_URL``),
    else the embedded Radicale when ``agenda.embedded_caldav`` (``permanence serve``,
    ``make run``), else `caldav` credentials given by the caller, else no calendar (bookings
    stay pending for sync, shown so on the dashboard).

    ``scoped``/``language``: one practice's agenda in a deployment of several (issue 10): its
    own practitioners' rows only, spoken in that practice's first language."""
    config = config or agenda_config_for(settings)
    radicale = None
    sync = None
    a = settings.agenda
    if settings.caldav_url:
        creds = CalDavCredentials(settings.caldav_url, settings.caldav_username or "",
                                  settings.caldav_password or "")
        sync = CalendarSync(AgendaStore(store, config, scoped=scoped), creds,
                            calendars=a.calendars)
    elif caldav is not None:
        sync = CalendarSync(AgendaStore(store, config, scoped=scoped), caldav)
    elif a.embedded_caldav:
        radicale = EmbeddedRadicale(settings.data_dir / "radicale", host=a.radicale_host,
                                    port=a.radicale_port)
        sync = CalendarSync(AgendaStore(store, config, scoped=scoped), radicale.credentials)
    if sms is None and a.sms_from and settings.twilio_account_sid and settings.twilio_auth_token:
        sms = TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, a.sms_from,
                        api_base=settings.twilio_api_base)
    if language is None:
        language = "en" if settings.language == "en" else "fr"
    return AgendaService(store, config, practice_name=practice_name,
                         clock=clock or _utcnow, sync=sync, poll_s=a.poll_s,
                         retry_max_s=a.retry_max_s, sms=sms, radicale=radicale,
                         language=language, scoped=scoped)


def standalone_agenda(settings: Settings, *, practice_name: str) -> AgendaService:
    """The agenda for a command outside the service (``permanence call``): the settings'
    database, and the practice's CalDAV server, or the embedded one when the service runs it.
    Otherwise no calendar: bookings wait in the database (pending) and the service syncs them
    when it runs. No server is started here (a file call may run with no network at all)."""
    import httpx

    store = Store(settings.effective_database_url)
    a = settings.agenda
    if settings.caldav_url:
        return build_agenda(settings, store, practice_name=practice_name)
    plain = settings.model_copy(update={"agenda": a.model_copy(
        update={"embedded_caldav": False})})
    try:
        httpx.get(f"http://{a.radicale_host}:{a.radicale_port}/", timeout=2.0)
    except httpx.HTTPError:
        return build_agenda(plain, store, practice_name=practice_name)
    radicale = EmbeddedRadicale(settings.data_dir / "radicale", host=a.radicale_host,
                                port=a.radicale_port)
    return build_agenda(plain, store, practice_name=practice_name,
                        caldav=radicale.credentials)
