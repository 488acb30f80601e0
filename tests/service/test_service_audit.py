"""Audit chain under concurrent writers, deletions detected, migrations match the models,
no personal data in application logs, `permanence simulate` from the shell."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading

from typer.testing import CliRunner


def test_chain_stays_valid_with_two_writers(tmp_path):
    from pipeline.service.store import Store

    url = f"sqlite:///{tmp_path / 'a.db'}"
    a, b = Store(url), Store(url)  # two processes' worth of stores on one database

    def write(store, who):
        for i in range(60):
            store.record_audit(who, "test.append", None, i=i)

    threads = [threading.Thread(target=write, args=(s, n)) for s, n in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = a.verify_audit()
    assert result.ok and result.entries == 120
    with sqlite3.connect(tmp_path / "a.db") as con:
        con.execute("delete from audit_log where seq = 50")
    broken = b.verify_audit()
    assert not broken.ok and broken.first_broken_seq == 51 and "missing" in broken.reason


def test_migrations_match_models(tmp_path):
    from alembic import command

    from pipeline.service.db import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    upgrade(url)  # idempotent
    command.check(alembic_config(url))  # raises if the models drifted from the migrations


def test_log_filter_masks_phone_numbers_and_emails(caplog):
    from pipeline.service.logsetup import PersonalDataFilter, scrub

    assert "<phone>" in scrub("rappeler le 06 12 34 56 78")
    assert "<phone>" in scrub("caller +33612345678 said")
    assert "<email>" in scrub("mail jean.dupont@example.org")
    logger = logging.getLogger("permanence.test")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="permanence.test"):
        logger.info("call from %s", "+33612345678")
    assert "33612345678" not in caplog.text and "<phone>" in caplog.text


def test_cli_simulate_records_like_a_live_call(tmp_path, monkeypatch):
    from pipeline.cli import app
    from pipeline.settings import get_settings

    monkeypatch.setenv("PERMANENCE_DATA_DIR", str(tmp_path))
    # The CLI loads its own classifier: protocol-only keeps this test from loading the encoder
    # a second time (the classifier itself is tested with the session fixture).
    monkeypatch.setenv("PERMANENCE_CLASSIFIER_USE_MODEL", "false")
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, [
            "simulate", "ma femme ne respire plus bien, elle a les lèvres bleues",
            "--language", "fr", "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout[res.stdout.index("{"):])
        assert out["stored"] is True
        assert out["classification"]["urgency"] == "emergency"
        assert out["decision"]["action"] in ("transfer_physician", "advise_emergency_services")
        bad = CliRunner().invoke(app, ["simulate", "x", "--language", "de"])
        assert bad.exit_code != 0 and "fr or en" in bad.output
        verify = CliRunner().invoke(app, ["audit", "verify"])
        assert verify.exit_code == 0
    finally:
        get_settings.cache_clear()
    with sqlite3.connect(tmp_path / "permanence.db") as con:
        (n,) = con.execute("select count(*) from call_events where call_id=?",
                           (out["call_id"],)).fetchone()
    assert n == 3  # speech_start, transcript_final, call_end
