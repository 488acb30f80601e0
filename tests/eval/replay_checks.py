"""One check for the replay tests: the fast replay (heads on finals only, two processes) gives
what the word-by-word replay (heads on every word, one process) gives."""

from __future__ import annotations

import pytest

from eval.config import EvalConfig
from eval.dataset import Dataset
from eval.runner import evaluate
from eval.types import EvalReport


def assert_fast_replay_matches(dataset: Dataset) -> EvalReport:
    """Both replays of ``dataset`` flag at the same times with the same urgency, intent,
    red flags and emergency score; returns the fast one for the test's own checks."""
    slow = evaluate(dataset, config=EvalConfig(workers=1, model_on_partials=True),
                    progress=False)
    fast = evaluate(dataset, config=EvalConfig(workers=2, model_on_partials=False),
                    progress=False)
    assert [r.id for r in slow.results] == [r.id for r in fast.results]
    for a, b in zip(slow.results, fast.results, strict=True):
        assert a.time_to_flag_s == b.time_to_flag_s, a.id
        assert a.urgency == b.urgency, a.id
        assert a.intent == b.intent, a.id
        assert [(h.category, h.t, h.source) for h in a.red_flags] == \
            [(h.category, h.t, h.source) for h in b.red_flags], a.id
        assert a.emergency_score == pytest.approx(b.emergency_score), a.id
    return fast
