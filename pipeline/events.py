"""The one vocabulary of call events: what happened on a call, typed, with a stable JSON form.

Every event is a frozen dataclass with ``t`` (seconds on the call's clock) and a ``type`` tag;
``CallEvent`` is their union. The voice agent's timeline, the hub's audit trail (stored events),
the dashboard's push and ``permanence call --json`` all use this vocabulary and its JSON form::

    {"type": "transcript_final", "t": 3.42, "utterance_id": 2, "text": "...", "audio_t": 3.42}

``event_to_json`` / ``event_from_json`` are the only translation, both ways. The tags are the
stored ``call_events.type`` values (so older rows still read), and one idea has one word:
a component that raised or stalled is a ``fault`` (its ``component``), never a failure/stage.
Caller words appear only in ``TranscriptPartial``/``TranscriptFinal``/``AgentSaid`` (``text``),
the events GDPR retention erases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, TypeAlias


@dataclass(frozen=True)
class CallStarted:
    t: float
    channel: str
    language: str
    type: ClassVar[Literal["call_start"]] = "call_start"


@dataclass(frozen=True)
class SpeechStarted:
    """The recognizer's VAD heard the caller start an utterance (``t``: first voiced sample)."""

    t: float
    utterance_id: int
    type: ClassVar[Literal["speech_start"]] = "speech_start"


@dataclass(frozen=True)
class SpeechEnded:
    """End of an utterance at ``t`` (last voiced sample), noticed at ``detected_at``."""

    t: float
    utterance_id: int
    detected_at: float
    type: ClassVar[Literal["speech_end"]] = "speech_end"


@dataclass(frozen=True)
class TranscriptPartial:
    """The recognizer's current hypothesis of an utterance still being spoken."""

    t: float
    utterance_id: int
    text: str
    audio_t: float = 0.0
    """Audio-clock time the hypothesis covers up to."""
    type: ClassVar[Literal["transcript_partial"]] = "transcript_partial"


@dataclass(frozen=True)
class TranscriptFinal:
    """The recognizer's last word on an utterance (decisions are taken on these)."""

    t: float
    utterance_id: int
    text: str
    audio_t: float = 0.0
    type: ClassVar[Literal["transcript_final"]] = "transcript_final"


@dataclass(frozen=True)
class Classified:
    """The classifier's reading of the call so far, after one transcript update."""

    t: float
    utterance_id: int
    final: bool
    urgency: str
    intent: str
    red_flags: tuple[str, ...] = ()
    suspected: tuple[str, ...] = ()
    needs_review: bool = False
    latency_ms: float = 0.0
    type: ClassVar[Literal["classification"]] = "classification"


@dataclass(frozen=True)
class TurnWaiting:
    """A final came but the caller's turn is not over (a pause mid-sentence): keep listening."""

    t: float
    utterance_id: int
    reason: str
    """``smart_turn`` (the model hears an unfinished turn) or ``incomplete_answer``."""
    type: ClassVar[Literal["turn_wait"]] = "turn_wait"


@dataclass(frozen=True)
class TurnEnded:
    """The caller's turn is over: the dialogue answers it."""

    t: float
    utterance_id: int
    reason: str
    """``complete`` or ``silence`` (the wait after an unfinished turn ran out)."""
    type: ClassVar[Literal["turn_end"]] = "turn_end"


@dataclass(frozen=True)
class AgentSaid:
    t: float
    text: str
    kind: str
    """What the utterance is for: greeting, ask_reason, confirm_flag, emergency, ..."""
    interrupt: bool = False
    duration_s: float | None = None
    prerecorded: bool = False
    """The transfer notice synthesized when the call started (TTS is the fault)."""
    type: ClassVar[Literal["agent_say"]] = "agent_say"


@dataclass(frozen=True)
class BargedIn:
    """The caller spoke words over the agent: the agent stopped talking."""

    t: float
    type: ClassVar[Literal["barge_in"]] = "barge_in"


@dataclass(frozen=True)
class HandedOff:
    t: float
    kind: str
    """``emergency`` (red flag), ``human`` (caller asked, silence, fault...) or ``policy``
    (the handoff policy put the call in a human's queue on its own)."""
    reason: str
    utterance_id: int | None = None
    """The caller utterance that carried the decisive evidence."""
    action: str | None = None
    target: str | None = None
    type: ClassVar[Literal["handoff"]] = "handoff"


@dataclass(frozen=True)
class Fault:
    """A component raised or stalled (its detail never holds the caller's words)."""

    t: float
    component: str
    """recognizer, classifier, tts, turn, transport, session..."""
    detail: str
    type: ClassVar[Literal["fault"]] = "fault"


@dataclass(frozen=True)
class HumanJoined:
    """A human took the call over: the agent stops listening for the dialogue."""

    t: float
    by: str
    type: ClassVar[Literal["human_joined"]] = "human_joined"


@dataclass(frozen=True)
class AgentHungUp:
    t: float
    type: ClassVar[Literal["agent_hangup"]] = "agent_hangup"


@dataclass(frozen=True)
class CallEnded:
    t: float
    reason: str = ""
    type: ClassVar[Literal["call_end"]] = "call_end"


CallEvent: TypeAlias = (
    CallStarted | SpeechStarted | SpeechEnded | TranscriptPartial | TranscriptFinal | Classified
    | TurnWaiting | TurnEnded | AgentSaid | BargedIn | HandedOff | Fault | HumanJoined
    | AgentHungUp | CallEnded
)

EVENT_TYPES: Mapping[str, type[CallEvent]] = {
    cls.type: cls for cls in (
        CallStarted, SpeechStarted, SpeechEnded, TranscriptPartial, TranscriptFinal, Classified,
        TurnWaiting, TurnEnded, AgentSaid, BargedIn, HandedOff, Fault, HumanJoined, AgentHungUp,
        CallEnded)
}

TEXT_EVENTS: tuple[str, ...] = (TranscriptPartial.type, TranscriptFinal.type, AgentSaid.type)
"""Event types that carry words (caller's or agent's): retention erases their payload."""


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 3)
    return value


def event_payload(event: CallEvent) -> dict[str, Any]:
    """The event's fields without ``t`` and ``type`` (what the store keeps as the payload)."""
    return {f.name: _plain(getattr(event, f.name)) for f in fields(event) if f.name != "t"}


def event_to_json(event: CallEvent) -> dict[str, Any]:
    """The stable JSON form: ``{"type": ..., "t": ..., **fields}``."""
    return {"type": event.type, "t": round(event.t, 3), **event_payload(event)}


class UnknownEvent(ValueError):
    """A JSON event whose ``type`` is not in the vocabulary (``EVENT_TYPES``)."""


def event_from_json(data: Mapping[str, Any]) -> CallEvent:
    """Parse the JSON form back; unknown fields are ignored, missing ones take defaults."""
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise UnknownEvent(f"unknown call event type {kind!r}: expected one of "
                           f"{', '.join(sorted(EVENT_TYPES))}")
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data:
            value = data[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)
