"""Acknowledgment tracking: a handoff not acknowledged before its deadline escalates to the next
target (backup physician), finally emergency-services advice. Synchronous and clock-free: the
caller passes `now`, so the same code runs in tests with a fake clock and live with a timer.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from classifier.labels import RedFlag, Urgency
from handoff.policy import HandoffAction, HandoffDecision, HandoffTarget, TargetKind


def _target(raw: Mapping[str, Any]) -> HandoffTarget:
    return HandoffTarget(kind=TargetKind(raw["kind"]), name=str(raw["name"]),
                         phone=raw.get("phone"), id=raw.get("id"))


def decision_from_dict(raw: Mapping[str, Any]) -> HandoffDecision:
    """The inverse of `HandoffDecision.to_dict` (a stored decision, back at start-up)."""
    deadline = raw.get("ack_deadline")
    return HandoffDecision(
        action=HandoffAction(raw["action"]), target=_target(raw["target"]),
        reasons=tuple(raw.get("reasons", ())),
        decided_at=datetime.fromisoformat(raw["decided_at"]),
        ack_deadline=datetime.fromisoformat(deadline) if deadline else None,
        advise_emergency_services=bool(raw.get("advise_emergency_services")),
        urgency=Urgency(raw.get("urgency", "routine")),
        red_flags=tuple(RedFlag(r) for r in raw.get("red_flags", ())),
        visible_to_secretary=bool(raw.get("visible_to_secretary", True)),
        after_hours=bool(raw.get("after_hours")),
        backups=tuple(_target(b) for b in raw.get("backups", ())),
        step=int(raw.get("step", 0)))


@dataclass(frozen=True)
class EscalationStep:
    """One timed step of a call's escalation: what was decided, when, and why."""

    call_id: str
    decision: HandoffDecision
    started_at: datetime
    reason: str
    """"initial", "ack timeout after 60s: escalated to ...", or "overdue: nobody acknowledged"."""
    final: bool = False
    """No further target: the dashboard keeps alerting until a human acknowledges."""


@dataclass(frozen=True)
class Acknowledgment:
    call_id: str
    by: str
    at: datetime
    waited_s: float
    """Seconds from the first step to this acknowledgment."""
    step: int


@dataclass
class _Open:
    first: EscalationStep
    current: EscalationStep
    timeout: timedelta
    overdue: bool = False


class AckTracker:
    """Tracks open handoffs per call. Thread-safe; every method takes the current time."""

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def start(self, call_id: str, decision: HandoffDecision,
              now: datetime) -> EscalationStep | None:
        """Open (or upgrade) tracking for a decision that needs acknowledgment."""
        if decision.ack_deadline is None:
            return None
        with self._lock:
            existing = self._open.get(call_id)
            if existing and existing.current.decision.action.severity >= decision.action.severity:
                return None
            step = EscalationStep(call_id=call_id, decision=decision, started_at=now,
                                  reason="initial" if existing is None else "upgraded")
            timeout = max(decision.ack_deadline - now, timedelta(0))
            self._open[call_id] = _Open(first=existing.first if existing else step,
                                        current=step, timeout=timeout)
            return step

    def restore(self, call_id: str, decision: HandoffDecision, step: int) -> EscalationStep:
        """Tracking of a handoff decided by a process that died: the original deadline holds
        (passed: it escalates at the next `due`), and steps already taken are not repeated."""
        assert decision.ack_deadline is not None
        start = decision.decided_at
        with self._lock:
            first = EscalationStep(call_id=call_id, decision=decision, started_at=start,
                                   reason="restored")
            self._open[call_id] = _Open(first=first, current=first,
                                        timeout=max(decision.ack_deadline - start, timedelta(0)))
        # Walk the ladder to where it was (deadline by deadline), without acting on it.
        while self.pending(call_id) is not None:
            current = self._open[call_id]
            if current.current.decision.step >= step or current.overdue:
                break
            deadline = current.current.decision.ack_deadline
            if deadline is None:
                break
            self._due_one(call_id, deadline)
        pending = self.pending(call_id)
        assert pending is not None
        return pending

    def advance_now(self, call_id: str, now: datetime, reason: str) -> list[EscalationStep]:
        """The current target cannot answer (busy, no answer): take the next step now."""
        with self._lock:
            entry = self._open.get(call_id)
            if entry is None or entry.overdue:
                return []
            deadline = entry.current.decision.ack_deadline
        if deadline is None:
            return []
        self._due_one(call_id, max(now, deadline))
        pending = self.pending(call_id)
        if pending is None:
            return []
        step = replace(pending, reason=f"{reason}: {pending.reason}", started_at=now)
        with self._lock:
            self._open[call_id].current = step
        return [step]

    def _due_one(self, call_id: str, now: datetime) -> None:
        with self._lock:
            entry = self._open.pop(call_id)
        other = AckTracker()
        other._open[call_id] = entry
        other.due(now)
        with self._lock:
            self._open[call_id] = other._open[call_id]

    def acknowledge(self, call_id: str, by: str, now: datetime) -> Acknowledgment | None:
        """Close tracking; None when the call had no open handoff."""
        with self._lock:
            entry = self._open.pop(call_id, None)
        if entry is None:
            return None
        return Acknowledgment(call_id=call_id, by=by, at=now,
                              waited_s=(now - entry.first.started_at).total_seconds(),
                              step=entry.current.decision.step)

    def pending(self, call_id: str) -> EscalationStep | None:
        with self._lock:
            entry = self._open.get(call_id)
            return entry.current if entry else None

    def next_deadline(self) -> datetime | None:
        with self._lock:
            deadlines = [e.current.decision.ack_deadline for e in self._open.values()
                         if not e.overdue and e.current.decision.ack_deadline is not None]
        return min(deadlines) if deadlines else None

    def due(self, now: datetime) -> list[EscalationStep]:
        """Advance every handoff whose deadline has passed; returns the new steps."""
        steps: list[EscalationStep] = []
        with self._lock:
            for call_id, entry in self._open.items():
                decision = entry.current.decision
                if entry.overdue or decision.ack_deadline is None or now < decision.ack_deadline:
                    continue
                waited = (now - entry.current.started_at).total_seconds()
                if decision.backups:
                    target, rest = decision.backups[0], decision.backups[1:]
                    emergency = target.kind is TargetKind.EMERGENCY_SERVICES
                    new = replace(
                        decision,
                        action=(HandoffAction.ADVISE_EMERGENCY_SERVICES if emergency
                                else HandoffAction.TRANSFER_PHYSICIAN
                                if target.kind is TargetKind.PHYSICIAN else decision.action),
                        target=target, backups=rest, step=decision.step + 1,
                        advise_emergency_services=decision.advise_emergency_services or emergency,
                        reasons=(*decision.reasons,
                                 f"not acknowledged after {waited:.0f}s: {target.name}"),
                        # Emergency services are the last resort: keep alerting the dashboard
                        # until someone acknowledges, but there is nobody further to call.
                        ack_deadline=None if emergency else now + entry.timeout,
                    )
                    step = EscalationStep(call_id=call_id, decision=new, started_at=now,
                                          reason=f"ack timeout after {waited:.0f}s",
                                          final=emergency or not rest)
                    entry.current = step
                    entry.overdue = new.ack_deadline is None
                else:
                    step = EscalationStep(
                        call_id=call_id, decision=replace(decision, step=decision.step + 1),
                        started_at=now, reason=f"overdue: nobody acknowledged after {waited:.0f}s",
                        final=True)
                    entry.current = step
                    entry.overdue = True
                steps.append(step)
        return steps
