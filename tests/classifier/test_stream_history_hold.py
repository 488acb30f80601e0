"""A red flag told as a past event waits on a partial while the next words may be a history
cue (`StreamingClassifier._hold_for_history`): "mon père a fait un AVC" is not raised before
"il y a deux ans" can follow, and a present emergency is raised at its word as ever.

Hand-written turns, fed word by word as a recognizer's partials, final only at the end."""

from __future__ import annotations

import pytest

from classifier import Classifier, ClassifierConfig, RedFlag, Urgency
from classifier.engine import may_become_cue


@pytest.fixture(scope="module")
def rules() -> Classifier:
    """The written protocol alone: the hold is about its evidence on partials."""
    return Classifier.load(ClassifierConfig(use_model=False))


def _flagged_at(clf: Classifier, text: str, language: str) -> tuple[int | None, Urgency]:
    s = clf.stream(language)
    words = text.split()
    flagged = None
    c = None
    for i in range(1, len(words) + 1):
        c = s.update(" ".join(words[:i]), t=float(i), final=i == len(words))
        if flagged is None and c.urgency is Urgency.EMERGENCY:
            flagged = i
    assert c is not None
    return flagged, c.urgency


@pytest.mark.parametrize(("words", "expected"), [
    ([], True),                                  # nothing said after it yet
    (["il"], True),                              # "il y a ... ans"
    (["il", "y", "a", "deux"], True),
    (["il", "y", "a", "deux", "ans"], False),    # the whole cue: the protocol reads it
    (["il", "est"], False),
    (["two"], True),                             # "* years ago"
    (["two", "hours"], False),
    (["ce", "matin"], False),
])
def test_may_become_cue(words: list[str], expected: bool) -> None:
    cues = [("il", "y", "a", "*", "an*"), ("*", "years", "ago")]
    assert may_become_cue(words, cues) is expected


# -- history said right after the event: never raised on the way ---------------------------------

ROUTINE = [
    ("fr", "oui bonjour alors voilà mon père a fait un AVC il y a deux ans et il faudrait un "
           "rendez-vous pour son suivi"),
    ("fr", "bonjour mon mari a fait un infarctus il y a trois ans il a des stents et il faut "
           "renouveler son ordonnance"),
    ("en", "hello my husband had a heart attack two years ago he's doing well now and he "
           "needs his tablets renewed"),
]


@pytest.mark.parametrize(("language", "text"), ROUTINE)
def test_history_after_the_event_is_not_raised_on_a_partial(rules: Classifier,
                                                            language: str, text: str) -> None:
    # The whole turn is history for the protocol...
    assert rules.classify(text, language).urgency is not Urgency.EMERGENCY
    # ...and so is every partial on the way.
    flagged, _ = _flagged_at(rules, text, language)
    assert flagged is None


# -- present or recent events: raised at once, or as soon as no cue can follow -------------------

@pytest.mark.parametrize(("language", "text", "at_word"), [
    # No past frame: raised at the word that completes the evidence.
    ("fr", "je crois que mon père fait un AVC venez vite", "AVC"),
    ("en", "my husband is having a heart attack please come", "attack"),
    ("fr", "mon fils il convulse il tremble de partout", "convulse"),
    # A past frame, and the next word is no history cue: one word later.
    ("fr", "mon père a fait un AVC ce matin il parle plus", "ce"),
    # "* years ago": any first word may start an English cue, the second decides.
    ("en", "my dad had a heart attack this morning he's grey", "morning"),
    # "il y a dix minutes" starts like "il y a deux ans": raised once it is not.
    ("fr", "mon père a fait un AVC il y a dix minutes", "minutes"),
])
def test_present_event_is_raised(rules: Classifier, language: str, text: str,
                                 at_word: str) -> None:
    flagged, urgency = _flagged_at(rules, text, language)
    words = text.split()
    assert urgency is Urgency.EMERGENCY
    assert flagged == words.index(at_word) + 1


def test_a_final_raises_what_was_held(rules: Classifier) -> None:
    """The utterance ends on the event: nothing can follow, the final raises it."""
    s = rules.stream("fr")
    turn = "mon père a fait un AVC"
    words = turn.split()
    for i in range(1, len(words)):
        assert s.update(" ".join(words[:i]), t=float(i), final=False).urgency \
            is not Urgency.EMERGENCY
    held = s.update(" ".join(words), t=6.0, final=False)
    assert held.urgency is Urgency.URGENT  # waiting, and asked about meanwhile
    assert RedFlag.STROKE in {h.category for h in held.suspected}
    c = s.update(" ".join(words), t=6.5, final=True)
    assert c.urgency is Urgency.EMERGENCY
    hit = next(h for h in c.red_flags if h.category is RedFlag.STROKE)
    assert hit.t == 6.5 and s.held >= 1


def test_an_already_raised_category_is_not_held(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.update("il a fait un AVC", t=1.0, final=True)
    assert s.emergency
    c = s.update("il a fait un AVC", t=3.0, final=False)
    assert c.urgency is Urgency.EMERGENCY
    assert [h.t for h in c.red_flags if h.category is RedFlag.STROKE] == [1.0]
