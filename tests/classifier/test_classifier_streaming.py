"""Streaming: rescored as words arrive, raised at the word, never flapping back."""

from __future__ import annotations

from classifier import Classifier, RedFlag, Urgency


def _feed(stream, words: list[str], start_t: float = 0.0):  # type: ignore[no-untyped-def]
    """Feed a growing partial hypothesis word by word; return urgencies per update."""
    out = []
    for i in range(1, len(words) + 1):
        out.append(stream.update(" ".join(words[:i]), t=start_t + 0.3 * i, final=False))
    return out


def test_raises_at_the_word(rules: Classifier) -> None:
    words = ("euh bonjour c'est pour mon mari il a très mal à la poitrine "  # noqa: SIM905
             "depuis ce matin").split()
    results = _feed(rules.stream("fr"), words)
    first = next(i for i, c in enumerate(results) if c.urgency is Urgency.EMERGENCY)
    assert words[first] == "poitrine"
    hit = results[first].red_flags[0]
    assert hit.category is RedFlag.CHEST_PAIN
    assert hit.t == 0.3 * (first + 1)


def test_full_classifier_raises_at_the_word(classifier: Classifier) -> None:
    words = ["bonjour", "ma", "femme", "elle", "arrive", "plus", "à", "respirer"]
    results = _feed(classifier.stream("fr"), words)
    urgencies = [c.urgency for c in results]
    first = urgencies.index(Urgency.EMERGENCY)
    assert words[first] == "respirer"
    assert all(u is Urgency.EMERGENCY for u in urgencies[first:])


def test_never_flaps_back_until_cleared(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.update("il a mal à la poitrine", t=1.0, final=False)
    # The recognizer revises its partial hypothesis: the evidence disappears from the text.
    c = s.update("il a mal à la", t=1.5, final=False)
    assert c.urgency is Urgency.EMERGENCY and c.red_flags[0].t == 1.0
    c = s.update("il a mal à la tête", t=2.0, final=True)
    assert c.urgency is Urgency.EMERGENCY
    c = s.update("non en fait ça va mieux", t=4.0, final=True)
    assert c.urgency is Urgency.EMERGENCY and s.emergency
    s.clear_emergency(by="dr.martin")
    c = s.update("merci au revoir", t=6.0, final=True)
    assert c.urgency is not Urgency.EMERGENCY and not c.red_flags
    # New evidence after the clearance raises again.
    c = s.update("ah si il respire plus", t=7.0, final=False)
    assert c.urgency is Urgency.EMERGENCY and c.red_flags[0].category is RedFlag.BREATHING


def test_finals_accumulate_and_form_covers_the_call(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.update("bonjour je m'appelle Marie Dupont", t=1.0, final=True)
    s.update("c'est pour mon bébé de six semaines", t=3.0, final=True)
    c = s.update("il a trente-huit cinq de fièvre", t=5.0, final=True)
    assert c.urgency is Urgency.EMERGENCY
    assert c.red_flags[0].category is RedFlag.INFANT_FEVER
    form = s.form()
    assert form.caller_name is not None and form.caller_name.value == "Marie Dupont"
    assert form.patient_age is not None and form.patient_age.value.unit == "weeks"
    assert form.temperature_c is not None and form.temperature_c.value == 38.5


def test_clear_needs_a_name(rules: Classifier) -> None:
    import pytest

    s = rules.stream()
    with pytest.raises(ValueError, match="who cleared"):
        s.clear_emergency(by="")


def test_a_routine_call_heard_word_by_word_ends_routine(classifier: Classifier) -> None:
    # The heads guess wildly on two words ("Bonjour, je"); that guess must not latch.
    stream = classifier.stream("fr")
    said = "Bonjour, je voudrais déplacer mon rendez-vous de mardi à jeudi."
    words = said.split()
    for k in range(1, len(words) + 1):
        result = stream.update(" ".join(words[:k]), t=0.3 * k, final=k == len(words))
    assert result.urgency.value == "routine"
    assert result.intent.value == "appointment_change"
    assert not stream.emergency


def test_a_long_call_keeps_reading_its_newest_words(rules: Classifier) -> None:
    """Past ``max_chars`` the call is read from its newest words: a red flag said after five
    minutes of small talk is still raised, and no update asks for review as `truncated`."""
    s = rules.stream("fr")
    filler = "oui alors je vous explique pour le rendez-vous de la semaine prochaine"
    t = 0.0
    while len(s.text) <= 2 * rules.config.max_chars:
        t += 5.0
        c = s.update(filler, t=t, final=True)
        assert c.urgency is not Urgency.EMERGENCY
        assert "truncated" not in c.review_reasons
    c = s.update("et là mon mari il a très mal à la poitrine", t=t + 5.0, final=True)
    assert c.urgency is Urgency.EMERGENCY
    assert c.red_flags[0].category is RedFlag.CHEST_PAIN
    assert "truncated" not in c.review_reasons


def test_the_heads_read_the_latest_utterances(rules: Classifier) -> None:
    """The heads read the newest utterance and the finals before it up to
    ``model_context_words`` words, never the call's first 256 tokens only."""
    s = rules.stream("fr")
    older = ["bonjour c'est pour ma mère", *["oui d'accord je comprends bien"] * 40]
    for k, text in enumerate(older):
        s.update(text, t=float(k), final=True)
    latest = "elle ne respire plus"
    s._partial = latest
    full = s.text
    start = s._model_from(full, latest)
    read = full[start:]
    assert read.endswith(latest)
    assert len(read.split()) <= rules.config.model_context_words
    assert len(read.split()) > rules.config.model_context_words - 6  # whole finals, no less
    assert not read.startswith("bonjour")  # the first words fell out of the window
    assert full[start - 1] == " "  # starts on an utterance boundary


def test_joined_analysis_is_the_analysis_of_the_joined_text() -> None:
    """A call's finals are analysed once and the partial joined to them (`analyse_join`):
    the same tokens, fillers and stutters as analysing the whole text, at the join too."""
    import random

    from classifier.text import analyse, analyse_join

    vocab = ["il", "il", "a", "du", "coup", "mal", "à", "la", "poitrine", "euh", "you", "know",
             "can't", "can't", "breathe", "39,5", "l'", "œdème", "Élodie", ",", ".", "39"]
    rng = random.Random(13)
    for _ in range(300):
        head = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        tail = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 6)))
        whole = analyse(head + " " + tail)
        joined = analyse_join(analyse(head), tail)
        assert joined == whole, (head, tail)
        assert joined.words_with_punct == whole.words_with_punct
        again = analyse_join(joined, "et là il il respire plus")
        assert again == analyse(head + " " + tail + " et là il il respire plus")
