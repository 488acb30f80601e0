"""Channels against real local HTTP servers: Twilio REST call redirect, signed webhook."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from urllib.parse import parse_qs

from classifier.labels import Intent, RedFlag, Urgency
from handoff import (
    SIGNATURE_HEADER,
    Channel,
    DashboardChannel,
    HandoffNotice,
    TwilioTransferChannel,
    WebhookChannel,
    decide,
    sign,
    verify_signature,
)


def _notice(practice, paris, classification, urgency=Urgency.EMERGENCY, flags=(RedFlag.CHEST_PAIN,),
            sid="CA0123456789"):
    d = decide(classification(urgency, flags), None, practice, paris(2026, 11, 25, 10))
    return HandoffNotice(call_id="call-1", decision=d, provider_call_id=sid, language="fr")


def test_twilio_transfer_redirects_live_call(fake_http, practice, paris, classification):
    server = fake_http()
    channel = TwilioTransferChannel("AC_test", "secret-token", api_base=server.url)
    assert isinstance(channel, Channel)
    delivery = asyncio.run(channel.deliver(_notice(practice, paris, classification)))
    assert delivery.ok, delivery.detail
    assert len(server.requests) == 1
    req = server.requests[0]
    assert req["path"] == "/2010-04-01/Accounts/AC_test/Calls/CA0123456789.json"
    auth = req["headers"]["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == "AC_test:secret-token"
    twiml = parse_qs(req["body"].decode())["Twiml"][0]
    assert "<Dial>+33199000001</Dial>" in twiml  # the on-call physician's number
    assert "15" in twiml and "112" in twiml  # chest pain: advise emergency services first


def test_twilio_errors_are_reported_not_raised(fake_http, practice, paris, classification):
    server = fake_http(status=500)
    channel = TwilioTransferChannel("AC_test", "x", api_base=server.url)
    delivery = asyncio.run(channel.deliver(_notice(practice, paris, classification)))
    assert not delivery.ok and "500" in delivery.detail
    tries = len(server.requests)  # a persistent 5xx is retried (4 tries by default), then reported
    assert tries == 4
    dead = TwilioTransferChannel("AC_test", "x", api_base="http://127.0.0.1:9", timeout_s=1)
    delivery = asyncio.run(dead.deliver(_notice(practice, paris, classification)))
    assert not delivery.ok and "unreachable" in delivery.detail
    no_call = asyncio.run(channel.deliver(_notice(practice, paris, classification, sid=None)))
    assert not no_call.ok and "no live telephony call" in no_call.detail
    assert len(server.requests) == tries  # no call to transfer: nothing sent


def test_twilio_does_not_transfer_non_handoffs(fake_http, practice, paris, classification):
    server = fake_http()
    channel = TwilioTransferChannel("AC_test", "x", api_base=server.url)
    d = decide(classification(Urgency.ROUTINE, (), intent=Intent.APPOINTMENT_BOOKING), None,
               practice, paris(2026, 11, 25, 10))
    delivery = asyncio.run(channel.deliver(HandoffNotice("c", d, "CA1")))
    assert delivery.ok and server.requests == []


def test_webhook_is_signed_and_verifiable(fake_http, practice, paris, classification):
    server = fake_http()
    channel = WebhookChannel(server.url + "/hook", "s3cret")
    delivery = asyncio.run(channel.deliver(_notice(practice, paris, classification)))
    assert delivery.ok
    req = server.requests[0]
    body = req["body"]
    header = req["headers"][SIGNATURE_HEADER]
    assert verify_signature("s3cret", body, header)
    assert not verify_signature("wrong", body, header)
    assert not verify_signature("s3cret", body.replace(b"chest_pain", b"routine"), header)
    old = sign("s3cret", body, int(time.time()) - 3600)
    assert not verify_signature("s3cret", body, old)  # replayed
    payload = json.loads(body)
    assert payload["decision"]["action"] == "transfer_physician"
    assert payload["decision"]["red_flags"] == ["chest_pain"]
    assert b"texte" not in body  # no caller words leave through the webhook


def test_dashboard_channel_reports_publish_failures(practice, paris, classification):
    async def ok(_n):
        return 2

    async def broken(_n):
        raise RuntimeError("boom")

    n = _notice(practice, paris, classification)
    assert asyncio.run(DashboardChannel(ok).deliver(n)).ok
    failed = asyncio.run(DashboardChannel(broken).deliver(n))
    assert not failed.ok and "RuntimeError" in failed.detail
