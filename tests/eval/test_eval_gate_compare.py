"""The promotion gate and the paired comparison, on hand-made predictions."""

from __future__ import annotations

import dataclasses

import pytest

from classifier.labels import Urgency
from eval.compare import compare_reports, mcnemar_exact
from eval.config import ConfigError, GateConfig, load_config
from eval.gate import check_gate
from eval.runner import build_report


def _all_detected(results):
    return [dataclasses.replace(r, urgency=Urgency.EMERGENCY) if r.gold.is_emergency else r
            for r in results]


def test_gate_fails_on_low_recall_and_on_a_critical_miss(hand_results) -> None:
    result = check_gate(build_report(hand_results), GateConfig())
    assert not result.passed
    assert result.reasons[0] == ("emergency recall 0.5000 (2/4) is below the threshold 0.9800")
    assert "critical category stroke: 1 of 1 missed (e2)" in result.reasons
    assert "gate FAILED" in str(result)


def test_gate_critical_category_alone_fails(hand_results) -> None:
    result = check_gate(build_report(hand_results), GateConfig(min_recall=0.5,
                                                               critical=("stroke",)))
    assert result.reasons == ("critical category stroke: 1 of 1 missed (e2)",)
    # At exactly the threshold and no critical category listed: passes.
    ok = check_gate(build_report(hand_results), GateConfig(min_recall=0.5, critical=()))
    assert ok.passed and ok.reasons == () and str(ok) == "gate passed"


def test_gate_passes_when_every_emergency_is_caught(hand_results) -> None:
    assert check_gate(build_report(_all_detected(hand_results))).passed


def test_gate_fails_when_recall_cannot_be_measured(mk) -> None:
    result = check_gate(build_report([mk("r", gold_urgency="routine")]))
    assert not result.passed and "cannot be measured" in result.reasons[0]


def test_gate_config_validation(tmp_path) -> None:
    with pytest.raises(ConfigError, match="allowed values: chest_pain"):
        GateConfig(critical=("heart",))
    with pytest.raises(ConfigError, match="within"):
        GateConfig(min_recall=1.5)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("gate:\n  min_recall: 0.9\n  critical: [stroke]\nreplay:\n  "
                   "words_per_update: 2\nclassifier:\n  protocol_file: p.yaml\n")
    loaded = load_config(cfg)
    assert loaded.gate == GateConfig(min_recall=0.9, critical=("stroke",))
    assert loaded.words_per_update == 2 and loaded.classifier == {"protocol_file": "p.yaml"}
    cfg.write_text("gates: {}\n")
    with pytest.raises(ConfigError, match="unknown key.*gates.*allowed: classifier"):
        load_config(cfg)


def test_mcnemar_exact_hand_values() -> None:
    # b=1, c=5: 2 * (C(6,0) + C(6,1)) / 2^6 = 14/64
    assert mcnemar_exact(1, 5) == pytest.approx(0.21875)
    assert mcnemar_exact(5, 1) == pytest.approx(0.21875)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(3, 3) == 1.0
    # b=0, c=6: 2/64
    assert mcnemar_exact(0, 6) == pytest.approx(0.03125)


def test_compare_reports_pairs_items_and_lists_changes(hand_results) -> None:
    a = build_report(hand_results)
    b_results = _all_detected(hand_results)
    # B also stops alerting on routine r2 (a fix) and breaks nothing.
    b_results = [dataclasses.replace(r, urgency=Urgency.ROUTINE) if r.id == "r2" else r
                 for r in b_results]
    c = compare_reports(a, build_report(b_results))
    # emergency detection: e2, e4 and r2 right only with B
    assert (c.a_only_correct, c.b_only_correct, c.n_paired) == (0, 3, 10)
    assert c.p_value == pytest.approx(2 / 8)
    assert {x.id: x.verdict for x in c.changed} == {"e2": "fixed", "e4": "fixed", "r2": "fixed"}
    d = c.to_dict()
    assert d["a"]["recall"] == 0.5 and d["b"]["recall"] == 1.0
    assert d["mcnemar"] == {"a_only_correct": 0, "b_only_correct": 3, "p_value": 0.25}
    assert [x["id"] for x in d["changed"]] == ["e2", "e4", "r2"]
    with pytest.raises(ValueError, match="same items"):
        compare_reports(a, build_report(hand_results[:3]))
