"""Triage classifier: written red-flag protocol, transformer heads, triage-form pre-fill.

Knows nothing of asr/, pipecat, FastAPI or the database.
"""

from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, FormField, PatientAge, RedFlagHit, Span, TriageForm

__all__ = [
    "Classification", "FormField", "Intent", "PatientAge", "RedFlag", "RedFlagHit", "Span",
    "TriageForm", "Urgency",
]
