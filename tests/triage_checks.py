"""Checks shared by the rule tests: one place says what "raised" means for a written case."""

from __future__ import annotations

from classifier import Classification, Classifier, RedFlag, Urgency


def assert_raised(classifier: Classifier, flag: RedFlag, text: str) -> None:
    """``text`` is an emergency with ``flag`` among its red flags; a failure names what was
    only suspected or raised instead."""
    c = classifier.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert flag in {h.category for h in c.red_flags}, (text, [h.source for h in c.red_flags])


def assert_not_raised(classifier: Classifier, text: str,
                      language: str | None = None) -> Classification:
    """``text`` is not an emergency (a trap, or a partial picture that is asked); a failure
    names the rules that raised it. Returns the classification for further checks."""
    c = classifier.classify(text, language)
    assert c.urgency is not Urgency.EMERGENCY, (text, [h.source for h in c.red_flags])
    return c


def answer_word_by_word(classifier: Classifier, question: str | None, answer: str, *,
                        before: str = "", language: str | None = None) -> Classification:
    """A call's stream hears ``before`` (a final), then ``question`` asked, then ``answer``
    word by word as the recognizer gives it, from t = 5 s, 0.3 s a word: only the final is
    read as an answer. Returns the classification after the final."""
    s = classifier.stream(language)
    if before:
        s.update(before, t=1.0, final=True)
    s.asked(question)
    words = answer.split()
    c = None
    for i in range(1, len(words) + 1):
        c = s.update(" ".join(words[:i]), t=5.0 + 0.3 * i, final=i == len(words))
    assert c is not None
    return c


def replay_word_by_word(classifier: Classifier, text: str, language: str, *,
                        fast: bool = True, before: str = "", asked: str | None = None
                        ) -> tuple[int | None, Classification, int]:
    """One caller turn heard word by word (0.4 s a word, the last one final), after ``before``
    (a final) and the agent's ``asked`` question; ``fast`` is the replay's stream (no heads on
    partials). Returns (index of the word that raised the emergency or None, the last result,
    the stream's clause reads)."""
    s = (classifier.stream(language, model_on_partials=False, heads_on_flagged_finals=False)
         if fast else classifier.stream(language))
    if before:
        s.update(before, t=0.5, final=True)
    s.asked(asked)
    words = text.split()
    flagged: int | None = None
    c = None
    for i in range(1, len(words) + 1):
        c = s.update(" ".join(words[:i]), t=1.0 + 0.4 * i, final=i == len(words))
        if flagged is None and c.urgency is Urgency.EMERGENCY:
            flagged = i
    assert c is not None
    return flagged, c, s.clause_reads
