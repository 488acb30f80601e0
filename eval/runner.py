"""Drive the real engines over a labeled set and assemble the `EvalReport`.

- text items: ``classifier.classify(text, language)``;
- audio items: ``recognizer.transcribe_file(audio, language)`` then classify the transcript;
- dialogue items: the caller's turns replayed in time order through ``classifier.stream()``,
  word by word at times interpolated linearly within each turn (the turn's words spread evenly
  from its start to its end), so the time at which the emergency is raised is meaningful.
  With ``question_context`` (the default) the regulator's or agent's turn before a caller turn
  is given to the stream as the question it answers (``StreamingClassifier.asked``).
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
from eval.types import EvalReport, FlagMoment, Hit, ItemResult

if TYPE_CHECKING:
    from asr import Recognizer
    from classifier import Classification, Classifier
    from classifier.engine import StreamingClassifier


class EvalError(RuntimeError):
    """An engine failed on an item; the message names the item."""


def _hits(hits: Sequence[Any]) -> tuple[Hit, ...]:
    return tuple(
        Hit(category=str(getattr(h.category, "value", h.category)), source=h.source,
            span=h.span.text if h.span is not None else None, confirmed=h.confirmed, t=h.t)
        for h in hits
    )


def _style(item: Item) -> str | None:
    style = item.extra.get("style")
    return style if isinstance(style, str) and style.strip() else None


def _result(item: Item, c: Classification, *, text: str, latency_ms: float,
            **extra: Any) -> ItemResult:
    return ItemResult(
        id=item.id, kind=item.kind, language=item.language or c.language, gold=item.gold,
        text=text, urgency=c.urgency, urgency_scores=dict(c.urgency_scores), intent=c.intent,
        intent_scores=dict(c.intent_scores), red_flags=_hits(c.red_flags),
        suspected=_hits(getattr(c, "suspected", ())), needs_review=c.needs_review,
        model_version=c.model_version, latency_ms=latency_ms, style=_style(item), **extra,
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


def _raising(c: Classification, t: float) -> tuple[str | None, str | None]:
    """The category and source of the hit that raised the emergency at ``t`` (the stream
    stamps each category with the time it was first raised)."""
    hits = [h for h in c.red_flags if h.t == t] or list(c.red_flags)
    if not hits:
        return None, None
    return str(getattr(hits[0].category, "value", hits[0].category)), hits[0].source


def _stream(item: DialogueItem, classifier: Classifier, model_on_partials: bool,
            decisive_heads: bool = True) -> StreamingClassifier:
    """The plain stream (heads on every update) or the fast one (heads on finals the
    protocol does not already flag, and on the call's last update: the same outcome, see
    ``StreamingClassifier``'s ``heads_on_flagged_finals``)."""
    from classifier import Classifier as _Classifier

    if model_on_partials:
        return classifier.stream(item.language)
    if not decisive_heads or not isinstance(classifier, _Classifier):  # (or a test double)
        return classifier.stream(item.language, model_on_partials=False)
    return classifier.stream(item.language, model_on_partials=False,
                             heads_on_flagged_finals=False)


def _questions(item: DialogueItem) -> list[str | None]:
    """For each caller turn (in time order), the regulator's or agent's turn said since the
    caller's previous turn began (the last one when several were), or None."""
    others = sorted((t for t in item.turns if t.speaker != "caller"),
                    key=lambda t: (t.start, t.end))
    out: list[str | None] = []
    previous = float("-inf")
    for turn in item.caller_turns:
        said = [o for o in others if previous <= o.start < turn.start and o.text.strip()]
        out.append(said[-1].text if said else None)
        previous = turn.start
    return out


def _run_dialogue(item: DialogueItem, classifier: Classifier, words_per_update: int,
                  model_on_partials: bool = True, decisive_heads: bool = True,
                  question_context: bool = True) -> ItemResult:
    stream = _stream(item, classifier, model_on_partials, decisive_heads)
    last: Classification | None = None
    flag: FlagMoment | None = None
    spent: list[float] = []
    spoken = [k for k, turn in enumerate(item.caller_turns) if turn.text.split()]
    questions = _questions(item) if question_context else [None] * len(item.caller_turns)
    for k, turn in enumerate(item.caller_turns):
        words = turn.text.split()
        if not words:
            continue
        if questions[k] is not None:
            # The live agent tells its stream what it asked; a recording has the regulator's
            # words. Reading them costs nothing unless the caller answers yes or no.
            stream.asked(questions[k])
        n = len(words)
        cuts = list(range(words_per_update, n, words_per_update)) + [n]
        for i in cuts:
            t = turn.start + (turn.end - turn.start) * i / n
            t0 = time.perf_counter()
            last = stream.update(" ".join(words[:i]), t=t, final=(i == n),
                                 last_update=k == spoken[-1] and i == n)
            spent.append((time.perf_counter() - t0) * 1000)
            if flag is None and last.urgency.value == "emergency":
                category, source = _raising(last, t)
                flag = FlagMoment(t=t, turn=k, word=i, words=n, final=(i == n),
                                  turn_start=turn.start, category=category, source=source)
    if last is None:
        # No caller speech at all: what the classifier says about silence.
        t0 = time.perf_counter()
        last = classifier.classify("", item.language)
        spent.append((time.perf_counter() - t0) * 1000)
    return _result(item, last, text=item.text, latency_ms=sum(spent) / len(spent),
                   time_to_flag_s=None if flag is None else flag.t, flag=flag,
                   evidence_t=item.evidence_time,
                   evidence_kind=item.evidence.kind if item.evidence else None)


def run_item(item: Item, classifier: Classifier, recognizer: Recognizer | None = None,
             *, words_per_update: int = 1, model_on_partials: bool = True,
             decisive_heads: bool = True, question_context: bool = True) -> ItemResult:
    """One item through the engines. Dialogues: ``model_on_partials=True`` is the plain
    replay (heads on every word); with ``False`` the heads run on finals only, and with
    ``decisive_heads`` only on the finals the protocol does not already flag (plus the
    call's last update): the same outcome, fewer encoder passes (see `_stream`).
    ``question_context``: the caller's answers are read with the question before them."""
    try:
        if isinstance(item, DialogueItem):
            return _run_dialogue(item, classifier, words_per_update, model_on_partials,
                                 decisive_heads, question_context)
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


SPAWN_MIN_WORDS = 1500
"""Caller words below which the replay runs here alone by default: a spawned process pays a
classifier load (~10 s on 2 idle cores) before its first dialogue, and the fast replay costs
~7 ms of CPU per caller word (dev_v3_dialogues: 8 s for 1195 words), so on a smaller set
this process is done before a helper is ready."""


def _workers(config: EvalConfig, dialogues: Sequence[DialogueItem], classifier: Any) -> int:
    """Processes for the dialogue replay, this one included: each other one loads its own
    classifier, so only for a real `Classifier` (its config rebuilds it) and enough words to
    pay for it (``replay.workers`` when set)."""
    from classifier import ClassifierConfig

    if not isinstance(getattr(classifier, "config", None), ClassifierConfig):
        return 1
    n_dialogues = len(dialogues)
    if config.workers:
        return min(config.workers, n_dialogues) if n_dialogues else 1
    words = sum(len(t.text.split()) for d in dialogues for t in d.caller_turns)
    if n_dialogues < 4 or words < SPAWN_MIN_WORDS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    return min(cores, 4)


def _replay_worker(classifier_config: Any, words_per_update: int, model_on_partials: bool,
                   question_context: bool, tasks: Any, results: Any) -> None:
    """A spawned replay process: load the classifier, then take dialogues from the shared
    queue until it is empty (``None``); each result (or the error) goes back with its index."""
    import queue

    from classifier import Classifier as _Classifier

    classifier = _Classifier.load(classifier_config)
    while True:
        try:
            task = tasks.get(timeout=0.5)
        except queue.Empty:
            continue
        if task is None:
            return
        index, item = task
        try:
            results.put((index, run_item(item, classifier, words_per_update=words_per_update,
                                         model_on_partials=model_on_partials,
                                         question_context=question_context), None))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            results.put((index, None, str(exc)))


def _replay_parallel(items: Sequence[DialogueItem], classifier: Classifier,
                     config: EvalConfig, workers: int, progress: bool, name: str,
                     parent_replays: bool = True) -> dict[int, ItemResult]:
    """Dialogues are independent: replay them in ``workers`` processes, this one included.
    This one already holds a loaded classifier, so it starts at once while the
    ``workers - 1`` spawned ones load theirs (~10 s each, one torch thread each like this
    one). All take the next dialogue, longest first, from one shared queue, so a slow load
    or a long call never leaves a core idle, and a set shorter than a load is done here
    alone (the spawned processes still loading are then stopped). Same results as a serial
    run, item for item. ``parent_replays=False`` leaves every dialogue to the spawned
    processes (tests of that path)."""
    import multiprocessing
    import queue

    order = sorted(range(len(items)),
                   key=lambda k: -sum(len(t.text.split()) for t in items[k].caller_turns))
    ctx = multiprocessing.get_context("spawn")
    tasks = ctx.Queue()
    results = ctx.Queue()
    for k in order:
        tasks.put((k, items[k]))
    procs = [ctx.Process(target=_replay_worker, daemon=True,
                         args=(classifier.config, config.words_per_update,
                               config.model_on_partials, config.question_context, tasks,
                               results))
             for _ in range(workers - 1)]
    for p in procs:
        p.start()
    done: dict[int, ItemResult] = {}
    bar = tqdm(total=len(items), desc=f"replay {name} ({workers} processes)",
               unit="dialogue", disable=not progress, leave=False)

    def take(index: int, result: ItemResult | None, error: str | None) -> None:
        if error is not None:
            raise EvalError(error)
        assert result is not None
        done[index] = result
        bar.update()

    try:
        with bar:
            while len(done) < len(items):
                try:
                    while True:  # what the spawned processes finished meanwhile
                        take(*results.get_nowait())
                except queue.Empty:
                    pass
                try:
                    if not parent_replays:
                        raise queue.Empty
                    index, item = tasks.get_nowait()
                except queue.Empty:
                    if len(done) == len(items):
                        break
                    try:
                        take(*results.get(timeout=1.0))
                    except queue.Empty:
                        # The spawned processes only stop when told: one gone died, maybe
                        # with a dialogue it had taken.
                        if not all(p.is_alive() for p in procs):
                            raise EvalError("a dialogue replay process died (exit codes "
                                            f"{[p.exitcode for p in procs]})") from None
                    continue
                take(index, run_item(item, classifier,
                                     words_per_update=config.words_per_update,
                                     model_on_partials=config.model_on_partials,
                                     question_context=config.question_context), None)
    finally:
        # Every dialogue is done (or the run failed): a process still loading its classifier
        # has nothing left to do.
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(timeout=10)
        # After a failure, dialogues nobody took may still sit in the queue's feeder thread:
        # do not wait for a reader that is gone (exit would hang).
        tasks.cancel_join_thread()
        tasks.close()
        results.close()
    return {id(items[k]): r for k, r in done.items()}


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
        by_style=(metrics.slices(results, lambda r: r.style or "none")
                  if any(r.style for r in results) else {}),
        misses=metrics.misses(results),
        model_versions=tuple(sorted({r.model_version for r in results})),
        skipped=tuple(skipped),
        created_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        meta=dict(meta or {}),
        flag_timing=(metrics.flag_timing(results)
                     if any(r.kind == "dialogue" for r in results) else None),
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
    workers = _workers(config, dialogues, classifier)
    done: dict[int, ItemResult] = {}
    if workers > 1:
        done = _replay_parallel(dialogues, classifier, config, workers, progress, dataset.name)
    results = [
        done[id(item)] if id(item) in done else
        run_item(item, classifier, recognizer, words_per_update=config.words_per_update,
                 model_on_partials=config.model_on_partials,
                 question_context=config.question_context)
        for item in tqdm(dataset.items, desc=f"eval {dataset.name}", unit="item",
                         disable=not progress or bool(done), leave=False)
    ]
    return build_report(results, dataset=dataset.name, config=config, skipped=dataset.skipped,
                        meta={"config": config.name,
                              "path": str(dataset.path) if dataset.path else None,
                              **({"question_context": config.question_context}
                                 if dialogues else {})})
