"""Report outputs: ``summary.json``, ``report.html`` (self-contained), ``misses.jsonl`` and
``predictions.jsonl``; plus the figures (matplotlib) the HTML and the notebook show."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from eval.types import EvalReport, Rate, SliceMetrics

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> ModuleType:
    """matplotlib on first plot only: every ``permanence`` command imports this package, and
    pyplot alone costs ~0.3 s of start-up."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class ReportFiles:
    summary: Path
    html: Path
    misses: Path
    predictions: Path


def _matrix_figure(matrix: Mapping[str, Mapping[str, int]], title: str) -> Figure:
    rows = list(matrix)
    cols = list(next(iter(matrix.values()), {}) or rows)
    values = [[matrix[r].get(c, 0) for c in cols] for r in rows]
    size = max(3.6, 0.7 * len(cols) + 2.2)
    fig, ax = _pyplot().subplots(figsize=(size, size * 0.85), dpi=90)
    ax.imshow(values or [[0]], cmap="Blues")
    ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    top = max((v for row in values for v in row), default=0)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if top and v > top / 2 else "black")
    fig.tight_layout()
    return fig


def urgency_confusion_figure(report: EvalReport) -> Figure:
    return _matrix_figure(report.urgency.confusion,
                          f"Urgency (n={report.urgency.n_confusion})")


def intent_confusion_figure(report: EvalReport) -> Figure:
    conf = report.intent.confusion or {"(none)": {"(none)": 0}}
    return _matrix_figure(conf, f"Intent (n={report.intent.accuracy.n})")


def reliability_figure(report: EvalReport) -> Figure:
    cal = report.calibration
    fig, ax = _pyplot().subplots(figsize=(4.2, 3.8), dpi=90)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect")
    pts = [(b.mean_score or 0.0, b.positive_rate or 0.0, b.n) for b in cal.bins if b.n]
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color="#c0392b",
                label="emergency score")
        for x, y, n in pts:
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean emergency score (bin)")
    ax.set_ylabel("fraction gold emergencies")
    ece = "n/a" if cal.ece is None else f"{cal.ece:.3f}"
    ax.set_title(f"Reliability (ECE={ece}, n={cal.n})", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def sweep_figure(report: EvalReport) -> Figure:
    fig, ax = _pyplot().subplots(figsize=(4.2, 3.8), dpi=90)
    pts = [p for p in report.sweep if p.recall is not None and p.alert_rate is not None]
    if pts:
        ax.plot([p.alert_rate or 0.0 for p in pts], [p.recall or 0.0 for p in pts], marker=".",
                color="#2c3e50")
        for p in pts[::4]:
            ax.annotate(f"{p.threshold:.2f}", (p.alert_rate or 0, p.recall or 0),
                        textcoords="offset points", xytext=(4, -10), fontsize=7)
    e = report.emergency
    alerts = sum(r.predicted_emergency for r in report.results if r.gold.is_emergency is not None)
    labeled = sum(1 for r in report.results if r.gold.is_emergency is not None)
    if e.recall.value is not None and labeled:
        ax.plot([alerts / labeled], [e.recall.value], marker="*", ms=12, color="#c0392b",
                ls="none", label="system decision")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("alert rate (items flagged emergency)")
    ax.set_ylabel("emergency recall")
    ax.set_title("Threshold sweep on the emergency score", fontsize=10)
    fig.tight_layout()
    return fig


def figures(report: EvalReport) -> dict[str, Figure]:
    return {
        "urgency_confusion": urgency_confusion_figure(report),
        "intent_confusion": intent_confusion_figure(report),
        "reliability": reliability_figure(report),
        "sweep": sweep_figure(report),
    }


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (which is then closed); for notebooks: ``Image(figure_png(f))``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    _pyplot().close(fig)
    return buf.getvalue()


def _png_b64(fig: Figure) -> str:
    return base64.b64encode(figure_png(fig)).decode("ascii")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _rate(r: Rate) -> str:
    if r.value is None:
        return f"— (n={r.n})"
    lo, hi = r.ci or (0.0, 0.0)
    return f"{r.value:.3f} ({r.k}/{r.n}; 95% CI {lo:.3f}–{hi:.3f})"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _slices_table(slices: Mapping[str, SliceMetrics]) -> str:
    return _table(
        ["slice", "n", "emergency recall", "routine false alarms", "under-triage",
         "over-triage", "intent accuracy"],
        [[k, s.n, _rate(s.emergency_recall),
          _rate(s.false_alarm) if s.false_alarm else "—", _rate(s.under_triage),
          _rate(s.over_triage), _rate(s.intent_accuracy)] for k, s in slices.items()],
    )


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.miss td{background:#fff4f4}.figs{display:flex;flex-wrap:wrap;gap:1em}
.figs figure{margin:0}.note{color:#666;font-size:.85em}
"""


def render_html(report: EvalReport) -> str:
    """The self-contained HTML report (figures inlined as base64 PNG)."""
    e, u, i = report.emergency, report.urgency, report.intent
    figs = {name: _png_b64(fig) for name, fig in figures(report).items()}
    alt = {"urgency_confusion": "urgency confusion matrix",
           "intent_confusion": "intent confusion matrix",
           "reliability": "reliability diagram", "sweep": "threshold sweep curve"}
    fig_html = "".join(
        f'<figure><img id="fig-{n}" alt="{alt[n]}" src="data:image/png;base64,{b}">'
        f"<figcaption>{alt[n]}</figcaption></figure>"
        for n, b in figs.items()
    )
    headline = _table(["metric", "value"], [
        ["items", report.n],
        ["emergency recall (sensitivity)", _rate(e.recall)],
        ["false-alarm rate on routine items", _rate(e.false_alarm)],
        ["specificity on non-emergencies", _rate(e.specificity)],
        ["red-flag category accuracy (detected emergencies)", _rate(e.category_accuracy)],
        ["under-triage rate", _rate(u.under_triage)],
        ["over-triage rate", _rate(u.over_triage)],
        ["intent accuracy", _rate(i.accuracy)],
        ["intent macro-F1", _fmt(i.macro_f1)],
        ["ECE (emergency score)", f"{_fmt(report.calibration.ece)} (n={report.calibration.n})"],
        ["latency p50 / p95 (ms)",
         f"{_fmt(report.latency_ms.p50, 1)} / {_fmt(report.latency_ms.p95, 1)} "
         f"(n={report.latency_ms.n})"],
        ["time to flag median / p90 (s, dialogues)",
         f"{_fmt(report.time_to_flag.median, 2)} / {_fmt(report.time_to_flag.p90, 2)} "
         f"(flagged {report.time_to_flag.n}, never flagged {report.time_to_flag.missed})"],
        ["ASR WER (audio items)", f"{_fmt(report.asr.wer)} (n={report.asr.n})"],
        ["triage-term recall (audio items)", _rate(report.asr.triage_term_recall)],
    ])
    per_flag = _table(["red flag", "recall"],
                      [[c, _rate(r)] for c, r in e.per_red_flag.items()])
    per_class = _table(["intent", "precision", "recall", "F1", "support", "predicted"],
                       [[c, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), s.support,
                         s.predicted] for c, s in i.per_class.items()])
    miss_rows = []
    for r in report.misses:
        d = r.to_dict()
        gold = d["gold"]["urgency"] or "/".join(d["gold"]["urgency_acceptable"] or []) or (
            d["gold"]["urgency_binary"])
        scores = ", ".join(f"{k}={v:.2f}" for k, v in r.urgency_scores.items())
        hits = "; ".join(f"{h.category} [{h.source}] {h.span or ''}" for h in r.red_flags)
        miss_rows.append([r.id, r.kind, r.text[:400], gold,
                          d["gold"]["red_flag"] or "", r.urgency.value,
                          "yes" if r.needs_review else "no", scores, hits or "none"])
    # "human review" shows whether a person would still have seen the call despite the miss.
    misses = _table(["id", "kind", "text / transcript", "gold", "gold red flag", "predicted",
                     "human review", "urgency scores", "rule hits"], miss_rows, cls="miss")
    sweep = _table(["threshold", "recall", "alert rate", "alerts"],
                   [[f"{p.threshold:.2f}", _fmt(p.recall), _fmt(p.alert_rate), p.alerts]
                    for p in report.sweep])
    dialogue_html = _dialogue_html(report)
    unlabeled = [r for r in report.results if not r.gold.is_labeled]
    unlabeled_html = ""
    if unlabeled:
        unlabeled_html = (f"<h2>Unlabeled items: predictions only ({len(unlabeled)})</h2>"
                          + _table(["id", "kind", "text / transcript", "predicted urgency",
                                    "intent", "red flags"],
                                   [[r.id, r.kind, r.text[:300], r.urgency.value,
                                     r.intent.value,
                                     ", ".join(sorted({h.category for h in r.red_flags}))]
                                    for r in unlabeled]))
    skipped = ""
    if report.skipped:
        skipped = "<h2>Skipped invalid lines</h2>" + _table(
            ["line", "reason"], [[s.line, s.reason] for s in report.skipped])
    title = f"Safety evaluation — {html.escape(report.dataset)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_CSS}</style></head>
<body><h1>{title}</h1>
<p class="note">created {html.escape(report.created_at)} · model
{html.escape(", ".join(report.model_versions))} · config
{html.escape(str(report.meta.get("config", "")))} · rates with Wilson 95% intervals</p>
<h2>Headline</h2>{headline}
<h2>Critical misses: every under-triaged item ({len(report.misses)})</h2>{misses}
<h2>Plots</h2><div class="figs">{fig_html}</div>
<h2>Emergency recall per red-flag category</h2>{per_flag}
<h2>Intent per class</h2>{per_class}
<h2>Slices by language</h2>{_slices_table(report.by_language)}
<h2>Slices by input kind</h2>{_slices_table(report.by_kind)}
{"<h2>Slices by style</h2>" + _slices_table(report.by_style) if report.by_style else ""}
<h2>Threshold sweep</h2>{sweep}
{dialogue_html}
{unlabeled_html}
{skipped}
</body></html>
"""


def style_text(report: EvalReport) -> str:
    """One line of aggregates per ``style`` (recall, routine false alarms): what a rule or
    model writer may read of a set they must not open."""
    def one(r: Rate | None) -> str:
        return "-" if r is None or r.value is None else f"{r.value:.3f} ({r.k}/{r.n})"

    return "\n".join(f"style {k}: n {v.n}, emergency recall {one(v.emergency_recall)}, "
                     f"routine false alarms {one(v.false_alarm)}, under-triage "
                     f"{one(v.under_triage)}" for k, v in report.by_style.items())


def flag_timing_text(report: EvalReport) -> str:
    """Aggregates only (no item, no words): where a dialogue set's flags came from, for the
    CLI and the external table."""
    t = report.flag_timing
    if t is None:
        return ""
    flagged = sum(t.by_signal.values())
    signals = ", ".join(f"{k} {v} (median {_fmt(t.median_t_by_signal.get(k), 1)} s)"
                        for k, v in t.by_signal.items()) or "none"
    text = (f"flags: {flagged} dialogues, raised by {signals}; {t.on_final} on a whole "
            f"utterance; median caller turn {_fmt(t.median_turn, 1)}, "
            f"{_fmt(t.median_into_turn_s, 1)} s into it")
    if t.category_known:
        text += (f"; category raised at the flag right {t.category_right}/"
                 f"{t.category_known} (labeled)")
    if t.by_evidence_kind:
        text += "\ndecisive evidence -> flag (before / on time / late > " \
                f"{t.late_after_s:g} s / never, median delay): " + "; ".join(
                    f"{k} {v.before}/{v.on_time}/{v.late}/{v.missed} "
                    f"({_fmt(v.median_delay_s, 1)} s)" for k, v in t.by_evidence_kind.items())
    return text


def _dialogue_html(report: EvalReport) -> str:
    """When and how each dialogue was flagged, and (labeled sets with ``evidence``) how long
    after the decisive words; then the aggregates a team acts on."""
    dialogues = [r for r in report.results if r.kind == "dialogue"]
    timing = report.flag_timing
    if not dialogues or timing is None:
        return ""

    def where(r: Any) -> str:
        f = r.flag
        if f is None:
            return ""
        return (f"caller turn {f.turn}, word {f.word}/{f.words}"
                + (" (whole utterance)" if f.final else ""))

    rows = [[r.id, (r.gold.urgency.value if r.gold.urgency else "unlabeled"), r.urgency.value,
             _fmt(r.time_to_flag_s, 2), where(r),
             r.flag.category if r.flag else "", r.flag.source if r.flag else "",
             r.evidence_kind or "", _fmt(r.evidence_t, 2), _fmt(r.flag_delay_s, 2),
             "; ".join(f"{h.category} '{h.span or ''}' @{_fmt(h.t, 2)}" for h in r.red_flags)]
            for r in dialogues]
    table = _table(["id", "gold", "predicted", "flagged at (s)", "where", "category",
                    "raised by", "decisive evidence", "said at (s)", "delay (s)",
                    "red flags (heard at s)"], rows)
    signals = ", ".join(f"{k} {v} (median {_fmt(timing.median_t_by_signal.get(k), 1)} s)"
                        for k, v in timing.by_signal.items()) or "none"
    aggregate = _table(["", "value"], [
        ["flags by signal", signals],
        ["flags raised on a whole utterance", str(timing.on_final)],
        ["median caller turn of the flag (0-based)", _fmt(timing.median_turn, 1)],
        ["median seconds into that turn", _fmt(timing.median_into_turn_s, 2)],
        ["category raised at the flag = gold category",
         f"{timing.category_right}/{timing.category_known}"],
    ])
    kinds = _table(["decisive evidence", "n", "flagged", "before the words", "on time",
                    f"late (> {timing.late_after_s:g} s)", "never", "median delay (s)"],
                   [[k, v.n, v.flagged, v.before, v.on_time, v.late, v.missed,
                     _fmt(v.median_delay_s, 2)] for k, v in timing.by_evidence_kind.items()])
    return ("<h2>Dialogues: when the emergency was raised</h2>" + table
            + "<h3>Where the flags come</h3>" + aggregate
            + ("<h3>Per kind of decisive evidence</h3>" + kinds
               if timing.by_evidence_kind else ""))


def write_report(report: EvalReport, out_dir: str | Path) -> ReportFiles:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(summary=out / "summary.json", html=out / "report.html",
                        misses=out / "misses.jsonl", predictions=out / "predictions.jsonl")
    files.summary.write_text(json.dumps(report.summary(), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    files.html.write_text(render_html(report), encoding="utf-8")
    if report.flag_timing is not None:
        (out / "time_to_flag.json").write_text(
            json.dumps(report.flag_timing.to_dict(), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
    for path, rows in ((files.misses, report.misses), (files.predictions, report.results)):
        with path.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    return files
