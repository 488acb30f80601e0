"""`permanence classify --json` and `permanence bench classify` (protocol-only: fast)."""

from __future__ import annotations

import json

from typer.testing import CliRunner


def test_classify_json(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline.cli import app

    monkeypatch.setenv("PERMANENCE_CLASSIFIER_USE_MODEL", "false")
    from pipeline.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["classify", "--json", "--language", "fr",
                                          "c'est pour ma femme elle saigne beaucoup"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"intent", "urgency", "red_flags", "needs_review", "scores", "form"} <= set(out)
    assert out["urgency"] == "emergency"
    assert out["red_flags"][0]["category"] == "bleeding"
    assert out["red_flags"][0]["span"] == "saigne beaucoup"
    assert out["red_flags"][0]["source"] == "bleeding.heavy"
    assert out["form"]["relationship"]["value"] == "spouse"


def test_classify_plain_text() -> None:
    from pipeline.cli import app

    result = CliRunner().invoke(app, ["classify", "--protocol-only",
                                      "I'd like to cancel my appointment"])
    assert result.exit_code == 0, result.output
    assert "intent: appointment_change" in result.output


def test_train_reports_bad_data_with_file_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pipeline.cli import app

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "intent": "chitchat"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{bad}:1: unknown intent label 'chitchat'" in result.output
