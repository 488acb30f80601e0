"""Live state shared through a real Redis and a real PostgreSQL, two hubs in one process (the
fast version of tests/service/test_service_fleet.py, which runs real `serve` processes).

Hub A handles the call; hub B is another process's hub: its dashboards see A's push, an
acknowledgment made on B stops the escalation A times, a crash of A hands the escalation to B
(lease), and A's store writes reach the database through the shared stream, in order, with
the call still A's (so reconciliation finds the right owner)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import threading
from pathlib import Path

import pytest

from handoff import HandoffAction
from pipeline.calls import CallHub, NoticeKind
from pipeline.events import TranscriptFinal
from pipeline.live.redis_live import RedisLive
from pipeline.service.db import Call
from pipeline.service.journal import Journal
from pipeline.service.push import PushMessage, Subscription
from pipeline.service.store import Store

STROKE_FR = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"


def _practice(deadline_s: float):  # type: ignore[no-untyped-def]
    import yaml

    from handoff import DEMO_PRACTICE_FILE, practice_from_dict

    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    raw["ack_timeouts_s"] = {"emergency": deadline_s, "urgent": deadline_s,
                             "routine": deadline_s}
    return practice_from_dict(raw)


def _hub(tmp: Path, name: str, pg_url: str, redis_url: str, deadline_s: float,
         secrets: Path) -> CallHub:
    folder = tmp / name
    folder.mkdir()
    shutil.copy(secrets / "secret.key", folder / "secret.key")
    store = Store(pg_url, secrets_dir=folder)
    # 3 s (the default): both hubs share one event loop here, which a loaded machine can stall
    # for most of a second; a shorter lease would move escalations between healthy hubs.
    live = RedisLive(redis_url, lease_s=3.0, scan_s=0.1)
    live.bind_store(store)
    practice = _practice(deadline_s)
    hub = CallHub(store, practice, live=live, ack_poll_s=0.05,
                  journal=Journal(folder / "journal" / "writes.jsonl"))
    hub.practices = {"cabinet-a": practice, "cabinet-b": practice}
    return hub


async def _turn(hub: CallHub, classifier, call_id: str, text: str, t: float):  # type: ignore[no-untyped-def]
    await hub.record_event(call_id, TranscriptFinal(t, 1, text))
    c = classifier.classify(text, "fr")
    return await hub.record_classification(call_id, c, classifier.extract_form(text, "fr", c), t)


async def _message(sub: Subscription, kind: str, call_id: str,
                   timeout_s: float = 10.0) -> PushMessage:
    async def find() -> PushMessage:
        while True:
            message = await sub.get()
            if message.kind == kind and message.call_id == call_id:
                return message

    return await asyncio.wait_for(find(), timeout_s)


@pytest.fixture
def secrets(tmp_path: Path, pg_url: str) -> Path:
    folder = tmp_path / "secrets"
    folder.mkdir()
    Store(pg_url, secrets_dir=folder).dispose()  # migrates, writes the shared key
    return folder


def test_push_ack_and_writes_cross_processes(tmp_path, pg_url, redis_server, rules, secrets):
    async def run():  # type: ignore[no-untyped-def]
        a = _hub(tmp_path, "a", pg_url, redis_server.url, 1.0, secrets)
        b = _hub(tmp_path, "b", pg_url, redis_server.url, 1.0, secrets)
        await a.start()
        await b.start()
        try:
            dashboard_b = b.broker.subscribe()
            call_id = await a.start_call(channel="twilio", language="fr",
                                         provider_call_id="CA1", practice_id="cabinet-a")
            notices = a.watch(call_id)
            decision = await _turn(a, rules, call_id, STROKE_FR, 3.0)
            assert decision is not None and decision.action is HandoffAction.TRANSFER_PHYSICIAN
            handoff = await _message(dashboard_b, "handoff", call_id)
            assert handoff.practice == "cabinet-a"  # B's websocket filters on it
            assert b.knows(call_id) and b.practice_id_of(call_id) == (True, "cabinet-a")
            assert [s.id for s in b.snapshot()] == [call_id]  # first paint on B
            assert await b.acknowledge(call_id, "secretary")  # persisted: through the stream
            notice = await asyncio.wait_for(notices.get(), 5.0)
            assert notice.kind is NoticeKind.ACKNOWLEDGED and notice.by == "secretary"
            assert a.tracker.pending(call_id) is None
            # Every first paint shows it answered: B's own, and the shared one.
            assert [s.needs_ack for s in b.snapshot()] == [False]
            fresh = RedisLive(redis_server.url)
            await asyncio.wait_for(_until_async(lambda: _shared_ack(fresh, call_id)), 5)
            await fresh.redis.aclose()
            await asyncio.sleep(1.5)  # past the 1 s deadline: nothing escalates
            assert a.current_decision(call_id).step == 0  # type: ignore[union-attr]
            assert await a.flush(5.0)
            with a.store.session(read=True) as s:
                row = s.get(Call, call_id)
                assert row is not None
                assert row.acknowledged_by == "secretary" and not row.needs_ack
                assert row.instance_id == a.store.instance_id  # A's call, whoever wrote it
                assert row.practice_id == "cabinet-a"
                assert row.escalation_step == 0
            assert not await a.live.redis.smembers("permanence:esc")  # type: ignore[attr-defined]
            # A write the database refuses is quarantined by the stream's writer and never
            # holds up its producer (nor the writes behind it).
            await b.acknowledge("no-such-call", "secretary")
            assert await b.flush(5.0)
            assert a.live.stats().quarantined + b.live.stats().quarantined == 1
        finally:
            await a.close()
            await b.close()

    asyncio.run(run())


def test_crashed_owner_hands_its_escalation_over(tmp_path, pg_url, redis_server, rules,
                                                 secrets):
    """Hub A runs on its own event loop in a thread; its "crash" stops that loop dead, so
    nothing of A runs again (no renewal, no release, no timer), as after a kill -9."""
    loop_a = asyncio.new_event_loop()
    thread = threading.Thread(target=loop_a.run_forever, daemon=True)
    thread.start()

    def on_a(coro):  # type: ignore[no-untyped-def]
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop_a))

    holder: dict[str, CallHub] = {}

    async def run():  # type: ignore[no-untyped-def]
        a = holder["a"] = _hub(tmp_path, "a", pg_url, redis_server.url, 6.0, secrets)
        b = _hub(tmp_path, "b", pg_url, redis_server.url, 6.0, secrets)
        await on_a(a.start())
        await b.start()
        try:
            dashboard_b = b.broker.subscribe()
            call_id = await on_a(a.start_call(channel="twilio", language="fr",
                                              provider_call_id="CA2", practice_id="cabinet-b"))
            decision = await on_a(_turn(a, rules, call_id, STROKE_FR, 3.0))
            assert decision is not None and decision.ack_deadline is not None
            await _message(dashboard_b, "handoff", call_id)
            assert await on_a(a.flush(5.0))
            live_b = b.live
            assert isinstance(live_b, RedisLive)
            lease = f"permanence:esc:{call_id}:lease"
            assert await live_b.redis.get(lease) == a.live.instance_id
            loop_a.call_soon_threadsafe(loop_a.stop)  # A "dies"
            thread.join(timeout=10)
            assert not thread.is_alive()
            escalation = await _message(dashboard_b, "escalation", call_id, timeout_s=15.0)
            assert escalation.data["decision"]["step"] == 1
            assert live_b.stats().adopted_escalations == 1
            assert await live_b.redis.get(lease) == live_b.instance_id
            assert b.current_decision(call_id).step == 1  # type: ignore[union-attr]
            assert await b.flush(15.0)  # A may have held the writer lease (6 s) too
            with b.store.session(read=True) as s:
                row = s.get(Call, call_id)
                assert row is not None and row.escalation_step >= 1
                assert row.instance_id == a.store.instance_id  # reconciliation's business
        finally:
            await b.close()

    try:
        asyncio.run(run())
    finally:
        if loop_a.is_running():
            loop_a.call_soon_threadsafe(loop_a.stop)
            thread.join(timeout=10)
        if "a" in holder:  # A "restarts" only to close its connections cleanly
            with contextlib.suppress(Exception):
                loop_a.run_until_complete(asyncio.wait_for(holder["a"].close(), 20))
        loop_a.close()


def test_redis_lost_and_back_empty(tmp_path, pg_url, redis_server, rules, secrets):
    """Redis dies and comes back without its data: the call in progress still escalates (its
    owner kept the timer), the lease and the record are written again (adoptable), the push
    and the write stream resume, nothing written meanwhile is lost."""

    async def run():  # type: ignore[no-untyped-def]
        a = _hub(tmp_path, "a", pg_url, redis_server.url, 2.0, secrets)
        b = _hub(tmp_path, "b", pg_url, redis_server.url, 2.0, secrets)
        await a.start()
        await b.start()
        try:
            dashboard_b = b.broker.subscribe()
            first = await a.start_call(channel="twilio", language="fr", provider_call_id="CA3")
            await _turn(a, rules, first, STROKE_FR, 3.0)
            await _message(dashboard_b, "handoff", first)
            redis_server.stop()
            during = await a.start_call(channel="twilio", language="fr")  # Redis away
            await a.record_event(during, TranscriptFinal(1.0, 1, "bonjour"))
            # A still times its escalation with Redis gone.
            await asyncio.wait_for(_until(lambda: a.current_decision(first).step >= 1), 10)
            redis_server.start()
            live_a = a.live
            assert isinstance(live_a, RedisLive)
            # The lease and the record come back, written by their owner.
            await asyncio.wait_for(_until_async(lambda: _is_member(live_a, first)), 15)
            assert await live_a.redis.get(
                f"permanence:esc:{first}:lease") == live_a.instance_id
            after = await a.start_call(channel="twilio", language="fr")
            await _turn(a, rules, after, STROKE_FR, 3.0)
            await _message(dashboard_b, "handoff", after, timeout_s=15.0)  # push resumed
            assert await a.flush(15.0)  # the stream (made again) drained into the store
            with a.store.session(read=True) as s:
                for call_id in (first, during, after):
                    assert s.get(Call, call_id) is not None
                assert s.get(Call, first).escalation_step >= 1  # type: ignore[union-attr]
        finally:
            await a.close()
            await b.close()

    asyncio.run(run())


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    while not predicate():
        await asyncio.sleep(0.05)


async def _until_async(predicate) -> None:  # type: ignore[no-untyped-def]
    while not await predicate():
        await asyncio.sleep(0.05)


async def _is_member(live: RedisLive, call_id: str) -> bool:
    try:
        return bool(await live.redis.sismember("permanence:esc", call_id))
    except Exception:  # noqa: BLE001 - Redis still coming back
        return False


async def _shared_ack(live: RedisLive, call_id: str) -> bool:
    raw = await live.redis.hget("permanence:calls", call_id)
    return raw is not None and json.loads(raw)["needs_ack"] is False


def test_a_dead_writers_pending_batch_is_reclaimed_and_stored_once_in_order(
        tmp_path, pg_url, redis_server, secrets):
    """The write stream is a consumer group: a writer that read a batch (XREADGROUP) and died
    before committing it leaves it pending; the next lease holder claims it (XAUTOCLAIM),
    commits it in order and acknowledges it (XACK). A write seen twice (its first commit's
    acknowledgment lost) is stored once."""
    import time as clock

    import redis
    from sqlalchemy import select

    from pipeline.live.redis_live import _GROUP
    from pipeline.service.db import CallEventRow
    from pipeline.service.journal import StoreWrite, encode_write

    call_id = "c0ffee0000000001"
    writes = [StoreWrite.of("create_call", call_id, channel="twilio", language="fr",
                            caller_number=None, provider_call_id=None,
                            started_at=clock.time(), owner="dead-writer")]
    writes += [StoreWrite.of("add_event", call_id, float(i), "transcript_final",
                             {"n": i}, clock.time()) for i in range(1, 6)]
    r = redis.Redis.from_url(redis_server.url, decode_responses=True)
    stream = "permanence:writes"
    try:
        r.xgroup_create(stream, _GROUP, id="0", mkstream=True)
        for write in [*writes, writes[2]]:  # the third one handed twice
            r.xadd(stream, {"w": json.dumps(encode_write(write))})
        # The dead writer: it held the lease, read everything, committed nothing.
        r.set("permanence:writer", "dead-writer", px=500)
        got = r.xreadgroup(_GROUP, "dead-writer", {stream: ">"}, count=100)
        assert len(got[0][1]) == 7
        assert r.xpending(stream, _GROUP)["pending"] == 7

        async def run():  # type: ignore[no-untyped-def]
            hub = _hub(tmp_path, "heir", pg_url, redis_server.url, 30.0, secrets)
            await hub.start()
            try:
                live = hub.live
                assert isinstance(live, RedisLive)
                for _ in range(400):  # bounded: 20 s for the lease to expire and the claim
                    if live.stats().writer and not r.xpending(stream, _GROUP)["pending"]:
                        break
                    await asyncio.sleep(0.05)
                assert live.stats().writer
            finally:
                await hub.close()

        asyncio.run(run())
        assert r.xpending(stream, _GROUP)["pending"] == 0
        consumers = {c["name"]: c["pending"] for c in r.xinfo_consumers(stream, _GROUP)}
        assert consumers.get("dead-writer", 0) == 0
        store = Store(pg_url, secrets_dir=secrets)
        try:
            assert all(store.write_applied(w.id) for w in writes)
            with store.session(read=True) as s:
                rows = s.execute(select(CallEventRow.t).where(CallEventRow.call_id == call_id)
                                 .order_by(CallEventRow.id)).scalars().all()
            assert rows == [1.0, 2.0, 3.0, 4.0, 5.0]  # in order, the repeated one once
        finally:
            store.dispose()
    finally:
        r.close()


def test_writes_a_restarted_redis_lost_are_sent_again_before_flush_says_stored(
        tmp_path, pg_url, redis_server, secrets):
    """Redis comes back without the writes it held while the writer lagged (here: another
    process held the writer lease), and writes handed afterwards are committed first. `flush`
    must not report them stored while the lost ones are only in the journal: the producer
    sends them again (idempotent by write id) and only then is everything settled."""
    import redis

    r = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        r.set("permanence:writer", "a-stalled-writer", px=60_000)

        async def run():  # type: ignore[no-untyped-def]
            hub = _hub(tmp_path, "a", pg_url, redis_server.url, 30.0, secrets)
            await hub.start()
            try:
                before = await hub.start_call(channel="twilio", language="fr")
                await hub.record_event(before, TranscriptFinal(1.0, 1, "bonjour"))
                for _ in range(200):  # bounded: 10 s for the writes to reach the stream
                    if not hub.pending_writes and r.xlen("permanence:writes"):
                        break
                    await asyncio.sleep(0.05)
                assert r.xlen("permanence:writes") >= 2
                r.delete("permanence:writes")  # what a Redis restarted empty holds of them
                r.delete("permanence:writer")  # the stalled writer let go: this hub drains
                after = await hub.start_call(channel="twilio", language="fr")
                assert await hub.flush(20.0)
                with hub.store.session(read=True) as s:
                    assert s.get(Call, after) is not None
                    assert s.get(Call, before) is not None  # sent again, not left behind
            finally:
                await hub.close()

        asyncio.run(run())
    finally:
        r.close()
