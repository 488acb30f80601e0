"""How the agent says a slot: "mardi 8 décembre à 10 h 30 avec le docteur Martin"."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from agenda.config import AgendaConfig
from agenda.slots import Slot

Language = Literal["fr", "en"]

_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def say_time(local: datetime, language: Language = "fr") -> str:
    if language == "en":
        hour = local.hour % 12 or 12
        suffix = "a.m." if local.hour < 12 else "p.m."
        return f"{hour}:{local.minute:02d} {suffix}" if local.minute else f"{hour} {suffix}"
    if local.hour == 12 and local.minute == 0:
        return "midi"
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def say_day(local: datetime, language: Language = "fr") -> str:
    if language == "en":
        return f"{_DAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]}"
    day = "1er" if local.day == 1 else str(local.day)
    return f"{_DAYS_FR[local.weekday()]} {day} {_MONTHS_FR[local.month - 1]}"


def say_slot(slot: Slot, config: AgendaConfig, language: Language = "fr") -> str:
    """The read-back: day, time and practitioner, no diagnosis, no appointment reason."""
    local = config.local(slot.start)
    who = config.practitioner(slot.practitioner).spoken(language)
    if language == "en":
        return f"{say_day(local, 'en')} at {say_time(local, 'en')} with {who}"
    return f"{say_day(local)} à {say_time(local)} avec {who}"
