"""The first clause of a bystander's call, said the way a panicked caller says it (no
punctuation, fillers, repeats), answers SAMU's vital questions and raises at once; the same
words about a thing, a hair colour or the weather do not (issue 13, t-rules, session 6).

SAMU régulation asks first: does the person answer (conscience), breathe normally, what
colour are they. On the floor and not answering, not moving, grey or breathing oddly is the
emergency; a person gone grey is raised alone. Written by hand; none
copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised, assert_raised

RAISED: tuple[str, ...] = (
    "allô oui euh c'est mon mari il est par terre il répond plus",
    "allo allo euh ma mère elle est par terre elle bouge plus",
    "il est tout gris il est par terre",
    "venez vite il est par terre il est tout gris",
    "il est tout gris",
    "il est tout gris et il transpire",
    "oui euh il est par terre et ne bouge plus il est tout blanc",
    "Hi my dad he's on the floor and not moving for five minutes now.",
    "um my dad he's just lying there he won't answer",
    "he's gone all grey and he's sweating",
    "she's on the floor she's breathing funny",
)


@pytest.mark.parametrize("text", RAISED)
def test_a_bystanders_first_clause_raises_at_once(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.CONSCIOUSNESS, text)


def test_a_person_gone_grey_is_raised_alone(rules: Classifier) -> None:
    assert_raised(rules, RedFlag.CONSCIOUSNESS, "my dad he's gone all grey")


@pytest.mark.parametrize("text", [
    "Mes cheveux sont tout gris, je voudrais un rendez-vous.",
    "Il fait tout gris aujourd'hui, je voudrais décaler mon rendez-vous.",
    "J'ai fait tomber mon ordonnance par terre, elle est déchirée.",
    "The sky has gone all grey, can I move my appointment?",
    "His hair has gone grey, is that normal at 30?",
])
def test_a_thing_on_the_floor_or_grey_hair_is_routine(rules: Classifier, text: str) -> None:
    assert assert_not_raised(rules, text).urgency is Urgency.ROUTINE
