"""Free slots: the practice's grid (hours, breaks, closed days, horizon, urgent reserve) minus
what is busy (bookings, holds, events from the practitioner's own calendar).

Pure and synchronous: the caller passes `now` and the busy intervals; nothing is read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from agenda.config import WEEKDAYS, AgendaConfig, Practitioner


@dataclass(frozen=True)
class Slot:
    start: datetime
    """Aware, in the practice's time zone."""
    end: datetime
    practitioner: str
    type: str
    urgent_reserved: bool = False
    """One of the same-day slots kept for urgent triage."""


@dataclass(frozen=True)
class Busy:
    practitioner: str
    start: datetime
    end: datetime


class Unbookable(StrEnum):
    """Why a start time cannot be booked, whatever else is booked."""

    UNKNOWN_PRACTITIONER = "unknown_practitioner"
    UNKNOWN_TYPE = "unknown_type"
    TYPE_NOT_OFFERED = "type_not_offered"
    CLOSED_DAY = "closed_day"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    RESERVED_FOR_URGENT = "reserved_for_urgent"


@dataclass(frozen=True)
class SlotQuery:
    """What a caller (or the dashboard) asks for. Every field narrows; empty means any."""

    days: tuple[date, ...] = ()
    """Only these local days (e.g. "mardi prochain", "next week")."""
    not_before: datetime | None = None
    """No slot starting earlier ("à partir du 8 décembre")."""
    time_from: time | None = None
    """Time-of-day window start ("en fin de matinée" 10:30, "pas avant 17 h" 17:00)."""
    time_to: time | None = None
    """Time-of-day window end: slots must *start* before it."""
    weekdays: frozenset[int] = frozenset()
    """0 = Monday ("un mardi", "any Tuesday")."""
    practitioner: str | None = None
    type: str | None = None
    around: time | None = None
    """A time the caller named ("à 10 h 30"): that day's closest slots come first."""
    asap: bool = False
    """"le plus tôt possible": the earliest slots whatever the day."""
    urgent: bool = False
    """The caller was triaged urgent: today's reserved slots are theirs."""

    def describe(self) -> dict[str, object]:
        """JSON-ready (audit and debugging): ids and times only."""
        return {"days": [d.isoformat() for d in self.days],
                "not_before": self.not_before.isoformat() if self.not_before else None,
                "time_from": self.time_from.strftime("%H:%M") if self.time_from else None,
                "time_to": self.time_to.strftime("%H:%M") if self.time_to else None,
                "around": self.around.strftime("%H:%M") if self.around else None,
                "weekdays": sorted(self.weekdays), "practitioner": self.practitioner,
                "type": self.type, "asap": self.asap, "urgent": self.urgent}


def _overlaps(start: datetime, end: datetime, busy: Sequence[Busy]) -> bool:
    return any(b.start < end and start < b.end for b in busy)


class Agenda:
    """The slot grid of one practice. Thread-safe (immutable)."""

    def __init__(self, config: AgendaConfig) -> None:
        self.config = config

    # -- one start time ---------------------------------------------------------------------
    def unbookable(self, start: datetime, practitioner_id: str, type_id: str, now: datetime,
                   *, urgent: bool = False) -> Unbookable | None:
        """Why `start` cannot be booked with this practitioner and type (ignoring what is
        already booked), or None when the grid allows it."""
        cfg = self.config
        try:
            p = cfg.practitioner(practitioner_id)
        except KeyError:
            return Unbookable.UNKNOWN_PRACTITIONER
        try:
            kind = cfg.type(type_id)
        except KeyError:
            return Unbookable.UNKNOWN_TYPE
        if not p.takes(type_id):
            return Unbookable.TYPE_NOT_OFFERED
        local = cfg.local(start)
        local_now = cfg.local(now)
        day = local.date()
        if cfg.closed_reason(day, p.id):
            return Unbookable.CLOSED_DAY
        end = local + timedelta(minutes=kind.minutes)
        fits = False
        on_grid = False
        for s, e in p.hours.get(WEEKDAYS[day.weekday()], ()):
            open_at, close_at = cfg.at(day, s), cfg.at(day, e)
            if open_at <= local and end <= close_at:
                fits = True
                offset = (local - open_at).total_seconds()
                on_grid = offset % (cfg.step_min * 60) == 0
                break
        if not fits:
            return Unbookable.OUTSIDE_HOURS
        if not on_grid:
            return Unbookable.OFF_GRID
        if local < local_now + timedelta(minutes=cfg.min_notice_min):
            return Unbookable.TOO_SOON
        if day > local_now.date() + timedelta(days=cfg.horizon_days):
            return Unbookable.BEYOND_HORIZON
        if self._reserved(local) and not self._reserve_open(local, local_now, urgent):
            return Unbookable.RESERVED_FOR_URGENT
        return None

    def _reserved(self, local: datetime) -> bool:
        return local.time().replace(second=0, microsecond=0) in self.config.urgent.times

    def _reserve_open(self, local: datetime, local_now: datetime, urgent: bool) -> bool:
        if urgent and local.date() == local_now.date():
            return True
        release = local - timedelta(minutes=self.config.urgent.release_min)
        return local_now >= release

    # -- one day ----------------------------------------------------------------------------
    def day_slots(self, day: date, practitioner: Practitioner, type_id: str, now: datetime,
                  busy: Sequence[Busy] = (), *, urgent: bool = False) -> list[Slot]:
        """Free slots of one practitioner on one local day, in order."""
        cfg = self.config
        kind = cfg.type(type_id)
        if not practitioner.takes(type_id) or cfg.closed_reason(day, practitioner.id):
            return []
        local_now = cfg.local(now)
        if day < local_now.date() or day > local_now.date() + timedelta(days=cfg.horizon_days):
            return []
        earliest = local_now + timedelta(minutes=cfg.min_notice_min)
        mine = [b for b in busy if b.practitioner == practitioner.id]
        length = timedelta(minutes=kind.minutes)
        out = []
        for s, e in practitioner.hours.get(WEEKDAYS[day.weekday()], ()):
            cursor, close_at = cfg.at(day, s), cfg.at(day, e)
            while cursor + length <= close_at:
                end = cursor + length
                reserved = self._reserved(cursor)
                if (cursor >= earliest and not _overlaps(cursor, end, mine)
                        and (not reserved or self._reserve_open(cursor, local_now, urgent))):
                    out.append(Slot(cursor, end, practitioner.id, type_id, reserved))
                cursor += cfg.step()
        return out

    # -- a caller's request -----------------------------------------------------------------
    def _days(self, query: SlotQuery, now: datetime) -> Iterator[date]:
        cfg = self.config
        today = cfg.local(now).date()
        last = today + timedelta(days=cfg.horizon_days)
        if query.days:
            yield from sorted(d for d in set(query.days) if today <= d <= last)
            return
        first = today
        if query.not_before is not None:
            first = max(today, cfg.local(query.not_before).date())
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def search(self, query: SlotQuery, now: datetime, busy: Iterable[Busy] = (),
               *, limit: int = 20) -> list[Slot]:
        """Free slots matching `query`, earliest first, at most `limit`."""
        cfg = self.config
        busy = list(busy)
        type_id = query.type or cfg.default_type
        people = [p for p in cfg.practitioners
                  if query.practitioner in (None, p.id) and p.takes(type_id)]
        found: list[Slot] = []
        for day in self._days(query, now):
            if query.weekdays and day.weekday() not in query.weekdays:
                continue
            todays: list[Slot] = []
            for p in people:
                for slot in self.day_slots(day, p, type_id, now, busy, urgent=query.urgent):
                    t = slot.start.time()
                    if query.time_from is not None and t < query.time_from:
                        continue
                    if query.time_to is not None and t >= query.time_to:
                        continue
                    if query.not_before is not None and slot.start < query.not_before:
                        continue
                    todays.append(slot)
            if query.around is not None:
                target = self.config.at(day, query.around)
                todays.sort(key=lambda s: (abs(s.start - target), s.start, s.practitioner))
            else:
                todays.sort(key=lambda s: (s.start, s.practitioner))
            found.extend(todays)
            if len(found) >= limit:
                break
        return found[:limit]

    def propose(self, query: SlotQuery, now: datetime, busy: Iterable[Busy] = (),
                *, count: int = 2) -> list[Slot]:
        """At most `count` slots to say to a caller: the earliest, then one at least an hour
        later (or another day) so the caller hears a real choice, not 10:00 and 10:15."""
        candidates = self.search(query, now, busy, limit=200)
        if not candidates:
            return []
        picked = [candidates[0]]
        spread = timedelta(minutes=0 if query.around is not None else 59)
        for slot in candidates[1:]:
            if len(picked) >= count:
                break
            if all(abs(slot.start - p.start) > spread for p in picked):
                picked.append(slot)
        for slot in candidates[1:]:
            if len(picked) >= count:
                break
            if slot not in picked:
                picked.append(slot)
        # The named time first when there is one; otherwise in the order of the day.
        return picked if query.around is not None else sorted(picked, key=lambda s: s.start)

