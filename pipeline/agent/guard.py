"""Engine calls off the event loop, under a stall watchdog.

Every blocking engine call of a session (recognizer feed/flush, classifier update/form, TTS,
Smart Turn) goes through ``Watchdog.run``: it runs in the engine's shared thread pool and
raises ``EngineFault`` naming the component when the call raises or runs longer than the stall
timeout (2 s). Time waiting in the pool's queue does not count (up to 5x the timeout), so a busy
machine is not mistaken for a stall.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


class EngineFault(RuntimeError):
    """A component raised or stalled; ``component`` says which (recognizer, classifier, tts,
    turn, session), ``detail`` how (never the caller's words)."""

    def __init__(self, component: str, detail: str) -> None:
        super().__init__(f"{component}: {detail}")
        self.component = component
        self.detail = detail


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


@dataclass(frozen=True)
class Watchdog:
    stall_timeout_s: float = 2.0
    queue_factor: float = 5.0
    """A call still queued after this many stall timeouts: no engine capacity, a fault."""
    poll_s: float = 0.05

    async def run(self, component: str, pool: ThreadPoolExecutor, fn: Callable[..., T],
                  *args: object, **kwargs: object) -> T:
        started: list[float] = []

        def call() -> T:
            started.append(time.monotonic())
            return fn(*args, **kwargs)

        loop = asyncio.get_running_loop()
        submitted = time.monotonic()
        future = loop.run_in_executor(pool, call)
        while True:
            done, _ = await asyncio.wait({future}, timeout=self.poll_s)
            if done:
                try:
                    return future.result()
                except EngineFault:
                    raise
                except Exception as exc:  # noqa: BLE001 - every engine error is a fault
                    raise EngineFault(component, f"raised {type(exc).__name__}: {exc}") from exc
            now = time.monotonic()
            if started and now - started[0] > self.stall_timeout_s:
                if future.done():
                    continue  # finished while the loop was busy: not a stall
                future.cancel()
                raise EngineFault(component, f"stalled for more than {self.stall_timeout_s} s "
                                  f"(queued {started[0] - submitted:.2f} s)")
            if not started and now - submitted > self.queue_factor * self.stall_timeout_s:
                future.cancel()
                raise EngineFault(component, "no engine capacity (queued too long)")
