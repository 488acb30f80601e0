"""What a bystander reports after the checks a regulator asks for (ERC basic life support:
"regardez si sa poitrine se soulève", "est-ce qu'il est réveillé ?", FAST's "lever les deux
bras", the neck bent forward): said in the bystander's own words, or as the statement a "no"
makes of the regulator's question. Written by hand, rules alone; the same words about a scan, a
sleeping child or an old shoulder injury are traps."""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag
from tests.triage_checks import assert_not_raised, assert_raised


@pytest.mark.parametrize(("text", "flag"), [
    ("sa poitrine ne se soulève pas", RedFlag.BREATHING),
    ("j'ai regardé son ventre ne se soulève plus", RedFlag.BREATHING),
    ("le thorax ne se soulève pas du tout", RedFlag.BREATHING),
    ("his chest isn't rising at all", RedFlag.BREATHING),
    ("I looked and her chest is not moving", RedFlag.BREATHING),
    ("he is not awake", RedFlag.CONSCIOUSNESS),
    ("she's not awake and her lips are blue", RedFlag.CONSCIOUSNESS),
])
def test_a_failed_vital_check_is_raised(rules: Classifier, text: str, flag: RedFlag) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize(("text", "category"), [
    # FAST asks for both arms up: one failing is asked about, not yet a stroke.
    ("il n'arrive pas à lever les deux bras", RedFlag.STROKE),
    ("he can't raise both arms", RedFlag.STROKE),
    # A neck that will not bend is asked about; with a fever it is meningitis (below).
    ("il ne peut pas bouger la nuque", RedFlag.MENINGITIS),
])
def test_a_partial_check_is_asked(rules: Classifier, text: str, category: RedFlag) -> None:
    c = assert_not_raised(rules, text)
    assert category in {h.category for h in c.suspected}, (text, c.suspected)


def test_a_neck_that_will_not_move_with_a_fever_is_meningitis(rules: Classifier) -> None:
    assert_raised(rules, RedFlag.MENINGITIS,
                  "il a 39 de fièvre et il ne peut pas bouger la nuque")


@pytest.mark.parametrize("text", [
    "my son is not awake yet, it's only seven in the morning",
    "he is awake now and talking to me",
    "the tumour is not moving, the scan is stable",
    "je ne peux pas lever les bras au-dessus de la tête depuis ma chute au ski",
])
def test_the_same_words_about_something_else_stay_below_emergency(rules: Classifier,
                                                                   text: str) -> None:
    assert_not_raised(rules, text)
