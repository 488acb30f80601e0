"""The issue-13 categories flow end to end: caller's words -> protocol -> form -> handoff
decision -> the dashboard's label names and the agent's yes/no question."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.labels import RED_FLAGS
from handoff import PracticeConfig
from handoff.policy import HandoffAction, decide

NEW = {
    RedFlag.SEPSIS: ("ma mère a une infection urinaire et depuis ce matin elle est très confuse",
                     "my dad has a chest infection and now he is mottled and very drowsy"),
    RedFlag.ACUTE_ABDOMEN: ("mon mari a une douleur au ventre brutale et atroce",
                            "she has sudden agonising stomach pain and her belly is rock hard"),
    RedFlag.DIABETIC: ("mon fils est diabétique type 1, il vomit et il a très soif",
                       "her sugar is very low and it won't come up despite juice"),
}

STATIC = Path(__file__).resolve().parents[2] / "pipeline" / "service" / "static" / "common.js"


@pytest.mark.parametrize("flag", list(NEW), ids=lambda f: f.value)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_category_reaches_the_physician_with_15_advice(
        rules: Classifier, practice: PracticeConfig, paris, flag: RedFlag,  # type: ignore[no-untyped-def]
        lang: str) -> None:
    text = NEW[flag][0 if lang == "fr" else 1]
    c = rules.classify(text, lang)
    assert c.urgency is Urgency.EMERGENCY, c.to_dict()
    assert flag in {h.category for h in c.red_flags}
    form = rules.extract_form(text, lang, c)
    assert flag in {f.value for f in form.red_flags}
    for when in (paris(2026, 11, 25, 10), paris(2026, 11, 25, 23)):  # open, then night
        d = decide(c, form, practice, when)
        assert d.action is HandoffAction.TRANSFER_PHYSICIAN, d.to_dict()
        assert flag in d.red_flags
        # NHS 111: suspected sepsis, sudden severe abdominal pain, a diabetic emergency: 999.
        assert d.advise_emergency_services is True
        assert any(flag.value in r for r in d.reasons)
        assert text not in " ".join(d.reasons)  # reasons never carry the caller's words


def test_partial_evidence_asks_then_a_human_decides(rules: Classifier, practice: PracticeConfig,
                                                    paris) -> None:  # type: ignore[no-untyped-def]
    c = rules.classify("elle est diabétique et elle vomit depuis ce matin", "fr")
    assert c.urgency is Urgency.URGENT and not c.red_flags
    assert [h.category for h in c.suspected] == [RedFlag.DIABETIC]
    d = decide(c, None, practice, paris(2026, 11, 25, 10))
    assert d.action is HandoffAction.PRIORITY_QUEUE
    assert any("suspected red flag: diabetic" in r for r in d.reasons)


def test_dashboard_names_every_category_in_french_and_english() -> None:
    js = STATIC.read_text(encoding="utf-8")
    listed = re.search(r"red_flag:\s*\[([^\]]*)\]", js)
    assert listed is not None
    assert set(re.findall(r'"([a-z_]+)"', listed.group(1))) == set(RED_FLAGS)
    names = js[js.index("const RED_FLAG_NAMES"):]
    names = names[: names.index("};")]
    for lang in ("fr", "en"):
        block = re.search(lang + r":\s*\{([^}]*)\}", names)
        assert block is not None, lang
        named = set(re.findall(r"([a-z_]+):\s*\"", block.group(1)))
        assert named == set(RED_FLAGS), (lang, set(RED_FLAGS) - named)


def test_agent_has_a_question_and_advice_for_every_category() -> None:
    from pipeline.agent.dialogue import CALL_EMERGENCY_NUMBER, confirm_question

    for flag in RedFlag:
        for lang in ("fr", "en"):
            assert confirm_question(flag, lang).endswith("?")
    assert {RedFlag.SEPSIS, RedFlag.ACUTE_ABDOMEN, RedFlag.DIABETIC} <= CALL_EMERGENCY_NUMBER


def test_suspected_red_flag_after_hours_reaches_a_clinician(practice: PracticeConfig, paris,  # type: ignore[no-untyped-def]
                                                            classification) -> None:
    from handoff.practice import practice_from_dict

    night = paris(2026, 11, 25, 23)
    c = classification(Urgency.URGENT, suspected=(RedFlag.SEPSIS,))
    # With a nurse line (demo practice): the nurse, not a call-back message.
    assert decide(c, None, practice, night).action is HandoffAction.TRANSFER_NURSE
    routine = classification(Urgency.ROUTINE, suspected=(RedFlag.DIABETIC,))
    assert decide(routine, None, practice, night).action is HandoffAction.TRANSFER_NURSE
    # Without one: the on-call physician.
    raw = {"name": "no nurse", "opening_hours": {"wed": [["08:00", "18:00"]]},
           "physicians": [{"id": "dr-a", "name": "Dr A", "phone": "+33199000001"}],
           "on_call": [{"physician": "dr-a", "days": ["wed"], "start": "18:00",
                        "end": "08:00"}]}
    bare = practice_from_dict(raw)
    d = decide(c, None, bare, night)
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN and d.target.id == "dr-a"
    # No suspicion: the after-hours message as before.
    plain = classification(Urgency.URGENT)
    assert decide(plain, None, bare, night).action is HandoffAction.MESSAGE_OR_CALLBACK
