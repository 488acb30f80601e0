"""FastAPI app factory: API (OpenAPI at /docs), dashboard, push websocket, voice-agent routes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from pipeline.service.logsetup import configure_loguru
from pipeline.service.services import Services, build_services
from pipeline.service.store import StoreUnavailable
from pipeline.settings import Settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self' ws: wss:; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""No inline script, nothing from elsewhere, never framed (clickjacking)."""


async def _housekeeping(services: Services, *, retention: bool = True) -> None:
    """Retention on a schedule inside `serve`, and the server's memory kept in step with the
    database: calls erased or past retention (by this process or `permanence gdpr erase`)
    leave the in-memory queue, transcripts and notices too."""
    from pipeline.service.gdpr import erased_among, run_retention

    next_retention = asyncio.get_running_loop().time()
    while True:
        settings = services.settings
        interval = settings.retention_interval_s
        try:
            now = asyncio.get_running_loop().time()
            if retention and interval > 0 and now >= next_retention:
                next_retention = now + interval
                report = await asyncio.to_thread(
                    run_retention, services.store, audio_days=settings.retention_audio_days,
                    transcript_days=settings.retention_transcript_days,
                    form_days=settings.retention_form_days, data_dir=settings.data_dir)
                services.hub.forget(report.call_ids)
                log.info("retention: %s", report.to_dict())
            held = services.hub.held_call_ids()
            services.hub.forget(await asyncio.to_thread(erased_among, services.store, held))
        except StoreUnavailable:
            pass
        except Exception:  # noqa: BLE001 - housekeeping must not stop; say so
            log.exception("retention run failed")
        await asyncio.sleep(min(5.0, interval) if interval > 0 else 5.0)


async def _load_engines(app: FastAPI) -> None:
    """The voice engines, off the event loop; /readyz reports them (`ops.readyz`)."""
    from pipeline.agent.routes import preload_agent

    started = time.monotonic()
    try:
        await preload_agent(app)
    except Exception as exc:  # noqa: BLE001 - not ready, said so; the API part still runs
        app.state.engines_error = f"{type(exc).__name__}: {exc}"
        log.exception("voice engines failed to load: this worker stays not ready")
    else:
        log.info("voice engines loaded in %.1f s: ready for calls", time.monotonic() - started)


def create_app(settings: Settings, *, services: Services | None = None,
               preload_engines: bool = False) -> FastAPI:
    """The whole service. `services` lets tests and the voice agent share one container.
    `preload_engines` (``permanence serve``, a role that takes calls): the voice engines load
    at start-up and the process is not ready (``/readyz``) until they are."""
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.loop = asyncio.get_running_loop()
        # pipecat (loguru) logs the agent's sentences at DEBUG: filtered in every process that
        # hosts the app, not only under `permanence serve`.
        configure_loguru(settings.log_level)
        if not services.store.migrated:
            services.store.migrate()
        await services.hub.start()
        for agenda in services.all_agendas():  # agenda (issue 9): CalDAV, calendar sync
            await agenda.start()
        try:
            if not await asyncio.to_thread(services.auth.list_users):
                log.warning("no users yet: create one with "
                            "`permanence users add NAME --role admin --password-stdin`")
        except StoreUnavailable:
            log.error("database unavailable at start-up: API answers 503 until it is back")
        # Retention runs in API processes (and `all`), not in every voice worker (issue 10);
        # every process still drops erased calls from its memory.
        housekeeping = asyncio.create_task(
            _housekeeping(services, retention=settings.role != "agent"), name="retention")
        engines = None
        if app.state.engines_expected:
            engines = asyncio.create_task(_load_engines(app), name="engines")
        yield
        housekeeping.cancel()
        if engines is not None:
            engines.cancel()
        for agenda in reversed(services.all_agendas()):  # the one running Radicale last
            await agenda.close()
        await services.hub.close()

    app = FastAPI(
        title="permanence",
        version="0.1.0",
        description="AI-assisted voice triage line: calls, triage forms, classifications, "
                    "handoffs, roster, reports, audit trail. Log in with POST /api/auth/login, "
                    "then send `Authorization: Bearer <access_token>`.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load from a CDN; the practice's network has none. /docs is an
        # offline page rendered from /openapi.json (pipeline/service/static/api-docs.*).
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.state.engines_expected = preload_engines and settings.role != "api"

    max_body = settings.max_body_bytes

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        from pipeline.service.api import COOKIE, same_origin

        # A write that authenticates by the dashboard's cookie must come from our own pages:
        # the cookie rides along with any site's form or fetch (CSRF). Bearer calls and
        # Twilio's webhooks (signed) carry no cookie.
        if (request.method not in ("GET", "HEAD", "OPTIONS") and COOKIE in request.cookies
                and not request.headers.get("authorization")
                and not same_origin(request.headers)):
            return JSONResponse(status_code=403, content={
                "detail": "cross-origin request refused: Origin does not match this service"})
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Not "no-referrer": with it, browsers send "Origin: null" on our own writes.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=()")
        return response

    @app.middleware("http")
    async def limit_body(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_body:
            return JSONResponse(status_code=413, content={
                "detail": f"request body too large: {length} bytes, at most {max_body}"})
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            body = await request.body()
            if len(body) > max_body:
                return JSONResponse(status_code=413, content={
                    "detail": f"request body too large: more than {max_body} bytes"})
        return await call_next(request)

    @app.exception_handler(StoreUnavailable)
    async def store_down(_request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return JSONResponse(status_code=503, headers={"Retry-After": "5"}, content={
            "detail": "database unavailable; live calls still reach a human (push and "
                      "telephony continue, writes are buffered)"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in errors]
        message = "; ".join(f"{f}: {e.get('msg', 'invalid')}" for f, e in zip(fields, errors,
                                                                            strict=False))
        return JSONResponse(status_code=422, content={"detail": errors, "message": message,
                                                      "fields": fields})

    from pipeline.service import ops  # /healthz, /readyz, /metrics (issue 10)

    ops.install(app, services)
    from pipeline.service.api import router as api_router

    app.include_router(api_router)
    from pipeline.service.practices_api import router as practices_router  # issue 10

    app.include_router(practices_router)
    from pipeline.agenda.api import router as agenda_router  # agenda (issue 9)

    app.include_router(agenda_router)
    from pipeline.softphone.routes import router as softphone_router  # take-over (issue 11)

    app.include_router(softphone_router)

    try:
        from pipeline.service.dashboard import router as dashboard_router
    except ModuleNotFoundError as exc:
        if exc.name != "pipeline.service.dashboard":
            raise
    else:
        if settings.role != "agent":  # a voice worker serves no dashboard pages
            app.include_router(dashboard_router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    try:
        from pipeline.agent.routes import router as agent_router
    except ModuleNotFoundError as exc:
        if exc.name != "pipeline.agent.routes":
            raise
    else:
        if settings.role != "api":  # an API server loads no voice engines
            app.include_router(agent_router)
    return app
