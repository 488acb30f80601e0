"""Escalation through the CallHub with the real classifier, a real store and the fake Twilio
server: ack timeouts walk the ladder (backup physician, then 15/112), acknowledgment stops it,
after-hours rules, fail-safe handoff."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import datetime

from handoff import HandoffAction, TwilioTransferChannel
from pipeline.events import Fault, TranscriptFinal, TranscriptPartial

# Wednesday 25 Nov 2026 (Paris): 10:00 open, 23:00 closed (weeknight on-call).
WEEKDAY_MORNING = datetime(2026, 11, 25, 10, 0)
WEEKDAY_NIGHT = datetime(2026, 11, 25, 23, 0)
STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"
BOOKING_FR = "je voudrais prendre un rendez-vous pour un certificat de sport"


async def _turn(services, call_id, text, t):
    await services.hub.record_event(call_id, TranscriptFinal(t, 1, text))
    c = services.classifier().classify(text, "fr")
    form = services.classifier().extract_form(text, "fr", c)
    return await services.hub.record_classification(call_id, c, form, t)


async def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_unacknowledged_emergency_escalates_to_backup_then_emergency_services(
        make_services, fast_practice, fake_twilio, service_settings):
    channel = TwilioTransferChannel("AC1", "tok", api_base=fake_twilio.url)
    services = make_services(WEEKDAY_NIGHT, practice=fast_practice, channels=[channel])
    hub = services.hub

    async def run():
        sub = services.broker.subscribe()
        call_id = await hub.start_call(channel="twilio", language="fr",
                                       caller_number="+33600000001", provider_call_id="CA42")
        notices = hub.watch(call_id)
        t0 = time.monotonic()
        decision = await _turn(services, call_id, STROKE_FR, 3.0)
        assert decision is not None and decision.action is HandoffAction.TRANSFER_PHYSICIAN
        assert decision.target.id == "dr-nguyen"  # weeknight on-call
        await _wait_for(lambda: hub.current_decision(call_id).step == 2)
        elapsed = time.monotonic() - t0
        await hub.flush()
        kinds = []
        while not sub.queue.empty():
            m = sub.queue.get_nowait()
            kinds.append((m.kind, m.data.get("decision", {}).get("step")))
        sub.close()
        told = [notices.get_nowait() for _ in range(notices.qsize())]
        await hub.close()
        return call_id, elapsed, kinds, told

    call_id, elapsed, kinds, told = asyncio.run(run())
    # The call's agent hears each step (the last one: tell the caller to dial 15/112).
    assert [n.kind for n in told] == ["escalated", "escalated"]
    assert told[-1].decision.advise_emergency_services
    # The ladder waits out both 0.4 s deadlines before each step (a busy machine can only make
    # it later; _wait_for bounds how much later).
    assert elapsed >= 0.75
    # Transfer to the on-call physician, then to the backup; 15/112 is advice, not a transfer.
    assert fake_twilio.dialed() == ["+33199000003", "+33199000002"]
    assert all(r["path"] == "/2010-04-01/Accounts/AC1/Calls/CA42.json"
               for r in fake_twilio.requests)
    assert ("handoff", 0) in kinds and ("escalation", 1) in kinds and ("escalation", 2) in kinds
    final = services.hub.current_decision(call_id)
    assert final.action is HandoffAction.ADVISE_EMERGENCY_SERVICES
    assert final.advise_emergency_services
    with sqlite3.connect(service_settings.data_dir / "permanence.db") as con:
        steps = [json.loads(d) for (d,) in con.execute(
            "select data from audit_log where action='handoff.escalate' order by seq")]
        (esc_step,) = con.execute("select escalation_step from calls where id=?",
                                  (call_id,)).fetchone()
        deliveries = [json.loads(d) for (d,) in con.execute(
            "select data from audit_log where action='channel.delivery' order by seq")]
    assert [s["step"] for s in steps] == [1, 2]
    assert "ack timeout" in steps[0]["reason"]
    assert esc_step == 2
    assert {d["channel"] for d in deliveries} == {"dashboard", "telephony"}
    assert all(d["ok"] for d in deliveries if d["channel"] == "dashboard")


def test_acknowledgment_stops_the_ladder(make_services, fast_practice, fake_twilio,
                                         service_settings):
    channel = TwilioTransferChannel("AC1", "tok", api_base=fake_twilio.url)
    services = make_services(WEEKDAY_MORNING, practice=fast_practice, channels=[channel])
    hub = services.hub

    async def run():
        call_id = await hub.start_call(channel="twilio", language="fr", provider_call_id="CA7")
        notices = hub.watch(call_id)
        await _turn(services, call_id, STROKE_FR, 2.0)
        persisted = await hub.acknowledge(call_id, "physician")
        await asyncio.sleep(1.0)  # well past two deadlines
        await hub.close()
        told = notices.get_nowait()
        assert notices.empty()
        return call_id, persisted, told

    call_id, persisted, told = asyncio.run(run())
    assert told.kind == "acknowledged" and told.by == "physician"
    assert persisted is True
    assert fake_twilio.dialed() == ["+33199000001"]  # day physician only, no escalation
    assert services.hub.current_decision(call_id).step == 0
    with sqlite3.connect(service_settings.data_dir / "permanence.db") as con:
        row = con.execute("select acknowledged_by, needs_ack from calls where id=?",
                          (call_id,)).fetchone()
        acks = [json.loads(d) for (d,) in con.execute(
            "select data from audit_log where action='handoff.acknowledge'")]
    assert row == ("physician", 0)
    assert acks and 0 <= acks[0]["waited_s"] < 1.0


def test_after_hours_routine_call_is_a_message_not_a_transfer(make_services, fake_twilio):
    channel = TwilioTransferChannel("AC1", "tok", api_base=fake_twilio.url)
    services = make_services(WEEKDAY_NIGHT, channels=[channel])

    async def run():
        call_id = await services.hub.start_call(channel="twilio", language="fr",
                                                provider_call_id="CA9")
        decision = await _turn(services, call_id, BOOKING_FR, 2.0)
        await services.hub.end_call(call_id, 20.0)
        await services.hub.flush()
        queue, _ = services.store.list_calls(view="queue")
        await services.hub.close()
        return decision, services.hub.current_decision(call_id), queue

    returned, current, queue = asyncio.run(run())
    assert returned is None  # not a handoff: the agent takes a message
    assert current.action is HandoffAction.MESSAGE_OR_CALLBACK
    assert fake_twilio.requests == []
    # The message stays in the queue until someone deals with it.
    assert [c.action for c in queue] == ["message_or_callback"] and queue[0].needs_ack


def test_fail_safe_hands_to_secretary_and_never_downgrades(make_services):
    services = make_services(WEEKDAY_MORNING)
    hub = services.hub

    async def run():
        a = await hub.start_call(channel="webrtc", language="fr")
        await hub.record_event(a, TranscriptPartial(1.0, 1, "je voudrais"))
        await hub.record_event(a, Fault(2.0, "recognizer", "stalled"))
        fallback = await hub.hand_to_human(a, "asr stalled", 2.5)
        b = await hub.start_call(channel="webrtc", language="fr")
        emergency = await _turn(services, b, STROKE_FR, 1.0)
        kept = await hub.hand_to_human(b, "tts failed", 5.0)
        await hub.flush()
        transcript = hub.live_transcript(a)
        await hub.close()
        return fallback, emergency, kept, transcript

    fallback, emergency, kept, transcript = asyncio.run(run())
    assert fallback.action is HandoffAction.TRANSFER_SECRETARY
    assert "fail-safe: asr stalled" in fallback.reasons
    assert transcript[-1]["text"] == "je voudrais"  # what was captured so far is kept
    assert kept == emergency and kept.action is HandoffAction.TRANSFER_PHYSICIAN
