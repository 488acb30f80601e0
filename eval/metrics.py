"""Safety metrics: pure functions of `ItemResult`s (or plain numbers), no engine involved.

Each rate comes with its count and a Wilson 95% interval. Definitions (also in README.md):
- an item is a gold emergency per `Gold.is_emergency` (``urgency_binary`` first);
- under-/over-triage compare the predicted urgency with `Gold.acceptable`;
- "routine" items for the false-alarm rate are those whose acceptable set is only ``routine``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

import jiwer
import numpy as np

from classifier.labels import INTENTS, URGENCIES, Urgency
from eval.types import (
    AsrMetrics,
    Calibration,
    CalibrationBin,
    ClassScores,
    DialogueTiming,
    EmergencyMetrics,
    FlagTiming,
    IntentMetrics,
    ItemResult,
    KindTiming,
    Percentiles,
    Rate,
    SliceMetrics,
    SweepPoint,
    TimeToFlag,
    UrgencyMetrics,
)

Z95 = 1.959963984540054
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(i * 0.05, 2) for i in range(21))


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (None when n == 0)."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Exact at the ends (k == 0 or k == n) rather than 1 - epsilon from rounding.
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def rate(k: int, n: int) -> Rate:
    return Rate(k=k, n=n, value=(k / n if n else None), ci=wilson_interval(k, n))


def _count(results: Iterable[ItemResult], member: Callable[[ItemResult], bool],
           success: Callable[[ItemResult], bool]) -> Rate:
    pool = [r for r in results if member(r)]
    return rate(sum(1 for r in pool if success(r)), len(pool))


def _is_routine(r: ItemResult) -> bool:
    return r.gold.acceptable == frozenset({Urgency.ROUTINE})


def emergency_metrics(results: Sequence[ItemResult]) -> EmergencyMetrics:
    positives = [r for r in results if r.gold.is_emergency is True]
    per_flag: dict[str, Rate] = {}
    by_flag: dict[str, list[ItemResult]] = defaultdict(list)
    for r in positives:
        if r.gold.red_flag is not None:
            by_flag[r.gold.red_flag.value].append(r)
    for category in sorted(by_flag):
        pool = by_flag[category]
        per_flag[category] = rate(sum(r.predicted_emergency for r in pool), len(pool))
    return EmergencyMetrics(
        recall=rate(sum(r.predicted_emergency for r in positives), len(positives)),
        false_alarm=_count(results, _is_routine, lambda r: r.predicted_emergency),
        specificity=_count(results, lambda r: r.gold.is_emergency is False,
                           lambda r: not r.predicted_emergency),
        per_red_flag=per_flag,
        category_accuracy=_count(
            positives,
            lambda r: r.gold.red_flag is not None and r.predicted_emergency,
            lambda r: r.gold.red_flag is not None
            and r.gold.red_flag.value in {h.category for h in r.red_flags},
        ),
    )


def urgency_metrics(results: Sequence[ItemResult]) -> UrgencyMetrics:
    confusion = {g: {p: 0 for p in URGENCIES} for g in URGENCIES}
    n_conf = 0
    for r in results:
        if r.gold.urgency is not None:
            confusion[r.gold.urgency.value][r.urgency.value] += 1
            n_conf += 1
    labeled = [r for r in results if r.gold.acceptable is not None]
    return UrgencyMetrics(
        confusion=confusion,
        n_confusion=n_conf,
        under_triage=rate(sum(r.under_triaged for r in labeled), len(labeled)),
        over_triage=rate(sum(r.over_triaged for r in labeled), len(labeled)),
    )


def _safe_div(a: float, b: float) -> float | None:
    return a / b if b else None


def intent_metrics(results: Sequence[ItemResult]) -> IntentMetrics:
    pairs = [(r.gold.intent.value, r.intent.value) for r in results if r.gold.intent is not None]
    gold_counts = Counter(g for g, _ in pairs)
    pred_counts = Counter(p for _, p in pairs)
    correct = Counter(g for g, p in pairs if g == p)
    present = [c for c in INTENTS if gold_counts[c] or pred_counts[c]]
    per_class: dict[str, ClassScores] = {}
    f1s: list[float] = []
    for c in present:
        precision = _safe_div(correct[c], pred_counts[c])
        recall = _safe_div(correct[c], gold_counts[c])
        p0, r0 = precision or 0.0, recall or 0.0
        f1 = 2 * p0 * r0 / (p0 + r0) if p0 + r0 else 0.0
        f1s.append(f1)
        per_class[c] = ClassScores(precision=precision, recall=recall, f1=f1,
                                   support=gold_counts[c], predicted=pred_counts[c])
    confusion = {g: {p: 0 for p in present} for g in present}
    for g, p in pairs:
        confusion[g][p] += 1
    return IntentMetrics(
        accuracy=rate(sum(correct.values()), len(pairs)),
        macro_f1=(sum(f1s) / len(f1s)) if f1s else None,
        per_class=per_class,
        confusion=confusion,
    )


def calibration(scores: Sequence[float], labels: Sequence[bool], n_bins: int = 10) -> Calibration:
    """Equal-width bins on [0, 1] (a score of 1.0 falls in the last bin);
    ECE = sum over bins of (bin size / n) * |positive rate - mean score|."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    n = len(scores)
    members: list[list[int]] = [[] for _ in range(n_bins)]
    for idx, s in enumerate(scores):
        b = min(int(float(s) * n_bins), n_bins - 1)
        members[max(b, 0)].append(idx)
    bins = []
    ece = 0.0
    for b, idxs in enumerate(members):
        mean_score = sum(scores[i] for i in idxs) / len(idxs) if idxs else None
        pos_rate = sum(labels[i] for i in idxs) / len(idxs) if idxs else None
        if idxs and mean_score is not None and pos_rate is not None:
            ece += len(idxs) / n * abs(pos_rate - mean_score)
        bins.append(CalibrationBin(lo=b / n_bins, hi=(b + 1) / n_bins, n=len(idxs),
                                   mean_score=mean_score, positive_rate=pos_rate))
    return Calibration(ece=ece if n else None, n=n, bins=tuple(bins))


def threshold_sweep(scores: Sequence[float], labels: Sequence[bool],
                    thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> tuple[SweepPoint, ...]:
    """Emergency recall against alert rate when alerting on ``score >= threshold``
    (both over the items with a binary gold label)."""
    n = len(scores)
    n_pos = sum(labels)
    points = []
    for t in thresholds:
        alerts = [s >= t for s in scores]
        hits = sum(1 for a, y in zip(alerts, labels, strict=True) if a and y)
        points.append(SweepPoint(threshold=float(t), recall=_safe_div(hits, n_pos),
                                 alert_rate=_safe_div(sum(alerts), n), alerts=sum(alerts)))
    return tuple(points)


def percentiles(values: Sequence[float], qs: Sequence[float]) -> list[float | None]:
    """Linear-interpolation percentiles (numpy's default); Nones when empty."""
    if not values:
        return [None for _ in qs]
    return [float(v) for v in np.percentile(np.asarray(values, dtype=float), list(qs))]


def latency(values: Sequence[float]) -> Percentiles:
    p50, p95 = percentiles(values, (50, 95))
    return Percentiles(p50=p50, p95=p95, n=len(values))


_KEEP = re.compile(r"[^\w\s'-]")


def normalize_text(text: str) -> str:
    """Lowercase, unify apostrophes, drop punctuation, collapse spaces (for WER/term matching)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = _KEEP.sub(" ", text)
    text = re.sub(r"(?<!\w)['-]|['-](?!\w)", " ", text)
    return " ".join(text.split())


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float | None:
    """Corpus WER: (substitutions + deletions + insertions) / reference words, after
    `normalize_text`."""
    pairs = [(normalize_text(r), normalize_text(h))
             for r, h in zip(references, hypotheses, strict=True)]
    pairs = [(r, h) for r, h in pairs if r]
    if not pairs:
        return None
    out = jiwer.process_words([r for r, _ in pairs], [h for _, h in pairs])
    errors = out.substitutions + out.deletions + out.insertions
    return errors / sum(len(r.split()) for r, _ in pairs)


def term_found(term: str, hypothesis: str) -> bool:
    """Whether the normalized term occurs as a whole-word sequence in the hypothesis."""
    t = normalize_text(term)
    return bool(t) and f" {t} " in f" {normalize_text(hypothesis)} "


def asr_metrics(results: Sequence[ItemResult]) -> AsrMetrics:
    audio = [r for r in results if r.kind == "audio" and r.reference]
    wer = word_error_rate([r.reference or "" for r in audio], [r.text for r in audio])
    return AsrMetrics(
        wer=wer,
        triage_term_recall=rate(sum(r.triage_terms_found for r in audio),
                                sum(len(r.triage_terms) for r in audio)),
        n=len(audio),
    )


def time_to_flag(results: Sequence[ItemResult]) -> TimeToFlag:
    pool = [r for r in results if r.kind == "dialogue" and r.gold.is_emergency is True]
    times = [r.time_to_flag_s for r in pool if r.time_to_flag_s is not None]
    median, p90 = percentiles(times, (50, 90))
    return TimeToFlag(median=median, p90=p90, n=len(times), missed=len(pool) - len(times))


LATE_AFTER_S = 2.0
"""A flag more than this after the decisive words is late: about five words at a caller's 2.4
words/s, i.e. the heads waiting for the end of the utterance rather than the rule firing on
the word."""


def flag_timing(results: Sequence[ItemResult], late_after_s: float = LATE_AFTER_S
                ) -> FlagTiming:
    """Per dialogue (flagged ones and gold emergencies): when it was flagged, on which
    category, by which signal, in which turn, and with ``evidence``, how long after the
    decisive words; then the same in aggregate, and per kind of decisive evidence."""
    pool = [r for r in results if r.kind == "dialogue"
            and (r.flag is not None or r.gold.is_emergency is True)]
    rows = tuple(DialogueTiming(id=r.id, gold_emergency=r.gold.is_emergency,
                                gold_red_flag=r.gold.red_flag.value if r.gold.red_flag else None,
                                flag=r.flag,
                                evidence_kind=r.evidence_kind, evidence_t=r.evidence_t,
                                delay_s=r.flag_delay_s) for r in pool)
    flags = [r.flag for r in pool if r.flag is not None]
    signals = sorted({f.by for f in flags})
    by_signal = {s: sum(1 for f in flags if f.by == s) for s in signals}
    median_t = {s: percentiles([f.t for f in flags if f.by == s], (50,))[0] for s in signals}
    kinds: dict[str, list[ItemResult]] = defaultdict(list)
    for r in pool:
        if r.gold.is_emergency is True and r.evidence_kind is not None:
            kinds[r.evidence_kind].append(r)
    by_kind = {}
    for kind in sorted(kinds):
        group = kinds[kind]
        delays = [d for d in (r.flag_delay_s for r in group) if d is not None]
        by_kind[kind] = KindTiming(
            n=len(group), flagged=len(delays),
            before=sum(1 for d in delays if d < 0),
            on_time=sum(1 for d in delays if 0 <= d <= late_after_s),
            late=sum(1 for d in delays if d > late_after_s),
            missed=sum(1 for r in group if r.flag is None),
            median_delay_s=percentiles(delays, (50,))[0])
    known = [r for r in rows if r.gold_emergency and r.gold_red_flag and r.flag is not None]
    return FlagTiming(
        category_right=sum(1 for r in known if r.flag and r.flag.category == r.gold_red_flag),
        category_known=len(known),
        rows=rows, by_signal=by_signal, median_t_by_signal=median_t,
        on_final=sum(1 for f in flags if f.final),
        median_turn=percentiles([float(f.turn) for f in flags], (50,))[0],
        median_into_turn_s=percentiles([f.t - f.turn_start for f in flags], (50,))[0],
        by_evidence_kind=by_kind, late_after_s=late_after_s)


def slice_metrics(results: Sequence[ItemResult]) -> SliceMetrics:
    labeled = [r for r in results if r.gold.acceptable is not None]
    positives = [r for r in results if r.gold.is_emergency is True]
    with_intent = [r for r in results if r.gold.intent is not None]
    routine = [r for r in results if r.gold.acceptable == frozenset({Urgency.ROUTINE})]
    return SliceMetrics(
        n=len(results),
        emergency_recall=rate(sum(r.predicted_emergency for r in positives), len(positives)),
        under_triage=rate(sum(r.under_triaged for r in labeled), len(labeled)),
        over_triage=rate(sum(r.over_triaged for r in labeled), len(labeled)),
        intent_accuracy=rate(sum(r.gold.intent == r.intent for r in with_intent),
                             len(with_intent)),
        false_alarm=rate(sum(r.predicted_emergency for r in routine), len(routine)),
    )


def slices(results: Sequence[ItemResult],
           key: Callable[[ItemResult], str]) -> Mapping[str, SliceMetrics]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return {k: slice_metrics(groups[k]) for k in sorted(groups)}


def misses(results: Sequence[ItemResult]) -> tuple[ItemResult, ...]:
    """Every under-triaged item, most dangerous first (gold emergencies, then lowest emergency
    score)."""
    missed = [r for r in results if r.under_triaged]
    return tuple(sorted(missed, key=lambda r: (not r.gold.is_emergency, r.emergency_score, r.id)))
