"""No caller words, names, dates of birth or numbers reach any log through a whole phone call
(real websocket client streaming Twilio-protocol audio to the real app, real engines), the agent
reading the caller's details back included: stderr captured for the whole call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.agent.test_agent_twilio import _announce, _mulaw, _twilio_call

pytestmark = pytest.mark.slow

CALLER_FR = ("Bonjour, je voudrais prendre un rendez-vous. Je m'appelle Hortense Vidal, "
             "je suis née le douze mars mille neuf cent cinquante-six, et mon numéro est le "
             "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit.")


def test_a_whole_call_with_a_read_back_logs_nothing_personal(
        agent_app: Any, fake_twilio: Any, speech: Any, capfd: Any) -> None:
    from pipeline.events import AgentSaid, TranscriptFinal

    runtime = agent_app.state.agent_runtime
    # What is under test is the logs, not the 2 s stall budget: a loaded machine must not turn
    # this call into a fail-safe handoff before the caller's details were heard and read back.
    runtime.settings = runtime.settings.model_copy(update={"agent_stall_timeout_s": 30.0})
    url = agent_app.state.base_url.replace("http", "ws") + "/ws/twilio"
    audio = _mulaw(speech(CALLER_FR, "fr", phone=True))
    sid = "CA" + "5e" * 16
    capfd.readouterr()  # start from an empty capture
    token = _announce(agent_app.state.base_url, sid, "+33612345678")

    def read_back(_: list[dict[str, Any]]) -> bool:
        # On the line until the agent has read some of the caller's details back (what makes
        # this test worth running), bounded by the helper's time on the line.
        calls = agent_app.state.agent_calls
        return bool(calls) and any(
            isinstance(e, AgentSaid) and any(s in e.text for s in ("Vidal", "1956", "34 56"))
            for e in calls[-1].timeline.events)

    asyncio.run(_twilio_call(url, audio, call_sid=sid, caller="+33612345678",
                             done=read_back, token=token))
    err = capfd.readouterr().err
    session = agent_app.state.agent_calls[-1]
    events = session.timeline.events
    heard = [e.text for e in events if isinstance(e, TranscriptFinal) and e.text.strip()]
    said = [e.text for e in events if isinstance(e, AgentSaid)]
    assert heard, "the recognizer heard nothing: the test would prove nothing"
    for text in heard + said:
        assert text not in err, text
    for secret in ("Hortense", "Vidal", "1956", "12 34 56 78", "+33612345678", "33612345678"):
        assert secret not in err, secret
