"""The promotion gate: block a model or protocol change that misses emergencies."""

from __future__ import annotations

from dataclasses import dataclass

from eval.config import GateConfig
from eval.types import EvalReport


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: tuple[str, ...]
    """Why it failed (empty when it passed)."""

    def __str__(self) -> str:
        if self.passed:
            return "gate passed"
        return "gate FAILED:\n" + "\n".join(f"  - {r}" for r in self.reasons)


def check_gate(report: EvalReport, gate: GateConfig | None = None) -> GateResult:
    """Fails when emergency recall is below ``gate.min_recall`` (or cannot be measured: a set
    without gold emergencies proves nothing), or when a critical category has any miss."""
    gate = gate or GateConfig()
    reasons: list[str] = []
    recall = report.emergency.recall
    if recall.value is None:
        reasons.append("no gold emergencies in the set: emergency recall cannot be measured")
    elif recall.value < gate.min_recall:
        reasons.append(f"emergency recall {recall.value:.4f} ({recall.k}/{recall.n}) is below "
                       f"the threshold {gate.min_recall:.4f}")
    critical = set(gate.critical)
    missed: dict[str, list[str]] = {}
    for r in report.results:
        flag = r.gold.red_flag
        if r.gold.is_emergency and flag is not None and flag.value in critical \
                and not r.predicted_emergency:
            missed.setdefault(flag.value, []).append(r.id)
    for category in sorted(missed):
        ids = missed[category]
        n = report.emergency.per_red_flag[category].n
        reasons.append(f"critical category {category}: {len(ids)} of {n} missed "
                       f"({', '.join(ids)})")
    return GateResult(passed=not reasons, reasons=tuple(reasons))
