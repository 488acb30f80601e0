"""Drive the real engines over a labeled set and assemble the `EvalReport`.

- text items: ``classifier.classify(text, language)``;
- audio items: ``recognizer.transcribe_file(audio, language)`` then classify the transcript;
- dialogue items: the caller's turns replayed in time order through ``classifier.stream()``,
  word by word at times interpolated linearly within each turn (the turn's words spread evenly
  from its start to its end), so the time at which the emergency is raised is meaningful.
"""

from __future__ import annotations

import datetime as _dt
import os
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


def _run_dialogue(item: DialogueItem, classifier: Classifier, words_per_update: int,
                  model_on_partials: bool = True) -> ItemResult:
    stream = (classifier.stream(item.language) if model_on_partials
              else classifier.stream(item.language, model_on_partials=False))
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
             *, words_per_update: int = 1, model_on_partials: bool = True) -> ItemResult:
    try:
        if isinstance(item, DialogueItem):
            return _run_dialogue(item, classifier, words_per_update, model_on_partials)
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


def _workers(config: EvalConfig, n_dialogues: int, classifier: Any) -> int:
    """Processes for the dialogue replay: each loads its own classifier (~10 s), so only for
    a real `Classifier` (its config rebuilds it) and enough dialogues to pay for it."""
    from classifier import ClassifierConfig

    if not isinstance(getattr(classifier, "config", None), ClassifierConfig):
        return 1
    if config.workers:
        return min(config.workers, n_dialogues) if n_dialogues else 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    return min(cores, 4) if n_dialogues >= 4 else 1


_WORKER: dict[str, Any] = {}


def _init_worker(classifier_config: Any) -> None:
    from classifier import Classifier as _Classifier

    _WORKER["classifier"] = _Classifier.load(classifier_config)


def _replay_one(item: DialogueItem, words_per_update: int, model_on_partials: bool
                ) -> ItemResult:
    return run_item(item, _WORKER["classifier"], words_per_update=words_per_update,
                    model_on_partials=model_on_partials)


def _replay_parallel(items: Sequence[DialogueItem], classifier: Classifier,
                     config: EvalConfig, workers: int, progress: bool, name: str
                     ) -> dict[int, ItemResult]:
    """Dialogues are independent: replay them in ``workers`` processes (spawned, each with
    its own classifier built from the same config, one torch thread each), longest first so
    the last ones to finish are short. Same results as a serial run, item for item."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(items, key=lambda i: -sum(len(t.text.split()) for t in i.caller_turns))
    ctx = multiprocessing.get_context("spawn")
    out: dict[int, ItemResult] = {}
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(classifier.config,)) as pool:
        futures = [pool.submit(_replay_one, item, config.words_per_update,
                               config.model_on_partials) for item in order]
        for item, future in tqdm(zip(order, futures, strict=True), total=len(order),
                                 desc=f"replay {name} ({workers} processes)", unit="dialogue",
                                 disable=not progress, leave=False):
            out[id(item)] = future.result()
    return out


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
    dialogues = [i for i in dataset.items if isinstance(i, DialogueItem)]
    workers = _workers(config, len(dialogues), classifier)
    done: dict[int, ItemResult] = {}
    if workers > 1:
        done = _replay_parallel(dialogues, classifier, config, workers, progress, dataset.name)
    results = [
        done[id(item)] if id(item) in done else
        run_item(item, classifier, recognizer, words_per_update=config.words_per_update,
                 model_on_partials=config.model_on_partials)
        for item in tqdm(dataset.items, desc=f"eval {dataset.name}", unit="item",
                         disable=not progress or bool(done), leave=False)
    ]
    return build_report(results, dataset=dataset.name, config=config, skipped=dataset.skipped,
                        meta={"config": config.name,
                              "path": str(dataset.path) if dataset.path else None})
