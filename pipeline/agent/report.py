"""A call's record as the agent saw it: the event timeline, the decision, the form.

``Timeline`` collects the session's events (``pipeline.events``) in order and knows when each
caller utterance ended, so the handoff latency is measured from the end of the utterance that
carried the decisive evidence. ``CallReport`` is the typed result of a call (``permanence call
--json`` prints its JSON form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.events import CallEvent, HandedOff, SpeechEnded, SpeechStarted, event_to_json

EventListener = Callable[[CallEvent], None]


@dataclass
class Timeline:
    events: list[CallEvent] = field(default_factory=list)
    speech_start: dict[int, float] = field(default_factory=dict)
    """Utterance id -> start of speech (audio clock)."""
    speech_end: dict[int, float] = field(default_factory=dict)
    """Utterance id -> end of speech (audio clock)."""
    open_utterance: int | None = None
    handoffs: list[HandedOff] = field(default_factory=list)

    def record(self, event: CallEvent) -> None:
        self.events.append(event)
        if isinstance(event, SpeechStarted):
            self.open_utterance = event.utterance_id
            self.speech_start[event.utterance_id] = event.t
        elif isinstance(event, SpeechEnded):
            self.speech_end[event.utterance_id] = event.t
            if self.open_utterance == event.utterance_id:
                self.open_utterance = None
        elif isinstance(event, HandedOff):
            self.handoffs.append(event)

    def next_start(self, utterance_id: int) -> float | None:
        """When the first utterance after ``utterance_id`` began (audio clock), if one has."""
        return min((t for u, t in self.speech_start.items() if u > utterance_id), default=None)

    @property
    def handoff(self) -> HandedOff | None:
        """The latest (most severe) handoff of the call."""
        return self.handoffs[-1] if self.handoffs else None

    def decisive_utterance(self, explicit: int | None) -> int | None:
        """The utterance a handoff is attributed to: the one named, else the one being spoken,
        else the last one that ended."""
        if explicit is not None:
            return explicit
        if self.open_utterance is not None:
            return self.open_utterance
        return max(self.speech_end, default=None)

    @property
    def handoff_latency_s(self) -> float | None:
        """Handoff time minus the end of the caller utterance that carried the decisive evidence
        (negative when a partial transcript triggered it before the caller stopped talking)."""
        handoff = self.handoff
        if handoff is None or handoff.utterance_id is None:
            return None
        end = self.speech_end.get(handoff.utterance_id)
        if end is None:
            return None
        return round(handoff.t - end, 3)


@dataclass(frozen=True)
class CallDecision:
    urgency: str
    red_flags: tuple[str, ...]
    action: str | None
    """The handoff policy's action, ``hand_to_human`` (fail-safe without a decision) or
    ``handled_by_agent`` (a routine call the agent closed)."""
    handed_off: bool
    fault: str | None
    """The component that faulted first, if any."""

    def to_json(self) -> dict[str, Any]:
        return {"urgency": self.urgency, "red_flags": list(self.red_flags),
                "action": self.action, "handed_off": self.handed_off, "fault": self.fault}


@dataclass(frozen=True)
class CallReport:
    call_id: str
    events: tuple[CallEvent, ...]
    decision: CallDecision
    handoff_latency_s: float | None
    form: dict[str, Any]
    """The classifier's form (fields heard) plus ``dialogue``: what the dialogue collected."""

    def to_json(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "events": [event_to_json(e) for e in self.events],
                "decision": self.decision.to_json(), "handoff_latency_s": self.handoff_latency_s,
                "form": self.form}
