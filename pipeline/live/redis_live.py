"""Live state shared through Redis (``PERMANENCE_REDIS_URL``): several API and agent processes.

Keys (all under ``{prefix}:``):

- ``push`` (pub/sub channel): every dashboard push, as ``{"origin", "message", "practice"}``.
  Each process relays the others' messages to its own websocket subscribers.
- ``control`` (pub/sub channel): acknowledgments, so the process timing the escalation stops
  it and the call's agent hears that a human has the call.
- ``calls`` (hash): the last summary of each live or unacknowledged call, for the first paint
  of a dashboard connected to any API process.
- ``writes`` (stream, consumer group ``writers``): the hubs' journaled store writes. One
  process at a time holds the ``writer`` lease and drains it in order into the store (batched,
  idempotent by write id); a new holder claims what the dead one had read but not committed.
- ``esc`` (set) and ``esc:{call}`` (JSON): escalations awaiting a human; ``esc:{call}:lease``
  (``SET NX PX``, renewed every third of its life) names the one process timing it. A lease
  that expires (its process died) is taken by the next process that scans (every
  `scan_s`), which carries the ladder on from the recorded step, original deadlines kept.
- ``ack:{call}``: a human acknowledged (kept a day): no process adopts that escalation again.

A push waits until the writes its hub queued before it were handed to the stream, so a
dashboard that sees a call can acknowledge it and the acknowledgment is stored after the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from pipeline.live.base import EscalationRecord, LiveHub, LiveStats, WriteSink
from pipeline.service.journal import StoreWrite, decode_write, encode_write
from pipeline.service.push import PushMessage
from pipeline.service.store import CallSummary, Rejected, Store, StoreUnavailable

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2])
else return 0 end"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"""

_GROUP = "writers"
WRITER_LEASE_MS = 6_000
"""A batch commits in milliseconds; 6 s is how long writes wait in the stream when the
writer dies (push, escalations and acknowledgments do not wait for it)."""
_MAX_OUTBOX = 20_000
"""Pending outbound operations kept while Redis is away (then the oldest pushes are dropped:
a dashboard reloads from the API; acknowledgments and escalations are never dropped)."""


@dataclass(frozen=True)
class _Op:
    kind: str
    """push, track, step, ack."""
    payload: dict[str, Any]
    writes_before: int = 0


class RedisWriteSink:
    """The hub's writer hands its batches here: one ``XADD`` per write, pipelined."""

    def __init__(self, live: RedisLive) -> None:
        self._live = live
        self.unconfirmed: dict[str, StoreWrite] = {}
        """Writes handed to the stream and not yet seen committed, in the order handed: the
        journal keeps them, and `RedisLive.settled` sends them again if the stream lost them."""

    async def apply_writes(self, writes: Sequence[StoreWrite]) -> list[Rejected]:
        await self.hand(writes)
        for write in writes:
            self.unconfirmed[write.id] = write
        return []

    async def hand(self, writes: Sequence[StoreWrite]) -> None:
        r = self._live.redis
        try:
            async with r.pipeline(transaction=False) as pipe:
                for write in writes:
                    pipe.xadd(self._live.key("writes"),
                              {"w": json.dumps(encode_write(write), ensure_ascii=False)})
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis unavailable: {type(exc).__name__}") from exc


class RedisLive:
    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "permanence", lease_s: float = 3.0,
                 scan_s: float = 0.5, writer: bool = True,
                 instance_id: str | None = None) -> None:
        self.url = url
        self.prefix = prefix
        self.lease_ms = max(int(lease_s * 1000), 300)
        self.scan_s = scan_s
        self.instance_id = instance_id or uuid.uuid4().hex
        self.redis: aioredis.Redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._sink = RedisWriteSink(self)
        self._hub: LiveHub | None = None
        self._store: Store | None = None
        self._writer_enabled = writer
        self._outbox: deque[_Op] = deque()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._remote: dict[str, CallSummary] = {}
        self._owned: set[str] = set()
        self._renew = self.redis.register_script(_RENEW)
        self._release = self.redis.register_script(_RELEASE)
        self._stats = LiveStats(kind=self.kind, connected=False)
        self._closing = False

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    @property
    def sink(self) -> WriteSink | None:
        return self._sink

    def bind_store(self, store: Store | None) -> None:
        """The store the writer lease drains the stream into (None: this process never
        writes, e.g. a bench client)."""
        self._store = store

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, hub: LiveHub) -> None:
        self._hub = hub
        try:
            with contextlib.suppress(ResponseError):  # BUSYGROUP: another process made it
                await self.redis.xgroup_create(self.key("writes"), _GROUP, id="0",
                                               mkstream=True)
            for raw in (await self.redis.hvals(self.key("calls"))):
                with contextlib.suppress(ValueError):
                    summary = CallSummary.model_validate_json(raw)
                    self._remote[summary.id] = summary
            self._stats.connected = True
        except (RedisError, OSError) as exc:
            log.error("redis unavailable at start-up (%s): live state retried in the "
                      "background", type(exc).__name__)
        self._tasks = [asyncio.create_task(self._publisher(), name="live-publisher"),
                       asyncio.create_task(self._subscriber(), name="live-subscriber"),
                       asyncio.create_task(self._leases(), name="live-leases")]
        if self._writer_enabled and self._store is not None:
            self._tasks.append(asyncio.create_task(self._writer(), name="live-writer"))

    async def close(self, drain_timeout_s: float = 3.0) -> None:
        deadline = time.monotonic() + drain_timeout_s
        while self._outbox and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        # The writer drains what is already in the stream before it lets go of its lease.
        while self._stats.writer and self._stats.stream_backlog and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self._closing = True  # every loop stops, even one whose cancellation redis-py ate
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
        self._tasks = []
        with contextlib.suppress(RedisError, OSError):
            for call_id in list(self._owned):  # hand them on at once, not after the lease
                await self._release(keys=[self.key("esc", call_id, "lease")],
                                    args=[self.instance_id])
            await self._release(keys=[self.key("writer")], args=[self.instance_id])
        with contextlib.suppress(Exception):
            await self.redis.aclose()

    # -- the seam (synchronous, queued) ---------------------------------------------------------
    def _queue(self, op: _Op) -> None:
        if len(self._outbox) >= _MAX_OUTBOX:
            for i, queued in enumerate(self._outbox):
                if queued.kind == "push":
                    del self._outbox[i]
                    self._stats.dropped += 1
                    break
        self._outbox.append(op)
        self._wake.set()

    def publish(self, message: PushMessage, writes_before: int) -> None:
        self._queue(_Op("push", {"origin": self.instance_id, "kind": message.kind,
                                 "call_id": message.call_id, "at": message.at,
                                 "practice": message.practice,
                                 "data": json.loads(json.dumps(message.data, default=str))},
                        writes_before))

    def track(self, record: EscalationRecord) -> None:
        self._owned.add(record.call_id)
        self._queue(_Op("track", record.to_json()))

    def stepped(self, record: EscalationRecord) -> None:
        self._queue(_Op("step", record.to_json()))

    def acknowledged(self, call_id: str, by: str, take_over: bool) -> None:
        self._owned.discard(call_id)
        summary = self._remote.get(call_id)
        if summary is not None:  # this process's first paint stops showing it as waiting
            summary = summary.model_copy(update={
                "needs_ack": False, "acknowledged_by": summary.acknowledged_by or by,
                "acknowledged_at": summary.acknowledged_at or time.time(),
                "taken_over_by": by if take_over else summary.taken_over_by})
            self._remote[call_id] = summary
        self._queue(_Op("ack", {"origin": self.instance_id, "call_id": call_id, "by": by,
                                "take_over": take_over,
                                "summary": summary.model_dump(mode="json") if summary else None}))

    async def claim(self, record: EscalationRecord) -> bool:
        try:
            if await self.redis.exists(self.key("ack", record.call_id)):
                return False
            got = await self.redis.set(self.key("esc", record.call_id, "lease"),
                                       self.instance_id, nx=True, px=self.lease_ms)
            if not got:
                return bool(await self.redis.get(self.key("esc", record.call_id, "lease"))
                            == self.instance_id)
            await self.redis.set(self.key("esc", record.call_id), json.dumps(record.to_json()))
            await self.redis.sadd(self.key("esc"), record.call_id)
        except (RedisError, OSError):
            return True  # Redis away: time it here (a double alert beats none)
        self._owned.add(record.call_id)
        return True

    async def settled(self, timeout_s: float) -> bool:
        """Asks the database, not the stream, about every write handed and not yet seen
        committed. The stream's writer commits in order, so a write still missing while a later
        one is committed, or while the stream is empty, was lost with a Redis that restarted
        without its data: it is sent again (idempotent by write id). Checking only the last
        write reported settled with such a write still missing (1 run in 3 of
        test_redis_lost_and_back_empty on a busy core), and the journal let it go."""
        unconfirmed, store = self._sink.unconfirmed, self._store
        if store is None:
            return not unconfirmed
        deadline = time.monotonic() + timeout_s
        resent_at = 0.0
        while True:
            handed = list(unconfirmed)
            try:
                applied = await asyncio.to_thread(store.writes_applied, handed)
            except StoreUnavailable:
                return False
            for write_id in applied:
                unconfirmed.pop(write_id, None)
            if not unconfirmed:
                return True
            missing = [unconfirmed[w] for w in handed if w in unconfirmed]
            later = handed[handed.index(missing[0].id) + 1:]
            passed_over = any(w in applied for w in later)
            if time.monotonic() - resent_at >= 0.5 and (
                    passed_over or await self._stream_empty()):
                resent_at = time.monotonic()
                log.warning("write stream lost %d write(s): sent again", len(missing))
                with contextlib.suppress(StoreUnavailable):
                    await self._sink.hand(missing)
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)

    async def _stream_empty(self) -> bool:
        try:
            return int(await self.redis.xlen(self.key("writes"))) == 0
        except (RedisError, OSError):
            return False

    def remote_calls(self) -> list[CallSummary]:
        return [s for s in self._remote.values() if s.status == "live" or s.needs_ack]

    def knows(self, call_id: str) -> bool:
        return call_id in self._remote

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    def stats(self) -> LiveStats:
        self._stats.owned_escalations = len(self._owned)
        self._stats.extra["outbox"] = float(len(self._outbox))
        return self._stats

    # -- tasks ----------------------------------------------------------------------------------
    async def _publisher(self) -> None:
        """Sends queued operations in order, pipelined; Redis away: keeps them and retries."""
        backoff = 0.05
        while not self._closing:
            if not self._outbox:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = list(self._outbox)[:500]
            mark = max(op.writes_before for op in batch)
            hub = self._hub
            deadline = time.monotonic() + 2.0  # never hold the push longer on a stuck writer
            while hub is not None and hub.writes_handed < mark and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for op in batch:
                        self._send(pipe, op)
                    await pipe.execute()
            except (RedisError, OSError) as exc:
                if self._stats.connected:
                    log.error("redis unavailable (%s): %d live operation(s) kept",
                              type(exc).__name__, len(self._outbox))
                self._stats.connected = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            self._stats.connected = True
            backoff = 0.05
            for _ in batch:
                self._outbox.popleft()
            self._stats.published += sum(op.kind == "push" for op in batch)

    def _send(self, pipe: Any, op: _Op) -> None:
        p = op.payload
        call_id = str(p.get("call_id") or "")
        if op.kind == "push":
            pipe.publish(self.key("push"), json.dumps(p, ensure_ascii=False, default=str))
            summary = _summary_of(p)
            if summary is not None:
                if summary.get("status") == "live" or summary.get("needs_ack"):
                    pipe.hset(self.key("calls"), str(summary["id"]), json.dumps(summary))
                else:
                    pipe.hdel(self.key("calls"), str(summary["id"]))
        elif op.kind == "track":
            # The decider is alive and owns it (an upgrade replaces the record).
            pipe.set(self.key("esc", call_id), json.dumps(p))
            pipe.sadd(self.key("esc"), call_id)
            pipe.set(self.key("esc", call_id, "lease"), self.instance_id, px=self.lease_ms)
        elif op.kind == "step":
            pipe.set(self.key("esc", call_id), json.dumps(p), xx=True)
        elif op.kind == "ack":
            pipe.set(self.key("ack", call_id), json.dumps(p), ex=86400)
            pipe.publish(self.key("control"), json.dumps({"type": "ack", **p}))
            pipe.srem(self.key("esc"), call_id)
            pipe.delete(self.key("esc", call_id))
            summary = p.get("summary")
            if isinstance(summary, dict):
                if summary.get("status") == "live":
                    pipe.hset(self.key("calls"), call_id, json.dumps(summary))
                else:
                    pipe.hdel(self.key("calls"), call_id)

    async def _subscriber(self) -> None:
        backoff = 0.1
        while not self._closing:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.key("push"), self.key("control"))
                backoff = 0.1
                while not self._closing:
                    raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if raw is None:
                        continue
                    try:
                        body = json.loads(raw["data"])
                    except (TypeError, ValueError):
                        continue
                    if body.get("origin") == self.instance_id:
                        continue
                    if raw["channel"] == self.key("control"):
                        self._on_control(body)
                    else:
                        self._on_push(body)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except (RedisError, OSError) as exc:
                self._stats.connected = False
                log.warning("redis subscription lost (%s): resubscribing", type(exc).__name__)
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    def _on_push(self, body: dict[str, Any]) -> None:
        self._stats.received += 1
        summary = _summary_of(body)
        if summary is not None:
            with contextlib.suppress(ValueError):
                parsed = CallSummary.model_validate(summary)
                self._remote[parsed.id] = parsed
                if len(self._remote) > 5000:  # bounded: the oldest ended calls go first
                    for key in [k for k, s in self._remote.items()
                                if s.status != "live" and not s.needs_ack][:1000]:
                        del self._remote[key]
        if self._hub is not None:
            self._hub.deliver_remote(PushMessage(
                kind=str(body.get("kind")), call_id=body.get("call_id"),
                data=body.get("data") or {}, at=float(body.get("at") or time.time()),
                practice=body.get("practice")))

    def _on_control(self, body: dict[str, Any]) -> None:
        if body.get("type") == "ack" and self._hub is not None:
            call_id = str(body.get("call_id"))
            self._owned.discard(call_id)
            self._hub.remote_acknowledged(call_id, str(body.get("by")),
                                          bool(body.get("take_over")))

    async def _leases(self) -> None:
        """Renew the escalations this process times; adopt the ones whose owner died."""
        last_renew = 0.0
        while not self._closing:
            await asyncio.sleep(self.scan_s)
            try:
                now = time.monotonic()
                if now - last_renew >= self.lease_ms / 3000:
                    last_renew = now
                    await self._renew_owned()
                await self._adopt_orphans()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                self._stats.connected = False
            except Exception:  # noqa: BLE001 - the escalation timers must survive anything
                log.exception("escalation lease loop failed")

    async def _renew_owned(self) -> None:
        hub = self._hub
        for call_id in list(self._owned):
            lease = self.key("esc", call_id, "lease")
            if hub is not None and not hub.escalation_open(call_id):
                self._owned.discard(call_id)
                await self._release(keys=[lease], args=[self.instance_id])
                await self.redis.srem(self.key("esc"), call_id)
                await self.redis.delete(self.key("esc", call_id))
                continue
            if await self._renew(keys=[lease], args=[self.instance_id, self.lease_ms]):
                continue
            # Expired (we stalled past the lease, or Redis restarted empty): take it back
            # unless someone has it, and write its record again so it can still be adopted.
            if await self.redis.set(lease, self.instance_id, nx=True, px=self.lease_ms):
                record = hub.escalation_record(call_id) if hub is not None else None
                if record is not None:
                    self._queue(_Op("track", record.to_json()))
                continue
            self._owned.discard(call_id)
            log.warning("escalation of call %s is timed by another process now", call_id)
            if hub is not None:
                hub.release_escalation(call_id)

    async def _adopt_orphans(self) -> None:
        hub = self._hub
        if hub is None:
            return
        members = await self.redis.smembers(self.key("esc"))
        for call_id in (str(m) for m in members):
            if call_id in self._owned:
                continue
            if await self.redis.exists(self.key("ack", call_id)):
                await self.redis.srem(self.key("esc"), call_id)
                await self.redis.delete(self.key("esc", call_id))
                continue
            if not await self.redis.set(self.key("esc", call_id, "lease"), self.instance_id,
                                        nx=True, px=self.lease_ms):
                continue
            raw = await self.redis.get(self.key("esc", call_id))
            if raw is None:
                await self.redis.srem(self.key("esc"), call_id)
                await self._release(keys=[self.key("esc", call_id, "lease")],
                                    args=[self.instance_id])
                continue
            record = EscalationRecord.from_json(json.loads(raw))
            summary = self._remote.get(call_id)
            if summary is not None:
                record = EscalationRecord.from_json({**record.to_json(),
                                                     "live": summary.status == "live"})
            self._owned.add(call_id)
            if hub.adopt_escalation(record):
                self._stats.adopted_escalations += 1
                log.warning("escalation of call %s adopted: its owner stopped renewing",
                            call_id)
            else:
                self._owned.discard(call_id)

    async def _writer(self) -> None:
        """Holds the writer lease (one writer per deployment keeps each call's writes in
        order) and drains the stream into the store; a new holder first claims what the
        previous one read but never acknowledged."""
        store = self._store
        assert store is not None
        stream, lease = self.key("writes"), self.key("writer")
        # Longer than an escalation's lease: a stalled writer (a loaded machine, a slow commit)
        # must not lose it mid-batch, or a second writer would commit the writes behind (a
        # call's events before the call). Writes only wait in the stream meanwhile.
        lease_ms = max(self.lease_ms, WRITER_LEASE_MS)
        renewed = 0.0
        backoff = 0.05
        while not self._closing:
            try:
                if not self._stats.writer:
                    if not await self.redis.set(lease, self.instance_id, nx=True,
                                                px=lease_ms) and (
                            await self.redis.get(lease) != self.instance_id):
                        self._stats.stream_backlog = int(await self.redis.xlen(stream))
                        await asyncio.sleep(self.scan_s)
                        continue
                    self._stats.writer = True
                    renewed = time.monotonic()
                    await self._claim_pending(stream)
                elif time.monotonic() - renewed >= lease_ms / 3000:
                    if not await self._renew(keys=[lease], args=[self.instance_id, lease_ms]):
                        self._stats.writer = False
                        continue
                    renewed = time.monotonic()
                entries = await self._read(stream, "0", block=None)  # ours, not yet committed
                if not entries:
                    entries = await self._read(stream, ">", block=200)
                if not entries:
                    self._stats.stream_backlog = int(await self.redis.xlen(stream))
                    continue
                # Renewed right before committing: the batch commits well inside the lease.
                # Lost meanwhile: not ours to commit (they stay pending; the holder claims them).
                if not await self._renew(keys=[lease], args=[self.instance_id, lease_ms]):
                    self._stats.writer = False
                    continue
                renewed = time.monotonic()
                writes = [decode_write(json.loads(fields["w"])) for _, fields in entries]
                rejected = await asyncio.to_thread(store.apply_writes, writes)
                for item in rejected:
                    self._stats.quarantined += 1
                    log.error("write %s (%s) refused by the database (%s): quarantined",
                              item.write.op, item.write.id, item.error)
                    await self.redis.rpush(self.key("quarantine"), json.dumps(
                        {"write": encode_write(item.write), "error": item.error}))
                if rejected:  # done with (quarantined, audited): their producers may let go
                    await asyncio.to_thread(store.record_applied,
                                            [item.write.id for item in rejected])
                ids = [entry_id for entry_id, _ in entries]
                await self.redis.xack(stream, _GROUP, *ids)
                await self.redis.xdel(stream, *ids)
                self._stats.stream_backlog = int(await self.redis.xlen(stream))
                backoff = 0.05
            except asyncio.CancelledError:
                raise
            except StoreUnavailable:
                await asyncio.sleep(backoff)  # entries stay pending: re-read as ours
                backoff = min(backoff * 2, 2.0)
            except (RedisError, OSError):
                self._stats.connected = False
                self._stats.writer = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _read(self, stream: str, start: str,
                    block: int | None) -> list[tuple[str, dict[str, str]]]:
        # RESP2 with decoded responses: [[stream, [(id, {field: value} | None), ...]]].
        try:
            reply: Any = await self.redis.xreadgroup(_GROUP, self.instance_id,
                                                     {stream: start}, count=256, block=block)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self._ensure_group(stream)
            return []
        if not reply:
            return []
        entries: list[tuple[str, dict[str, str] | None]] = list(reply[0][1])
        ghosts = [entry_id for entry_id, fields in entries if not fields]
        if ghosts:  # deleted after a commit whose acknowledgment was lost: done already
            await self.redis.xack(stream, _GROUP, *ghosts)
        return [(entry_id, fields) for entry_id, fields in entries if fields is not None
                and fields]

    async def _ensure_group(self, stream: str) -> None:
        """Redis restarted without its data: the stream and its group are made again."""
        with contextlib.suppress(ResponseError):  # BUSYGROUP: another process made it
            await self.redis.xgroup_create(stream, _GROUP, id="0", mkstream=True)

    async def _claim_pending(self, stream: str) -> None:
        start = "0-0"
        for _ in range(10_000):  # bounded: a stream's pending list, 256 at a time
            try:
                reply = await self.redis.xautoclaim(stream, _GROUP, self.instance_id,
                                                    min_idle_time=0, start_id=start,
                                                    count=256)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self._ensure_group(stream)
                return
            start = str(reply[0])
            if start == "0-0":
                return


def _summary_of(body: dict[str, Any]) -> dict[str, Any] | None:
    data = body.get("data") or {}
    if not isinstance(data, dict):
        return None
    if body.get("kind") == "call" and "id" in data:
        return data
    call = data.get("call")
    return call if isinstance(call, dict) and "id" in call else None
