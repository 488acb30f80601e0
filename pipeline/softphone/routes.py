"""The take-over softphone's API, included by ``pipeline.service.app.create_app``.

- ``POST /api/calls/{id}/softphone``: "Prendre l'appel". The user (a clinical role) claims the
  call's audio; the answer is a one-time ticket, bound to this user and call, valid
  ``softphone_connect_timeout_s``. Another user's claim or take-over: 403. No live audio line in
  this process (ended, simulated): 404.
- ``POST /api/calls/{id}/softphone/offer``: the softphone's SDP offer with its ticket; the SDP
  answer back. A forged, replayed, expired or someone else's ticket: 403.
- ``POST /api/calls/{id}/softphone/hangup``: the user ends their softphone.
- ``GET /api/calls/{id}/softphone``: the bridge's state and frame counts.

Every claim, refusal, connection, timeout and hang-up is audited (``softphone.*``). Cookie
writes from another origin are refused by the app's middleware (CSRF).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from pipeline.service.api import Clinical, ServicesDep, visible_call
from pipeline.softphone.registry import BridgeRegistry, SoftphoneRefused

if TYPE_CHECKING:
    from pipeline.softphone.bridge import CallBridge

router = APIRouter(tags=["softphone"])


class ClaimOut(BaseModel):
    call_id: str
    ticket: str
    connect_timeout_s: float
    channel: str


class OfferIn(BaseModel):
    ticket: str = Field(min_length=1, max_length=200)
    sdp: str = Field(min_length=1, max_length=20_000)
    type: str = Field(min_length=1, max_length=16)


class AnswerOut(BaseModel):
    sdp: str
    type: str


class BridgeOut(BaseModel):
    call_id: str
    state: str
    user: str | None
    channel: str
    caller_frames_to_human: int
    human_frames_to_caller: int
    agent_frames_muted: int


def registry(app: Any) -> BridgeRegistry:
    """This process's bridges (one per live pipecat call)."""
    found = getattr(app.state, "softphone", None)
    if found is None:
        found = app.state.softphone = BridgeRegistry()
    assert isinstance(found, BridgeRegistry)
    return found


async def _bridge(request: Request, call_id: str, services: ServicesDep,
                  user: Clinical) -> CallBridge:
    # Another practice's call does not exist for this user (404, as on every call route).
    await visible_call(services, call_id, user)
    bridge = registry(request.app).get(call_id)
    if bridge is None:
        raise HTTPException(404, f"no live audio line for call {call_id!r} in this server: "
                                 "take it over without audio (POST .../take-over) and call "
                                 "the caller back")
    return bridge


async def _run(coro: Any) -> Any:
    try:
        return await coro
    except SoftphoneRefused as exc:
        raise HTTPException(exc.status, exc.detail) from None


@router.post("/api/calls/{call_id}/softphone")
async def claim(call_id: str, request: Request, user: Clinical,
                services: ServicesDep) -> ClaimOut:
    """Take the call with the browser's softphone: a one-time ticket for its offer."""
    bridge = await _bridge(request, call_id, services, user)
    got = await _run(bridge.claim(user.username))
    return ClaimOut(call_id=got.call_id, ticket=got.ticket,
                    connect_timeout_s=got.connect_timeout_s, channel=bridge.channel)


@router.post("/api/calls/{call_id}/softphone/offer")
async def offer(call_id: str, body: OfferIn, request: Request, user: Clinical,
                services: ServicesDep) -> AnswerOut:
    """The softphone's SDP offer (with its ticket) -> the server's SDP answer."""
    bridge = await _bridge(request, call_id, services, user)
    answer = await _run(bridge.answer(user.username, body.ticket, body.sdp, body.type))
    return AnswerOut(sdp=answer.sdp, type=answer.type)


@router.post("/api/calls/{call_id}/softphone/hangup")
async def hangup(call_id: str, request: Request, user: Clinical,
                 services: ServicesDep) -> BridgeOut:
    """End this user's softphone: both legs close (before it connected: the claim only)."""
    bridge = await _bridge(request, call_id, services, user)
    await _run(bridge.hang_up(user.username))
    return _out(bridge)


@router.get("/api/calls/{call_id}/softphone")
async def status(call_id: str, request: Request, user: Clinical,
                 services: ServicesDep) -> BridgeOut:
    return _out(await _bridge(request, call_id, services, user))


def _out(bridge: CallBridge) -> BridgeOut:
    s = bridge.stats
    return BridgeOut(call_id=bridge.call_id, state=bridge.state.value, user=bridge.user,
                     channel=bridge.channel, caller_frames_to_human=s.caller_frames_to_human,
                     human_frames_to_caller=s.human_frames_to_caller,
                     agent_frames_muted=s.agent_frames_muted)


def open_bridge(app: Any, session: Any, synthesizer: Any, *, channel: str,
                out_rate: int, provider_call_id: str | None = None) -> CallBridge:
    """A bridge for one live pipecat call, registered until the call ends (the agent's
    routes call this; its ``tap``/``injector`` go into the call's pipeline)."""
    from pipeline.softphone.bridge import CallBridge

    settings = app.state.services.settings
    reg = registry(app)
    bridge = CallBridge(session, app.state.services.hub, synthesizer, channel=channel,
                        out_rate=out_rate,
                        connect_timeout_s=settings.softphone_connect_timeout_s,
                        media_timeout_s=settings.softphone_media_timeout_s,
                        provider_call_id=provider_call_id, on_ended=reg.remove)
    reg.add(bridge)
    return bridge
