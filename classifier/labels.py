"""The one label schema of ../shared/LABELS.md, spelled exactly as there.

Data, models, eval and the dashboard all import these names from here.
"""

from __future__ import annotations

from enum import StrEnum


class Urgency(StrEnum):
    """Ordered: emergency > urgent > routine (see `rank`)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """0 for routine, 1 for urgent, 2 for emergency: compare urgencies with this."""
        return _URGENCY_RANK[self]


_URGENCY_RANK = {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.EMERGENCY: 2}


class Intent(StrEnum):
    SYMPTOM_REPORT = "symptom_report"
    APPOINTMENT_BOOKING = "appointment_booking"
    APPOINTMENT_CHANGE = "appointment_change"
    PRESCRIPTION_RENEWAL = "prescription_renewal"
    TEST_RESULTS = "test_results"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


class RedFlag(StrEnum):
    CHEST_PAIN = "chest_pain"
    BREATHING = "breathing"
    STROKE = "stroke"
    CONSCIOUSNESS = "consciousness"
    BLEEDING = "bleeding"
    ANAPHYLAXIS = "anaphylaxis"
    INFANT_FEVER = "infant_fever"
    SUICIDAL = "suicidal"
    SEIZURE = "seizure"
    MENINGITIS = "meningitis"
    POISONING = "poisoning"
    OBSTETRIC = "obstetric"
    TRAUMA = "trauma"
    # Added after clinical vignettes showed emergencies that fit none of the thirteen above.
    SEPSIS = "sepsis"
    ACUTE_ABDOMEN = "acute_abdomen"
    DIABETIC = "diabetic"


URGENCIES: tuple[str, ...] = tuple(u.value for u in Urgency)
INTENTS: tuple[str, ...] = tuple(i.value for i in Intent)
RED_FLAGS: tuple[str, ...] = tuple(r.value for r in RedFlag)


def parse_label(kind: type[StrEnum], value: str) -> StrEnum:
    """Parse a label value, or raise ValueError listing the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)  # type: ignore[attr-defined]
        raise ValueError(
            f"unknown {kind.__name__.lower()} label {value!r}; allowed values: {allowed}"
        ) from None
