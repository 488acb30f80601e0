"""Scripted fakes for the call session's seams (``pipeline.agent.ports``), driven by a timeline.

``Caller`` scripts what the recognizer hears: utterances on the audio clock, each with optional
partials. ``ScriptedRecognizer`` emits exactly the events a streaming transcriber would (speech
start once voice is confirmed, partials, end of speech and the final ~0.35 s after the last
voiced sample) as the fed audio passes their time. ``KeywordTriage`` classifies with a few
written rules, ``SilentVoice`` "speaks" in no time. The real in-memory ``CallHub`` is used as is.
A whole call runs in milliseconds on the audio clock (``fast``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from asr.types import AsrEvent, AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate
from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, FormField, RedFlagHit, TriageForm
from pipeline.agent.session import CallSession, SessionOptions
from pipeline.agent.tts import SpeechAudio

if TYPE_CHECKING:
    from asr.engine import Decoded

VAD_CONFIRM_S = 0.1
END_SILENCE_S = 0.35


@dataclass(frozen=True)
class Said:
    start: float
    end: float
    text: str
    partials: tuple[tuple[float, str], ...] = ()
    """(audio time, hypothesis) while the utterance is spoken."""


@dataclass
class Caller:
    utterances: list[Said] = field(default_factory=list)

    def say(self, start: float, end: float, text: str,
            partials: tuple[tuple[float, str], ...] = ()) -> Caller:
        self.utterances.append(Said(start, end, text, partials))
        return self

    def events(self) -> list[tuple[float, AsrEvent]]:
        out: list[tuple[float, AsrEvent]] = []
        for uid, u in enumerate(self.utterances, start=1):
            out.append((u.start + VAD_CONFIRM_S, SpeechStart(u.start, uid)))
            for t, text in u.partials:
                out.append((t, _update(uid, text, False, u.start, t, t)))
            done = u.end + END_SILENCE_S
            out.append((done, SpeechEnd(u.end, uid, done)))
            out.append((done, _update(uid, u.text, True, u.start, u.end, done)))
        return sorted(out, key=lambda x: x[0])


def _update(uid: int, text: str, final: bool, start: float, end: float, at: float
            ) -> TranscriptUpdate:
    return TranscriptUpdate(utterance_id=uid, confirmed=text if final else "",
                            pending="" if final else text, is_final=final, words=(),
                            start=start, end=end, language="fr", emitted_at=at)


class ScriptedTranscriber:
    def __init__(self, events: list[tuple[float, AsrEvent]], *,
                 fault_at: float | None = None, fault: str = "raise",
                 feed_delay_s: float = 0.0) -> None:
        self.events = list(events)
        self.partials = True
        self.prioritized = False
        self.fault_at, self.fault, self.feed_delay_s = fault_at, fault, feed_delay_s
        self.fed = 0.0
        self._ended: set[int] = set()

    @property
    def pending_finals(self) -> int:
        """Finals still scripted for utterances whose end of speech was already emitted."""
        return sum(1 for _, e in self.events if isinstance(e, TranscriptUpdate) and e.is_final
                   and e.utterance_id in self._ended)

    def feed(self, chunk: AudioChunk) -> list[AsrEvent]:
        if self.fault_at is not None and chunk.t1 >= self.fault_at:
            if self.fault == "raise":
                raise RuntimeError("injected recognizer fault")
            time.sleep(0.5)
        if self.feed_delay_s:
            time.sleep(self.feed_delay_s)
        self.fed = chunk.t1
        return self._due(chunk.t1)

    @property
    def pending_passes(self) -> tuple[Future[Decoded], ...]:
        return ()  # a script owes nothing: flush hands everything at once

    @property
    def engine_progress(self) -> int:
        return 0

    def flush(self, wait: bool = True) -> list[AsrEvent]:
        return self._due(float("inf"))

    def prioritize(self, urgent: bool = True) -> None:
        self.prioritized = urgent

    def _due(self, until: float) -> list[AsrEvent]:
        out = []
        while self.events and self.events[0][0] <= until:
            _, event = self.events.pop(0)
            if isinstance(event, TranscriptUpdate) and not event.is_final and not self.partials:
                continue  # shed
            if isinstance(event, SpeechEnd):
                self._ended.add(event.utterance_id)
            out.append(event)
        return out


class ScriptedRecognizer:
    def __init__(self, caller: Caller, **kw: object) -> None:
        self.caller, self.kw = caller, kw
        self.streams: list[ScriptedTranscriber] = []

    def stream(self, language: str | None = None, t0: float = 0.0) -> ScriptedTranscriber:
        s = ScriptedTranscriber(self.caller.events(), **self.kw)  # type: ignore[arg-type]
        self.streams.append(s)
        return s


RULES: dict[str, tuple[RedFlag, bool]] = {
    # word -> (category, protocol-confirmed); unconfirmed ones are partial evidence.
    "poitrine": (RedFlag.CHEST_PAIN, True),
    "respire plus": (RedFlag.BREATHING, True),
    "parle mal": (RedFlag.STROKE, False),
    "essouffle": (RedFlag.BREATHING, False),
}
MODEL_GUESSES: dict[str, RedFlag] = {"whisse": RedFlag.SUICIDAL}
"""Words the fake 'model' alone takes for an emergency (as the real one did)."""


class KeywordStream:
    def __init__(self, doubt: tuple[str, ...]) -> None:
        self.finals: list[str] = []
        self.raised: dict[RedFlag, RedFlagHit] = {}
        self.doubt = doubt
        self.updates: list[tuple[str, bool]] = []
        self.questions: list[str | None] = []
        """What the session said the caller answers next (``asked``), in order."""

    def asked(self, question: str | None) -> None:
        self.questions.append(question)

    def update(self, text: str, *, t: float, final: bool) -> Classification:
        self.updates.append((text, final))
        full = " ".join([*self.finals, text]).lower().replace("é", "e").replace("è", "e")
        suspected = []
        for word, (category, confirmed) in RULES.items():
            if word in full:
                hit = RedFlagHit(category, None, f"{category.value}.fr.{word}", confirmed, t)
                if confirmed:
                    self.raised.setdefault(category, hit)
                else:
                    suspected.append(hit)
        if final:
            for word, category in MODEL_GUESSES.items():
                if word in text.lower():
                    self.raised.setdefault(category, RedFlagHit(category, None, "model", True, t))
        urgency = Urgency.EMERGENCY if self.raised else (
            Urgency.URGENT if suspected or "fievre" in full else Urgency.ROUTINE)
        reasons = tuple(r for r in self.doubt if r in full)
        if final:
            self.finals.append(text)
        return Classification(
            text=full, language="fr", intent=Intent.APPOINTMENT_BOOKING, intent_scores={},
            urgency=urgency, urgency_scores={}, red_flags=tuple(self.raised.values()),
            needs_review=bool(reasons), model_version="fake", latency_ms=0.1,
            review_reasons=reasons, suspected=tuple(suspected))

    def form(self) -> TriageForm:
        return TriageForm(reason=FormField(" ".join(self.finals), 0.5) if self.finals else None)


class KeywordTriage:
    def __init__(self, doubt: tuple[str, ...] = (), fault: str | None = None) -> None:
        self.doubt, self.fault = doubt, fault
        self.streams: list[KeywordStream] = []

    def stream(self, language: str | None = None) -> KeywordStream:
        if self.fault == "raise":
            raise RuntimeError("injected classifier fault")
        s = KeywordStream(self.doubt)
        self.streams.append(s)
        return s


class SilentVoice:
    """Speech of the length espeak would take (14 characters a second), in no time."""

    name = "silent"

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after

    def synthesize(self, text: str, language: str) -> SpeechAudio:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("injected TTS fault")
        return SpeechAudio(b"\0\0" * int(16000 * len(text) / 14), 16000)


class FixedTurn:
    def __init__(self, p: float | Callable[[int], float] = 0.9) -> None:
        self.p = p
        self.calls = 0

    def complete_probability(self, samples_16k: np.ndarray) -> float:  # type: ignore[type-arg]
        self.calls += 1
        return self.p(self.calls) if callable(self.p) else self.p


WEEKNIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
WEEKDAY = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def make_hub(clock: datetime = WEEKNIGHT):  # type: ignore[no-untyped-def]
    from handoff import demo_practice
    from pipeline.calls import CallHub

    return CallHub(None, demo_practice(), clock=lambda: clock)


async def run_call(caller: Caller, *, duration_s: float | None = None,
                   triage: KeywordTriage | None = None, hub: object = None,
                   recognizer: ScriptedRecognizer | None = None,
                   voice: SilentVoice | None = None, turn: FixedTurn | None = None,
                   options: SessionOptions | None = None,
                   during: Callable[[CallSession, float], object] | None = None,
                   stop_when_done: bool = False) -> CallSession:
    """One call on the audio clock: 20 ms frames of silence (the script says what is heard)."""
    hub = hub or make_hub()
    session = CallSession(
        recognizer=recognizer or ScriptedRecognizer(caller), classifier=triage or KeywordTriage(),
        synthesizer=voice or SilentVoice(), hub=hub,  # type: ignore[arg-type]
        options=options or SessionOptions(practice_name="cabinet", realtime=False,
                                          stall_timeout_s=0.3,
                                          recognizer_stall_timeout_s=0.3),
        turn_detector=turn or FixedTurn())
    await session.start()
    end = duration_s if duration_s is not None else (
        max((u.end for u in caller.utterances), default=0.0) + 4.0)
    frame = np.zeros(320, np.float32)
    for i in range(int(end / 0.02)):
        await session.feed(AudioChunk(frame, i * 0.02))
        await session.drain()
        if during is not None:
            result = during(session, (i + 1) * 0.02)
            if asyncio.iscoroutine(result):
                await result
        if stop_when_done and session.done:
            break
    await session.finish("end of script")
    await hub.close()  # type: ignore[attr-defined]
    return session
