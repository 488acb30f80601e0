"""Nobody gets in by the phone routes, and a phone transfer cannot leave a dead line: Twilio
signatures on the webhooks, one-time stream tokens, validated CallSid/From, phone routes off
without credentials, fallback <Dial>, retried transfers (fake Twilio REST server that fails
then succeeds), status callbacks that acknowledge or move the ladder on."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest

from pipeline.service.twilio_auth import StreamTokens, expected_signature, valid_signature

TOKEN = "twilio-auth-token"
SID = "CA" + "0123456789abcdef" * 2
STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"


def test_signature_is_hmac_sha1_over_the_url_and_sorted_parameters():
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    url = "https://example.com/myapp.php?foo=1&bar=2"
    sig = expected_signature("12345", url, params)
    assert valid_signature("12345", url, params, sig)
    assert not valid_signature("12345", url, {**params, "Digits": "9999"}, sig)
    assert not valid_signature("wrong", url, params, sig)
    assert not valid_signature("12345", url, params, None)


def test_stream_tokens_are_one_time_and_bound_to_their_call():
    tokens = StreamTokens()
    token = tokens.issue(SID, "+33612345678")
    assert tokens.redeem(token, "CA" + "f" * 32) is None  # another call: refused (and spent)
    token = tokens.issue(SID, None)
    grant = tokens.redeem(token, SID)
    assert grant is not None and grant.call_sid == SID
    assert tokens.redeem(token, SID) is None  # once only
    small = StreamTokens(max_open=3)
    first = small.issue(SID, None)
    for _ in range(5):
        small.issue(SID, None)
    assert small.redeem(first, SID) is None  # bounded memory: the oldest went first


@pytest.fixture
def phone_client(service_settings: Any, make_services: Any, fake_twilio: Any) -> Any:
    from fastapi.testclient import TestClient

    from handoff import TwilioTransferChannel
    from pipeline.service.app import create_app

    settings = service_settings.model_copy(update={
        "twilio_account_sid": "ACtest", "twilio_auth_token": TOKEN,
        "twilio_public_url": "https://triage.example.fr"})
    channel = TwilioTransferChannel("ACtest", TOKEN, api_base=fake_twilio.url,
                                    status_url="https://triage.example.fr/twilio/status")
    services = make_services(channels=[channel])
    services.settings = settings
    with TestClient(create_app(settings, services=services)) as c:
        yield c


def _signed_post(client: Any, path: str, params: dict[str, str], *, good: bool = True) -> Any:
    sig = expected_signature(TOKEN if good else "forged", "https://triage.example.fr" + path,
                             params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": sig})


def test_webhook_without_a_valid_signature_is_refused(phone_client):
    params = {"CallSid": SID, "From": "+33612345678"}
    assert phone_client.post("/twilio/voice", data=params).status_code == 403
    assert _signed_post(phone_client, "/twilio/voice", params, good=False).status_code == 403
    bad_sid = _signed_post(phone_client, "/twilio/voice", {"CallSid": "CA1", "From": "+336"})
    assert bad_sid.status_code == 422 and "CallSid" in bad_sid.json()["detail"]
    bad_from = _signed_post(phone_client, "/twilio/voice",
                            {"CallSid": SID, "From": "<script>alert(1)</script>"})
    assert bad_from.status_code == 422 and "From" in bad_from.json()["detail"]


def test_verified_webhook_streams_with_a_one_time_token_then_dials_a_human(phone_client):
    r = _signed_post(phone_client, "/twilio/voice", {"CallSid": SID, "From": "+33612345678"})
    assert r.status_code == 200
    twiml = r.text
    token = re.search(r'<Parameter name="token" value="([^"]+)"/>', twiml)
    assert token is not None
    # After the stream, whatever ended it, Twilio rings the practice's tele-secretary line.
    practice = phone_client.app.state.services.practice
    assert twiml.endswith(f"</Connect><Dial>{practice.tele_secretary.phone}</Dial></Response>")
    assert "+33612345678" not in twiml  # the caller's number stays server-side


def test_media_stream_refuses_a_call_the_webhook_did_not_announce(service_settings,
                                                                   make_services):
    import websockets

    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    settings = service_settings.model_copy(update={
        "twilio_account_sid": "ACtest", "twilio_auth_token": TOKEN})
    services = make_services()
    services.settings = settings
    app = create_app(settings, services=services)
    issued = None
    with running_server(app) as server:
        url = server.base_url.replace("http", "ws") + "/ws/twilio"

        async def stream(token: str | None, call_sid: str) -> Any:
            async with websockets.connect(url) as ws:
                await ws.send(json.dumps({"event": "connected", "protocol": "Call"}))
                custom = {"token": token} if token else {}
                await ws.send(json.dumps({"event": "start", "streamSid": "MZ1", "start": {
                    "streamSid": "MZ1", "callSid": call_sid, "customParameters": custom,
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000}}}))
                try:
                    await asyncio.wait_for(ws.recv(), timeout=5)
                except websockets.ConnectionClosed as exc:
                    return exc.rcvd
            return None

        no_token = asyncio.run(stream(None, SID))
        forged = asyncio.run(stream("forged-token", SID))
        issued = app.state.stream_tokens.issue(SID, None)
        other_call = asyncio.run(stream(issued, "CA" + "e" * 32))
    for close in (no_token, forged, other_call):
        assert close is not None and close.code == 1008 and "webhook" in close.reason
    assert app.state.stream_tokens.redeem(issued, SID) is None  # spent by the wrong call


def test_phone_routes_are_off_without_twilio_credentials(client):
    r = client.post("/twilio/voice", data={"CallSid": SID, "From": "+33612345678"})
    assert r.status_code == 503 and "PERMANENCE_TWILIO_AUTH_TOKEN" in r.json()["detail"]
    r = client.post("/twilio/status", data={"CallSid": SID, "CallStatus": "busy"})
    assert r.status_code == 503


async def _emergency(services: Any, provider_call_id: str) -> str:
    hub = services.hub
    call_id = await hub.start_call(channel="twilio", language="fr",
                                   caller_number="+33600000001",
                                   provider_call_id=provider_call_id)
    c = services.classifier().classify(STROKE_FR, "fr")
    await hub.record_classification(call_id, c, None, 2.0)
    return call_id


def test_transfer_after_a_5xx_is_retried_with_backoff_and_lands(make_services, fake_twilio):
    from handoff import TwilioTransferChannel

    fake_twilio.fail_next = 1
    channel = TwilioTransferChannel("AC1", "tok", api_base=fake_twilio.url)
    services = make_services(channels=[channel])

    async def run() -> None:
        t0 = time.monotonic()
        await _emergency(services, SID)
        while not fake_twilio.requests and time.monotonic() - t0 < 20:
            await asyncio.sleep(0.01)
        await services.hub.flush()
        await services.hub.close()

    asyncio.run(run())
    # How fast (0.1 s backoff: well under a second) is `permanence bench service`'s to say.
    assert len(fake_twilio.failed) == 1 and len(fake_twilio.requests) == 1
    assert fake_twilio.requests[0]["twiml"] == fake_twilio.failed[0]["twiml"]
    delivery = [d for _, d in services.hub.deliveries if d.channel == "telephony"][-1]
    assert delivery.ok and "attempt 2" in delivery.detail


def test_status_callbacks_acknowledge_or_move_the_ladder_on(phone_client, fake_twilio):
    services = phone_client.app.state.services
    hub = services.hub
    loop_call = phone_client.portal.call
    call_id = loop_call(_emergency, services, SID)
    step0 = hub.current_decision(call_id)
    assert step0 is not None and step0.step == 0
    twiml = ""
    for _ in range(100):
        if fake_twilio.requests:
            twiml = fake_twilio.requests[0]["twiml"]
            break
        time.sleep(0.02)
    assert 'action="https://triage.example.fr/twilio/status"' in twiml
    # The target is busy: the next rung now, not at the deadline; the caller hears a pause
    # and, failing the redirect, the fallback dial.
    busy = _signed_post(phone_client, "/twilio/status",
                        {"CallSid": SID, "DialCallStatus": "busy"})
    assert busy.status_code == 200 and "<Dial>" in busy.text
    assert hub.current_decision(call_id).step == 1
    # The backup answers: that is the human's acknowledgment; escalation stops.
    answered = _signed_post(phone_client, "/twilio/status",
                            {"CallSid": "CA" + "1" * 32, "ParentCallSid": SID,
                             "CallStatus": "in-progress"})
    assert answered.status_code == 200
    assert hub.tracker.pending(call_id) is None
    assert hub._calls[call_id].acknowledged_by == "telephony"


def test_browser_offers_are_rate_limited_per_address_and_capped(service_settings,
                                                               make_services):
    from fastapi.testclient import TestClient

    from pipeline.service.app import create_app

    settings = service_settings.model_copy(update={"offer_rate_per_minute": 3})
    services = make_services()
    services.settings = settings
    with TestClient(create_app(settings, services=services)) as c:
        codes = [c.post("/api/agent/offer", json={"not": "an offer"}).status_code
                 for _ in range(4)]
        assert codes == [422, 422, 422, 429]  # the fourth within the minute is refused
        r = c.post("/api/agent/offer", content=b"{bad json")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    settings = service_settings.model_copy(update={"max_browser_calls": 0})
    services = make_services()
    services.settings = settings
    with TestClient(create_app(settings, services=services)) as c:
        r = c.post("/api/agent/offer", json={"sdp": "v=0", "type": "offer"})
        assert r.status_code == 503 and "15" in r.json()["detail"]
