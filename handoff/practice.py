"""Practice configuration: opening hours, on-call roster, tele-secretary queue, nurse line.

Loaded from YAML (`load_practice`); `DEMO_PRACTICE_FILE` ships with the package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from classifier.labels import RedFlag, Urgency

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEMO_PRACTICE_FILE = Path(str(resources.files("handoff") / "demo_practice.yaml"))

# LABELS.md: "for the most severe categories tell the caller to call 15 / 112". Infant fever,
# poisoning and obstetric calls go to the physician first (poison centre, maternity), unless a
# practice tightens this list.
DEFAULT_ADVISE_EMERGENCY: tuple[RedFlag, ...] = (
    RedFlag.CHEST_PAIN, RedFlag.BREATHING, RedFlag.STROKE, RedFlag.CONSCIOUSNESS,
    RedFlag.BLEEDING, RedFlag.ANAPHYLAXIS, RedFlag.SUICIDAL, RedFlag.SEIZURE,
    RedFlag.MENINGITIS, RedFlag.TRAUMA,
    # NHS 111 / SAMU: suspected sepsis, sudden severe abdominal pain and a diabetic emergency
    # (ketoacidosis, a low that sugar does not correct) are 15/112 calls.
    RedFlag.SEPSIS, RedFlag.ACUTE_ABDOMEN, RedFlag.DIABETIC,
)


class PracticeConfigError(ValueError):
    """The practice file is not what was expected; the message names the field."""


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class OnCallShift:
    """One roster line. `days` are the days the shift *starts*; `end <= start` runs past
    midnight."""

    physician: str
    days: tuple[str, ...]
    start: time
    end: time
    backups: tuple[str, ...] = ()
    label: str = ""

    def covers(self, local: datetime) -> bool:
        day = WEEKDAYS[local.weekday()]
        prev = WEEKDAYS[(local.weekday() - 1) % 7]
        t = local.time()
        if self.start < self.end:
            return day in self.days and self.start <= t < self.end
        # Overnight (or 24 h when start == end): started today, or started yesterday.
        return (day in self.days and t >= self.start) or (prev in self.days and t < self.end)


@dataclass(frozen=True)
class OnCall:
    """Who answers a clinical escalation right now, in order: physician then backups."""

    physician: Contact
    backups: tuple[Contact, ...]
    shift_label: str


@dataclass(frozen=True)
class PracticeConfig:
    name: str
    timezone: str = "Europe/Paris"
    languages: tuple[str, ...] = ("fr",)
    opening_hours: Mapping[str, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    physicians: tuple[Contact, ...] = ()
    on_call: tuple[OnCallShift, ...] = ()
    tele_secretary: Contact = Contact(id="secretary", name="Tele-secretary queue")
    nurse_line: Contact | None = None
    emergency_number: str = "15"
    ack_timeouts_s: Mapping[Urgency, float] = field(
        default_factory=lambda: {Urgency.EMERGENCY: 60.0, Urgency.URGENT: 300.0,
                                 Urgency.ROUTINE: 900.0}
    )
    advise_emergency_categories: frozenset[RedFlag] = frozenset(DEFAULT_ADVISE_EMERGENCY)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("expected a timezone-aware datetime (e.g. datetime.now(UTC))")
        return now.astimezone(self.tz)

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        t = local.time()
        slots = self.opening_hours.get(WEEKDAYS[local.weekday()], ())
        return any(start <= t < end for start, end in slots)

    def physician(self, physician_id: str) -> Contact:
        for contact in self.physicians:
            if contact.id == physician_id:
                return contact
        raise KeyError(physician_id)

    def on_call_at(self, now: datetime) -> OnCall | None:
        local = self.local(now)
        for shift in self.on_call:
            if shift.covers(local):
                return OnCall(
                    physician=self.physician(shift.physician),
                    backups=tuple(self.physician(b) for b in shift.backups),
                    shift_label=shift.label,
                )
        return None

    def ack_timeout(self, urgency: Urgency) -> timedelta:
        return timedelta(seconds=float(self.ack_timeouts_s.get(urgency, 60.0)))

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """JSON-ready roster (for the API), with who is on call at `now` when given."""
        out: dict[str, Any] = {
            "name": self.name,
            "timezone": self.timezone,
            "languages": list(self.languages),
            "emergency_number": self.emergency_number,
            "opening_hours": {
                d: [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in slots]
                for d, slots in self.opening_hours.items()
            },
            "physicians": [vars(c) for c in self.physicians],
            "on_call": [
                {"label": s.label, "physician": s.physician, "backups": list(s.backups),
                 "days": list(s.days), "start": s.start.strftime("%H:%M"),
                 "end": s.end.strftime("%H:%M")}
                for s in self.on_call
            ],
            "tele_secretary": vars(self.tele_secretary),
            "nurse_line": vars(self.nurse_line) if self.nurse_line else None,
            "ack_timeouts_s": {u.value: v for u, v in self.ack_timeouts_s.items()},
        }
        if now is not None:
            current = self.on_call_at(now)
            out["open_now"] = self.is_open(now)
            out["on_call_now"] = (
                {"physician": vars(current.physician),
                 "backups": [vars(b) for b in current.backups], "shift": current.shift_label}
                if current else None
            )
        return out


def _time(value: Any, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        if hh == "24" and mm == "00":
            return time(23, 59, 59, 999999)
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise PracticeConfigError(f"{where}: expected a time 'HH:MM', got {value!r}") from None


def _contact(raw: Any, where: str, default_id: str) -> Contact:
    if not isinstance(raw, Mapping) or "name" not in raw:
        raise PracticeConfigError(f"{where}: expected a mapping with 'name' (and 'phone')")
    return Contact(id=str(raw.get("id", default_id)), name=str(raw["name"]),
                   phone=str(raw["phone"]) if raw.get("phone") else None)


def _days(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise PracticeConfigError(f"{where}: expected a list of days among {', '.join(WEEKDAYS)}")
    days = tuple(str(d).lower()[:3] for d in raw)
    for d in days:
        if d not in WEEKDAYS:
            raise PracticeConfigError(f"{where}: unknown day {d!r}; expected {', '.join(WEEKDAYS)}")
    return days


def practice_from_dict(raw: Mapping[str, Any]) -> PracticeConfig:
    """Build and validate a `PracticeConfig`; errors name the offending field."""
    if not isinstance(raw, Mapping) or "name" not in raw:
        raise PracticeConfigError("practice: expected a mapping with at least 'name'")
    hours: dict[str, tuple[tuple[time, time], ...]] = {}
    for day, slots in (raw.get("opening_hours") or {}).items():
        d = _days([day], "opening_hours")[0]
        hours[d] = tuple(
            (_time(s[0], f"opening_hours.{day}"), _time(s[1], f"opening_hours.{day}"))
            for s in (slots or [])
        )
    physicians = tuple(
        _contact(p, f"physicians[{i}]", f"physician-{i}")
        for i, p in enumerate(raw.get("physicians") or [])
    )
    ids = {p.id for p in physicians}
    shifts = []
    for i, s in enumerate(raw.get("on_call") or []):
        where = f"on_call[{i}]"
        if not isinstance(s, Mapping):
            raise PracticeConfigError(f"{where}: expected a mapping")
        for ref in [s.get("physician"), *(s.get("backups") or [])]:
            if ref not in ids:
                raise PracticeConfigError(
                    f"{where}: physician {ref!r} is not among physicians "
                    f"({', '.join(sorted(ids))})")
        shifts.append(OnCallShift(
            physician=str(s["physician"]), days=_days(s.get("days", WEEKDAYS), f"{where}.days"),
            start=_time(s.get("start", "00:00"), f"{where}.start"),
            end=_time(s.get("end", "00:00"), f"{where}.end"),
            backups=tuple(str(b) for b in s.get("backups") or ()), label=str(s.get("label", "")),
        ))
    timeouts = {Urgency.EMERGENCY: 60.0, Urgency.URGENT: 300.0, Urgency.ROUTINE: 900.0}
    for key, value in (raw.get("ack_timeouts_s") or {}).items():
        try:
            timeouts[Urgency(key)] = float(value)
        except ValueError:
            raise PracticeConfigError(
                f"ack_timeouts_s.{key}: expected an urgency (emergency, urgent, routine) "
                f"mapped to seconds, got {value!r}") from None
    advise = raw.get("advise_emergency_categories")
    try:
        categories = (frozenset(RedFlag(c) for c in advise) if advise is not None
                      else frozenset(DEFAULT_ADVISE_EMERGENCY))
    except ValueError as exc:
        raise PracticeConfigError(f"advise_emergency_categories: {exc}") from None
    tz = str(raw.get("timezone", "Europe/Paris"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise PracticeConfigError(f"timezone: unknown time zone {tz!r}") from None
    return PracticeConfig(
        name=str(raw["name"]),
        timezone=tz,
        languages=tuple(str(x) for x in raw.get("languages") or ("fr",)),
        opening_hours=hours,
        physicians=physicians,
        on_call=tuple(shifts),
        tele_secretary=_contact(raw.get("tele_secretary") or {"name": "Tele-secretary queue"},
                                "tele_secretary", "secretary"),
        nurse_line=(_contact(raw["nurse_line"], "nurse_line", "nurse-line")
                    if raw.get("nurse_line") else None),
        emergency_number=str(raw.get("emergency_number", "15")),
        ack_timeouts_s=timeouts,
        advise_emergency_categories=categories,
    )


def load_practice(path: Path | str | None = None) -> PracticeConfig:
    """Load a practice YAML file; the shipped demo practice when `path` is None."""
    p = Path(path) if path is not None else DEMO_PRACTICE_FILE
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PracticeConfigError(f"practice file not found: {p}") from None
    except yaml.YAMLError as exc:
        raise PracticeConfigError(f"practice file {p} is not valid YAML: {exc}") from None
    return practice_from_dict(raw)


def demo_practice() -> PracticeConfig:
    return load_practice(None)
