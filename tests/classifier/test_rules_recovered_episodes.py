"""A past episode told to the end (recovered, nothing since) is the follow-up visit, not an
emergency; a relapse said after that ending still is (issue 13, session 10: false alarms).

Callers booking a follow-up often tell the whole story first: the scare, the hospital, then
"depuis je me suis bien remis", "he's been fine ever since, no more episodes". The picture is
asked about (is it there now?), not raised. What comes after the ending decides: "again" or
"encore" with a symptom word is a relapse; "to talk about driving again" is not. Written by
hand for this test, none copied from a dev or evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.text import analyse
from tests.triage_checks import assert_not_raised, assert_raised

RECOVERED_ASKED: tuple[str, ...] = (
    "En mars mon père a eu une grosse douleur dans la poitrine, on lui a posé un stent, il "
    "s'est bien remis, c'est pour le renouvellement de son traitement.",
    "L'hiver dernier j'ai fait une crise d'asthme terrible, je n'arrivais plus à respirer, "
    "je n'en ai plus jamais eu depuis, je voudrais juste ma Ventoline.",
    "Ma fille a fait une crise d'épilepsie à l'école en mai, depuis elle va très bien, aucune "
    "récidive, le neurologue veut un suivi.",
    "My daughter had a seizure at school in May, she's been fine ever since, the consultant "
    "wants her reviewed so we can talk about swimming again.",
    "Two years ago my dad had crushing chest pain and ended up with a stent, he's made a good "
    "recovery, no symptoms since, and he wonders whether he still needs the statin.",
    "Last winter I had an asthma attack and couldn't breathe, it never happened again, I'm "
    "calling for my inhaler prescription.",
)

RELAPSE_RAISED: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.SEIZURE,
     "Il a fait une crise d'épilepsie la semaine dernière, depuis il va bien, mais là il "
     "convulse encore."),
    (RedFlag.SEIZURE,
     "She had a seizure last week, she's been fine since, but she's fitting again."),
    (RedFlag.CHEST_PAIN,
     "I had chest pain yesterday, it was nothing, but I still have pain in my chest."),
    (RedFlag.CHEST_PAIN,
     "Hier j'ai eu mal à la poitrine, ce n'était rien, mais j'ai encore une douleur dans la "
     "poitrine qui serre."),
)


@pytest.mark.parametrize("text", RECOVERED_ASKED)
def test_a_recovered_episode_is_not_raised(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_the_recovered_picture_is_still_asked(rules: Classifier) -> None:
    # No date frames the story here: only its ending says it is over.
    c = rules.classify("I was getting chest pains walking up hills and they put in a stent. "
                       "Since then I haven't had a twinge, can I book my review?")
    assert c.urgency is not Urgency.EMERGENCY
    assert RedFlag.CHEST_PAIN in {h.category for h in c.suspected}, c.suspected


@pytest.mark.parametrize(("flag", "text"), RELAPSE_RAISED)
def test_a_relapse_after_the_ending_is_raised(rules: Classifier, flag: RedFlag,
                                              text: str) -> None:
    assert_raised(rules, flag, text)


def test_another_fit_is_seizure_evidence_and_a_fit_note_is_not(rules: Classifier) -> None:
    assert_raised(rules, RedFlag.SEIZURE,
                  "He had another fit this morning and now he isn't waking up.")
    c = rules.classify("He had another fit this morning.")
    assert c.urgency is Urgency.URGENT, c.review_reasons
    note = assert_not_raised(rules, "I need another fit note for work, the last one ran out.")
    assert note.urgency is Urgency.ROUTINE


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
