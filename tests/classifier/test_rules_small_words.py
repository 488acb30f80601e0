"""Small words that changed a reading: a filler inside a term, a negation said as "nothing" /
"rien", and a reliever's failure said in plain words (issue 13, session 11).

- "like" is a spoken filler ("he's like, not breathing"), skipped in the caller's words and in
  the terms alike, so a term "like a knife" read "a knife" and "I cut my finger on a knife"
  became a worst-ever pain. Terms now keep a word that carries the comparison ("pain like a
  knife"); "works well" read "works" and matched "nothing works" the same way.
- "nothing sudden" / "rien de brutal" said the modifier absent, but neither word was a
  negation cue, so the sudden-breathlessness rule fired (NHS 111 asks for *sudden*
  breathlessness; a caller ruling it out is not that picture).
- "no breathing trouble" matched the "no breathing" of a respiratory arrest.
- NHS 111: an asthma attack whose reliever is not helping is a 999 call; "nothing works",
  "rien n'y fait", "made no difference" say it as well as "not helping".
- A fuzzy (misheard-word) match read "cooking" as "choking" and "cacahuètes" as "cachets":
  words common in the language are now read as themselves.
- A heavy bleed said to have stopped is asked, not raised (MTS: controlled haemorrhage).

Every case written by hand; none copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag
from tests.triage_checks import assert_not_raised, assert_raised

NOT_EMERGENCIES = (
    "I cut my finger on a knife, it's stopped bleeding but might need a look",
    "he slipped with a knife while cooking, a small cut, he'd like it checked",
    "no chest pain, no breathing trouble, I just want to know my test results",
    "no breathing problems at all, it's about my repeat prescription",
    "I get a bit breathless on stairs lately, nothing sudden, can I book an appointment",
    "je suis un peu essoufflée dans les escaliers depuis l'hiver, rien de brutal",
)


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_a_small_word_does_not_make_an_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


STILL_RAISED = (
    (RedFlag.ACUTE_ABDOMEN, "a pain like a knife in my tummy that came on all at once"),
    (RedFlag.BREATHING, "he's got no breathing, he's gone blue"),
    (RedFlag.BREATHING, "suddenly I'm so breathless I can't finish a sentence"),
    (RedFlag.BREATHING, "j'ai été essoufflé d'un coup, brutalement, je n'arrive plus à parler"),
)


@pytest.mark.parametrize(("flag", "text"), STILL_RAISED)
def test_the_emergency_itself_is_still_raised(rules: Classifier, flag: RedFlag,
                                               text: str) -> None:
    assert_raised(rules, flag, text)


RELIEVER_FAILS = (
    "he's having an asthma attack and nothing works, not even his inhaler",
    "my daughter's asthma is bad tonight, we've done the puffs and it made no difference",
    "elle fait une crise d'asthme, on a donné la ventoline, rien n'y fait",
    "crise d'asthme depuis une heure et rien ne la soulage",
)


@pytest.mark.parametrize("text", RELIEVER_FAILS)
def test_an_asthma_attack_whose_reliever_fails_is_raised(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.BREATHING, text)


def test_a_reliever_that_works_fine_is_no_emergency(rules: Classifier) -> None:
    # Many puffs are raised unless the reliever is said to work (breathing.many_puffs).
    assert_not_raised(rules, "he's asthmatic, he had ten puffs and it works fine now, I just"
                             " need a new inhaler")


# A fuzzy match is for a misheard or misspelt word; an everyday word is read as itself
# (protocol.common_words): "cooking" is not "choking", "cacahuètes" are not "cachets".
def test_an_everyday_word_is_not_read_as_the_symptom_it_nearly_spells(rules: Classifier) -> None:
    assert_not_raised(rules, "he slipped with a knife while cooking, a small cut, he'd like"
                             " it checked")
    c = rules.classify("il a mangé des cacahuètes et ses lèvres gonflent, sa gorge serre")
    assert {h.category for h in c.red_flags} == {RedFlag.ANAPHYLAXIS}, c.red_flags


@pytest.mark.parametrize(("flag", "text"), [
    (RedFlag.BREATHING, "he's chocking, he can't get air in"),
    (RedFlag.CHEST_PAIN, "douleur thorasique depuis une heure"),
])
def test_a_misspelt_symptom_word_is_still_read(rules: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


# MTS grades a haemorrhage by whether it is controlled: a heavy bleed the caller says has
# stopped is asked (is it still bleeding, how much was lost), not raised; one that started
# again, or that left the patient pale and faint, is raised.
STOPPED_BLEEDS = (
    "I cut my hand on a knife, it bled a lot but it's stopped now with a tea towel on it",
    "il a beaucoup saigné mais ça ne saigne plus, c'est profond, il faudrait des points",
)


@pytest.mark.parametrize("text", STOPPED_BLEEDS)
def test_a_heavy_bleed_that_stopped_is_asked(rules: Classifier, text: str) -> None:
    c = assert_not_raised(rules, text)
    assert RedFlag.BLEEDING in {h.category for h in c.suspected}, c.suspected


@pytest.mark.parametrize("text", [
    "he cut his leg, it bled a lot, it stopped for a bit but now it's started bleeding again",
    "it bled a lot and it's stopped now but he's very pale and faint",
    "he vomited a lot of blood, it's stopped now",
    "she's bleeding heavily from the cut and it won't stop",
])
def test_a_bleed_restarted_with_shock_or_from_within_is_raised(rules: Classifier,
                                                               text: str) -> None:
    assert_raised(rules, RedFlag.BLEEDING, text)
