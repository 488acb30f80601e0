"""The fast dialogue replay (heads on whole utterances only, and there only where the protocol
has not already flagged the call; dialogues shared between this process and spawned ones)
gives the same outcomes as the word-by-word replay with the heads on every partial: same
flags, same categories, same times, same final urgency and intent (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.config import EvalConfig
from eval.dataset import DialogueItem, dataset_from_rows, load_dataset
from eval.runner import _replay_parallel, run_item
from eval.types import ItemResult
from tests.eval.replay_checks import assert_fast_replay_matches

CORPUS = Path(__file__).resolve().parents[2] / "models" / "corpus"


def _turns(*caller: str, gap: float = 1.5) -> list[dict[str, Any]]:
    turns, t = [], 0.0
    for k, text in enumerate(caller):
        turns.append({"speaker": "regulator", "start": t, "end": t + 1.0,
                      "text": "SAMU bonjour" if k == 0 else "d'accord"})
        t += 1.0 + gap
        dur = 0.35 * len(text.split())
        turns.append({"speaker": "caller", "start": t, "end": t + dur, "text": text})
        t += dur + gap
    return turns


# Written here (never taken from an external set): emergencies that come mid-call, one told
# over two turns, a routine call, a call the heads alone might be tempted by.
DIALOGUES = [
    ("d1", "fr", ["bonjour c'est pour mon mari", "il a très mal à la poitrine ça serre fort",
                  "oui depuis une demi-heure il transpire"]),
    ("d2", "fr", ["allô je voudrais déplacer mon rendez-vous de jeudi",
                  "oui c'est bien ça si possible la semaine prochaine"]),
    ("d3", "en", ["hello it's my son", "he's been shaking all over for ten minutes",
                  "he won't wake up"]),
    ("d4", "fr", ["ma mère est diabétique", "elle vomit depuis ce matin et elle a très soif",
                  "elle respire vite et fort"]),
    ("d5", "en", ["hi I need a repeat prescription", "yes that's right thank you"]),
    # A rule flag early, then more turns: the heads are skipped on the later finals (but not
    # on the last update), which must change nothing.
    ("d6", "fr", ["mon fils a avalé toute une boîte de somnifères", "il a quinze ans",
                  "il dort beaucoup là", "on habite au deuxième étage"]),
    ("d7", "en", ["my wife is unconscious on the floor", "she's sixty", "she has diabetes",
                  "yes the door is open"]),
    # A long turn flagged by the heads on a completed clause, mid-turn (no final there).
    ("d8", "en", ["hi um I'm calling about my dad he fell down the stairs about an hour ago "
                  "and hit his head on the floor and he was out for a bit and now he's in the "
                  "lounge", "he's seventy"]),
]


@pytest.mark.slow
def test_fast_replay_matches_the_word_by_word_replay() -> None:
    dataset = dataset_from_rows([{"id": i, "language": lang, "turns": _turns(*caller)}
                                 for i, lang, caller in DIALOGUES])
    fast = assert_fast_replay_matches(dataset)
    # The set is not trivial: the emergencies were raised, the routine calls were not.
    flagged = {r.id for r in fast.results if r.predicted_emergency}
    assert {"d1", "d3", "d8"} <= flagged
    d8 = next(r for r in fast.results if r.id == "d8")
    assert d8.flag is not None and not d8.flag.final and d8.flag.source == "model:clause"
    assert "d2" not in flagged and "d5" not in flagged


def _outcome(r: ItemResult) -> dict[str, Any]:
    """Everything a replay reports of an item but its latency (a measurement)."""
    d = r.to_dict()
    d.pop("latency_ms")
    return d


@pytest.mark.slow
def test_decisive_heads_and_shared_queue_match_heads_on_every_final() -> None:
    """On the hand-written dialogue set: the fast path (encoder skipped on finals the protocol
    already flags) gives exactly what the heads on every final give, in this process and in
    a spawned one, with fewer encoder passes."""
    from classifier import Classifier, ClassifierConfig

    items = [i for i in load_dataset(CORPUS / "dev_v3_dialogues.jsonl").items
             if isinstance(i, DialogueItem)]
    classifier = Classifier.load(ClassifierConfig())
    assert classifier.model is not None
    passes = [0]
    encode = classifier.model.predict_with_similarity

    def counted(*args: Any, **kwargs: Any) -> Any:
        passes[0] += 1
        return encode(*args, **kwargs)

    classifier.model.predict_with_similarity = counted  # type: ignore[method-assign]
    every_final = [run_item(i, classifier, model_on_partials=False, decisive_heads=False)
                   for i in items]
    on_every_final = passes[0]
    passes[0] = 0
    decisive = [run_item(i, classifier, model_on_partials=False) for i in items]
    assert 0 < passes[0] < on_every_final  # the gate skipped some passes, not all
    assert [_outcome(r) for r in decisive] == [_outcome(r) for r in every_final]
    classifier.model.predict_with_similarity = encode  # type: ignore[method-assign]

    spawned = _replay_parallel(items, classifier, EvalConfig(), 2, False, "dev_v3_dialogues",
                               parent_replays=False)
    assert [_outcome(spawned[id(i)]) for i in items] == [_outcome(r) for r in decisive]
    # The set is not trivial: most of its emergencies are flagged, with a time.
    flagged = [r for r in decisive if r.gold.is_emergency and r.time_to_flag_s is not None]
    assert len(flagged) >= len([r for r in decisive if r.gold.is_emergency]) // 2
    assert all(r.flag is not None and r.flag.t == r.time_to_flag_s for r in flagged)


def _asked(*pairs: tuple[str, str], gap: float = 0.8) -> list[dict[str, Any]]:
    """Regulator and caller turns, each pair a question and its answer."""
    turns, t = [], 0.0
    for question, answer in pairs:
        for speaker, text, rate in (("regulator", question, 2.8), ("caller", answer, 2.4)):
            dur = max(0.6, len(text.split()) / rate)
            turns.append({"speaker": speaker, "start": round(t, 2),
                          "end": round(t + dur, 2), "text": text})
            t += dur + gap
    return turns


# Written here: the regulator leads, and the red flag comes as an answer (a bare value, a
# manner, a no that opens a longer answer); a routine call answers no to every vital question.
REGULATION = [
    ("r1", "fr", _asked(("SAMU bonjour, j'écoute.", "bonjour mon bébé a de la fièvre 38,5"),
                        ("Il a quel âge ?", "trois semaines"))),
    ("r2", "fr", _asked(("SAMU bonjour, j'écoute.", "c'est mon mari il est sur le canapé"),
                        ("Il respire ?", "pas bien"))),
    ("r3", "fr", _asked(("SAMU bonjour, j'écoute.", "oui bonjour c'est ma voisine"),
                        ("Elle vous répond ?", "non elle est allongée sur le carrelage"))),
    ("r4", "en", _asked(("Ambulance service, what's the address?", "12 Mill Lane"),
                        ("What's happened?", "he's fitting"),
                        ("How long has he been fitting?", "five minutes"))),
    ("r5", "fr", _asked(("SAMU bonjour, j'écoute.",
                         "ma mère est tombée ce matin elle s'est relevée toute seule"),
                        ("Elle s'est cogné la tête ?", "non"),
                        ("Elle a mal quelque part ?", "non elle a rien elle a juste eu peur"))),
]


@pytest.mark.slow
def test_fast_replay_matches_on_answers_to_the_regulator() -> None:
    dataset = dataset_from_rows([{"id": i, "language": lang, "turns": turns}
                                 for i, lang, turns in REGULATION])
    fast = assert_fast_replay_matches(dataset)
    flagged = {r.id for r in fast.results if r.predicted_emergency}
    assert {"r1", "r2", "r3", "r4"} <= flagged
    assert "r5" not in flagged
