"""The figures of ``permanence bench calls`` (pipeline/commands/calls_bench.py), from a
scripted timeline: no engines, so the arithmetic is checked exactly."""

from __future__ import annotations

from pipeline.agent.session import TimelineEvent
from pipeline.commands.calls_bench import CURVE_LEVELS, _pct, _timeline_figures


def test_partial_gaps_and_final_latency_per_utterance() -> None:
    events = [
        TimelineEvent(0.0, "call_start", {}),
        TimelineEvent(1.0, "speech_start", {"utterance_id": 1}),
        TimelineEvent(2.1, "transcript_partial", {"utterance_id": 1}),
        TimelineEvent(3.0, "transcript_partial", {"utterance_id": 1}),
        TimelineEvent(3.5, "speech_end", {"utterance_id": 1}),
        TimelineEvent(4.2, "transcript_final", {"utterance_id": 1}),
        TimelineEvent(6.0, "speech_start", {"utterance_id": 2}),
        TimelineEvent(7.0, "speech_end", {"utterance_id": 2}),
        TimelineEvent(7.5, "transcript_final", {"utterance_id": 2}),
    ]
    gaps, finals = _timeline_figures(events)
    assert [round(g, 3) for g in gaps] == [1.1, 0.9, 0.5, 1.0]
    assert [round(f, 3) for f in finals] == [0.7, 0.5]


def test_curve_levels_and_percentiles() -> None:
    assert CURVE_LEVELS == (1, 2, 4, 8, 12, 16)
    assert _pct([], 95) is None
    assert _pct([1.0, 2.0, 3.0], 50) == 2.0
