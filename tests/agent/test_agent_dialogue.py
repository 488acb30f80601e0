"""The dialogue state machine: pure, deterministic, no audio."""

from __future__ import annotations

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, FormField, RedFlagHit, Span, TriageForm
from pipeline.agent.dialogue import (
    ACTIVE,
    TRANSITIONS,
    Dialogue,
    HandoffKind,
    State,
    Trigger,
    protocol_hits,
)
from pipeline.agent.wording import CONFIRM_QUESTIONS, confirm_question


def _cls(urgency: Urgency = Urgency.ROUTINE, flags: tuple[RedFlag, ...] = (),
         suspected: tuple[RedFlag, ...] = (), model: tuple[RedFlag, ...] = (),
         reasons: tuple[str, ...] = ()) -> Classification:
    def hit(c: RedFlag, confirmed: bool, source: str) -> RedFlagHit:
        return RedFlagHit(c, Span(0, 1, "x"), source, confirmed=confirmed)

    return Classification(
        text="", language="fr", intent=Intent.SYMPTOM_REPORT, intent_scores={},
        urgency=urgency, urgency_scores={},
        red_flags=tuple(hit(c, True, f"{c.value}.fr.test") for c in flags)
        + tuple(hit(c, True, "model") for c in model),
        needs_review=bool(reasons), model_version="test", latency_ms=0.0,
        review_reasons=reasons, suspected=tuple(hit(c, False, f"{c.value}.partial")
                                                for c in suspected),
    )


def _started(**kw: object) -> Dialogue:
    d = Dialogue("cabinet du docteur Martin", "fr", **kw)  # type: ignore[arg-type]
    d.start(0.0)
    return d


def test_the_machine_is_declared_in_one_table() -> None:
    # Every state but the start one is reachable, and terminal states have no way out but
    # the human taking the call.
    targets = {t.target for t in TRANSITIONS if isinstance(t.target, State)}
    assert {State.REASON, State.CONFIRM_FLAG, State.CONFIRM_FORM, State.CORRECTION,
            State.CLOSED, State.EMERGENCY, State.WAITING_FOR_HUMAN,
            State.WITH_HUMAN} <= targets
    for t in TRANSITIONS:
        if State.CLOSED in t.sources:
            pytest.fail(f"a transition leaves CLOSED: {t}")
    assert {t.trigger for t in TRANSITIONS} == set(Trigger)


def test_greeting_has_practice_and_emergency_notice() -> None:
    d = Dialogue("cabinet du docteur Martin", "fr")
    action = d.start(0.0)
    text = " ".join(u.text for u in action.say)
    assert "cabinet du docteur Martin" in text
    assert "en cas d'urgence vitale, raccrochez et composez le 15" in text.lower()
    assert action.say[0].protected  # noise never cuts the emergency notice
    assert action.say[-1].kind == "ask_reason" and d.state is State.REASON


def test_english_greeting() -> None:
    action = Dialogue("Dr Smith's practice", "en").start(0.0)
    assert "112" in action.say[0].text and "Dr Smith's practice" in action.say[0].text


def test_protocol_red_flag_from_a_partial_hands_off_at_once() -> None:
    d = _started()
    action = d.on_evidence(_cls(Urgency.EMERGENCY, (RedFlag.CHEST_PAIN,)), 2.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY
    assert action.say[0].interrupt and "médecin" in action.say[0].text
    assert "15" in action.say[0].text  # most severe category: call 15/112 too
    assert d.state is State.EMERGENCY and d.finished


def test_a_model_guess_on_a_partial_decides_nothing() -> None:
    d = _started()
    assert d.on_evidence(_cls(Urgency.EMERGENCY, model=(RedFlag.SUICIDAL,)), 2.0).say == ()
    assert d.state is State.REASON


def test_without_a_line_to_transfer_the_caller_is_told_to_call_15() -> None:
    d = _started(can_transfer=False)
    action = d.on_evidence(_cls(Urgency.EMERGENCY, (RedFlag.STROKE,)), 1.0)
    assert action.handoff is not None and action.say[0].text.startswith("Appelez le 15")


def test_infant_fever_does_not_tell_to_call_15() -> None:
    d = _started()
    action = d.on_evidence(_cls(Urgency.EMERGENCY, (RedFlag.INFANT_FEVER,)), 1.0)
    assert action.handoff is not None and "15" not in action.say[0].text


def test_suspected_flag_asks_the_question_before_anything_else_then_yes_escalates() -> None:
    d = _started()
    action = d.on_turn("il est bizarre depuis ce matin, il parle mal",
                       _cls(Urgency.URGENT, suspected=(RedFlag.STROKE,)), None, 3.0)
    assert action.handoff is None
    assert [u.text for u in action.say] == [confirm_question("stroke", "fr")]
    assert d.state is State.CONFIRM_FLAG
    action = d.on_turn("oui", _cls(), None, 6.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY
    assert action.handoff.confirmed_flag is not None
    assert action.handoff.confirmed_flag.category is RedFlag.STROKE


def test_suspected_flag_denied_resumes_the_form_and_is_not_asked_twice() -> None:
    d = _started()
    d.on_turn("je suis essoufflé", _cls(suspected=(RedFlag.BREATHING,)), None, 3.0)
    action = d.on_turn("nan", _cls(suspected=(RedFlag.BREATHING,)), None, 5.0)
    assert action.handoff is None and action.say[-1].kind == "ask_name"
    action = d.on_turn("Marie Dupont", _cls(suspected=(RedFlag.BREATHING,)), None, 8)
    assert action.say[-1].kind == "ask_dob"
    shown = d.without_denied(_cls(suspected=(RedFlag.BREATHING,)))
    assert shown.suspected == ()  # the hub does not see the denied flag as doubt


def test_unclear_answer_to_a_red_flag_question_twice_hands_off() -> None:
    d = _started()
    d.on_turn("douleur", _cls(suspected=(RedFlag.CHEST_PAIN,)), None, 3.0)
    action = d.on_turn("euh", None, None, 5.0)
    assert action.handoff is None and "oui ou par non" in action.say[-1].text
    action = d.on_turn("je sais pas", None, None, 8.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY
    assert "not ruled out" in action.handoff.reason


def test_silence_after_a_red_flag_question_hands_off() -> None:
    d = _started(silence_timeout_s=5.0)
    d.on_turn("douleur", _cls(suspected=(RedFlag.CHEST_PAIN,)), None, 3.0)
    assert d.on_silence(9.0).say[0].kind == "reprompt"
    action = d.on_silence(15.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY


def test_model_only_emergency_on_a_short_final_is_asked_not_acted_on() -> None:
    # "Oui, c'est bien ça" heard as "Whisse bien ça", flagged suicidal by the model alone.
    d = _started(caller_number="+33612345678")
    for text in ("je voudrais un renouvellement d'ordonnance", "Marie Dupont",
                 "le 3 mars 1980", "oui"):
        d.on_turn(text, _cls(), None, 1.0)
    assert d.state is State.CONFIRM_FORM
    guess = _cls(Urgency.EMERGENCY, model=(RedFlag.SUICIDAL,))
    assert d.on_final("Whisse bien ça", guess, 20.0).handoff is None
    action = d.on_turn("Whisse bien ça", guess, None, 20.5)
    assert action.handoff is None
    assert action.say[-1].text == confirm_question("suicidal", "fr")
    action = d.on_turn("non", guess, None, 23.0)
    assert action.handoff is None and action.say[-1].kind == "confirm_form"
    assert "suicidal" in d.denied_flags
    # The hub then sees no emergency from the denied guess.
    assert d.without_denied(guess).urgency is not Urgency.EMERGENCY
    action = d.on_turn("oui c'est bien ça", guess, None, 26.0)
    assert action.end_call and d.collected.confirmed


def test_model_only_emergency_on_a_long_final_hands_off_at_once() -> None:
    d = _started()
    long_final = "mon mari est tout gris il transpire et il dit qu'il va mourir"
    action = d.on_final(long_final, _cls(Urgency.EMERGENCY, model=(RedFlag.CHEST_PAIN,)), 4.0)
    assert action.handoff is not None and action.handoff.kind is HandoffKind.EMERGENCY


def test_routine_collects_a_checked_form_and_reads_it_back_normalised() -> None:
    d = _started()
    a = d.on_turn("je voudrais un rendez-vous", _cls(), None, 3.0)
    assert a.say[-1].kind == "ask_name"
    a = d.on_turn("je m'appelle Marie Dupont", _cls(), None, 6.0)
    assert d.collected.name == "Marie Dupont" and a.say[-1].kind == "ask_dob"
    a = d.on_turn("le trois mars mille neuf cent quatre-vingts", _cls(), None, 9.0)
    assert d.collected.date_of_birth == "1980-03-03" and a.say[-1].kind == "ask_callback"
    a = d.on_turn("zéro six douze trente-quatre cinquante-six soixante-dix-huit", _cls(), None,
                  12.0)
    assert d.collected.callback_number == "+33612345678"
    assert a.say[-1].kind == "confirm_form"
    assert a.say[-1].text == ("Je récapitule : Marie Dupont, née le 3 mars 1980, rappel au "
                              "06 12 34 56 78. Est-ce correct ?")
    a = d.on_turn("oui c'est ça", _cls(), None, 18.0)
    assert a.end_call and a.handoff is None and d.collected.confirmed
    assert "secrétariat" in a.say[-1].text


def test_an_answer_that_does_not_fit_the_question_is_re_asked_once_then_left_to_a_human(
) -> None:
    d = _started()
    d.on_turn("je voudrais un rendez-vous", _cls(), None, 3.0)
    a = d.on_turn("s'il vous plaît", _cls(), None, 6.0)  # not a name
    assert d.collected.name is None and "par exemple" in a.say[-1].text
    a = d.on_turn("Jean Martin", _cls(), None, 9.0)
    assert d.collected.name == "Jean Martin" and a.say[-1].kind == "ask_dob"
    a = d.on_turn("Jean Martin", _cls(), None, 12.0)  # not a date
    assert d.collected.date_of_birth is None and "3 mars 1980" in a.say[-1].text
    a = d.on_turn("je ne sais plus", _cls(), None, 15.0)
    assert "date_of_birth" in d.collected.to_check and a.say[-1].kind == "ask_callback"


def test_several_fields_in_one_sentence_are_taken() -> None:
    d = _started()
    a = d.on_turn("Bonjour, je m'appelle Paul Girard, né le 12 juin 1975, je voudrais un "
                  "rendez-vous pour mon dos", _cls(), None, 5.0)
    assert d.collected.name == "Paul Girard" and d.collected.date_of_birth == "1975-06-12"
    assert a.say[-1].kind == "ask_callback"


def test_a_correction_of_the_read_back_name() -> None:
    d = _started(caller_number="+33612345678")
    for text in ("un renouvellement", "Marie Dupont", "le 3 mars 1980", "oui"):
        d.on_turn(text, _cls(), None, 1.0)
    a = d.on_turn("non, c'est Dupond avec un d", _cls(), None, 20.0)
    assert d.collected.name == "Marie Dupond"
    assert a.say[-1].kind == "confirm_form" and "Marie Dupond" in a.say[-1].text
    a = d.on_turn("oui", _cls(), None, 25.0)
    assert a.end_call and d.collected.confirmed


def test_form_fields_from_the_classifier_are_checked_and_not_asked_again() -> None:
    d = _started(caller_number="+33612345678")
    form = TriageForm(caller_name=FormField("Jean Petit", 0.9),
                      date_of_birth=FormField("1970-01-02", 0.9))
    a = d.on_turn("Jean Petit, né le 2 janvier 1970, pour un renouvellement", _cls(), form, 4.0)
    assert a.say[-1].kind == "ask_callback" and "06 12 34 56 78" in a.say[-1].text
    a = d.on_turn("oui", _cls(), form, 6.0)
    assert a.say[-1].kind == "confirm_form"


def test_a_greeting_alone_is_not_the_reason() -> None:
    d = _started()
    assert d.on_turn("Bonjour.", _cls(), None, 2.0).say == ()
    assert d.state is State.REASON
    a = d.on_turn("je voudrais un rendez-vous", _cls(), None, 4.0)
    assert a.say[-1].kind == "ask_name"


def test_urgent_says_clinician_calls_back_today() -> None:
    d = _started()
    a = d.on_turn("fièvre à 39 depuis trois jours", _cls(Urgency.URGENT), None, 4.0)
    assert a.say[0].kind == "urgent" and "aujourd'hui" in a.say[0].text
    assert a.handoff is None and a.say[-1].kind == "ask_name"


def test_caller_asks_for_a_person() -> None:
    d = _started()
    a = d.on_final("euh je veux parler à quelqu'un", _cls(), 2.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN
    assert d.state is State.WAITING_FOR_HUMAN and d.listening


def test_waiting_for_a_human_still_listens_and_a_red_flag_escalates() -> None:
    d = _started()
    a = d.on_policy_handoff("in doubt: a tele-secretary takes the call", 3.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.POLICY
    assert d.state is State.WAITING_FOR_HUMAN and d.listening and d.state not in ACTIVE
    assert d.on_turn("il a mal", _cls(), None, 6.0).say == ()  # no more questions
    a = d.on_evidence(_cls(Urgency.EMERGENCY, (RedFlag.CHEST_PAIN,)), 9.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.EMERGENCY
    d.on_human_joined(12.0)
    assert d.state is State.WITH_HUMAN and not d.listening


def test_silence_reprompts_once_then_human() -> None:
    d = Dialogue("cabinet", "fr", silence_timeout_s=5.0)
    d.start(0.0)
    d.on_agent_done_speaking(6.0)
    assert d.on_silence(10.0).say == ()
    a = d.on_silence(11.5)
    assert a.say and a.say[0].kind == "reprompt" and a.handoff is None
    assert "motif" in a.say[0].text
    a = d.on_silence(17.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN


def test_speech_resets_the_silence_timer() -> None:
    d = Dialogue("cabinet", "fr", silence_timeout_s=5.0)
    d.start(0.0)
    d.on_speech_start(3.0)
    assert d.on_silence(30.0).say == ()


def test_fault_goes_to_human_with_transfer_notice() -> None:
    d = Dialogue("cabinet", "en")
    d.start(0.0)
    a = d.on_fault("recognizer", 4.0)
    assert a.handoff is not None and a.handoff.kind is HandoffKind.HUMAN
    assert "transferring" in a.say[0].text and a.say[0].interrupt


@pytest.mark.parametrize("category", [*(f.value for f in RedFlag), "sepsis", "acute_abdomen",
                                      "diabetic", "not_yet_a_category"])
def test_every_category_has_a_yes_no_question_in_both_languages(category: str) -> None:
    for language in ("fr", "en"):
        question = confirm_question(category, language)
        assert question.endswith("?") and len(question) > 10
    if category != "not_yet_a_category":
        assert category in CONFIRM_QUESTIONS


def test_a_denied_suspected_flag_takes_back_the_urgency_it_alone_raised() -> None:
    # "les résultats de ma prise de sang": "sang" is partial evidence of bleeding, which made
    # the call urgent although the model scored it routine.
    from dataclasses import replace

    from classifier.types import FormField as Field

    d = _started()
    c = replace(_cls(Urgency.URGENT, suspected=(RedFlag.BLEEDING,)),
                urgency_scores={"routine": 0.99, "urgent": 0.005, "emergency": 0.005})
    a = d.on_turn("Je voudrais les résultats de ma prise de sang.", c, None, 3.0)
    assert a.say[-1].kind == "confirm_flag"
    a = d.on_turn("Nord.", c, None, 6.0)  # "Non." as the recognizer wrote it
    assert [u.kind for u in a.say] == ["ask_name"]  # no "a clinician calls back today"
    assert d.without_denied(c).urgency is Urgency.ROUTINE
    form = TriageForm(red_flags=(Field(RedFlag.BLEEDING, 0.7),))
    shown = d.form_without_denied(form)
    assert shown is not None and shown.red_flags == ()


def test_a_clause_read_by_the_heads_is_acted_on_at_once_and_counts_as_the_heads_guess() -> None:
    # The stream's `model:clause` flag (the heads on a completed clause the protocol already
    # suspected) is acted on like a rule's, so replay and live call flag at the same moment;
    # the form and the hub still treat it as the heads' guess.
    from dataclasses import replace

    from classifier.form import extract_form

    clause = RedFlagHit(RedFlag.STROKE, Span(0, 1, "x"), "model:clause", confirmed=True)
    c = replace(_cls(Urgency.EMERGENCY), red_flags=(clause,))
    assert protocol_hits(c) == (clause,)
    assert clause.from_model and RedFlagHit(RedFlag.STROKE, None, "model").from_model
    assert RedFlagHit(RedFlag.STROKE, None, "similarity+model").from_model
    assert not RedFlagHit(RedFlag.STROKE, None, "stroke.fr.face").from_model
    d = _started()
    d.denied_flags.add("stroke")
    assert d.without_denied(c).red_flags == ()
    form = extract_form("il a la bouche de travers", "fr", c)
    assert [f.confidence for f in form.red_flags] == [0.7]
