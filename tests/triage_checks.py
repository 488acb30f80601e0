"""Checks shared by the rule tests: one place says what "raised" means for a written case."""

from __future__ import annotations

from classifier import Classification, Classifier, RedFlag, Urgency


def assert_raised(classifier: Classifier, flag: RedFlag, text: str) -> None:
    """``text`` is an emergency with ``flag`` among its red flags; a failure names what was
    only suspected or raised instead."""
    c = classifier.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert flag in {h.category for h in c.red_flags}, (text, [h.source for h in c.red_flags])


def assert_not_raised(classifier: Classifier, text: str) -> Classification:
    """``text`` is not an emergency (a trap, or a partial picture that is asked); a failure
    names the rules that raised it. Returns the classification for further checks."""
    c = classifier.classify(text)
    assert c.urgency is not Urgency.EMERGENCY, (text, [h.source for h in c.red_flags])
    return c
