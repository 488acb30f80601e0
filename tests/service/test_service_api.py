"""The real app on a real SQLite database: auth and roles, bad input, simulated calls through
the real classifier, audited reads, corrections, GDPR export/erasure, retention."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest

CHEST_PAIN_FR = ("Bonjour, c'est pour mon mari, il a une douleur dans la poitrine qui serre "
                 "depuis vingt minutes et il transpire beaucoup")
BOOKING_FR = ("Bonjour, je m'appelle Marie Lambert, je voudrais prendre rendez-vous avec le "
              "docteur Martin mardi prochain, mon numéro est le 06 12 34 56 78")


def _db(settings) -> sqlite3.Connection:
    return sqlite3.connect(settings.data_dir / "permanence.db")


def _audit_actions(settings, call_id=None) -> list[str]:
    with _db(settings) as con:
        q = "select action from audit_log" + (" where call_id=?" if call_id else "")
        return [r[0] for r in con.execute(q + " order by seq", (call_id,) if call_id else ())]


def test_health_needs_no_login_and_docs_exist(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["database"] is True
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/calls", "/api/calls/{call_id}", "/api/calls/{call_id}/transcript",
              "/api/calls/{call_id}/form", "/api/calls/{call_id}/classifications",
              "/api/calls/{call_id}/acknowledge", "/api/calls/{call_id}/take-over",
              "/api/calls/simulate", "/api/roster", "/api/reports", "/api/audit/export",
              "/api/users", "/api/auth/login", "/api/export/labeled", "/api/gdpr/erase"):
        assert p in paths, p
    assert client.get("/docs").status_code == 200


def test_login_tokens_cookie_and_401(client, headers, service_settings):
    assert client.get("/api/calls").status_code == 401
    assert client.get("/api/calls", headers={"Authorization": "Bearer nope"}).status_code == 401
    bad = client.post("/api/auth/login", json={"username": "admin", "password": "wrong-pass"})
    assert bad.status_code == 401
    r = client.post("/api/auth/login", json={"username": "admin",
                                             "password": "correct horse battery"})
    body = r.json()
    assert body["token_type"] == "bearer" and body["role"] == "admin"
    assert "permanence_session" in r.cookies  # dashboard cookie on top of the token
    assert client.get("/api/auth/me", headers={
        "Authorization": f"Bearer {body['access_token']}"}).json()["username"] == "admin"
    with _db(service_settings) as con:
        (stored,) = con.execute("select password_hash from users where username='admin'").fetchone()
        tokens = [r[0] for r in con.execute("select token_hash from tokens")]
    assert stored.startswith("$argon2")
    assert body["access_token"] not in tokens  # only its hash is stored
    actions = _audit_actions(service_settings)
    assert "auth.login_failed" in actions and "auth.login" in actions
    from pipeline.service.auth import LoginThrottle

    # A 5 s first wait (1 s by default) so the check does not race a loaded machine.
    client.app.state.services.auth.throttle = LoginThrottle(free=3, base_delay_s=5.0)
    for _ in range(3):
        assert client.post("/api/auth/login", json={"username": "admin",
                                                    "password": "guess"}).status_code == 401
    r = client.post("/api/auth/login", json={"username": "admin",
                                             "password": "correct horse battery"})
    # Password guessing is slowed down (even with the right password, for a moment)...
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # ...but never turned into a lock-out of the real user: after the wait, she is in.
    time.sleep(float(r.headers["Retry-After"]))
    r = client.post("/api/auth/login", json={"username": "admin",
                                             "password": "correct horse battery"})
    assert r.status_code == 200


@pytest.mark.parametrize(("role", "path", "method", "allowed"), [
    ("data_analyst", "/api/calls", "get", False),
    ("data_analyst", "/api/reports", "get", True),
    ("data_analyst", "/api/export/labeled", "get", True),
    ("tele_secretary", "/api/export/labeled", "get", False),
    ("tele_secretary", "/api/users", "get", False),
    ("physician", "/api/audit/export", "get", False),
    ("physician", "/api/calls", "get", True),
    ("admin", "/api/users", "get", True),
])
def test_roles(client, headers, role, path, method, allowed):
    r = getattr(client, method)(path, headers=headers(role))
    assert (r.status_code == 200) is allowed, r.text
    if not allowed:
        assert r.status_code == 403 and role in r.json()["detail"]


def test_bad_input_422_names_field_and_413(client, headers):
    h = headers("tele_secretary")
    r = client.post("/api/calls/simulate", headers=h, json={"language": "fr"})
    assert r.status_code == 422 and "body.turns" in r.json()["message"]
    r = client.post("/api/calls/simulate", headers=h, json={"language": "de", "turns": ["x"]})
    assert r.status_code == 422 and "body.language" in r.json()["fields"]
    r = client.post("/api/calls/simulate", headers={**h, "Content-Type": "application/json"},
                    content=b'{"language": "fr", "turns": [')
    assert r.status_code == 422 and r.json()["fields"]
    r = client.post("/api/calls/simulate", headers=h,
                    json={"language": "fr", "turns": ["a" * 300_000]})
    assert r.status_code == 413
    r = client.post("/api/calls/whatever/labels", headers=h, json={"urgency": "critical"})
    assert r.status_code == 422 and "body.urgency" in r.json()["message"]


def test_simulated_red_flag_call_end_to_end(client, headers, service_settings):
    h = headers("tele_secretary")
    r = client.post("/api/calls/simulate", headers=h,
                    json={"language": "fr", "turns": [CHEST_PAIN_FR],
                          "caller_number": "+33612345678"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["handoff"] is True
    assert out["decision"]["action"] == "transfer_physician"
    assert out["decision"]["advise_emergency_services"] is True
    assert out["classification"]["urgency"] == "emergency"
    call_id = out["call_id"]

    queue = client.get("/api/calls", headers=h).json()
    assert queue["items"][0]["id"] == call_id
    assert queue["items"][0]["needs_ack"] is True
    assert queue["items"][0]["red_flags"] == ["chest_pain"]

    detail = client.get(f"/api/calls/{call_id}", headers=h).json()
    assert detail["caller_number"] == "+33612345678"
    assert detail["transcript"][0]["text"] == CHEST_PAIN_FR
    assert detail["form"]["red_flags"][0]["value"] == "chest_pain"
    assert detail["decisions"][0]["target"]["id"] == "dr-martin"
    types = [e["type"] for e in detail["events"]]
    assert types[:2] == ["speech_start", "transcript_final"] and types[-1] == "call_end"
    assert client.get(f"/api/calls/{call_id}/transcript", headers=h).status_code == 200
    assert client.get(f"/api/calls/{call_id}/classifications", headers=h).json()[0][
        "urgency"] == "emergency"

    actions = _audit_actions(service_settings, call_id)
    for a in ("call.start", "event.transcript_final", "classification", "handoff.decision",
              "channel.delivery", "event.call_end"):
        assert a in actions, (a, actions)
    assert actions.count("call.read") == 3  # detail + transcript + classifications, each audited
    with _db(service_settings) as con:
        data = [r[0] for r in con.execute("select data from audit_log")]
    assert not any("poitrine" in d or "33612345678" in d for d in data)  # no personal data

    ack = client.post(f"/api/calls/{call_id}/acknowledge", headers=headers("physician"))
    assert ack.status_code == 200 and ack.json()["persisted"] is True
    call = client.get(f"/api/calls/{call_id}", headers=h).json()["call"]
    assert call["acknowledged_by"] == "physician" and call["needs_ack"] is False
    assert client.get("/api/calls", headers=h).json()["total"] == 0  # off the queue
    assert client.get("/api/calls?view=history&q=chest", headers=h).json()["total"] == 1
    assert client.post("/api/calls/nope/acknowledge", headers=h).status_code == 404


def test_routine_booking_and_corrections_export_pseudonymized(client, headers):
    h = headers("tele_secretary")
    out = client.post("/api/calls/simulate", headers=h,
                      json={"language": "fr", "turns": [BOOKING_FR]}).json()
    call_id = out["call_id"]
    assert out["decision"]["action"] in ("normal", "transfer_secretary")
    r = client.patch(f"/api/calls/{call_id}/form", headers=h,
                     json={"fields": {"caller_name": "Marie Lambert",
                                      "preferred_time": "mardi 10h"}})
    assert r.status_code == 200 and r.json()["corrected"] is True
    r = client.post(f"/api/calls/{call_id}/labels", headers=h,
                    json={"intent": "appointment_booking", "urgency": "routine"})
    assert r.status_code == 200 and r.json()["intent"] == "appointment_booking"
    form = client.get(f"/api/calls/{call_id}/form", headers=h).json()
    assert form["form"]["caller_name"]["value"] == "Marie Lambert"
    assert form["corrected"] is True

    r = client.get("/api/export/labeled", headers=headers("data_analyst"))
    assert r.status_code == 200
    items = [json.loads(line) for line in r.text.splitlines()]
    assert len(items) == 1
    item = items[0]
    assert set(item) >= {"id", "language", "text", "intent", "urgency", "red_flag"}
    assert item["intent"] == "appointment_booking" and item["red_flag"] is None
    assert item["id"] != call_id
    for secret in ("Marie", "Lambert", "06 12 34 56 78"):
        assert secret not in item["text"], item["text"]
    assert "[NOM]" in item["text"] and "[TÉLÉPHONE]" in item["text"]
    assert "rendez-vous" in item["text"]


def test_users_api_and_cli_bootstrap(client, headers, service_settings, monkeypatch):
    short = client.post("/api/users", headers=headers("admin"),
                        json={"username": "nurse1", "role": "physician",
                              "password": "elevenchars"})
    assert short.status_code == 422 and "password" in short.json()["message"]
    r = client.post("/api/users", headers=headers("admin"),
                    json={"username": "nurse1", "role": "physician", "password": "long-enough-1"})
    assert r.status_code == 201
    assert client.post("/api/users", headers=headers("admin"), json={
        "username": "nurse1", "role": "physician", "password": "long-enough-1"}
        ).status_code == 409
    assert client.post("/api/users", headers=headers("admin"), json={
        "username": "x", "role": "boss", "password": "long-enough-1"}).status_code == 422

    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.settings import get_settings

    monkeypatch.setenv("PERMANENCE_DATA_DIR", str(service_settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        res = runner.invoke(app, ["users", "add", "boss", "--role", "admin",
                                  "--password-stdin"], input="a-strong-password\n")
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, ["users", "add", "boss2", "--role", "chief",
                                  "--password-stdin"], input="a-strong-password\n")
        assert res.exit_code != 0 and "tele_secretary" in res.output
        res = runner.invoke(app, ["users", "add", "boss3", "--role", "admin",
                                  "--password-stdin"], input="short\n")
        assert res.exit_code != 0 and "12 characters" in res.output
        res = runner.invoke(app, ["users", "set", "nurse1", "--role", "tele_secretary"])
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, ["users", "set", "nurse1", "--password-stdin"],
                            input="another-long-password\n")
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, ["users", "set", "ghost", "--deactivate"])
        assert res.exit_code != 0 and "no user" in res.output
        listed = runner.invoke(app, ["users", "list"]).output
        assert "nurse1\ttele_secretary\tactive" in listed
    finally:
        get_settings.cache_clear()
    r = client.post("/api/auth/login", json={"username": "boss", "password": "a-strong-password"})
    assert r.status_code == 200 and r.json()["role"] == "admin"


def test_audit_verify_detects_tampered_row(client, headers, service_settings, monkeypatch):
    client.post("/api/calls/simulate", headers=headers("tele_secretary"),
                json={"language": "fr", "turns": [CHEST_PAIN_FR]})
    assert client.get("/api/audit/verify", headers=headers("admin")).json()["ok"] is True
    export = client.get("/api/audit/export", headers=headers("admin"))
    assert export.status_code == 200 and len(export.text.splitlines()) > 5

    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.settings import get_settings

    monkeypatch.setenv("PERMANENCE_DATA_DIR", str(service_settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        res = runner.invoke(app, ["audit", "verify"])
        assert res.exit_code == 0 and "OK" in res.output
        with _db(service_settings) as con:
            (seq,) = con.execute("select seq from audit_log where action='handoff.decision'"
                                 ).fetchone()
            con.execute("update audit_log set data=replace(data, 'transfer_physician', "
                        "'normal') where seq=?", (seq,))
        res = runner.invoke(app, ["audit", "verify"])
        assert res.exit_code == 1
        assert f"entry {seq}" in res.output and "altered" in res.output
    finally:
        get_settings.cache_clear()
    r = client.get("/api/audit/verify", headers=headers("admin")).json()
    assert r["ok"] is False and r["first_broken_seq"] == seq


def test_erasure_and_retention(client, headers, services, service_settings):
    h = headers("tele_secretary")
    a = client.post("/api/calls/simulate", headers=h, json={
        "language": "fr", "turns": [CHEST_PAIN_FR], "caller_number": "+33611111111"}).json()
    b = client.post("/api/calls/simulate", headers=h, json={
        "language": "fr", "turns": [BOOKING_FR], "caller_number": "+33622222222"}).json()
    r = client.post("/api/gdpr/erase", headers=headers("admin"),
                    json={"caller_number": "+33611111111"})
    assert r.status_code == 200 and r.json()["erased_calls"] == 1
    gone = client.get(f"/api/calls/{a['call_id']}", headers=h).json()
    assert gone["caller_number"] is None and gone["transcript"] == [] and gone["form"] is None
    assert gone["call"]["status"] == "erased"
    assert client.get(f"/api/calls/{b['call_id']}", headers=h).json()["transcript"]
    assert "gdpr.erase" in _audit_actions(service_settings)
    assert client.get("/api/audit/verify", headers=headers("admin")).json()["ok"] is True

    from pipeline.service.gdpr import run_retention

    audio = service_settings.data_dir / "audio" / f"{b['call_id']}.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"RIFF....WAVE")
    services.store.set_audio(b["call_id"], f"audio/{b['call_id']}.wav")
    stray = audio.with_name("orphan.wav")
    stray.write_bytes(b"RIFF")
    old = time.time() - 31 * 86400
    os.utime(stray, (old, old))

    report = run_retention(services.store, audio_days=30, transcript_days=90, form_days=365,
                           data_dir=service_settings.data_dir, now=time.time())
    assert report.transcripts == 0  # nothing old enough yet
    assert report.audio_files == 1 and not stray.exists() and audio.exists()
    later = time.time() + 91 * 86400
    report = run_retention(services.store, audio_days=30, transcript_days=90, form_days=365,
                           data_dir=service_settings.data_dir, now=later)
    assert report.transcripts == 1 and report.forms == 0  # the erased call is already empty
    assert report.audio_files == 1 and not audio.exists()
    kept = client.get(f"/api/calls/{b['call_id']}", headers=h).json()
    assert all("erased" in e or "text" not in e for e in kept["events"])
    assert kept["form"] is not None  # forms are kept longer
    assert "Lambert" not in json.dumps(kept["classifications"])
    report = run_retention(services.store, audio_days=30, transcript_days=90, form_days=365,
                           data_dir=service_settings.data_dir, now=time.time() + 366 * 86400)
    assert report.forms == 1


def test_reports_and_roster(client, headers):
    h = headers("tele_secretary")
    client.post("/api/calls/simulate", headers=h, json={"language": "fr",
                                                        "turns": [CHEST_PAIN_FR]})
    client.post("/api/calls/simulate", headers=h, json={"language": "fr", "turns": [BOOKING_FR]})
    rep = client.get("/api/reports?days=7", headers=headers("data_analyst")).json()
    assert rep["total_calls"] == 2
    assert rep["by_urgency"]["emergency"] == 1
    assert sum(d["count"] for d in rep["volume_by_day"]) == 2
    assert sum(d["count"] for d in rep["volume_by_hour"]) == 2
    assert rep["time_to_handoff_s"]["n"] >= 1
    assert client.get("/api/reports?days=0", headers=h).status_code == 422
    roster = client.get("/api/roster", headers=h).json()
    assert roster["open_now"] is True and roster["on_call_now"]["physician"]["id"] == "dr-martin"



def test_classifier_failure_hands_the_simulated_call_to_a_human(service_settings, tmp_path):
    """A component failing mid-call makes it a human's call, with what was said kept."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from fastapi.testclient import TestClient

    from pipeline.service.app import create_app
    from pipeline.service.services import build_services

    bad = tmp_path / "protocol.yaml"
    bad.write_text("not: [valid yaml")  # a broken red-flag protocol: the classifier cannot load
    settings = service_settings.model_copy(update={"protocol_file": bad,
                                                   "classifier_use_model": False})
    morning = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Europe/Paris"))
    services = build_services(settings, clock=lambda: morning)
    with TestClient(create_app(settings, services=services)) as client:
        token = client.post("/api/auth/login", json={
            "username": "tele_secretary", "password": "correct horse battery"}).json()
        h = {"Authorization": f"Bearer {token['access_token']}"}
        r = client.post("/api/calls/simulate", headers=h,
                        json={"language": "fr", "turns": [CHEST_PAIN_FR]})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["classification"] is None and out["handoff"] is True
        assert out["decision"]["action"] == "transfer_secretary"
        assert "fail-safe: classifier failed" in out["decision"]["reasons"]
        detail = client.get(f"/api/calls/{out['call_id']}", headers=h).json()
        assert detail["transcript"][0]["text"] == CHEST_PAIN_FR
        assert detail["call"]["needs_ack"] is True
        assert any(e["type"] == "fault" and e["component"] == "classifier"
                   for e in detail["events"])


def test_admin_changes_role_deactivates_and_resets_password_audited(client, headers,
                                                                    service_settings):
    admin = headers("admin")
    assert client.post("/api/users", headers=admin, json={
        "username": "locum", "role": "tele_secretary",
        "password": "locum-password-1"}).status_code == 201
    token = client.post("/api/auth/login", json={
        "username": "locum", "password": "locum-password-1"}).json()["access_token"]
    theirs = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/calls", headers=theirs).status_code == 200
    # Only an administrator may change users.
    assert client.patch("/api/users/locum", headers=headers("physician"),
                        json={"active": False}).status_code == 403
    r = client.patch("/api/users/locum", headers=admin, json={"role": "data_analyst"})
    assert r.status_code == 200 and r.json()["role"] == "data_analyst"
    assert client.get("/api/calls", headers=theirs).status_code == 403  # at once
    r = client.patch("/api/users/locum", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/reports", headers=theirs).status_code == 401  # session ended
    assert client.post("/api/auth/login", json={
        "username": "locum", "password": "locum-password-1"}).status_code == 401
    r = client.patch("/api/users/locum", headers=admin,
                     json={"active": True, "password": "a-new-password-2"})
    assert r.status_code == 200 and r.json()["active"] is True
    assert client.post("/api/auth/login", json={
        "username": "locum", "password": "a-new-password-2"}).status_code == 200
    assert client.patch("/api/users/locum", headers=admin,
                        json={"password": "short"}).status_code == 422
    assert client.patch("/api/users/nobody", headers=admin,
                        json={"active": False}).status_code == 404
    assert client.patch("/api/users/admin", headers=admin,
                        json={"active": False}).status_code == 409
    actions = _audit_actions(service_settings)
    for action in ("user.role", "user.deactivate", "user.activate", "user.password"):
        assert action in actions, action


def test_unknown_users_cost_the_same_argon2_work(services):
    """No timing oracle: an unknown name goes through one argon2 verification too."""
    import argon2

    calls = []
    real = argon2.PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(hash_)
        return real(self, hash_, password)

    argon2.PasswordHasher.verify = counting
    try:
        assert services.auth.login("no-such-user", "whatever-password", "10.0.0.9") is None
        assert services.auth.login("admin", "wrong-password!", "10.0.0.9") is None
    finally:
        argon2.PasswordHasher.verify = real
    assert len(calls) == 2


def test_login_backoff_memory_is_bounded_and_per_address():
    from pipeline.service.auth import LoginThrottle

    throttle = LoginThrottle(free=2, max_delay_s=30.0, max_keys=100)
    for i in range(1000):
        throttle.failed(f"addr:10.0.{i // 256}.{i % 256}", 1000.0)
    assert len(throttle) == 100
    for _ in range(6):
        throttle.failed("user:admin", 1000.0)
    assert 0 < throttle.wait_s("user:admin", 1000.0) <= 30.0  # doubling, capped
    assert throttle.wait_s("user:admin", 1031.0) == 0.0  # never locked out for long
    assert throttle.wait_s("user:someone-else", 1000.0) == 0.0


def test_cookie_writes_from_another_origin_are_refused_and_headers_are_set(client):
    r = client.post("/api/auth/login", json={"username": "tele_secretary",
                                             "password": "correct horse battery"})
    assert r.status_code == 200 and "permanence_session" in client.cookies
    forged = client.post("/api/calls/simulate", json={"language": "fr", "turns": ["bonjour"]},
                         headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "Origin" in forged.json()["detail"]
    ours = client.post("/api/auth/logout", headers={"Origin": "http://testserver"})
    assert ours.status_code == 200
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1
                                                                               ].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
