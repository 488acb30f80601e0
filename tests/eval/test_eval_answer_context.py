"""The dialogue replay reads a caller's yes/no with the regulator's turn before it
(``EvalConfig.question_context``, issue 13): "Il respire ?" "Non." is flagged at the "non", not
when the caller later says it in their own words. Dialogues written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classifier import Classifier
from eval.config import ConfigError, EvalConfig, load_config
from eval.dataset import dataset_from_rows
from eval.runner import _questions, evaluate
from tests.eval.replay_checks import assert_fast_replay_matches


def _turn(speaker: str, start: float, end: float, text: str) -> dict[str, Any]:
    return {"speaker": speaker, "start": start, "end": end, "text": text}


FALL = [
    _turn("regulator", 0.0, 2.0, "SAMU, j'écoute."),
    _turn("caller", 3.0, 6.0, "Bonjour, c'est pour mon père, il est tombé dans le salon."),
    _turn("regulator", 7.0, 8.0, "D'accord. Il respire ?"),
    _turn("caller", 9.0, 9.5, "Non."),
    _turn("regulator", 10.0, 11.0, "Vous pouvez me décrire ce que vous voyez ?"),
    # 10 words over 5 s: "plus" (word 7) is heard at 12 + 5 * 7 / 10 = 15.5 s.
    _turn("caller", 12.0, 17.0, "il est par terre il respire plus il est bleu"),
]
SEIZURE_EN = [
    _turn("agent", 0.0, 2.0, "Emergency line, what is happening?"),
    _turn("caller", 3.0, 5.0, "It's my husband, he's on the floor in the kitchen."),
    _turn("agent", 6.0, 7.0, "Is he awake? Does he respond when you talk to him?"),
    _turn("caller", 8.0, 9.0, "no he doesn't"),
    _turn("agent", 10.0, 11.0, "Okay. Tell me what you see."),
    # 7 words over 3.5 s: "up" (word 7) at 15.5 s.
    _turn("caller", 12.0, 15.5, "he is not moving he won't wake up"),
]
ROUTINE = [
    _turn("regulator", 0.0, 2.0, "Cabinet médical, bonjour."),
    _turn("caller", 3.0, 6.0, "Bonjour, j'aurais voulu un rendez-vous pour ma toux."),
    _turn("regulator", 7.0, 8.0, "Vous avez mal à la poitrine ?"),
    _turn("caller", 9.0, 9.5, "non"),
    _turn("regulator", 10.0, 11.0, "Vous avez du mal à respirer ?"),
    _turn("caller", 12.0, 13.0, "non pas du tout"),
    _turn("regulator", 14.0, 15.0, "Il a perdu connaissance, votre fils, quand il toussait ?"),
    _turn("caller", 16.0, 16.5, "non"),
    _turn("regulator", 17.0, 18.0, "Jeudi à dix heures, ça vous va ?"),
    _turn("caller", 19.0, 20.0, "oui très bien"),
]


def _dataset() -> Any:
    return dataset_from_rows([
        {"id": "fall", "language": "fr", "urgency": "emergency", "turns": FALL},
        {"id": "seizure", "language": "en", "urgency": "emergency", "turns": SEIZURE_EN},
        {"id": "routine", "language": "fr", "urgency": "routine", "turns": ROUTINE},
    ])


def test_each_caller_turn_gets_the_turn_said_before_it() -> None:
    item = _dataset().items[0]
    assert _questions(item) == ["SAMU, j'écoute.", "D'accord. Il respire ?",
                                "Vous pouvez me décrire ce que vous voyez ?"]


def test_an_answer_flags_at_the_answer_and_without_context_later(rules: Classifier) -> None:
    dataset = _dataset()
    with_context = {r.id: r for r in evaluate(dataset, rules, config=EvalConfig(workers=1),
                                              progress=False).results}
    without = {r.id: r for r in evaluate(
        dataset, rules, config=EvalConfig(workers=1, question_context=False),
        progress=False).results}
    # "Non." to "Il respire ?": flagged at its end, 9.5 s, by the answer.
    fall = with_context["fall"]
    assert fall.time_to_flag_s == pytest.approx(9.5)
    assert fall.flag is not None and fall.flag.by == "answer"
    assert fall.flag.category == "breathing" and fall.flag.turn == 1
    # Without the question: when the caller says it, "il respire plus", 15.5 s.
    assert without["fall"].time_to_flag_s == pytest.approx(15.5)
    assert without["fall"].flag is not None and without["fall"].flag.by == "rule"
    # English: "no he doesn't" to "Does he respond...?" at 9 s; alone, "won't wake up".
    assert with_context["seizure"].time_to_flag_s == pytest.approx(9.0)
    assert with_context["seizure"].flag is not None
    assert with_context["seizure"].flag.category == "consciousness"
    assert without["seizure"].time_to_flag_s == pytest.approx(15.5)
    # Routine: every "non" to a red-flag question stays routine, with or without context.
    for run in (with_context, without):
        assert run["routine"].time_to_flag_s is None
        assert run["routine"].urgency.value != "emergency"
        assert not run["routine"].red_flags


def test_the_report_records_the_mode(rules: Classifier) -> None:
    on = evaluate(_dataset(), rules, config=EvalConfig(workers=1), progress=False)
    off = evaluate(_dataset(), rules, config=EvalConfig(workers=1, question_context=False),
                   progress=False)
    assert on.meta["question_context"] is True and off.meta["question_context"] is False
    assert "preceding question" in EvalConfig().replay_mode
    assert "no question context" in EvalConfig(question_context=False).replay_mode


@pytest.mark.slow
def test_fast_replay_with_answers_matches_the_word_by_word_replay() -> None:
    """With the full classifier: the fast replay (heads on finals, in two processes) and the
    plain one (heads on every word, here) give the same flags and times with answers read."""
    dataset = _dataset()
    fast = assert_fast_replay_matches(dataset)
    # The heads may flag the fall earlier on its own words; never later than the answer.
    flagged = {r.id: r.time_to_flag_s for r in fast.results}
    assert flagged["fall"] is not None and flagged["fall"] <= 9.5
    assert flagged["seizure"] is not None and flagged["seizure"] <= 9.0


def test_the_switch_is_read_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text("replay:\n  question_context: false\n", encoding="utf-8")
    assert load_config(path).question_context is False
    assert load_config(None).question_context is True
    path.write_text("replay:\n  question_context: sometimes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="question_context must be true or false"):
        load_config(path)
