"""The same store, audit chain and hub on PostgreSQL (by URL), on a throw-away local cluster.
Skipped where no PostgreSQL server binaries are installed (they are optional)."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = [
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL not installed"),
    pytest.mark.timeout(120),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_url():
    # Not under pytest's tmp dir: that one is private to root, and the cluster runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="permanence-pg-"))
    data = base / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user")
        shutil.chown(base, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l",
                    str(base / "log"), "-o", f"-p {port} -k {base} -h 127.0.0.1 -F",
                    "start"], check=True, capture_output=True)
    try:
        subprocess.run([*run_as, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "postgres", "permanence"], check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/permanence"
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


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
