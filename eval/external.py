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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.config import EvalConfig
from eval.dataset import Dataset, DatasetError, dataset_from_rows

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


def run_external(directory: Path | None = None, *, out: Path | None = None,
                 config: EvalConfig | None = None, progress: bool = True,
                 classifier: Any = None, recognizer: Any = None) -> dict[str, Any]:
    """Evaluate every external set present; returns ``{set: summary | {"skipped": why}}``."""
    from eval.report import write_report
    from eval.runner import evaluate, load_engines

    directory = directory or default_external_dir()
    config = config or EvalConfig()
    if not directory.is_dir():
        return {"skipped": f"{directory} not present (external sets are optional)"}
    result: dict[str, Any] = {"dir": str(directory), "sets": {}}
    for spec in EXTERNAL_SETS:
        if not (directory / spec.relpath).is_file():
            result["sets"][spec.name] = {"skipped": f"{spec.relpath} not present"}
            continue
        try:
            dataset = load_external(spec, directory)
        except DatasetError as exc:
            result["sets"][spec.name] = {"skipped": f"unreadable: {exc}"}
            continue
        classifier, recognizer = load_engines(config, dataset, classifier, recognizer)
        report = evaluate(dataset, classifier=classifier, recognizer=recognizer, config=config,
                          progress=progress)
        entry: dict[str, Any] = {"summary": report.summary()}
        flagged = [r for r in report.results if r.predicted_emergency]
        entry["predicted_emergencies"] = len(flagged)
        if any(r.kind == "dialogue" for r in report.results):
            entry["flag_times_s"] = {r.id: r.time_to_flag_s for r in flagged}
        if out is not None:
            entry["report"] = str(write_report(report, out / spec.name).html)
        result["sets"][spec.name] = entry
    return result
