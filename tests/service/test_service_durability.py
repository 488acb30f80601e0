"""Nothing lost: the local journal (fsync, replay in order, idempotent, owner-only), rejected
writes quarantined without blocking the queue, start-up reconciliation of a dead process's calls,
the audit chain anchored by a signed head (deleted tail, rewritten chain), on real SQLite."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from pipeline.calls import CallHub
from pipeline.events import TranscriptFinal
from pipeline.service.journal import Journal, StoreWrite
from pipeline.service.store import CallUpdate, Store

STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_journal_replays_unacknowledged_writes_in_order_owner_only(tmp_path):
    path = tmp_path / "journal" / "writes.jsonl"
    journal = Journal(path)
    writes = [journal.append(StoreWrite.of("add_event", "c1", float(i), "transcript_final",
                                           {"text": f"phrase {i}"}, 1.0, "system"))
              for i in range(5)]
    journal.append(StoreWrite.of("add_classification", "c1", 1.0, {"intent": "x"}, None,
                                 CallUpdate(red_flags=("stroke",), urgency_rank=2), 2.0))
    journal.sync()
    journal.ack(writes[1].seq)  # the first two reached the database
    # No close: the process dies here. A torn last line (never acknowledged) is ignored.
    with path.open("ab") as f:
        f.write(b'{"w": 99, "id": "torn')
    assert _mode(path) == 0o600
    again = Journal(path)
    pending = again.pending()
    assert [w.args[1] for w in pending[:3]] == [2.0, 3.0, 4.0]
    assert pending[-1].op == "add_classification"
    assert pending[-1].args[4] == CallUpdate(red_flags=("stroke",), urgency_rank=2)
    assert [w.id for w in pending] == [w.id for w in writes[2:]] + [pending[-1].id]
    # Numbering carries on after the compaction that start-up does.
    assert again.append(StoreWrite.of("set_audio", "c1", "a.wav")).seq > pending[-1].seq
    assert _mode(path) == 0o600


def test_replay_is_idempotent_by_write_id(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    create = StoreWrite.of("create_call", "call-1", channel="test", language="fr",
                           caller_number=None, provider_call_id=None, started_at=time.time())
    event = StoreWrite.of("add_event", "call-1", 1.0, "transcript_final", {"text": "bonjour"},
                          time.time(), "system")
    assert store.apply_writes([create, event]) == []
    assert store.apply_writes([create, event]) == []  # a replay after a crash: skipped
    detail = store.get_call("call-1")
    assert detail is not None and len(detail.events) == 1
    assert store.verify_audit().ok
    assert _mode(tmp_path / "p.db") == 0o600 and _mode(tmp_path / "secret.key") == 0o600


def test_rejected_write_is_quarantined_audited_and_never_blocks_the_queue(tmp_path, rules,
                                                                          caplog):
    from handoff import demo_practice

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    journal = Journal(tmp_path / "journal" / "writes.jsonl")
    hub = CallHub(store, demo_practice(), journal=journal)
    secret_words = "je m'appelle Hortense Vidal-Quarantaine"

    async def run() -> str:
        await hub.start_call(channel="test", language="fr", call_id="dup")
        assert await hub.flush()
        # The same id again: the database refuses the second row (unique constraint).
        await hub.start_call(channel="test", language="fr", call_id="dup")
        other = await hub.start_call(channel="test", language="fr")
        await hub.record_event(other, TranscriptFinal(1.0, 1, secret_words))
        assert await hub.flush(timeout_s=10)
        await hub.close()
        return other

    with caplog.at_level("INFO"):
        other = asyncio.run(run())
    assert hub.db_ok and hub.quarantined == 1 and hub.pending_writes == 0
    detail = store.get_call(other)
    assert detail is not None and detail.transcript[0]["text"] == secret_words
    quarantined = journal.quarantined()
    assert len(quarantined) == 1 and quarantined[0]["op"] == "create_call"
    assert "IntegrityError" in quarantined[0]["error"]
    assert _mode(journal.quarantine_path) == 0o600
    entries = store.audit_entries()
    q = [e for e in entries if e["action"] == "write.quarantined"]
    assert len(q) == 1 and q[0]["call_id"] == "dup" and q[0]["data"]["op"] == "create_call"
    assert store.verify_audit().ok
    assert "quarantined" in caplog.text and "Hortense" not in caplog.text
    assert not Journal(journal.path).pending()  # everything acknowledged


def test_audit_verify_detects_a_deleted_tail_and_a_rewritten_chain(tmp_path):
    from pipeline.service.audit import entry_hash

    db = tmp_path / "a.db"
    store = Store(f"sqlite:///{db}")
    for i in range(10):
        store.record_audit("test", "test.append", None, i=i)
    assert store.verify_audit().ok
    with sqlite3.connect(db) as con:  # the last three entries deleted: links stay valid
        con.execute("delete from audit_log where seq > 7")
    result = store.verify_audit()
    assert not result.ok and "deleted" in (result.reason or "")

    db2 = tmp_path / "b" / "b.db"
    store2 = Store(f"sqlite:///{db2}")
    for i in range(6):
        store2.record_audit("test", "test.append", None, i=i)
    # Someone with write access rewrites entry 3 and recomputes every hash after it.
    with sqlite3.connect(db2) as con:
        rows = con.execute("select seq, ts, actor, action, call_id, data from audit_log "
                           "order by seq").fetchall()
        prev = "0" * 64
        for seq, ts, actor, action, call_id, data in rows:
            if seq == 3:
                data = json.dumps({"i": 999})
            h = entry_hash(prev, seq, ts, actor, action, call_id, data)
            con.execute("update audit_log set data=?, prev_hash=?, hash=? where seq=?",
                        (data, prev, h, seq))
            prev = h
    rewritten = store2.verify_audit()
    assert not rewritten.ok and "rewritten" in (rewritten.reason or "")
    # A forged head file (without the key) is caught as well.
    head = tmp_path / "b" / "audit-head.json"
    forged = json.loads(head.read_text())
    forged["hash"] = prev
    head.write_text(json.dumps(forged))
    assert "signature" in (store2.verify_audit().reason or "")


def test_fingerprints_are_keyed_not_plain_hashes(tmp_path):
    import hashlib

    a = Store(f"sqlite:///{tmp_path / 'x' / 'a.db'}")
    b = Store(f"sqlite:///{tmp_path / 'y' / 'b.db'}")
    value = {"value": "Jeanne Martin"}
    plain = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
    assert a.audit.digest(value) != b.audit.digest(value)  # different practices' secrets
    assert plain not in a.audit.digest(value) and a.audit.digest(value).startswith("h1:")
    assert a.audit.digest(value) == Store(f"sqlite:///{tmp_path / 'x' / 'a.db'}"
                                          ).audit.digest(value)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_start_up_reconciliation_restores_escalation_and_marks_live_calls_interrupted(
        tmp_path, rules, fast_practice):
    from datetime import timedelta

    from pipeline.service.db import ServiceInstance

    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = Store(url)
    hub = CallHub(first, fast_practice, journal=Journal(tmp_path / "j1.jsonl"),
                  clock=lambda: _night())

    async def before_the_crash() -> str:
        call_id = await hub.start_call(channel="twilio", language="fr",
                                       caller_number="+33600000002", provider_call_id="CA9")
        c = rules.classify(STROKE_FR, "fr")
        decision = await hub.record_classification(call_id, c, None, 2.0)
        assert decision is not None and decision.ack_deadline is not None
        assert await hub.flush()
        await asyncio.to_thread(first.heartbeat)
        return call_id

    call_id = asyncio.run(before_the_crash())
    # The process dies (its tasks simply stop): its pid is gone.
    with first.session() as s:
        s.get(ServiceInstance, first.instance_id).pid = _dead_pid()
    later = _night() + timedelta(seconds=5)  # the deadline passed while nobody ran
    second = Store(url)
    hub2 = CallHub(second, fast_practice, journal=Journal(tmp_path / "j2.jsonl"),
                   clock=lambda: later, ack_poll_s=0.05)

    async def after_restart() -> None:
        sub = hub2.broker.subscribe()
        await hub2.start()
        deadline = time.monotonic() + 10
        while (hub2.current_decision(call_id) is None
               or hub2.current_decision(call_id).step < 1):
            assert time.monotonic() < deadline, "escalation did not resume"
            await asyncio.sleep(0.05)
        assert await hub2.flush()
        shown = [m for m in list(sub.queue._queue) if m.kind == "call"]
        assert shown and shown[0].data["status"] == "interrupted" and shown[0].data["needs_ack"]
        assert any(c.id == call_id for c in hub2.snapshot())
        await hub2.close()

    asyncio.run(after_restart())
    detail = second.get_call(call_id)
    assert detail is not None and detail.summary.status == "interrupted"
    assert detail.summary.needs_ack and detail.summary.escalation_step >= 1
    assert any(e.type == "interrupted" and e.payload["task"] == "call_back"
               for e in detail.events)
    actions = [e["action"] for e in second.audit_entries()]
    assert "call.interrupted" in actions and "handoff.escalate" in actions
    items, _ = second.list_calls(view="queue")
    assert [i.id for i in items] == [call_id]
    assert second.verify_audit().ok


def _night():  # Wednesday 23:00 in Paris: the on-call physician, then the backup
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, 25, 23, 0, tzinfo=ZoneInfo("Europe/Paris"))
