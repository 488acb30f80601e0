"""Operations endpoints for load balancers, orchestrators and Prometheus (issue 10).

- ``GET /healthz``: liveness. 200 while the process's event loop answers (role, instance, pid).
- ``GET /readyz``: readiness. 200 when this process can take traffic: the database answers and
  is migrated, the shared live state (Redis) answers when configured, and in a voice worker
  started by ``permanence serve`` its engines are loaded (``engines``); else 503 naming the
  failing checks. A load balancer stops sending calls to a process that is not ready.
- ``GET /metrics``: Prometheus text format. Live calls, handoff latency (histogram), queue
  depth (buffered store writes, the shared write stream), recognizer backlog, journal size,
  dashboards connected, escalations timed and adopted.

No authentication (they carry no caller data: counts and timings only); keep them on the
deployment's private network (deploy/README.md).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from pipeline.service.services import Services

router = APIRouter(tags=["operations"])

HANDOFF_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
"""Seconds; the handoff budget is 200 ms from the decisive words to the dashboards."""


def recognizer_backlog(app: FastAPI) -> int:
    """Passes queued in this process's recognizer (0 before the voice engines are loaded, and
    in an API process, which never loads them)."""
    runtime = getattr(app.state, "agent_runtime", None)
    engine = getattr(getattr(runtime, "recognizer", None), "engine", None)
    pending = getattr(engine, "pending", None)
    if callable(pending):
        value = pending()
        return value if isinstance(value, int) else 0
    return 0


class _LiveCollector(Collector):
    def __init__(self, app: FastAPI, services: Services) -> None:
        self.app = app
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        hub = self.services.hub
        stats = hub.live.stats()
        summaries = hub.snapshot()
        live = GaugeMetricFamily("permanence_live_calls",
                                 "Calls on the line (this process's and, with Redis, the "
                                 "deployment's)", labels=["scope"])
        remote = {r.id for r in hub.live.remote_calls()}
        local = sum(1 for s in summaries if s.status == "live" and s.id not in remote)
        live.add_metric(["process"], local)
        live.add_metric(["deployment"], sum(1 for s in summaries if s.status == "live"))
        yield live
        awaiting = GaugeMetricFamily("permanence_awaiting_ack",
                                     "Handoffs awaiting a human's acknowledgment")
        awaiting.add_metric([], sum(1 for s in summaries if s.needs_ack))
        yield awaiting
        queue = GaugeMetricFamily("permanence_queue_depth",
                                  "Store writes not yet committed", labels=["queue"])
        queue.add_metric(["process"], hub.pending_writes)
        queue.add_metric(["stream"], stats.stream_backlog)
        yield queue
        backlog = GaugeMetricFamily("permanence_recognizer_backlog",
                                    "Recognizer passes queued in this process")
        backlog.add_metric([], recognizer_backlog(self.app))
        yield backlog
        journal = GaugeMetricFamily("permanence_journal_bytes",
                                    "Size of this process's write journal")
        size = 0
        if hub.journal is not None:
            try:
                size = hub.journal.path.stat().st_size
            except OSError:
                size = 0
        journal.add_metric([], size)
        yield journal
        dashboards = GaugeMetricFamily("permanence_dashboards",
                                       "Dashboards connected to this process's push")
        dashboards.add_metric([], self.services.broker.subscribers)
        yield dashboards
        owned = GaugeMetricFamily("permanence_escalations_owned",
                                  "Escalation timers this process holds the lease of")
        owned.add_metric([], stats.owned_escalations)
        yield owned
        adopted = CounterMetricFamily("permanence_escalations_adopted",
                                      "Escalations taken over from a process that died")
        adopted.add_metric([], stats.adopted_escalations)
        yield adopted
        up = GaugeMetricFamily("permanence_live_connected",
                               "Shared live state reachable (1 in process)",
                               labels=["kind"])
        up.add_metric([stats.kind], 1.0 if stats.connected else 0.0)
        yield up
        writer = GaugeMetricFamily("permanence_stream_writer",
                                   "This process drains the shared write stream")
        writer.add_metric([], 1.0 if stats.writer else 0.0)
        yield writer


def install(app: FastAPI, services: Services) -> None:
    """A registry per app (tests run several apps in one process), the hub's handoff latency
    observed into it, and the routes."""
    registry = CollectorRegistry(auto_describe=True)
    latency = Histogram("permanence_handoff_latency_seconds",
                        "From a classification reaching the hub to its handoff pushed to the "
                        "dashboards", buckets=HANDOFF_BUCKETS, registry=registry)
    services.hub.handoff_observer = latency.observe
    registry.register(_LiveCollector(app, services))
    app.state.metrics_registry = registry
    app.include_router(router)


def _services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    services = _services(request)
    return JSONResponse({"status": "ok", "role": services.settings.role,
                         "instance": services.hub.live.instance_id,
                         "live": services.hub.live.kind, "pid": os.getpid()})


def _database_ok(services: Services) -> bool:
    try:
        with services.store.session(read=True) as s:
            s.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    services = _services(request)
    checks = {
        "database": await asyncio.to_thread(_database_ok, services),
        "migrated": bool(services.store.migrated),
        "live": await services.hub.live.ping(),
    }
    state = request.app.state
    if getattr(state, "engines_expected", False):  # a worker: its models are loaded
        checks["engines"] = getattr(state, "agent_runtime", None) is not None
    ready = all(checks.values())
    content = {"ready": ready, "checks": checks, "role": services.settings.role,
               "instance": services.hub.live.instance_id}
    if getattr(state, "engines_error", None):
        content["engines_error"] = state.engines_error
    return JSONResponse(status_code=200 if ready else 503, content=content)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics_registry
    body = await asyncio.to_thread(generate_latest, registry)
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)
