"""Evaluation on the public sets of ``../shared/external/`` (written and labeled by others).

EVALUATION ONLY: these files are read in place, never copied into the repository, never used to
train, tune thresholds or write rules. Each set is adapted in memory onto LABELS.md names:

- ``vignettes_en.jsonl``: already per LABELS.md (``urgency``, ``urgency_binary``,
  ``urgency_acceptable``); ``urgency_binary`` decides emergency recall, as its README advises;
- ``fr_simsamu_dialogues.jsonl``: timed ``turns`` (caller/regulator), unlabeled: predictions and
  time at which an emergency was raised, no recall;
- ``fr_admin_intents_small.jsonl``: ``intent_mapped`` becomes ``intent``;
- ``audio/manifest.jsonl``: ``file`` becomes ``audio`` and ``transcript`` the reference (WER);
- ``en_symptom_utterances.jsonl`` is not run: its labels (symptom prompts) are not in our schema
  and 6,661 unlabeled predictions would say nothing about safety.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.config import EvalConfig
from eval.dataset import Dataset, DatasetError, dataset_from_rows
from eval.types import EvalReport, Rate

Row = Mapping[str, Any]


def default_external_dir() -> Path:
    """``../shared/external`` next to the repository checkout."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "external"


def _same(row: Row) -> dict[str, Any]:
    return dict(row)


def _admin(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["intent"] = row.get("intent_mapped")
    return out


def _audio(row: Row) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("file", "transcript")}
    out.update(id=row["file"], audio=row["file"], text=row.get("transcript"))
    return out


@dataclass(frozen=True)
class ExternalSet:
    name: str
    relpath: str
    adapt: Callable[[Row], dict[str, Any]]


EXTERNAL_SETS: tuple[ExternalSet, ...] = (
    ExternalSet("vignettes_en", "vignettes_en.jsonl", _same),
    ExternalSet("fr_admin_intents_small", "fr_admin_intents_small.jsonl", _admin),
    ExternalSet("fr_simsamu_dialogues", "fr_simsamu_dialogues.jsonl", _same),
    ExternalSet("audio", "audio/manifest.jsonl", _audio),
)


def load_external(spec: ExternalSet, directory: Path) -> Dataset:
    path = directory / spec.relpath
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(spec.adapt(json.loads(line)))
                except (json.JSONDecodeError, KeyError) as exc:
                    raise DatasetError(f"{path}:{number}: {exc}") from None
    try:
        return dataset_from_rows(rows, path=path)
    except ValueError as exc:
        raise DatasetError(f"{path}: {exc}") from None


@dataclass(frozen=True)
class SetRow:
    """One line of the `bench eval-external` table: what a data team reads first."""

    name: str
    n: int
    seconds: float
    report: EvalReport | None = None
    skipped: str | None = None

    def asked(self) -> Rate | None:
        """Gold emergencies raised OR asked about (a suspected red flag: the agent asks its
        yes/no question), the safety net behind recall."""
        from eval.metrics import rate

        if self.report is None:
            return None
        pos = [r for r in self.report.results if r.gold.is_emergency is True]
        return rate(sum(1 for r in pos if r.predicted_emergency or r.suspected), len(pos))

    def to_dict(self) -> dict[str, Any]:
        if self.report is None:
            return {"set": self.name, "skipped": self.skipped}
        r = self.report
        e = r.emergency
        flagged = [x for x in r.results if x.predicted_emergency]
        cats = Counter(h.category for x in flagged for h in x.red_flags[:1])
        asked = self.asked()
        return {
            "set": self.name, "n": self.n, "seconds": round(self.seconds, 1),
            "emergencies": e.recall.n,
            "recall": _rate(e.recall), "specificity": _rate(e.specificity),
            "false_alarm_routine": _rate(e.false_alarm),
            "under_triage": _rate(r.urgency.under_triage),
            "flagged_or_asked": _rate(asked) if asked else None,
            "per_category_recall": {c: _rate(v) for c, v in e.per_red_flag.items()},
            "predicted_emergencies": len(flagged),
            "flagged_categories": dict(sorted(cats.items())),
            # Over the flagged dialogues: the dialogue sets' labels are hidden, so the gold-based
            # `time_to_flag` has nothing to count.
            "median_time_to_flag_s": _median([x.time_to_flag_s for x in flagged
                                              if x.time_to_flag_s is not None]),
            "intent_accuracy": _rate(r.intent.accuracy),
            "wer": r.asr.wer,
        }


def _median(xs: list[float]) -> float | None:
    import statistics

    return round(float(statistics.median(xs)), 2) if xs else None


def _rate(x: Rate) -> dict[str, Any]:
    return {"k": x.k, "n": x.n, "value": x.value, "ci": list(x.ci) if x.ci else None}


def _fmt(x: Rate | None, ci: bool = True) -> str:
    if x is None or x.value is None:
        return "-"
    text = f"{x.value:.3f} ({x.k}/{x.n})"
    if ci and x.ci:
        text += f" [{x.ci[0]:.2f}-{x.ci[1]:.2f}]"
    return text


def format_table(rows: Sequence[SetRow]) -> str:
    """ONE plain-text table for all external sets, then per-category recall and what the
    dialogue sets flagged (their labels are hidden: counts, categories, median time)."""
    from eval.report import flag_timing_text

    head = ["set", "items", "time s", "emergencies", "recall [95% CI]",
            "specificity [95% CI]", "routine false alarms", "under-triage",
            "flagged or asked", "intent acc.", "WER"]
    body: list[list[str]] = []
    notes: list[str] = []
    for row in rows:
        if row.report is None:
            body.append([row.name, "-", "-", "-", f"skipped: {row.skipped}"] + ["-"] * 6)
            continue
        r = row.report
        e = r.emergency
        body.append([row.name, str(row.n), f"{row.seconds:.0f}", str(e.recall.n),
                     _fmt(e.recall), _fmt(e.specificity), _fmt(e.false_alarm, ci=False),
                     _fmt(r.urgency.under_triage, ci=False), _fmt(row.asked(), ci=False),
                     _fmt(r.intent.accuracy, ci=False),
                     "-" if r.asr.wer is None else f"{r.asr.wer:.3f}"])
        if e.per_red_flag:
            notes.append(f"{row.name} per-category recall: " + ", ".join(
                f"{c} {v.k}/{v.n}" for c, v in e.per_red_flag.items()))
        if any(x.kind == "dialogue" for x in r.results):
            d = row.to_dict()
            median = d["median_time_to_flag_s"]
            context = r.meta.get("question_context")
            if context is not None:
                notes.append(f"{row.name} replay: " + (
                    "caller answers read with the preceding question" if context
                    else "caller turns alone (no question context)"))
            notes.append(
                f"{row.name}: {d['predicted_emergencies']} of {row.n} dialogues flagged "
                f"emergency, categories {d['flagged_categories'] or '{}'}, median time to flag "
                + ("-" if median is None else f"{median:.1f} s"))
            notes.append(f"{row.name} " + flag_timing_text(r))
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(b) for b in body]
    return "\n".join(out + [""] + notes)


def write_index(rows: Sequence[SetRow], out: Path) -> Path:
    """``index.html``: the same table, each set linking to its full report."""
    import html

    out.mkdir(parents=True, exist_ok=True)
    table = format_table(rows)
    links = "".join(
        f'<li><a href="{html.escape(r.name)}/report.html">{html.escape(r.name)}</a></li>'
        for r in rows if r.report is not None)
    page = ("<!doctype html><meta charset='utf-8'><title>External sets</title>"
            "<h1>permanence: external evaluation sets</h1>"
            f"<pre>{html.escape(table)}</pre><ul>{links}</ul>"
            "<p>Evaluation only: these sets are never used to train, tune or write rules.</p>")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def run_external(directory: Path | None = None, *, out: Path | None = None,
                 config: EvalConfig | None = None, progress: bool = True,
                 classifier: Any = None, recognizer: Any = None,
                 rows: list[SetRow] | None = None) -> dict[str, Any]:
    """Evaluate every external set present; returns ``{set: summary | {"skipped": why}}``.
    ``rows`` (when given) receives one `SetRow` per set, for `format_table`."""
    from eval.report import write_report
    from eval.runner import evaluate, load_engines

    directory = directory or default_external_dir()
    config = config or EvalConfig()
    if not directory.is_dir():
        return {"skipped": f"{directory} not present (external sets are optional)"}
    result: dict[str, Any] = {"dir": str(directory), "sets": {},
                              "question_context": config.question_context}
    rows = rows if rows is not None else []
    for spec in EXTERNAL_SETS:
        if not (directory / spec.relpath).is_file():
            result["sets"][spec.name] = {"skipped": f"{spec.relpath} not present"}
            rows.append(SetRow(spec.name, 0, 0.0, skipped=f"{spec.relpath} not present"))
            continue
        try:
            dataset = load_external(spec, directory)
        except DatasetError as exc:
            result["sets"][spec.name] = {"skipped": f"unreadable: {exc}"}
            rows.append(SetRow(spec.name, 0, 0.0, skipped="unreadable"))
            continue
        started = time.perf_counter()
        classifier, recognizer = load_engines(config, dataset, classifier, recognizer)
        report = evaluate(dataset, classifier=classifier, recognizer=recognizer, config=config,
                          progress=progress)
        row = SetRow(spec.name, report.n, time.perf_counter() - started, report)
        rows.append(row)
        entry: dict[str, Any] = {"summary": report.summary(), "table": row.to_dict()}
        flagged = [r for r in report.results if r.predicted_emergency]
        entry["predicted_emergencies"] = len(flagged)
        if any(r.kind == "dialogue" for r in report.results):
            entry["flag_times_s"] = {r.id: r.time_to_flag_s for r in flagged}
        if out is not None:
            entry["report"] = str(write_report(report, out / spec.name).html)
        result["sets"][spec.name] = entry
    if out is not None:
        result["index"] = str(write_index(rows, out))
    return result
