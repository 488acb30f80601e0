"""Dialogue policy: pure, deterministic, no audio."""

from __future__ import annotations

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, FormField, RedFlagHit, Span, TriageForm
from pipeline.agent.dialogue import (
    DialoguePolicy,
    HandoffKind,
    Stage,
    parse_yes_no,
    speakable_number,
    wants_human,
)


def _cls(urgency: Urgency = Urgency.ROUTINE, flags: tuple[RedFlag, ...] = (),
         suspected: tuple[RedFlag, ...] = (), text: str = "") -> Classification:
    def hit(c: RedFlag, confirmed: bool) -> RedFlagHit:
        return RedFlagHit(c, Span(0, 1, "x"), f"{c.value}.test", confirmed=confirmed)

    return Classification(
        text=text, language="fr", intent=Intent.SYMPTOM_REPORT, intent_scores={},
        urgency=urgency, urgency_scores={}, red_flags=tuple(hit(c, True) for c in flags),
        needs_review=False, model_version="test", latency_ms=0.0,
        suspected=tuple(hit(c, False) for c in suspected),
    )


@pytest.mark.parametrize("text", ["oui", "Ouais.", "voui", "oui oui j'ai du mal", "Yes", "yeah",
                                  "tout à fait", "bien sûr", "euh oui", "c'est ça",
                                  "Waze.", "Wise bien sa.", "We."])
def test_yes_variants(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["non", "Nan.", "no", "non non pas du tout", "pas du tout",
                                  "nope", "euh non", "not really", "Nom."])
def test_no_variants(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "euh", "je sais pas trop", "peut-être", "bien"])
def test_unclear_answers(text: str) -> None:
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text", ["je veux parler à quelqu'un", "Je voudrais parler à une vraie "
                                  "personne", "passez-moi un humain", "I want a real person",
                                  "can I speak to someone please", "parler avec le secrétariat",
                                  "Je veux parler à quel camp."])
def test_wants_human(text: str) -> None:
    assert wants_human(text)


def test_wants_human_not_triggered_by_reasons() -> None:
    assert not wants_human("j'ai mal à la gorge depuis trois jours")
    assert not wants_human("je voudrais un rendez-vous avec le docteur Martin")


def test_greeting_has_practice_and_emergency_notice() -> None:
    policy = DialoguePolicy("cabinet du docteur Martin", "fr")
    action = policy.start(0.0)
    text = " ".join(u.text for u in action.say)
    assert "cabinet du docteur Martin" in text
    assert "en cas d'urgence vitale, raccrochez et composez le 15" in text.lower()
    assert action.say[-1].kind == "ask_reason"
    assert policy.stage is Stage.REASON


def test_english_greeting() -> None:
    action = DialoguePolicy("Dr Smith's practice", "en").start(0.0)
    assert "112" in action.say[0].text and "Dr Smith's practice" in action.say[0].text


def test_emergency_from_partial_interrupts_and_hands_off() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    action = policy.on_classification(_cls(Urgency.EMERGENCY, (RedFlag.CHEST_PAIN,)), 2.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY
    assert action.say[0].interrupt and "médecin" in action.say[0].text
    assert "15" in action.say[0].text  # most severe category: call 15/112 too
    # Nothing further once handed off.
    assert policy.on_classification(_cls(Urgency.EMERGENCY, (RedFlag.BREATHING,)), 3.0).say == ()
    assert policy.finished


def test_without_a_line_to_transfer_the_caller_is_told_to_call_15() -> None:
    policy = DialoguePolicy("cabinet", "fr", can_transfer=False)
    policy.start(0.0)
    action = policy.on_classification(_cls(Urgency.EMERGENCY, (RedFlag.STROKE,)), 1.0)
    assert action.handoff is not None and action.say[0].text.startswith("Appelez le 15")


def test_infant_fever_does_not_tell_to_call_15() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    action = policy.on_classification(_cls(Urgency.EMERGENCY, (RedFlag.INFANT_FEVER,)), 1.0)
    assert action.handoff is not None and "15" not in action.say[0].text


def test_suspected_flag_asks_one_yes_no_question_then_escalates_on_yes() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    action = policy.on_caller_turn("je suis essoufflé", _cls(suspected=(RedFlag.BREATHING,)),
                                   None, 3.0)
    assert action.handoff is None
    assert action.say[-1].text == "Avez-vous du mal à respirer ?"
    assert policy.stage is Stage.CONFIRM_FLAG
    action = policy.on_caller_turn("ouais", _cls(), None, 6.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY
    assert action.handoff.confirmed_flag is not None
    assert action.handoff.confirmed_flag.category is RedFlag.BREATHING


def test_suspected_flag_denied_resumes_routine_and_is_not_asked_twice() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    policy.on_caller_turn("essoufflé", _cls(suspected=(RedFlag.BREATHING,)), None, 3.0)
    action = policy.on_caller_turn("nan", _cls(suspected=(RedFlag.BREATHING,)), None, 5.0)
    assert action.handoff is None and action.say[-1].kind == "ask_name"
    action = policy.on_caller_turn("Marie Dupont", _cls(suspected=(RedFlag.BREATHING,)), None, 8)
    assert action.say[-1].kind == "ask_dob"


def test_unclear_answer_to_red_flag_question_twice_goes_to_human() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    policy.on_caller_turn("douleur", _cls(suspected=(RedFlag.CHEST_PAIN,)), None, 3.0)
    action = policy.on_caller_turn("euh", None, None, 5.0)
    assert action.handoff is None and "oui ou par non" in action.say[-1].text
    action = policy.on_caller_turn("je sais pas", None, None, 8.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.HUMAN


def test_routine_collects_form_with_confirmation() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    a = policy.on_caller_turn("je voudrais un rendez-vous", _cls(), None, 3.0)
    assert a.say[-1].kind == "ask_name"
    a = policy.on_caller_turn("je m'appelle Marie Dupont", _cls(), None, 6.0)
    assert policy.collected.name == "Marie Dupont" and a.say[-1].kind == "ask_dob"
    a = policy.on_caller_turn("le 3 mars 1980", _cls(), None, 9.0)
    assert a.say[-1].kind == "ask_callback" and policy.collected.date_of_birth == "3 mars 1980"
    a = policy.on_caller_turn("zéro six 12 34 56 78", _cls(), None, 12.0)
    # "zéro six" is words: the digits heard are not enough, so it asks once more.
    assert a.handoff is None
    a = policy.on_caller_turn("06 12 34 56 78", _cls(), None, 15.0)
    assert policy.collected.callback_number == "+33612345678"
    assert a.say[-1].kind == "confirm_form" and "06 12 34 56 78" in a.say[-1].text
    a = policy.on_caller_turn("oui c'est ça", _cls(), None, 18.0)
    assert a.end_call and a.handoff is None and policy.collected.confirmed
    assert "secrétariat" in a.say[-1].text


def test_form_fields_from_the_classifier_are_not_asked_again() -> None:
    policy = DialoguePolicy("cabinet", "fr", caller_number="+33612345678")
    policy.start(0.0)
    form = TriageForm(caller_name=FormField("Jean Petit", 0.9),
                      date_of_birth=FormField("1970-01-02", 0.9))
    a = policy.on_caller_turn("Jean Petit, né le 2 janvier 1970, pour un renouvellement",
                              _cls(), form, 4.0)
    assert a.say[-1].kind == "ask_callback" and "06 12 34 56 78" in a.say[-1].text
    a = policy.on_caller_turn("oui", _cls(), form, 6.0)
    assert a.say[-1].kind == "confirm_form"


def test_a_greeting_alone_is_not_the_reason() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    assert policy.on_caller_turn("Bonjour.", _cls(), None, 2.0).say == ()
    assert policy.stage is Stage.REASON
    a = policy.on_caller_turn("je voudrais un rendez-vous", _cls(), None, 4.0)
    assert a.say[-1].kind == "ask_name"


def test_urgent_says_clinician_calls_back_today() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    a = policy.on_caller_turn("fièvre à 39 depuis trois jours", _cls(Urgency.URGENT), None, 4.0)
    assert a.say[0].kind == "urgent" and "aujourd'hui" in a.say[0].text
    assert a.handoff is None and a.say[-1].kind == "ask_name"


def test_caller_asks_for_a_person_at_once_even_in_a_partial() -> None:
    policy = DialoguePolicy("cabinet", "fr")
    policy.start(0.0)
    a = policy.on_partial("euh je veux parler à quelqu'un", 2.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN
    assert policy.stage is Stage.HUMAN


def test_silence_reprompts_once_then_human() -> None:
    policy = DialoguePolicy("cabinet", "fr", silence_timeout_s=5.0)
    policy.start(0.0)
    policy.on_agent_done_speaking(6.0)
    assert policy.tick(10.0).say == ()
    a = policy.tick(11.5)
    assert a.say and a.say[0].kind == "reprompt" and a.handoff is None
    assert "motif" in a.say[0].text
    a = policy.tick(17.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN


def test_speech_resets_the_silence_timer() -> None:
    policy = DialoguePolicy("cabinet", "fr", silence_timeout_s=5.0)
    policy.start(0.0)
    policy.on_speech_start(3.0)
    assert policy.tick(30.0).say == ()


def test_failure_goes_to_human_with_transfer_notice() -> None:
    policy = DialoguePolicy("cabinet", "en")
    policy.start(0.0)
    a = policy.on_failure("recognizer", 4.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN
    assert "transferring" in a.say[0].text and a.say[0].interrupt


def test_speakable_number() -> None:
    assert speakable_number("+33612345678", "fr") == "06 12 34 56 78"
