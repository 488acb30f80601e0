"""Triage form pre-fill on realistic utterances (typed and as the recognizer writes them)."""

from __future__ import annotations

from classifier import Classifier, Intent, RedFlag, Urgency


def _form(clf: Classifier, text: str, lang: str = "fr"):  # type: ignore[no-untyped-def]
    c = clf.classify(text, lang)
    return clf.extract_form(text, lang, c)


def test_french_emergency_call(rules: Classifier) -> None:
    text = ("euh bonjour je m'appelle Marie Dupont c'est pour mon mari il a mal à la poitrine "
            "depuis une heure rappelez-moi au 06 12 34 56 78")
    f = _form(rules, text)
    assert f.caller_name is not None and f.caller_name.value == "Marie Dupont"
    assert f.relationship is not None and f.relationship.value == "spouse"
    assert f.callback_number is not None and f.callback_number.value == "+33612345678"
    assert f.onset is not None and "une heure" in f.onset.value
    assert f.urgency is not None and f.urgency.value is Urgency.EMERGENCY
    assert [r.value for r in f.red_flags] == [RedFlag.CHEST_PAIN]
    assert any("poitrine" in s.value for s in f.symptoms)
    assert f.reason is not None and "chest pain" in f.reason.value
    # Spans point into the text.
    assert f.callback_number.span is not None
    assert text[f.callback_number.span.start:f.callback_number.span.end] == "06 12 34 56 78"


def test_spoken_numbers(rules: Classifier) -> None:
    text = ("mon bébé de six semaines a trente-neuf de fièvre mon numéro c'est zéro six douze "
            "trente-quatre cinquante-six soixante-dix-huit")
    f = _form(rules, text)
    assert f.patient_age is not None
    assert (f.patient_age.value.amount, f.patient_age.value.unit) == (6.0, "weeks")
    assert f.temperature_c is not None and f.temperature_c.value == 39.0
    assert f.callback_number is not None and f.callback_number.value == "+33612345678"
    assert f.relationship is not None and f.relationship.value == "child"


def test_booking_call(rules: Classifier) -> None:
    text = ("Bonjour, je voudrais un rendez-vous avec le docteur Lefebvre demain matin pour ma "
            "fille, elle s'appelle Léa, elle est née le 3 mars 2015.")
    f = _form(rules, text)
    assert f.intent is not None and f.intent.value is Intent.APPOINTMENT_BOOKING
    assert f.requested_practitioner is not None and "Lefebvre" in f.requested_practitioner.value
    assert f.preferred_time is not None and f.preferred_time.value == "demain matin"
    assert f.patient_name is not None and f.patient_name.value == "Léa"
    assert f.date_of_birth is not None and f.date_of_birth.value == "2015-03-03"
    # dateparser is filtered: no caller name or date from "je".
    assert f.caller_name is None or f.caller_name.value != "Lefebvre"


def test_pregnancy_and_international_number(rules: Classifier) -> None:
    text = ("hello my name is Emma Brown I'm 32 weeks pregnant and I'm bleeding "
            "call me back on +44 7700 900123")
    f = _form(rules, text, "en")
    assert f.caller_name is not None and f.caller_name.value == "Emma Brown"
    assert f.pregnancy_weeks is not None and f.pregnancy_weeks.value == 32
    assert f.callback_number is not None and f.callback_number.value == "+447700900123"
    assert f.relationship is not None and f.relationship.value == "self"
    assert RedFlag.OBSTETRIC in [r.value for r in f.red_flags]


def test_english_age_and_fahrenheit(rules: Classifier) -> None:
    f = _form(rules, "my 3 year old son has a fever of 102 F since yesterday", "en")
    assert f.patient_age is not None and f.patient_age.value.amount == 3.0
    assert f.patient_age.value.unit == "years"
    assert f.temperature_c is not None and abs(f.temperature_c.value - 38.9) < 0.05
    assert f.onset is not None and "yesterday" in f.onset.value


def test_empty_text_gives_an_empty_form(rules: Classifier) -> None:
    f = _form(rules, "   ")
    assert f.caller_name is None and f.callback_number is None and not f.symptoms
    assert f.to_dict()["intent"]["value"] == "other"
