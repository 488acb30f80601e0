"""A request stays a plain request when the symptoms it names are said absent, and when it
is said in everyday rescheduling words (issue 13, session 10: dev_v3 false alarms).

On a plain request the heads do not raise an emergency alone (`_plain_request`): a check-up
with "pas de fièvre" or "no fever" and "can we move it to next week?" were raised before.
Written by hand for this test, none copied from a dev or evaluation set.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag
from classifier.text import analyse
from tests.triage_checks import assert_not_raised, assert_raised


def test_a_symptom_said_absent_is_no_symptom_report(rules: Classifier) -> None:
    """"pas de fièvre" is counted as said absent, so a check-up request stays a plain request
    (the heads are not asked to raise it); a fever said present is not. The vote itself
    stays in ``intent_votes``: the heads were trained on it."""
    absent = rules.protocol.match(analyse(
        "Mon bébé va très bien, pas de fièvre, c'est pour la visite du neuvième mois."), "fr")
    assert absent.symptoms_said_absent == absent.intent_votes.get("symptom_report") == 1
    assert absent.intent_votes.get("appointment_booking")
    present = rules.protocol.match(analyse("Mon bébé a de la fièvre depuis ce matin."), "fr")
    assert present.intent_votes.get("symptom_report")
    assert present.symptoms_said_absent == 0


@pytest.mark.parametrize("text", [
    "This heat is killing me, I won't make my ten o'clock, could we move it to next week?",
    "Je ne pourrai pas venir jeudi, est-ce qu'on peut changer l'heure ?",
    "Something came up, can you push it back to Friday?",
])
def test_rescheduling_in_plain_words_is_an_appointment_change(rules: Classifier,
                                                              text: str) -> None:
    result = rules.protocol.match(analyse(text), None)
    assert result.intent_votes.get("appointment_change"), result.intent_votes


@pytest.mark.parametrize("text", [
    "Ma fille de deux mois va bien, elle n'a pas de fièvre, c'est pour la visite du deuxième "
    "mois et ses vaccins.",
    "My son is four months old, no fever, he's feeding well, it's for his four-month check.",
])
def test_a_well_baby_check_up_is_not_raised_by_the_heads(classifier: Classifier,
                                                         text: str) -> None:
    assert_not_raised(classifier, text)


def test_a_young_infant_with_fever_still_is(classifier: Classifier) -> None:
    assert_raised(classifier, RedFlag.INFANT_FEVER,
                  "Ma fille de deux mois a 38,5 de fièvre depuis ce matin.")
