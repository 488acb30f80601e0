"""`permanence bench fleet`: simulated calls through several agent processes sharing PostgreSQL
and Redis, watched on a dashboard connected to an API process. Loopback only, bounded in calls
and time; prints JSON, never a test.

Per level (1, 2, ... agent processes watched through one API process; then, with ``--apis M``,
all the agents watched through 2..M API processes, one dashboard on each): `calls` stroke calls
(each one a handoff), `concurrency` in flight per agent, round-robin over the level's agents.
Figures (latencies pooled over the level's dashboards):

- ``handoff_ms``: from the simulate request sent to the handoff push received by the dashboard
  on the API process (what a tele-secretary waits for);
- ``push_ms``: from the push leaving the agent's hub (its `at`) to the dashboard receiving it
  through Redis and the API process (the fan-out alone);
- ``calls_per_s``: calls handled, pushed and committed to PostgreSQL (the simulate request
  returns once its writes left the stream) per second of the level's wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from pipeline.live.fleet import ServeProcess, start_serve, temporary_redis, wait_ready
from pipeline.service.pgtemp import temporary_postgres

STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"
PASSWORD = "bench-password-not-secret"


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))], 1)


async def _dashboard(url: str, arrivals: dict[str, tuple[float, float]],
                     ready: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, open_timeout=30, max_size=None) as ws:
        async for raw in ws:
            message = json.loads(raw)
            if message["kind"] == "hello":
                ready.set()
            elif message["kind"] == "handoff" and message["call_id"] not in arrivals:
                arrivals[message["call_id"]] = (time.time(), float(message["at"]))


async def _level(agents: list[ServeProcess], token: str, calls: int, concurrency: int,
                 boards: list[dict[str, tuple[float, float]]], timeout_s: float
                 ) -> dict[str, Any]:
    """One level: `calls` calls through `agents`, watched by one dashboard on each API process
    of the level (`boards`: call id -> (received, pushed at), one per dashboard)."""
    sent: dict[str, float] = {}
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(calls):
        queue.put_nowait(i)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + timeout_s

    async def worker(agent: ServeProcess, client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty() and time.monotonic() < deadline:
            queue.get_nowait()
            t0 = time.time()
            try:
                r = await client.post(agent.url + "/api/calls/simulate", headers=headers,
                                      json={"turns": [STROKE_FR]}, timeout=60)
                r.raise_for_status()
                sent[r.json()["call_id"]] = t0
            except httpx.HTTPError:
                errors += 1

    start = time.monotonic()
    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(worker(agent, client) for agent in agents
                               for _ in range(concurrency)))
    wall = time.monotonic() - start
    settle = time.monotonic() + 10
    while any(c not in arrivals for arrivals in boards for c in sent) and \
            time.monotonic() < settle:
        await asyncio.sleep(0.05)
    handoff = [1000 * (arrivals[c][0] - t0) for arrivals in boards
               for c, t0 in sent.items() if c in arrivals]
    push = [1000 * (arrivals[c][0] - arrivals[c][1]) for arrivals in boards
            for c in sent if c in arrivals]
    return {"agents": len(agents), "api_processes": len(boards), "calls": len(sent),
            "errors": errors,
            "missing_push": sum(1 for arrivals in boards for c in sent if c not in arrivals),
            "wall_s": round(wall, 2), "calls_per_s": round(len(sent) / wall, 2) if wall else None,
            "handoff_ms": {"p50": _pct(handoff, 0.5), "p95": _pct(handoff, 0.95)},
            "push_ms": {"p50": _pct(push, 0.5), "p95": _pct(push, 0.95)}}


def run_fleet_bench(*, calls: int = 40, agents: int = 2, concurrency: int = 4,
                    apis: int = 1, postgres_url: str | None = None,
                    redis_url: str | None = None, timeout_s: float = 120.0) -> dict[str, Any]:
    """Levels 1..`agents` agent processes watched through one API process, then (`apis` > 1)
    all the agents watched through 2..`apis` API processes, a dashboard on each (the push
    fans out to every one of them)."""
    if not 1 <= agents <= 8:
        raise ValueError("agents: expected 1 to 8 processes on this machine")
    if not 1 <= apis <= 4:
        raise ValueError("apis: expected 1 to 4 processes on this machine")
    if not 1 <= calls <= 2000:
        raise ValueError("calls: expected 1 to 2000 per level")
    with temporary_postgres(postgres_url) as pg, temporary_redis(redis_url) as redis_url_:
        if pg is None or redis_url_ is None:
            return {"error": "PostgreSQL and redis-server are needed (make setup installs "
                             "them), or pass --postgres-url and --redis-url"}
        return asyncio.run(_run(pg, redis_url_, calls, agents, concurrency, apis, timeout_s))


async def _run(pg: str, redis_url: str, calls: int, agents: int, concurrency: int, apis: int,
               timeout_s: float) -> dict[str, Any]:
    from pipeline.service.auth import Auth, Role
    from pipeline.service.store import Store

    base = Path(tempfile.mkdtemp(prefix="permanence-fleet-"))
    secrets = base / "secrets"
    secrets.mkdir()
    store = Store(pg, secrets_dir=secrets)
    Auth(store, 3600).add_user("bench", Role.TELE_SECRETARY, PASSWORD)
    store.dispose()
    env = {"PERMANENCE_DATABASE_URL": pg, "PERMANENCE_REDIS_URL": redis_url,
           "PERMANENCE_CLASSIFIER_USE_MODEL": "false", "PERMANENCE_AGENDA__ENABLED": "false",
           "PERMANENCE_RETENTION_INTERVAL_S": "0", "PERMANENCE_LOG_LEVEL": "WARNING",
           # Simulated calls (classifier, hub, store, Redis): no voice engines to wait for.
           "PERMANENCE_AGENT_PRELOAD": "false"}
    servers: list[ServeProcess] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        for i in range(apis):
            servers.append(start_serve(f"api{i + 1}", "api", base / f"api{i + 1}", env,
                                       secrets / "secret.key"))
        for i in range(agents):
            servers.append(start_serve(f"agent{i + 1}", "agent", base / f"agent{i + 1}", env,
                                       secrets / "secret.key"))
        await asyncio.to_thread(wait_ready, servers)
        api_servers, workers = servers[:apis], servers[apis:]
        api = api_servers[0]
        async with httpx.AsyncClient() as client:
            r = await client.post(api.url + "/api/auth/login", timeout=30,
                                  json={"username": "bench", "password": PASSWORD})
            r.raise_for_status()
            token = str(r.json()["access_token"])
            for agent in workers:  # warm-up: the classifier loads on first use
                await client.post(agent.url + "/api/calls/simulate", timeout=60,
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"turns": [STROKE_FR]})
        boards: list[dict[str, tuple[float, float]]] = []
        for server in api_servers:  # one dashboard on each API process
            arrivals: dict[str, tuple[float, float]] = {}
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(_dashboard(
                f"ws://127.0.0.1:{server.port}/api/live?token={token}", arrivals, ready)))
            await asyncio.wait_for(ready.wait(), 30)
            boards.append(arrivals)
        levels = [await _level(workers[:n], token, calls, concurrency, boards[:1], timeout_s)
                  for n in range(1, agents + 1)]
        levels += [await _level(workers, token, calls, concurrency, boards[:m], timeout_s)
                   for m in range(2, apis + 1)]
        return {"calls_per_level": calls, "concurrency_per_agent": concurrency,
                "api_processes": apis, "levels": levels,
                "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2)},
                "note": "all processes, PostgreSQL and Redis share this machine's cores: the "
                        "curve shows contention, not a deployment's capacity"}
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        for server in servers:
            server.stop()
        import shutil

        shutil.rmtree(base, ignore_errors=True)
