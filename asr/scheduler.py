"""One inference engine for every call: Whisper passes from all streams go through one queue,
are batched (CTranslate2 encodes and decodes a batch in one call) and run by the worker
threads that take from it.

Why one queue: each call's passes used to queue for the same cores on their own (handoff p95
7.4 s at 8 calls); one queue orders them (below) and batches compatible passes. Why several
1-thread workers rather than one worker using every core: a Whisper pass barely speeds up on a
second thread (its decoder steps are small), so two passes side by side on two cores finish in
about the time one takes (two 30 s windows of real French: 1.40 s on two 1-thread workers,
2.55 s on one 2-thread worker; see ``RecognizerConfig.workers``).

Order: closing partials (one fast pass over an utterance that just ended, see ``PassKind``),
then partials of a stream the caller marked urgent (a red flag is suspected, see
``StreamingTranscriber.prioritize``), finals (oldest first), ordinary partials, then
whole-recording segments. The red-flag path (what hands a call off) never queues behind
finals: a final is what the call keeps, but the handoff is decided on the partials.
A running batch cannot be interrupted, so batches of live passes are kept short: partials up
to ``max_partial_batch_window_s``, finals up to ``max_final_batch_window_s`` (one 30 s final
by default). Batching finals saves little: six 15 s finals cost 7.3 CPU-s batched, 1.42 alone
(~85 % of six alone); batched finals of 8 calls made every closing partial wait ~20 s behind
them (`bench calls`, 8 calls, load ~6).
Extra workers (:class:`Lane`, each with its own ``run_batch``) take passes from the same
queue, in its order: the recognizer's other workers take every kind (on its one model
instance, whose ``inter_threads`` run them side by side); its optional urgent lane
(``RecognizerConfig.urgent_lane_threads``, a model instance of its own, off by default: no
gain measured) takes partials, so the red-flag path does not wait for a running final.
Under overload only ordinary partials are shed (a partial that waited longer than
``max_partial_wait_s``: its stream submits fresh audio at its next cadence point); a final, a
closing or urgent partial or a recording segment is never shed.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger(__name__)


class PassKind(IntEnum):
    """What a pass is for; lower runs first."""

    CLOSING_PARTIAL = 0
    """The fast pass over a whole utterance, submitted with its final when the caller stops
    (``asr.streaming``): it gives the classifier every word said for about half the final's
    cost (greedy, short window), so a red flag said last hands the call off without waiting
    for a burst of beam-4 finals. First: it is small, one per utterance, and never shed."""
    URGENT_PARTIAL = 1
    """A partial of a stream marked urgent by its caller (e.g. a red flag is suspected):
    before finals, since it is what would hand the call off."""
    FINAL = 2
    PARTIAL = 3
    RECORDING = 4
    """A segment of a whole recording (``Recognizer.transcribe``)."""

    @property
    def sheddable(self) -> bool:
        return self is PassKind.PARTIAL

    @property
    def partial(self) -> bool:
        return self in (PassKind.CLOSING_PARTIAL, PassKind.URGENT_PARTIAL, PassKind.PARTIAL)


class PassShed(Exception):  # noqa: N818 - a result, not a bug
    """The scheduler dropped this partial under overload (never raised for a final)."""


class Schedulable(Protocol):
    """What the scheduler needs to know of a pass."""

    @property
    def kind(self) -> PassKind: ...

    @property
    def group(self) -> Hashable:
        """Passes with equal ``group`` can share a batch (same window, beam, prompt...)."""

    @property
    def window_s(self) -> float:
        """Encoder window of this pass (s): a batch costs about its summed windows."""


Q = TypeVar("Q", bound=Schedulable)
R = TypeVar("R")


@dataclass
class SchedulerStats:
    """Counters since start (or the last ``reset_stats``)."""

    passes: int = 0
    batches: int = 0
    shed_partials: int = 0
    finals: int = 0
    busy_s: float = 0.0
    max_batch: int = 0
    max_final_wait_s: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    wait_s_by_kind: dict[str, list[float]] = field(default_factory=dict)
    """Queue wait of each pass (submitted -> its batch started), per kind: with
    ``busy_s_by_kind`` it says whether a slow pass waited or computed."""
    busy_s_by_kind: dict[str, float] = field(default_factory=dict)
    """Wall time of the batches, per kind of their head pass."""


@dataclass(order=True)
class _Queued(Generic[Q, R]):
    sort_key: tuple[int, float, int]
    request: Q = field(compare=False)
    future: Future[R] = field(compare=False)
    submitted: float = field(compare=False)


@dataclass(frozen=True)
class Lane(Generic[Q, R]):
    """One more worker thread on the same queue, with its own ``run_batch`` (its own model
    instance and thread budget), taking only passes of ``kinds`` (in the queue's order).

    The recognizer's urgent lane (``RecognizerConfig.urgent_lane_threads``) takes partials
    only: a closing or urgent partial (the red-flag path) no longer waits for the running
    final, and at 8 calls the partials that hand calls off run beside the finals instead of
    after them.
    """

    run_batch: Callable[[Sequence[Q]], list[R]]
    kinds: frozenset[PassKind]
    name: str = "asr-lane"


_open_engines: weakref.WeakSet[InferenceScheduler[Any, Any]] = weakref.WeakSet()


@atexit.register
def _close_engines_at_exit() -> None:
    for engine in list(_open_engines):
        engine.close(timeout_s=30.0)


class InferenceScheduler(Generic[Q, R]):
    """Priority queue of passes run in batches by a main worker thread and its lanes.

    ``run_batch(requests) -> results`` does the actual work (one result per request, same
    order); it must give each request the result it would get alone, so batching never
    changes text (tested).
    """

    def __init__(self, run_batch: Callable[[Sequence[Q]], list[R]], *,
                 max_batch: int = 8, max_batch_window_s: float = 60.0,
                 max_partial_batch_window_s: float | None = None,
                 max_final_batch_window_s: float | None = None,
                 max_partial_wait_s: float = 1.0, name: str = "asr-engine",
                 lanes: Sequence[Lane[Q, R]] = ()) -> None:
        self._run_batch = run_batch
        self.max_batch = max_batch
        self.max_batch_window_s = max_batch_window_s
        """Sum of encoder windows in one batch (~0.04 CPU-s of encoder per window-second)."""
        self.max_partial_batch_window_s = max_partial_batch_window_s or max_batch_window_s
        """The same for batches of partials: a batch cannot be interrupted, so this bounds how
        long a final arriving just after a partial batch started waits for it."""
        self.max_final_batch_window_s = max_final_batch_window_s or max_batch_window_s
        """The same for batches of finals: bounds how long a closing or urgent partial (the
        red-flag path) waits behind a running batch of finals. Whole-recording segments
        batch up to ``max_batch_window_s``."""
        self.max_partial_wait_s = max_partial_wait_s
        self._queue: list[_Queued[Q, R]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._closed = False
        self.stats = SchedulerStats()
        self.completed = 0
        """Passes run since start (never reset): a waiter tells a busy engine from a stalled
        one by whether this moves."""
        workers = [Lane(run_batch, frozenset(PassKind), name), *lanes]
        self.lanes: tuple[Lane[Q, R], ...] = tuple(workers)
        """The main worker (every kind) first, then the extra lanes (see :class:`Lane`)."""
        self._threads = [threading.Thread(target=self._loop, args=(lane,), name=lane.name,
                                          daemon=True) for lane in workers]
        for t in self._threads:
            t.start()
        # Closed at interpreter exit, before native libraries unload (see close()); a final
        # pass takes ~1.4 CPU-s, several on a loaded machine: 30 s bounds the wait.
        _open_engines.add(self)

    # -- public ----------------------------------------------------------------------------
    def submit(self, request: Q) -> Future[R]:
        """Queue one pass; the future gets its result, or :class:`PassShed` for a shed
        partial, or the exception ``run_batch`` raised."""
        future: Future[R] = Future()
        now = time.monotonic()
        with self._cond:
            if self._closed:
                raise RuntimeError("the recognizer's inference engine is closed")
            self._queue.append(_Queued((int(request.kind), now, next(self._seq)), request,
                                       future, now))
            self._cond.notify_all()  # the lanes take different kinds: each looks
        return future

    def submit_many(self, requests: Sequence[Q]) -> list[Future[R]]:
        """Queue several passes at once, before the worker looks, so compatible ones share a
        batch (a whole recording's segments)."""
        with self._cond:
            return [self.submit(r) for r in requests]

    def run(self, request: Q) -> R:
        """Submit and wait (the calling thread only waits; the worker runs the pass)."""
        return self.submit(request).result()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def reset_stats(self) -> None:
        with self._cond:
            self.stats = SchedulerStats()

    def close(self, timeout_s: float = 5.0) -> None:
        """Refuse new passes, fail the queued ones, and wait for the running batch. A process
        must not exit while the worker is inside CTranslate2: the library's threads are torn
        down under it and the process aborts ("terminate called without an active
        exception", seen on a busy machine at the end of `permanence call`)."""
        with self._cond:
            self._closed = True
            queued, self._queue = self._queue, []
            self._cond.notify_all()
        for q in queued:
            if not q.future.done():
                q.future.set_exception(RuntimeError("the recognizer's inference engine is "
                                                    "closed"))
        deadline = time.monotonic() + timeout_s
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    # -- worker ----------------------------------------------------------------------------
    def _take(self, kinds: frozenset[PassKind] = frozenset(PassKind)) -> list[_Queued[Q, R]]:
        """The next batch (lock held): the most urgent pass of ``kinds`` plus compatible
        ones, in order."""
        now = time.monotonic()
        keep: list[_Queued[Q, R]] = []
        for q in self._queue:
            if q.future.cancelled():
                continue
            if q.request.kind.sheddable and now - q.submitted > self.max_partial_wait_s:
                self.stats.shed_partials += 1
                q.future.set_exception(PassShed("partial shed: the recognizer is overloaded"))
            else:
                keep.append(q)
        keep.sort()
        self._queue = keep
        mine = [q for q in keep if q.request.kind in kinds]
        if not mine:
            return []
        head = mine[0]
        batch = [head]
        window = head.request.window_s
        kind = head.request.kind
        limit = self.max_partial_batch_window_s if kind.partial else \
            self.max_final_batch_window_s if kind is PassKind.FINAL else self.max_batch_window_s
        for q in mine[1:]:
            if len(batch) >= self.max_batch:
                break
            if q.request.group != head.request.group:
                continue
            if window + q.request.window_s > limit:
                continue
            batch.append(q)
            window += q.request.window_s
        taken = {id(q) for q in batch}
        self._queue = [q for q in keep if id(q) not in taken]
        return batch

    def _loop(self, lane: Lane[Q, R]) -> None:
        while True:
            with self._cond:
                while not self._closed and not any(
                        q.request.kind in lane.kinds for q in self._queue):
                    self._cond.wait()
                if self._closed and not self._queue:
                    return
                batch = self._take(lane.kinds)
                if len(self._queue) and len(self.lanes) > 1:
                    self._cond.notify_all()  # what this lane left may be another lane's
            if not batch:
                if self._closed:
                    return
                continue
            started = time.monotonic()
            live = [q for q in batch if q.future.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                results = lane.run_batch([q.request for q in live])
            except BaseException as exc:  # noqa: BLE001 - handed to every waiting caller
                log.exception("recognizer batch of %d failed", len(live))
                for q in live:
                    q.future.set_exception(exc)
                continue
            busy = time.monotonic() - started
            with self._cond:
                self.completed += len(live)
                s = self.stats
                s.batches += 1
                s.passes += len(live)
                s.busy_s += busy
                s.max_batch = max(s.max_batch, len(live))
                head = live[0].request.kind.name
                s.busy_s_by_kind[head] = s.busy_s_by_kind.get(head, 0.0) + busy
                for q in live:
                    name = q.request.kind.name
                    s.by_kind[name] = s.by_kind.get(name, 0) + 1
                    s.wait_s_by_kind.setdefault(name, []).append(started - q.submitted)
                    if q.request.kind is PassKind.FINAL:
                        s.finals += 1
                        s.max_final_wait_s = max(s.max_final_wait_s, started - q.submitted)
            for q, r in zip(live, results, strict=True):
                q.future.set_result(r)
