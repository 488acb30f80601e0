"""Paired comparison of two configurations on the same set (McNemar on emergency detection)."""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any

from eval.types import EvalReport, ItemResult


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: binomial test of b discordant pairs out of b + c at 1/2."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class ChangedItem:
    id: str
    gold_emergency: bool | None
    a: ItemResult
    b: ItemResult

    @property
    def verdict(self) -> str:
        """``fixed``/``broken`` on emergency detection, else ``changed``."""
        g = self.gold_emergency
        if g is not None and self.a.predicted_emergency != self.b.predicted_emergency:
            return "fixed" if self.b.predicted_emergency == g else "broken"
        return "changed"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "verdict": self.verdict,
                "gold": self.a.to_dict()["gold"],
                "a": {"urgency": self.a.urgency.value, "intent": self.a.intent.value,
                      "emergency_score": self.a.emergency_score},
                "b": {"urgency": self.b.urgency.value, "intent": self.b.intent.value,
                      "emergency_score": self.b.emergency_score}}


@dataclass(frozen=True)
class Comparison:
    n_paired: int
    """Items with a binary gold label, in both runs."""
    a_only_correct: int
    """Emergency detection right with A, wrong with B (McNemar's b)."""
    b_only_correct: int
    p_value: float
    a: EvalReport
    b: EvalReport
    changed: tuple[ChangedItem, ...]
    """Items whose predicted urgency or intent differs between A and B."""

    def to_dict(self) -> dict[str, Any]:
        def side(r: EvalReport) -> dict[str, Any]:
            s = r.summary()
            return {"recall": s["emergency"]["recall"],
                    "false_alarm_rate": s["emergency"]["false_alarm_rate"],
                    "specificity": s["emergency"]["specificity"],
                    "under_triage_rate": s["urgency"]["under_triage_rate"],
                    "intent_accuracy": s["intent"]["accuracy"],
                    "config": r.meta.get("config"), "model_versions": list(r.model_versions)}

        return {"n": self.a.n, "n_paired": self.n_paired, "a": side(self.a), "b": side(self.b),
                "mcnemar": {"a_only_correct": self.a_only_correct,
                            "b_only_correct": self.b_only_correct, "p_value": self.p_value},
                "changed": [c.to_dict() for c in self.changed]}


def compare_reports(a: EvalReport, b: EvalReport) -> Comparison:
    by_id = {r.id: r for r in b.results}
    if set(by_id) != {r.id for r in a.results}:
        raise ValueError("the two reports are not on the same items")
    a_only = b_only = paired = 0
    changed = []
    for ra in a.results:
        rb = by_id[ra.id]
        gold = ra.gold.is_emergency
        if gold is not None:
            paired += 1
            ok_a = ra.predicted_emergency == gold
            ok_b = rb.predicted_emergency == gold
            a_only += ok_a and not ok_b
            b_only += ok_b and not ok_a
        if ra.urgency != rb.urgency or ra.intent != rb.intent:
            changed.append(ChangedItem(id=ra.id, gold_emergency=gold, a=ra, b=rb))
    return Comparison(n_paired=paired, a_only_correct=a_only, b_only_correct=b_only,
                      p_value=mcnemar_exact(a_only, b_only), a=a, b=b, changed=tuple(changed))
