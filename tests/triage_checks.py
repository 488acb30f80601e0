"""Checks shared by the rule tests: one place says what "raised" means for a written case."""

from __future__ import annotations

from classifier import Classifier, RedFlag, Urgency


def assert_raised(classifier: Classifier, flag: RedFlag, text: str) -> None:
    """``text`` is an emergency with ``flag`` among its red flags; a failure names what was
    only suspected or raised instead."""
    c = classifier.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert flag in {h.category for h in c.red_flags}, (text, [h.source for h in c.red_flags])
