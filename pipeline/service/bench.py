"""`permanence bench service`: queue listing latency with N calls stored, decision-to-dashboard
push latency through a real websocket, audit append throughput. Prints JSON; never a test."""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, RedFlagHit, Span, TriageForm
from pipeline.service.db import Call
from pipeline.service.store import Store


def _pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))], 3)


def _emergency(i: int) -> Classification:
    text = f"il a une douleur dans la poitrine qui serre {i}"
    return Classification(
        text=text, language="fr", intent=Intent.SYMPTOM_REPORT,
        intent_scores={"symptom_report": 0.9}, urgency=Urgency.EMERGENCY,
        urgency_scores={"emergency": 0.95, "urgent": 0.04, "routine": 0.01},
        red_flags=(RedFlagHit(RedFlag.CHEST_PAIN, Span(11, 36, text[11:36]), "bench"),),
        needs_review=False, model_version="bench", latency_ms=0.0)


def _fill(store: Store, n: int) -> None:
    rng = random.Random(7)
    now = time.time()
    urg = ["routine"] * 7 + ["urgent"] * 2 + ["emergency"]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        u = rng.choice(urg)
        rows.append({
            "id": f"bench{i:08d}", "channel": "bench", "language": "fr",
            "caller_number": f"+3361234{i % 10000:04d}",
            "started_at": now - rng.random() * 30 * 86400,
            "status": "live" if rng.random() < 0.02 else "ended", "urgency": u,
            "urgency_rank": {"routine": 0, "urgent": 1, "emergency": 2}[u],
            "intent": rng.choice([x.value for x in Intent]),
            "red_flags": "chest_pain" if u == "emergency" else "", "emergency_score": 0.1,
            "needs_review": False, "action_rank": 0, "advise_emergency": False,
            "needs_ack": rng.random() < 0.03, "escalation_step": 0, "corrected": False,
        })
    with store.session() as s:
        for k in range(0, n, 1000):
            s.execute(insert(Call), rows[k:k + 1000])


def run_bench(calls: int = 10000, listing_runs: int = 200, push_runs: int = 50,
              audit_entries: int = 1000, journal_writes: int = 5000,
              postgres_url: str | None = None) -> dict[str, Any]:
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services
    from pipeline.service.threaded import running_server
    from pipeline.settings import Settings

    out: dict[str, Any] = {"calls_stored": calls,
                           "note": "2 shared CPU cores under contention from other work"}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        services = build_services(settings)
        _fill(services.store, calls)
        services.auth.add_user("bench", __import__(
            "pipeline.service.auth", fromlist=["Role"]).Role.ADMIN, "bench-password")

        # 1. queue listing: store level and over HTTP (the dashboard's request).
        store_ms = []
        for _ in range(listing_runs):
            t0 = time.perf_counter()
            services.store.list_calls(view="queue", limit=50)
            store_ms.append((time.perf_counter() - t0) * 1e3)
        app = create_app(settings, services=services)
        with running_server(app) as server:
            client = httpx.Client(base_url=server.base_url, timeout=30)
            token = client.post("/api/auth/login", json={"username": "bench",
                                                         "password": "bench-password"}
                                ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            http_ms, hist_ms = [], []
            for _ in range(listing_runs):
                t0 = time.perf_counter()
                r = client.get("/api/calls", params={"view": "queue", "limit": 50},
                               headers=headers)
                http_ms.append((time.perf_counter() - t0) * 1e3)
                assert r.status_code == 200
            for _ in range(max(20, listing_runs // 4)):
                t0 = time.perf_counter()
                client.get("/api/calls", params={"view": "history", "q": "chest", "limit": 50},
                           headers=headers)
                hist_ms.append((time.perf_counter() - t0) * 1e3)
            out["queue_listing_ms"] = {
                "store_p50": _pct(store_ms, 0.5), "store_p95": _pct(store_ms, 0.95),
                "http_p50": _pct(http_ms, 0.5), "http_p95": _pct(http_ms, 0.95),
                "history_search_http_p95": _pct(hist_ms, 0.95), "target_p95": 50,
            }

            # 2. decision -> dashboard push, through a real websocket client.
            out["push_latency_ms"] = asyncio.run(_push_bench(app, server.base_url, token,
                                                             push_runs))
            client.close()

        # 3. audit append throughput (each append its own transaction, as live events are).
        t0 = time.perf_counter()
        for i in range(audit_entries):
            services.store.record_audit("bench", "bench.append", None, i=i)
        single = audit_entries / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        with services.store.session() as s:
            for i in range(audit_entries):
                services.store.log(s, "bench", "bench.batch", None, i=i)
        batched = audit_entries / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        verify = services.store.verify_audit()
        out["audit"] = {"append_per_s_one_tx_each": round(single, 1),
                        "append_per_s_batched": round(batched, 1),
                        "entries": verify.entries, "verify_ok": verify.ok,
                        "verify_s": round(time.perf_counter() - t0, 3)}
        services.store.dispose()

        # 4. the local journal: append (fsync per writer batch), replay after a crash.
        out["journal"] = _journal_bench(Path(tmp), journal_writes)
    # 5. a telephony transfer through a provider answering 503 then 200.
    out["transfer_after_5xx_ms"] = asyncio.run(_transfer_bench())
    # 6. audit appends on PostgreSQL (advisory-lock serialised), two writers at once.
    out["audit_postgres"] = _postgres_audit_bench(postgres_url, audit_entries)
    return out


def _journal_bench(tmp: Path, n: int) -> dict[str, Any]:
    from pipeline.service.journal import Journal, StoreWrite
    from pipeline.service.store import CallUpdate

    store = Store(f"sqlite:///{tmp / 'journal-bench.db'}")
    path = tmp / "journal" / "writes.jsonl"
    journal = Journal(path)
    calls = max(1, n // 50)
    t0 = time.perf_counter()
    for c in range(calls):
        journal.append(StoreWrite.of("create_call", f"j{c:06d}", channel="bench", language="fr",
                                     caller_number=None, provider_call_id=None,
                                     started_at=time.time()))
        for i in range(n // calls - 1):
            if i % 10 == 9:
                journal.append(StoreWrite.of("add_classification", f"j{c:06d}", float(i),
                                             {"intent": "symptom_report",
                                              "urgency": "emergency", "red_flags": []}, None,
                                             CallUpdate(urgency="emergency", urgency_rank=2),
                                             time.time()))
            else:
                journal.append(StoreWrite.of("add_event", f"j{c:06d}", float(i),
                                             "transcript_final",
                                             {"text": f"phrase numéro {i} de l'appelant"},
                                             time.time(), "system"))
            if i % 256 == 255:
                journal.sync()
    journal.sync()
    append_s = time.perf_counter() - t0
    journal.close()  # the process dies here: nothing acknowledged
    t0 = time.perf_counter()
    reopened = Journal(path)
    pending = reopened.pending()
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(0, len(pending), 256):
        batch = pending[k:k + 256]
        store.apply_writes(batch)
        reopened.ack(batch[-1].seq)
    replay_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.apply_writes(pending[:256])  # a second replay of the same writes: all skipped
    skip_s = time.perf_counter() - t0
    ok = store.verify_audit().ok
    store.dispose()
    return {"writes": len(pending), "append_per_s": round(len(pending) / append_s, 1),
            "read_pending_s": round(read_s, 3),
            "replay_to_sqlite_per_s": round(len(pending) / replay_s, 1),
            "duplicate_batch_skip_ms": round(skip_s * 1e3, 2), "audit_ok_after": ok,
            "file_bytes_before_compaction": path.stat().st_size}


async def _transfer_bench(runs: int = 5) -> dict[str, Any]:
    import threading
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from handoff import HandoffNotice, TwilioTransferChannel, demo_practice, human_fallback

    state = {"fail": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            code = 503 if state["fail"] > 0 else 200
            state["fail"] -= 1
            self.send_response(code)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    channel = TwilioTransferChannel("ACbench", "tok",
                                    api_base=f"http://127.0.0.1:{server.server_address[1]}")
    decision = human_fallback(demo_practice(), datetime.now(UTC), "bench")
    times: list[float] = []
    for _ in range(runs):
        state["fail"] = 1
        t0 = time.perf_counter()
        delivery = await channel.deliver(HandoffNotice("bench", decision, "CA" + "0" * 32))
        times.append((time.perf_counter() - t0) * 1e3)
        assert delivery.ok, delivery.detail
    server.shutdown()
    server.server_close()
    return {"p50": _pct(times, 0.5), "max": round(max(times), 1), "runs": runs,
            "target_max": 1000}


def _postgres_audit_bench(url: str | None, entries: int) -> dict[str, Any]:
    import threading

    from pipeline.service.pgtemp import temporary_postgres

    with tempfile.TemporaryDirectory() as tmp, temporary_postgres(url) as pg_url:
        if pg_url is None:
            return {"skipped": "no PostgreSQL: pass --postgres-url or install postgresql"}
        a = Store(pg_url, secrets_dir=Path(tmp))
        b = Store(pg_url, secrets_dir=Path(tmp))
        t0 = time.perf_counter()
        for i in range(entries):
            a.record_audit("bench", "bench.append", None, i=i)
        single = entries / (time.perf_counter() - t0)

        def writer(store: Store, who: str) -> None:
            for i in range(entries // 2):
                store.record_audit(who, "bench.concurrent", None, i=i)

        threads = [threading.Thread(target=writer, args=(st, n)) for st, n in ((a, "a"), (b, "b"))]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent = 2 * (entries // 2) / (time.perf_counter() - t0)
        verify = a.verify_audit()
        a.dispose()
        b.dispose()
        return {"append_per_s_one_tx_each": round(single, 1),
                "append_per_s_two_processes": round(concurrent, 1),
                "entries": verify.entries, "verify_ok": verify.ok}


async def _push_bench(app: Any, base_url: str, token: str, runs: int) -> dict[str, Any]:
    import websockets

    loop = app.state.loop
    hub = app.state.services.hub
    url = base_url.replace("http", "ws") + f"/api/live?token={token}"
    latencies: list[float] = []
    async with websockets.connect(url) as ws:
        json.loads(await ws.recv())  # hello
        for i in range(runs):
            async def one(i: int = i) -> float:
                call_id = await hub.start_call(channel="bench", language="fr")
                t0 = time.perf_counter()
                await hub.record_classification(call_id, _emergency(i), TriageForm(), 1.0)
                return t0

            fut = asyncio.run_coroutine_threadsafe(one(), loop)
            while True:
                msg = json.loads(await ws.recv())
                if msg["kind"] == "handoff":
                    t1 = time.perf_counter()
                    break
            t0 = fut.result(timeout=5)
            latencies.append((t1 - t0) * 1e3)
    return {"p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "max": round(max(latencies), 3), "runs": runs, "target_p95": 200}
