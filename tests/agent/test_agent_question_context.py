"""The agent tells the classifier stream what it just asked, so the caller's next yes/no is
read with it (`StreamingClassifier.asked`); never its own red-flag question, whose answer the
dialogue decides itself (a "yes" is the emergency it confirms)."""

from __future__ import annotations

import asyncio
from typing import Any

from classifier import Classifier, StreamingClassifier
from pipeline.agent.dialogue import State
from pipeline.events import AgentSaid
from tests.agent.fakes import Caller, KeywordTriage, run_call


def _routine(caller: Caller, t: float) -> Caller:
    return (caller.say(t, t + 1.0, "Je m'appelle Marie Dupont.")
            .say(t + 4.0, t + 5.0, "Le 3 mars 1980.")
            .say(t + 8.0, t + 9.5, "06 12 34 56 78")
            .say(t + 13.0, t + 13.5, "Oui."))


def _said(session: Any) -> list[AgentSaid]:
    return [e for e in session.timeline.events if isinstance(e, AgentSaid)]


def test_every_line_the_agent_says_is_given_to_the_stream_but_its_red_flag_question() -> None:
    caller = _routine(Caller().say(8.0, 10.0, "je voudrais un rendez-vous je suis essouffle")
                      .say(14.0, 14.5, "Non."), 18.0)
    triage = KeywordTriage()
    session = asyncio.run(run_call(caller, triage=triage, duration_s=40.0))
    said = _said(session)
    assert "confirm_flag" in [e.kind for e in said]
    stream = triage.streams[0]
    assert stream.questions == [None if e.kind == "confirm_flag" else e.text for e in said]
    assert any(q is not None and q.endswith("?") for q in stream.questions)


def test_a_routine_call_s_yes_to_the_agent_s_questions_raises_nothing(rules: Classifier) -> None:
    # The real stream: "Oui." to the read-back, "oui" to the callback number.
    rules.extract_form("Je m'appelle Marie Dupont.")  # the form's French model, loaded now
    caller = _routine(Caller().say(8.0, 10.0, "Bonjour, je voudrais renouveler mon ordonnance "
                                              "de ventoline."), 14.0)
    streams: list[StreamingClassifier] = []

    class Recording:
        def stream(self, language: str | None = None) -> StreamingClassifier:
            streams.append(rules.stream(language))
            return streams[-1]

    session = asyncio.run(run_call(caller, triage=Recording(),  # type: ignore[arg-type]
                                   duration_s=40.0))
    assert streams and streams[0].answers_read >= 1  # the caller's "Oui." was read with it
    assert session.handoff is None
    assert session.dialogue.state is State.CLOSED and session.dialogue.collected.confirmed
    assert session.last_classification is not None
    assert session.last_classification.urgency.value == "routine"
