"""The shared inference scheduler on its own (no model): order, batching, shedding."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pytest

from asr.scheduler import InferenceScheduler, Lane, PassKind, PassShed


@dataclass(frozen=True)
class Job:
    name: str
    kind: PassKind
    group: Hashable = "g"
    window_s: float = 5.0


class Recorder:
    """``run_batch`` that records batches; the first batch blocks until released, so the
    test can queue work behind it."""

    def __init__(self, fail: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, jobs: Sequence[Job]) -> list[str]:
        if not self.batches:
            self.release.wait(5.0)
        self.batches.append([j.name for j in jobs])
        if self.fail is not None and any(j.name == self.fail for j in jobs):
            raise RuntimeError("model fault")
        return [j.name.upper() for j in jobs]


def _blocked() -> tuple[Recorder, InferenceScheduler[Job, str]]:
    rec = Recorder()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(rec, max_batch=3,
                                                              max_partial_wait_s=60.0)
    sched.submit(Job("warm", PassKind.RECORDING))
    deadline = time.monotonic() + 5
    while sched.pending() and time.monotonic() < deadline:  # the worker took "warm"
        time.sleep(0.01)
    return rec, sched


def test_urgent_partials_first_then_finals_then_partials_in_batches() -> None:
    rec, sched = _blocked()
    futures = [sched.submit(Job(n, k)) for n, k in (
        ("p1", PassKind.PARTIAL), ("rec", PassKind.RECORDING), ("p2", PassKind.PARTIAL),
        ("u1", PassKind.URGENT_PARTIAL), ("f1", PassKind.FINAL), ("f2", PassKind.FINAL))]
    rec.release.set()
    assert [f.result(5) for f in futures] == ["P1", "REC", "P2", "U1", "F1", "F2"]
    sched.close()
    # max_batch 3: the urgent partial (a suspected red flag), the two finals, then the
    # oldest partials...
    assert rec.batches[1:] == [["u1", "f1", "f2"], ["p1", "p2", "rec"]]


def test_a_red_flag_partial_never_waits_behind_queued_finals() -> None:
    rec, sched = _blocked()
    futures = [sched.submit(Job(n, k, group=n[0])) for n, k in (
        ("f1", PassKind.FINAL), ("f2", PassKind.FINAL), ("p1", PassKind.PARTIAL),
        ("u1", PassKind.URGENT_PARTIAL), ("c1", PassKind.CLOSING_PARTIAL))]
    rec.release.set()
    for f in futures:
        f.result(5)
    sched.close()
    assert rec.batches[1:3] == [["c1"], ["u1"]]


def test_closing_partials_run_before_finals() -> None:
    rec, sched = _blocked()
    futures = [sched.submit(Job(n, k, group=n[0])) for n, k in (
        ("p1", PassKind.PARTIAL), ("f1", PassKind.FINAL), ("c1", PassKind.CLOSING_PARTIAL))]
    rec.release.set()
    assert [f.result(5) for f in futures] == ["P1", "F1", "C1"]
    sched.close()
    assert rec.batches[1:] == [["c1"], ["f1"], ["p1"]]


def test_live_batches_are_kept_short_recordings_batch_widely() -> None:
    """A running batch cannot be interrupted: a final waits for at most one short partial
    batch, a red-flag partial for at most one final; a recording's segments batch widely."""
    rec = Recorder()
    rec.release.set()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(
        rec, max_batch=8, max_batch_window_s=90.0, max_partial_batch_window_s=15.0,
        max_final_batch_window_s=15.0, max_partial_wait_s=60.0)
    futures = sched.submit_many(  # queued together, before the worker looks
        [Job(f"p{i}", PassKind.PARTIAL, group="p") for i in range(6)]
        + [Job(f"f{i}", PassKind.FINAL, group="f", window_s=15.0) for i in range(3)]
        + [Job(f"r{i}", PassKind.RECORDING, group="r", window_s=15.0) for i in range(6)])
    for f in futures:
        f.result(5)
    sched.close()
    assert rec.batches == [["f0"], ["f1"], ["f2"], ["p0", "p1", "p2"], ["p3", "p4", "p5"],
                           [f"r{i}" for i in range(6)]]


def test_only_passes_of_one_group_share_a_batch() -> None:
    rec, sched = _blocked()
    futures = [sched.submit(Job("a1", PassKind.FINAL, group="a")),
               sched.submit(Job("b1", PassKind.FINAL, group="b")),
               sched.submit(Job("a2", PassKind.FINAL, group="a"))]
    rec.release.set()
    assert [f.result(5) for f in futures] == ["A1", "B1", "A2"]
    sched.close()
    assert rec.batches[1:] == [["a1", "a2"], ["b1"]]


def test_a_batch_is_bounded_by_its_summed_windows() -> None:
    rec = Recorder()
    rec.release.set()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(rec, max_batch=8,
                                                              max_batch_window_s=20.0)
    with sched._cond:  # queue everything before the worker looks
        futures = [sched.submit(Job(f"f{i}", PassKind.FINAL, window_s=15.0)) for i in range(3)]
    assert [f.result(5) for f in futures] == ["F0", "F1", "F2"]
    sched.close()
    assert all(len(b) == 1 for b in rec.batches)


def test_overload_sheds_stale_partials_never_finals_urgent_closing_or_recordings() -> None:
    rec = Recorder()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(rec, max_batch=8,
                                                              max_partial_wait_s=0.05)
    sched.submit(Job("warm", PassKind.RECORDING))
    time.sleep(0.1)
    kinds = [PassKind.PARTIAL, PassKind.FINAL, PassKind.URGENT_PARTIAL, PassKind.RECORDING,
             PassKind.CLOSING_PARTIAL] * 3
    futures = [(k, sched.submit(Job(f"{k.name}{i}", k, group=i % 2)))
               for i, k in enumerate(kinds)]
    time.sleep(0.2)  # every partial is now older than max_partial_wait_s
    rec.release.set()
    for kind, fut in futures:
        if kind is PassKind.PARTIAL:
            with pytest.raises(PassShed):
                fut.result(5)
        else:
            assert fut.result(5)
    assert sched.stats.shed_partials == 3
    assert sched.stats.finals == 3
    sched.close()


def test_a_failing_batch_reaches_its_callers_and_the_engine_goes_on() -> None:
    rec = Recorder(fail="bad")
    rec.release.set()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(rec)
    with pytest.raises(RuntimeError, match="model fault"):
        sched.run(Job("bad", PassKind.FINAL))
    assert sched.run(Job("good", PassKind.FINAL)) == "GOOD"
    sched.close()
    with pytest.raises(RuntimeError, match="closed"):
        sched.submit(Job("late", PassKind.FINAL))


def test_close_waits_for_the_running_batch_and_fails_the_queued_passes() -> None:
    # A process must not exit while the worker is inside the model (native threads abort it),
    # nor wait for a whole queue of passes nobody will read.
    rec, sched = _blocked()
    queued = sched.submit(Job("p1", PassKind.PARTIAL))
    closer = threading.Thread(target=sched.close)
    closer.start()
    time.sleep(0.05)
    assert closer.is_alive()  # still inside the running batch ("warm")
    rec.release.set()
    closer.join(5)
    assert not closer.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        queued.result(1)
    assert rec.batches == [["warm"]]


def test_a_partials_lane_runs_the_red_flag_path_beside_a_running_final() -> None:
    """The main worker is inside a final: a closing partial queued now runs on the partials'
    lane at once, instead of waiting for that final; the lane never takes a final."""
    main = Recorder()
    lane = Recorder()
    lane.release.set()
    sched: InferenceScheduler[Job, str] = InferenceScheduler(
        main, max_partial_wait_s=60.0,
        lanes=[Lane(lane, frozenset(k for k in PassKind if k.partial), "lane")])
    final = sched.submit(Job("f1", PassKind.FINAL))
    deadline = time.monotonic() + 5
    while sched.pending() and time.monotonic() < deadline:  # main took f1 and is blocked
        time.sleep(0.01)
    later = sched.submit(Job("f2", PassKind.FINAL))
    closing = sched.submit(Job("c1", PassKind.CLOSING_PARTIAL))
    assert closing.result(5) == "C1"
    assert not final.done() and not later.done()  # f2 waits for the main worker
    main.release.set()
    assert (final.result(5), later.result(5)) == ("F1", "F2")
    sched.close()
    assert lane.batches == [["c1"]]
    assert main.batches == [["f1"], ["f2"]]



def test_two_workers_run_two_passes_side_by_side() -> None:
    """Two workers on one queue (``RecognizerConfig.workers``): two finals queued together
    run at the same time, one on each worker; with one worker, they cannot meet."""
    for workers, expected in ((2, ["F1", "F2"]), (1, None)):
        # Generous, so a busy machine's thread start-up never breaks the two-worker case;
        # the one-worker case waits it out once.
        meet = threading.Barrier(2, timeout=3.0)
        ran: list[str] = []

        def run(jobs: Sequence[Job], meet: threading.Barrier = meet,
                ran: list[str] = ran) -> list[str]:
            ran.append(threading.current_thread().name)
            meet.wait()  # both passes inside a worker at once, or BrokenBarrierError
            return [j.name.upper() for j in jobs]

        lanes = [Lane(run, frozenset(PassKind), "worker-2")] if workers == 2 else []
        # One final per batch, as the recognizer's (``max_final_batch_window_s``).
        sched: InferenceScheduler[Job, str] = InferenceScheduler(
            run, max_partial_wait_s=60.0, max_final_batch_window_s=5.0, lanes=lanes)
        futures = sched.submit_many([Job("f1", PassKind.FINAL), Job("f2", PassKind.FINAL)])
        if expected is None:
            with pytest.raises(threading.BrokenBarrierError):
                futures[0].result(5)
        else:
            assert [f.result(5) for f in futures] == expected
            assert sorted(ran) == ["asr-engine", "worker-2"]
        sched.close()


@pytest.mark.parametrize("field", ["workers", "cpu_threads"])
def test_the_recognizer_refuses_zero_workers_or_threads(field: str) -> None:
    from asr import RecognizerConfig

    with pytest.raises(ValueError, match=f"RecognizerConfig.{field} must be a whole number"):
        RecognizerConfig(**{field: 0})  # type: ignore[arg-type]
