"""Every metric against values computed by hand (see the comments) on hand-made predictions."""

from __future__ import annotations

import pytest
from sklearn.metrics import f1_score

from eval import metrics
from eval.runner import build_report

approx = pytest.approx


def test_wilson_interval_matches_hand_computation() -> None:
    # 2/4: centre (0.5 + z²/8)/(1 + z²/4) = 0.5, half = z*sqrt(1/16 + z²/64)/(1 + z²/4) = 0.34996
    lo, hi = metrics.wilson_interval(2, 4)
    assert (lo, hi) == (approx(0.15004, abs=1e-4), approx(0.84996, abs=1e-4))
    # 10/10: lower bound n/(n + z²) = 10/13.8415 = 0.72246, upper 1
    lo, hi = metrics.wilson_interval(10, 10)
    assert lo == approx(0.72246, abs=1e-4) and hi == 1.0
    assert metrics.wilson_interval(0, 0) is None
    r = metrics.rate(0, 0)
    assert r.value is None and r.ci is None and r.n == 0


def test_emergency_metrics(hand_results) -> None:
    e = metrics.emergency_metrics(hand_results)
    # positives e1..e4, detected e1, e3
    assert (e.recall.k, e.recall.n, e.recall.value) == (2, 4, 0.5)
    assert e.recall.ci == (approx(0.15004, abs=1e-4), approx(0.84996, abs=1e-4))
    # routine r1, r2, r3: r2 alerted
    assert (e.false_alarm.k, e.false_alarm.n) == (1, 3)
    # non-emergencies u1..u3, r1..r3: u2, u3, r1, r3 not alerted
    assert (e.specificity.k, e.specificity.n) == (4, 6)
    assert {c: (r.k, r.n) for c, r in e.per_red_flag.items()} == {
        "chest_pain": (2, 2), "stroke": (0, 1)}
    # detected with a known category: e1 right, e3 raised breathing for chest_pain
    assert (e.category_accuracy.k, e.category_accuracy.n) == (1, 2)


def test_urgency_confusion_and_triage_rates(hand_results) -> None:
    u = metrics.urgency_metrics(hand_results)
    assert u.confusion == {
        "emergency": {"emergency": 2, "urgent": 1, "routine": 1},
        "urgent": {"emergency": 1, "urgent": 1, "routine": 1},
        "routine": {"emergency": 1, "urgent": 1, "routine": 1},
    }
    assert u.n_confusion == 10
    assert (u.under_triage.k, u.under_triage.n) == (3, 10)  # e2, e4, u3
    assert (u.over_triage.k, u.over_triage.n) == (3, 10)  # u1, r2, r3


def test_intent_metrics(hand_results) -> None:
    i = metrics.intent_metrics(hand_results)
    assert (i.accuracy.k, i.accuracy.n) == (5, 9)  # e4 has no gold intent
    sym = i.per_class["symptom_report"]
    assert (sym.precision, sym.recall, sym.support, sym.predicted) == (0.75, 0.6, 5, 4)
    assert sym.f1 == approx(2 * 0.75 * 0.6 / 1.35)
    assert i.per_class["appointment_booking"].f1 == approx(0.5)
    assert i.per_class["prescription_renewal"].f1 == 1.0
    assert i.per_class["appointment_change"].recall is None  # no gold support
    assert i.per_class["administrative"].precision is None  # never predicted
    assert "test_results" not in i.per_class
    # (0.6667 + 0.5 + 0 + 1 + 0 + 0) / 6
    assert i.macro_f1 == approx((2 * 0.75 * 0.6 / 1.35 + 0.5 + 1.0) / 6)
    gold = [r.gold.intent.value for r in hand_results if r.gold.intent]
    pred = [r.intent.value for r in hand_results if r.gold.intent]
    assert i.macro_f1 == approx(f1_score(gold, pred, average="macro", zero_division=0))
    assert i.confusion["administrative"]["symptom_report"] == 1


def test_calibration_ece_and_bins(hand_results) -> None:
    scores = [r.emergency_score for r in hand_results]
    labels = [bool(r.gold.is_emergency) for r in hand_results]
    cal = metrics.calibration(scores, labels, n_bins=10)
    # bin0 {.05,.02}: .2*.035; then one item per bin: .12(+) .22 .33 .41(+) .61 .72 .85(+) .95(+)
    expected = 0.2 * 0.035 + 0.1 * (0.88 + 0.22 + 0.33 + 0.59 + 0.61 + 0.72 + 0.15 + 0.05)
    assert cal.ece == approx(expected)
    assert cal.n == 10
    assert [b.n for b in cal.bins] == [2, 1, 1, 1, 1, 0, 1, 1, 1, 1]
    assert cal.bins[0].mean_score == approx(0.035) and cal.bins[0].positive_rate == 0
    assert cal.bins[5].mean_score is None
    # a score of exactly 1.0 lands in the last bin; perfect calibration gives 0
    perfect = metrics.calibration([1.0, 0.0], [True, False])
    assert perfect.ece == 0 and perfect.bins[9].n == 1
    assert metrics.calibration([], []).ece is None


def test_threshold_sweep(hand_results) -> None:
    scores = [r.emergency_score for r in hand_results]
    labels = [bool(r.gold.is_emergency) for r in hand_results]
    sweep = {p.threshold: p for p in metrics.threshold_sweep(scores, labels)}
    assert len(sweep) == 21
    assert (sweep[0.0].recall, sweep[0.0].alert_rate) == (1.0, 1.0)
    assert (sweep[0.4].recall, sweep[0.4].alert_rate, sweep[0.4].alerts) == (0.75, 0.5, 5)
    assert (sweep[0.5].recall, sweep[0.5].alert_rate) == (0.5, 0.4)  # e1 e3 u1 r2
    assert (sweep[1.0].recall, sweep[1.0].alert_rate) == (0.0, 0.0)


def test_latency_percentiles(hand_results) -> None:
    lat = metrics.latency([r.latency_ms for r in hand_results])  # 10, 20, ..., 100
    # p50 between 50 and 60; p95 at rank 8.55 -> 90 + 0.55*10
    assert (lat.p50, lat.p95, lat.n) == (approx(55.0), approx(95.5), 10)
    assert metrics.latency([]).p50 is None


def test_asr_wer_and_triage_term_recall(mk) -> None:
    a = mk("a1", kind="audio", text="il a mal à la poitrine depuis heure",
           reference="Il a mal à la poitrine depuis une heure.",
           triage_terms=("poitrine", "une heure"), triage_terms_found=1)
    b = mk("a2", kind="audio", text="bonjour docteurs", reference="Bonjour, docteur !")
    no_ref = mk("a3", kind="audio", text="whatever", reference=None)
    asr = metrics.asr_metrics([a, b, no_ref, mk("t1")])
    # one deletion of 9 words + one substitution of 2 words
    assert asr.wer == approx(2 / 11)
    assert asr.n == 2
    assert (asr.triage_term_recall.k, asr.triage_term_recall.n) == (1, 2)
    assert metrics.term_found("une heure", a.reference or "")
    assert not metrics.term_found("une heure", a.text)
    assert metrics.term_found("Poitrine", "J’ai mal à la POITRINE, vite")
    assert not metrics.term_found("mal", "malaise")  # whole words only
    assert metrics.asr_metrics([mk("t")]).wer is None


def test_time_to_flag(mk) -> None:
    res = [
        mk("d1", kind="dialogue", gold_urgency="emergency", time_to_flag_s=2.0),
        mk("d2", kind="dialogue", gold_urgency="emergency", time_to_flag_s=4.0),
        mk("d3", kind="dialogue", gold_urgency="emergency", time_to_flag_s=10.0),
        mk("d4", kind="dialogue", gold_urgency="emergency", time_to_flag_s=None),
        mk("d5", kind="dialogue", gold_urgency="routine", time_to_flag_s=1.0),
        mk("t1", gold_urgency="emergency", pred="emergency"),
    ]
    ttf = metrics.time_to_flag(res)
    # median of 2, 4, 10 = 4; p90 at rank 1.8 -> 4 + 0.8*6
    assert (ttf.median, ttf.p90, ttf.n, ttf.missed) == (4.0, approx(8.8), 3, 1)


def test_slices(hand_results) -> None:
    by_lang = metrics.slices(hand_results, lambda r: r.language)
    fr, en = by_lang["fr"], by_lang["en"]
    assert fr.n == 6 and en.n == 4
    assert (fr.emergency_recall.k, fr.emergency_recall.n) == (1, 2)
    assert (fr.under_triage.k, fr.under_triage.n) == (2, 6)  # e2, u3
    assert (fr.over_triage.k, fr.over_triage.n) == (1, 6)  # u1
    assert (fr.intent_accuracy.k, fr.intent_accuracy.n) == (5, 6)
    assert (en.emergency_recall.k, en.emergency_recall.n) == (1, 2)
    assert (en.under_triage.k, en.over_triage.k) == (1, 2)
    assert (en.intent_accuracy.k, en.intent_accuracy.n) == (0, 3)
    by_kind = metrics.slices(hand_results, lambda r: r.kind)
    assert set(by_kind) == {"dialogue", "text"} and by_kind["dialogue"].n == 1


def test_misses_lists_every_under_triaged_item_most_dangerous_first(hand_results) -> None:
    assert [r.id for r in metrics.misses(hand_results)] == ["e4", "e2", "u3"]


def test_binary_and_acceptable_labels_used_as_the_source_intends(mk) -> None:
    # Semigran non-emergent: urgent, routine also acceptable, binary non_emergency.
    ok = mk("n1", gold_urgency="urgent", acceptable=("urgent", "routine"), binary=False,
            pred="routine")
    over = mk("n2", gold_urgency="urgent", acceptable=("urgent", "routine"), binary=False,
              pred="emergency")
    only_binary_pos = mk("b1", binary=True, pred="urgent")
    only_binary_neg = mk("b2", binary=False, pred="routine")
    res = [ok, over, only_binary_pos, only_binary_neg]
    assert not ok.under_triaged and not ok.over_triaged
    assert over.over_triaged
    assert only_binary_pos.under_triaged and not only_binary_neg.under_triaged
    e = metrics.emergency_metrics(res)
    assert (e.recall.k, e.recall.n) == (0, 1)
    assert (e.specificity.k, e.specificity.n) == (2, 3)
    assert e.false_alarm.n == 0  # no item whose only acceptable answer is routine
    u = metrics.urgency_metrics(res)
    assert u.n_confusion == 2  # only items with a gold urgency enter the 3x3 matrix
    assert (u.under_triage.k, u.under_triage.n) == (1, 4)
    assert (u.over_triage.k, u.over_triage.n) == (1, 4)


def test_summary_has_exactly_the_documented_keys(hand_results, mk) -> None:
    s = build_report(hand_results).summary()
    assert list(s) == ["schema", "n", "emergency", "urgency", "intent", "time_to_flag_s",
                       "asr", "latency_ms"]
    assert s["schema"] == 1 and s["n"] == 10
    assert set(s["emergency"]) == {"recall", "recall_ci", "n_positive", "false_alarm_rate",
                                   "specificity", "per_red_flag"}
    assert s["emergency"]["per_red_flag"] == {"chest_pain": {"n": 2, "recall": 1.0},
                                              "stroke": {"n": 1, "recall": 0.0}}
    assert s["emergency"]["recall_ci"] == [approx(0.15004, abs=1e-4), approx(0.84996, abs=1e-4)]
    assert set(s["urgency"]) == {"confusion", "under_triage_rate", "over_triage_rate"}
    assert set(s["intent"]) == {"accuracy", "macro_f1", "per_class"}
    assert set(s["intent"]["per_class"]["symptom_report"]) == {"precision", "recall", "f1",
                                                               "support"}
    assert s["time_to_flag_s"] == {"median": None, "p90": None, "n": 0}
    assert s["asr"] == {"wer": None, "triage_term_recall": None, "n": 0}
    assert s["latency_ms"] == {"p50": approx(55.0), "p95": approx(95.5)}
    # An unlabeled set: sections hold nulls, counts stay 0.
    u = build_report([mk("x1"), mk("x2")]).summary()
    assert u["emergency"] == {"recall": None, "recall_ci": None, "n_positive": 0,
                              "false_alarm_rate": None, "specificity": None,
                              "per_red_flag": {}}
    assert u["urgency"] == {"confusion": None, "under_triage_rate": None,
                            "over_triage_rate": None}
    assert u["intent"] == {"accuracy": None, "macro_f1": None, "per_class": {}}
