"""A call without audio: each turn goes through the classifier, the form extractor and the
escalation exactly as a live call's finals do (`permanence simulate`, POST /api/calls/simulate)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from classifier.types import Classification, TriageForm
from handoff import HandoffDecision
from pipeline.calls import CallHub
from pipeline.events import Fault, SpeechStarted, TranscriptFinal
from pipeline.service.services import Services

log = logging.getLogger(__name__)

TURN_SECONDS = 5.0
"""Call-clock spacing between simulated turns."""


@dataclass(frozen=True)
class SimulationResult:
    call_id: str
    classification: Classification | None
    """None when the classifier failed (the call then went to a human)."""
    form: TriageForm | None
    decision: HandoffDecision | None
    """The most severe decision of the call."""
    handoff: bool


async def simulate_call(services: Services, language: str, turns: Sequence[str], *,
                        caller_number: str | None = None, end: bool = True,
                        practice_id: str | None = None) -> SimulationResult:
    if not turns:
        raise ValueError("turns: expected at least one caller utterance")
    hub: CallHub = services.hub
    call_id = await hub.start_call(channel="simulated", language=language,
                                   caller_number=caller_number, practice_id=practice_id)
    classification: Classification | None = None
    form: TriageForm | None = None
    t = 0.0
    try:
        # The call's practice's protocol (issue 10), over the process's one encoder.
        classifier = await asyncio.to_thread(services.classifier_for,
                                             hub.practice_id_of(call_id)[1])
        stream = classifier.stream(language)
    except Exception as exc:  # noqa: BLE001 - fail-safe: the call goes to a human
        stream = None
        failure: Exception | None = exc
    else:
        failure = None
    for number, text in enumerate(turns, start=1):
        await hub.record_event(call_id, SpeechStarted(t, utterance_id=number))
        t_final = t + TURN_SECONDS - 1
        await hub.record_event(call_id, TranscriptFinal(t_final, utterance_id=number, text=text,
                                                        audio_t=t_final))
        if stream is not None and failure is None:
            try:
                classification = await asyncio.to_thread(stream.update, text, t=t_final,
                                                         final=True)
                form = await asyncio.to_thread(stream.form)
            except Exception as exc:  # noqa: BLE001 - same fail-safe as a live call
                failure = exc
            else:
                await hub.record_classification(call_id, classification, form, t_final)
        t += TURN_SECONDS
    if failure is not None:
        log.error("classifier failed on a simulated call: %s", type(failure).__name__)
        await hub.record_event(call_id, Fault(t, component="classifier",
                                              detail=type(failure).__name__))
        await hub.hand_to_human(call_id, "classifier failed", t)
    if end:
        await hub.end_call(call_id, t)
    decision = hub.current_decision(call_id)
    return SimulationResult(call_id=call_id, classification=classification, form=form,
                            decision=decision, handoff=bool(decision and decision.is_handoff))
