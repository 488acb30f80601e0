"""REST API and the push websocket. Every endpoint but /api/health and login is authorized by
role; every read of a call's details is audited."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    HTTPException,
    Query,
    Request,
    Response,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, field_validator

from classifier.labels import INTENTS, RED_FLAGS, URGENCIES
from pipeline.service import gdpr, reports
from pipeline.service.auth import (
    ALL_ROLES,
    ANALYSTS,
    CLINICAL,
    Principal,
    Role,
    TooManyAttempts,
    UnknownUser,
    UserExists,
)
from pipeline.service.services import Services
from pipeline.service.store import CallSummary, StoreUnavailable

router = APIRouter()
COOKIE = "permanence_session"


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def require(*roles: Role) -> Callable[..., Principal]:
    allowed = frozenset(roles)

    def dependency(request: Request) -> Principal:
        token = _token(request)
        if not token:
            raise HTTPException(401, "not authenticated: log in with POST /api/auth/login and "
                                     "send Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": "Bearer"})
        principal = get_services(request).auth.principal(token)
        if principal is None:
            raise HTTPException(401, "invalid or expired token",
                                headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in allowed:
            raise HTTPException(403, f"role {principal.role.value} may not do this; allowed: "
                                     + ", ".join(sorted(r.value for r in allowed)))
        return principal

    return dependency


Clinical = Annotated[Principal, Depends(require(*CLINICAL))]
Analyst = Annotated[Principal, Depends(require(*ANALYSTS))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Anyone = Annotated[Principal, Depends(require(*ALL_ROLES))]


# -- models -----------------------------------------------------------------------------------
class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: float
    username: str
    role: Role


class CallList(BaseModel):
    total: int
    items: list[CallSummary]


class TranscriptLine(BaseModel):
    t: float | None
    speaker: str
    text: str
    final: bool


class CallDetailOut(BaseModel):
    call: CallSummary
    caller_number: str | None
    transcript: list[TranscriptLine]
    events: list[dict[str, Any]]
    classifications: list[dict[str, Any]]
    form: dict[str, Any] | None
    form_corrected: bool
    decisions: list[dict[str, Any]]
    corrections: list[dict[str, Any]]


class SimulateIn(BaseModel):
    language: Literal["fr", "en"] = "fr"
    turns: list[Annotated[str, Field(min_length=1, max_length=5000)]] = Field(
        min_length=1, max_length=50)
    caller_number: str | None = Field(default=None, max_length=40)
    dialled_number: str | None = Field(default=None, max_length=40)
    """Multi-practice: the number the caller dialled routes the call to its practice."""
    end: bool = True
    """False: the call stays live after its turns, as if the caller were still on the line
    (fault tests: the process holding it dies mid-call)."""


class SimulateOut(BaseModel):
    call_id: str
    handoff: bool
    decision: dict[str, Any] | None
    classification: dict[str, Any] | None
    """None when the classifier failed: the call then went to a human (fail-safe)."""
    form: dict[str, Any] | None


class FormCorrection(BaseModel):
    fields: dict[str, Any] = Field(min_length=1)


class LabelCorrection(BaseModel):
    """Confirm (no change) or correct the call's labels; stored as a labeled example."""

    intent: str | None = None
    urgency: str | None = None
    red_flag: str | None = None
    confirm: bool = False

    @field_validator("intent")
    @classmethod
    def _intent(cls, v: str | None) -> str | None:
        if v is not None and v not in INTENTS:
            raise ValueError(f"expected one of {', '.join(INTENTS)}")
        return v

    @field_validator("urgency")
    @classmethod
    def _urgency(cls, v: str | None) -> str | None:
        if v is not None and v not in URGENCIES:
            raise ValueError(f"expected one of {', '.join(URGENCIES)}")
        return v

    @field_validator("red_flag")
    @classmethod
    def _red_flag(cls, v: str | None) -> str | None:
        if v is not None and v != "" and v not in RED_FLAGS:
            raise ValueError(f"expected one of {', '.join(RED_FLAGS)} (or empty for none)")
        return v


class AckOut(BaseModel):
    call_id: str
    acknowledged_by: str
    take_over: bool
    persisted: bool


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    role: Role
    password: str = Field(min_length=12, max_length=256)


class UserUpdate(BaseModel):
    """Any of: a new role, deactivate (active=false) / reactivate, a new password."""

    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)


class UserOut(BaseModel):
    username: str
    role: Role
    active: bool


class EraseIn(BaseModel):
    caller_number: str | None = Field(default=None, max_length=40)
    call_id: str | None = Field(default=None, max_length=40)


# -- health & auth ----------------------------------------------------------------------------
@router.get("/api/health", tags=["service"])
async def health(services: ServicesDep) -> JSONResponse:
    """No login. 503 when the database is down (live calls still reach a human)."""
    db = await asyncio.to_thread(services.store.ping)
    body = {"status": "ok" if db else "degraded", "database": db,
            "pending_writes": services.hub.pending_writes,
            "live_calls": len([c for c in services.hub.snapshot() if c.status == "live"]),
            "dashboards": services.broker.subscribers}
    return JSONResponse(body, status_code=200 if db else 503)


@router.post("/api/auth/login", tags=["auth"])
async def login(body: LoginIn, request: Request, response: Response,
                services: ServicesDep) -> LoginOut:
    address = request.client.host if request.client else None
    try:
        issued = await asyncio.to_thread(services.auth.login, body.username, body.password,
                                         address)
    except TooManyAttempts as exc:
        raise HTTPException(429, str(exc), headers={
            "Retry-After": str(int(exc.retry_after_s) + 1)}) from None
    if issued is None:
        raise HTTPException(401, "wrong username or password")
    response.set_cookie(COOKIE, issued.token, httponly=True, samesite="strict",
                        secure=services.settings.cookie_secure,
                        max_age=services.settings.token_ttl_s)
    return LoginOut(access_token=issued.token, expires_at=issued.expires_at,
                    username=issued.principal.username, role=issued.principal.role)


@router.post("/api/auth/logout", tags=["auth"])
async def logout(request: Request, response: Response, services: ServicesDep,
                 _user: Anyone) -> dict[str, bool]:
    token = _token(request)
    if token:
        await asyncio.to_thread(services.auth.logout, token)
    response.delete_cookie(COOKIE)
    return {"ok": True}


@router.get("/api/auth/me", tags=["auth"])
async def me(user: Anyone) -> dict[str, str]:
    return {"username": user.username, "role": user.role.value}


# -- calls ------------------------------------------------------------------------------------
@router.get("/api/calls", tags=["calls"])
async def list_calls(
    services: ServicesDep, user: Clinical,
    view: Literal["queue", "history"] = "queue",
    q: Annotated[str | None, Query(max_length=100)] = None,
    urgency: Literal["emergency", "urgent", "routine"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallList:
    """`queue`: live calls and handoffs awaiting acknowledgment, most urgent first.
    `history`: every call, newest first, searchable."""
    items, total = await asyncio.to_thread(services.store.list_calls, view=view, q=q,
                                           urgency=urgency, limit=limit, offset=offset,
                                           practices=user.practices)
    return CallList(total=total, items=items)


async def visible_call(services: Services, call_id: str, user: Principal) -> None:
    """404 unless the call belongs to one of the user's practices (multi-practice: a call of
    another practice does not exist for them, not even as a 403)."""
    if user.practices is None:
        return
    known, practice = services.hub.practice_id_of(call_id)
    if not known:
        await services.hub.flush(timeout_s=2.0)
        _, practice = await asyncio.to_thread(services.store.call_practice, call_id)
    if not user.sees(practice):
        raise HTTPException(404, f"no call {call_id!r}")


async def _detail(services: Services, call_id: str, user: Principal) -> CallDetailOut:
    await visible_call(services, call_id, user)
    await services.hub.flush(timeout_s=2.0)
    detail = await asyncio.to_thread(services.store.get_call, call_id, reader=user.username)
    if detail is None:
        raise HTTPException(404, f"no call {call_id!r}")
    live = services.hub.live_transcript(call_id)
    transcript = live if live is not None else detail.transcript
    return CallDetailOut(
        call=detail.summary, caller_number=detail.caller_number,
        transcript=[TranscriptLine(**x) for x in transcript],
        events=[{"t": e.t, "type": e.type, **e.payload} for e in detail.events],
        classifications=[dict(c) for c in detail.classifications],
        form=dict(detail.form or {}) or None, form_corrected=detail.form_corrected,
        decisions=[dict(d) for d in detail.decisions],
        corrections=[dict(c) for c in detail.corrections])


@router.get("/api/calls/{call_id}", tags=["calls"])
async def get_call(call_id: str, services: ServicesDep, user: Clinical) -> CallDetailOut:
    """Everything about one call. The read is audited."""
    return await _detail(services, call_id, user)


@router.get("/api/calls/{call_id}/transcript", tags=["calls"])
async def transcript(call_id: str, services: ServicesDep, user: Clinical) -> list[TranscriptLine]:
    """Live transcript (in-memory while the call runs, the store afterwards). Audited."""
    detail = await _detail(services, call_id, user)
    return detail.transcript


@router.get("/api/calls/{call_id}/form", tags=["forms"])
async def get_form(call_id: str, services: ServicesDep, user: Clinical) -> dict[str, Any]:
    detail = await _detail(services, call_id, user)
    return {"call_id": call_id, "form": detail.form, "corrected": detail.form_corrected}


@router.patch("/api/calls/{call_id}/form", tags=["forms"])
async def correct_form(call_id: str, body: FormCorrection, services: ServicesDep,
                       user: Clinical) -> CallSummary:
    """Correct form fields; each change is kept as a correction (labeled example)."""
    await visible_call(services, call_id, user)
    await services.hub.flush(timeout_s=2.0)
    try:
        summary = await asyncio.to_thread(services.store.correct, call_id, user.username, {},
                                          form_fields=body.fields)
    except KeyError:
        raise HTTPException(404, f"no call {call_id!r}") from None
    services.hub.broker_call_update(summary)
    return summary


@router.get("/api/calls/{call_id}/classifications", tags=["classifications"])
async def classifications(call_id: str, services: ServicesDep,
                          user: Clinical) -> list[dict[str, Any]]:
    detail = await _detail(services, call_id, user)
    return detail.classifications


@router.post("/api/calls/{call_id}/labels", tags=["classifications"])
async def correct_labels(call_id: str, body: LabelCorrection, services: ServicesDep,
                         user: Clinical) -> CallSummary:
    """Confirm or correct intent / urgency / red flag."""
    await visible_call(services, call_id, user)
    await services.hub.flush(timeout_s=2.0)
    changes: dict[str, Any] = {k: v for k, v in
                               {"intent": body.intent, "urgency": body.urgency,
                                "red_flag": body.red_flag}.items() if v is not None}
    if not changes and not body.confirm:
        raise HTTPException(422, "expected at least one of intent, urgency, red_flag, or "
                                 "confirm=true")
    try:
        if body.confirm and not changes:
            summary = await asyncio.to_thread(services.store.confirm_labels, call_id,
                                              user.username)
        else:
            summary = await asyncio.to_thread(services.store.correct, call_id, user.username,
                                              changes)
    except KeyError:
        raise HTTPException(404, f"no call {call_id!r}") from None
    services.hub.broker_call_update(summary)
    return summary


async def _ack(call_id: str, services: Services, user: Principal, take_over: bool) -> AckOut:
    await visible_call(services, call_id, user)
    if not services.hub.knows(call_id):
        await services.hub.flush(timeout_s=2.0)
        exists = await asyncio.to_thread(services.store.call_exists, call_id)
        if not exists:
            raise HTTPException(404, f"no call {call_id!r}")
    persisted = await services.hub.acknowledge(call_id, user.username, take_over=take_over)
    return AckOut(call_id=call_id, acknowledged_by=user.username, take_over=take_over,
                  persisted=persisted)


@router.post("/api/calls/{call_id}/acknowledge", tags=["handoffs"])
async def acknowledge(call_id: str, services: ServicesDep, user: Clinical) -> AckOut:
    """Stops the escalation timer. Works from memory while the database is down."""
    return await _ack(call_id, services, user, take_over=False)


@router.post("/api/calls/{call_id}/take-over", tags=["handoffs"])
async def take_over(call_id: str, services: ServicesDep, user: Clinical) -> AckOut:
    return await _ack(call_id, services, user, take_over=True)


@router.post("/api/calls/simulate", tags=["calls"])
async def simulate(body: SimulateIn, services: ServicesDep, _user: Clinical) -> SimulateOut:
    """A call without audio: classifier -> form -> escalation exactly as a live call."""
    from pipeline.service.simulate import simulate_call

    route = services.hub.route_number
    practice = route(body.dialled_number) if route and body.dialled_number else None
    if not _user.sees(practice) and services.hub.practices:
        raise HTTPException(403, "that number belongs to a practice you are not a member of")
    result = await simulate_call(services, body.language, body.turns,
                                 caller_number=body.caller_number, practice_id=practice,
                                 end=body.end)
    if not await services.hub.flush(timeout_s=5.0):
        raise StoreUnavailable("call handled and pushed, but not yet stored")
    return SimulateOut(call_id=result.call_id, handoff=result.handoff,
                       decision=result.decision.to_dict() if result.decision else None,
                       classification=(result.classification.to_dict()
                                       if result.classification else None),
                       form=result.form.to_dict() if result.form else None)


# -- roster, reports --------------------------------------------------------------------------
@router.get("/api/roster", tags=["roster"])
async def roster(services: ServicesDep, _user: Anyone) -> dict[str, Any]:
    return services.practice.to_dict(services.hub.clock())


@router.get("/api/reports", tags=["reports"])
async def get_reports(services: ServicesDep, _user: Anyone,
                      days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    """Call volume by day and hour, by intent and urgency, time to handoff, acknowledgment
    times, correction rate. Aggregates only (no personal data)."""
    return await asyncio.to_thread(reports.compute, services.store, days,
                                   services.practice.timezone)


# -- audit, export, GDPR ----------------------------------------------------------------------
def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=str) + "\n"


@router.get("/api/audit/export", tags=["audit"])
async def audit_export(services: ServicesDep, user: Admin,
                       since_seq: Annotated[int, Query(ge=0)] = 0) -> StreamingResponse:
    """The audit trail as JSON Lines (hash chain included, verifiable offline)."""
    rows = await asyncio.to_thread(services.store.audit_entries, since_seq)
    await asyncio.to_thread(services.store.record_audit, user.username, "audit.export",
                            since_seq=since_seq, entries=len(rows))
    return StreamingResponse(_jsonl(iter(rows)), media_type="application/x-ndjson")


@router.get("/api/audit/verify", tags=["audit"])
async def audit_verify(services: ServicesDep, _user: Admin) -> dict[str, Any]:
    result = await asyncio.to_thread(services.store.verify_audit)
    return {"ok": result.ok, "entries": result.entries,
            "first_broken_seq": result.first_broken_seq, "reason": result.reason}


@router.get("/api/export/labeled", tags=["export"])
async def export_labeled(services: ServicesDep, user: Analyst) -> StreamingResponse:
    """Corrected calls, pseudonymized (names, numbers, dates replaced), in LABELS.md JSONL."""
    rows = await asyncio.to_thread(gdpr.export_corrected, services.store, user.username)
    return StreamingResponse(_jsonl(iter(rows)), media_type="application/x-ndjson")


@router.post("/api/gdpr/erase", tags=["gdpr"])
async def erase(body: EraseIn, services: ServicesDep, user: Admin) -> dict[str, Any]:
    """Erase a caller's data (by number, or one call). The erasure itself is audited."""
    if not body.caller_number and not body.call_id:
        raise HTTPException(422, "expected caller_number or call_id")
    await services.hub.flush(timeout_s=2.0)
    ids = await asyncio.to_thread(gdpr.erase, services.store, user.username,
                                  caller_number=body.caller_number, call_id=body.call_id,
                                  data_dir=services.settings.data_dir)
    services.hub.forget(ids)
    return {"erased_calls": len(ids)}


# -- users ------------------------------------------------------------------------------------
@router.get("/api/users", tags=["users"])
async def users(services: ServicesDep, _user: Admin) -> list[UserOut]:
    rows = await asyncio.to_thread(services.auth.list_users)
    return [UserOut(username=u, role=r, active=a) for u, r, a in rows]


@router.post("/api/users", tags=["users"], status_code=201)
async def add_user(body: UserIn, services: ServicesDep, user: Admin) -> UserOut:
    try:
        await asyncio.to_thread(services.auth.add_user, body.username, body.role, body.password,
                                actor=user.username)
    except UserExists as exc:
        raise HTTPException(409, str(exc)) from None
    return UserOut(username=body.username, role=body.role, active=True)


@router.patch("/api/users/{username}", tags=["users"])
async def update_user(username: str, body: UserUpdate, services: ServicesDep,
                      user: Admin) -> UserOut:
    """Change a user's role, deactivate or reactivate them, or set a new password (audited).
    Deactivation and a new password end their sessions, push websocket included."""
    if body.role is None and body.active is None and body.password is None:
        raise HTTPException(422, "expected at least one of role, active, password")
    if username == user.username and (body.active is False or (
            body.role is not None and body.role is not Role.ADMIN)):
        raise HTTPException(409, "an administrator cannot deactivate or demote themself "
                                 "(ask another administrator)")
    try:
        name, role, active = await asyncio.to_thread(
            services.auth.update_user, username, actor=user.username, role=body.role,
            active=body.active, password=body.password)
    except UnknownUser:
        raise HTTPException(404, f"no user {username!r}") from None
    return UserOut(username=name, role=role, active=active)


# -- push -------------------------------------------------------------------------------------
@router.websocket("/api/live")
async def live(websocket: WebSocket) -> None:
    """Push channel for dashboards: a `hello` snapshot of the calls in memory, then every
    call, transcript, classification, handoff, escalation and ack message as JSON."""
    services: Services = websocket.app.state.services
    from_cookie = not websocket.query_params.get("token")
    token = websocket.query_params.get("token") or websocket.cookies.get(COOKIE)
    if from_cookie and token and not same_origin(websocket.headers):
        # A cookie rides along from any page the browser opens: only our own pages may use it.
        await websocket.close(code=4403)
        return
    principal = None
    if token:
        try:
            principal = await asyncio.to_thread(services.auth.principal, token)
        except StoreUnavailable:
            principal = None
    if principal is None or principal.role not in CLINICAL:
        await websocket.close(code=4401 if principal is None else 4403)
        return
    await websocket.accept()
    sub = services.broker.subscribe()
    try:
        await websocket.send_text(json.dumps({
            "kind": "hello", "call_id": None, "at": time.time(),
            "data": {"user": principal.username, "role": principal.role.value,
                     "calls": [c.model_dump(mode="json") for c in services.hub.snapshot()
                               if principal.sees(c.practice)]}},
            default=str))
        receiver = asyncio.create_task(_drain(websocket))
        assert token is not None
        checker = asyncio.create_task(_still_valid(services, token))
        while not receiver.done() and not checker.done():
            getter = asyncio.create_task(sub.get())
            done, _ = await asyncio.wait({getter, receiver, checker},
                                         return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                message = getter.result()
                # Multi-practice: a user sees pushes of their practices' calls only.
                if message.call_id is None or principal.sees(message.practice):
                    await websocket.send_text(message.to_json())
            else:
                getter.cancel()
        if checker.done():
            # Logged out, expired or deactivated: the session ends here too.
            await websocket.close(code=4401, reason="session ended")
        checker.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        sub.close()


async def _still_valid(services: Services, token: str, every_s: float = 1.0) -> None:
    """Returns when the token no longer names an active user (checked every second; the
    database being down is not a reason to stop alerting a logged-in dashboard)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            principal = await asyncio.to_thread(services.auth.principal, token)
        except StoreUnavailable:
            continue
        if principal is None or principal.role not in CLINICAL:
            return


def same_origin(headers: Any) -> bool:
    """The request's Origin (else Referer) names the host it was sent to. Browsers send
    Origin with every cross-origin write and websocket, so a request with neither header is
    not a cross-site one (curl, scripts); "null" (sandboxed frames, file://) is refused."""
    from urllib.parse import urlsplit

    origin = headers.get("origin") or headers.get("referer")
    if not origin:
        return True
    host = headers.get("host")
    return bool(host) and urlsplit(origin).netloc == host


async def _drain(websocket: WebSocket) -> None:
    """Reads (and ignores) client messages so a disconnect is noticed."""
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return
