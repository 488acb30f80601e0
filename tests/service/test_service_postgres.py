"""The same store, audit chain and hub on PostgreSQL (by URL), on a throw-away local cluster.
Skipped where no PostgreSQL server binaries are installed (they are optional)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = [
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL not installed"),
    pytest.mark.timeout(120),
]


def test_store_hub_and_audit_on_postgres(pg_url, classifier, tmp_path):
    from handoff import demo_practice
    from pipeline.calls import CallHub
    from pipeline.events import TranscriptFinal
    from pipeline.service.auth import Auth, Role
    from pipeline.service.store import Store

    store = Store(pg_url)
    assert store.migrated
    Auth(store, 60).add_user("admin", Role.ADMIN, "a-long-password")
    assert Auth(store, 60).login("admin", "a-long-password") is not None
    hub = CallHub(store, demo_practice())
    text = "mon fils a avalé des médicaments de sa grand-mère, une boîte entière"

    async def run() -> str:
        call_id = await hub.start_call(channel="test", language="fr")
        await hub.record_event(call_id, TranscriptFinal(1.0, 1, text))
        c = classifier.classify(text, "fr")
        await hub.record_classification(call_id, c, classifier.extract_form(text, "fr", c), 1.0)
        await hub.end_call(call_id, 3.0)
        assert await hub.flush()
        await hub.close()
        return call_id

    call_id = asyncio.run(run())
    detail = store.get_call(call_id, reader="admin")
    assert detail is not None and detail.transcript[0]["text"] == text
    assert detail.summary.urgency == "emergency"
    items, total = store.list_calls(view="queue")
    assert total == 1 and items[0].id == call_id
    assert store.verify_audit().ok
    store.dispose()


def test_two_processes_keep_one_valid_audit_chain_on_postgres(pg_url, tmp_path):
    """Two stores (two connection pools, as two `serve` processes have) append concurrently,
    with audited multi-row transactions: the database's advisory lock orders them; no
    deadlock, no fork of the chain."""
    import threading

    from pipeline.service.store import Store

    a = Store(pg_url, secrets_dir=tmp_path)
    b = Store(pg_url, secrets_dir=tmp_path)
    errors: list[BaseException] = []

    def work(store: Store, who: str) -> None:
        try:
            for i in range(40):
                call_id = f"{who}-{i}"
                store.create_call(call_id, channel="test", language="fr", caller_number=None,
                                  provider_call_id=None, started_at=float(i))
                store.add_event(call_id, 1.0, "call_end", {}, float(i), who)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n))
               for s, n in ((a, "a"), (b, "b"), (a, "c"), (b, "d"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=100)
    assert not errors and not any(t.is_alive() for t in threads)
    result = a.verify_audit()
    assert result.ok and result.entries == 4 * 40 * 2
    a.dispose()
    b.dispose()


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_kill_9_during_an_emergency_with_the_database_down_loses_nothing(
        pg_cluster, tmp_path, fast_practice_file):
    """`permanence serve` on PostgreSQL; the database stops; an emergency call comes in; the
    process is killed (-9). Database back, serve restarted: every event is stored, the
    escalation runs again, the audit chain (and its signed head) is valid."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from pipeline.service.auth import Auth, Role
    from pipeline.service.store import Store
    from tests.service.conftest import free_port

    data = tmp_path / "data"
    store = Store(pg_cluster.url, secrets_dir=data)
    Auth(store, 60).add_user("secretary", Role.TELE_SECRETARY, "a-long-password!")
    store.dispose()
    env = {**os.environ, "PERMANENCE_DATA_DIR": str(data),
           "PERMANENCE_DATABASE_URL": pg_cluster.url,
           "PERMANENCE_CLASSIFIER_USE_MODEL": "false",
           "PERMANENCE_PRACTICE_FILE": str(fast_practice_file),
           "PERMANENCE_RETENTION_INTERVAL_S": "0",
           "PERMANENCE_AGENT_PRELOAD": "false",  # simulated calls: no voice engines to load
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    log_file = tmp_path / "serve.log"

    def serve_log() -> str:
        return log_file.read_text(errors="replace")[-3000:]

    def serve() -> subprocess.Popen[bytes]:
        with log_file.open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--port",
                                     str(port)], env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, serve_log()
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code in (200, 503):
                    return proc
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)

    proc = serve()
    try:
        api = httpx.Client(base_url=base, timeout=30)
        token = api.post("/api/auth/login", json={"username": "secretary",
                                                  "password": "a-long-password!"}
                         ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/calls", headers=auth).status_code == 200  # token cached
        pg_cluster.stop()  # the database goes down
        r = api.post("/api/calls/simulate", headers=auth, json={
            "language": "fr", "turns": [STROKE_FR], "caller_number": "+33600000099"})
        assert r.status_code == 503, serve_log()  # handled and pushed, not yet stored
        health = api.get("/api/health").json()
        assert health["pending_writes"] > 0 and health["database"] is False
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    pg_cluster.start()
    proc = serve()
    try:
        store = Store(pg_cluster.url, secrets_dir=data, migrate=False)
        deadline = time.monotonic() + 60
        while True:
            ids = store.call_ids(caller_number="+33600000099")
            actions = [e["action"] for e in store.audit_entries()
                       if ids and e["call_id"] == ids[0]]
            if "handoff.escalate" in actions:
                break
            assert time.monotonic() < deadline, f"no escalation: {actions} {serve_log()}"
            time.sleep(0.3)
        detail = store.get_call(ids[0])
        assert detail is not None
        assert [e.type for e in detail.events][:3] == ["speech_start", "transcript_final",
                                                       "call_end"]
        assert detail.transcript[0]["text"] == STROKE_FR
        assert detail.summary.urgency == "emergency" and detail.decisions
        assert actions.count("call.start") == 1  # replayed once, not twice
        assert store.verify_audit().ok
        store.dispose()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"
