"""Fixtures of the eval area: hand-made item results (for metric checks against hand-computed
values) and the small committed sets under ``tests/eval/data``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from eval.dataset import Gold
from eval.types import Hit, ItemResult

DATA = Path(__file__).parent / "data"


def make_result(id: str, *, gold_urgency: str | None = None, pred: str = "routine",
                escore: float = 0.0, gold_flag: str | None = None, hits: tuple[str, ...] = (),
                gold_intent: str | None = None, pred_intent: str = "other",
                language: str = "fr", kind: str = "text", latency_ms: float = 1.0,
                binary: bool | None = None, acceptable: tuple[str, ...] | None = None,
                **extra: Any) -> ItemResult:
    gold = Gold(
        urgency=Urgency(gold_urgency) if gold_urgency else None,
        intent=Intent(gold_intent) if gold_intent else None,
        red_flag=RedFlag(gold_flag) if gold_flag else None,
        urgency_binary=binary,
        urgency_acceptable=frozenset(Urgency(a) for a in acceptable) if acceptable else None,
    )
    rest = round(1.0 - escore, 6)
    return ItemResult(
        id=id, kind=kind, language=language, gold=gold, text=extra.pop("text", f"text of {id}"),
        urgency=Urgency(pred),
        urgency_scores={"emergency": escore, "urgent": rest / 2, "routine": rest / 2},
        intent=Intent(pred_intent), intent_scores={pred_intent: 1.0},
        red_flags=tuple(Hit(category=h, source=f"{h}.fr.rule", span=h) for h in hits),
        needs_review=False, model_version="test-1", latency_ms=latency_ms, **extra,
    )


@pytest.fixture(scope="session")
def mk() -> Callable[..., ItemResult]:
    return make_result


@pytest.fixture(scope="session")
def hand_results() -> list[ItemResult]:
    """Ten items whose every metric is computed by hand in test_eval_metrics.py."""
    m = make_result
    return [
        m("e1", gold_urgency="emergency", gold_flag="chest_pain", pred="emergency", escore=0.95,
          hits=("chest_pain",), gold_intent="symptom_report", pred_intent="symptom_report",
          latency_ms=10),
        m("e2", gold_urgency="emergency", gold_flag="stroke", pred="urgent", escore=0.41,
          gold_intent="symptom_report", pred_intent="symptom_report", latency_ms=20),
        m("e3", gold_urgency="emergency", gold_flag="chest_pain", pred="emergency", escore=0.85,
          hits=("breathing",), gold_intent="symptom_report", pred_intent="other",
          language="en", latency_ms=30),
        m("e4", gold_urgency="emergency", pred="routine", escore=0.12, language="en",
          kind="dialogue", pred_intent="symptom_report", latency_ms=40),
        m("u1", gold_urgency="urgent", pred="emergency", escore=0.72,
          gold_intent="symptom_report", pred_intent="symptom_report", latency_ms=50),
        m("u2", gold_urgency="urgent", pred="urgent", escore=0.33,
          gold_intent="prescription_renewal", pred_intent="prescription_renewal",
          latency_ms=60),
        m("u3", gold_urgency="urgent", pred="routine", escore=0.05,
          gold_intent="symptom_report", pred_intent="appointment_booking", latency_ms=70),
        m("r1", gold_urgency="routine", pred="routine", escore=0.02,
          gold_intent="appointment_booking", pred_intent="appointment_booking", latency_ms=80),
        m("r2", gold_urgency="routine", pred="emergency", escore=0.61,
          gold_intent="administrative", pred_intent="symptom_report", language="en",
          latency_ms=90),
        m("r3", gold_urgency="routine", pred="urgent", escore=0.22,
          gold_intent="appointment_booking", pred_intent="appointment_change", language="en",
          latency_ms=100),
    ]


@pytest.fixture()
def data_dir() -> Path:
    return DATA
