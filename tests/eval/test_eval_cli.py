"""``permanence eval`` through the root CLI app (both forms: ``eval DATA`` and ``eval compare``),
with the real classifier (protocol-only config: fast and deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["eval", *args])


def test_bad_inputs_fail_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{oops\n', encoding="utf-8")
    res = invoke(str(bad), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "bad.jsonl:2: malformed JSON" in res.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    res = invoke(str(empty))
    assert res.exit_code == 2 and "empty" in res.output
    label = tmp_path / "label.jsonl"
    label.write_text('{"id": "a", "text": "x", "intent": "booking"}\n', encoding="utf-8")
    res = invoke(str(label))
    assert res.exit_code == 2 and "allowed values: symptom_report" in res.output
    audio = tmp_path / "audio.jsonl"
    audio.write_text('{"id": "a", "audio": "gone.wav", "text": "x"}\n', encoding="utf-8")
    res = invoke(str(audio))
    assert res.exit_code == 2 and "audio file not found" in res.output and "gone.wav" in res.output
    cfg = tmp_path / "c.yaml"
    cfg.write_text("classifier:\n  no_such_field: 1\n", encoding="utf-8")
    res = invoke(str(bad), "--config", str(cfg), "--skip-invalid")
    assert res.exit_code == 2 and "unknown field(s) no_such_field" in res.output


@pytest.mark.slow
def test_eval_writes_report_and_prints_summary(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = invoke(str(data_dir / "safety_small.jsonl"), "--out", str(out), "--json",
                 "--config", str(data_dir / "protocol_only.yaml"), "--no-progress")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary == json.loads((out / "summary.json").read_text())
    assert summary["schema"] == 1 and summary["n"] == 31
    assert summary["emergency"]["n_positive"] == 15
    assert summary["time_to_flag_s"]["n"] == 1  # the chest-pain dialogue
    assert (out / "report.html").is_file() and (out / "misses.jsonl").is_file()
    assert "31 items" in res.stderr


@pytest.mark.slow
def test_skip_invalid_counts_and_reports(tmp_path: Path, data_dir: Path) -> None:
    s = tmp_path / "s.jsonl"
    s.write_text('{"id": "a", "language": "fr", "text": "Je voudrais un rendez-vous.", '
                 '"urgency": "routine"}\n{oops\n{"id": "b", "text": 3}\n', encoding="utf-8")
    res = invoke(str(s), "--skip-invalid", "--out", str(tmp_path / "o"), "--no-progress",
                 "--config", str(data_dir / "protocol_only.yaml"))
    assert res.exit_code == 0, res.output
    assert "skipped 2 invalid line(s)" in res.stderr
    assert "line 2: malformed JSON" in res.stderr and "line 3: text must be a string" in res.stderr
    assert "Skipped invalid lines" in (tmp_path / "o" / "report.html").read_text()


@pytest.mark.slow
def test_gate_fails_and_passes_when_it_should(data_dir: Path, tmp_path: Path) -> None:
    cfg = str(data_dir / "protocol_only.yaml")
    gate_set = str(data_dir / "mislabeled_gate.jsonl")
    res = invoke(gate_set, "--gate", "--config", cfg, "--out", str(tmp_path / "a"),
                 "--no-progress")
    assert res.exit_code == 1, res.output
    assert "gate FAILED" in res.stderr
    assert "emergency recall 0.5000 (1/2) is below the threshold 0.9800" in res.stderr
    assert "critical category stroke: 1 of 1 missed (g-book-labeled-stroke)" in res.stderr
    # Thresholds from the command line: recall 0.5 allowed and no critical category -> pass.
    res = invoke(gate_set, "--gate", "--config", cfg, "--min-recall", "0.5", "--critical", "",
                 "--out", str(tmp_path / "b"), "--no-progress")
    assert res.exit_code == 0, res.output
    assert "gate passed" in res.stderr
    # Same set without the mislabeled item: recall 1.0 -> passes with the config's gate.
    clean = tmp_path / "clean.jsonl"
    lines = Path(gate_set).read_text().splitlines()
    clean.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    res = invoke(str(clean), "--gate", "--config", cfg, "--out", str(tmp_path / "c"),
                 "--no-progress")
    assert res.exit_code == 0 and "gate passed" in res.stderr, res.output


@pytest.mark.slow
def test_compare_subcommand(data_dir: Path, tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    # B: the same protocol but the gate differs only; decisions identical -> nothing changed.
    strict.write_text("classifier:\n  use_model: false\ngate:\n  min_recall: 1.0\n",
                      encoding="utf-8")
    res = invoke("compare", str(data_dir / "mislabeled_gate.jsonl"), "--a",
                 str(data_dir / "protocol_only.yaml"), "--b", str(strict), "--json",
                 "--out", str(tmp_path / "cmp"), "--no-progress")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n"] == 3 and out["n_paired"] == 3
    assert out["mcnemar"] == {"a_only_correct": 0, "b_only_correct": 0, "p_value": 1.0}
    assert out["changed"] == []
    assert out["a"]["recall"] == 0.5 == out["b"]["recall"]
    assert (tmp_path / "cmp" / "compare.json").is_file()
    assert (tmp_path / "cmp" / "a" / "report.html").is_file()
    res = invoke("compare", str(data_dir / "mislabeled_gate.jsonl"), "--a",
                 str(data_dir / "protocol_only.yaml"), "--b", str(strict), "--no-progress")
    assert res.exit_code == 0 and "McNemar exact" in res.stdout
    assert "0 item(s) changed" in res.stdout


def test_help_shows_both_forms() -> None:
    res = invoke("--help")
    assert res.exit_code == 0 and "compare" in res.output and "run" in res.output
    res = invoke("compare", "--help")
    assert res.exit_code == 0 and "--a" in res.output


def test_eval_external_skips_cleanly_when_absent(tmp_path: Path) -> None:
    res = runner.invoke(app, ["bench", "eval-external", "--dir", str(tmp_path / "absent"),
                              "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out) == ["skipped"] and "not present" in out["skipped"]


@pytest.mark.slow
def test_eval_external_runs_the_sets_present(tmp_path: Path, data_dir: Path) -> None:
    # Rows shaped like the external files (written here: tests never read ../shared/external).
    ext = tmp_path / "external"
    ext.mkdir()
    (ext / "vignettes_en.jsonl").write_text(json.dumps({
        "id": "v1", "language": "en", "text": "My husband has crushing chest pain and sweating.",
        "urgency": "emergency", "urgency_binary": "emergency",
        "urgency_acceptable": ["emergency"], "red_flag": None, "source": "test"}) + "\n")
    (ext / "fr_admin_intents_small.jsonl").write_text(json.dumps({
        "id": "a1", "language": "fr", "text": "je voudrais un certificat médical",
        "intent_mapped": "administrative", "urgency": None}) + "\n")
    res = runner.invoke(app, ["bench", "eval-external", "--dir", str(ext), "--out",
                              str(tmp_path / "out"), "--config",
                              str(data_dir / "protocol_only.yaml"), "--no-progress", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    sets = out["sets"]
    assert sets["fr_simsamu_dialogues"] == {"skipped": "fr_simsamu_dialogues.jsonl not present"}
    assert sets["audio"] == {"skipped": "audio/manifest.jsonl not present"}
    assert sets["vignettes_en"]["summary"]["emergency"]["n_positive"] == 1
    admin = sets["fr_admin_intents_small"]["summary"]["intent"]
    assert admin["per_class"]["administrative"]["support"] == 1
    assert Path(sets["vignettes_en"]["report"]).is_file()
    assert sets["vignettes_en"]["table"]["recall"]["n"] == 1
    # Without --json: one table for every set, the index page next to the reports.
    res = runner.invoke(app, ["bench", "eval-external", "--dir", str(ext), "--out",
                              str(tmp_path / "out2"), "--config",
                              str(data_dir / "protocol_only.yaml"), "--no-progress"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("| set ") and "recall [95% CI]" in lines[0]
    vignette = next(line for line in lines if line.startswith("| vignettes_en "))
    assert "1.000 (1/1)" in vignette
    assert any(line.startswith("| fr_simsamu_dialogues ") and "skipped" in line
               for line in lines)
    assert (tmp_path / "out2" / "index.html").is_file()
    assert (tmp_path / "out2" / "summary.json").is_file()


@pytest.mark.slow
def test_compare_shows_the_item_a_protocol_change_fixes(data_dir: Path) -> None:
    # B merges a practice override (path relative to its config file) that knows "un carcan".
    res = invoke("compare", str(data_dir / "compare_set.jsonl"), "--a",
                 str(data_dir / "protocol_only.yaml"), "--b",
                 str(data_dir / "protocol_carcan.yaml"), "--json", "--no-progress")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["a"]["recall"] == 0.5 and out["b"]["recall"] == 1.0
    # one discordant pair, in B's favour: exact two-sided p = 2 * 0.5 = 1
    assert out["mcnemar"] == {"a_only_correct": 0, "b_only_correct": 1, "p_value": 1.0}
    changed = {c["id"]: c for c in out["changed"]}
    assert changed["c-downplay"]["verdict"] == "fixed"
    assert changed["c-downplay"]["a"]["urgency"] == "routine"
    assert changed["c-downplay"]["b"]["urgency"] == "emergency"
    assert "c-cp" not in changed and "c-book" not in changed
