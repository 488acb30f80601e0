"""One call, transport-agnostic: audio in, timeline events and agent speech out.

``CallSession`` drives the engines (streaming recognizer, streaming classifier, TTS) off the
event loop under a stall watchdog, feeds the dialogue policy, and carries out its actions through
the call hub (audit trail, dashboard, handoff policy, telephony transfer). The phone, browser
and file transports (and the pipecat processors) are thin adapters around it, so every transport
gets the same behaviour and the same timeline.

Clock: every event carries ``t`` in seconds on the call's clock. Live (and real-time file)
calls use wall time since the call started, which equals the audio clock when audio arrives in
real time, so compute and queueing delays show in the timeline. ``fast`` file calls use the
position of the audio processed so far: the timeline is the one a machine with infinite compute
would give (algorithmic latency only).

Fail-safe: a recognizer, classifier or TTS call that raises, or runs more than
``stall_timeout_s`` (2 s), ends the agent's part: the call is handed to the tele-secretary
queue with everything captured so far and the caller hears they are being transferred (a
transfer notice synthesized when the session starts, so it plays even when TTS is the fault).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from asr.types import AsrEvent, AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate
from classifier.labels import Urgency
from classifier.types import Classification, TriageForm
from pipeline.agent.dialogue import (
    AgentUtterance,
    DialogueAction,
    DialoguePolicy,
    HandoffKind,
    HandoffRequest,
    say,
)
from pipeline.agent.tts import SpeechAudio, Synthesizer

log = logging.getLogger(__name__)


class StageFailure(RuntimeError):
    """An engine raised or stalled; ``stage`` says which."""

    def __init__(self, stage: str, detail: str) -> None:
        super().__init__(f"{stage}: {detail}")
        self.stage = stage
        self.detail = detail


@dataclass(frozen=True)
class TimelineEvent:
    t: float
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "type": self.type, **self.data}


class CallHubLike(Protocol):
    """What the session needs from ``pipeline.calls.CallHub`` (methods may be sync or async)."""

    def start_call(self, *, channel: str, language: str, caller_number: str | None,
                   provider_call_id: str | None) -> Any: ...
    def record_event(self, call_id: str, event: Any) -> Any: ...
    def record_classification(self, call_id: str, classification: Classification,
                              form: TriageForm | None, t: float) -> Any: ...
    def hand_to_human(self, call_id: str, reason: str, t: float) -> Any: ...
    def end_call(self, call_id: str, *args: Any, **kwargs: Any) -> Any: ...


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass
class EnginePools:
    """Thread pools shared by all calls of a process. One recognizer pass at a time per core
    keeps CTranslate2 from thrashing on 2 cores; a call's queued audio is coalesced into one
    feed, so a busy machine does fewer, longer partial passes instead of falling behind."""

    recognizer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="asr"))
    classifier: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="cls"))
    tts: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="tts"))

    def shutdown(self) -> None:
        for pool in (self.recognizer, self.classifier, self.tts):
            pool.shutdown(wait=False, cancel_futures=True)


_DEFAULT_POOLS: EnginePools | None = None
_POOLS_LOCK = threading.Lock()


def default_pools() -> EnginePools:
    global _DEFAULT_POOLS
    with _POOLS_LOCK:
        if _DEFAULT_POOLS is None:
            _DEFAULT_POOLS = EnginePools()
        return _DEFAULT_POOLS


def _pieces(batch: list[tuple[AudioChunk, float]], max_s: float
            ) -> list[list[tuple[AudioChunk, float]]]:
    pieces: list[list[tuple[AudioChunk, float]]] = [[]]
    duration = 0.0
    for item in batch:
        if pieces[-1] and duration + item[0].duration_s > max_s:
            pieces.append([])
            duration = 0.0
        pieces[-1].append(item)
        duration += item[0].duration_s
    return pieces


def hub_call_event(t: float, type_: str, data: dict[str, Any]) -> Any:
    """The hub's audit event for a timeline event (None for those the hub records itself:
    classifications and handoffs go through ``record_classification``/``hand_to_human``)."""
    from pipeline.calls import CallEvent, EventType, Fault, Utterance

    if type_ in ("speech_start", "speech_end"):
        return CallEvent(t, EventType(type_))
    if type_ in ("transcript_partial", "transcript_final", "agent_say"):
        return CallEvent(t, EventType(type_), Utterance(str(data.get("text", ""))))
    if type_ == "failure":
        return CallEvent(t, EventType.FAULT, Fault(str(data["stage"]), str(data["detail"])))
    return None


SayCallback = Callable[[AgentUtterance, SpeechAudio | None], Awaitable[None]]


@dataclass
class SessionStats:
    audio_s: float = 0.0
    recognizer_busy_s: float = 0.0
    feeds: int = 0
    frames_in: int = 0
    late_frames: int = 0
    """Input frames whose recognition finished more than ``late_after_s`` after they arrived."""
    max_backlog_s: float = 0.0
    shed: int = 0
    """Times partial passes were shed because the recognizer fell behind."""

    @property
    def recognizer_rtf(self) -> float:
        return self.recognizer_busy_s / self.audio_s if self.audio_s else 0.0


class CallSession:
    """One call. ``start()``, then ``feed()`` audio as it arrives, then ``finish()``."""

    late_after_s = 1.0
    max_feed_s = 0.5
    shed_partials = True
    shed_after_s = 0.6
    turn_max_wait_s = 1.2
    """Silence after an utterance Smart Turn judged unfinished before the agent answers."""

    def __init__(
        self,
        *,
        recognizer: Any,
        classifier: Any,
        synthesizer: Synthesizer,
        hub: CallHubLike,
        practice_name: str,
        language: str = "fr",
        channel: str = "file",
        caller_number: str | None = None,
        provider_call_id: str | None = None,
        realtime: bool = True,
        stall_timeout_s: float = 2.0,
        pools: EnginePools | None = None,
        on_say: SayCallback | None = None,
        on_interrupt: Callable[[], Awaitable[None]] | None = None,
        on_event: Callable[[TimelineEvent], None] | None = None,
        advise_emergency_categories: frozenset[Any] | None = None,
        silence_timeout_s: float = 7.0,
        make_event: Callable[[float, str, dict[str, Any]], Any] | None = hub_call_event,
        external_tts: bool = False,
        turn_detector: Any = None,
        asr_language: str | None = None,
    ) -> None:
        self.language = "fr" if language == "fr" else "en"
        self.asr_language = asr_language or self.language
        """Passed to the recognizer: fr/en forces it, auto detects per utterance."""
        self.channel = channel
        self.caller_number = caller_number
        self.provider_call_id = provider_call_id
        self.realtime = realtime
        self.stall_timeout_s = stall_timeout_s
        self._recognizer = recognizer
        self._classifier = classifier
        self._synth = synthesizer
        self._hub = hub
        self._pools = pools or default_pools()
        self._on_say = on_say
        self._on_interrupt = on_interrupt
        self._on_event = on_event
        self._make_event = make_event
        self.external_tts = external_tts
        """A pipecat TTS service speaks (and reports its own faults via ``report_failure``)."""
        policy_kwargs: dict[str, Any] = {}
        if advise_emergency_categories is not None:
            policy_kwargs["advise_emergency_categories"] = advise_emergency_categories
        self.policy = DialoguePolicy(practice_name, self.language,  # type: ignore[arg-type]
                                     caller_number=caller_number,
                                     silence_timeout_s=silence_timeout_s,
                                     can_transfer=channel != "browser", **policy_kwargs)
        self.events: list[TimelineEvent] = []
        self.stats = SessionStats()
        self.call_id: str = ""
        self.failed_stage: str | None = None
        self.handoff: TimelineEvent | None = None
        self.decisive_utterance: int | None = None
        self.decision: Any = None
        self.last_classification: Classification | None = None
        self.ended = asyncio.Event()
        self._speech_end: dict[int, float] = {}
        self._open_utterance: int | None = None
        self._queue: asyncio.Queue[tuple[AudioChunk, float] | None] = asyncio.Queue()
        self._asr_task: asyncio.Task[None] | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._t_start = 0.0
        self._audio_pos = 0.0
        self._transcriber: Any = None
        self._stream_cls: Any = None
        self._agent_speaking_until = -1.0
        self._fallback_audio: SpeechAudio | None = None
        self._lock = asyncio.Lock()
        self._last_cls_key: tuple[Any, ...] | None = None
        self._pending: set[asyncio.Future[Any]] = set()
        self._turn_detector = turn_detector
        self._turn_parts: list[str] = []
        self._turn_cls: Classification | None = None
        self._turn_form: TriageForm | None = None
        self._turn_uid: int | None = None
        self._turn_deadline: float | None = None
        self._ring: deque[AudioChunk] = deque()

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> float:
        if self.realtime:
            return time.monotonic() - self._t_start
        return self._audio_pos

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> str:
        self._t_start = time.monotonic()
        call_id = await _maybe_await(self._hub.start_call(
            channel=self.channel, language=self.language, caller_number=self.caller_number,
            provider_call_id=self.provider_call_id))
        self.call_id = str(getattr(call_id, "call_id", call_id))
        self._emit("call_start", {"channel": self.channel, "language": self.language})
        try:
            self._transcriber = self._recognizer.stream(language=self.asr_language, t0=0.0)
            self._stream_cls = self._classifier.stream(
                language=None if self.asr_language == "auto" else self.language)
        except Exception as exc:  # noqa: BLE001 - any engine fault goes to a human
            await self._fail(StageFailure("recognizer" if self._transcriber is None
                                          else "classifier", repr(exc)))
        # The transfer notice is synthesized up front so a TTS fault still reaches the caller.
        with contextlib.suppress(Exception):
            self._fallback_audio = await self._guarded(
                "tts", self._pools.tts, self._synth.synthesize,
                say("transfer_failure", self.language), self.language)
        self._asr_task = asyncio.create_task(self._asr_loop(), name=f"asr-{self.call_id}")
        if self.realtime:
            self._tick_task = asyncio.create_task(self._ticker(), name=f"tick-{self.call_id}")
        if self.failed_stage is None:
            await self._apply(self.policy.start(self.now()))
        return self.call_id

    async def feed(self, chunk: AudioChunk) -> None:
        """Queue caller audio (on the call's audio clock); never blocks on the recognizer."""
        self.stats.frames_in += 1
        await self._queue.put((chunk, time.monotonic()))

    async def drain(self) -> None:
        """Wait until every queued chunk went through the recognizer (``fast`` file calls)."""
        await self._queue.join()

    async def finish(self, reason: str = "caller hung up") -> None:
        """End of audio: flush the recognizer, close the call in the hub."""
        await self._queue.put(None)
        if self._asr_task is not None:
            with contextlib.suppress(Exception):
                await self._asr_task
        if self._tick_task is not None:
            self._tick_task.cancel()
            with contextlib.suppress(BaseException):
                await self._tick_task
        self._emit("call_end", {"reason": reason})
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        with contextlib.suppress(Exception):
            await _maybe_await(self._hub.end_call(self.call_id, self.now()))
        self.ended.set()

    @property
    def done(self) -> bool:
        """The agent's part is over (closed, handed off or failed)."""
        return self.policy.finished or self.failed_stage is not None

    @property
    def waiting_for_decisive_end(self) -> bool:
        """A handoff came from a partial: the decisive utterance has not ended yet."""
        return (self.decisive_utterance is not None
                and self.decisive_utterance not in self._speech_end)

    # -- engines under the watchdog ------------------------------------------------------------

    async def _guarded(self, stage: str, pool: ThreadPoolExecutor, fn: Callable[..., Any],
                       *args: Any, **kwargs: Any) -> Any:
        """Run a blocking engine call in its pool; raise StageFailure when it raises or when it
        has been running for more than the stall timeout (time waiting in the pool's queue does
        not count, up to 5x the timeout, so a busy machine is not mistaken for a stall)."""
        started: list[float] = []

        def run() -> Any:
            started.append(time.monotonic())
            return fn(*args, **kwargs)

        loop = asyncio.get_running_loop()
        submitted = time.monotonic()
        future = loop.run_in_executor(pool, run)
        while True:
            done, _ = await asyncio.wait({future}, timeout=0.05)
            if done:
                try:
                    return future.result()
                except StageFailure:
                    raise
                except Exception as exc:  # noqa: BLE001
                    raise StageFailure(stage, f"raised {type(exc).__name__}: {exc}") from exc
            now = time.monotonic()
            if started and now - started[0] > self.stall_timeout_s:
                if future.done():
                    continue  # finished while the loop was busy: not a stall
                future.cancel()
                raise StageFailure(stage, f"stalled for more than {self.stall_timeout_s} s "
                                   f"(queued {started[0] - submitted:.2f} s)")
            if not started and now - submitted > 5 * self.stall_timeout_s:
                future.cancel()
                raise StageFailure(stage, "no engine capacity (queued too long)")

    # -- the recognizer loop -------------------------------------------------------------------

    async def _asr_loop(self) -> None:
        closing = False
        while not closing:
            item = await self._queue.get()
            batch: list[tuple[AudioChunk, float]] = []
            if item is None:
                closing = True
            else:
                batch.append(item)
            # Coalesce whatever queued up while the last pass ran: one feed for the backlog.
            while not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    closing = True
                    break
                batch.append(nxt)
            try:
                if batch:
                    # Coalesced, but at most ~0.5 s of audio per recognizer call, so one call
                    # stays well inside the stall budget on a loaded machine.
                    for piece in _pieces(batch, self.max_feed_s):
                        await self._feed_batch(piece)
                if closing and self._transcriber is not None and self.failed_stage is None:
                    try:
                        events = await self._guarded("recognizer", self._pools.recognizer,
                                                     self._transcriber.flush)
                    except StageFailure as exc:
                        await self._fail(exc)
                    else:
                        await self._handle_asr(events)
            except Exception:  # noqa: BLE001 - a bug here must still give the caller a human
                log.exception("call %s: session error", self.call_id)
                await self._fail(StageFailure("session", "internal error"))
            finally:
                for _ in range(len(batch) + (1 if closing else 0)):
                    self._queue.task_done()

    async def _feed_batch(self, batch: list[tuple[AudioChunk, float]]) -> None:
        if self._transcriber is None or self.failed_stage == "recognizer":
            return
        chunks = [c for c, _ in batch]
        samples = np.concatenate([c.samples for c in chunks]).astype(np.float32, copy=False)
        chunk = AudioChunk(samples=samples, t0=chunks[0].t0, sample_rate=chunks[0].sample_rate)
        backlog = time.monotonic() - batch[0][1]
        self.stats.max_backlog_s = max(self.stats.max_backlog_s, backlog)
        if self.shed_partials and hasattr(self._transcriber, "partials"):
            # Overload: this call's audio waits for the recognizer. Partial passes are shed
            # first, so finals (and the red flags they carry) stay timely; they come back
            # once the call has caught up.
            if backlog > self.shed_after_s and self._transcriber.partials:
                self._transcriber.partials = False
                self.stats.shed += 1
            elif backlog < self.shed_after_s / 3 and not self._transcriber.partials:
                self._transcriber.partials = True
        t0 = time.perf_counter()
        try:
            events = await self._guarded("recognizer", self._pools.recognizer,
                                         self._transcriber.feed, chunk)
        except StageFailure as exc:
            await self._fail(exc)
            return
        finally:
            self.stats.recognizer_busy_s += time.perf_counter() - t0
        self.stats.feeds += 1
        self.stats.audio_s += chunk.duration_s
        done_at = time.monotonic()
        self.stats.late_frames += sum(1 for _, arrived in batch
                                      if done_at - arrived > self.late_after_s)
        self._audio_pos = max(self._audio_pos, chunk.t1)
        self._ring.append(chunk)
        while self._ring and chunk.t1 - self._ring[0].t1 > 9.0:
            self._ring.popleft()
        await self._handle_asr(events)
        if not self.realtime:
            async with self._lock:
                await self._check_turn_deadline()
                await self._apply(self.policy.tick(self.now()))

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            async with self._lock:
                await self._check_turn_deadline()
                await self._apply(self.policy.tick(self.now()))

    async def _handle_asr(self, events: list[AsrEvent]) -> None:
        for event in events:
            async with self._lock:
                await self._handle_one(event)

    async def _handle_one(self, event: AsrEvent) -> None:
        if isinstance(event, SpeechStart):
            self._open_utterance = event.utterance_id
            self._emit("speech_start", {"utterance_id": event.utterance_id}, t=event.t)
            await self._barge_in(event.t)
        elif isinstance(event, SpeechEnd):
            self._speech_end[event.utterance_id] = event.t
            if self._open_utterance == event.utterance_id:
                self._open_utterance = None
            self._emit("speech_end", {"utterance_id": event.utterance_id,
                                      "detected_at": round(event.detected_at, 3)}, t=event.t)
        elif isinstance(event, TranscriptUpdate):
            await self._on_transcript(event)

    async def caller_started_speaking(self) -> None:
        """A transport-side VAD heard the caller (reacts before the recognizer's own VAD)."""
        async with self._lock:
            await self._barge_in(self.now())

    async def _barge_in(self, t: float) -> None:
        self.policy.on_speech_start(t)
        if self._agent_speaking_until > self.now() and not self.done:
            # Barge-in: the caller talks over the agent, the agent stops and listens.
            self._emit("barge_in", {})
            self._agent_speaking_until = -1.0
            if self._on_interrupt is not None:
                await self._on_interrupt()

    async def report_failure(self, stage: str, detail: str) -> None:
        """A transport-side stage (pipecat TTS service) raised or stalled."""
        async with self._lock:
            await self._fail(StageFailure(stage, detail))

    async def _on_transcript(self, update: TranscriptUpdate) -> None:
        kind = "transcript_final" if update.is_final else "transcript_partial"
        self._emit(kind, {"utterance_id": update.utterance_id, "text": update.text,
                          "confirmed": update.confirmed, "audio_t": round(update.emitted_at, 3)})
        if not update.is_final:
            action = self.policy.on_partial(update.text, self.now())
            if action.handoff is not None:
                await self._apply(action, utterance_id=update.utterance_id)
                return
        classification: Classification | None = None
        form: TriageForm | None = None
        if self._stream_cls is not None and self.failed_stage is None:
            try:
                classification = await self._guarded(
                    "classifier", self._pools.classifier, self._stream_cls.update,
                    update.text, t=update.emitted_at, final=update.is_final)
                if update.is_final:
                    form = await self._guarded("classifier", self._pools.classifier,
                                               self._stream_cls.form)
            except StageFailure as exc:
                await self._fail(exc)
                return
            self._record_classification(classification, update)
        if classification is not None and not self.done:
            action = self.policy.on_classification(classification, self.now())
            if action.handoff is not None:
                await self._apply(action, classification, form, update.utterance_id)
                return
        if update.is_final and not self.done:
            self._turn_parts.append(update.text)
            self._turn_cls, self._turn_form, self._turn_uid = classification, form, \
                update.utterance_id
            if await self._turn_complete(update):
                await self._end_turn()
            else:
                # Smart Turn hears an unfinished turn: wait for more speech, at most this long.
                self._turn_deadline = update.end + self.turn_max_wait_s
                self._emit("turn_wait", {"utterance_id": update.utterance_id})

    async def _turn_complete(self, update: TranscriptUpdate) -> bool:
        if self._turn_detector is None or not update.text.strip():
            return True
        audio = self._recent_audio(update.end)
        if len(audio) < 1600:
            return True
        try:
            p = await self._guarded("turn", self._pools.classifier,
                                    self._turn_detector.complete_probability, audio)
        except StageFailure:
            return True  # turn detection is a comfort, not a safety stage: answer now
        return bool(p >= 0.5)

    async def _end_turn(self) -> None:
        """The caller finished their turn: the dialogue answers it."""
        text = " ".join(p for p in self._turn_parts if p.strip())
        classification, form, uid = self._turn_cls, self._turn_form, self._turn_uid
        self._turn_parts = []
        self._turn_deadline = None
        if self.done:
            return
        action = self.policy.on_caller_turn(text, classification, form, self.now())
        asking_flag = any(u.kind == "confirm_flag" for u in action.say)
        if (action.handoff is None and not asking_flag and classification is not None
                and classification.urgency is not Urgency.EMERGENCY):
            # Urgent/routine turns go through the handoff policy too (priority queue,
            # dashboard), minus the suspected red flags the caller denied. A suspected flag
            # about to be asked is not sent yet: the agent asks rather than guesses. When
            # the policy hands the call over itself (doubt, after hours...), the agent
            # stops and tells the caller.
            decision = await self._hub_classification(
                self.policy.without_denied(classification), form)
            if decision is not None and getattr(decision, "is_handoff", False):
                await self._policy_handoff(decision, uid)
                return
        await self._apply(action, classification, form, uid)

    async def _check_turn_deadline(self) -> None:
        if self._turn_deadline is not None and self.now() >= self._turn_deadline \
                and self._open_utterance is None:
            await self._end_turn()

    def _recent_audio(self, end: float) -> npt.NDArray[np.float32]:
        """The caller's last 8 s of audio up to ``end`` (audio clock)."""
        if not self._ring:
            return np.zeros(0, np.float32)
        audio = np.concatenate([c.samples for c in self._ring])
        start = self._ring[0].t0
        stop = max(0, min(len(audio), int(round((end - start) * 16000))))
        return audio[max(0, stop - 8 * 16000):stop]

    def _record_classification(self, c: Classification, update: TranscriptUpdate) -> None:
        self.last_classification = c
        key = (c.urgency, tuple(h.category for h in c.red_flags),
               tuple(h.category for h in c.suspected), c.intent, update.is_final)
        if key == self._last_cls_key and not update.is_final:
            return  # unchanged partial classifications are not repeated in the timeline
        self._last_cls_key = key
        self._emit("classification", {
            "utterance_id": update.utterance_id, "final": update.is_final,
            "urgency": c.urgency.value, "intent": c.intent.value,
            "red_flags": [h.category.value for h in c.red_flags],
            "suspected": [h.category.value for h in c.suspected],
            "needs_review": c.needs_review, "latency_ms": round(c.latency_ms, 1),
        })

    async def _hub_classification(self, c: Classification, form: TriageForm | None) -> Any:
        decision = await _maybe_await(
            self._hub.record_classification(self.call_id, c, form, self.now()))
        if decision is not None:
            self.decision = decision
        return decision

    # -- actions -------------------------------------------------------------------------------

    async def _apply(self, action: DialogueAction, classification: Classification | None = None,
                     form: TriageForm | None = None, utterance_id: int | None = None) -> None:
        # The handoff goes first: it is the latency that matters; the caller hears the notice
        # while the transfer is under way.
        if action.handoff is not None:
            await self._handoff(action.handoff, classification, form, utterance_id)
        for utterance in action.say:
            if self.failed_stage is not None:
                break  # the failure's own transfer notice was the last thing to say
            await self._say(utterance)
        if action.end_call:
            self._emit("agent_hangup", {})

    async def _handoff(self, request: HandoffRequest, classification: Classification | None,
                       form: TriageForm | None, utterance_id: int | None) -> None:
        t = self.now()
        decision: Any = None
        if request.kind is HandoffKind.EMERGENCY:
            c = classification or self.last_classification
            if request.confirmed_flag is not None and c is not None:
                hit = replace(request.confirmed_flag, confirmed=True, t=t,
                              source=f"dialogue.confirmed:{request.confirmed_flag.source}")
                c = replace(c, urgency=Urgency.EMERGENCY, red_flags=(hit, *c.red_flags))
            if c is not None:
                try:
                    decision = await self._hub_classification(c, form)
                except Exception:  # noqa: BLE001 - never leave an emergency without a human
                    log.exception("handoff policy failed; falling back to a human")
                if form is None and self._stream_cls is not None:
                    # The form follows the handoff rather than delaying it.
                    task = asyncio.ensure_future(self._attach_form(c, t))
                    self._pending.add(task)
                    task.add_done_callback(self._pending.discard)
            if decision is None or not getattr(decision, "is_handoff", True):
                decision = await self._hand_to_human(request.reason, t)
        else:
            decision = await self._hand_to_human(request.reason, t)
        self.decision = decision or self.decision
        self.decisive_utterance = utterance_id if utterance_id is not None else (
            self._open_utterance if self._open_utterance is not None
            else max(self._speech_end, default=None))
        data: dict[str, Any] = {"kind": request.kind.value, "reason": request.reason,
                                "utterance_id": self.decisive_utterance}
        if decision is not None and hasattr(decision, "action"):
            data["action"] = getattr(decision.action, "value", str(decision.action))
            target = getattr(decision, "target", None)
            if target is not None:
                data["target"] = getattr(target, "name", str(target))
        self.handoff = self._emit("handoff", data, t=t)

    async def _attach_form(self, c: Classification, t: float) -> None:
        with contextlib.suppress(Exception):
            form = await self._guarded("classifier", self._pools.classifier,
                                       self._stream_cls.form)
            await _maybe_await(self._hub.record_classification(self.call_id, c, form, t))

    async def _policy_handoff(self, decision: Any, utterance_id: int | None) -> None:
        """The hub's handoff policy handed the call over on its own (e.g. in doubt)."""
        t = self.now()
        self.decision = decision
        self.decisive_utterance = utterance_id
        reasons = "; ".join(getattr(decision, "reasons", ()) or ("handoff policy",))
        action = self.policy.on_handoff_decided(reasons, t)
        self.handoff = self._emit("handoff", {
            "kind": "policy", "reason": reasons, "utterance_id": utterance_id,
            "action": getattr(decision.action, "value", str(decision.action)),
            "target": getattr(getattr(decision, "target", None), "name", None)}, t=t)
        for utterance in action.say:
            await self._say(utterance)

    async def _hand_to_human(self, reason: str, t: float) -> Any:
        try:
            return await _maybe_await(self._hub.hand_to_human(self.call_id, reason, t))
        except Exception:  # noqa: BLE001
            log.exception("hub.hand_to_human failed for call %s", self.call_id)
            return None

    async def _say(self, utterance: AgentUtterance) -> None:
        t = self.now()
        audio: SpeechAudio | None = None
        if self.failed_stage != "tts" and not self.external_tts:
            try:
                audio = await self._guarded("tts", self._pools.tts, self._synth.synthesize,
                                            utterance.text, self.language)
            except StageFailure as exc:
                await self._fail(exc)
                return
        self._emit("agent_say", {"text": utterance.text, "kind": utterance.kind,
                                 "interrupt": utterance.interrupt,
                                 "duration_s": round(audio.duration_s, 2) if audio else None}, t=t)
        if utterance.interrupt and self._on_interrupt is not None:
            await self._on_interrupt()
        # espeak speaks ~14 characters a second: the estimate when another service speaks.
        duration = audio.duration_s if audio else len(utterance.text) / 14.0
        self._agent_speaking_until = max(self._agent_speaking_until, t) + duration
        self.policy.on_agent_done_speaking(self._agent_speaking_until)
        if self._on_say is not None:
            await self._on_say(utterance, audio)

    async def _fail(self, exc: StageFailure) -> None:
        if self.failed_stage is not None:
            return
        self.failed_stage = exc.stage
        log.warning("call %s: %s -> tele-secretary", self.call_id, exc)
        self._emit("failure", {"stage": exc.stage, "detail": exc.detail})
        action = self.policy.on_failure(exc.stage, self.now())
        if action.handoff is not None:
            await self._handoff(action.handoff, None, None, None)
        for utterance in action.say:
            if exc.stage == "tts" or self.failed_stage == "tts":
                # TTS is the fault: play the notice synthesized at the start of the call.
                self._emit("agent_say", {"text": utterance.text, "kind": utterance.kind,
                                         "interrupt": True, "prerecorded": True})
                if self._on_interrupt is not None:
                    await self._on_interrupt()
                if self._on_say is not None:
                    await self._on_say(utterance, self._fallback_audio)
            else:
                await self._say(utterance)

    # -- timeline ------------------------------------------------------------------------------

    def _emit(self, type_: str, data: dict[str, Any], t: float | None = None) -> TimelineEvent:
        event = TimelineEvent(self.now() if t is None else t, type_, data)
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        if self.call_id and self._make_event is not None:
            try:
                hub_event = self._make_event(event.t, type_, dict(data))
                if hub_event is not None:
                    result = self._hub.record_event(self.call_id, hub_event)
                    if inspect.isawaitable(result):
                        # Tasks run in creation order, so the audit trail keeps event order.
                        task = asyncio.ensure_future(result)
                        self._pending.add(task)
                        task.add_done_callback(self._pending.discard)
            except Exception:  # noqa: BLE001 - the audit trail must not break the call
                log.exception("recording %s failed", type_)
        return event

    # -- results -------------------------------------------------------------------------------

    @property
    def handoff_latency_s(self) -> float | None:
        """Handoff time minus the end of the caller utterance that carried the decisive evidence
        (negative when a partial transcript triggered it before the caller stopped talking)."""
        if self.handoff is None or self.decisive_utterance is None:
            return None
        end = self._speech_end.get(self.decisive_utterance)
        if end is None:
            return None
        return round(self.handoff.t - end, 3)

    def timeline(self) -> dict[str, Any]:
        c = self.last_classification
        decision = self.decision
        action = None
        if decision is not None and hasattr(decision, "action"):
            action = getattr(decision.action, "value", str(decision.action))
        elif self.handoff is not None:
            action = "hand_to_human"
        elif self.policy.stage.value == "closed":
            action = "handled_by_agent"
        urgency = self.policy.urgency.value
        # Flags the handoff was decided on, then any heard after it (still relevant to the human).
        red_flags = [getattr(r, "value", str(r)) for r in getattr(decision, "red_flags", ())]
        red_flags += [h.category.value for h in (c.red_flags if c else ())]
        red_flags = list(dict.fromkeys(red_flags))
        return {
            "call_id": self.call_id,
            "events": [e.to_dict() for e in self.events],
            "decision": {"urgency": urgency, "red_flags": red_flags, "action": action,
                         "handed_off": self.handoff is not None,
                         "failed_stage": self.failed_stage},
            "handoff_latency_s": self.handoff_latency_s,
            "form": self.form_dict(),
        }

    def form_dict(self) -> dict[str, Any]:
        form: dict[str, Any] = {}
        if self._stream_cls is not None and self.failed_stage != "classifier":
            with contextlib.suppress(Exception):
                form = {k: v for k, v in self._stream_cls.form().to_dict().items()
                        if v not in (None, [], ())}
        collected = self.policy.collected
        form["dialogue"] = {"name": collected.name, "date_of_birth": collected.date_of_birth,
                            "callback_number": collected.callback_number,
                            "confirmed": collected.confirmed}
        return form
