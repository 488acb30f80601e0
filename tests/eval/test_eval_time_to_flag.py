"""Time to flag per dialogue (issue 13): when the decisive words were spoken (``evidence``),
where and by what the flag came, and the aggregates per kind of evidence; hand-computed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eval.dataset import DatasetError, DialogueItem, dataset_from_rows, load_dataset
from eval.external import SetRow, format_table
from eval.metrics import flag_timing
from eval.report import flag_timing_text, write_report
from eval.runner import build_report
from eval.types import FlagMoment

CORPUS = Path(__file__).resolve().parents[2] / "models" / "corpus"

TURNS = [
    {"speaker": "regulator", "start": 0.0, "end": 1.0, "text": "SAMU j'écoute"},
    {"speaker": "caller", "start": 2.0, "end": 4.0, "text": "c'est pour mon mari"},
    {"speaker": "regulator", "start": 5.0, "end": 6.0, "text": "il respire ?"},
    # 5 words over 10 s: word i of 5 is heard at 7 + 2 * i.
    {"speaker": "caller", "start": 7.0, "end": 17.0, "text": "non, il respire plus vraiment"},
]


def _row(evidence: object, **extra: Any) -> dict[str, Any]:
    return {"id": "d1", "language": "fr", "urgency": "emergency", "turns": TURNS,
            "evidence": evidence, **extra}


def test_evidence_time_is_the_last_decisive_word_on_the_replay_clock() -> None:
    item = dataset_from_rows([_row({"turn": 1, "words": "il respire plus",
                                    "kind": "answer_to_question"})]).items[0]
    assert isinstance(item, DialogueItem) and item.evidence is not None
    assert item.evidence.kind == "answer_to_question"
    # "plus" is word 4 of 5 of the second caller turn: 7 + 10 * 4 / 5.
    assert item.evidence_time == pytest.approx(15.0)
    first = dataset_from_rows([_row({"turn": 0, "words": "c'est", "kind": "x"})]).items[0]
    assert isinstance(first, DialogueItem) and first.evidence_time == pytest.approx(2.5)


@pytest.mark.parametrize(("evidence", "message"), [
    ({"turn": 2, "words": "non", "kind": "x"}, "index of the 2 caller turns"),
    ({"turn": 1, "words": "elle respire", "kind": "x"}, "are not in caller turn 1"),
    ({"turn": 1, "words": "non", "kind": " "}, "kind must be a non-empty string"),
    ("turn 1", "evidence must be"),
    ({"turn": True, "words": "non", "kind": "x"}, "turn must be an index"),
])
def test_bad_evidence_says_what_was_expected(evidence: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataset_from_rows([_row(evidence)])


def test_evidence_needs_a_dialogue(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"id": "t1", "text": "bonjour",
                                "evidence": {"turn": 0, "words": "bonjour", "kind": "x"}})
                    + "\n")
    with pytest.raises(DatasetError, match=r"set.jsonl:1: evidence .* needs turns"):
        load_dataset(path)


def test_committed_dialogue_set_has_evidence_for_every_emergency() -> None:
    items = load_dataset(CORPUS / "dev_v3_dialogues.jsonl").items
    assert len(items) >= 20 and all(isinstance(i, DialogueItem) for i in items)
    for item in items:
        assert isinstance(item, DialogueItem)
        if item.gold.is_emergency:
            assert item.evidence is not None and item.evidence_time is not None, item.id
            caller = item.caller_turns[item.evidence.turn]
            assert caller.start < item.evidence_time <= caller.end, item.id


def _flag(t: float, turn: int, word: int, words: int, source: str,
          category: str = "stroke") -> FlagMoment:
    return FlagMoment(t=t, turn=turn, word=word, words=words, final=word == words,
                      turn_start=t - 2.0, category=category, source=source)


@pytest.fixture()
def timed(mk: Callable[..., Any]) -> list[Any]:
    d = "dialogue"
    return [
        # rule on the word, 0.5 s after the decisive words: on time, right category
        mk("a", kind=d, gold_urgency="emergency", gold_flag="stroke", pred="emergency",
           hits=("stroke",), time_to_flag_s=10.5, flag=_flag(10.5, 1, 3, 8, "stroke.face"),
           evidence_t=10.0, evidence_kind="description"),
        # heads at the end of the turn, 6 s late, wrong category
        mk("b", kind=d, gold_urgency="emergency", gold_flag="stroke", pred="emergency",
           hits=("consciousness",), time_to_flag_s=26.0,
           flag=_flag(26.0, 2, 9, 9, "model", "consciousness"), evidence_t=20.0,
           evidence_kind="description"),
        # heads on an earlier, vaguer turn: flagged 4 s before the decisive words
        mk("c", kind=d, gold_urgency="emergency", gold_flag="bleeding", pred="emergency",
           hits=("bleeding",), time_to_flag_s=8.0, flag=_flag(8.0, 0, 5, 5, "model",
                                                              "bleeding"),
           evidence_t=12.0, evidence_kind="answer_to_question"),
        # never flagged
        mk("e", kind=d, gold_urgency="emergency", gold_flag="sepsis", pred="urgent",
           evidence_t=30.0, evidence_kind="answer_to_question"),
        # a routine call flagged by similarity (a false alarm): counted in the signals only
        mk("r", kind=d, gold_urgency="routine", pred="emergency", hits=("suicidal",),
           time_to_flag_s=4.0, flag=_flag(4.0, 0, 4, 4, "similarity+model", "suicidal")),
        # a routine call not flagged, and a text item: not in the breakdown
        mk("q", kind=d, gold_urgency="routine", pred="routine"),
        mk("t", gold_urgency="emergency", pred="emergency", hits=("stroke",)),
    ]


def test_flag_timing_by_dialogue_signal_and_evidence_kind(timed: list[Any]) -> None:
    t = flag_timing(timed)
    assert [r.id for r in t.rows] == ["a", "b", "c", "e", "r"]
    assert [r.delay_s for r in t.rows] == [pytest.approx(0.5), pytest.approx(6.0),
                                           pytest.approx(-4.0), None, None]
    assert dict(t.by_signal) == {"model": 2, "rule": 1, "similarity": 1}
    assert t.median_t_by_signal["model"] == pytest.approx(17.0)
    assert t.on_final == 3  # b, c and r were raised on a whole utterance
    assert t.median_turn == pytest.approx(0.5)  # turns 1, 2, 0, 0
    assert t.median_into_turn_s == pytest.approx(2.0)
    assert (t.category_right, t.category_known) == (2, 3)  # a and c; b raised consciousness
    kinds = t.by_evidence_kind
    description, answer = kinds["description"], kinds["answer_to_question"]
    assert (description.n, description.flagged, description.before, description.on_time,
            description.late, description.missed) == (2, 2, 0, 1, 1, 0)
    assert description.median_delay_s == pytest.approx(3.25)
    assert (answer.n, answer.flagged, answer.before, answer.late, answer.missed) == \
        (2, 1, 1, 0, 1)


def test_outputs_carry_the_breakdown_without_any_words(timed: list[Any],
                                                        tmp_path: Path) -> None:
    report = build_report(timed, dataset="timed")
    files = write_report(report, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "time_to_flag.json").read_text())
    b = next(r for r in data["dialogues"] if r["id"] == "b")
    assert b["by"] == "model" and b["on_final"] is True and b["word"] == "9/9"
    assert b["delay_s"] == pytest.approx(6.0) and b["evidence_kind"] == "description"
    assert data["by_evidence_kind"]["description"]["late"] == 1
    html = files.html.read_text()
    assert "Per kind of decisive evidence" in html and "caller turn 2, word 9/9" in html
    text = flag_timing_text(report)
    assert "model 2 (median 17.0 s)" in text and "description 0/1/1/0 (3.2 s)" in text
    assert "category raised at the flag right 2/3" in text
    assert "text of" not in text  # aggregates only: no item words
    prediction = json.loads(files.predictions.read_text().splitlines()[1])
    assert prediction["flag"]["source"] == "model"
    assert prediction["evidence"] == {"t": 20.0, "kind": "description"}
    table = format_table([SetRow("calls", len(timed), 1.0, report)])
    assert "calls flags: 4 dialogues, raised by model 2" in table


def test_no_dialogue_no_breakdown(hand_results: list[Any], tmp_path: Path) -> None:
    texts = [r for r in hand_results if r.kind == "text"]
    report = build_report(texts)
    assert report.flag_timing is None and flag_timing_text(report) == ""
    write_report(report, tmp_path / "out")
    assert not (tmp_path / "out" / "time_to_flag.json").exists()


def test_slices_by_style_count_routine_false_alarms(mk: Callable[..., Any],
                                                    tmp_path: Path) -> None:
    report = build_report([
        mk("v1", gold_urgency="emergency", pred="emergency", style="vignette"),
        mk("v2", gold_urgency="emergency", pred="urgent", style="vignette"),
        mk("a1", gold_urgency="routine", pred="emergency", style="asr"),
        mk("a2", gold_urgency="routine", pred="routine", style="asr"),
        mk("a3", gold_urgency="urgent", pred="emergency", style="asr"),
        mk("n1", gold_urgency="routine", pred="routine"),
    ])
    vignette, asr = report.by_style["vignette"], report.by_style["asr"]
    assert (vignette.emergency_recall.k, vignette.emergency_recall.n) == (1, 2)
    assert asr.false_alarm is not None and (asr.false_alarm.k, asr.false_alarm.n) == (1, 2)
    assert set(report.by_style) == {"vignette", "asr", "none"}
    from eval.report import style_text

    lines = style_text(report).splitlines()
    assert "style asr: n 3, emergency recall -, routine false alarms 0.500 (1/2)" in lines[0]
    html = write_report(report, tmp_path / "out").html.read_text()
    assert "Slices by style" in html
    assert build_report([mk("x", gold_urgency="routine")]).by_style == {}
