"""Sync between the database (source of truth) and the practitioners' CalDAV calendars.

Push (the outbox): every appointment whose `sync_state` is pending is written as one resource,
``<calendar>/<appointment id>.ics``: ``If-None-Match: *`` on create, ``If-Match: <etag>`` on
change and delete. The calendar being down changes nothing in the database: the appointment
stays pending (the dashboard shows it) and the worker retries with backoff.

Pull (polling, RFC 6578 sync-collection with the stored sync token): events the practitioner
adds in their own calendar app become busy time at once; moving or deleting them frees it; our
own events moved in the app move the appointment when the new time is free.

Policy where the two disagree: the database wins for our own resources. A 412 on change (the
event was edited in the app meanwhile) re-reads the ETag and writes our version again (audited
``agenda.sync_overwrite``); our event deleted in the app is written again (the patient was told
they have this appointment: cancelling is done in the dashboard or by the caller, who is then
told).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipeline.agenda.radicale import CalDavCredentials
from pipeline.agenda.store import AgendaStore, Appointment, ExternalEvent, Source

log = logging.getLogger(__name__)

UID_SUFFIX = "@permanence"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


class CalendarUnavailable(RuntimeError):
    """The CalDAV server cannot be reached (or refuses us): bookings wait, pending."""


@dataclass(frozen=True)
class SyncReport:
    pushed: int = 0
    failed: int = 0
    pulled: int = 0
    error: str | None = None


def appointment_ics(appt: Appointment, store: AgendaStore, now: datetime | None = None) -> str:
    """One VEVENT: times in UTC, the appointment type and the patient's name (the practice's
    own calendar), never a reason for the visit or a diagnosis."""
    import icalendar

    cfg = store.config
    cal = icalendar.Calendar()
    cal.add("prodid", "-//permanence//agenda//FR")
    cal.add("version", "2.0")
    ev = icalendar.Event()
    ev.add("uid", appt.id + UID_SUFFIX)
    ev.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    ev.add("dtstart", appt.slot.start.astimezone(UTC))
    ev.add("dtend", appt.slot.end.astimezone(UTC))
    kind = cfg.type(appt.slot.type)
    ev.add("summary", f"{kind.label_fr.capitalize()} : {appt.patient.name}")
    ev.add("categories", ["permanence"])
    ev.add("x-permanence-appointment", appt.id)
    ev.add("x-permanence-source", appt.source)
    if kind.remote:
        ev.add("location", "Téléconsultation")
    cal.add_component(ev)
    return cal.to_ical().decode()


def _as_local(value: Any, store: AgendaStore, *, end: bool = False) -> datetime:
    tz = store.config.tz
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):  # an all-day event: the whole local day
        return datetime.combine(value, datetime.min.time(), tzinfo=tz)
    raise ValueError(f"unexpected date value {value!r}")


def parse_events(data: str, store: AgendaStore, *, until: datetime | None = None
                 ) -> list[tuple[str, datetime, datetime]]:
    """(uid, start, end) of the busy VEVENTs in one resource (TRANSPARENT and CANCELLED ones
    are free time). A recurring event ("every Monday 12:00-14:00") gives each occurrence from
    now until `until` (the booking horizon), exceptions and moved occurrences included."""
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    components = list(cal.walk("VEVENT"))
    if any(ev.get("rrule") is not None for ev in components):
        import recurring_ical_events

        now = datetime.now(UTC) - timedelta(days=1)
        end = until or now + timedelta(days=store.config.horizon_days + 2)
        components = list(recurring_ical_events.of(cal).between(now, end))
    out = []
    for ev in components:
        if str(ev.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(ev.get("status", "")).upper() == "CANCELLED":
            continue
        if ev.get("dtstart") is None:
            continue
        raw_start = ev.decoded("dtstart")
        start = _as_local(raw_start, store)
        if ev.get("dtend") is not None:
            end_at = _as_local(ev.decoded("dtend"), store)
        elif ev.get("duration") is not None:
            end_at = start + ev.decoded("duration")
        else:
            all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
            end_at = start + (timedelta(days=1) if all_day else timedelta(0))
        if end_at <= start:
            continue
        out.append((str(ev.get("uid", "")), start, end_at))
    return out


def _mkcalendar_body(name: str) -> str:
    from xml.sax.saxutils import escape

    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f'<D:set><D:prop><D:displayname>{escape(name)}</D:displayname>'
            '<C:supported-calendar-component-set><C:comp name="VEVENT"/>'
            '</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>')


class CalendarSync:
    """Synchronous; one worker thread calls it (never the event loop)."""

    def __init__(self, store: AgendaStore, credentials: CalDavCredentials, *,
                 calendars: Mapping[str, str] | None = None, create_missing: bool = True,
                 timeout_s: int = 10) -> None:
        self.store = store
        self.credentials = credentials
        self.calendars = dict(calendars or {})
        self.create_missing = create_missing
        self.timeout_s = timeout_s
        # caldav's classes resolve lazily (mypy sees them as untyped): kept inside this module.
        self._client: Any = None
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------
    def client(self) -> Any:
        """The caldav library's DAVClient (lazy: its import costs ~1 s)."""
        if self._client is None:
            from caldav.davclient import DAVClient

            self._client = DAVClient(
                url=self.credentials.url, username=self.credentials.username,
                password=self.credentials.password, timeout=self.timeout_s,
                # Loopback Radicale is plain HTTP; a practice's server is whatever its URL says.
                require_tls=False, enable_rfc6764=False)
        return self._client

    def reset(self) -> None:
        client, self._client = self._client, None
        self._ready.clear()
        if client is not None:
            with contextlib.suppress(Exception):  # closing a broken session
                client.close()

    def calendar_url(self, practitioner: str) -> str:
        if practitioner in self.calendars:
            url = self.calendars[practitioner]
            return url if url.endswith("/") else url + "/"
        base = self.credentials.url if self.credentials.url.endswith("/") else (
            self.credentials.url + "/")
        return f"{base}{practitioner}/"

    def calendar(self, practitioner: str) -> Any:
        """The practitioner's calendar, created on the embedded server when missing."""
        from caldav.collection import Calendar

        url = self.calendar_url(practitioner)
        client = self.client()
        if practitioner not in self._ready:
            r = client.request(url, "PROPFIND", "", {"Depth": "0"})
            if r.status == 404 and self.create_missing:
                name = self.store.config.practitioner(practitioner).name
                r = client.request(url, "MKCALENDAR", _mkcalendar_body(name))
                if r.status >= 400:
                    raise CalendarUnavailable(f"cannot create calendar {url}: HTTP {r.status}")
            elif r.status >= 400:
                raise CalendarUnavailable(f"calendar {url}: HTTP {r.status}")
            self._ready.add(practitioner)
        return Calendar(client=client, url=url)

    def ensure_calendars(self) -> None:
        for p in self.store.config.practitioners:
            self.calendar(p.id)

    def _etag_of(self, href: str) -> str | None:
        r = self.client().request(href, "GET", "")
        if r.status == 404:
            return None
        if r.status >= 400:
            raise CalendarUnavailable(f"GET {href}: HTTP {r.status}")
        etag = r.headers.get("etag") or r.headers.get("ETag")
        return str(etag) if etag else None

    # -- push -------------------------------------------------------------------------------
    def _put(self, href: str, body: str, *, etag: str | None) -> tuple[int, str | None]:
        headers = {**ICS, **({"If-Match": etag} if etag else {"If-None-Match": "*"})}
        r = self.client().put(href, body, headers)
        new = r.headers.get("etag") or r.headers.get("ETag")
        return r.status, (str(new) if new else None)

    def _delete(self, href: str, etag: str | None) -> int:
        r = self.client().delete(href, {"If-Match": etag} if etag else {})
        if r.status == 412:  # changed in the app since: we delete it all the same
            r = self.client().delete(href, {})
        return int(r.status)

    def push_one(self, appt: Appointment) -> None:
        store = self.store
        version = appt.updated_at
        target_cal = self.calendar_url(appt.practitioner)
        href, etag = appt.caldav_href, appt.caldav_etag
        if appt.status != "booked":
            if href:
                status = self._delete(href, etag)
                if status >= 400 and status != 404:
                    raise CalendarUnavailable(f"DELETE: HTTP {status}")
            store.mark_synced(appt.id, version, href=None, etag=None)
            return
        if href and not href.startswith(target_cal):  # moved to another practitioner
            status = self._delete(href, etag)
            if status >= 400 and status != 404:
                raise CalendarUnavailable(f"DELETE: HTTP {status}")
            href, etag = None, None
        self.calendar(appt.practitioner)
        body = appointment_ics(appt, store)
        href = href or f"{target_cal}{appt.id}.ics"
        status, new_etag = self._put(href, body, etag=etag)
        if status == 412:
            # Create: it exists already (we wrote it, then crashed before recording it).
            # Change: edited in the calendar app meanwhile. Either way the database wins.
            current = self._etag_of(href)
            status, new_etag = self._put(href, body, etag=current)
            store.store.record_audit("caldav", "agenda.sync_overwrite", appt.call_id,
                                     appointment=appt.id)
        elif status == 404 and etag:  # deleted in the app: write it again
            status, new_etag = self._put(href, body, etag=None)
            store.store.record_audit("caldav", "agenda.sync_recreated", appt.call_id,
                                     appointment=appt.id)
        if status >= 400:
            raise CalendarUnavailable(f"PUT: HTTP {status}")
        if new_etag is None:
            new_etag = self._etag_of(href)
        store.mark_synced(appt.id, version, href=href, etag=new_etag)

    def push_pending(self) -> SyncReport:
        pushed = failed = 0
        for appt in self.store.pending_sync():
            try:
                self.push_one(appt)
                pushed += 1
            except Exception as exc:  # noqa: BLE001 - any failure leaves it pending
                failed += 1
                self.store.mark_sync_failed(appt.id, f"{type(exc).__name__}: {exc}")
                if not isinstance(exc, CalendarUnavailable) or "HTTP 5" in str(exc):
                    self.reset()
                    return SyncReport(pushed, failed, error=f"{type(exc).__name__}: {exc}")
        return SyncReport(pushed, failed)

    # -- pull -------------------------------------------------------------------------------
    def poll_practitioner(self, practitioner: str) -> int:
        store = self.store
        state = store.calendar_state(practitioner)
        token = state.sync_token if state else None
        cal = self.calendar(practitioner)
        result = cal.get_objects_by_sync_token(token, load_objects=True)
        new_token = str(result.sync_token) if result.sync_token else None
        full = token is None or (new_token or "").startswith("fake-")
        deleted = {str(u) for u in (result.deleted_urls or ())}
        external: list[ExternalEvent] = []
        removed: list[str] = []
        changes = 0
        for obj in result:
            href = str(obj.url)
            if href in deleted or not obj.data:
                continue
            etag = obj.props.get("{DAV:}getetag") if getattr(obj, "props", None) else None
            events = parse_events(str(obj.data), store)
            if not events:
                removed.append(href)
                continue
            uid, start, end = events[0]
            if uid.endswith(UID_SUFFIX):
                changes += self._ours_changed(uid[: -len(UID_SUFFIX)], start, end,
                                              str(etag) if etag else None)
                continue
            tag = str(etag) if etag else None
            if len(events) == 1:
                external.append(ExternalEvent(href, uid, tag, start, end))
            else:  # one row per occurrence of a recurring event
                external.extend(ExternalEvent(f"{href}#{int(s0.timestamp())}", uid, tag, s0, s1)
                                for _uid, s0, s1 in events)
        for href in deleted:
            appt = store.by_href(href)
            if appt is not None and appt.status == "booked":
                # Our event deleted in the app: write it again (see the module's policy).
                store.repend(appt.id, clear_href=True,
                             error="deleted in the calendar app; written again")
            else:
                removed.append(href)
        changes += store.apply_external(practitioner, external, removed, full=full)
        store.save_calendar_state(practitioner, str(cal.url), sync_token=new_token)
        return changes

    def _ours_changed(self, appointment_id: str, start: datetime, end: datetime,
                      etag: str | None) -> int:
        """Our event, possibly moved by the practitioner in their app."""
        appt = self.store.get(appointment_id)
        if appt is None or appt.status != "booked" or appt.sync_state != "synced":
            return 0  # pending: our newer version is on its way and wins
        if appt.slot.start == start and appt.slot.end == end:
            return 0
        now = datetime.now(UTC)
        try:
            moved = self.store.move(appt.id, start, actor="caldav", now=now,
                                    source=Source.CALENDAR, check_grid=False)
        except Exception as exc:  # noqa: BLE001 - taken: our version goes back
            log.warning("appointment %s moved in the calendar onto a taken slot (%s): "
                        "writing it back", appt.id, type(exc).__name__)
            self.store.repend(appt.id, error="moved in the calendar onto a taken slot")
            return 0
        self.store.mark_synced(moved.id, moved.updated_at, href=moved.caldav_href, etag=etag)
        return 1

    def poll(self) -> int:
        return sum(self.poll_practitioner(p.id) for p in self.store.config.practitioners)

    def run_once(self) -> SyncReport:
        """Push the outbox, then pull every calendar. Raises nothing: errors are reported."""
        with self._lock:
            try:
                pushed = self.push_pending()
                if pushed.error:
                    return pushed
                pulled = self.poll()
                return SyncReport(pushed.pushed, pushed.failed, pulled)
            except Exception as exc:  # noqa: BLE001 - the calendar is down or refuses us
                self.reset()
                return SyncReport(error=f"{type(exc).__name__}: {exc}")

    # -- export -----------------------------------------------------------------------------
    def export_ics(self) -> str:
        """Every practitioner's calendar read back from the server, as one iCalendar file."""
        import icalendar

        out = icalendar.Calendar()
        out.add("prodid", "-//permanence//agenda export//FR")
        out.add("version", "2.0")
        for p in self.store.config.practitioners:
            cal = self.calendar(p.id)
            for obj in cal.search(event=True):
                if not obj.data:
                    continue
                for ev in icalendar.Calendar.from_ical(str(obj.data)).walk("VEVENT"):
                    ev["x-permanence-practitioner"] = p.id
                    out.add_component(ev)
        return out.to_ical().decode()


class SyncWorker:
    """A daemon thread: runs the sync every `poll_s`, at once when nudged (a booking), with
    exponential backoff up to `retry_max_s` while the calendar is down."""

    def __init__(self, sync: CalendarSync, *, poll_s: float = 5.0,
                 retry_max_s: float = 30.0) -> None:
        self.sync = sync
        self.poll_s = poll_s
        self.retry_max_s = retry_max_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: SyncReport | None = None
        self.rounds = 0
        self._in_round = False
        self._round_done = threading.Condition()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="caldav-sync", daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None

    def wait_round(self, timeout_s: float = 10.0) -> SyncReport | None:
        """Block until one more round has completed (tests, CLI)."""
        with self._round_done:
            # A round already under way may have read the outbox before the caller's change:
            # wait for the one after it.
            target = self.rounds + (2 if self._in_round else 1)
            self.nudge()
            self._round_done.wait_for(lambda: self.rounds >= target, timeout=timeout_s)
            return self.last

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            with self._round_done:
                self._wake.clear()
                self._in_round = True
            report = self.sync.run_once()
            with self._round_done:
                self._in_round = False
                self.last = report
                self.rounds += 1
                self._round_done.notify_all()
            if report.error:
                log.warning("calendar sync failed (%s); bookings stay pending, retry in %.0f s",
                            report.error.split(":")[0], backoff)
                wait, backoff = backoff, min(backoff * 2, self.retry_max_s)
            else:
                wait, backoff = self.poll_s, 1.0
            self._wake.wait(timeout=wait)
