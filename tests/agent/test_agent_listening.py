"""Conversations the dialogue never saw, placed by a caller that listens (Twilio protocol, real
engines, real-time): it answers what the agent asks, with pre-voiced phrases. Behaviour only:
the form, whether and when (which utterance) the call was handed off; never wall-clock times."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from tests.agent.listening_caller import ListeningCall, listening_call

pytestmark = pytest.mark.slow

LINE = "+33612345678"


def _voice(speech: Any) -> Any:
    def voice(text: str) -> Path:
        return speech(text, "fr", phone=True)  # type: ignore[no-any-return]

    return voice


def _call(agent_app: Any, token: str, speech: Any, answers: dict[str, list[str]],
          name: str) -> tuple[ListeningCall, dict[str, Any]]:
    # A CallSid of Twilio's form (CA + 32 hex), one per scenario.
    sid = "CA" + hashlib.md5(name.encode()).hexdigest()
    call = asyncio.run(listening_call(agent_app.state.base_url, token, answers,
                                      voice=_voice(speech), call_sid=sid, caller=LINE))
    session = agent_app.state.agent_calls[-1]
    assert session.options.provider_call_id == sid
    # The caller's side returns when it hangs up; the agent then still flushes the call's last
    # final (the decisive utterance's, after a handoff), so read the timeline once it ended.
    deadline = time.monotonic() + 120.0
    while not session.ended.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.ended.is_set(), "the call never ended on the agent's side"
    return call, session.report().to_json()


def _story(call: ListeningCall, tl: dict[str, Any]) -> str:
    """What was said and decided, one line each, for failure messages (a string, so pytest
    prints it whole)."""
    lines = []
    for e in tl["events"]:
        if e["type"] == "transcript_partial":
            continue
        detail = e.get("text") or e.get("reason") or e.get("kind") or e.get("component") or ""
        if e["type"] == "classification":
            if not e.get("final"):
                continue
            detail = f"{e.get('urgency')} {e.get('intent')} flags={e.get('red_flags')} " \
                     f"suspected={e.get('suspected')}"
        lines.append(f"{e['t']:6.2f} {e['type']:<18} u{e.get('utterance_id', '-')} {detail}")
    lines += [f"caller  {x.kind}: {x.answered!r}  (asked: {x.asked!r})" for x in call.exchanges]
    return "\n" + "\n".join(lines)


ROUTINE_ANSWERS = {
    "ask_name": ["Je m'appelle Jean Martin."],
    "ask_dob": ["Le 3 mars 1980."],
    "ask_callback": ["Oui."],
    "confirm_form": ["Oui."],
    "confirm_flag": ["Non."],
}


@pytest.mark.parametrize("reason", [
    # The routine renewal whose first sentence used to be cut in two.
    "Je voudrais prendre rendez-vous pour un renouvellement d'ordonnance.",
    "Je voudrais les résultats de ma prise de sang.",
    "Bonjour, je voudrais un rendez-vous avec le docteur la semaine prochaine.",
])
def test_routine_calls_fill_the_form_and_are_not_handed_off(
        agent_app: Any, dashboard_token: str, speech: Any, reason: str) -> None:
    call, tl = _call(agent_app, dashboard_token, speech,
                     {"ask_reason": [reason], **ROUTINE_ANSWERS}, "CAroutine")
    story = _story(call, tl)
    assert not any(e["type"] == "handoff" for e in tl["events"]), story
    form = tl["form"]["dialogue"]
    assert form["confirmed"] is True, story
    assert form["callback_number"] == LINE, story
    assert form["name"] and "jean" in form["name"].lower(), story
    assert form["date_of_birth"] == "1980-03-03" or "date_of_birth" in form["to_check"], story
    # The name question came once the whole reason was heard, and was answered by the name.
    asked = [e.kind for e in call.exchanges]
    assert asked.index("ask_name") == asked.index("ask_reason") + 1, story
    assert call.ended_by_agent


def test_a_caller_who_answers_two_questions_at_once(agent_app: Any, dashboard_token: str,
                                                    speech: Any) -> None:
    call, tl = _call(agent_app, dashboard_token, speech, {
        # (Not "..., je voudrais un renouvellement.": after the pause at the comma, Whisper base
        # decodes that Kokoro phrase alone as "J'avoue d'elle qu'elle s'étouffe." at some VAD
        # phases, and a choking caller is rightly put through to the physician.)
        "ask_reason": ["Bonjour, je m'appelle Jean Martin, j'appelle pour renouveler mon "
                       "ordonnance."],
        **ROUTINE_ANSWERS}, "CAtwo")
    story = _story(call, tl)
    assert not any(e["type"] == "handoff" for e in tl["events"]), story
    assert "ask_name" not in [e.kind for e in call.exchanges], story
    assert tl["form"]["dialogue"]["name"] and tl["form"]["dialogue"]["confirmed"], story


def test_a_caller_who_corrects_the_name(agent_app: Any, dashboard_token: str,
                                        speech: Any) -> None:
    call, tl = _call(agent_app, dashboard_token, speech, {
        "ask_reason": ["Je voudrais les résultats de ma prise de sang."],
        **ROUTINE_ANSWERS,
        "ask_name": ["Je m'appelle Marie Dupont."],
        "confirm_form": ["Non, c'est Dupond avec un d.", "Oui."],
    }, "CAcorrect")
    story = _story(call, tl)
    form = tl["form"]["dialogue"]
    assert form["name"] and form["name"].lower().replace(" ", "").endswith("dupond"), story
    assert form["confirmed"] is True, story
    read_backs = [e.asked for e in call.exchanges if e.kind == "confirm_form"]
    assert len(read_backs) >= 2 and "Dupond" in read_backs[-1], story


def _first_handoff(tl: dict[str, Any]) -> dict[str, Any] | None:
    return next((e for e in tl["events"] if e["type"] == "handoff"), None)


def _caller_finals(tl: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in tl["events"] if e["type"] == "transcript_final" and e["text"].strip()]


@pytest.mark.parametrize("reason,second,flags", [
    ("Bonjour, c'est pour mon mari.", "Il a une douleur dans la poitrine, il transpire.",
     {"chest_pain"}),
    ("Bonjour, c'est pour ma mère.", "Elle ne répond plus, elle est inconsciente.",
     {"consciousness"}),
])
def test_a_red_flag_in_the_second_utterance_hands_off_on_it(
        agent_app: Any, dashboard_token: str, speech: Any, reason: str, second: str,
        flags: set[str]) -> None:
    # Whatever the agent asks after the reason, the caller's next words carry the red flag.
    answers = {k: [second] for k in ("ask_name", "ask_dob", "ask_callback", "ask_reason",
                                     "confirm_form")}
    answers["ask_reason"] = [reason, second]
    # A yes/no question the classifier's guess raised gets the red flag too (not a "yes" to
    # some other category).
    answers["confirm_flag"] = [second]
    call, tl = _call(agent_app, dashboard_token, speech, answers, "CAflag" + second)
    story = _story(call, tl)
    handoff = _first_handoff(tl)
    assert handoff is not None and handoff["kind"] == "emergency", story
    assert flags & set(tl["decision"]["red_flags"]), story
    # Decided on the utterance that carried it: not the first one.
    first_final = _caller_finals(tl)[0]
    assert handoff["utterance_id"] > first_final["utterance_id"], story
    assert call.ended_by_agent, story


@pytest.mark.parametrize("reason,name,third,flags", [
    ("Bonjour, c'est pour ma mère.", "Elle s'appelle Marie Dupont.",
     "Elle ne répond plus, elle est inconsciente.", {"consciousness"}),
    ("Bonjour, c'est pour mon mari.", "Il s'appelle Jean Martin.",
     "Il ne respire plus, il est tout bleu.", {"breathing", "consciousness"}),
])
def test_a_red_flag_in_the_third_utterance_hands_off_on_it(
        agent_app: Any, dashboard_token: str, speech: Any, reason: str, name: str, third: str,
        flags: set[str]) -> None:
    # The reason and the name are routine; whatever the agent asks next, the caller's third
    # utterance carries the red flag (a caller who only says it when asked for a date).
    answers = {k: [third] for k in ("ask_dob", "ask_callback", "confirm_form")}
    answers["ask_reason"] = [reason, name, third]
    answers["ask_name"] = [name, third]
    answers["confirm_flag"] = [third]
    call, tl = _call(agent_app, dashboard_token, speech, answers, "CAthird" + third)
    story = _story(call, tl)
    handoff = _first_handoff(tl)
    assert handoff is not None and handoff["kind"] == "emergency", story
    assert flags & set(tl["decision"]["red_flags"]), story
    # Not decided before the red flag was said: on the utterance that carried it (the
    # third the caller said, or later when the recognizer split a phrase), never before.
    said = [x.answered for x in call.exchanges if x.answered]
    before = said[:said.index(third)]
    # The routine phrases first (a yes/no question the classifier's guess raised in between
    # is answered with the red flag, which then comes sooner).
    assert before in ([reason, name], [reason]), story
    finals = _caller_finals(tl)
    assert len(finals) > len(before), story
    assert handoff["utterance_id"] >= finals[len(before)]["utterance_id"], story
    assert call.ended_by_agent, story
