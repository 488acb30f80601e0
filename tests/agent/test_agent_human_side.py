"""The agent hears the hub's notices about the human side (scripted engines, the real hub):
take-over ("being put through", then silence), acknowledgment ("the doctor has the call"),
the last rung with nobody acknowledging ("hang up and dial 15/112", stored as an agent_say)."""

from __future__ import annotations

import asyncio

from pipeline.agent.dialogue import State
from pipeline.agent.session import CallSession
from pipeline.events import AgentSaid, HumanJoined
from tests.agent.fakes import WEEKDAY, WEEKNIGHT, Caller, make_hub, run_call


def _said(session: CallSession) -> list[AgentSaid]:
    return [e for e in session.timeline.events if isinstance(e, AgentSaid)]


def test_take_over_tells_the_caller_they_are_put_through_then_the_agent_is_silent() -> None:
    hub = make_hub(WEEKDAY)
    caller = (Caller().say(8.0, 10.0, "je veux parler à quelqu'un")
              .say(15.0, 18.0, "il a mal dans la poitrine"))

    async def take_over(session: CallSession, t: float) -> None:
        if abs(t - 12.0) < 0.01:
            await hub.acknowledge(session.call_id, "secretary", take_over=True)
            await asyncio.sleep(0.01)

    session = asyncio.run(run_call(caller, hub=hub, during=take_over))
    joined = [e for e in session.timeline.events if isinstance(e, HumanJoined)]
    assert joined and session.dialogue.state is State.WITH_HUMAN
    said = _said(session)
    assert said[-1].kind == "put_through" and said[-1].t >= joined[0].t
    assert "Restez en ligne" in said[-1].text


def test_acknowledgment_tells_the_caller_the_doctor_has_the_call() -> None:
    hub = make_hub(WEEKNIGHT)
    caller = (Caller().say(8.0, 11.0, "mon mari a une douleur dans la poitrine")
              .say(20.0, 21.0, "d'accord"))

    async def ack(session: CallSession, t: float) -> None:
        if abs(t - 14.0) < 0.01 and session.handoff is not None:
            await hub.acknowledge(session.call_id, "dr-nguyen")
            await asyncio.sleep(0.01)

    session = asyncio.run(run_call(caller, hub=hub, during=ack))
    kinds = [e.kind for e in _said(session)]
    assert "doctor_has_call" in kinds
    assert kinds.index("doctor_has_call") > kinds.index(next(k for k in kinds
                                                             if k.startswith("emergency")))


def test_last_rung_without_acknowledgment_tells_the_caller_to_dial_15() -> None:
    hub = make_hub(WEEKNIGHT)
    caller = Caller().say(8.0, 11.0, "mon mari a une douleur dans la poitrine")

    async def nobody_answers(session: CallSession, t: float) -> None:
        # Each target busy in turn (Twilio status callbacks): the ladder runs out.
        if session.handoff is not None and t in (13.0, 14.0, 15.0, 16.0):
            await hub.escalate_now(session.call_id, "busy")
            await asyncio.sleep(0.01)

    session = asyncio.run(run_call(caller, hub=hub, during=nobody_answers, duration_s=20.0))
    last = [e for e in _said(session) if e.kind == "last_rung"]
    assert len(last) == 1 and "15" in last[0].text and "Raccrochez" in last[0].text
    assert session.decision is not None
    assert session.decision.action.value == "advise_emergency_services"
