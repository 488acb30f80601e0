"""Pictures a caller tells but is not living, and plain words for ones they are (issue 13,
session 12).

- A story on a screen or a page is not the caller's: "a film where a man collapsed with a
  heart attack" is read as a past frame, but only with "where" / "où" ("he collapsed in the
  movie theatre" is today's).
- A hypothetical is not today's picture: "si jamais il refait une crise", "if he ever has
  another seizure" are questions about what to do, like "au cas où" / "in case".
- "Tu vas me tuer" / "vous allez me tuer" is an idiom about someone else, like "ça va me tuer";
  "je vais me tuer" is not.
- A face "gone wonky" is a droop, and speech that "comes out as nonsense" is speech trouble
  (FAST).
- A farewell with a bridge, a roof or a railway named is asked about (HAS, crise suicidaire:
  a farewell is a warning sign of a suicide being prepared); a letter for a birthday is not.

Every case written by hand; none copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag
from tests.triage_checks import assert_not_raised, assert_raised

NOT_EMERGENCIES = (
    "we saw a movie yesterday where a woman had a stroke, now my mum is scared, she feels fine",
    "my son watched a film where someone stopped breathing and he keeps asking about it",
    "on a vu un film hier où un homme faisait un infarctus, ma femme voudrait un bilan",
    "si jamais elle refait une crise d'épilepsie, qu'est-ce qu'on doit faire ? là elle va bien",
    "if she ever has a fit lasting over five minutes, what should we do? she's well today",
    "tu vas me tuer avec tes questions, je voudrais juste déplacer mon rendez-vous",
    "vous allez me tuer, j'ai encore oublié ma carte vitale, je peux l'apporter demain ?",
)


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_a_picture_told_but_not_lived_is_not_raised(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


STILL_RAISED = (
    (RedFlag.CONSCIOUSNESS, "my husband collapsed in the movie theatre and he isn't breathing"),
    (RedFlag.CONSCIOUSNESS, "au cinéma mon père s'est effondré, il ne répond plus"),
    (RedFlag.SUICIDAL, "je vais me tuer ce soir, j'ai tout préparé"),
    (RedFlag.SEIZURE, "elle refait une crise d'épilepsie depuis dix minutes, ça ne s'arrête pas"),
)


@pytest.mark.parametrize(("flag", "text"), STILL_RAISED)
def test_the_picture_lived_now_is_still_raised(rules: Classifier, flag: RedFlag,
                                               text: str) -> None:
    assert_raised(rules, flag, text)


PLAIN_STROKE_WORDS = (
    "my wife's face has gone all wonky on the left and she can't lift that arm",
    "his face is wonky on one side since lunch",
    "when she talks it comes out as nonsense and her right hand is weak",
)


@pytest.mark.parametrize("text", PLAIN_STROKE_WORDS)
def test_plain_words_for_a_droop_or_speech_trouble_raise_a_stroke(rules: Classifier,
                                                                   text: str) -> None:
    assert_raised(rules, RedFlag.STROKE, text)


def test_a_farewell_with_a_bridge_named_is_asked(rules: Classifier) -> None:
    # With a time said as well ("tonight") it is an established scenario and raised
    # (test_heads_settled_episode.py); without one, asked.
    c = assert_not_raised(
        rules, "I've written a letter to my children and I keep thinking about the bridge")
    assert RedFlag.SUICIDAL in {h.category for h in c.suspected}, c.suspected


def test_a_letter_to_the_children_alone_is_not_asked(rules: Classifier) -> None:
    c = assert_not_raised(rules, "j'ai écrit une lettre à mes enfants pour leur anniversaire")
    assert RedFlag.SUICIDAL not in {h.category for h in c.suspected}, c.suspected
