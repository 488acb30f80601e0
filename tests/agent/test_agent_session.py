"""The call session's own logic with scripted fakes on a timeline (milliseconds per call): turn
waits, barge-in, shedding, the decisive utterance, faults, waiting for a human, determinism."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from classifier.labels import Urgency
from pipeline.agent.dialogue import State
from pipeline.agent.session import CallSession, SessionOptions
from pipeline.agent.wording import say
from pipeline.calls import NoticeKind
from pipeline.events import (
    AgentSaid,
    BargedIn,
    Fault,
    HandedOff,
    HumanJoined,
    TurnEnded,
    TurnWaiting,
    event_from_json,
    event_to_json,
)
from tests.agent.fakes import (
    WEEKDAY,
    Caller,
    FixedTurn,
    KeywordStream,
    KeywordTriage,
    ScriptedRecognizer,
    SilentVoice,
    make_hub,
    run_call,
)


def _run(caller: Caller, **kw: Any) -> CallSession:
    return asyncio.run(run_call(caller, **kw))


def _said(session: CallSession) -> list[AgentSaid]:
    return [e for e in session.timeline.events if isinstance(e, AgentSaid)]


def _kinds(session: CallSession) -> list[str]:
    return [e.kind for e in _said(session)]


def _of(session: CallSession, cls: type) -> list[Any]:
    return [e for e in session.timeline.events if isinstance(e, cls)]


def _routine(caller: Caller, t: float = 12.0) -> Caller:
    """The caller answers the form questions after their reason (each ~3 s apart)."""
    return (caller.say(t, t + 1.0, "Je m'appelle Marie Dupont.")
            .say(t + 4.0, t + 5.0, "Le 3 mars 1980.")
            .say(t + 8.0, t + 9.5, "06 12 34 56 78")
            .say(t + 13.0, t + 13.5, "Oui."))


def test_a_pause_inside_a_sentence_does_not_end_the_turn() -> None:
    caller = Caller().say(8.0, 9.0, "Je voudrais prendre.").say(
        9.8, 11.5, "rendez-vous pour un renouvellement d'ordonnance.")
    session = _run(_routine(caller, 15.0))
    waits = _of(session, TurnWaiting)
    assert waits and waits[0].utterance_id == 1 and waits[0].reason == "incomplete_answer"
    ends = _of(session, TurnEnded)
    assert ends[0].utterance_id == 2  # one turn: both finals
    asked_name = next(e for e in _said(session) if e.kind == "ask_name")
    assert asked_name.t > 11.5
    form = session.dialogue.collected
    assert (form.name, form.date_of_birth, form.callback_number) == (
        "Marie Dupont", "1980-03-03", "+33612345678")
    assert form.confirmed and session.dialogue.state is State.CLOSED
    assert session.handoff is None


def test_a_short_pause_joins_even_a_sentence_that_sounds_finished() -> None:
    # The recognizer wrote "Je vous t'ai pas dit." for "Je voudrais prendre": not dangling, and
    # Smart Turn hears it finished; the caller goes on 0.45 s later.
    caller = Caller().say(8.0, 9.0, "Je vous t'ai pas dit.").say(
        9.45, 11.5, "rendez-vous pour un renouvellement d'ordonnance.")
    session = _run(caller, turn=FixedTurn(0.9))
    ends = _of(session, TurnEnded)
    assert ends[0].utterance_id == 2 and ends[0].reason == "complete"


def test_a_pause_cut_answer_is_not_taken_for_the_name() -> None:
    # "s'il vous plaît" cut off by a pause, heard as "Silvo plaie": re-asked with an example,
    # then the name; the date of birth question gets the date.
    caller = (Caller().say(8.0, 10.0, "Je voudrais un renouvellement d'ordonnance.")
              .say(13.0, 13.8, "Silvo plaie.")
              .say(20.0, 21.0, "Jean Martin.")
              .say(25.0, 26.0, "Le 3 mars 1980."))
    session = _run(caller)
    kinds = _kinds(session)
    assert kinds.count("ask_name") == 2
    assert "par exemple" in next(e.text for e in _said(session)[::-1] if e.kind == "ask_name")
    form = session.dialogue.collected
    assert form.name == "Jean Martin" and form.date_of_birth == "1980-03-03"
    assert session.handoff is None


def test_an_utterance_the_recognizer_drops_does_not_hang_the_turn() -> None:
    # "Le trois mars." then "1980" after a pause, which the recognizer dropped (no final).
    caller = (Caller().say(8.0, 10.0, "Je voudrais un rendez-vous.")
              .say(13.0, 14.0, "Je m'appelle Marie Dupont.")
              .say(17.0, 17.8, "Le trois mars.")
              .say(18.3, 19.0, "", partials=()))
    recognizer = ScriptedRecognizer(caller)
    # No final for the last utterance: drop it from the script.
    events = [e for e in caller.events() if not (
        getattr(e[1], "is_final", False) and getattr(e[1], "utterance_id", 0) == 4)]
    recognizer.caller = Caller()
    session = _run(caller, recognizer=_Fixed(events), duration_s=30.0)
    kinds = _kinds(session)
    assert kinds.count("ask_dob") == 2  # the turn ended, the date was asked again
    assert "par exemple" in [e.text for e in _said(session) if e.kind == "ask_dob"][-1]


def _late_final(caller: Caller, utterance_id: int, at: float) -> list[Any]:
    """The caller's script with one utterance's final emitted late (at ``at``, audio clock),
    and the finals after it no earlier (a transcriber emits finals in order): what a busy
    machine does."""
    out = []
    for t, event in caller.events():
        if getattr(event, "is_final", False) and event.utterance_id >= utterance_id:
            t = max(t, at)
        out.append((t, event))
    return sorted(out, key=lambda x: x[0])


def _outcome(session: CallSession) -> tuple[object, ...]:
    form = session.dialogue.collected
    return ([e.utterance_id for e in _of(session, TurnEnded)], _kinds(session), form.name,
            form.date_of_birth, form.callback_number, form.confirmed, session.handoff)


@pytest.mark.parametrize("second_start", [
    13.0,  # the next turn: the caller answers the name question
    10.3,  # the same turn: the caller resumes after 0.3 s
])
def test_a_late_final_gives_the_turns_an_on_time_final_gives(second_start: float) -> None:
    # The first final comes while (or after) the caller says the next thing: a slow machine
    # must neither glue the next answer onto the reason nor split a resumed sentence.
    second = "Je m'appelle Marie Dupont." if second_start > 12 else \
        "pour un renouvellement d'ordonnance."
    caller = _routine(Caller().say(8.0, 10.0, "Je voudrais un rendez-vous.").say(
        second_start, second_start + 1.2, second), 17.0)
    on_time = _run(caller, turn=FixedTurn(0.9))
    for late_at in (second_start + 0.6, second_start + 1.8):
        late = _run(caller, recognizer=_Fixed(_late_final(caller, 1, late_at)),
                    turn=FixedTurn(0.9))
        assert _outcome(late) == _outcome(on_time), late_at
    assert on_time.dialogue.collected.name == "Marie Dupont"


def test_no_silence_reprompt_while_the_answer_s_final_is_still_owed() -> None:
    # The reason's final comes 9 s after the caller stopped (a busy machine): the agent
    # waits for it instead of saying "je ne vous entends pas" over the caller's words.
    caller = _routine(Caller().say(8.0, 10.0, "Je voudrais un rendez-vous."), 24.0)
    options = SessionOptions(practice_name="cabinet", realtime=False, stall_timeout_s=0.3,
                             recognizer_stall_timeout_s=6.0)
    session = _run(caller, recognizer=_Fixed(_late_final(caller, 1, 19.0)),
                   turn=FixedTurn(0.9), options=options)
    assert "reprompt" not in _kinds(session)[:3], _kinds(session)
    assert session.dialogue.collected.name == "Marie Dupont"


class _LatchingStream(KeywordStream):
    """Like the real stream: a suspicion raises "urgent", which stays latched after later
    updates stop listing the suspected flag (the model's own scores say routine)."""

    def update(self, text: str, *, t: float, final: bool) -> Any:
        c = super().update(text, t=t, final=final)
        if self.finals[:-1] or not final:
            c = replace(c, suspected=(), urgency=Urgency.URGENT if any(
                "essouffle" in f for f in self.finals) else c.urgency)
        return replace(c, urgency_scores={"emergency": 0.05, "urgent": 0.1, "routine": 0.85})


class _LatchingTriage(KeywordTriage):
    def stream(self, language: str | None = None) -> KeywordStream:
        s = _LatchingStream(self.doubt)
        self.streams.append(s)
        return s


def test_a_suspicion_the_caller_denied_does_not_keep_the_call_urgent() -> None:
    # "Non" to the suspected flag's question: the urgency it raised goes, though the
    # classifier still says "urgent" (latched); the routine form goes on, no handoff.
    caller = _routine(Caller().say(8.0, 10.0, "je voudrais un rendez-vous je suis essouffle")
                      .say(14.0, 14.5, "Non."), 18.0)
    session = _run(caller, triage=_LatchingTriage(), duration_s=40.0)
    assert "confirm_flag" in _kinds(session)
    assert session.handoff is None, session.handoff
    assert session.dialogue.state is State.CLOSED and session.dialogue.collected.confirmed


class _Fixed(ScriptedRecognizer):
    def __init__(self, events: list[Any]) -> None:
        self.events_ = events
        self.kw = {}
        self.streams = []

    def stream(self, language: str | None = None, t0: float = 0.0) -> Any:
        from tests.agent.fakes import ScriptedTranscriber

        return ScriptedTranscriber(list(self.events_))


def test_noise_that_gives_no_words_still_gets_a_reprompt() -> None:
    caller = Caller().say(9.0, 9.4, "")
    events = [e for e in caller.events() if not getattr(e[1], "is_final", False)]
    session = _run(caller, recognizer=_Fixed(events), duration_s=20.0)
    assert "reprompt" in _kinds(session)


def test_a_long_pause_after_a_finished_sentence_is_a_new_turn() -> None:
    caller = Caller().say(8.0, 10.0, "Je voudrais un rendez-vous.").say(
        14.0, 15.0, "Je m'appelle Marie Dupont.")
    session = _run(caller, turn=FixedTurn(0.2))  # Smart Turn unsure: wait max_wait_s
    ends = _of(session, TurnEnded)
    assert [e.utterance_id for e in ends][:2] == [1, 2]
    assert ends[0].reason == "silence"
    assert session.dialogue.collected.name == "Marie Dupont"


def test_fillers_and_noise_do_not_barge_in_but_words_do() -> None:
    greeting_s = len(say("greeting", "fr", practice="cabinet")) / 14
    question_s = len(say("ask_reason", "fr")) / 14
    g = greeting_s
    # Words during the greeting (its emergency notice is protected), then a "hmm" and line
    # noise (no words) over the reason question, then words over it: only those barge in.
    caller = (Caller().say(1.0, 2.5, "allô oui bonjour", partials=((2.0, "allô oui bonjour"),))
              .say(g + 0.2, g + 0.5, "hmm", partials=((g + 0.4, "hmm"),))
              .say(g + 0.8, g + 0.9, "")
              .say(g + 1.2, g + question_s + 2.0, "je voudrais un rendez-vous",
                   partials=((g + 1.5, "je voudrais"), (g + 1.8, "je voudrais un"))))
    session = _run(caller, duration_s=g + question_s + 6.0)
    barges = _of(session, BargedIn)
    assert len(barges) == 1 and g + 1.2 < barges[0].t < g + question_s
    assert _said(session)[0].kind == "greeting"


def test_a_red_flag_in_a_partial_of_the_second_utterance_is_decisive() -> None:
    caller = (Caller().say(8.0, 9.5, "Bonjour, c'est pour mon mari.")
              .say(11.0, 14.0, "il a mal dans la poitrine depuis une heure",
                   partials=((12.0, "il a mal"), (13.0, "il a mal dans la poitrine"))))
    session = _run(caller, stop_when_done=False)
    handoff = session.handoff
    assert handoff is not None and handoff.kind == "emergency"
    assert handoff.utterance_id == 2
    assert session.handoff_latency_s is not None and session.handoff_latency_s < 0
    assert session.decision is not None and session.decision.action.value == "transfer_physician"
    assert "emergency" in _kinds(session)


def test_a_red_flag_heard_puts_the_call_s_recognizer_stream_first() -> None:
    """Once a red flag is heard (or suspected), the call's partials go before other calls'
    work in the shared recognizer; a routine call's stream is left as it is."""
    urgent = ScriptedRecognizer(Caller().say(8.0, 9.5, "Bonjour, c'est pour mon mari.")
                                .say(11.0, 14.0, "il a mal dans la poitrine depuis une heure"))
    _run(urgent.caller, recognizer=urgent, stop_when_done=False)
    routine = ScriptedRecognizer(Caller().say(8.0, 10.0, "Je voudrais un rendez-vous."))
    _run(routine.caller, recognizer=routine)
    assert [s.prioritized for s in urgent.streams] == [True]
    assert [s.prioritized for s in routine.streams] == [False]


def test_the_same_recording_gives_the_same_outcome_whatever_the_partials() -> None:
    def caller(partials: bool) -> Caller:
        c = Caller()
        c.say(8.0, 10.5, "Je voudrais un rendez-vous pour un renouvellement.",
              partials=((9.0, "Je voudrais un"), (10.0, "Je voudrais un rendez-vous pour"))
              if partials else ())
        return _routine(c, 14.0)

    a = _run(caller(True))
    b = _run(caller(False))
    shed = ScriptedRecognizer(caller(True))
    c = asyncio.run(run_call(caller(True), recognizer=shed))
    for s in (a, b, c):
        assert s.dialogue.collected == a.dialogue.collected
        assert [(x[1], x[2], x[3]) for x in s.dialogue.history] == [
            (x[1], x[2], x[3]) for x in a.dialogue.history]
        assert [e.text for e in _said(s)] == [e.text for e in _said(a)]
    assert a.dialogue.collected.confirmed


def test_partials_are_shed_when_the_recognizer_falls_behind() -> None:
    caller = Caller().say(1.0, 6.0, "je voudrais un rendez-vous", partials=tuple(
        (1.0 + 0.2 * i, "je voudrais") for i in range(25)))
    rec = ScriptedRecognizer(caller, feed_delay_s=0.08)

    async def main() -> CallSession:
        hub = make_hub()
        session = CallSession(recognizer=rec, classifier=KeywordTriage(), synthesizer=SilentVoice(),
                              hub=hub, options=SessionOptions(realtime=False, stall_timeout_s=1.0),
                              turn_detector=FixedTurn())
        await session.start()
        import numpy as np

        from asr.types import AudioChunk

        for i in range(400):  # 8 s queued at once: the backlog grows past shed_after_s
            await session.feed(AudioChunk(np.zeros(320, np.float32), i * 0.02))
        await session.drain()
        await session.finish()
        await hub.close()
        return session

    session = asyncio.run(main())
    assert session.stats.shed >= 1
    assert session.stats.max_backlog_s > session.options.listen.shed_after_s
    assert session.fault is None  # shedding is not a fault


def test_a_model_only_emergency_on_a_short_final_asks_first() -> None:
    caller = (Caller().say(8.0, 10.5, "Je voudrais un renouvellement d'ordonnance.")
              .say(14.0, 15.0, "Whisse bien ça.")
              .say(22.0, 22.5, "Non."))
    session = _run(caller)
    said = [e.text for e in _said(session)]
    assert "Pensez-vous à mettre fin à vos jours ?" in said
    assert session.handoff is None
    assert "suicidal" in session.dialogue.denied_flags


def test_a_model_only_emergency_with_no_usable_answer_hands_off() -> None:
    caller = (Caller().say(8.0, 10.5, "Je voudrais un renouvellement d'ordonnance.")
              .say(14.0, 15.0, "Whisse bien ça."))
    session = _run(caller, duration_s=40.0)
    handoff = session.handoff
    assert handoff is not None and handoff.kind == "emergency"
    assert "not ruled out" in handoff.reason
    assert session.decision is not None and session.decision.action.value == "transfer_physician"


def test_waiting_for_a_human_the_agent_keeps_listening_and_a_red_flag_escalates() -> None:
    # Weekday: the practice is open; a caller in doubt goes to the tele-secretary queue.
    caller = (Caller().say(8.0, 11.0, "c'est sûrement rien, je ne veux pas déranger")
              .say(15.0, 18.0, "mon mari a une douleur dans la poitrine",
                   partials=((17.0, "mon mari a une douleur dans la poitrine"),)))
    session = _run(caller, hub=make_hub(WEEKDAY), triage=KeywordTriage(doubt=("rien",)))
    handoffs = session.timeline.handoffs
    assert [h.kind for h in handoffs] == ["policy", "emergency"]
    assert handoffs[0].action == "transfer_secretary"
    assert handoffs[1].utterance_id == 2 and handoffs[1].action == "transfer_physician"
    assert session.dialogue.state is State.EMERGENCY


def test_once_a_human_takes_the_call_the_agent_stops() -> None:
    hub = make_hub(WEEKDAY)
    caller = (Caller().say(8.0, 10.0, "je veux parler à quelqu'un")
              .say(15.0, 18.0, "il a mal dans la poitrine"))

    async def take_over(session: CallSession, t: float) -> None:
        if abs(t - 12.0) < 0.01:
            await hub.acknowledge(session.call_id, "secretary", take_over=True)
            await asyncio.sleep(0.01)

    session = asyncio.run(run_call(caller, hub=hub, during=take_over))
    assert _of(session, HumanJoined) and session.dialogue.state is State.WITH_HUMAN
    assert [h.kind for h in session.timeline.handoffs] == ["human"]  # nothing after
    assert not any(e.kind == "emergency" for e in _said(session))


def test_recognizer_fault_hands_the_call_to_a_human() -> None:
    caller = Caller().say(8.0, 10.0, "je voudrais un rendez-vous")
    for mode in ("raise", "stall"):
        session = _run(caller, recognizer=ScriptedRecognizer(caller, fault_at=9.0, fault=mode))
        faults = _of(session, Fault)
        assert [f.component for f in faults] == ["recognizer"]
        assert ("stalled" in faults[0].detail) == (mode == "stall")
        handoff = session.handoff
        assert handoff is not None and handoff.kind == "human"
        assert "recognizer fault" in handoff.reason
        assert _said(session)[-1].kind == "transfer_fault"
        assert session.done and session.report().decision.fault == "recognizer"


def test_a_fault_after_the_agent_closed_the_call_is_recorded_not_handed_off() -> None:
    caller = _routine(Caller().say(8.0, 10.0, "Je voudrais un rendez-vous."))
    session = _run(caller, recognizer=ScriptedRecognizer(caller, fault_at=32.0),
                   duration_s=34.0)
    assert session.dialogue.state is State.CLOSED
    assert [f.component for f in _of(session, Fault)] == ["recognizer"]
    assert session.handoff is None and _said(session)[-1].kind == "closing"


def test_classifier_fault_hands_the_call_to_a_human() -> None:
    session = _run(Caller().say(8.0, 10.0, "je voudrais un rendez-vous"),
                   triage=KeywordTriage(fault="raise"))
    assert [f.component for f in _of(session, Fault)] == ["classifier"]
    assert session.handoff is not None and session.handoff.kind == "human"


def test_tts_fault_plays_the_prerecorded_notice_and_keeps_listening() -> None:
    caller = (Caller().say(8.0, 10.0, "je voudrais un rendez-vous")
              .say(13.0, 15.0, "il a mal dans la poitrine"))
    session = _run(caller, voice=SilentVoice(fail_after=2))  # notice + greeting work
    assert [f.component for f in _of(session, Fault)] == ["tts"]
    last_human = next(e for e in _said(session) if e.kind == "transfer_fault")
    assert last_human.prerecorded
    # The caller waits for the tele-secretary; the chest pain is still heard and escalated.
    assert [h.kind for h in session.timeline.handoffs] == ["human", "emergency"]


def test_events_have_a_stable_json_form() -> None:
    session = _run(Caller().say(8.0, 10.0, "je voudrais un rendez-vous"), duration_s=12.0)
    for event in session.timeline.events:
        data = event_to_json(event)
        assert data["type"] == event.type and isinstance(data["t"], float | int)
        assert event_from_json(data) == event or event.type in ("agent_say", "speech_end")
    handoff = HandedOff(1.0, "human", "caller asked", 2, "transfer_secretary", "Sophie")
    assert event_from_json(event_to_json(handoff)) == handoff


def test_hub_notices_are_typed() -> None:
    assert NoticeKind("taken_over") is NoticeKind.TAKEN_OVER


def test_a_caller_who_hangs_up_before_answering_the_red_flag_question_is_escalated() -> None:
    # "il parle mal" is partial stroke evidence: the agent asks its yes/no question; the line
    # drops before any answer. No usable answer is an emergency, not a routine call.
    caller = Caller().say(8.0, 10.0, "mon mari est bizarre il parle mal")
    session = _run(caller, duration_s=14.0)
    assert "confirm_flag" in _kinds(session)
    handoff = session.handoff
    assert handoff is not None and handoff.kind == "emergency"
    assert session.report().decision.urgency == "emergency"
