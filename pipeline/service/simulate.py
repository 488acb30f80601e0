"""A call without audio: each turn goes through the classifier, the form extractor and the
escalation exactly as a live call's finals do (`permanence simulate`, POST /api/calls/simulate)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from classifier.types import Classification, TriageForm
from handoff import HandoffDecision
from pipeline.calls import CallEvent, CallHub, EventType, Utterance
from pipeline.service.services import Services

TURN_SECONDS = 5.0
"""Call-clock spacing between simulated turns."""


@dataclass(frozen=True)
class SimulationResult:
    call_id: str
    classification: Classification
    form: TriageForm
    decision: HandoffDecision | None
    """The most severe decision of the call."""
    handoff: bool


async def simulate_call(services: Services, language: str, turns: Sequence[str], *,
                        caller_number: str | None = None, end: bool = True) -> SimulationResult:
    if not turns:
        raise ValueError("turns: expected at least one caller utterance")
    hub: CallHub = services.hub
    classifier = await asyncio.to_thread(services.classifier)
    stream = classifier.stream(language)
    call_id = await hub.start_call(channel="simulated", language=language,
                                   caller_number=caller_number)
    classification: Classification | None = None
    form: TriageForm | None = None
    decision: HandoffDecision | None = None
    t = 0.0
    for text in turns:
        await hub.record_event(call_id, CallEvent(t, EventType.SPEECH_START))
        await hub.record_event(call_id, CallEvent(t + TURN_SECONDS - 1,
                                                  EventType.TRANSCRIPT_FINAL, Utterance(text)))
        t_final = t + TURN_SECONDS - 1
        classification = await asyncio.to_thread(stream.update, text, t=t_final, final=True)
        form = await asyncio.to_thread(stream.form)
        new = await hub.record_classification(call_id, classification, form, t_final)
        decision = new or decision
        t += TURN_SECONDS
    assert classification is not None and form is not None
    if end:
        await hub.end_call(call_id, t)
    state_decision = hub.current_decision(call_id)
    return SimulationResult(call_id=call_id, classification=classification, form=form,
                            decision=state_decision,
                            handoff=bool(state_decision and state_decision.is_handoff))
