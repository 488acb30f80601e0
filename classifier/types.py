"""Typed results that cross the classifier's boundary.

`Classification` and `TriageForm` are what `handoff/`, `pipeline/` and `eval/` consume.
Offsets in `Span` are character offsets into the text that was classified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

from classifier.labels import Intent, RedFlag, Urgency

T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RedFlagHit:
    """One piece of red-flag evidence, explainable: what, where, and which rule (or model)."""

    category: RedFlag
    span: Span | None
    source: str
    """Rule id such as ``"chest_pain.fr.douleur_poitrine"``, or ``"model"``."""
    confirmed: bool = True
    """False for partial or uncertain evidence: the agent asks a yes/no question to confirm."""
    t: float | None = None
    """Call-clock time (s) when the evidence was heard, when known (streaming)."""
    answer_to: str | None = None
    """Raised by the caller's short yes/no answer read with this question (the agent's or the
    regulator's words, not the caller's): "non" to "il respire ?" (`StreamingClassifier.asked`).
    Its ``source`` is then ``"answer:<rule id>"``."""

    @property
    def from_model(self) -> bool:
        """Raised by the heads, on a final (``model``) or on a partial's completed clause
        (``model:clause``): a guess, less sure than a rule's evidence."""
        return source_is_model(self.source)


def source_is_model(source: str) -> bool:
    """A red flag's ``source`` names the heads (``model``, ``model:clause``, and
    ``similarity+model``: the heads with the reference bank agreeing), not a rule."""
    return source.split(":", 1)[0] in {"model", "similarity+model"}


@dataclass(frozen=True)
class Classification:
    text: str
    language: str
    intent: Intent
    intent_scores: Mapping[str, float]
    urgency: Urgency
    urgency_scores: Mapping[str, float]
    red_flags: tuple[RedFlagHit, ...]
    needs_review: bool
    model_version: str
    latency_ms: float
    review_reasons: tuple[str, ...] = ()
    suspected: tuple[RedFlagHit, ...] = ()
    """Partial evidence of a red flag that is not enough to escalate on its own."""

    @property
    def emergency_score(self) -> float:
        return float(self.urgency_scores.get(Urgency.EMERGENCY.value, 0.0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; keys as promised by `permanence classify --json`."""
        return {
            "intent": self.intent.value,
            "urgency": self.urgency.value,
            "red_flags": [
                {
                    "category": h.category.value,
                    "span": h.span.text if h.span else None,
                    "start": h.span.start if h.span else None,
                    "end": h.span.end if h.span else None,
                    "source": h.source,
                    "confirmed": h.confirmed,
                    "answer_to": h.answer_to,
                }
                for h in self.red_flags
            ],
            "suspected": [
                {"category": h.category.value, "span": h.span.text if h.span else None,
                 "source": h.source, "answer_to": h.answer_to}
                for h in self.suspected
            ],
            "needs_review": self.needs_review,
            "review_reasons": list(self.review_reasons),
            "scores": {"intent": dict(self.intent_scores), "urgency": dict(self.urgency_scores)},
            "language": self.language,
            "model_version": self.model_version,
            "latency_ms": self.latency_ms,
        }


@dataclass(frozen=True)
class FormField(Generic[T]):
    value: T
    confidence: float
    span: Span | None = None


@dataclass(frozen=True)
class PatientAge:
    amount: float
    unit: str
    """"years", "months", "weeks" or "days"."""

    @property
    def in_months(self) -> float:
        factor = {"years": 12.0, "months": 1.0, "weeks": 12.0 / 52.0, "days": 12.0 / 365.0}
        return self.amount * factor[self.unit]


@dataclass(frozen=True)
class TriageForm:
    """Pre-filled triage form: every field carries value, confidence and source span."""

    caller_name: FormField[str] | None = None
    relationship: FormField[str] | None = None
    """Who the patient is to the caller: "self", "spouse", "child", "parent", "other"..."""
    patient_name: FormField[str] | None = None
    patient_age: FormField[PatientAge] | None = None
    date_of_birth: FormField[str] | None = None
    """ISO date YYYY-MM-DD."""
    callback_number: FormField[str] | None = None
    """E.164, e.g. +33612345678."""
    symptoms: tuple[FormField[str], ...] = ()
    onset: FormField[str] | None = None
    temperature_c: FormField[float] | None = None
    pregnancy_weeks: FormField[int] | None = None
    requested_practitioner: FormField[str] | None = None
    preferred_time: FormField[str] | None = None
    reason: FormField[str] | None = None
    intent: FormField[Intent] | None = None
    urgency: FormField[Urgency] | None = None
    red_flags: tuple[FormField[RedFlag], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        def conv(value: Any) -> Any:
            if isinstance(value, FormField):
                return {"value": conv(value.value), "confidence": value.confidence,
                        "span": asdict(value.span) if value.span else None}
            if isinstance(value, PatientAge):
                return {"amount": value.amount, "unit": value.unit}
            if isinstance(value, tuple):
                return [conv(v) for v in value]
            if hasattr(value, "value") and isinstance(value.value, str):
                return value.value
            return value

        return {name: conv(getattr(self, name)) for name in self.__dataclass_fields__}
