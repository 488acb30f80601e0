"""Typed results of an evaluation: one `ItemResult` per item, the metric sections, `EvalReport`.

`EvalReport.summary()` is the stable, versioned ``summary.json`` (see ``eval/README.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from classifier.labels import Intent, Urgency
from classifier.types import source_is_model
from eval.dataset import Gold, ItemKind, SkippedLine

SUMMARY_SCHEMA = 1


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n``, with its Wilson 95% interval; ``value`` and ``ci`` are None when n == 0."""

    k: int
    n: int
    value: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class Hit:
    """A red-flag rule (or model) hit on the item, as the classifier explained it."""

    category: str
    source: str
    span: str | None
    confirmed: bool = True
    t: float | None = None


@dataclass(frozen=True)
class FlagMoment:
    """Where in a replayed dialogue the emergency was first raised."""

    t: float
    """Call-clock seconds (= ``ItemResult.time_to_flag_s``)."""
    turn: int
    """Caller turn (0-based, in time order) being heard."""
    word: int
    """Words of that turn heard when it was raised (1..``words``)."""
    words: int
    final: bool
    """Raised on the turn's whole utterance (its last update), where the heads may raise; a
    rule can raise on any word."""
    turn_start: float
    category: str | None
    """The category raised at that moment (the first, when several were)."""
    source: str | None
    """What raised it: a protocol rule id, ``model``, ``similarity+model``, ``answer:<rule id>``
    (a caller's yes/no read with the question before it)..."""

    @property
    def by(self) -> str:
        """``rule``, ``model``, ``similarity`` or ``answer`` (the kind of signal that raised the
        flag; ``answer``: a rule read on a short answer with its question)."""
        if self.source is None:
            return "unknown"
        if self.source.startswith("answer:"):
            return "answer"
        if self.source.startswith("similarity"):
            return "similarity"
        # "model:clause": the heads on a partial's completed clause (`StreamingClassifier`).
        return "model" if source_is_model(self.source) else "rule"


@dataclass(frozen=True)
class ItemResult:
    """What the system did with one item, next to its gold labels."""

    id: str
    kind: ItemKind
    language: str | None
    gold: Gold
    text: str
    """What the classifier read: the text, the audio's transcript, or the caller's turns."""
    urgency: Urgency
    urgency_scores: Mapping[str, float]
    intent: Intent
    intent_scores: Mapping[str, float]
    red_flags: tuple[Hit, ...]
    needs_review: bool
    model_version: str
    latency_ms: float
    """Text: the classify call. Audio: transcription + classification. Dialogue: mean of the
    streaming updates (each word of a caller turn is one update)."""
    reference: str | None = None
    """Audio items: the reference transcript."""
    triage_terms: tuple[str, ...] = ()
    """Audio items: the words the recognizer had to get right."""
    triage_terms_found: int = 0
    time_to_flag_s: float | None = None
    """Dialogue items: call-clock seconds at which the emergency was raised (None: never)."""
    suspected: tuple[Hit, ...] = ()
    flag: FlagMoment | None = None
    """Dialogue items: where the emergency was first raised (None: never)."""
    evidence_t: float | None = None
    """Labeled dialogues with ``evidence``: when the decisive words were spoken."""
    evidence_kind: str | None = None
    style: str | None = None
    """The item's ``style`` field when the set carries one (slices only)."""

    @property
    def flag_delay_s(self) -> float | None:
        """Seconds from the decisive words to the flag (negative: flagged before them, on
        earlier words); None unless both are known."""
        if self.time_to_flag_s is None or self.evidence_t is None:
            return None
        return self.time_to_flag_s - self.evidence_t

    @property
    def emergency_score(self) -> float:
        return float(self.urgency_scores.get(Urgency.EMERGENCY.value, 0.0))

    @property
    def predicted_emergency(self) -> bool:
        return self.urgency is Urgency.EMERGENCY

    @property
    def under_triaged(self) -> bool:
        ok = self.gold.acceptable
        return ok is not None and self.urgency.rank < min(u.rank for u in ok)

    @property
    def over_triaged(self) -> bool:
        ok = self.gold.acceptable
        return ok is not None and self.urgency.rank > max(u.rank for u in ok)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of one item (``misses.jsonl``, ``predictions.jsonl``)."""
        g = self.gold
        return {
            "id": self.id,
            "kind": self.kind,
            "language": self.language,
            "text": self.text,
            "reference": self.reference,
            "gold": {
                "urgency": g.urgency.value if g.urgency else None,
                "urgency_acceptable": sorted(u.value for u in g.urgency_acceptable)
                if g.urgency_acceptable else None,
                "urgency_binary": None if g.urgency_binary is None
                else ("emergency" if g.urgency_binary else "non_emergency"),
                "intent": g.intent.value if g.intent else None,
                "red_flag": g.red_flag.value if g.red_flag else None,
            },
            "predicted": {
                "urgency": self.urgency.value,
                "intent": self.intent.value,
                "red_flags": sorted({h.category for h in self.red_flags}),
                "needs_review": self.needs_review,
            },
            "scores": {"urgency": dict(self.urgency_scores), "intent": dict(self.intent_scores)},
            "rule_hits": [
                {"category": h.category, "source": h.source, "span": h.span,
                 "confirmed": h.confirmed, "t": h.t}
                for h in self.red_flags
            ],
            "suspected": [{"category": h.category, "source": h.source, "span": h.span}
                          for h in self.suspected],
            "under_triaged": self.under_triaged,
            "over_triaged": self.over_triaged,
            "time_to_flag_s": self.time_to_flag_s,
            "flag": None if self.flag is None else {
                "t": self.flag.t, "turn": self.flag.turn, "word": self.flag.word,
                "words": self.flag.words, "final": self.flag.final,
                "turn_start": self.flag.turn_start, "category": self.flag.category,
                "source": self.flag.source, "by": self.flag.by},
            "evidence": None if self.evidence_kind is None else {
                "t": self.evidence_t, "kind": self.evidence_kind},
            "latency_ms": self.latency_ms,
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class EmergencyMetrics:
    recall: Rate
    """Gold emergencies predicted ``emergency`` (sensitivity)."""
    false_alarm: Rate
    """Gold routine items predicted ``emergency``."""
    specificity: Rate
    """Gold non-emergencies not predicted ``emergency``."""
    per_red_flag: Mapping[str, Rate]
    """Recall per gold red-flag category (emergencies whose category is known)."""
    category_accuracy: Rate
    """Among detected emergencies with a known gold category: the gold category is among the
    categories the system raised."""


@dataclass(frozen=True)
class UrgencyMetrics:
    confusion: Mapping[str, Mapping[str, int]]
    """``confusion[gold][predicted]`` over items with a gold ``urgency``."""
    n_confusion: int
    under_triage: Rate
    """Predicted below every acceptable urgency (the failure that hurts patients)."""
    over_triage: Rate


@dataclass(frozen=True)
class ClassScores:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    """Gold items of this class."""
    predicted: int


@dataclass(frozen=True)
class IntentMetrics:
    accuracy: Rate
    macro_f1: float | None
    """Mean F1 over the classes present in gold or predictions (scikit-learn's convention)."""
    per_class: Mapping[str, ClassScores]
    confusion: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class CalibrationBin:
    lo: float
    hi: float
    n: int
    mean_score: float | None
    positive_rate: float | None


@dataclass(frozen=True)
class Calibration:
    ece: float | None
    """Expected calibration error of the emergency score (equal-width bins)."""
    n: int
    bins: tuple[CalibrationBin, ...]


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    recall: float | None
    alert_rate: float | None
    alerts: int


@dataclass(frozen=True)
class Percentiles:
    p50: float | None
    p95: float | None
    n: int


@dataclass(frozen=True)
class AsrMetrics:
    wer: float | None
    triage_term_recall: Rate
    n: int
    """Audio items with a reference transcript."""


@dataclass(frozen=True)
class TimeToFlag:
    median: float | None
    p90: float | None
    n: int
    """Gold-emergency dialogues that were flagged (those never flagged count in ``missed``)."""
    missed: int


@dataclass(frozen=True)
class DialogueTiming:
    """One flagged or gold-emergency dialogue: when, on what, by what, and (labeled sets with
    ``evidence``) how long after the decisive words."""

    id: str
    gold_emergency: bool | None
    gold_red_flag: str | None
    flag: FlagMoment | None
    evidence_kind: str | None
    evidence_t: float | None
    delay_s: float | None


@dataclass(frozen=True)
class KindTiming:
    """Gold-emergency dialogues whose decisive words are of one kind."""

    n: int
    flagged: int
    before: int
    """Flagged before the decisive words (on earlier words)."""
    on_time: int
    """Flagged at most ``LATE_AFTER_S`` after them."""
    late: int
    missed: int
    median_delay_s: float | None


@dataclass(frozen=True)
class FlagTiming:
    """Where flags come in the dialogues of a set (issue 13: time to flag)."""

    rows: tuple[DialogueTiming, ...]
    by_signal: Mapping[str, int]
    """Flagged dialogues per raising signal (``rule`` / ``model`` / ``similarity``)."""
    median_t_by_signal: Mapping[str, float | None]
    on_final: int
    """Flags raised on a whole utterance (the end of a caller turn)."""
    median_turn: float | None
    """Median caller turn (0-based) in which the flag came."""
    median_into_turn_s: float | None
    """Median seconds from the start of the flag's turn to the flag: time spent waiting for
    words inside the utterance (a flag on a final waits for the whole turn)."""
    by_evidence_kind: Mapping[str, KindTiming]
    late_after_s: float
    category_right: int = 0
    """Flagged gold emergencies with a known category whose flag raised that category."""
    category_known: int = 0
    """Flagged gold emergencies with a known category."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "late_after_s": self.late_after_s,
            "flagged": sum(self.by_signal.values()),
            "by_signal": dict(self.by_signal),
            "median_time_to_flag_by_signal_s": dict(self.median_t_by_signal),
            "on_final": self.on_final,
            "category_right_at_flag": {"k": self.category_right, "n": self.category_known},
            "median_flag_turn": self.median_turn,
            "median_into_turn_s": self.median_into_turn_s,
            "by_evidence_kind": {k: dataclasses.asdict(v)
                                 for k, v in self.by_evidence_kind.items()},
            "dialogues": [
                {"id": r.id, "gold_emergency": r.gold_emergency, "gold_red_flag": r.gold_red_flag,
                 "flagged_at_s": None if r.flag is None else r.flag.t,
                 "category": None if r.flag is None else r.flag.category,
                 "source": None if r.flag is None else r.flag.source,
                 "by": None if r.flag is None else r.flag.by,
                 "turn": None if r.flag is None else r.flag.turn,
                 "word": None if r.flag is None else f"{r.flag.word}/{r.flag.words}",
                 "on_final": None if r.flag is None else r.flag.final,
                 "evidence_kind": r.evidence_kind, "evidence_at_s": r.evidence_t,
                 "delay_s": r.delay_s}
                for r in self.rows],
        }


@dataclass(frozen=True)
class SliceMetrics:
    n: int
    emergency_recall: Rate
    under_triage: Rate
    over_triage: Rate
    intent_accuracy: Rate
    false_alarm: Rate | None = None
    """Gold routine items predicted ``emergency``."""


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    results: tuple[ItemResult, ...]
    emergency: EmergencyMetrics
    urgency: UrgencyMetrics
    intent: IntentMetrics
    calibration: Calibration
    sweep: tuple[SweepPoint, ...]
    latency_ms: Percentiles
    asr: AsrMetrics
    time_to_flag: TimeToFlag
    by_language: Mapping[str, SliceMetrics]
    by_kind: Mapping[str, SliceMetrics]
    misses: tuple[ItemResult, ...]
    """Every under-triaged item: the critical misses."""
    model_versions: tuple[str, ...]
    skipped: tuple[SkippedLine, ...] = ()
    created_at: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    flag_timing: FlagTiming | None = None
    """Dialogue sets: where the flags came (``time_to_flag.json``); None without dialogues."""
    by_style: Mapping[str, SliceMetrics] = field(default_factory=dict)
    """Slices by the items' ``style`` field (e.g. dev_v3's vignette / testimony / utterance /
    asr) when the set carries one; empty otherwise."""

    @property
    def n(self) -> int:
        return len(self.results)

    def summary(self) -> dict[str, Any]:
        """The stable ``summary.json`` (schema 1): exactly the documented keys; a section with
        no items holds nulls (counts stay 0)."""
        e, u, i = self.emergency, self.urgency, self.intent
        return {
            "schema": SUMMARY_SCHEMA,
            "n": self.n,
            "emergency": {
                "recall": e.recall.value,
                "recall_ci": list(e.recall.ci) if e.recall.ci else None,
                "n_positive": e.recall.n,
                "false_alarm_rate": e.false_alarm.value,
                "specificity": e.specificity.value,
                "per_red_flag": {c: {"n": r.n, "recall": r.value}
                                 for c, r in e.per_red_flag.items()},
            },
            "urgency": {
                "confusion": ({g: dict(row) for g, row in u.confusion.items()}
                              if u.n_confusion else None),
                "under_triage_rate": u.under_triage.value,
                "over_triage_rate": u.over_triage.value,
            },
            "intent": {
                "accuracy": i.accuracy.value,
                "macro_f1": i.macro_f1,
                "per_class": {c: {"precision": s.precision, "recall": s.recall, "f1": s.f1,
                                  "support": s.support}
                              for c, s in i.per_class.items()},
            },
            "time_to_flag_s": {"median": self.time_to_flag.median, "p90": self.time_to_flag.p90,
                               "n": self.time_to_flag.n},
            "asr": {"wer": self.asr.wer, "triage_term_recall": self.asr.triage_term_recall.value,
                    "n": self.asr.n},
            "latency_ms": {"p50": self.latency_ms.p50, "p95": self.latency_ms.p95},
        }
