"""Drive the real engines over a labeled set and assemble the `EvalReport`.

- text items: ``classifier.classify(text, language)``;
- audio items: ``recognizer.transcribe_file(audio, language)`` then classify the transcript;
- dialogue items: the caller's turns replayed in time order through ``classifier.stream()``,
  word by word at times interpolated linearly within each turn (the turn's words spread evenly
  from its start to its end), so the time at which the emergency is raised is meaningful.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from eval import metrics
from eval.config import EvalConfig
from eval.dataset import AudioItem, Dataset, DialogueItem, Item, TextItem, load_dataset
from eval.types import EvalReport, Hit, ItemResult

if TYPE_CHECKING:
    from asr import Recognizer
    from classifier import Classification, Classifier


class EvalError(RuntimeError):
    """An engine failed on an item; the message names the item."""


def _hits(hits: Sequence[Any]) -> tuple[Hit, ...]:
    return tuple(
        Hit(category=str(getattr(h.category, "value", h.category)), source=h.source,
            span=h.span.text if h.span is not None else None, confirmed=h.confirmed, t=h.t)
        for h in hits
    )


def _result(item: Item, c: Classification, *, text: str, latency_ms: float,
            **extra: Any) -> ItemResult:
    return ItemResult(
        id=item.id, kind=item.kind, language=item.language or c.language, gold=item.gold,
        text=text, urgency=c.urgency, urgency_scores=dict(c.urgency_scores), intent=c.intent,
        intent_scores=dict(c.intent_scores), red_flags=_hits(c.red_flags),
        suspected=_hits(getattr(c, "suspected", ())), needs_review=c.needs_review,
        model_version=c.model_version, latency_ms=latency_ms, **extra,
    )


def _run_text(item: TextItem, classifier: Classifier) -> ItemResult:
    t0 = time.perf_counter()
    c = classifier.classify(item.text, item.language)
    return _result(item, c, text=item.text, latency_ms=(time.perf_counter() - t0) * 1000)


def _run_audio(item: AudioItem, classifier: Classifier, recognizer: Recognizer) -> ItemResult:
    t0 = time.perf_counter()
    transcript = recognizer.transcribe_file(item.audio, item.language)
    c = classifier.classify(transcript.text, item.language or transcript.language)
    latency_ms = (time.perf_counter() - t0) * 1000
    terms: tuple[str, ...] = ()
    if item.triage_terms is not None:
        terms = item.triage_terms
    elif item.reference:
        # The words the protocol triggers on in the reference are the ones ASR must not lose.
        ref = classifier.classify(item.reference, item.language or transcript.language)
        terms = tuple(dict.fromkeys(h.span.text for h in ref.red_flags if h.span is not None))
    found = sum(metrics.term_found(t, transcript.text) for t in terms)
    return _result(item, c, text=transcript.text, latency_ms=latency_ms,
                   reference=item.reference, triage_terms=terms, triage_terms_found=found)


def _run_dialogue(item: DialogueItem, classifier: Classifier, words_per_update: int
                  ) -> ItemResult:
    stream = classifier.stream(item.language)
    last: Classification | None = None
    flagged_at: float | None = None
    spent: list[float] = []
    for turn in item.caller_turns:
        words = turn.text.split()
        if not words:
            continue
        n = len(words)
        cuts = list(range(words_per_update, n, words_per_update)) + [n]
        for i in cuts:
            t = turn.start + (turn.end - turn.start) * i / n
            t0 = time.perf_counter()
            last = stream.update(" ".join(words[:i]), t=t, final=(i == n))
            spent.append((time.perf_counter() - t0) * 1000)
            if flagged_at is None and last.urgency.value == "emergency":
                flagged_at = t
    if last is None:
        # No caller speech at all: what the classifier says about silence.
        t0 = time.perf_counter()
        last = classifier.classify("", item.language)
        spent.append((time.perf_counter() - t0) * 1000)
    return _result(item, last, text=item.text, latency_ms=sum(spent) / len(spent),
                   time_to_flag_s=flagged_at)


def run_item(item: Item, classifier: Classifier, recognizer: Recognizer | None = None,
             *, words_per_update: int = 1) -> ItemResult:
    try:
        if isinstance(item, DialogueItem):
            return _run_dialogue(item, classifier, words_per_update)
        if isinstance(item, AudioItem):
            if recognizer is None:
                raise EvalError("an audio item needs a recognizer")
            return _run_audio(item, classifier, recognizer)
        return _run_text(item, classifier)
    except EvalError as exc:
        raise EvalError(f"item {item.id!r} (line {item.line}): {exc}") from None
    except Exception as exc:
        raise EvalError(f"item {item.id!r} (line {item.line}): {type(exc).__name__}: {exc}"
                        ) from exc


def build_report(results: Sequence[ItemResult], *, dataset: str = "<memory>",
                 config: EvalConfig | None = None, skipped: Sequence[Any] = (),
                 meta: dict[str, Any] | None = None) -> EvalReport:
    """All metrics of a finished run (pure: usable on hand-made results)."""
    config = config or EvalConfig()
    results = tuple(results)
    binary = [r for r in results if r.gold.is_emergency is not None]
    scores = [r.emergency_score for r in binary]
    labels = [bool(r.gold.is_emergency) for r in binary]
    return EvalReport(
        dataset=dataset,
        results=results,
        emergency=metrics.emergency_metrics(results),
        urgency=metrics.urgency_metrics(results),
        intent=metrics.intent_metrics(results),
        calibration=metrics.calibration(scores, labels, config.calibration_bins),
        sweep=metrics.threshold_sweep(scores, labels),
        latency_ms=metrics.latency([r.latency_ms for r in results]),
        asr=metrics.asr_metrics(results),
        time_to_flag=metrics.time_to_flag(results),
        by_language=metrics.slices(results, lambda r: r.language or "unknown"),
        by_kind=metrics.slices(results, lambda r: r.kind),
        misses=metrics.misses(results),
        model_versions=tuple(sorted({r.model_version for r in results})),
        skipped=tuple(skipped),
        created_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        meta=dict(meta or {}),
    )


def load_engines(config: EvalConfig, dataset: Dataset, classifier: Classifier | None = None,
                 recognizer: Recognizer | None = None) -> tuple[Classifier, Recognizer | None]:
    """The engines a set needs, loading only those not given: the recognizer only when the
    set has audio items."""
    if classifier is None:
        from classifier import Classifier as _Classifier

        classifier = _Classifier.load(config.classifier_config())
    if recognizer is None and any(isinstance(i, AudioItem) for i in dataset.items):
        from asr import Recognizer as _Recognizer

        recognizer = _Recognizer.load(config.recognizer_config())
    return classifier, recognizer


def evaluate(dataset: Dataset | str | Path, classifier: Classifier | None = None,
             recognizer: Recognizer | None = None, *, config: EvalConfig | None = None,
             progress: bool = True) -> EvalReport:
    """Run the classifier (and, for audio items, the recognizer) over a labeled set.

    Engines not given are loaded from ``config`` (their own defaults plus the config's
    overrides); the recognizer is loaded only when the set has audio items.
    """
    config = config or EvalConfig()
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset)
    classifier, recognizer = load_engines(config, dataset, classifier, recognizer)
    results = [
        run_item(item, classifier, recognizer, words_per_update=config.words_per_update)
        for item in tqdm(dataset.items, desc=f"eval {dataset.name}", unit="item",
                         disable=not progress, leave=False)
    ]
    return build_report(results, dataset=dataset.name, config=config, skipped=dataset.skipped,
                        meta={"config": config.name,
                              "path": str(dataset.path) if dataset.path else None})
