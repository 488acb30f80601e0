"""The seams of a call session, each typed by a Protocol: what the session needs from the
recognizer, the classifier, the end-of-turn model, the voice and the call hub. The real engines
(``asr.Recognizer``, ``classifier.Classifier``, ``SmartTurn``, ``pipeline.calls.CallHub``)
satisfy them structurally; tests drive the session with scripted fakes that do too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from asr.types import AsrEvent, AudioChunk
from classifier.question import Question
from classifier.types import Classification, TriageForm
from handoff import HandoffDecision
from pipeline.agent.tts import SpeechAudio
from pipeline.calls import HubNotice
from pipeline.events import CallEvent

if TYPE_CHECKING:
    from asr.engine import Decoded


class StreamingRecognizer(Protocol):
    """One call's recognizer stream (``asr.StreamingTranscriber``)."""

    partials: bool
    """Whether partial hypotheses are decoded (the session sheds them under overload)."""

    @property
    def pending_finals(self) -> int:
        """Utterances that ended and whose final has not been returned yet."""
        ...

    @property
    def pending_passes(self) -> tuple[Future[Decoded], ...]:
        """Engine passes of ended utterances still owed: the end-of-call flush waits on
        these on the event loop, not in a recognizer pool thread (see ``listening``)."""
        ...

    @property
    def engine_progress(self) -> int:
        """Passes the shared engine has run so far: it moves while busy, not when stalled."""
        ...

    def feed(self, chunk: AudioChunk) -> list[AsrEvent]: ...

    def flush(self, wait: bool = True) -> list[AsrEvent]:
        """End of audio; ``wait=False`` returns what is ready (see ``pending_passes``)."""
        ...

    def prioritize(self, urgent: bool = True) -> None:
        """This call's partials go first and are never shed (a red flag is suspected)."""
        ...


class Recognizer(Protocol):
    def stream(self, language: str | None = None, t0: float = 0.0) -> StreamingRecognizer: ...


class StreamingTriage(Protocol):
    """One call's classifier stream (``classifier.StreamingClassifier``)."""

    def update(self, text: str, *, t: float, final: bool) -> Classification: ...

    def asked(self, question: str | None) -> Question | None:
        """The agent just said ``question``: the caller's next short yes/no final is read
        with it (None: nothing to read with)."""
        ...

    def form(self) -> TriageForm: ...


class Triage(Protocol):
    def stream(self, language: str | None = None) -> StreamingTriage: ...


class TurnDetector(Protocol):
    """Probability that the caller finished their turn, from their recent audio (16 kHz)."""

    def complete_probability(self, samples_16k: npt.NDArray[np.float32]) -> float: ...


class Hub(Protocol):
    """What the session needs from ``pipeline.calls.CallHub`` (all async)."""

    async def start_call(self, *, channel: str, language: str, caller_number: str | None = None,
                         provider_call_id: str | None = None,
                         practice_id: str | None = None) -> str: ...

    async def record_event(self, call_id: str, event: CallEvent) -> None: ...

    async def record_classification(self, call_id: str, classification: Classification,
                                    form: TriageForm | None, t: float
                                    ) -> HandoffDecision | None: ...

    async def hand_to_human(self, call_id: str, reason: str, t: float) -> HandoffDecision: ...

    async def end_call(self, call_id: str, t: float, reason: str = "") -> None: ...

    def watch(self, call_id: str) -> asyncio.Queue[HubNotice]: ...

    def audit(self, actor: str, action: str, call_id: str | None = None,
              **details: str | int | float | bool | None) -> None: ...


SayCallback = Callable[[str, str, SpeechAudio | None], Awaitable[None]]
"""``on_say(text, kind, audio)``: the transport speaks ``text`` (``audio`` when the session
synthesized it, or the prerecorded transfer notice); None lets the transport's TTS speak."""

InterruptCallback = Callable[[], Awaitable[None]]
"""The agent stops talking now (barge-in, or an emergency notice cutting in)."""
