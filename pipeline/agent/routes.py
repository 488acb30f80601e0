"""The voice agent's HTTP/websocket routes, included by ``pipeline.service.app.create_app``.

- ``POST /twilio/voice``: TwiML that connects an incoming Twilio call to ``/ws/twilio``.
- ``WS /ws/twilio``: Twilio Media Streams (mu-law 8 kHz, pipecat's serializer); transfers go
  through the hub's telephony channel (the escalation engine's Twilio REST channel).
- ``GET /call`` and ``POST /api/agent/offer``: a caller page (microphone -> agent) over pipecat's
  SmallWebRTC transport, for demos and practices without a phone provider. No CDN, no STUN:
  the page and the ICE candidates stay on the practice's network.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from html import escape
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, Response

from handoff import PracticeConfig
from pipeline.agent.runtime import AgentRuntime
from pipeline.service.limits import RateLimit
from pipeline.service.twilio_auth import (
    StreamTokens,
    caller_number,
    valid_call_sid,
    valid_signature,
)
from pipeline.softphone.routes import open_bridge

log = logging.getLogger(__name__)

router = APIRouter(tags=["voice agent"])

_runtime_lock = asyncio.Lock()


async def get_runtime(app: Any) -> AgentRuntime:
    """The app's agent runtime: engines loaded once (off the event loop) and shared by calls.
    Tests (and ``make run``) may set ``app.state.agent_runtime`` up front."""
    runtime = getattr(app.state, "agent_runtime", None)
    if runtime is not None:
        return runtime  # type: ignore[no-any-return]
    async with _runtime_lock:
        runtime = getattr(app.state, "agent_runtime", None)
        if runtime is None:
            services = app.state.services

            def load() -> AgentRuntime:
                # The agendas and, with several practices, each one's protocol (issue 10).
                return AgentRuntime.load(
                    services.settings, hub=services.hub, practice=services.practice,
                    classifier=services.classifier()).bind(services)

            runtime = app.state.agent_runtime = await asyncio.to_thread(load)
    assert isinstance(runtime, AgentRuntime)
    return runtime


def _track(app: Any, session: Any) -> None:
    """Recent sessions on ``app.state.agent_calls`` (timelines for tests and debugging)."""
    calls = getattr(app.state, "agent_calls", None)
    if calls is None:
        calls = app.state.agent_calls = deque(maxlen=50)
    calls.append(session)


async def preload_agent(app: Any) -> AgentRuntime:
    """Load the agent's engines now (``permanence serve`` / ``make run`` at start-up) rather
    than on the first call, which would otherwise wait ~15 s for the models."""
    return await get_runtime(app)


# -- telephony -----------------------------------------------------------------------------


def _telephony(request_app: Any) -> tuple[str, StreamTokens]:
    """The Twilio auth token and the stream tokens; 503 when telephony is not configured."""
    settings = request_app.state.services.settings
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise HTTPException(503, "telephony is off: set PERMANENCE_TWILIO_ACCOUNT_SID and "
                                 "PERMANENCE_TWILIO_AUTH_TOKEN to take phone calls")
    tokens = getattr(request_app.state, "stream_tokens", None)
    if tokens is None:
        tokens = request_app.state.stream_tokens = StreamTokens()
    return str(settings.twilio_auth_token), tokens


async def _verified_form(request: Request, auth_token: str) -> dict[str, str]:
    """The webhook's parameters, after checking Twilio's signature (403 otherwise)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    base = request.app.state.services.settings.twilio_public_url
    url = (base.rstrip("/") + request.url.path + (f"?{request.url.query}"
                                                   if request.url.query else "")
           if base else str(request.url))
    if not valid_signature(auth_token, url, form, request.headers.get("x-twilio-signature")):
        log.warning("twilio webhook refused: bad or missing X-Twilio-Signature")
        raise HTTPException(403, "invalid X-Twilio-Signature: this request is not from Twilio")
    if not valid_call_sid(form.get("CallSid")):
        raise HTTPException(422, "CallSid: expected CA followed by 32 hex digits")
    return form


def _fallback_dial(request: Request, practice: PracticeConfig | None = None) -> str:
    """Ends every TwiML that hands the line to software: whatever ends the stream (crash,
    refused stream, malformed frame), Twilio then rings the practice's tele-secretary."""
    practice = practice or request.app.state.services.practice
    number = practice.tele_secretary.phone
    if not number:  # no secretary line: the on-call physician
        on_call = practice.on_call_at(request.app.state.services.hub.clock())
        number = on_call.physician.phone if on_call else None
    return f"<Dial>{escape(number)}</Dial>" if number else ""


@router.post("/twilio/voice", response_class=Response)
async def twilio_voice(request: Request) -> Response:
    """Twilio's voice webhook (signed): stream the call's audio to the agent's websocket,
    with a one-time token for this call, then a fallback dial to a human."""
    auth_token, tokens = _telephony(request.app)
    form = await _verified_form(request, auth_token)
    try:
        caller = caller_number(form.get("From"))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    token = tokens.issue(form["CallSid"], caller)
    # Several practices (issue 10): the number dialled picks the call's practice.
    practice = request.app.state.services.hub.expect_call(form["CallSid"], form.get("To"))
    ws_url = str(request.url_for("twilio_media_stream")).replace("http", "ws", 1)
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
        f'<Stream url="{escape(ws_url)}"><Parameter name="token" value="{escape(token)}"/>'
        "</Stream></Connect>" + _fallback_dial(request, practice) + "</Response>"
    )
    return Response(twiml, media_type="application/xml")


@router.post("/twilio/status", response_class=Response)
async def twilio_status(request: Request) -> Response:
    """Twilio status callbacks (signed) for a transfer's dial: answered counts as the
    human's acknowledgment; busy, no-answer or failed moves the ladder on at once."""
    auth_token, _tokens = _telephony(request.app)
    form = await _verified_form(request, auth_token)
    hub = request.app.state.services.hub
    status = (form.get("DialCallStatus") or form.get("CallStatus") or "").lower()
    call_id = hub.call_for_provider(form.get("ParentCallSid") or form["CallSid"]) \
        or hub.call_for_provider(form["CallSid"])
    if call_id is None:
        return Response("<Response/>", media_type="application/xml")
    if status in ("answered", "in-progress", "completed"):
        await hub.acknowledge(call_id, "telephony")
        return Response("<Response/>", media_type="application/xml")
    if status in ("busy", "no-answer", "failed", "canceled"):
        await hub.escalate_now(call_id, f"transfer {status}")
    # The caller is never left on a dead line: the next step's redirect replaces this.
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="20"/>'
                    + _fallback_dial(request) + "</Response>", media_type="application/xml")


async def _twilio_start(websocket: WebSocket) -> dict[str, Any]:
    """Read Twilio's 'connected' and 'start' messages; the start block names the stream."""
    for _ in range(5):
        message = json.loads(await websocket.receive_text())
        if message.get("event") == "start":
            start = message.get("start") or {}
            if not start.get("streamSid") and message.get("streamSid"):
                start["streamSid"] = message["streamSid"]
            if not start.get("streamSid"):
                raise ValueError("Twilio 'start' message without a streamSid")
            return dict(start)
    raise ValueError("expected Twilio's 'start' message within the first 5 messages")


@router.websocket("/ws/twilio", name="twilio_media_stream")
async def twilio_media_stream(websocket: WebSocket) -> None:
    from pipecat.serializers.twilio import TwilioFrameSerializer
    from pipecat.transports.websocket.fastapi import (
        FastAPIWebsocketParams,
        FastAPIWebsocketTransport,
    )

    from pipeline.agent.pipecat_agent import run_pipecat_call

    try:
        _auth_token, tokens = _telephony(websocket.app)
    except HTTPException as exc:
        await websocket.close(code=1008, reason=str(exc.detail)[:120])
        return
    await websocket.accept()
    try:
        start = await _twilio_start(websocket)
    except (ValueError, json.JSONDecodeError, WebSocketDisconnect) as exc:
        log.warning("twilio stream refused: %s", exc)
        await websocket.close(code=1003, reason=str(exc)[:120])
        return
    custom = start.get("customParameters") or {}
    call_sid = start.get("callSid")
    grant = tokens.redeem(custom.get("token"), call_sid) if valid_call_sid(call_sid) else None
    if grant is None:
        # Only a call the verified webhook announced, once: not a stranger's websocket.
        log.warning("twilio stream refused: no valid one-time token for this call")
        await websocket.close(code=1008, reason="stream not announced by a verified webhook")
        return
    runtime = await get_runtime(websocket.app)
    caller = grant.caller
    serializer = TwilioFrameSerializer(
        stream_sid=start["streamSid"], call_sid=call_sid,
        # Hang-up goes through our telephony channel, never pipecat's own REST call.
        params=TwilioFrameSerializer.InputParams(auto_hang_up=False),
    )
    transport = FastAPIWebsocketTransport(websocket, FastAPIWebsocketParams(
        audio_in_enabled=True, audio_out_enabled=True, add_wav_header=False,
        serializer=serializer, allowed_origins=[],
    ))
    session = runtime.session(channel="twilio", caller_number=caller,
                              provider_call_id=call_sid, realtime=True)
    _track(websocket.app, session)
    # The take-over softphone can bridge this call's audio to a tele-secretary's browser.
    bridge = open_bridge(websocket.app, session, runtime.synthesizer, channel="twilio",
                         out_rate=8000, provider_call_id=call_sid)
    try:
        await run_pipecat_call(session, transport, runtime.synthesizer, out_sample_rate=8000,
                               stall_timeout_s=runtime.settings.agent_stall_timeout_s,
                               after_input=[bridge.tap], before_output=[bridge.injector])
    finally:
        await bridge.caller_gone()


# -- browser -------------------------------------------------------------------------------

_webrtc_handler: Any = None


def _handler() -> Any:
    global _webrtc_handler
    if _webrtc_handler is None:
        from pipecat.transports.smallwebrtc.request_handler import SmallWebRTCRequestHandler

        _webrtc_handler = SmallWebRTCRequestHandler(ice_servers=[])
    return _webrtc_handler


@router.get("/call", response_class=HTMLResponse)
async def call_page() -> HTMLResponse:
    """The caller page: microphone -> agent, the agent's voice back."""
    page = resources.files("pipeline.agent").joinpath("call.html").read_text(encoding="utf-8")
    return HTMLResponse(page)


@router.get("/call.js", include_in_schema=False)
async def call_script() -> Response:
    """The caller page's script (a file, not inline: the CSP allows no inline script)."""
    script = resources.files("pipeline.agent").joinpath("call.js").read_text(encoding="utf-8")
    return Response(script, media_type="text/javascript")


@router.post("/api/agent/offer")
async def webrtc_offer(request: Request) -> dict[str, Any]:
    """SDP offer from the caller page; the answer comes back and the call starts."""
    from pipecat.transports.base_transport import TransportParams
    from pipecat.transports.smallwebrtc.request_handler import SmallWebRTCRequest
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport

    from pipeline.agent.pipecat_agent import run_pipecat_call

    settings = request.app.state.services.settings
    limiter = getattr(request.app.state, "offer_limit", None)
    if limiter is None:
        limiter = request.app.state.offer_limit = RateLimit(settings.offer_rate_per_minute)
    wait = limiter.allow(request.client.host if request.client else "?")
    if wait > 0:
        raise HTTPException(429, f"too many calls from this address: retry in {wait:.0f} s",
                            headers={"Retry-After": str(int(wait) + 1)})
    if len(_tasks) >= settings.max_browser_calls:
        raise HTTPException(503, "all browser lines are busy: call the practice's number, "
                                 "or 15 (112) in an emergency", headers={"Retry-After": "30"})
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(422, "expected a JSON body with the browser's 'sdp' and 'type'"
                            ) from None
    if not isinstance(body, dict) or "sdp" not in body or "type" not in body:
        raise HTTPException(422, "expected a JSON body with the browser's 'sdp' and 'type'")
    language = body.get("language")
    if language not in (None, "fr", "en"):
        raise HTTPException(422, f"language {language!r}: expected 'fr' or 'en'")
    runtime = await get_runtime(request.app)

    async def on_connection(connection: Any) -> None:
        transport = SmallWebRTCTransport(connection, TransportParams(
            audio_in_enabled=True, audio_out_enabled=True))
        session = runtime.session(channel="browser", language=language, realtime=True)
        _track(request.app, session)
        bridge = open_bridge(request.app, session, runtime.synthesizer, channel="browser",
                             out_rate=24000)

        async def run() -> None:
            try:
                await run_pipecat_call(
                    session, transport, runtime.synthesizer, out_sample_rate=24000,
                    stall_timeout_s=runtime.settings.agent_stall_timeout_s,
                    after_input=[bridge.tap], before_output=[bridge.injector])
            finally:
                await bridge.caller_gone()

        task = asyncio.create_task(run())
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    request_obj = SmallWebRTCRequest(sdp=body["sdp"], type=body["type"],
                                     pc_id=body.get("pc_id"))
    answer = await _handler().handle_web_request(request_obj, on_connection)
    if answer is None:
        raise HTTPException(500, "no SDP answer")
    return dict(answer)


_tasks: set[asyncio.Task[Any]] = set()
