"""``permanence bench calls``: the concurrency curve (1, 2, 4, 8, 12, 16 simultaneous calls).

Each level runs N red-flag file calls at real-time pace through one ``AgentRuntime`` (one
recognizer, its one batching engine) and reports what a practice would ask of the machine:
handoff latency p50/p95 after the end of the decisive utterance, final latency after end of
speech, partial gaps during speech, late frames, partials shed (by the recognizer's engine and
by the sessions), CPU and RSS. Kept apart from ``pipeline.agent_cli`` so the agent's command
module stays small.
"""

from __future__ import annotations

import asyncio
import math
import random
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.events import CallEvent

CURVE_LEVELS = (1, 2, 4, 8, 12, 16)


@dataclass(frozen=True)
class CallResult:
    handoff_latency_s: float | None
    handed_off: bool
    failed_stage: str | None
    late_frames: int
    frames: int
    session_shed: int
    partial_gaps_s: tuple[float, ...]
    final_latencies_s: tuple[float, ...]
    decisive_utterance: int | None = None


def _pct(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(np.asarray(values, dtype=np.float64), p)), 3)


def _timeline_figures(events: Sequence[CallEvent]
                      ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Partial gaps (speech start -> partial -> ... -> end of speech, per utterance) and
    final latencies (final shown - end of speech), on the call's real-time clock."""
    marks: dict[int, list[float]] = {}
    ends: dict[int, float] = {}
    finals: dict[int, float] = {}
    for e in events:
        uid = getattr(e, "utterance_id", None)
        if uid is None:
            continue
        if e.type == "speech_start" or e.type == "transcript_partial":
            marks.setdefault(uid, []).append(e.t)
        elif e.type == "speech_end":
            ends[uid] = e.t
        elif e.type == "transcript_final":
            finals.setdefault(uid, e.t)
    gaps: list[float] = []
    for uid, m in marks.items():
        seq = sorted(m) + ([ends[uid]] if uid in ends else [])
        gaps += [b - a for a, b in zip(seq, seq[1:], strict=False) if b >= a]
    latencies = tuple(finals[u] - ends[u] for u in finals if u in ends)
    return tuple(gaps), latencies


async def _one(runtime: Any, audio: npt.NDArray[np.float32], seed: int) -> CallResult:
    from pipeline.agent.filecall import stream_samples

    await asyncio.sleep(random.Random(seed).uniform(0.0, 1.0))  # calls do not start in step
    session = runtime.session(channel="bench", language="fr", realtime=True)
    await session.start()
    await stream_samples(session, audio, realtime=True)
    gaps, finals = _timeline_figures(session.report().events)
    handoff = session.handoff
    return CallResult(session.handoff_latency_s, handoff is not None,
                      session.fault.component if session.fault else None,
                      session.stats.late_frames, session.stats.frames_in, session.stats.shed,
                      gaps, finals, handoff.utterance_id if handoff else None)


async def _level(runtime: Any, audios: Sequence[npt.NDArray[np.float32]], n: int,
                 samples: int) -> dict[str, Any]:
    import os

    import psutil

    proc = psutil.Process()
    engine = getattr(runtime.recognizer, "engine", None)
    if engine is not None:
        engine.reset_stats()
    waves = max(1, math.ceil(samples / n))
    results: list[CallResult] = []
    load_before = os.getloadavg()[0]
    cpu0, wall0 = proc.cpu_times(), time.monotonic()
    peak_rss = proc.memory_info().rss
    call_audio_s = 0.0
    for w in range(waves):
        picked = [audios[(w * n + i) % len(audios)] for i in range(n)]
        call_audio_s += sum(len(a) for a in picked) / 16000
        task = asyncio.gather(*(_one(runtime, audio, w * n + i)
                                for i, audio in enumerate(picked)))
        while not task.done():
            await asyncio.wait({task}, timeout=0.5)
            peak_rss = max(peak_rss, proc.memory_info().rss)
        results += task.result()
    cpu1, wall = proc.cpu_times(), time.monotonic() - wall0
    lat = [r.handoff_latency_s for r in results if r.handoff_latency_s is not None]
    gaps = [g for r in results for g in r.partial_gaps_s]
    finals = [f for r in results for f in r.final_latencies_s]
    stats = engine.stats if engine is not None else None
    cpu_s = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    busy_per_pass = {k: round(v / max(1, stats.by_kind.get(k, 1)), 3)
                     for k, v in stats.busy_s_by_kind.items()} if stats is not None else None
    return {
        "concurrency": n, "calls": len(results),
        "handed_off": sum(r.handed_off for r in results),
        "failed_over": sum(r.failed_stage is not None for r in results),
        "handoff_latency_p50_s": _pct(lat, 50), "handoff_latency_p95_s": _pct(lat, 95),
        "handoff_latency_max_s": _pct(lat, 100),
        "final_latency_p95_s": _pct(finals, 95),
        "partial_gap_p50_s": _pct(gaps, 50), "partial_gap_p95_s": _pct(gaps, 95),
        "partial_gap_max_s": _pct(gaps, 100),
        "late_frames": sum(r.late_frames for r in results),
        "frames": sum(r.frames for r in results),
        "partials_shed_engine": stats.shed_partials if stats is not None else None,
        "partials_shed_session": sum(r.session_shed for r in results),
        "finals_decoded": stats.finals if stats is not None else None,
        "engine_max_batch": stats.max_batch if stats is not None else None,
        "engine_max_final_wait_s": round(stats.max_final_wait_s, 3) if stats else None,
        "cpu_percent": round(100 * cpu_s / wall, 1),
        # Wall-clock latencies on a shared box say more about the neighbours than about us;
        # CPU-seconds per second of call audio is what tells whether N calls fit in 2 cores
        # (they fit while it stays under 2 / N), so it is printed with the load it ran under.
        "cpu_s": round(cpu_s, 2), "call_audio_s": round(call_audio_s, 1),
        "cpu_s_per_call_audio_s": round(cpu_s / max(1e-9, call_audio_s), 3),
        "engine_busy_s_per_pass_by_kind": busy_per_pass,
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "rss_peak_mb": round(peak_rss / 2**20, 1),
    }


def run_calls_curve(runtime: Any, audios: Sequence[npt.NDArray[np.float32]], *,
                    max_concurrency: int, samples: int = 4,
                    late_audios: Sequence[npt.NDArray[np.float32]] = (),
                    on_level: Any = None) -> dict[str, Any]:
    """The curve up to ``max_concurrency`` (levels of :data:`CURVE_LEVELS`, plus the maximum),
    as one JSON-able report; ``on_level(dict)`` sees each level as it completes."""
    import os

    import psutil

    levels = sorted({n for n in CURVE_LEVELS if n <= max_concurrency} | {max_concurrency})
    load_before = os.getloadavg()[0]

    async def late() -> dict[str, Any] | None:
        # Calls whose red flag comes only in the second utterance, one at a time.
        if not late_audios:
            return None
        calls = [await _one(runtime, audio, i) for i, audio in enumerate(late_audios)]
        lat = [r.handoff_latency_s for r in calls if r.handoff_latency_s is not None]
        return {"calls": len(calls),
                "handed_off_on_second_utterance": sum(
                    r.handed_off and (r.decisive_utterance or 0) >= 2 for r in calls),
                "handoff_latency_p50_s": _pct(lat, 50), "handoff_latency_max_s": _pct(lat, 100),
                "failed_over": sum(r.failed_stage is not None for r in calls)}

    async def main() -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        out = []
        for n in levels:
            out.append(await _level(runtime, audios, n, samples))
            if on_level is not None:
                on_level(out[-1])
        late_flags = await late()
        await runtime.hub.close()
        return out, late_flags

    results, late_flags = asyncio.run(main())
    ok = [r["concurrency"] for r in results
          if r["handoff_latency_p95_s"] is not None and r["handoff_latency_p95_s"] <= 1.0
          and r["handed_off"] == r["calls"]]
    return {
        "benchmark": "calls",
        "note": "real-time pace; latency = handoff time - end of the decisive utterance "
                "(negative: flagged from a partial before the caller stopped talking); a load "
                "average above cpu_count means other work shared the CPU (figures inflated)",
        "targets": {"handoff_latency_p95_s_at_8": 1.0, "final_latency_p95_s": 1.0,
                    "partial_gap_max_s": 1.2, "rss_peak_mb_at_8": 2048},
        "cpu_count": psutil.cpu_count(),
        "load_average_1m": {"before": round(load_before, 2),
                            "after": round(os.getloadavg()[0], 2)},
        "levels": results,
        "max_concurrency_p95_under_1s": max(ok) if ok else 0,
        "late_red_flag_calls": late_flags,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
