"""Telephony end to end: a real websocket client speaks the Twilio Media Streams protocol to the
real app (uvicorn on 127.0.0.1); the transfer lands on a fake Twilio REST server (a real HTTP
server on 127.0.0.1, the only fake: Twilio is an external network service)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.agent.listening_caller import announce

pytestmark = pytest.mark.slow

RED_FLAG_FR = "Bonjour, mon mari ne respire plus, il est inconscient."


def _mulaw(path: Path) -> bytes:
    import soundfile as sf

    from asr.audio import float_to_mulaw

    samples, rate = sf.read(path, dtype="float32")
    assert rate == 8000
    return float_to_mulaw(samples)


_announce = announce  # the signed voice webhook, shared with the listening caller


MAX_ON_LINE_S = 90.0
"""How long the test caller stays on the line after speaking, at most (a bound, not a wait):
it hangs up as soon as ``done(received)``. A fixed 6 s of silence was the flake at load ~10: the
recognizer's first result came 6-7 s after the words, the caller had already hung up, and the
transfer (decided, spoken, sent) was checked before its request arrived."""


async def _twilio_call(url: str, audio: bytes, *, call_sid: str, caller: str,
                       done: Callable[[list[dict[str, Any]]], bool],
                       token: str = "") -> list[dict[str, Any]]:
    """Play ``audio`` (8 kHz mu-law) in 20 ms media messages at real-time pace, then line
    silence, as a caller waiting for an answer, until ``done(received so far)`` (what the test
    waits for) or `MAX_ON_LINE_S`; returns what the server sent back."""
    import websockets

    received: list[dict[str, Any]] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({
            "event": "start", "sequenceNumber": "1", "streamSid": "MZtest",
            "start": {"accountSid": "ACtest", "streamSid": "MZtest", "callSid": call_sid,
                      "tracks": ["inbound"], "customParameters": {"token": token},
                      "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                      "channels": 1}}}))

        async def reader() -> None:
            async for message in ws:
                received.append(json.loads(message))

        task = asyncio.create_task(reader())
        frames = [audio[i:i + 160] for i in range(0, len(audio), 160)]
        frames += [b"\xff" * 160] * int(MAX_ON_LINE_S / 0.02)
        t0 = time.monotonic()
        for i, frame in enumerate(frames):
            delay = t0 + i * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(json.dumps({"event": "media", "streamSid": "MZtest", "media": {
                "track": "inbound", "chunk": str(i), "timestamp": str(i * 20),
                "payload": base64.b64encode(frame).decode()}}))
            if i * 160 > len(audio) and done(received):
                break
        await asyncio.sleep(0.5)
        await ws.send(json.dumps({"event": "stop", "streamSid": "MZtest"}))
        await asyncio.sleep(0.3)
        task.cancel()
    return received


def test_twilio_red_flag_call_is_handed_off_and_transferred(
        agent_app: Any, fake_twilio: Any, speech: Any, network_audit: list[str]) -> None:
    url = agent_app.state.base_url.replace("http", "ws") + "/ws/twilio"
    audio = _mulaw(speech(RED_FLAG_FR, "fr", phone=True))
    sid = "CA" + "0001" * 8
    token = _announce(agent_app.state.base_url, sid, "+33612345678")
    # On the line until the transfer request arrived and the agent cut its own speech short
    # for the emergency notice (the 'clear'): both are asserted below.
    received = asyncio.run(_twilio_call(
        url, audio, call_sid=sid, caller="+33612345678", token=token,
        done=lambda got: bool(fake_twilio.requests) and any(
            m.get("event") == "clear" for m in got)))
    # The transfer request reached the telephony provider for this call, dialing the on-call
    # physician of the weeknight shift.
    assert fake_twilio.requests, "no transfer request reached the fake Twilio API"
    assert fake_twilio.requests[0]["path"].endswith(f"/Accounts/ACtest/Calls/{sid}.json")
    assert fake_twilio.dialed() == ["+33199000003"]
    # The timeline of the call: the handoff came from the caller's words, quickly.
    session = agent_app.state.agent_calls[-1]
    tl = session.report().to_json()
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "emergency" and handoff["action"] == "transfer_physician"
    # Decided on the caller's sentence: the utterance it is attributed to was heard.
    heard = {e["utterance_id"] for e in tl["events"]
             if e["type"] in ("transcript_partial", "transcript_final")}
    assert handoff["utterance_id"] in heard, [(e["type"], e.get("text")) for e in tl["events"]]
    assert session.channel == "twilio" and session.caller_number == "+33612345678"
    # The agent spoke over the line (greeting, then the emergency notice): mu-law media back,
    # and a 'clear' when it interrupted itself.
    media = [m for m in received if m.get("event") == "media"]
    assert len(media) > 50 and all(m["streamSid"] == "MZtest" for m in media)
    assert any(m.get("event") == "clear" for m in received)
    # The hub recorded it for the dashboard and the audit trail.
    state = agent_app.state.services.hub._calls[tl["call_id"]]
    assert state.decision.action.value == "transfer_physician"
    assert state.provider_call_id == sid
    # Nothing in the pipeline tried the network (no DNS, no connection off this machine).
    assert network_audit == []


def test_twilio_refuses_a_stream_without_start(agent_app: Any) -> None:
    import websockets

    url = agent_app.state.base_url.replace("http", "ws") + "/ws/twilio"

    async def main() -> Any:
        async with websockets.connect(url) as ws:
            for _ in range(5):
                await ws.send(json.dumps({"event": "media", "media": {"payload": ""}}))
            try:
                await asyncio.wait_for(ws.recv(), timeout=5)
            except websockets.ConnectionClosed as exc:
                return exc.rcvd
        return None

    close = asyncio.run(main())
    assert close is not None and close.code == 1003 and "start" in close.reason


def test_twilio_voice_webhook_connects_the_call_to_the_media_stream(agent_app: Any) -> None:
    import httpx

    from pipeline.service.twilio_auth import expected_signature

    params = {"From": "+33612345678", "CallSid": "CA" + "0002" * 8}
    sig = expected_signature("secret", agent_app.state.base_url + "/twilio/voice", params)
    response = httpx.post(agent_app.state.base_url + "/twilio/voice", data=params,
                          headers={"X-Twilio-Signature": sig}, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    twiml = response.text
    assert "<Connect><Stream url=\"ws://127.0.0.1:" in twiml and "/ws/twilio\"" in twiml
    assert '<Parameter name="token" value="' in twiml


def test_twilio_tts_fault_hands_the_call_to_a_human(agent_app: Any, fake_twilio: Any,
                                                    faults: dict[str, Any]) -> None:
    # The pipecat TTS service fails on the greeting: the caller still hears the transfer notice
    # (synthesized when the call started) and the call is transferred.
    runtime = agent_app.state.agent_runtime
    runtime.synthesizer = faults["tts"]("raise", ok_calls=1)
    url = agent_app.state.base_url.replace("http", "ws") + "/ws/twilio"
    sid = "CA" + "0003" * 8
    token = _announce(agent_app.state.base_url, sid, "+33612345678")
    received = asyncio.run(_twilio_call(url, b"\xff" * 160 * 50, call_sid=sid,
                                        caller="+33612345678", token=token,
                                        done=lambda got: bool(fake_twilio.requests) and sum(
                                            1 for m in got if m.get("event") == "media") > 20))
    session = agent_app.state.agent_calls[-1]
    tl = session.report().to_json()
    fault = next(e for e in tl["events"] if e["type"] == "fault")
    assert fault["component"] == "tts"
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "human" and "tts fault" in handoff["reason"]
    assert fake_twilio.requests and fake_twilio.requests[0]["path"].endswith(f"/{sid}.json")
    # The pre-synthesized notice went out over the line.
    assert sum(1 for m in received if m.get("event") == "media") > 20
