"""The practice's agenda as a pure engine: configuration, slot grid, a caller's words as a
`SlotQuery`, spoken read-back. Knows nothing of pipeline/, FastAPI, the database or pipecat;
`pipeline.agenda` stores bookings and syncs them with CalDAV.

    cfg = load_agenda("practice.yaml")
    q = parse_slot_request("mardi prochain en fin de matinée", cfg, now)
    slots = Agenda(cfg).propose(q, now, busy)
    say_slot(slots[0], cfg)   # "mardi 8 décembre à 10 h 30 avec le docteur Martin"
"""

from agenda.config import (
    AgendaConfig,
    AgendaConfigError,
    AppointmentType,
    Closure,
    Practitioner,
    UrgentReserve,
    agenda_from_practice,
    load_agenda,
)
from agenda.holidays import easter_sunday, french_holidays
from agenda.query import match_practitioner, parse_slot_request
from agenda.slots import Agenda, Busy, Slot, SlotQuery, Unbookable
from agenda.speech import say_slot

__all__ = [
    "Agenda", "AgendaConfig", "AgendaConfigError", "AppointmentType", "Busy", "Closure",
    "Practitioner", "Slot", "SlotQuery", "Unbookable", "UrgentReserve", "agenda_from_practice",
    "easter_sunday", "french_holidays", "load_agenda", "match_practitioner",
    "parse_slot_request", "say_slot",
]
