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

from pipeline.agent.runtime import AgentRuntime

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
            runtime = await asyncio.to_thread(
                AgentRuntime.load, services.settings, hub=services.hub,
                practice=services.practice, classifier=services.classifier())
            app.state.agent_runtime = runtime
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


@router.post("/twilio/voice", response_class=Response)
async def twilio_voice(request: Request) -> Response:
    """Twilio's voice webhook: stream the call's audio to the agent's websocket."""
    form = await request.form()
    caller = str(form.get("From", ""))
    ws_url = str(request.url_for("twilio_media_stream")).replace("http", "ws", 1)
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
        f'<Stream url="{escape(ws_url)}"><Parameter name="From" value="{escape(caller)}"/>'
        "</Stream></Connect></Response>"
    )
    return Response(twiml, media_type="application/xml")


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

    await websocket.accept()
    try:
        start = await _twilio_start(websocket)
    except (ValueError, json.JSONDecodeError, WebSocketDisconnect) as exc:
        log.warning("twilio stream refused: %s", exc)
        await websocket.close(code=1003, reason=str(exc)[:120])
        return
    runtime = await get_runtime(websocket.app)
    custom = start.get("customParameters") or {}
    caller = custom.get("From") or custom.get("from") or None
    call_sid = start.get("callSid")
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
    await run_pipecat_call(session, transport, runtime.synthesizer, out_sample_rate=8000,
                           stall_timeout_s=runtime.settings.agent_stall_timeout_s)


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


@router.post("/api/agent/offer")
async def webrtc_offer(request: Request) -> dict[str, Any]:
    """SDP offer from the caller page; the answer comes back and the call starts."""
    from pipecat.transports.base_transport import TransportParams
    from pipecat.transports.smallwebrtc.request_handler import SmallWebRTCRequest
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport

    from pipeline.agent.pipecat_agent import run_pipecat_call

    body = await request.json()
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
        task = asyncio.create_task(run_pipecat_call(
            session, transport, runtime.synthesizer, out_sample_rate=24000,
            stall_timeout_s=runtime.settings.agent_stall_timeout_s))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    request_obj = SmallWebRTCRequest(sdp=body["sdp"], type=body["type"],
                                     pc_id=body.get("pc_id"))
    answer = await _handler().handle_web_request(request_obj, on_connection)
    if answer is None:
        raise HTTPException(500, "no SDP answer")
    return dict(answer)


_tasks: set[asyncio.Task[Any]] = set()
