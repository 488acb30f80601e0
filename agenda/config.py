"""The practice's agenda: practitioners, weekly hours and breaks, closed days, appointment types,
same-day slots kept for urgent triage, booking horizon.

Read from the ``agenda:`` section of the practice YAML (the same file as ``handoff``'s roster;
practitioners default their names to the roster's ``physicians``). Errors name the field.

    agenda:
      step_min: 15                  # slot grid
      horizon_days: 60              # how far ahead callers may book
      min_notice_min: 30            # no slot starting sooner than this
      hold_s: 300                   # a slot offered to a caller is held this long
      holidays: fr                  # fr | fr-alsace-moselle | none
      hours: {mon: [["08:30", "12:30"], ["14:00", "19:00"]], ...}   # default for everyone
      breaks: [["10:30", "10:45"]]  # taken out of every day's hours
      types: [{id: consultation, minutes: 15, fr: consultation, en: consultation}, ...]
      default_type: consultation
      urgent_reserved: {times: ["11:45", "18:30"], release_min: 60}
      closures: [{from: 2026-12-24, to: 2026-12-26, practitioner: dr-martin, reason: congés}]
      practitioners: [{id: dr-martin, hours: {...}, types: [consultation]}]
      sms_confirmation: false
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from agenda.holidays import HolidayRegion, holiday_name

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Interval = tuple[time, time]


class AgendaConfigError(ValueError):
    """The agenda section is not what was expected; the message names the field."""


@dataclass(frozen=True)
class AppointmentType:
    id: str
    minutes: int
    label_fr: str
    label_en: str
    remote: bool = False

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr


@dataclass(frozen=True)
class Practitioner:
    id: str
    name: str
    """As the roster writes it, e.g. "Dr Claire Martin"."""
    hours: Mapping[str, tuple[Interval, ...]]
    types: frozenset[str] = frozenset()
    """Appointment types this practitioner takes; empty: all."""
    title: str = "docteur"

    @property
    def family_name(self) -> str:
        words = [w for w in self.name.replace(".", " ").split()
                 if w.lower() not in ("dr", "docteur", "doctor", "doctoresse", "pr", "mme", "m")]
        return words[-1] if words else self.name

    def spoken(self, language: str) -> str:
        """ "le docteur Martin" / "Doctor Martin": what the agent says."""
        if language == "en":
            return f"Doctor {self.family_name}"
        return f"le {self.title} {self.family_name}"

    def takes(self, type_id: str) -> bool:
        return not self.types or type_id in self.types

    @property
    def match_keys(self) -> tuple[str, ...]:
        """Normalized words a caller may use for this practitioner (family and full name)."""
        full = fold(self.name)
        keys = {fold(self.family_name), full}
        keys |= {w for w in full.split() if len(w) > 2 and w not in ("docteur", "doctor")}
        return tuple(sorted(keys))


@dataclass(frozen=True)
class Closure:
    start: date
    end: date
    """Inclusive."""
    practitioner: str | None = None
    """None: the whole practice."""
    reason: str = ""

    def covers(self, day: date, practitioner: str) -> bool:
        return (self.start <= day <= self.end
                and (self.practitioner is None or self.practitioner == practitioner))


@dataclass(frozen=True)
class UrgentReserve:
    """Slots starting at these local times are kept for callers triaged `urgent`, on the same
    day only; unclaimed `release_min` minutes before they start, anyone may book them."""

    times: tuple[time, ...] = ()
    release_min: int = 60


@dataclass(frozen=True)
class AgendaConfig:
    timezone: str
    practitioners: tuple[Practitioner, ...]
    types: tuple[AppointmentType, ...]
    default_type: str
    step_min: int = 15
    horizon_days: int = 60
    min_notice_min: int = 30
    hold_s: int = 300
    holidays: HolidayRegion = "fr"
    closures: tuple[Closure, ...] = ()
    urgent: UrgentReserve = field(default_factory=UrgentReserve)
    sms_confirmation: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def practitioner(self, practitioner_id: str) -> Practitioner:
        for p in self.practitioners:
            if p.id == practitioner_id:
                return p
        raise KeyError(practitioner_id)

    def type(self, type_id: str) -> AppointmentType:
        for t in self.types:
            if t.id == type_id:
                return t
        raise KeyError(type_id)

    def closed_reason(self, day: date, practitioner: str) -> str | None:
        """Why `practitioner` sees no patient on `day` (holiday, closure), or None."""
        name = holiday_name(day, self.holidays)
        if name:
            return name
        for c in self.closures:
            if c.covers(day, practitioner):
                return c.reason or "closed"
        return None

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("expected a timezone-aware datetime (e.g. datetime.now(UTC))")
        return at.astimezone(self.tz)

    def at(self, day: date, t: time) -> datetime:
        """Local wall time on `day` as an aware datetime."""
        return datetime.combine(day, t, tzinfo=self.tz)

    def step(self) -> timedelta:
        return timedelta(minutes=self.step_min)


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation to spaces: for matching spoken names."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# -- parsing ----------------------------------------------------------------------------------
DEFAULT_TYPES = (
    AppointmentType("consultation", 15, "consultation", "consultation"),
    AppointmentType("first_visit", 30, "première consultation", "first visit"),
    AppointmentType("teleconsultation", 15, "téléconsultation", "teleconsultation", remote=True),
)


def _time(value: Any, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        if hh == "24" and mm == "00":
            return time(23, 59)
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise AgendaConfigError(f"{where}: expected a time 'HH:MM', got {value!r}") from None


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise AgendaConfigError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def _intervals(raw: Any, where: str) -> tuple[Interval, ...]:
    if raw in (None, "closed"):
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise AgendaConfigError(f"{where}: expected a list of [\"HH:MM\", \"HH:MM\"] pairs")
    out = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise AgendaConfigError(f"{where}[{i}]: expected a pair [\"HH:MM\", \"HH:MM\"]")
        start, end = _time(pair[0], f"{where}[{i}]"), _time(pair[1], f"{where}[{i}]")
        if end <= start:
            raise AgendaConfigError(f"{where}[{i}]: ends before it starts ({pair[0]}-{pair[1]})")
        out.append((start, end))
    return tuple(sorted(out))


def _minus(hours: tuple[Interval, ...], breaks: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Opening intervals with the breaks taken out."""
    out: list[Interval] = []
    for start, end in hours:
        pieces = [(start, end)]
        for b0, b1 in breaks:
            nxt = []
            for s, e in pieces:
                if b1 <= s or b0 >= e:
                    nxt.append((s, e))
                    continue
                if s < b0:
                    nxt.append((s, b0))
                if b1 < e:
                    nxt.append((b1, e))
            pieces = nxt
        out.extend(pieces)
    return tuple(out)


def _week(raw: Any, where: str, breaks: tuple[Interval, ...]) -> dict[str, tuple[Interval, ...]]:
    if not isinstance(raw, Mapping):
        raise AgendaConfigError(f"{where}: expected a mapping of days ({', '.join(WEEKDAYS)})")
    week: dict[str, tuple[Interval, ...]] = {d: () for d in WEEKDAYS}
    for day, slots in raw.items():
        d = str(day).lower()[:3]
        if d not in WEEKDAYS:
            raise AgendaConfigError(f"{where}: unknown day {day!r}; expected {', '.join(WEEKDAYS)}")
        week[d] = _minus(_intervals(slots, f"{where}.{day}"), breaks)
    return week


def _on_grid(week: Mapping[str, tuple[Interval, ...]], step: int, where: str) -> None:
    """Every opening and closing time on the slot grid (minutes since midnight divisible by
    step_min): bookings then occupy whole grid cells, which is what the database's
    no-double-booking constraint is built on."""
    for day, intervals in week.items():
        for s, e in intervals:
            for t in (s, e):
                if t != time(23, 59) and (t.hour * 60 + t.minute) % step:
                    raise AgendaConfigError(
                        f"{where}.{day}: {t.strftime('%H:%M')} is not on the {step}-minute grid "
                        f"(step_min); use times such as 08:30 or 12:15")


def _positive(raw: Mapping[str, Any], key: str, default: int, where: str) -> int:
    value = raw.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AgendaConfigError(f"{where}.{key}: expected an integer, got {value!r}") from None
    if number < 0:
        raise AgendaConfigError(f"{where}.{key}: expected a positive number, got {number}")
    return number


def agenda_from_practice(practice: Mapping[str, Any]) -> AgendaConfig:
    """Build the agenda from a whole practice mapping (its ``agenda:`` section, ``timezone`` and
    ``physicians``). A practice without an agenda section gets every physician on the default
    hours with the default appointment types."""
    if not isinstance(practice, Mapping):
        raise AgendaConfigError("practice: expected a mapping")
    raw = practice.get("agenda") or {}
    if not isinstance(raw, Mapping):
        raise AgendaConfigError("agenda: expected a mapping")
    tz = str(practice.get("timezone", "Europe/Paris"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise AgendaConfigError(f"timezone: unknown time zone {tz!r}") from None
    where = "agenda"
    step = _positive(raw, "step_min", 15, where) or 15
    breaks = _intervals(raw.get("breaks"), f"{where}.breaks")
    default_hours = _week(raw.get("hours") or {
        "mon": [["08:30", "12:30"], ["14:00", "19:00"]],
        "tue": [["08:30", "12:30"], ["14:00", "19:00"]],
        "wed": [["08:30", "12:30"], ["14:00", "19:00"]],
        "thu": [["08:30", "12:30"], ["14:00", "19:00"]],
        "fri": [["08:30", "12:30"], ["14:00", "19:00"]],
        "sat": [["09:00", "12:00"]],
    }, f"{where}.hours", breaks)
    _on_grid(default_hours, step, f"{where}.hours")

    types: list[AppointmentType] = []
    for i, t in enumerate(raw.get("types") or []):
        w = f"{where}.types[{i}]"
        if not isinstance(t, Mapping) or "id" not in t or "minutes" not in t:
            raise AgendaConfigError(f"{w}: expected a mapping with 'id' and 'minutes'")
        minutes = _positive(t, "minutes", 15, w)
        if minutes == 0 or minutes % step:
            raise AgendaConfigError(f"{w}.minutes: expected a positive multiple of step_min "
                                    f"({step}), got {minutes}")
        label = str(t.get("fr") or t["id"]).replace("_", " ")
        types.append(AppointmentType(str(t["id"]), minutes, label, str(t.get("en") or label),
                                     remote=bool(t.get("remote", False))))
    if not types:
        types = [t for t in DEFAULT_TYPES if t.minutes % step == 0]
    type_ids = [t.id for t in types]
    if len(set(type_ids)) != len(type_ids):
        raise AgendaConfigError(f"{where}.types: duplicate id among {type_ids}")
    default_type = str(raw.get("default_type", type_ids[0]))
    if default_type not in type_ids:
        raise AgendaConfigError(f"{where}.default_type: {default_type!r} is not among "
                                f"types ({', '.join(type_ids)})")

    roster = {str(p.get("id")): str(p.get("name", p.get("id")))
              for p in practice.get("physicians") or [] if isinstance(p, Mapping)}
    entries = raw.get("practitioners")
    if entries is None:
        entries = [{"id": pid} for pid in roster]
    practitioners: list[Practitioner] = []
    for i, p in enumerate(entries):
        w = f"{where}.practitioners[{i}]"
        if not isinstance(p, Mapping) or "id" not in p:
            raise AgendaConfigError(f"{w}: expected a mapping with 'id'")
        pid = str(p["id"])
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", pid):
            raise AgendaConfigError(f"{w}.id: expected letters, digits, '-' or '_', got {pid!r}")
        name = str(p.get("name") or roster.get(pid) or "")
        if not name:
            raise AgendaConfigError(f"{w}: practitioner {pid!r} has no 'name' and is not among "
                                    f"physicians ({', '.join(sorted(roster))})")
        hours = (_week(p["hours"], f"{w}.hours", breaks) if p.get("hours") is not None
                 else default_hours)
        _on_grid(hours, step, f"{w}.hours")
        allowed = frozenset(str(x) for x in p.get("types") or ())
        unknown = allowed - set(type_ids)
        if unknown:
            raise AgendaConfigError(f"{w}.types: unknown {sorted(unknown)}; expected among "
                                    f"{', '.join(type_ids)}")
        practitioners.append(Practitioner(pid, name, hours, allowed,
                                          title=str(p.get("title", "docteur"))))
    if len({p.id for p in practitioners}) != len(practitioners):
        raise AgendaConfigError(f"{where}.practitioners: duplicate id")

    closures = []
    for i, c in enumerate(raw.get("closures") or []):
        w = f"{where}.closures[{i}]"
        if not isinstance(c, Mapping) or not ("date" in c or "from" in c):
            raise AgendaConfigError(f"{w}: expected 'date' or 'from'/'to'")
        start = _date(c.get("from", c.get("date")), f"{w}.from")
        end = _date(c.get("to", c.get("date", start)), f"{w}.to")
        if end < start:
            raise AgendaConfigError(f"{w}: 'to' is before 'from'")
        who = c.get("practitioner")
        if who is not None and str(who) not in {p.id for p in practitioners}:
            raise AgendaConfigError(f"{w}.practitioner: unknown {who!r}")
        closures.append(Closure(start, end, str(who) if who is not None else None,
                                str(c.get("reason", ""))))

    urgent_raw = raw.get("urgent_reserved") or {}
    if not isinstance(urgent_raw, Mapping):
        raise AgendaConfigError(f"{where}.urgent_reserved: expected a mapping with 'times'")
    urgent = UrgentReserve(
        times=tuple(sorted(_time(x, f"{where}.urgent_reserved.times")
                           for x in urgent_raw.get("times") or ())),
        release_min=_positive(urgent_raw, "release_min", 60, f"{where}.urgent_reserved"))

    region = str(raw.get("holidays", "fr"))
    if region not in ("fr", "fr-alsace-moselle", "none"):
        raise AgendaConfigError(f"{where}.holidays: expected fr, fr-alsace-moselle or none, "
                                f"got {region!r}")
    return AgendaConfig(
        timezone=tz, practitioners=tuple(practitioners), types=tuple(types),
        default_type=default_type, step_min=step,
        horizon_days=_positive(raw, "horizon_days", 60, where) or 60,
        min_notice_min=_positive(raw, "min_notice_min", 30, where),
        hold_s=_positive(raw, "hold_s", 300, where) or 300,
        holidays=cast(HolidayRegion, region), closures=tuple(closures), urgent=urgent,
        sms_confirmation=bool(raw.get("sms_confirmation", False)),
    )


def load_agenda(path: Path | str) -> AgendaConfig:
    """The agenda of the practice YAML at `path`."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AgendaConfigError(f"practice file not found: {p}") from None
    except yaml.YAMLError as exc:
        raise AgendaConfigError(f"practice file {p} is not valid YAML: {exc}") from None
    return agenda_from_practice(raw or {})
