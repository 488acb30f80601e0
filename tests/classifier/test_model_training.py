"""How the heads are trained (issue 13): validation comes from the training side only, and
recognizer-heard examples weigh more than written ones. Fast: no encoder, no model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from classifier.train import (
    NOISY_WEIGHT,
    Example,
    _default_files,
    _fit_head,
    _is_heard,
    _split,
    read_examples,
)


def _corpus(tmp_path: Path, names: list[str]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    row = {"language": "fr", "text": "je voudrais un rendez-vous", "intent":
           "appointment_booking", "urgency": "routine", "red_flag": None}
    for name in names:
        (corpus / name).write_text(json.dumps(row) + "\n", encoding="utf-8")
    return tmp_path


def test_training_never_reads_a_dev_file(tmp_path: Path) -> None:
    models = _corpus(tmp_path, ["train.jsonl", "compose_train.jsonl", "noisy_train.jsonl",
                                "noisy_train_v2.jsonl", "dev.jsonl", "compose_dev.jsonl",
                                "noisy_dev.jsonl", "noisy_dev_v2.jsonl", "dev_v2.jsonl",
                                "dev_v3.jsonl", "compose_narrative_train.jsonl",
                                "compose_narrative_dev.jsonl", "noisy_train_v3.jsonl"])
    names = [p.name for p in _default_files(models)]
    assert names == ["train.jsonl", "compose_train.jsonl", "compose_narrative_train.jsonl",
                     "noisy_train.jsonl", "noisy_train_v2.jsonl", "noisy_train_v3.jsonl"]


def test_validation_holds_out_whole_situations_heard_copies_included() -> None:
    examples = [Example(f"texte {i} {k}", "fr", None, "routine", None, f"f:{i}",
                        group=f"s{i}", traps=("asr_real",) if k else ())
                for i in range(40) for k in range(2)]
    train, dev = _split(examples, seed=13)
    assert dev and train
    assert not {e.group for e in train} & {e.group for e in dev}
    # A written situation and its recognizer-heard copy land on the same side.
    assert sum(map(_is_heard, dev)) == len(dev) // 2


def test_heard_examples_read_from_the_file_are_marked(tmp_path: Path) -> None:
    path = tmp_path / "noisy_train.jsonl"
    path.write_text(json.dumps({"language": "en", "text": "my chest is tight", "intent":
                                "symptom_report", "urgency": "emergency", "red_flag":
                                "chest_pain", "style": "asr_real"}) + "\n", encoding="utf-8")
    (example,) = read_examples(path)
    assert _is_heard(example) and NOISY_WEIGHT > 1


def test_sample_weight_moves_the_linear_head() -> None:
    rng = random.Random(0)
    x = np.array([[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(200)], np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    flipped = np.arange(200) < 20  # a few examples labelled against the trend
    y[flipped] = 1 - y[flipped]
    plain = _fit_head(x, y, 2, "linear", 30, 0)
    weighted = _fit_head(x, y, 2, "linear", 30, 0,
                         np.where(flipped, 20.0, 1.0))
    assert not np.allclose(plain["w"], weighted["w"])
