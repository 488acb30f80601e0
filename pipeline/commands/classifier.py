"""``permanence classify``, ``permanence train`` and ``permanence bench classify``.

Here, in the composer, because they read `pipeline.settings`: `classifier` itself never
imports `pipeline` (issue 13, layering)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from classifier.engine import Classifier


class Language(StrEnum):
    fr = "fr"
    en = "en"


def _classifier(use_model: bool | None = None) -> Classifier:
    # Settings are read here, at the edge, and mapped onto the classifier's own config.
    from classifier import Classifier
    from pipeline.engines import classifier_config
    from pipeline.settings import get_settings

    settings = get_settings()
    if use_model is not None:
        settings = settings.model_copy(update={"classifier_use_model": use_model})
    return Classifier.load(classifier_config(settings))


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        text: Annotated[str, typer.Argument(help="The caller's words (typed or transcribed).")],
        language: Annotated[Language | None, typer.Option(help="fr or en; detected if unset.")
                            ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        protocol_only: Annotated[bool, typer.Option(help="Rules only, no encoder.")] = False,
    ) -> None:
        """Classify an utterance (intent, urgency, red flags) and pre-fill the triage form."""
        clf = _classifier(False if protocol_only else None)
        lang = language.value if language else None
        c = clf.classify(text, lang)
        form = clf.extract_form(c.text, c.language, c)
        if as_json:
            out = c.to_dict()
            out["form"] = form.to_dict()
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        typer.echo(f"urgency: {c.urgency.value}   intent: {c.intent.value}   "
                   f"language: {c.language}   ({c.latency_ms:.1f} ms, {c.model_version})")
        for h in c.red_flags:
            typer.echo(f"  RED FLAG {h.category.value}: {h.span.text if h.span else '-'!r} "
                       f"[{h.source}]")
        for h in c.suspected:
            typer.echo(f"  suspected {h.category.value}: {h.span.text if h.span else '-'!r} "
                       f"[{h.source}] (ask the caller to confirm)")
        if c.needs_review:
            typer.echo(f"  needs review: {', '.join(c.review_reasons)}")
        typer.echo("form:")
        for name, value in form.to_dict().items():
            if value not in (None, [], ()):
                if isinstance(value, list):
                    shown = ", ".join(str(v["value"]) if isinstance(v, dict) else str(v)
                                      for v in value)
                else:
                    shown = value["value"] if isinstance(value, dict) and "value" in value \
                        else value
                typer.echo(f"  {name}: {shown}")

    @app.command("train")
    def train(
        seed: Annotated[int, typer.Option(help="Random seed (data split, heads init).")] = 13,
        data: Annotated[list[Path] | None, typer.Option(
            help="Training JSONL (LABELS.md format); repeatable. Default: models/corpus/*.jsonl")
        ] = None,
        out: Annotated[Path | None, typer.Option(help="Output folder for heads + model card. "
                                                      "Default: models/heads")] = None,
        epochs: Annotated[int, typer.Option(help="Training epochs of the heads.")] = 300,
        limit: Annotated[int | None, typer.Option(help="Use only the first N examples "
                                                       "(smoke runs).")] = None,
    ) -> None:
        """Train the intent/urgency/red-flag heads on the frozen encoder; write the model card."""
        from classifier.train import TrainDataError, train_heads
        from pipeline.settings import get_settings

        try:
            report = train_heads(data=data, out=out, seed=seed, epochs=epochs, limit=limit,
                                 model_cache_dir=get_settings().model_cache_dir,
                                 progress=True)
        except TrainDataError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(json.dumps(report, indent=2))

    @bench_app.command("classify")
    def bench_classify(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (always JSON).")] = True,
        n: Annotated[int, typer.Option(help="Utterances timed.")] = 300,
        protocol_only: Annotated[bool, typer.Option(help="Rules only, no encoder.")] = False,
    ) -> None:
        """Latency per utterance (p50/p95), throughput, peak RSS, dev emergency recall."""
        from classifier.bench import run_bench

        clf = _classifier(False if protocol_only else None)
        typer.echo(json.dumps(run_bench(clf, n=n), indent=2))
