"""Listening: the caller's audio through the streaming recognizer, one call at a time.

Audio is queued as it arrives and never blocks the transport. One task feeds the recognizer:
what queued up while the last pass ran is coalesced (at most ``max_feed_s`` per call, so one
call stays well inside the stall budget); when this call's audio waits longer than
``shed_after_s``, partial passes are shed so finals stay timely, and come back once it caught
up. Shedding changes when partials arrive, never what is decided: decisions are taken on finals
and on the audio clock (see ARCHITECTURE.md, "Same recording, same outcome").

``audio_t`` is the audio clock: the end of the audio the recognizer has processed. The last
9 s of audio are kept for the end-of-turn model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from asr.types import AsrEvent, AudioChunk
from pipeline.agent.guard import EngineFault, EnginePools, Watchdog
from pipeline.agent.ports import StreamingRecognizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListenOptions:
    max_feed_s: float = 0.5
    """Audio per recognizer call, at most (coalesced backlog is cut into such pieces)."""
    shed_partials: bool = True
    shed_after_s: float = 0.6
    """Backlog above which partial passes are shed (back under a third of it)."""
    late_after_s: float = 1.0
    """A frame recognized later than this after it arrived counts as late (stats)."""
    keep_audio_s: float = 9.0


@dataclass
class ListenStats:
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


EventsHandler = Callable[[list[AsrEvent]], Awaitable[None]]
FaultHandler = Callable[[EngineFault], Awaitable[None]]
Tick = Callable[[], Awaitable[None]]


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


class Listener:
    """Feeds one call's recognizer stream; hands its events, in audio order, to the session."""

    def __init__(self, transcriber: StreamingRecognizer | None, *, watchdog: Watchdog,
                 pools: EnginePools, options: ListenOptions, on_events: EventsHandler,
                 on_fault: FaultHandler, after_feed: Tick) -> None:
        self.transcriber = transcriber
        self.options = options
        self.stats = ListenStats()
        self.audio_t = 0.0
        self.active = transcriber is not None
        """False once the recognizer faulted or a human took the call: audio is dropped."""
        self._watchdog = watchdog
        self._pools = pools
        self._on_events = on_events
        self._on_fault = on_fault
        self._after_feed = after_feed
        self._queue: asyncio.Queue[tuple[AudioChunk, float] | None] = asyncio.Queue()
        self._ring: deque[AudioChunk] = deque()
        self._task: asyncio.Task[None] | None = None

    def start(self, name: str) -> None:
        self._task = asyncio.create_task(self._loop(), name=name)

    async def feed(self, chunk: AudioChunk) -> None:
        """Queue caller audio (on the call's audio clock); never blocks on the recognizer."""
        self.stats.frames_in += 1
        await self._queue.put((chunk, time.monotonic()))

    async def drain(self) -> None:
        """Wait until every queued chunk went through the recognizer."""
        await self._queue.join()

    async def close(self) -> None:
        """End of audio: flush the recognizer (its last final), stop the task."""
        await self._queue.put(None)
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    def stop(self) -> None:
        self.active = False

    @property
    def final_pending(self) -> bool:
        """An utterance ended and its final is still on its way: decisions wait for it, so a
        slow machine (a late final) gives the same turns as a fast one."""
        return self.transcriber is not None and self.transcriber.pending_finals > 0

    def recent_audio(self, end: float, seconds: float = 8.0) -> npt.NDArray[np.float32]:
        """The caller's last ``seconds`` of audio up to ``end`` (audio clock)."""
        if not self._ring:
            return np.zeros(0, np.float32)
        audio = np.concatenate([c.samples for c in self._ring])
        start = self._ring[0].t0
        stop = max(0, min(len(audio), int(round((end - start) * 16000))))
        return audio[max(0, stop - int(seconds * 16000)):stop]

    # -- the loop ------------------------------------------------------------------------------

    async def _loop(self) -> None:
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
                for piece in _pieces(batch, self.options.max_feed_s) if batch else []:
                    await self._feed(piece)
                if closing:
                    await self._flush()
            except Exception:  # noqa: BLE001 - a bug here must still give the caller a human
                log.exception("session listener error")
                await self._on_fault(EngineFault("session", "internal error"))
            finally:
                for _ in range(len(batch) + (1 if closing else 0)):
                    self._queue.task_done()

    async def _feed(self, batch: list[tuple[AudioChunk, float]]) -> None:
        transcriber = self.transcriber
        if transcriber is None or not self.active:
            return
        chunks = [c for c, _ in batch]
        samples = np.concatenate([c.samples for c in chunks]).astype(np.float32, copy=False)
        chunk = AudioChunk(samples=samples, t0=chunks[0].t0, sample_rate=chunks[0].sample_rate)
        backlog = time.monotonic() - batch[0][1]
        self.stats.max_backlog_s = max(self.stats.max_backlog_s, backlog)
        if self.options.shed_partials:
            # Overload: this call's audio waits for the recognizer. Partial passes are shed
            # first, so finals (and the red flags they carry) stay timely.
            if backlog > self.options.shed_after_s and transcriber.partials:
                transcriber.partials = False
                self.stats.shed += 1
            elif backlog < self.options.shed_after_s / 3 and not transcriber.partials:
                transcriber.partials = True
        t0 = time.perf_counter()
        try:
            events = await self._watchdog.run("recognizer", self._pools.recognizer,
                                              transcriber.feed, chunk)
        except EngineFault as exc:
            self.active = False
            await self._on_fault(exc)
            return
        finally:
            self.stats.recognizer_busy_s += time.perf_counter() - t0
        self.stats.feeds += 1
        self.stats.audio_s += chunk.duration_s
        done_at = time.monotonic()
        self.stats.late_frames += sum(1 for _, arrived in batch
                                      if done_at - arrived > self.options.late_after_s)
        self.audio_t = max(self.audio_t, chunk.t1)
        self._ring.append(chunk)
        while self._ring and chunk.t1 - self._ring[0].t1 > self.options.keep_audio_s:
            self._ring.popleft()
        await self._on_events(events)
        await self._after_feed()

    async def _flush(self) -> None:
        if self.transcriber is None or not self.active:
            return
        try:
            await self._flush_off_pool(self.transcriber)
        except EngineFault as exc:
            self.active = False
            await self._on_fault(exc)
            return

    async def _flush_off_pool(self, transcriber: StreamingRecognizer) -> None:
        """The end-of-call flush. Its last passes are awaited on the event loop, not in a
        recognizer pool thread: the pool (2 threads) feeds every call, and at 8 calls two
        flushes waiting for their finals held both threads, so the other calls' audio (and
        the closing partials that carry their red flags) waited behind them: handoffs ~18 s
        late (`bench calls`, load ~7). Each pass is handed on when done (a closing partial
        before its final). A fault when the engine runs nothing for the stall budget, or
        after ``queue_factor`` budgets in all (a busy engine is not a stalled one: at 8
        calls a last final can queue behind seven others); the passes still queued are then
        cancelled."""
        run = self._watchdog.run
        pool = self._pools.recognizer
        budget = self._watchdog.stall_timeout_s
        give_up = time.monotonic() + self._watchdog.queue_factor * budget
        events = await run("recognizer", pool, transcriber.flush, False)
        while True:
            await self._on_events(events)
            await self._after_feed()
            owed = [asyncio.wrap_future(f) for f in transcriber.pending_passes]
            if not owed:
                return
            progress = transcriber.engine_progress
            done, _ = await asyncio.wait(owed, timeout=max(0.0, min(
                budget, give_up - time.monotonic())), return_when=asyncio.FIRST_COMPLETED)
            if not done and (transcriber.engine_progress == progress
                             or time.monotonic() >= give_up):
                # Nobody listens after the fault: its queued passes must not hold up the
                # other calls (at 12-16 calls, faulted calls' finals queued on into the next).
                for f in transcriber.pending_passes:
                    f.cancel()
                raise EngineFault("recognizer", f"stalled for more than {budget} s (the "
                                  "call's last passes)")
            events = await run("recognizer", pool, transcriber.flush, False)
