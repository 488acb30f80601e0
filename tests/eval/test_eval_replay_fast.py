"""The fast dialogue replay (heads on whole utterances only, dialogues in parallel processes)
gives the same outcomes as the word-by-word replay with the heads on every partial: same
flags, same categories, same times, same final urgency and intent (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from eval.config import EvalConfig
from eval.dataset import dataset_from_rows
from eval.runner import evaluate


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
]


@pytest.mark.slow
def test_fast_replay_matches_the_word_by_word_replay() -> None:
    dataset = dataset_from_rows([{"id": i, "language": lang, "turns": _turns(*caller)}
                                 for i, lang, caller in DIALOGUES])
    slow = evaluate(dataset, config=EvalConfig(workers=1, model_on_partials=True),
                    progress=False)
    fast = evaluate(dataset, config=EvalConfig(workers=2, model_on_partials=False),
                    progress=False)
    assert [r.id for r in slow.results] == [r.id for r in fast.results]
    for a, b in zip(slow.results, fast.results, strict=True):
        assert a.time_to_flag_s == b.time_to_flag_s, a.id
        assert a.urgency == b.urgency, a.id
        assert a.intent == b.intent, a.id
        assert [(h.category, h.t, h.source) for h in a.red_flags] == \
            [(h.category, h.t, h.source) for h in b.red_flags], a.id
        assert a.emergency_score == pytest.approx(b.emergency_score), a.id
    # The set is not trivial: the emergencies were raised, the routine calls were not.
    flagged = {r.id for r in fast.results if r.predicted_emergency}
    assert {"d1", "d3"} <= flagged
    assert "d2" not in flagged and "d5" not in flagged
