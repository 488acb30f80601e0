"""`permanence agenda find` and `permanence bench agenda` in a deployment of several practices
(issue 10): `--practice ID` picks one practice of the practices file, as the service does;
without it, the file's default practice; an unknown id is a usage error naming the ids."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from agenda_testkit import two_practices_file
from typer.testing import CliRunner


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The real CLI (in process) over a fresh data folder; settings re-read per test."""
    from pipeline.settings import get_settings

    for name in [n for n in os.environ if n.startswith("PERMANENCE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PERMANENCE_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _run(cli: CliRunner, *args: str) -> tuple[int, str]:
    from pipeline.cli import app

    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def _find(cli: CliRunner, *extra: str) -> dict[str, object]:
    code, out = _run(cli, "agenda", "find", "le plus tôt possible", *extra)
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_find_reads_the_chosen_practice_agenda(cli: CliRunner, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMANENCE_PRACTICES_FILE", str(two_practices_file(tmp_path)))
    b = _find(cli, "--practice", "cabinet-b")
    assert b["practice"] == "cabinet-b"
    assert b["slots"] and {s["practitioner"] for s in b["slots"]} == {"dr-lefevre"}  # type: ignore[attr-defined]
    # No --practice: the practices file's default, as the service picks it.
    a = _find(cli)
    assert a["practice"] == "cabinet-a"
    assert a["slots"] and {s["practitioner"] for s in a["slots"]} <= {  # type: ignore[attr-defined]
        "dr-martin", "dr-durand", "dr-nguyen"}


def test_an_unknown_practice_is_a_usage_error_naming_the_ids(
        cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMANENCE_PRACTICES_FILE", str(two_practices_file(tmp_path)))
    code, out = _run(cli, "agenda", "find", "demain", "--practice", "cabinet-z")
    assert code == 2
    assert "cabinet-z" in out and "cabinet-a, cabinet-b" in out


def test_practice_without_a_practices_file_says_how_to_set_one(cli: CliRunner) -> None:
    code, out = _run(cli, "agenda", "find", "demain", "--practice", "cabinet-b")
    assert code == 2 and "PERMANENCE_PRACTICES_FILE" in out
    # And without --practice, the single practice file, as before.
    assert _find(cli)["practice"] is None


def test_bench_agenda_runs_on_the_chosen_practice(cli: CliRunner, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMANENCE_PRACTICES_FILE", str(two_practices_file(tmp_path)))
    code, out = _run(cli, "bench", "agenda", "--practice", "cabinet-b", "--searches", "4",
                     "--bookings", "4", "--threads", "2", "--attempts", "8")
    assert code == 0, out
    report = json.loads(out)
    assert report["practice"] == "cabinet-b"
    assert report["booking_sequential"]["n"] == 4
    # B has one practitioner: 20 bookers on one of its slots, one winner.
    assert report["one_slot_20_bookers"]["winners"] == 1
    assert report["contention"]["overlapping_appointments"] == 0
