"""Several practices in one deployment, on the embedded default (SQLite, in process): calls
routed by the number dialled, users who see only their practices' calls (404 and no push for
the others'), the practices file's errors; and the operations endpoints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from pipeline.practices import PracticesFileError, load_practices, normalise_number
from tests.service.conftest import login

STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"


def _directory(tmp: Path, **extra: object) -> Path:
    from handoff import DEMO_PRACTICE_FILE

    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    for name, emergency, secretary in (("a", "15", "+33199000010"), ("b", "112", "+33320999999")):
        (tmp / f"{name}.yaml").write_text(yaml.safe_dump(
            {**raw, "name": f"Cabinet {name}", "emergency_number": emergency,
             "tele_secretary": {"name": f"Secrétariat {name}", "phone": secretary}},
            allow_unicode=True))
    path = tmp / "practices.yaml"
    path.write_text(yaml.safe_dump({"practices": [
        {"id": "cabinet-a", "file": "a.yaml", "numbers": ["+33 1 44 00 00 01"]},
        {"id": "cabinet-b", "file": "b.yaml", "numbers": ["03 20 00 00 01"]}], **extra}))
    return path


def _no_agenda(settings):  # type: ignore[no-untyped-def]
    return settings.agenda.model_copy(update={"enabled": False})


def test_numbers_route_to_their_practice(tmp_path):
    directory = load_practices(_directory(tmp_path))
    assert directory.for_number("+33144000001") == "cabinet-a"
    assert directory.for_number("01 44 00 00 01") == "cabinet-a"
    assert directory.for_number("+33 3 20 00 00 01") == "cabinet-b"
    assert directory.for_number("+33 6 00 00 00 00") is None
    assert directory.for_number("not a number") is None
    assert directory.configs["cabinet-b"].emergency_number == "112"
    with_default = load_practices(_directory(tmp_path, default="cabinet-b"))
    assert with_default.for_number("+33 6 00 00 00 00") == "cabinet-b"
    assert normalise_number("01 44 00 00 01") == "+33144000001"


@pytest.mark.parametrize(("entries", "message"), [
    ([{"id": "A B", "file": "a.yaml"}], "practices[0].id"),
    ([{"id": "x", "file": "a.yaml"}, {"id": "x", "file": "b.yaml"}], "listed twice"),
    ([{"id": "x"}], "practices[0].file"),
    ([{"id": "x", "file": "a.yaml", "numbers": ["12"]}], "not a phone number"),
    ([{"id": "x", "file": "a.yaml", "numbers": ["0144000001"]},
      {"id": "y", "file": "b.yaml", "numbers": ["+33144000001"]}], "already belongs to 'x'"),
])
def test_practices_file_errors_name_the_entry(tmp_path, entries, message):
    _directory(tmp_path)  # writes a.yaml and b.yaml
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"practices": entries}))
    with pytest.raises(PracticesFileError, match=re.escape(message)):
        load_practices(path)


def test_unknown_default_is_refused(tmp_path):
    with pytest.raises(PracticesFileError, match="default 'cabinet-z'"):
        load_practices(_directory(tmp_path, default="cabinet-z"))


@pytest.fixture
def multi(tmp_path, service_settings, rules):  # type: ignore[no-untyped-def]
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services

    # Both practices copy the demo roster (the same practitioner ids): no agendas here (each
    # practice's own agenda: test_service_practice_parts).
    settings = service_settings.model_copy(update={"practices_file": _directory(tmp_path),
                                                   "agenda": _no_agenda(service_settings)})
    services = build_services(settings, classifier=rules)
    services.auth.set_practices("tele_secretary", frozenset({"cabinet-a"}), actor="test")
    with TestClient(create_app(settings, services=services)) as client:
        yield client, services


def test_a_practice_user_sees_only_their_practices_calls(multi):
    client, services = multi
    admin, sec_a = login(client, "admin"), login(client, "tele_secretary")
    with client.websocket_connect(
            f"/api/live?token={sec_a['Authorization'].split()[1]}") as ws:
        assert ws.receive_json()["kind"] == "hello"
        b = client.post("/api/calls/simulate", headers=admin, json={
            "turns": [STROKE_FR], "dialled_number": "+33 3 20 00 00 01"}).json()
        a = client.post("/api/calls/simulate", headers=admin, json={
            "turns": [STROKE_FR], "dialled_number": "01 44 00 00 01"}).json()
        # Each call decided by its own practice's configuration.
        assert b["decision"]["advise_emergency_services"]
        seen = []
        while True:
            message = ws.receive_json()
            seen.append(message["call_id"])
            if message["call_id"] == a["call_id"] and message["kind"] == "handoff":
                break
    # Pushes are in order: B's came first, and none reached practice A's secretary.
    assert b["call_id"] not in seen
    assert client.get(f"/api/calls/{b['call_id']}", headers=sec_a).status_code == 404
    assert client.get(f"/api/calls/{b['call_id']}/transcript",
                      headers=sec_a).status_code == 404
    assert client.post(f"/api/calls/{b['call_id']}/acknowledge",
                       headers=sec_a).status_code == 404
    assert client.post(f"/api/calls/{b['call_id']}/labels", headers=sec_a,
                       json={"confirm": True}).status_code == 404
    # The softphone too: another practice's call does not exist (a simulated call of her own
    # practice exists, but has no audio line to take).
    other = client.post(f"/api/calls/{b['call_id']}/softphone", headers=sec_a)
    assert other.status_code == 404 and "no call" in other.json()["detail"]
    own = client.post(f"/api/calls/{a['call_id']}/softphone", headers=sec_a)
    assert own.status_code == 404 and "no live audio line" in own.json()["detail"]
    mine = client.get(f"/api/calls/{a['call_id']}", headers=sec_a)
    assert mine.status_code == 200 and mine.json()["call"]["practice"] == "cabinet-a"
    listed = {c["id"] for c in client.get("/api/calls?view=history",
                                          headers=sec_a).json()["items"]}
    assert listed == {a["call_id"]}
    # An administrator (no practice given) sees both; a secretary may not place a call for
    # a practice that is not theirs.
    assert client.get(f"/api/calls/{b['call_id']}", headers=admin).status_code == 200
    assert client.post("/api/calls/simulate", headers=sec_a, json={
        "turns": ["bonjour"], "dialled_number": "+33 3 20 00 00 01"}).status_code == 403
    assert services.hub.practice_of(b["call_id"]).emergency_number == "112"


def test_operations_endpoints(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["role"] == "all"
    assert health["live"] == "in-process"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": True, "migrated": True, "live": True}
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    for name in ("permanence_live_calls", "permanence_handoff_latency_seconds_bucket",
                 "permanence_queue_depth", "permanence_recognizer_backlog",
                 "permanence_journal_bytes"):
        assert name in metrics.text


def test_handoff_latency_is_observed(client, headers):
    client.post("/api/calls/simulate", headers=headers("physician"),
                json={"turns": [STROKE_FR]})
    text = client.get("/metrics").text
    count = [line for line in text.splitlines()
             if line.startswith("permanence_handoff_latency_seconds_count")]
    assert count and float(count[0].split()[-1]) >= 1


def test_not_ready_without_redis(service_settings, rules):
    from pipeline.live.fleet import free_port
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services

    settings = service_settings.model_copy(update={
        "redis_url": f"redis://127.0.0.1:{free_port()}/0"})  # nothing listens there
    services = build_services(settings, classifier=rules)
    with TestClient(create_app(settings, services=services)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["live"] is False
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("role", ["agent", "api"])
def test_a_worker_is_not_ready_until_its_engines_are_loaded(service_settings, rules,
                                                            monkeypatch, role):
    """`permanence serve` loads a worker's voice engines at start-up: /readyz is 503 (check
    `engines`) until they are, then 200; an API server never loads them. A load that fails
    keeps the worker not ready, with the error."""
    import threading
    import time

    from pipeline.agent.runtime import AgentRuntime
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services

    settings = service_settings.model_copy(update={"role": role})
    services = build_services(settings, classifier=rules)
    release, loads = threading.Event(), []

    def slow_load(settings, **given):  # type: ignore[no-untyped-def]
        loads.append(given)
        assert release.wait(30), "the test never released the engines"
        return AgentRuntime(settings, None, given["classifier"], None,  # type: ignore[arg-type]
                            given["hub"], given["practice"], turn_detector=None)

    monkeypatch.setattr(AgentRuntime, "load", staticmethod(slow_load))
    with TestClient(create_app(settings, services=services, preload_engines=True)) as client:
        ready = client.get("/readyz")
        if role == "api":
            assert ready.status_code == 200 and "engines" not in ready.json()["checks"]
            assert not loads
            release.set()
            return
        assert ready.status_code == 503
        assert ready.json()["checks"]["engines"] is False
        assert ready.json()["checks"]["database"] is True
        release.set()
        for _ in range(300):  # bounded: 30 s
            ready = client.get("/readyz")
            if ready.status_code == 200:
                break
            time.sleep(0.1)
        assert ready.status_code == 200 and ready.json()["checks"]["engines"] is True
        assert len(loads) == 1 and client.app.state.agent_runtime.agenda is services.agenda

    def broken(settings, **given):  # type: ignore[no-untyped-def]
        raise RuntimeError("whisper model missing")

    monkeypatch.setattr(AgentRuntime, "load", staticmethod(broken))
    services = build_services(settings, classifier=rules)
    with TestClient(create_app(settings, services=services, preload_engines=True)) as client:
        for _ in range(300):
            ready = client.get("/readyz").json()
            if "engines_error" in ready:
                break
            time.sleep(0.1)
        assert ready["ready"] is False and "whisper model missing" in ready["engines_error"]


def test_twilio_calls_are_routed_by_the_number_dialled(tmp_path, service_settings, rules):
    """The voice webhook's ``To`` picks the practice: its TwiML falls back to that practice's
    secretary, and the call its stream starts belongs to that practice."""
    import asyncio

    from pipeline.service.app import create_app
    from pipeline.service.services import build_services
    from pipeline.service.twilio_auth import expected_signature

    settings = service_settings.model_copy(update={
        "practices_file": _directory(tmp_path), "agenda": _no_agenda(service_settings),
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "secret"})
    services = build_services(settings, classifier=rules)
    sid = "CA" + "1" * 32
    with TestClient(create_app(settings, services=services)) as client:
        params = {"CallSid": sid, "From": "+33612345678", "To": "+33320000001"}
        url = "http://testserver/twilio/voice"
        r = client.post("/twilio/voice", data=params, headers={
            "X-Twilio-Signature": expected_signature("secret", url, params)})
        assert r.status_code == 200, r.text
        assert "<Dial>+33320999999</Dial>" in r.text  # practice B's secretary, not A's

        # The agent greets the caller in the name of the practice they dialled.
        from pipeline.agent.runtime import AgentRuntime

        runtime = AgentRuntime(settings, None, None, None, services.hub,  # type: ignore[arg-type]
                               services.practice, turn_detector=None)
        options = runtime.options(channel="twilio", provider_call_id=sid)
        assert options.practice_name == "Cabinet b"
        assert runtime.options(channel="twilio").practice_name == services.practice.name

        async def start() -> str:
            return await services.hub.start_call(channel="twilio", language="fr",
                                                 provider_call_id=sid)

        call_id = asyncio.run_coroutine_threadsafe(start(), client.app.state.loop).result(10)
        assert services.hub.practice_id_of(call_id) == (True, "cabinet-b")
        assert services.hub.practice_of(call_id).emergency_number == "112"


def test_memberships_are_managed_by_administrators(multi):
    client, _services = multi
    admin, sec = login(client, "admin"), login(client, "tele_secretary")
    assert [p["id"] for p in client.get("/api/practices", headers=sec).json()] == ["cabinet-a"]
    listed = client.get("/api/practices", headers=admin).json()
    assert {p["id"]: p["numbers"] for p in listed} == {
        "cabinet-a": ["+33144000001"], "cabinet-b": ["+33320000001"]}
    # No default in the file: the first practice takes calls to other numbers (and is the
    # agenda page's first choice).
    assert {p["id"]: p["default"] for p in listed} == {"cabinet-a": True, "cabinet-b": False}
    b = client.post("/api/calls/simulate", headers=admin, json={
        "turns": [STROKE_FR], "dialled_number": "+33 3 20 00 00 01"}).json()["call_id"]
    assert client.get(f"/api/calls/{b}", headers=sec).status_code == 404
    assert client.put("/api/users/tele_secretary/practices", headers=sec,
                      json={"practices": ["cabinet-b"]}).status_code == 403
    r = client.put("/api/users/tele_secretary/practices", headers=admin,
                   json={"practices": ["cabinet-z"]})
    assert r.status_code == 422 and "cabinet-z" in r.json()["detail"]
    assert client.put("/api/users/nobody/practices", headers=admin,
                      json={"practices": []}).status_code == 404
    r = client.put("/api/users/tele_secretary/practices", headers=admin,
                   json={"practices": ["cabinet-b"]})
    assert r.status_code == 200 and r.json()["practices"] == ["cabinet-b"]
    assert client.get(f"/api/calls/{b}", headers=sec).status_code == 200  # at once
    roster = client.get("/api/practices/cabinet-b/roster", headers=sec)
    assert roster.status_code == 200 and roster.json()["name"] == "Cabinet b"
    assert client.get("/api/practices/cabinet-a/roster", headers=sec).status_code == 404


def test_cli_gives_users_their_practices(service_settings, monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.service.auth import Auth
    from pipeline.service.store import Store
    from pipeline.settings import get_settings

    monkeypatch.setenv("PERMANENCE_DATA_DIR", str(service_settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        res = runner.invoke(app, ["users", "add", "sec-nord", "--role", "tele_secretary",
                                  "--practice", "nord", "--practice", "sud",
                                  "--password-stdin"], input="a-strong-password\n")
        assert res.exit_code == 0 and "practices nord, sud" in res.output, res.output
        store = Store(service_settings.effective_database_url,
                      secrets_dir=service_settings.data_dir)
        auth = Auth(store, 3600)
        token = auth.login("sec-nord", "a-strong-password")
        assert token is not None
        assert auth.principal(token.token).practices == {"nord", "sud"}  # type: ignore[union-attr]
        res = runner.invoke(app, ["users", "set", "sec-nord", "--practice", "nord"])
        assert res.exit_code == 0, res.output
        assert auth.principal(token.token).practices == {"nord"}  # type: ignore[union-attr]
        res = runner.invoke(app, ["users", "set", "sec-nord", "--all-practices"])
        assert res.exit_code == 0 and "practices all" in res.output
        assert auth.principal(token.token).practices is None  # type: ignore[union-attr]
        res = runner.invoke(app, ["users", "set", "ghost", "--practice", "nord"])
        assert res.exit_code != 0 and "no user" in res.output
        store.dispose()
    finally:
        get_settings.cache_clear()
