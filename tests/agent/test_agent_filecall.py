"""File-transport calls through the real engines: red flag, routine form, confirmation question,
fail-safe on each engine fault, and ``permanence call --fast --json``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.agent.filecall import run_file_call

RED_FLAG_FR = "Bonjour, mon mari ne respire plus, il est inconscient."

pytestmark = pytest.mark.slow


def _call(runtime: Any, path: Path, realtime: bool = False, **kw: Any) -> Any:
    async def main() -> Any:
        session = await run_file_call(runtime, path, realtime=realtime, **kw)
        await runtime.hub.close()
        return session

    return asyncio.run(main())


def _types(timeline: dict[str, Any]) -> list[str]:
    return [e["type"] for e in timeline["events"]]


def _said(timeline: dict[str, Any]) -> list[str]:
    return [e["text"] for e in timeline["events"] if e["type"] == "agent_say"]


def test_red_flag_is_handed_off_on_the_utterance_that_carries_it(make_runtime: Any,
                                                                 speech: Any) -> None:
    runtime = make_runtime()
    session = _call(runtime, speech(RED_FLAG_FR, "fr"))
    tl = session.report().to_json()
    assert tl["decision"]["urgency"] == "emergency"
    assert {"breathing", "consciousness"} & set(tl["decision"]["red_flags"])
    assert tl["decision"]["action"] == "transfer_physician"
    types = _types(tl)
    assert types.count("handoff") == 1
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    # The agent tells the caller at once, and (severe category) to call 15/112 if it worsens.
    say = next(e for e in tl["events"] if e["type"] == "agent_say" and e["kind"] == "emergency")
    assert say["t"] == pytest.approx(handoff["t"], abs=0.05) and "15" in say["text"]
    # Decided on that utterance, at the latest on its final (a partial may be earlier).
    final = next(e for e in tl["events"] if e["type"] == "transcript_final"
                 and e["utterance_id"] == handoff["utterance_id"])
    assert tl["handoff_latency_s"] is not None and handoff["t"] <= final["t"]
    # Every stage is on the audio clock, in order of what happened.
    first_speech = next(e["t"] for e in tl["events"] if e["type"] == "speech_start")
    assert 0.0 < first_speech < handoff["t"]
    # The hub holds the decision for the dashboard.
    state = runtime.hub._calls[tl["call_id"]]
    assert state.decision is not None and state.decision.action.value == "transfer_physician"


def test_routine_call_is_not_handed_off_and_its_reason_is_taken_whole(
        make_runtime: Any, conversation: Any) -> None:
    # A caller who does not listen: the reason (with a pause inside the sentence), then the
    # name. The agent waits for the whole reason, asks for the name after it, and takes it.
    path = conversation([
        "Je voudrais prendre.", 0.3, "rendez-vous pour un renouvellement d'ordonnance.", 2.5,
        "Je m'appelle Marie Dupont.", 2.0,
    ])
    runtime = make_runtime()
    session = _call(runtime, path, caller_number="+33612345678")
    tl = session.report().to_json()
    assert "handoff" not in _types(tl), [(e["type"], e.get("text") or e.get("urgency") or
                                          e.get("reason")) for e in tl["events"]]
    said = _said(tl)
    assert "en cas d'urgence vitale, raccrochez et composez le 15" in said[0].lower()
    finals = [e for e in tl["events"] if e["type"] == "transcript_final"]
    ask_name = next(e for e in tl["events"] if e["type"] == "agent_say"
                    and e["kind"] == "ask_name")
    # Not asked after the first half of the sentence: after the whole reason.
    assert ask_name["t"] > finals[1]["t"] - 0.01
    dialogue = tl["form"]["dialogue"]
    assert dialogue["name"] and "dupont" in dialogue["name"].lower().replace(" ", "")
    assert tl["form"]["intent"]["value"] in ("appointment_booking", "prescription_renewal")
    assert tl["handoff_latency_s"] is None


def test_suspected_red_flag_gets_a_question_and_yes_escalates(make_runtime: Any, rules: Any,
                                                              conversation: Any) -> None:
    # The written rules alone see "convulsion" without a duration as partial evidence only, so
    # the agent must ask its yes/no question and escalate on the caller's "oui".
    path = conversation(["Bonjour, mon fils a fait une convulsion.", 3.5, "Oui.", 1.0])
    tl = _call(make_runtime(classifier=rules), path).report().to_json()
    said = _said(tl)
    question = "La convulsion dure-t-elle depuis plus de cinq minutes ?"
    assert question in said
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    asked_at = next(e["t"] for e in tl["events"]
                    if e["type"] == "agent_say" and e.get("text") == question)
    answer_start = [e["t"] for e in tl["events"] if e["type"] == "speech_start"][-1]
    assert asked_at < answer_start <= handoff["t"]
    assert handoff["kind"] == "emergency"
    assert tl["decision"]["urgency"] == "emergency" and "seizure" in tl["decision"]["red_flags"]


def test_convulsion_is_escalated_with_the_full_classifier(make_runtime: Any,
                                                          conversation: Any) -> None:
    path = conversation(["Bonjour, mon fils a fait une convulsion.", 3.5, "Oui.", 1.0])
    session = _call(make_runtime(), path)
    tl = session.report().to_json()
    said = _said(tl)
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "emergency"
    assert tl["decision"]["urgency"] == "emergency" and "seizure" in tl["decision"]["red_flags"]
    if "La convulsion dure-t-elle depuis plus de cinq minutes ?" in said:
        # Partial evidence: the agent asked one yes/no question, and the call was escalated on
        # the answer (the caller's "oui", or the classifier hearing it as more evidence).
        answer_start = [e["t"] for e in tl["events"] if e["type"] == "speech_start"][-1]
        assert handoff["t"] >= answer_start
    else:
        # The recognizer heard enough for the classifier to escalate without asking: on the
        # first utterance.
        assert handoff["utterance_id"] == 1


def test_english_red_flag_call(make_runtime: Any, speech: Any) -> None:
    session = _call(make_runtime(), speech("My husband is not breathing, he is unconscious.",
                                           "en"), language="en")
    tl = session.report().to_json()
    said = _said(tl)
    assert "hang up and call 112" in said[0] and "What is the reason" in said[1]
    assert tl["decision"]["urgency"] == "emergency"
    emergency = next(e for e in tl["events"] if e["type"] == "agent_say"
                     and e["kind"] == "emergency")
    assert "putting you through to the doctor" in emergency["text"]


def test_caller_asking_for_a_person_is_put_through_at_once(make_runtime: Any, speech: Any
                                                           ) -> None:
    session = _call(make_runtime(), speech("Je voudrais parler à une vraie personne.", "fr"))
    tl = session.report().to_json()
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "human" and "asked for a person" in handoff["reason"]
    # On the final of that sentence, without waiting for the end of the turn.
    final = next(e for e in tl["events"] if e["type"] == "transcript_final")
    assert handoff["utterance_id"] == final["utterance_id"] and handoff["t"] == final["t"]
    assert not any(e["type"] == "turn_end" for e in tl["events"])
    assert "Je vous passe quelqu'un du cabinet" in _said(tl)[-1]


def test_silent_caller_is_reprompted_once_then_put_through(make_runtime: Any, conversation: Any
                                                           ) -> None:
    session = _call(make_runtime(), conversation([30.0]))
    tl = session.report().to_json()
    kinds = [e["kind"] for e in tl["events"] if e["type"] == "agent_say"]
    assert kinds == ["greeting", "ask_reason", "reprompt", "transfer_human"]
    reprompt = next(e for e in tl["events"] if e["type"] == "agent_say" and e["kind"] == "reprompt")
    assert "motif" in reprompt["text"]
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "human" and "silent" in handoff["reason"]


@pytest.mark.parametrize("stage,mode", [
    ("recognizer", "raise"), ("recognizer", "stall"),
    ("classifier", "raise"), ("classifier", "stall"),
    ("tts", "raise"), ("tts", "stall"),
])
def test_engine_fault_hands_the_call_to_a_human(stage: str, mode: str, make_runtime: Any,
                                                speech: Any, faults: dict[str, Any],
                                                recognizer: Any, classifier: Any) -> None:
    engines: dict[str, Any] = {}
    if stage == "recognizer":
        engines["recognizer"] = faults["recognizer"](recognizer, mode, at_s=2.0)
    elif stage == "classifier":
        engines["classifier"] = faults["classifier"](classifier, mode)
    else:
        engines["synthesizer"] = faults["tts"](mode, ok_calls=1)
    runtime = make_runtime(**engines)
    session = _call(runtime, speech("Bonjour, je voudrais un rendez-vous avec le docteur Martin "
                                    "pour mon fils la semaine prochaine.", "fr"))
    tl = session.report().to_json()
    fault = next(e for e in tl["events"] if e["type"] == "fault")
    assert fault["component"] == stage
    assert ("stalled" in fault["detail"]) == (mode == "stall")
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "human" and f"{stage} fault" in handoff["reason"]
    # The handoff follows the fault directly: nothing else happens in between.
    between = tl["events"][tl["events"].index(fault) + 1:tl["events"].index(handoff)]
    assert between == []
    assert tl["decision"]["fault"] == stage and tl["decision"]["handed_off"]
    # The caller hears the transfer (pre-synthesized when TTS is the fault): never a dead line.
    last = [e for e in tl["events"] if e["type"] == "agent_say"][-1]
    assert "transfère" in last["text"]
    if stage == "tts":
        assert last.get("prerecorded") is True
    # The tele-secretary queue has the call with what was captured so far.
    state = runtime.hub._calls[tl["call_id"]]
    assert state.decision is not None and any(f"{stage} fault" in r
                                              for r in state.decision.reasons)
    if stage == "classifier":
        assert state.partial or state.transcript  # the words heard before the fault


def test_permanence_call_fast_json(make_runtime: Any, speech: Any,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from pipeline import agent_cli

    monkeypatch.setattr(agent_cli, "_load_runtime", lambda: make_runtime())
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    agent_cli.register(app, bench)
    result = CliRunner().invoke(app, ["call", str(speech(RED_FLAG_FR, "fr")), "--fast", "--json"])
    assert result.exit_code == 0, result.output
    tl = json.loads(result.stdout)
    assert set(tl) >= {"call_id", "events", "decision", "handoff_latency_s"}
    assert set(tl["decision"]) >= {"urgency", "red_flags", "action"}
    types = {e["type"] for e in tl["events"]}
    assert types >= {"speech_start", "speech_end", "transcript_partial", "transcript_final",
                     "classification", "agent_say", "handoff"}
    times = [e["t"] for e in tl["events"] if e["type"] != "speech_end"]
    assert all(isinstance(t, float | int) for t in times)
    assert tl["decision"]["urgency"] == "emergency"


def test_permanence_call_rejects_bad_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                          ) -> None:
    import typer
    from typer.testing import CliRunner

    from pipeline import agent_cli

    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    agent_cli.register(app, bench)
    result = CliRunner().invoke(app, ["call", "/nonexistent.wav", "--fast"])
    assert result.exit_code != 0 and "expected a WAV" in result.output
    bad = tmp_path / "not-audio.wav"
    bad.write_text("not audio")
    monkeypatch.setattr(agent_cli, "_load_runtime", lambda: pytest.fail("models loaded"))
    result = CliRunner().invoke(app, ["call", str(bad), "--fast"])
    assert result.exit_code == 2 and "expected a valid WAV" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
