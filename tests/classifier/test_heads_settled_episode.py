"""An episode the caller says has settled is asked about, not raised by the heads (issue 13,
session 13).

The encoder heads read an episode's words, not its ending: on routine passages written for
this check they gave P(emergency) 0.97 to a cut thumb that "bled a bit, it's stopped" and
0.99 to a nosebleed that "stopped after ten minutes", and confirmed the protocol's suspicion
on a head bump where the child "cried at once and is playing normally". When the caller says
the trouble stopped or the patient is well now (lexicon ``settled``, or ``resolved``, or a
stopped bleed) and no rule raised, the heads ask (`suspected`) instead of raising. A rule is
never lowered by it, a reopening cue after the ending undoes it ("... but now"), and the
categories the protocol keeps after an ending (a TIA, an ingestion, ...) are still raised.

A category whose defining concepts are all said absent ("pas de fièvre" for an infant's
fever) is ruled out for the similarity signal and for the heads' own category.

Two rule gaps found on the same passages: "idées noires" (the everyday French for thoughts
of dying) is despair, so with means bought or a farewell letter it is a suicide being
prepared; "it passed after ten minutes" ends an episode as "it passed on its own" does.

Session 14: fainting at the sight of blood is vasovagal, not a haemorrhage; "plus rien
après", "il va très bien", "fine straight after" settle; a red painful eye and painless
spotting in pregnancy are seen the same day; a farewell with a place and a time is raised.

Every case written by hand; none copied from an evaluation or corpus set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.protocol import Protocol
from classifier.text import analyse
from tests.triage_checks import assert_not_raised, assert_raised

SETTLED_ROUTINE = (
    ("en", "My daughter caught her finger in the drawer, it bled a bit, it's stopped now "
           "with a plaster."),
    ("en", "He had a nosebleed during the match, it stopped after a few minutes of "
           "pinching."),
    ("en", "I get a bit lightheaded if I stand up quickly, it passes in a second."),
    ("fr", "Ma fille s'est cogné le front contre la porte, elle a pleuré tout de suite, "
           "une petite bosse, elle joue et elle mange normalement."),
    ("fr", "Il a saigné du nez à l'école, ça s'est arrêté tout seul au bout de cinq minutes."),
    ("fr", "J'ai vu des petits points brillants deux secondes en me relevant du canapé, plus "
           "rien après."),
)


@pytest.mark.parametrize(("language", "text"), SETTLED_ROUTINE)
def test_a_settled_episode_is_asked_not_raised_by_the_heads(
        classifier: Classifier, language: str, text: str) -> None:
    c = classifier.classify(text, language)
    assert c.urgency is not Urgency.EMERGENCY, (text, c.emergency_score,
                                                 [h.source for h in c.red_flags])


STILL_EMERGENCIES = (
    # A reopening after the ending: the picture is current again.
    (RedFlag.BLEEDING, "The bleeding stopped for a while but now it's pouring again and "
                       "he's gone very pale and faint."),
    # A kept category: a TIA is an emergency even when it has passed (NHS 111 FAST).
    (RedFlag.STROKE, "Her face drooped on one side and she couldn't lift her arm, it's "
                     "stopped now, she feels fine."),
    # A rule's own evidence is never lowered by a settling cue.
    (RedFlag.SEIZURE, "Il a convulsé pendant dix minutes, ça s'est arrêté mais il ne se "
                      "réveille pas."),
)


@pytest.mark.parametrize(("flag", "text"), STILL_EMERGENCIES)
def test_a_settling_cue_lowers_no_rule_and_no_reopened_picture(
        classifier: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(classifier, flag, text)


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return Protocol.load()


@pytest.mark.parametrize(("language", "text", "settled"), [
    ("en", "it bled a bit, it's stopped now", True),
    ("fr", "il a pleuré tout de suite, il joue normalement", True),
    ("en", "it stopped yesterday but now it's back", False),
    ("fr", "ça s'est arrêté, mais là ça recommence", False),
    ("en", "I have chest pain", False),
    # "came round" ends a seizure only: the physio's visit settles nothing.
    ("en", "the physio came round yesterday and she is bleeding", False),
])
def test_the_protocol_says_when_the_trouble_has_settled(
        protocol: Protocol, language: str, text: str, settled: bool) -> None:
    assert protocol.match(analyse(text), language).settled is settled


@pytest.mark.parametrize(("text", "language", "out"), [
    # "fièvre" is an infection's word too: nothing infectious is said.
    ("Mon bébé de deux mois a le nez bouché, pas de fièvre, il boit bien.", "fr",
     {RedFlag.INFANT_FEVER, RedFlag.MENINGITIS, RedFlag.SEPSIS}),
    ("no fever, no infection that we know of", "en",
     {RedFlag.INFANT_FEVER, RedFlag.MENINGITIS, RedFlag.SEPSIS}),
    # A fever said too: nothing is ruled out.
    ("pas de fièvre hier, mais ce soir 39 de fièvre", "fr", set()),
    # An infection said: sepsis is not ruled out by a fever said absent.
    ("no fever but a chest infection and he's confused", "en",
     {RedFlag.INFANT_FEVER, RedFlag.MENINGITIS}),
])
def test_a_category_whose_defining_concepts_are_said_absent_is_ruled_out(
        protocol: Protocol, text: str, language: str, out: set[RedFlag]) -> None:
    assert protocol.match(analyse(text), language).ruled_out == out


@pytest.mark.parametrize("age", ["deux mois", "trois mois et demi"])
def test_an_infant_with_no_fever_is_not_raised_as_an_infant_fever(
        classifier: Classifier, age: str) -> None:
    # Before: P(emergency) 0.65 / 0.74, raised by the heads (alone or with a similar
    # reference description) although the fever is said absent.
    c = assert_not_raised(classifier, f"Mon bébé de {age} a le nez bouché, pas de fièvre, "
                                      "il boit bien ses biberons.")
    assert RedFlag.INFANT_FEVER not in {h.category for h in c.red_flags}


@pytest.mark.parametrize(("entry", "message"), [
    ("sepsis: [no_such_concept]", "no_such_concept"),
    ("no_such_category: [fever]", "no_such_category"),
    ("sepsis: []", "lists no concept"),  # an empty list would rule sepsis out always
])
def test_a_bad_absent_rules_out_entry_is_refused(tmp_path: Path, entry: str,
                                                  message: str) -> None:
    from classifier.protocol import ProtocolError

    practice = tmp_path / "protocol.yaml"
    practice.write_text(f"settings:\n  absent_rules_out:\n    {entry}\n")
    with pytest.raises(ProtocolError, match=message):
        Protocol.load(practice)


@pytest.mark.parametrize("text", [
    "J'ai des idées noires depuis des mois, et cette nuit j'ai acheté de quoi le faire.",
    "Des idées noires tout le temps, j'ai écrit une lettre à ma famille hier soir.",
    "I wrote a letter to my family and I've got the pills ready for tonight.",
    # A farewell, a place and a time: an established scenario (SAMU RUD), not only asked.
    "I've written letters to my kids and tonight I'll drive up to the bridge.",
])
def test_dark_thoughts_with_means_or_a_farewell_are_raised(rules: Classifier,
                                                           text: str) -> None:
    # "idées noires" is the everyday French for thoughts of dying (a despair word): with
    # means bought or a farewell written, a suicide being prepared (HAS crise suicidaire).
    assert_raised(rules, RedFlag.SUICIDAL, text)


@pytest.mark.parametrize("text", [
    "J'ai eu des idées noires il y a quelques années, ça va beaucoup mieux, c'est pour "
    "renouveler mon traitement.",
    "Last month I had a panic attack, I felt I couldn't breathe, it passed after a few "
    "minutes; I'd like to talk about it.",
])
def test_dark_thoughts_told_as_past_and_an_attack_that_passed_are_not_raised(
        rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_the_held_back_heads_are_named_in_the_review_reasons(classifier: Classifier) -> None:
    # P(emergency) 0.86 here: the heads would have raised it; the audit says why they did not.
    c = classifier.classify("My daughter caught her finger in the drawer, it bled a bit, it's "
                            "stopped now with a plaster.", "en")
    assert c.needs_review and "model_held:settled" in c.review_reasons
    c = classifier.classify("Mon bébé de trois mois et demi a le nez bouché, pas de fièvre, "
                            "il boit bien ses biberons.", "fr")
    assert "model_held:ruled_out:infant_fever" in c.review_reasons


def test_mostly_non_words_are_asked_not_raised_by_the_heads(classifier: Classifier) -> None:
    # What Whisper base heard of a routine sentence written for this check, spoken by the
    # test voice: "Mon fils a la varicelle, ça le gratte mais il a bon moral et pas de fièvre."
    c = assert_not_raised(classifier, "Moufie s'allavaient celles, s'allavaient mes îl'abot "
                                      "moral et pas de fièvre.")
    assert c.needs_review


def test_a_garbled_picture_the_protocol_suspects_is_still_raised(classifier: Classifier
                                                                 ) -> None:
    # Heard for "Il saigne beaucoup, ça s'arrête pas" (2 non-words of 6): the protocol
    # suspects something (a fuzzy breathlessness) and the heads confirm it; the non-words do
    # not hold them back, so the call still goes to a person at once.
    c = classifier.classify("Il s'en boucoute sa haette pas.", "fr")
    assert c.urgency is Urgency.EMERGENCY, c.review_reasons


def test_garbled_counts_non_words_not_names_digits_or_short_text() -> None:
    from classifier.engine import garbled

    def words(text: str) -> list[str]:
        return [w.text for w in analyse(text).words]

    assert garbled(words("Moufie s'allavaient celles, s'allavaient mes îl'abot moral"))
    assert not garbled(words("Mon fils a de la fièvre et il vomit depuis ce matin"))
    assert not garbled(words("My husband takes Xarelto and Kardegic and he fell"))
    assert not garbled(words("Whisse bien ça"))  # too short to say: low content handles it


@pytest.mark.parametrize(("flag", "text"), [
    # Knocked out is a blow with a loss of consciousness (NICE CG176), vomiting after it.
    (RedFlag.TRAUMA, "He was tackled hard at football, got knocked out for a few seconds, "
                     "and now he's been sick twice."),
    (RedFlag.TRAUMA, "Elle a été assommée par une branche, elle a vomi deux fois depuis."),
    # "du mal" as Whisper base writes it from the test voice ("j'ai dimal à respirer").
    (RedFlag.BREATHING, "Depuis ce matin j'ai dimal à respirer, je n'arrive plus à parler."),
])
def test_a_knock_out_and_a_misheard_breathlessness_are_raised(rules: Classifier,
                                                              flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


def test_knocked_out_of_a_cup_is_no_head_injury(rules: Classifier) -> None:
    c = assert_not_raised(rules, "We got knocked out of the cup and he threw up on the coach "
                                 "home, he's gutted.")
    assert RedFlag.TRAUMA not in {h.category for h in c.suspected}


@pytest.mark.parametrize(("language", "text"), [
    ("en", "She went all faint at the sight of blood when her brother cut his knee, she was "
           "fine straight after."),
    ("fr", "Il a fait un petit malaise à la vue du sang pendant son vaccin, il va très bien."),
])
def test_fainting_at_the_sight_of_blood_is_no_haemorrhage(rules: Classifier, language: str,
                                                          text: str) -> None:
    assert_not_raised(rules, text, language)


def test_fainting_from_real_blood_loss_is_still_a_haemorrhage(rules: Classifier) -> None:
    assert_raised(rules, RedFlag.BLEEDING,
                  "He cut his arm on the glass, there's blood everywhere and he fainted.")


@pytest.mark.parametrize(("language", "text"), [
    # FRENCH "œil rouge douloureux" (tri 3): seen the same day, not an emergency by itself.
    ("en", "She has a red painful eye since this morning, can someone call me back?"),
    ("fr", "Mon œil est rouge et douloureux depuis ce matin."),
    # Spotting in an early pregnancy without pain: the same day (NHS: early pregnancy unit).
    ("fr", "Je suis enceinte de deux mois et j'ai quelques traces marron, aucune douleur."),
])
def test_a_red_painful_eye_and_painless_spotting_are_seen_the_same_day(
        rules: Classifier, language: str, text: str) -> None:
    assert rules.classify(text, language).urgency is Urgency.URGENT
