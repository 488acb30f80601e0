"""``permanence eval DATA`` / ``permanence eval compare DATA --a A --b B`` /
``permanence bench eval-external``.

``eval`` is a group whose default command is ``run``: ``permanence eval DATA ...`` is
``permanence eval run DATA ...``, and ``compare`` is a real subcommand (a set file literally
named ``compare`` is reached as ``./compare``). Engines are built from their own config defaults
plus ``--config FILE`` (see `eval.config`); this module never imports ``pipeline``.

Exit codes: 0 ok; 1 the gate failed; 2 bad input (set, config) or an engine failure.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from eval.config import ConfigError, EvalConfig, GateConfig, load_config
from eval.dataset import Dataset, DatasetError, load_dataset

DEFAULT_OUT = Path("out/eval")  # /out/ is git-ignored


class DefaultRunGroup(TyperGroup):
    """A group that runs ``run`` when the first word is not one of its subcommands."""

    default_command = "run"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=DefaultRunGroup,
    no_args_is_help=True,
    help="Safety evaluation on a labeled set: `permanence eval DATA [--out DIR] [--json] "
    "[--gate] [--config FILE] [--skip-invalid]`, or `permanence eval compare DATA --a A --b B`.",
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _load(data: Path, skip_invalid: bool) -> Dataset:
    try:
        dataset = load_dataset(data, skip_invalid=skip_invalid)
    except DatasetError as exc:
        raise _fail(str(exc)) from None
    if dataset.skipped:
        typer.echo(f"skipped {len(dataset.skipped)} invalid line(s) of {data}:", err=True)
        for s in dataset.skipped:
            typer.echo(f"  line {s.line}: {s.reason}", err=True)
    return dataset


def _config(path: Path | None) -> EvalConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _with_words(config: EvalConfig, words_per_update: int | None,
                question_context: bool | None = None) -> EvalConfig:
    if words_per_update is not None:
        config = dataclasses.replace(config, words_per_update=words_per_update)
    if question_context is not None:
        config = dataclasses.replace(config, question_context=question_context)
    return config


_QUESTION_CONTEXT_HELP = ("Dialogue replay: read a caller's short yes/no answer with the "
                          "regulator's or agent's turn before it (default on, or the config's "
                          "replay.question_context).")


def _engines(config: EvalConfig, dataset: Dataset, recognizer: Any = None) -> tuple[Any, Any]:
    from eval.runner import load_engines

    try:
        classifier, recognizer = load_engines(config, dataset, recognizer=recognizer)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    model_error = getattr(classifier, "model_error", None)
    if model_error:
        # Never let a data team believe it measured the model when only the protocol ran.
        typer.echo(f"warning: classifier model unavailable ({model_error}); evaluating "
                   f"{getattr(classifier, 'version', 'the protocol alone')}", err=True)
    return classifier, recognizer


def _evaluate(dataset: Dataset, config: EvalConfig, classifier: Any, recognizer: Any,
              progress: bool) -> Any:
    from eval.runner import EvalError, evaluate

    try:
        return evaluate(dataset, classifier=classifier, recognizer=recognizer, config=config,
                        progress=progress)
    except EvalError as exc:
        raise _fail(str(exc)) from None


@eval_app.command("run")
def run_cmd(
    data: Annotated[Path, typer.Argument(help="Labeled set (.jsonl or .csv) per LABELS.md.")],
    out: Annotated[Path, typer.Option(help="Folder for summary.json, report.html, "
                                           "misses.jsonl, predictions.jsonl.")] = DEFAULT_OUT,
    json_out: Annotated[bool, typer.Option("--json", help="Also print summary.json on "
                                                          "stdout.")] = False,
    gate: Annotated[bool, typer.Option(help="Exit 1 when emergency recall is below the "
                                            "threshold or a critical category has a miss.")
                    ] = False,
    config: Annotated[Path | None, typer.Option(help="Evaluation config YAML (engine "
                                                      "overrides, gate).")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="Skip malformed lines (counted and "
                                                    "reported) instead of failing.")] = False,
    min_recall: Annotated[float | None, typer.Option(help="Gate threshold on emergency recall "
                                                          "(default 0.98 or the config's).")
                          ] = None,
    critical: Annotated[str | None, typer.Option(help="Comma-separated critical red-flag "
                                                      "categories for the gate.")] = None,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
    words_per_update: Annotated[int | None, typer.Option(
        min=1, help="Dialogue replay: words per streaming update (default 1, or the "
        "config's); larger is faster with coarser time to flag.")] = None,
    question_context: Annotated[bool | None, typer.Option(
        "--question-context/--no-question-context", help=_QUESTION_CONTEXT_HELP)] = None,
) -> None:
    """Evaluate the recognizer + classifier on a labeled set and write the report."""
    from eval.gate import check_gate
    from eval.report import write_report

    cfg = _with_words(_config(config), words_per_update, question_context)
    try:
        gate_cfg = GateConfig(
            min_recall=cfg.gate.min_recall if min_recall is None else min_recall,
            critical=cfg.gate.critical if critical is None
            else tuple(c.strip() for c in critical.split(",") if c.strip()),
        )
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    dataset = _load(data, skip_invalid)
    classifier, recognizer = _engines(cfg, dataset)
    report = _evaluate(dataset, cfg, classifier, recognizer, progress)
    files = write_report(report, out)
    summary = report.summary()
    if json_out:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    e = report.emergency.recall
    typer.echo(
        f"{report.n} items · emergency recall "
        + ("n/a" if e.value is None else f"{e.value:.3f} ({e.k}/{e.n})")
        + f" · under-triaged {len(report.misses)} · report {files.html}",
        err=True,
    )
    if report.by_style:
        from eval.report import style_text

        typer.echo(style_text(report), err=True)
    if report.flag_timing is not None:
        from eval.report import flag_timing_text

        typer.echo(f"dialogue replay: {cfg.replay_mode}", err=True)
        ttf = report.time_to_flag
        median = "-" if ttf.median is None else f"{ttf.median:.1f}"
        typer.echo(f"time to flag (gold emergencies): median {median} s, flagged {ttf.n}, "
                   f"never {ttf.missed}\n" + flag_timing_text(report), err=True)
    if gate:
        result = check_gate(report, gate_cfg)
        typer.echo(str(result), err=True)
        if not result.passed:
            raise typer.Exit(1)


@eval_app.command("compare")
def compare_cmd(
    data: Annotated[Path, typer.Argument(help="Labeled set (.jsonl or .csv).")],
    a: Annotated[Path, typer.Option("--a", help="Config YAML of configuration A.")],
    b: Annotated[Path, typer.Option("--b", help="Config YAML of configuration B.")],
    out: Annotated[Path | None, typer.Option(help="Also write compare.json and both "
                                                  "reports (a/, b/) here.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")
                        ] = False,
    skip_invalid: Annotated[bool, typer.Option(help="Skip malformed lines.")] = False,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """Two configurations on the same set, paired: McNemar (exact) on emergency detection and
    the items whose decision changed."""
    from eval.compare import compare_reports
    from eval.report import write_report

    cfg_a, cfg_b = _config(a), _config(b)
    dataset = _load(data, skip_invalid)
    clf_a, rec = _engines(cfg_a, dataset)
    report_a = _evaluate(dataset, cfg_a, clf_a, rec, progress)
    del clf_a
    if cfg_b.recognizer != cfg_a.recognizer:
        rec = None
    clf_b, rec = _engines(cfg_b, dataset, rec)
    report_b = _evaluate(dataset, cfg_b, clf_b, rec, progress)
    comparison = compare_reports(report_a, report_b)
    result = comparison.to_dict()
    if out is not None:
        write_report(report_a, out / "a")
        write_report(report_b, out / "b")
        (out / "compare.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    if json_out:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    ra, rb = result["a"], result["b"]

    def f(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    typer.echo(f"{comparison.a.n} items, {comparison.n_paired} with an emergency label")
    typer.echo(f"A ({a.name}): recall {f(ra['recall'])} false alarms "
               f"{f(ra['false_alarm_rate'])} under-triage {f(ra['under_triage_rate'])}")
    typer.echo(f"B ({b.name}): recall {f(rb['recall'])} false alarms "
               f"{f(rb['false_alarm_rate'])} under-triage {f(rb['under_triage_rate'])}")
    typer.echo(f"McNemar exact: A-only correct {comparison.a_only_correct}, B-only correct "
               f"{comparison.b_only_correct}, p = {comparison.p_value:.4g}")
    typer.echo(f"{len(comparison.changed)} item(s) changed:")
    for c in comparison.changed:
        typer.echo(f"  {c.id}: {c.verdict} {c.a.urgency.value} -> {c.b.urgency.value} "
                   f"({c.a.intent.value} -> {c.b.intent.value})")


def eval_external_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of the table.")
                        ] = False,
    directory: Annotated[Path | None, typer.Option("--dir", help="External sets folder "
                                                   "(default ../shared/external).")] = None,
    out: Annotated[Path, typer.Option(help="Reports per set under here.")
                   ] = Path("out/eval-external"),
    config: Annotated[Path | None, typer.Option(help="Evaluation config YAML.")] = None,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
    words_per_update: Annotated[int | None, typer.Option(
        min=1, help="Dialogue replay: words per streaming update (default 1, or the "
        "config's); larger is faster with coarser time to flag.")] = None,
    question_context: Annotated[bool | None, typer.Option(
        "--question-context/--no-question-context", help=_QUESTION_CONTEXT_HELP)] = None,
) -> None:
    """Evaluate on the public sets of ../shared/external (evaluation only; skipped cleanly when
    absent). Prints ONE table for all sets (recall, specificity, false alarms, under-triage,
    Wilson 95% CIs, per-category recall, dialogue flags and median time to flag) and writes
    the HTML reports (index.html + one per set) and summary.json under --out; --json prints
    that JSON instead."""
    from eval.external import SetRow, format_table, run_external

    rows: list[SetRow] = []
    started = time.perf_counter()
    cfg = _with_words(_config(config), words_per_update, question_context)
    result = run_external(directory, out=out, config=cfg, progress=progress, rows=rows)
    if "sets" in result:
        result["seconds"] = round(time.perf_counter() - started, 1)
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
    if json_out or "sets" not in result:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    typer.echo(format_table(rows))
    typer.echo(f"\ndialogue replay: {cfg.replay_mode}")
    typer.echo(f"\ntotal {result['seconds']:.0f} s (engines loaded once); reports: "
               f"{result.get('index')}  (JSON: {out / 'summary.json'})")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
    bench_app.command("eval-external")(eval_external_cmd)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(eval_app())
