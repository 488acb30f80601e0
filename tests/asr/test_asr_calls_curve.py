"""The figures of ``permanence bench calls`` (pipeline/commands/calls_bench.py), from a
scripted timeline: no engines, so the arithmetic is checked exactly."""

from __future__ import annotations

from pipeline.commands.calls_bench import CURVE_LEVELS, _pct, _timeline_figures
from pipeline.events import (
    CallStarted,
    SpeechEnded,
    SpeechStarted,
    TranscriptFinal,
    TranscriptPartial,
)


def test_partial_gaps_and_final_latency_per_utterance() -> None:
    events = [
        CallStarted(0.0, "bench", "fr"),
        SpeechStarted(1.0, 1),
        TranscriptPartial(2.1, 1, "mon"),
        TranscriptPartial(3.0, 1, "mon mari"),
        SpeechEnded(3.5, 1, detected_at=3.5),
        TranscriptFinal(4.2, 1, "mon mari a mal"),
        SpeechStarted(6.0, 2),
        SpeechEnded(7.0, 2, detected_at=7.0),
        TranscriptFinal(7.5, 2, "oui"),
    ]
    gaps, finals = _timeline_figures(events)
    assert [round(g, 3) for g in gaps] == [1.1, 0.9, 0.5, 1.0]
    assert [round(f, 3) for f in finals] == [0.7, 0.5]


def test_curve_levels_and_percentiles() -> None:
    assert CURVE_LEVELS == (1, 2, 4, 8, 12, 16)
    assert _pct([], 95) is None
    assert _pct([1.0, 2.0, 3.0], 50) == 2.0
