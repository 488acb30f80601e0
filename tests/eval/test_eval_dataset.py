"""Labeled-set loading: the three item kinds, optional labels, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from eval.dataset import (
    AudioItem,
    DatasetError,
    DialogueItem,
    TextItem,
    load_dataset,
)


def write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_committed_set_loads_all_kinds(data_dir: Path) -> None:
    ds = load_dataset(data_dir / "safety_small.jsonl")
    assert len(ds) == 31 and not ds.skipped
    kinds = {type(i) for i in ds.items}
    assert kinds == {TextItem, DialogueItem}
    first = ds.items[0]
    assert isinstance(first, TextItem)
    assert first.gold.urgency is Urgency.EMERGENCY and first.gold.red_flag is RedFlag.CHEST_PAIN
    assert first.gold.intent is Intent.SYMPTOM_REPORT and first.gold.is_emergency
    unlabeled = next(i for i in ds.items if i.id == "fr-unlabeled-1")
    assert not unlabeled.gold.is_labeled and unlabeled.gold.acceptable is None
    dlg = next(i for i in ds.items if i.id == "fr-dlg-cp")
    assert isinstance(dlg, DialogueItem)
    assert [t.speaker for t in dlg.caller_turns] == ["caller", "caller"]
    assert dlg.text.startswith("Oui bonjour") and "poitrine" in dlg.text


def test_csv_with_acceptable_and_binary_labels(data_dir: Path) -> None:
    ds = load_dataset(data_dir / "small.csv")
    by_id = {i.id: i for i in ds.items}
    assert by_id["csv-1"].gold.red_flag is RedFlag.CHEST_PAIN
    g2 = by_id["csv-2"].gold
    assert g2.urgency_acceptable == frozenset({Urgency.URGENT, Urgency.ROUTINE})
    assert g2.is_emergency is False and g2.acceptable == g2.urgency_acceptable
    g4 = by_id["csv-4"].gold
    # Only the binary label: an emergency whose acceptable answer is emergency alone.
    assert g4.urgency is None and g4.is_emergency is True
    assert g4.acceptable == frozenset({Urgency.EMERGENCY})
    assert by_id["csv-3"].line == 4  # header is line 1


def test_audio_path_is_relative_to_the_set_file(tmp_path: Path) -> None:
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "a.wav").write_bytes(b"RIFF")
    path = write(tmp_path / "set.jsonl", [
        {"id": "a", "language": "fr", "audio": "clips/a.wav", "text": "douleur poitrine",
         "urgency": "emergency", "red_flag": "chest_pain", "triage_terms": ["poitrine"]},
        {"id": "b", "audio": "clips/a.wav"},
    ])
    a, b = load_dataset(path).items
    assert isinstance(a, AudioItem) and a.audio == (tmp_path / "clips" / "a.wav").resolve()
    assert a.reference == "douleur poitrine" and a.triage_terms == ("poitrine",)
    assert isinstance(b, AudioItem) and b.reference is None and b.language is None


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", [{"id": "a", "text": "x"}, "{not json", {"id": "c",
                                                                                 "text": "y"}])
    with pytest.raises(DatasetError, match=r"bad\.jsonl:2: malformed JSON"):
        load_dataset(path)
    ds = load_dataset(path, skip_invalid=True)
    assert [i.id for i in ds.items] == ["a", "c"]
    assert [(s.line, s.reason.split(":")[0]) for s in ds.skipped] == [(2, "malformed JSON")]


def test_unknown_label_lists_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path / "s.jsonl", [{"id": "a", "text": "x", "urgency": "critical"}])
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    msg = str(err.value)
    assert "s.jsonl:1" in msg and "'critical'" in msg
    assert "emergency, urgent, routine" in msg
    path = write(tmp_path / "s2.jsonl", [{"id": "a", "text": "x", "urgency": "emergency",
                                          "red_flag": "heart_attack"}])
    with pytest.raises(DatasetError, match="allowed values: chest_pain, breathing"):
        load_dataset(path)
    path = write(tmp_path / "s3.jsonl", [{"id": "a", "text": "x", "urgency_binary": "yes"}])
    with pytest.raises(DatasetError, match="allowed values: emergency, non_emergency"):
        load_dataset(path)


def test_missing_audio_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "s.jsonl", [{"id": "a", "audio": "nope/missing.wav", "text": "x"}])
    with pytest.raises(DatasetError, match=r"s\.jsonl:1: audio file not found: .*missing\.wav"):
        load_dataset(path)


def test_empty_set_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="empty"):
        load_dataset(write(tmp_path / "e.jsonl", []))
    only_bad = write(tmp_path / "b.jsonl", ["{oops"])
    with pytest.raises(DatasetError, match=r"empty.*1 invalid lines skipped"):
        load_dataset(only_bad, skip_invalid=True)


@pytest.mark.parametrize(("row", "message"), [
    ({"id": "a", "language": "fr"}, 'needs "text", "audio"'),
    ({"id": "a", "text": "x", "urgency": "routine", "red_flag": "stroke"}, "non-emergency"),
    ({"id": "a", "text": "x", "urgency": "routine", "urgency_binary": "emergency"},
     "contradicts"),
    ({"id": "a", "turns": [{"speaker": "nurse", "start": 0, "end": 1, "text": "x"}]},
     "allowed values: caller, regulator, agent"),
    ({"id": "a", "turns": [{"speaker": "caller", "start": 2, "end": 1, "text": "x"}]},
     "before start"),
    ({"id": "a", "turns": [{"speaker": "caller", "start": "soon", "end": 1, "text": "x"}]},
     "number of seconds"),
    ({"id": "a", "text": "x", "urgency": "urgent", "urgency_acceptable": ["routine"]},
     "not among urgency_acceptable"),
    (["a", "list"], "expected a JSON object"),
])
def test_invalid_rows_say_what_was_expected(tmp_path: Path, row: object, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset(write(tmp_path / "s.jsonl", [row]))


def test_duplicate_ids_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r":2: duplicate id 'a' \(first on line 1\)"):
        load_dataset(write(tmp_path / "d.jsonl", [{"id": "a", "text": "x"},
                                                  {"id": "a", "text": "y"}]))
    (tmp_path / "s.txt").write_text("x")
    with pytest.raises(DatasetError, match="expected a .jsonl or .csv"):
        load_dataset(tmp_path / "s.txt")


def test_csv_row_with_too_many_cells(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("id,text\na,hello\nb,hi,extra\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"s\.csv:3: row has more cells"):
        load_dataset(tmp_path / "s.csv")


def test_is_emergency_from_acceptable_alone() -> None:
    from eval.dataset import Gold

    e, u, r = Urgency.EMERGENCY, Urgency.URGENT, Urgency.ROUTINE
    assert Gold(urgency_acceptable=frozenset({e})).is_emergency is True
    assert Gold(urgency_acceptable=frozenset({u, r})).is_emergency is False
    assert Gold(urgency_acceptable=frozenset({e, u})).is_emergency is None  # ambiguous
    assert Gold().is_emergency is None and Gold().acceptable is None
