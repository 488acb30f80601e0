"""The handoff policy: Classification + TriageForm + practice + time -> HandoffDecision. Pure.

When in doubt the policy escalates to a human: under-triage hurts patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from classifier.labels import RedFlag, Urgency
from classifier.types import Classification, TriageForm
from handoff.practice import Contact, PracticeConfig


class HandoffAction(StrEnum):
    TRANSFER_PHYSICIAN = "transfer_physician"
    TRANSFER_SECRETARY = "transfer_secretary"
    TRANSFER_NURSE = "transfer_nurse"
    """After hours, urgent clinical call, when the practice has a nurse-advice line."""
    ADVISE_EMERGENCY_SERVICES = "advise_emergency_services"
    PRIORITY_QUEUE = "priority_queue"
    NORMAL = "normal"
    MESSAGE_OR_CALLBACK = "message_or_callback"

    @property
    def severity(self) -> int:
        """Order used to keep the most severe decision of a call (never downgrade)."""
        return _SEVERITY[self]

    @property
    def is_handoff(self) -> bool:
        """The call leaves the agent for a human (or the caller is told to call 15/112)."""
        return self in _HANDOFFS


_SEVERITY = {
    HandoffAction.NORMAL: 0, HandoffAction.MESSAGE_OR_CALLBACK: 1, HandoffAction.PRIORITY_QUEUE: 2,
    HandoffAction.TRANSFER_SECRETARY: 3, HandoffAction.TRANSFER_NURSE: 4,
    HandoffAction.TRANSFER_PHYSICIAN: 5, HandoffAction.ADVISE_EMERGENCY_SERVICES: 6,
}
_HANDOFFS = frozenset({
    HandoffAction.TRANSFER_PHYSICIAN, HandoffAction.TRANSFER_SECRETARY,
    HandoffAction.TRANSFER_NURSE, HandoffAction.ADVISE_EMERGENCY_SERVICES,
})


class TargetKind(StrEnum):
    PHYSICIAN = "physician"
    SECRETARY_QUEUE = "secretary_queue"
    NURSE_LINE = "nurse_line"
    EMERGENCY_SERVICES = "emergency_services"
    AGENT = "agent"
    MESSAGES = "messages"


@dataclass(frozen=True)
class HandoffTarget:
    kind: TargetKind
    name: str
    phone: str | None = None
    id: str | None = None

    @classmethod
    def of(cls, kind: TargetKind, contact: Contact) -> HandoffTarget:
        return cls(kind=kind, name=contact.name, phone=contact.phone, id=contact.id)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "name": self.name, "phone": self.phone, "id": self.id}


@dataclass(frozen=True)
class HandoffDecision:
    action: HandoffAction
    target: HandoffTarget
    reasons: tuple[str, ...]
    decided_at: datetime
    ack_deadline: datetime | None
    """A human must acknowledge before this, or the call escalates (see `AckTracker`)."""
    advise_emergency_services: bool = False
    """Tell the caller to call 15 (SAMU) / 112 now, even while transferring."""
    urgency: Urgency = Urgency.ROUTINE
    red_flags: tuple[RedFlag, ...] = ()
    visible_to_secretary: bool = True
    after_hours: bool = False
    backups: tuple[HandoffTarget, ...] = ()
    """Next targets, in order, when the current one does not acknowledge in time."""
    step: int = 0
    """0 for the policy's decision; n for the n-th escalation after a missed deadline."""

    @property
    def is_handoff(self) -> bool:
        return self.action.is_handoff

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "target": self.target.to_dict(),
            "reasons": list(self.reasons),
            "decided_at": self.decided_at.isoformat(),
            "ack_deadline": self.ack_deadline.isoformat() if self.ack_deadline else None,
            "advise_emergency_services": self.advise_emergency_services,
            "urgency": self.urgency.value,
            "red_flags": [r.value for r in self.red_flags],
            "visible_to_secretary": self.visible_to_secretary,
            "after_hours": self.after_hours,
            "backups": [b.to_dict() for b in self.backups],
            "step": self.step,
        }


def _urgency_max(a: Urgency, b: Urgency) -> Urgency:
    return a if a.rank >= b.rank else b


def emergency_target(practice: PracticeConfig) -> HandoffTarget:
    return HandoffTarget(kind=TargetKind.EMERGENCY_SERVICES,
                         name=f"SAMU {practice.emergency_number} / 112",
                         phone=practice.emergency_number, id="emergency-services")


def _secretary(practice: PracticeConfig) -> HandoffTarget:
    return HandoffTarget.of(TargetKind.SECRETARY_QUEUE, practice.tele_secretary)


def _to_nurse_line(practice: PracticeConfig, nurse_line: Contact, reasons: list[str],
                   now: datetime, urgency: Urgency) -> HandoffDecision:
    """After hours, same-day care goes to the nurse-advice line, acknowledged as urgent."""
    return HandoffDecision(
        action=HandoffAction.TRANSFER_NURSE,
        target=HandoffTarget.of(TargetKind.NURSE_LINE, nurse_line),
        reasons=tuple(reasons), decided_at=now,
        ack_deadline=now + practice.ack_timeout(Urgency.URGENT), urgency=urgency,
        after_hours=True,
    )


def _form_flags(form: TriageForm | None) -> tuple[RedFlag, ...]:
    if form is None:
        return ()
    return tuple(f.value for f in form.red_flags)


def decide(
    classification: Classification,
    form: TriageForm | None,
    practice: PracticeConfig,
    now: datetime,
) -> HandoffDecision:
    """The handoff for a call given what was understood so far. Pure and deterministic."""
    open_now = practice.is_open(now)
    flags = tuple(dict.fromkeys(
        [h.category for h in classification.red_flags if h.confirmed] + list(_form_flags(form))
    ))
    urgency = classification.urgency
    if flags and urgency is not Urgency.EMERGENCY:
        # A confirmed red flag is an emergency whatever the heads said.
        urgency = Urgency.EMERGENCY
    reasons: list[str] = []
    after_hours = not open_now

    if urgency is Urgency.EMERGENCY:
        # Reasons name categories and rules, never the caller's words: they travel to
        # channels (webhook, telephony) and logs; the evidence spans stay in the store.
        for hit in classification.red_flags:
            if hit.confirmed:
                reasons.append(f"red flag {hit.category.value} [{hit.source}]")
        if not flags:
            reasons.append(
                f"emergency predicted (score {classification.emergency_score:.2f}) without a "
                "named red flag")
        advise = any(f in practice.advise_emergency_categories for f in flags)
        if advise:
            reasons.append(f"severe category: advise the caller to call "
                           f"{practice.emergency_number} / 112")
        on_call = practice.on_call_at(now)
        deadline = now + practice.ack_timeout(Urgency.EMERGENCY)
        if on_call is None:
            reasons.append("no physician on call: emergency services")
            return HandoffDecision(
                action=HandoffAction.ADVISE_EMERGENCY_SERVICES, target=emergency_target(practice),
                reasons=tuple(reasons), decided_at=now, ack_deadline=deadline,
                advise_emergency_services=True, urgency=urgency, red_flags=flags,
                after_hours=after_hours,
            )
        reasons.append(f"on-call physician {on_call.physician.name}"
                       + (f" ({on_call.shift_label})" if on_call.shift_label else ""))
        return HandoffDecision(
            action=HandoffAction.TRANSFER_PHYSICIAN,
            target=HandoffTarget.of(TargetKind.PHYSICIAN, on_call.physician),
            reasons=tuple(reasons), decided_at=now, ack_deadline=deadline,
            advise_emergency_services=advise, urgency=urgency, red_flags=flags,
            visible_to_secretary=True, after_hours=after_hours,
            backups=(*(HandoffTarget.of(TargetKind.PHYSICIAN, b) for b in on_call.backups),
                     emergency_target(practice)),
        )

    doubt = classification.needs_review or bool(classification.suspected)
    if classification.suspected:
        reasons.append("suspected red flag: " + ", ".join(
            sorted({h.category.value for h in classification.suspected})))
    if classification.needs_review:
        reasons.append("classifier unsure: " + (", ".join(classification.review_reasons)
                                                or "needs review"))

    if not open_now and classification.suspected and practice.nurse_line is None:
        # A suspected red flag the caller has not ruled out must not wait for a call-back
        # message overnight: the on-call physician decides (under-triage hurts patients).
        on_call = practice.on_call_at(now)
        if on_call is not None:
            reasons.append("after hours, suspected red flag: on-call physician")
            return HandoffDecision(
                action=HandoffAction.TRANSFER_PHYSICIAN,
                target=HandoffTarget.of(TargetKind.PHYSICIAN, on_call.physician),
                reasons=tuple(reasons), decided_at=now,
                ack_deadline=now + practice.ack_timeout(Urgency.URGENT),
                urgency=_urgency_max(urgency, Urgency.URGENT), after_hours=True,
                backups=tuple(HandoffTarget.of(TargetKind.PHYSICIAN, b)
                              for b in on_call.backups),
            )

    if urgency is Urgency.URGENT:
        reasons.append("urgent: needs a clinician the same day")
        if open_now:
            return HandoffDecision(
                action=HandoffAction.PRIORITY_QUEUE, target=_secretary(practice),
                reasons=tuple(reasons), decided_at=now,
                ack_deadline=now + practice.ack_timeout(Urgency.URGENT), urgency=urgency,
            )
        if practice.nurse_line is not None:
            reasons.append("after hours: nurse-advice line")
            return _to_nurse_line(practice, practice.nurse_line, reasons, now, urgency)
        reasons.append("after hours: physician call-back message")
        return HandoffDecision(
            action=HandoffAction.MESSAGE_OR_CALLBACK,
            target=HandoffTarget(kind=TargetKind.MESSAGES, name="priority call-back"),
            reasons=tuple(reasons), decided_at=now, ack_deadline=None, urgency=urgency,
            after_hours=True,
        )

    # Routine.
    if not open_now and classification.suspected and practice.nurse_line is not None:
        reasons.append("after hours, suspected red flag: nurse-advice line")
        return _to_nurse_line(practice, practice.nurse_line, reasons, now, urgency)
    if not open_now:
        reasons.append("after hours: message or call-back")
        return HandoffDecision(
            action=HandoffAction.MESSAGE_OR_CALLBACK,
            target=HandoffTarget(kind=TargetKind.MESSAGES, name="messages"),
            reasons=tuple(reasons), decided_at=now, ack_deadline=None, urgency=urgency,
            after_hours=True,
        )
    if doubt:
        reasons.append("in doubt: a tele-secretary takes the call")
        return HandoffDecision(
            action=HandoffAction.TRANSFER_SECRETARY, target=_secretary(practice),
            reasons=tuple(reasons), decided_at=now,
            ack_deadline=now + practice.ack_timeout(Urgency.URGENT), urgency=urgency,
        )
    reasons.append(f"routine {classification.intent.value}: handled by the agent")
    return HandoffDecision(
        action=HandoffAction.NORMAL,
        target=HandoffTarget(kind=TargetKind.AGENT, name="voice agent"),
        reasons=tuple(reasons), decided_at=now, ack_deadline=None, urgency=urgency,
    )


def human_fallback(practice: PracticeConfig, now: datetime, reason: str,
                   urgency: Urgency = Urgency.URGENT) -> HandoffDecision:
    """Fail-safe: a stage failed or the caller asked for a human -> tele-secretary queue.

    After hours (no secretary), clinical escalation goes to the on-call physician instead, so a
    failing agent never leaves a caller alone.
    """
    reasons = (f"fail-safe: {reason}",)
    if practice.is_open(now):
        return HandoffDecision(
            action=HandoffAction.TRANSFER_SECRETARY, target=_secretary(practice), reasons=reasons,
            decided_at=now, ack_deadline=now + practice.ack_timeout(Urgency.EMERGENCY),
            urgency=urgency,
        )
    on_call = practice.on_call_at(now)
    if on_call is not None:
        return HandoffDecision(
            action=HandoffAction.TRANSFER_PHYSICIAN,
            target=HandoffTarget.of(TargetKind.PHYSICIAN, on_call.physician),
            reasons=(*reasons, "after hours: on-call physician"), decided_at=now,
            ack_deadline=now + practice.ack_timeout(Urgency.EMERGENCY), urgency=urgency,
            after_hours=True,
            backups=tuple(HandoffTarget.of(TargetKind.PHYSICIAN, b) for b in on_call.backups),
        )
    return HandoffDecision(
        action=HandoffAction.ADVISE_EMERGENCY_SERVICES, target=emergency_target(practice),
        reasons=(*reasons, "after hours, nobody on call"), decided_at=now, ack_deadline=None,
        advise_emergency_services=True, urgency=urgency, after_hours=True,
    )
