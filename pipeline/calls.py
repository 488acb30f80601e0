"""The one entry point through which every call (simulated or live voice) records and escalates.

`CallHub` keeps each call's state in memory, pushes every change to dashboards at once, runs the
handoff policy, drives the channels (dashboard, telephony transfer, webhook) and acknowledgment
tracking, and writes everything (with its audit entry) to the store through one background
writer. If the database is down the writer keeps the writes in order in memory and retries:
humans still get the push and the transfer, and nothing a caller said is lost.

Usage (inside a running event loop)::

    hub = services.hub
    call_id = await hub.start_call(channel="twilio", language="fr", provider_call_id=sid)
    await hub.record_event(call_id, TranscriptFinal(t, utterance_id=1, text=text))
    decision = await hub.record_classification(call_id, classification, form, t)
    if decision is not None: ...  # a (new or more severe) handoff: stop and hand over
    await hub.hand_to_human(call_id, "asr stalled", t)  # fail-safe
    await hub.end_call(call_id, t)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from classifier.labels import Urgency
from classifier.types import Classification, TriageForm
from handoff import (
    AckTracker,
    Channel,
    DashboardChannel,
    Delivery,
    EscalationStep,
    HandoffAction,
    HandoffDecision,
    HandoffNotice,
    PracticeConfig,
    decide,
    human_fallback,
)
from pipeline.events import (
    AgentSaid,
    CallEnded,
    CallEvent,
    HandedOff,
    TranscriptFinal,
    TranscriptPartial,
    event_payload,
)
from pipeline.live.base import EscalationRecord, InProcessLive, LiveState
from pipeline.service.journal import Journal, StoreWrite
from pipeline.service.push import PushBroker, PushMessage
from pipeline.service.store import CallSummary, CallUpdate, Orphan, Store, StoreUnavailable

log = logging.getLogger(__name__)


class NoticeKind(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    """A human saw the handoff (the caller may still be waiting for them)."""
    TAKEN_OVER = "taken_over"
    """A human has the call: the agent stops talking and listening."""
    ESCALATED = "escalated"
    """A deadline passed: ``decision`` is the new step (e.g. advise 15/112)."""


@dataclass(frozen=True)
class HubNotice:
    """What the hub tells a call's agent about the human side (see `CallHub.watch`)."""

    kind: NoticeKind
    call_id: str
    by: str | None = None
    decision: HandoffDecision | None = None


@dataclass
class _CallState:
    call_id: str
    channel: str
    language: str
    started_at: float
    provider_call_id: str | None
    caller_number: str | None
    transcript: list[tuple[float, str, str]] = field(default_factory=list)
    partial: str = ""
    classification: Classification | None = None
    form: TriageForm | None = None
    decision: HandoffDecision | None = None
    urgency_rank: int = -1
    ended: bool = False
    acknowledged_by: str | None = None
    taken_over_by: str | None = None
    handoff_t: float | None = None
    interrupted: bool = False
    """Live when its process died: a human must call the caller back."""
    practice_id: str | None = None
    """Multi-practice deployments: the practice the dialled number belongs to."""

    ended_at: float | None = None
    acknowledged_at: float | None = None

    def summary(self) -> CallSummary:
        c, d = self.classification, self.decision
        return CallSummary(
            id=self.call_id, channel=self.channel, language=self.language,
            started_at=self.started_at, ended_at=self.ended_at,
            status="interrupted" if self.interrupted else "ended" if self.ended else "live",
            urgency=URGENCY_BY_RANK.get(self.urgency_rank),
            intent=c.intent.value if c else None,
            red_flags=tuple(dict.fromkeys(
                ([h.category.value for h in c.red_flags] if c else [])
                + [r.value for r in (d.red_flags if d else ())])),
            emergency_score=c.emergency_score if c else 0.0,
            needs_review=c.needs_review if c else False,
            action=d.action.value if d else None,
            target=d.target.name if d else None,
            advise_emergency=d.advise_emergency_services if d else False,
            handoff_t=self.handoff_t,
            needs_ack=bool((self.interrupted or (d and _awaits_human(d)))
                           and self.acknowledged_by is None),
            acknowledged_at=self.acknowledged_at,
            acknowledged_by=self.acknowledged_by,
            taken_over_by=self.taken_over_by,
            escalation_step=d.step if d else 0,
            partial=self.partial,
            practice=self.practice_id,
        )

    def summary_json(self) -> dict[str, Any]:
        return self.summary().model_dump(mode="json")


def _evidence(c: Classification | None) -> list[dict[str, Any]]:
    if c is None:
        return []
    return [{"category": h.category.value, "text": h.span.text if h.span else None,
             "start": h.span.start if h.span else None, "end": h.span.end if h.span else None,
             "source": h.source, "confirmed": h.confirmed, "t": h.t} for h in c.red_flags]


_RANK = {"routine": 0, "urgent": 1, "emergency": 2}
URGENCY_BY_RANK = {rank: name for name, rank in _RANK.items()}


def _awaits_human(decision: HandoffDecision) -> bool:
    """Stays in the queue until a human acknowledges it: timed handoffs, and after-hours
    messages/call-backs (a message nobody reads is a caller lost)."""
    return decision.ack_deadline is not None or (
        decision.action is HandoffAction.MESSAGE_OR_CALLBACK)


class CallHub:
    def __init__(self, store: Store | None, practice: PracticeConfig, *,
                 broker: PushBroker | None = None, channels: Sequence[Channel] = (),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 ack_poll_s: float = 0.1, max_memory_calls: int = 2000,
                 journal: Journal | None = None, heartbeat_s: float = 10.0,
                 live: LiveState | None = None) -> None:
        self.store = store
        self.live: LiveState = live or InProcessLive()
        """Shared live state (push fan-out, escalation leases, the write stream): see
        `pipeline.live`; in process by default."""
        self._enqueued_n = 0
        self._handed_n = 0
        self._unsettled_seq = 0
        self.handoff_observer: Callable[[float], None] | None = None
        """Called with the seconds from a classification reaching the hub to its handoff on
        the dashboards (the /metrics histogram)."""
        self.journal = journal
        self._heartbeat_s = heartbeat_s
        self._recovered = False
        self.quarantined = 0
        self.practice = practice
        self.practices: dict[str, PracticeConfig] = {}
        self.route_number: Callable[[str], str | None] | None = None
        """Dialled number -> practice id (`PracticeDirectory.for_number`)."""
        self._announced: OrderedDict[str, str] = OrderedDict()
        """Multi-practice deployments: practice id -> its configuration (`practice` is the
        default, for a call whose number belongs to none)."""
        self.broker = broker or PushBroker()
        self.dashboard = DashboardChannel(self._publish_notice)
        self.channels: tuple[Channel, ...] = tuple(channels)
        self.clock = clock
        self.tracker = AckTracker()
        self._calls: OrderedDict[str, _CallState] = OrderedDict()
        self._max_calls = max_memory_calls
        self._writes: deque[StoreWrite] = deque()
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._side_tasks: set[asyncio.Task[Any]] = set()
        self._ack_poll_s = ack_poll_s
        self.db_ok = True
        self.deliveries: deque[tuple[str, Delivery]] = deque(maxlen=200)
        self._watchers: dict[str, list[asyncio.Queue[HubNotice]]] = {}

    def watch(self, call_id: str) -> asyncio.Queue[HubNotice]:
        """Notices for one call (acknowledged, taken over, escalated), for its voice agent."""
        queue: asyncio.Queue[HubNotice] = asyncio.Queue()
        self._watchers.setdefault(call_id, []).append(queue)
        return queue

    def _notify(self, notice: HubNotice) -> None:
        for queue in self._watchers.get(notice.call_id, []):
            queue.put_nowait(notice)

    # -- lifecycle --------------------------------------------------------------------------
    def _ensure_started(self) -> None:
        if self._tasks and not any(t.done() for t in self._tasks):
            return
        for task in self._tasks:  # one writer task, always: never a second beside a live one
            task.cancel()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks = [asyncio.create_task(self._writer(), name="callhub-writer"),
                       asyncio.create_task(self._ack_loop(), name="callhub-ack")]
        if self.live.sink is not None and self.journal is not None:
            self._tasks.append(asyncio.create_task(self._settle_loop(), name="callhub-settle"))
        if self.store is not None and self.journal is not None:
            self._tasks.append(asyncio.create_task(self._reconcile_loop(),
                                                   name="callhub-reconcile"))

    async def start(self) -> None:
        """Start the writer; replay the journal's writes left by the previous process first
        (in order), then reconcile the calls that process left behind (see `_reconcile`)."""
        if self.journal is not None and not self._recovered:
            self._recovered = True
            pending = self.journal.pending()
            if pending:
                log.warning("journal: replaying %d write(s) left by the previous process",
                            len(pending))
                self._writes.extendleft(reversed(pending))
        self._ensure_started()
        await self.live.start(self)

    async def close(self, drain_timeout_s: float = 5.0) -> None:
        stored = False
        with contextlib.suppress(TimeoutError):
            stored = await self.flush(timeout_s=drain_timeout_s)
        if stored and self._unsettled_seq and self.journal is not None:
            with contextlib.suppress(OSError):
                self.journal.ack(self._unsettled_seq)
        await self.live.close()
        tasks = [*self._tasks, *self._side_tasks]
        for task in tasks:
            task.cancel()
        if tasks:  # bounded: a client library may swallow a cancellation (redis-py does)
            await asyncio.wait(tasks, timeout=5.0)
        self._tasks = []
        if self.journal is not None:
            with contextlib.suppress(OSError):
                self.journal.sync()

    async def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until every buffered write reached the database; False when they have not by
        `timeout_s` (database down or slow: they stay journaled and queued)."""
        self._ensure_started()
        assert self._idle is not None
        deadline = time.monotonic() + timeout_s
        while self._writes:
            if time.monotonic() > deadline:
                return False
            self._idle.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout=0.2)
        for task in list(self._side_tasks):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(task), timeout=max(
                    0.0, deadline - time.monotonic()))
        return await self.live.settled(max(0.0, deadline - time.monotonic()))

    @property
    def writes_handed(self) -> int:
        """Writes handed to the store (or the shared stream) since start."""
        return self._handed_n

    @property
    def pending_writes(self) -> int:
        return len(self._writes)

    def _enqueue(self, write: StoreWrite) -> None:
        """Queue a store write; journaled first (written to the kernel now, fsynced before
        its batch commits), so a crash or `kill -9` at any point loses nothing."""
        self._ensure_started()
        if self.journal is not None:
            try:
                write = self.journal.append(write)
            except OSError as exc:  # a full or gone disk must not stop the call
                log.error("journal append failed (%s): write kept in memory only",
                          type(exc).__name__)
        self._writes.append(write)
        self._enqueued_n += 1
        assert self._wake is not None
        self._wake.set()

    async def _writer(self) -> None:
        """Drains the write queue in order, many writes per transaction. Database down: keep
        everything (journal + memory), retry with backoff. A write the database refuses is
        quarantined (journal's quarantine file), audited and skipped, so it never blocks the
        writes behind it and is never taken for an outage."""
        assert self._wake is not None and self._idle is not None
        backoff = 0.05
        while True:
            if not self._writes:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            store = self.store
            if store is None:
                self._writes.clear()
                continue
            batch = [self._writes[i] for i in range(min(len(self._writes), 256))]
            try:
                if self.journal is not None:
                    await asyncio.to_thread(self.journal.sync)
                sink = self.live.sink
                rejected = (await sink.apply_writes(batch) if sink is not None
                            else await asyncio.to_thread(store.apply_writes, batch))
            except StoreUnavailable:
                if self.db_ok:
                    log.error("database unavailable: %d write(s) kept in the journal",
                              len(self._writes))
                self.db_ok = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            except OSError as exc:
                log.error("journal sync failed (%s): retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            if not self.db_ok:
                log.warning("database back: buffered writes flushed")
            self.db_ok = True
            backoff = 0.05
            for item in rejected:
                # Operation, id and error type only: never the values (callers' words).
                log.error("write %s (%s) refused by the database (%s): quarantined",
                          item.write.op, item.write.id, item.error)
                self.quarantined += 1
                if self.journal is not None:
                    with contextlib.suppress(OSError):
                        await asyncio.to_thread(self.journal.quarantine, item.write, item.error)
            for _ in batch:
                self._writes.popleft()
            self._handed_n += len(batch)
            if self.journal is not None and batch[-1].seq:
                if self.live.sink is not None:
                    # Handed to a shared stream, not yet committed: the journal keeps them
                    # until the stream's writer has (`_settle_loop`), so a Redis lost with
                    # its data loses none of them (replayed, idempotent by write id).
                    self._unsettled_seq = batch[-1].seq
                else:
                    with contextlib.suppress(OSError):
                        await asyncio.to_thread(self.journal.ack, batch[-1].seq)

    async def _settle_loop(self) -> None:
        """Shared write stream: acknowledge the journal up to what the stream's writer
        committed to the store."""
        while True:
            await asyncio.sleep(0.05)
            seq = self._unsettled_seq
            if not seq or self.journal is None:
                continue
            try:
                if await self.live.settled(1.0):
                    with contextlib.suppress(OSError):
                        await asyncio.to_thread(self.journal.ack, seq)
                    if self._unsettled_seq == seq:
                        self._unsettled_seq = 0
            except Exception:  # noqa: BLE001 - the journal keeps them; retried
                log.exception("journal settlement failed")

    # -- start-up reconciliation -----------------------------------------------------------------
    async def _reconcile_loop(self) -> None:
        """Heartbeat this process and claim the calls of processes that died: once the
        journal's replay is flushed, then every `heartbeat_s` (another process's calls are
        claimed once its heartbeat is stale)."""
        store = self.store
        assert store is not None
        pruned = False
        while True:
            try:
                if not self._writes:
                    await asyncio.to_thread(store.heartbeat)
                    if not pruned:  # write ids older than any journal a restart could replay
                        await asyncio.to_thread(store.prune_applied)
                        pruned = True
                    for orphan in await asyncio.to_thread(store.claim_orphans):
                        owned = True
                        if orphan.needs_ack and orphan.decision is not None:
                            owned = await self.live.claim(self._record_of_orphan(orphan))
                        self._restore(orphan, track=owned)
                    await asyncio.sleep(self._heartbeat_s)
                else:
                    await asyncio.sleep(0.2)
            except StoreUnavailable:
                await asyncio.sleep(1.0)
            except Exception:  # noqa: BLE001 - reconciliation must survive anything
                log.exception("reconciliation failed")
                await asyncio.sleep(self._heartbeat_s)

    def _restore(self, orphan: Orphan, *, track: bool = True) -> None:
        """Back in memory: shown on the dashboard; an unacknowledged handoff gets its
        escalation timer back (a deadline that passed while nobody ran escalates now), unless
        another process already times it (`track=False`, shared live state)."""
        from handoff.ack import decision_from_dict

        state = self._calls.get(orphan.call_id) or _CallState(
            call_id=orphan.call_id, channel=orphan.channel, language=orphan.language,
            started_at=orphan.started_at, provider_call_id=orphan.provider_call_id,
            caller_number=orphan.caller_number, practice_id=orphan.practice_id)
        state.ended = True
        self._calls[orphan.call_id] = state
        decision = decision_from_dict(orphan.decision) if orphan.decision else None
        if decision is not None:
            state.decision = decision
            state.urgency_rank = max(state.urgency_rank, decision.urgency.rank)
            if (track and orphan.needs_ack and decision.ack_deadline is not None
                    and self.tracker.pending(orphan.call_id) is None):  # not timed here yet
                step = self.tracker.restore(orphan.call_id, decision, orphan.escalation_step)
                state.decision = step.decision
        if orphan.was_live:
            state.interrupted = True
            log.warning("call %s was live when its process died: marked interrupted, "
                        "call-back task queued", orphan.call_id)
        self._push("call", orphan.call_id, state.summary_json())

    # -- push -------------------------------------------------------------------------------
    def _push(self, kind: str, call_id: str | None, data: dict[str, Any],
              practice: str | None = None) -> int:
        state = self._calls.get(call_id) if call_id else None
        message = PushMessage(kind=kind, call_id=call_id, data=data,
                              practice=practice or (state.practice_id if state else None))
        self.live.publish(message, self._enqueued_n)
        return self.broker.publish(message)

    # -- shared live state (pipeline.live calls these) ----------------------------------------
    def deliver_remote(self, message: PushMessage) -> None:
        """Another process's push, to this process's dashboards."""
        self.broker.publish(message)

    def remote_acknowledged(self, call_id: str, by: str, take_over: bool) -> None:
        """A human acknowledged the call on another process: the timer stops here (if it ran
        here) and the call's agent (if here) hears it."""
        self.tracker.acknowledge(call_id, by, self.clock())
        state = self._mark_answered(call_id, by, take_over)
        if state is not None:  # every dashboard (and the shared first paint) sees it answered
            self._push("call", call_id, state.summary_json())

    def _mark_answered(self, call_id: str, by: str, take_over: bool) -> _CallState | None:
        """A human answered the call (here or on another process): its live state says so and
        the call's agent, if here, hears it."""
        state = self._calls.get(call_id)
        if state is not None:
            if state.acknowledged_by is None:
                state.acknowledged_by, state.acknowledged_at = by, time.time()
            if take_over:
                state.taken_over_by = by
        self._notify(HubNotice(NoticeKind.TAKEN_OVER if take_over else NoticeKind.ACKNOWLEDGED,
                               call_id, by=by))
        return state

    def adopt_escalation(self, record: EscalationRecord) -> bool:
        """The process timing this escalation died: carry the ladder on from its last step
        (the call itself is reconciled like a dead process's: interrupted, call-back task)."""
        orphan = record.to_orphan()
        self._restore(orphan)
        return self.tracker.pending(record.call_id) is not None

    def release_escalation(self, call_id: str) -> None:
        self.tracker.acknowledge(call_id, "lease", self.clock())

    def escalation_open(self, call_id: str) -> bool:
        return self.tracker.pending(call_id) is not None

    def escalation_record(self, call_id: str) -> EscalationRecord | None:
        state, pending = self._calls.get(call_id), self.tracker.pending(call_id)
        if state is None or pending is None:
            return None
        return self._record(state, pending.decision)

    def _record(self, state: _CallState, decision: HandoffDecision) -> EscalationRecord:
        return EscalationRecord(
            call_id=state.call_id, decision=decision.to_dict(), step=decision.step,
            channel=state.channel, language=state.language, started_at=state.started_at,
            provider_call_id=state.provider_call_id, caller_number=state.caller_number,
            practice_id=state.practice_id, live=not state.ended)

    @staticmethod
    def _record_of_orphan(orphan: Orphan) -> EscalationRecord:
        assert orphan.decision is not None
        return EscalationRecord(
            call_id=orphan.call_id, decision=orphan.decision, step=orphan.escalation_step,
            channel=orphan.channel, language=orphan.language, started_at=orphan.started_at,
            provider_call_id=orphan.provider_call_id, caller_number=orphan.caller_number,
            practice_id=orphan.practice_id, live=orphan.was_live)

    async def _publish_notice(self, notice: HandoffNotice) -> int:
        state = self._calls.get(notice.call_id)
        return self._push("handoff", notice.call_id, {
            "decision": notice.decision.to_dict(),
            "evidence": _evidence(state.classification if state else None),
            "call": state.summary_json() if state else None,
            "alert": notice.decision.urgency.value == "emergency"
            or notice.decision.advise_emergency_services,
        })

    def snapshot(self) -> list[CallSummary]:
        """Calls held in memory (live or recent), most urgent first: the dashboard's first
        paint, which works even when the database does not."""
        items = [summary for summary in (s.summary() for s in self._calls.values())
                 if summary.status == "live" or summary.needs_ack]
        items += [s for s in self.live.remote_calls() if s.id not in self._calls]
        return sorted(items, key=lambda x: (not x.needs_ack, -(
            _RANK.get(x.urgency or "", -1)), -x.started_at))

    def summary(self, call_id: str) -> CallSummary | None:
        """A call's summary from memory (None when this process does not hold it)."""
        state = self._calls.get(call_id)
        return state.summary() if state else None

    def publish(self, kind: str, call_id: str, data: dict[str, Any]) -> int:
        """Push a message about a call to the dashboards (e.g. the softphone's state)."""
        return self._push(kind, call_id, data)

    def audit(self, actor: str, action: str, call_id: str | None = None,
              **details: str | int | float | bool | None) -> None:
        """One audit entry through the journaled writer (kept in order, never lost to an
        outage), e.g. the take-over softphone's claim, connection and hang-up."""
        if self.store is not None:
            self._enqueue(StoreWrite.of("record_audit", actor, action, call_id, **details))

    def current_decision(self, call_id: str) -> HandoffDecision | None:
        """The most severe decision so far (escalation steps included)."""
        state = self._calls.get(call_id)
        return state.decision if state else None

    def forget(self, call_ids: Sequence[str]) -> None:
        """Drop erased calls from memory too (GDPR erasure, retention). A live call is kept
        until it ends (its agent still needs it); housekeeping drops it then."""
        for call_id in call_ids:
            state = self._calls.get(call_id)
            if state is not None and not state.ended:
                continue
            self._calls.pop(call_id, None)
            self._watchers.pop(call_id, None)
            self.tracker.acknowledge(call_id, "erasure", self.clock())

    def call_for_provider(self, provider_call_id: str | None) -> str | None:
        """The call id of a telephony provider's call (Twilio CallSid), if held in memory."""
        for state in self._calls.values():
            if provider_call_id and state.provider_call_id == provider_call_id:
                return state.call_id
        return None

    async def escalate_now(self, call_id: str, reason: str) -> bool:
        """The current target cannot answer (busy, no answer): the next step now, without
        waiting for the deadline. False when no handoff of this call awaits a human."""
        steps = self.tracker.advance_now(call_id, self.clock(), reason)
        for step in steps:
            await self._escalate(step)
        return bool(steps)

    def held_call_ids(self) -> list[str]:
        """Ended calls held in memory (for erasure and retention to find; a live call's
        agent still needs its state, it is dropped once it ends)."""
        return [k for k, s in self._calls.items() if s.ended]

    def expect_call(self, provider_call_id: str, dialled_number: str | None) -> PracticeConfig:
        """The telephony webhook announced a call to `dialled_number` (Twilio's ``To``): the
        call its media stream starts in this process belongs to that number's practice.
        Returns the practice's configuration (its fallback numbers)."""
        practice_id = (self.route_number(dialled_number)
                       if self.route_number is not None and dialled_number else None)
        if practice_id is None or practice_id not in self.practices:
            return self.practice
        self._announced[provider_call_id] = practice_id
        while len(self._announced) > 1000:  # announced, never streamed: forget the oldest
            self._announced.popitem(last=False)
        return self.practices[practice_id]

    def announced_practice(self, provider_call_id: str | None) -> PracticeConfig | None:
        """The practice a telephony call was announced for (`expect_call`), before its call
        starts: the agent greets the caller in that practice's name."""
        practice_id = self.announced_practice_id(provider_call_id)
        return self.practices.get(practice_id) if practice_id is not None else None

    def announced_practice_id(self, provider_call_id: str | None) -> str | None:
        """The id of the practice a telephony call was announced for (`expect_call`): its
        session takes that practice's protocol and agenda."""
        return self._announced.get(provider_call_id) if provider_call_id else None

    def practice_of(self, call_id: str) -> PracticeConfig:
        """The configuration that decides a call's handoffs (its practice's, else the
        deployment's default)."""
        state = self._calls.get(call_id)
        if state is not None and state.practice_id is not None:
            return self.practices.get(state.practice_id, self.practice)
        return self.practice

    def practice_id_of(self, call_id: str) -> tuple[bool, str | None]:
        """(known here, practice id) from memory: this process's calls and the live calls
        other processes share."""
        state = self._calls.get(call_id)
        if state is not None:
            return True, state.practice_id
        for summary in self.live.remote_calls():
            if summary.id == call_id:
                return True, summary.practice
        return False, None

    def knows(self, call_id: str) -> bool:
        return call_id in self._calls or self.live.knows(call_id)

    def broker_call_update(self, summary: CallSummary) -> None:
        """Push a stored call's new summary (after a human correction) to dashboards."""
        self._push("call", summary.id, summary.model_dump(mode="json"), summary.practice)

    def live_transcript(self, call_id: str) -> list[dict[str, Any]] | None:
        state = self._calls.get(call_id)
        if state is None:
            return None
        return [{"t": t, "speaker": who, "text": text, "final": True}
                for t, who, text in state.transcript] + (
            [{"t": None, "speaker": "caller", "text": state.partial, "final": False}]
            if state.partial else [])

    # -- the call API -----------------------------------------------------------------------
    async def start_call(self, *, channel: str, language: str, caller_number: str | None = None,
                         provider_call_id: str | None = None, call_id: str | None = None,
                         practice_id: str | None = None,
                         dialled_number: str | None = None) -> str:
        """`practice_id` (or the `dialled_number` it is routed by): the call's practice in a
        multi-practice deployment (see `pipeline.practices`); None: the default practice."""
        call_id = call_id or uuid.uuid4().hex[:16]
        if practice_id is None and dialled_number is not None and self.route_number:
            practice_id = self.route_number(dialled_number)
        announced = (self._announced.pop(provider_call_id, None)
                     if provider_call_id is not None else None)
        practice_id = practice_id or announced
        if practice_id is not None and self.practices and practice_id not in self.practices:
            raise KeyError(f"unknown practice {practice_id!r}: configure it in practices_file")
        state = _CallState(call_id=call_id, channel=channel, language=language,
                           started_at=time.time(), provider_call_id=provider_call_id,
                           caller_number=caller_number, practice_id=practice_id)
        self._calls[call_id] = state
        self._evict()
        store = self.store
        if store is not None:
            self._enqueue(StoreWrite.of(
                "create_call", call_id, channel=channel, language=language,
                caller_number=caller_number, provider_call_id=provider_call_id,
                started_at=state.started_at, owner=store.instance_id,
                **({"practice_id": practice_id} if practice_id is not None else {})))
        self._push("call", call_id, state.summary_json())
        return call_id

    def _evict(self) -> None:
        while len(self._calls) > self._max_calls:
            for key, st in self._calls.items():
                if st.ended and self.tracker.pending(key) is None:
                    del self._calls[key]
                    break
            else:
                return

    def _state(self, call_id: str) -> _CallState:
        try:
            return self._calls[call_id]
        except KeyError:
            raise KeyError(f"unknown call id {call_id!r}: call start_call first") from None

    async def record_event(self, call_id: str, event: CallEvent, *, actor: str = "system") -> None:
        """One event of the call's timeline: the live transcript and the dashboard see words at
        once; every event goes to the audit trail (stored as its JSON payload)."""
        state = self._state(call_id)
        if isinstance(event, TranscriptPartial):
            state.partial = event.text
        elif isinstance(event, TranscriptFinal):
            state.partial = ""
            state.transcript.append((event.t, "caller", event.text))
        elif isinstance(event, AgentSaid):
            state.transcript.append((event.t, "agent", event.text))
        if isinstance(event, TranscriptPartial | TranscriptFinal | AgentSaid):
            self._push("transcript", call_id, {
                "t": event.t, "text": event.text,
                "final": not isinstance(event, TranscriptPartial),
                "speaker": "agent" if isinstance(event, AgentSaid) else "caller"})
        if isinstance(event, CallEnded):
            state.ended = True
            state.ended_at = time.time()
            self._push("call", call_id, state.summary_json())
        store = self.store
        if store is not None:
            created = time.time()
            payload = event_payload(event)
            self._enqueue(StoreWrite.of(
                "add_event", call_id, event.t, event.type, payload, created, actor))

    async def record_classification(self, call_id: str, classification: Classification,
                                    form: TriageForm | None, t: float) -> HandoffDecision | None:
        """Run the policy; store, push and escalate. Returns the decision when it is a *new or
        more severe* handoff (the agent then hands over); None otherwise."""
        state = self._state(call_id)
        received = time.monotonic()
        now = self.clock()
        decision = decide(classification, form, self.practice_of(call_id), now)
        state.classification = classification
        state.form = form
        state.urgency_rank = max(state.urgency_rank, decision.urgency.rank,
                                 classification.urgency.rank)
        previous = state.decision
        escalate = previous is None or decision.action.severity > previous.action.severity
        payload = classification.to_dict()
        form_dict = form.to_dict() if form is not None else None
        self._push("classification", call_id, {"classification": payload, "form": form_dict,
                                               "evidence": _evidence(classification),
                                               "call": state.summary_json()})
        summary = state.summary()
        update_ = CallUpdate(
            urgency=summary.urgency, urgency_rank=state.urgency_rank,
            intent=classification.intent.value, red_flags=summary.red_flags,
            emergency_score=classification.emergency_score,
            needs_review=classification.needs_review)
        store = self.store
        if store is not None:
            created = time.time()
            self._enqueue(StoreWrite.of(
                "add_classification", call_id, t, payload, form_dict, update_, created))
        if not escalate:
            return None
        await self._apply_decision(state, decision, t, reason="policy")
        if decision.is_handoff and self.handoff_observer is not None:
            self.handoff_observer(time.monotonic() - received)
        return decision if decision.is_handoff else None

    async def hand_to_human(self, call_id: str, reason: str, t: float) -> HandoffDecision:
        """Fail-safe: a stage failed or the caller asked for a person. The call goes to the
        tele-secretary queue (after hours: the on-call physician) with everything captured so
        far. Never downgrades a more severe handoff already under way."""
        state = self._state(call_id)
        decision = human_fallback(
            self.practice_of(call_id), self.clock(), reason,
            urgency=state.decision.urgency if state.decision else Urgency.URGENT)
        if state.decision is not None and state.decision.is_handoff and (
                state.decision.action.severity >= decision.action.severity):
            return state.decision
        store = self.store
        if store is not None:
            self._enqueue(StoreWrite.of(
                "add_event", call_id, t, HandedOff.type, {"reason": reason}, time.time(),
                "system"))
        await self._apply_decision(state, decision, t, reason=f"fail-safe: {reason}")
        return decision

    async def end_call(self, call_id: str, t: float, reason: str = "") -> None:
        await self.record_event(call_id, CallEnded(t, reason))

    async def attach_audio(self, call_id: str, path: str) -> None:
        """Register the call's recording (a path, relative to the data dir or absolute) so
        retention and erasure delete it with the rest of the call."""
        self._state(call_id)
        store = self.store
        if store is not None:
            self._enqueue(StoreWrite.of("set_audio", call_id, path))

    # -- human side -------------------------------------------------------------------------
    async def acknowledge(self, call_id: str, username: str, *, take_over: bool = False) -> bool:
        """A human acknowledged (or took over) the call: escalation stops. Works from memory
        first so it holds even while the database is down; returns whether it is persisted."""
        ack = self.tracker.acknowledge(call_id, username, self.clock())
        state = self._mark_answered(call_id, username, take_over)
        self.live.acknowledged(call_id, username, take_over)
        self._push("ack", call_id, {"by": username, "take_over": take_over,
                                    "waited_s": ack.waited_s if ack else None,
                                    "call": state.summary_json() if state else None})
        store = self.store
        if store is None:
            return False
        at = time.time()
        waited = ack.waited_s if ack else None
        self._enqueue(StoreWrite.of(
            "acknowledge", call_id, username, at, take_over=take_over, waited_s=waited))
        try:
            return await self.flush(timeout_s=3.0)
        except TimeoutError:
            return False

    # -- internals --------------------------------------------------------------------------
    async def _apply_decision(self, state: _CallState, decision: HandoffDecision, t: float,
                              reason: str) -> None:
        state.decision = decision
        call_id = state.call_id
        notice = HandoffNotice(call_id=call_id, decision=decision,
                               provider_call_id=state.provider_call_id, language=state.language,
                               emergency_number=self.practice_of(
                                   call_id).emergency_number)
        # Dashboard first and inline: it is what a human sees within the latency budget.
        delivery = await self.dashboard.deliver(notice)
        self._record_delivery(call_id, delivery, decision.step)
        for channel in self.channels:
            self._spawn(self._deliver(channel, notice))
        if self.tracker.start(call_id, decision, self.clock()) is not None:
            self.live.track(self._record(state, decision))
        payload = decision.to_dict()
        first_handoff = decision.is_handoff and state.handoff_t is None
        if first_handoff:
            state.handoff_t = t
        update_ = CallUpdate(
            action=decision.action.value, action_rank=decision.action.severity,
            target=decision.target.name, advise_emergency=decision.advise_emergency_services,
            needs_ack=_awaits_human(decision) and state.acknowledged_by is None,
            escalation_step=decision.step,
            handoff_t=t if first_handoff else None,
            handoff_at=time.time() if first_handoff else None,
            urgency_rank=state.urgency_rank if state.urgency_rank >= 0 else None,
            urgency=URGENCY_BY_RANK.get(state.urgency_rank))
        store = self.store
        if store is not None:
            created = time.time()
            self._enqueue(StoreWrite.of(
                "add_decision", call_id, t, payload, update_, created, reason))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _deliver(self, channel: Channel, notice: HandoffNotice) -> None:
        try:
            delivery = await channel.deliver(notice)
        except Exception as exc:  # noqa: BLE001 - channels must not raise, but never trust it
            delivery = Delivery(getattr(channel, "name", "?"), False,
                                f"channel raised {type(exc).__name__}", 0.0)
        self._record_delivery(notice.call_id, delivery, notice.decision.step)

    def _record_delivery(self, call_id: str, delivery: Delivery, step: int) -> None:
        self.deliveries.append((call_id, delivery))
        if not delivery.ok:
            log.warning("channel %s failed for a handoff: %s", delivery.channel, delivery.detail)
        store = self.store
        if store is not None:
            self._enqueue(StoreWrite.of(
                "record_audit", "channel", "channel.delivery", call_id, channel=delivery.channel,
                ok=delivery.ok, detail=delivery.detail, latency_ms=round(delivery.latency_ms, 2),
                step=step))

    async def _ack_loop(self) -> None:
        while True:
            await asyncio.sleep(self._ack_poll_s)
            try:
                for step in self.tracker.due(self.clock()):
                    await self._escalate(step)
            except Exception:  # noqa: BLE001 - the escalation timer must survive anything
                log.exception("escalation step failed")

    async def _escalate(self, step: EscalationStep) -> None:
        state = self._calls.get(step.call_id)
        decision = step.decision
        if state is not None:
            state.decision = decision
            self.live.stepped(self._record(state, decision))
        notice = HandoffNotice(call_id=step.call_id, decision=decision,
                               provider_call_id=state.provider_call_id if state else None,
                               language=state.language if state else "fr",
                               emergency_number=self.practice_of(
                                   step.call_id).emergency_number)
        self._notify(HubNotice(NoticeKind.ESCALATED, step.call_id, decision=decision))
        self._push("escalation", step.call_id, {
            "decision": decision.to_dict(), "reason": step.reason, "final": step.final,
            "call": state.summary_json() if state else None})
        await self.dashboard.deliver(notice)
        for channel in self.channels:
            self._spawn(self._deliver(channel, notice))
        store = self.store
        if store is not None:
            self._enqueue(StoreWrite.of(
                "set_escalation", step.call_id, decision.step, decision.target.name,
                decision.action.value, step.reason))
