"""The seam for live state: what one `CallHub` shares with the other processes of a deployment.

A call's live state (its push to dashboards, its escalation timer, its store writes) used to
live in the one process that handled it. `LiveState` is what the hub hands that state to:

- `InProcessLive` (the embedded default, one machine): nothing leaves the process; the hub
  behaves exactly as before (writes go to the store, push to the local broker, timers local).
- `pipeline.live.redis_live.RedisLive` (``PERMANENCE_REDIS_URL``): dashboard push fans out over
  Redis pub/sub to every API process; store writes go through a Redis stream read by one
  writer (consumer group); an escalation timer is owned by exactly one process through a lease
  that another process takes over when the owner dies; acknowledgments reach the owner.

The hub calls the seam synchronously from the event loop (nothing here may block a call); the
implementation does its network work in its own tasks, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.service.journal import StoreWrite
from pipeline.service.push import PushMessage
from pipeline.service.store import CallSummary, Orphan, Rejected


@dataclass(frozen=True)
class EscalationRecord:
    """What another process needs to carry on a call's escalation when its owner dies: the
    current decision (`HandoffDecision.to_dict()`, deadlines included) and how the call reaches
    the telephony provider."""

    call_id: str
    decision: Mapping[str, Any]
    step: int
    channel: str
    language: str
    started_at: float
    provider_call_id: str | None = None
    caller_number: str | None = None
    practice_id: str | None = None
    live: bool = True
    """The call was still on the line with its agent when this was written."""

    def to_json(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "decision": dict(self.decision), "step": self.step,
                "channel": self.channel, "language": self.language,
                "started_at": self.started_at, "provider_call_id": self.provider_call_id,
                "caller_number": self.caller_number, "practice_id": self.practice_id,
                "live": self.live}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> EscalationRecord:
        return cls(call_id=str(raw["call_id"]), decision=dict(raw["decision"]),
                   step=int(raw["step"]), channel=str(raw["channel"]),
                   language=str(raw["language"]), started_at=float(raw["started_at"]),
                   provider_call_id=raw.get("provider_call_id"),
                   caller_number=raw.get("caller_number"), practice_id=raw.get("practice_id"),
                   live=bool(raw.get("live", True)))

    def to_orphan(self) -> Orphan:
        """Adopting an escalation is the same as reconciling a dead process's call."""
        return Orphan(call_id=self.call_id, channel=self.channel, language=self.language,
                      caller_number=self.caller_number, provider_call_id=self.provider_call_id,
                      started_at=self.started_at, was_live=self.live, needs_ack=True,
                      escalation_step=self.step, decision=self.decision,
                      practice_id=self.practice_id)


@dataclass
class LiveStats:
    """Counters for /metrics and /readyz."""

    kind: str
    connected: bool = True
    published: int = 0
    received: int = 0
    dropped: int = 0
    owned_escalations: int = 0
    adopted_escalations: int = 0
    stream_backlog: int = 0
    """Store writes waiting in the shared stream (0 in process)."""
    writer: bool = False
    """This process holds the writer lease (drains the stream into the store)."""
    quarantined: int = 0
    extra: dict[str, float] = field(default_factory=dict)


class WriteSink(Protocol):
    """Where the hub's batched store writes go instead of the store (a shared stream)."""

    async def apply_writes(self, writes: Sequence[StoreWrite]) -> list[Rejected]:
        """Raises `StoreUnavailable` when the sink is down (the hub keeps and retries)."""
        ...


class LiveHub(Protocol):
    """What the hub offers the seam (callbacks, all on the event loop)."""

    @property
    def writes_handed(self) -> int:
        """Writes handed to the store or sink so far (a push waits for its writes)."""
        ...

    def deliver_remote(self, message: PushMessage) -> None:
        """A push published by another process: to this process's dashboards."""
        ...

    def remote_acknowledged(self, call_id: str, by: str, take_over: bool) -> None:
        """A human acknowledged (or took over) the call on another process."""
        ...

    def adopt_escalation(self, record: EscalationRecord) -> bool:
        """Take over a dead owner's escalation timer; False when there is nothing to time."""
        ...

    def release_escalation(self, call_id: str) -> None:
        """Another process owns this escalation now: stop timing it here."""
        ...

    def escalation_open(self, call_id: str) -> bool:
        """This process still times the call's escalation (not acknowledged)."""
        ...

    def escalation_record(self, call_id: str) -> EscalationRecord | None:
        """The record of an escalation this process times (to write it again)."""
        ...


class LiveState(Protocol):
    """The seam. Every method but `start`, `close`, `claim`, `settled` and `ping` is
    synchronous and never blocks (the work is queued, in order)."""

    kind: str
    instance_id: str

    @property
    def sink(self) -> WriteSink | None:
        """None: the hub writes to its store itself."""
        ...

    async def start(self, hub: LiveHub) -> None: ...

    async def close(self) -> None: ...

    def publish(self, message: PushMessage, writes_before: int) -> None:
        """Fan a push out to the other processes once the `writes_before` first writes of
        this hub were handed on (what a dashboard sees is already on its way to the store)."""
        ...

    def track(self, record: EscalationRecord) -> None:
        """This process decided a handoff that awaits a human: it owns the timer."""
        ...

    def stepped(self, record: EscalationRecord) -> None:
        """The owner took an escalation step (so an adopter does not repeat it)."""
        ...

    def acknowledged(self, call_id: str, by: str, take_over: bool) -> None:
        """A human acknowledged the call here: tell the owner, wherever it runs."""
        ...

    async def claim(self, record: EscalationRecord) -> bool:
        """Reconciliation found a dead process's call: True when this process now owns its
        escalation (in process: always)."""
        ...

    async def settled(self, timeout_s: float) -> bool:
        """This hub's handed writes reached the store (in process: at once)."""
        ...

    def remote_calls(self) -> list[CallSummary]:
        """Live or unacknowledged calls other processes hold (the dashboard's first paint)."""
        ...

    def knows(self, call_id: str) -> bool: ...

    async def ping(self) -> bool:
        """Readiness: the shared engine answers."""
        ...

    def stats(self) -> LiveStats: ...


class InProcessLive:
    """The embedded default: one process holds all live state (nothing is shared)."""

    kind = "in-process"

    def __init__(self, instance_id: str = "local") -> None:
        self.instance_id = instance_id

    @property
    def sink(self) -> WriteSink | None:
        return None

    async def start(self, hub: LiveHub) -> None:
        return None

    async def close(self) -> None:
        return None

    def publish(self, message: PushMessage, writes_before: int) -> None:
        return None

    def track(self, record: EscalationRecord) -> None:
        return None

    def stepped(self, record: EscalationRecord) -> None:
        return None

    def acknowledged(self, call_id: str, by: str, take_over: bool) -> None:
        return None

    async def claim(self, record: EscalationRecord) -> bool:
        return True

    async def settled(self, timeout_s: float) -> bool:
        return True

    def remote_calls(self) -> list[CallSummary]:
        return []

    def knows(self, call_id: str) -> bool:
        return False

    async def ping(self) -> bool:
        return True

    def stats(self) -> LiveStats:
        return LiveStats(kind=self.kind)
