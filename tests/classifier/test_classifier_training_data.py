"""Training data errors name the file and the line; the committed corpus is well formed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.train import TrainDataError, read_examples, repo_models_dir


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "urgency": "routine"}\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(TrainDataError, match=r"bad\.jsonl:2: not valid JSON"):
        read_examples(bad)


def test_unknown_label_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"text": "a", "urgency": "routine"}\n\n'
                   '{"text": "b", "urgency": "critical"}\n', encoding="utf-8")
    with pytest.raises(TrainDataError, match=r"labels\.jsonl:3: unknown urgency label "
                                             r"'critical'; allowed values: emergency"):
        read_examples(bad)


def test_missing_text_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"urgency": "routine"}\n', encoding="utf-8")
    with pytest.raises(TrainDataError, match=r"t\.jsonl:1: missing or empty \"text\""):
        read_examples(bad)


def test_committed_corpus_covers_every_label() -> None:
    from classifier.labels import INTENTS, RED_FLAGS, URGENCIES

    corpus = repo_models_dir() / "corpus"
    train = read_examples(corpus / "train.jsonl") + read_examples(corpus / "compose_train.jsonl")
    dev = read_examples(corpus / "dev.jsonl") + read_examples(corpus / "compose_dev.jsonl")
    assert len(train) + len(dev) >= 8000
    for items in (train, dev):
        assert {e.intent for e in items} - {None} == set(INTENTS)
        assert {e.urgency for e in items} == set(URGENCIES)
        # With the compositional corpus, every category including the issue-13 ones.
        assert {e.red_flag for e in items} - {None} == set(RED_FLAGS)
        assert {e.language for e in items} == {"fr", "en"}
    traps = {t for e in train for t in e.traps}
    assert {"negation", "history", "idiom", "third_party", "downplay", "asr"} <= traps
    # The old generator's dev holds out whole situations (the compositional one holds out
    # clauses: see the next test).
    old_train, old_dev = (read_examples(corpus / f) for f in ("train.jsonl", "dev.jsonl"))
    assert not {e.group for e in old_train} & {e.group for e in old_dev}


def test_corpus_generation_is_seeded(tmp_path: Path) -> None:
    from classifier.corpus.generate import write

    a_train, _ = write(tmp_path / "a", seed=7)
    committed = repo_models_dir() / "corpus" / "train.jsonl"
    assert a_train.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
    first = json.loads(a_train.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"id", "language", "text", "intent", "urgency", "red_flag"}


def test_compositional_corpus_is_seeded_and_holds_out_clauses(tmp_path: Path) -> None:
    from classifier.corpus.compose import write

    train_path, dev_path = write(tmp_path, seed=11, scale=0.8)
    corpus = repo_models_dir() / "corpus"
    assert train_path.read_text(encoding="utf-8") == \
        (corpus / "compose_train.jsonl").read_text(encoding="utf-8")
    train = [json.loads(line) for line in train_path.read_text(encoding="utf-8").splitlines()]
    dev = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines()]
    assert not {r["text"] for r in train} & {r["text"] for r in dev}
    # Every category, every caller role and register, the traps and ASR noise are there.
    from classifier.labels import RED_FLAGS

    assert {r["red_flag"] for r in train} - {None} == set(RED_FLAGS)
    assert {r["role"] for r in train} >= {"self", "spouse", "parent", "child", "neighbour"}
    assert {r["register"] for r in train} >= {"lay", "clinical", "elderly", "teen",
                                              "nonnative"}
    traps = {t for r in train for t in r["traps"]}
    assert {"negation", "history", "idiom", "third_party", "downplay", "asr",
            "past_narrative", "near_miss", "fragment"} <= traps


def test_clauses_are_conjugated_for_who_speaks() -> None:
    from classifier.corpus.compose import PEOPLE, conjugate

    me_fr, husband = PEOPLE["fr"][0], PEOPLE["fr"][2]
    assert conjugate("{s} ne {peut} plus parler et {a} mal", "fr", me_fr) == \
        "je ne peux plus parler et j'ai mal"
    assert conjugate("{sest} cogné la tête", "fr", husband) == "il s'est cogné la tête"
    assert conjugate("{est} en train de se couper", "fr", me_fr) == \
        "je suis en train de me couper"
    me_en, wife = PEOPLE["en"][0], PEOPLE["en"][3]
    assert conjugate("{has} a pain in {his} chest", "en", me_en) == "I have a pain in my chest"
    assert conjugate("{is} cutting {him}self", "en", wife) == "she's cutting herself"
    assert conjugate("{is} cutting {him}self", "en", me_en) == "I'm cutting myself"


def test_narrative_corpus_is_seeded_and_holds_out_clauses(tmp_path: Path) -> None:
    """Long first-person stories (issue 13): the committed files are what the generator
    writes, every red flag and routine kind is there, and the two splits share no text."""
    from classifier.corpus.narratives import ROUTINE_KINDS, write
    from classifier.labels import RED_FLAGS

    train_path, dev_path = write(tmp_path, seed=17)
    corpus = repo_models_dir() / "corpus"
    for made, committed in ((train_path, "compose_narrative_train.jsonl"),
                            (dev_path, "compose_narrative_dev.jsonl")):
        assert made.read_text(encoding="utf-8") == \
            (corpus / committed).read_text(encoding="utf-8")
    train = [json.loads(line) for line in train_path.read_text(encoding="utf-8").splitlines()]
    dev = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines()]
    assert not {r["text"] for r in train} & {r["text"] for r in dev}
    assert {r["red_flag"] for r in train if r["urgency"] == "emergency"} == set(RED_FLAGS)
    assert all(r["red_flag"] is None for r in train if r["urgency"] != "emergency")
    assert {str(r["situation"]).split(":")[1] for r in train
            if r["urgency"] == "routine"} == set(ROUTINE_KINDS)
    # Long: a story of several sentences, not a one-clause trap.
    typed = [r for r in train if r["style"] == "typed"]
    assert min(str(r["text"]).count(".") for r in typed) >= 2
    lengths = sorted(len(str(r["text"])) for r in train)
    assert lengths[len(lengths) // 2] >= 200
    assert {"history", "third_party", "idiom", "downplay", "asr"} <= {
        t for r in train for t in r["traps"]}


def test_narrative_dev_clauses_are_never_trained_on() -> None:
    import random

    from classifier.corpus.compose import _is_dev
    from classifier.corpus.narratives import HISTORY, MILD, _pick

    rng = random.Random(0)
    for options in (*HISTORY.values(), *MILD.values()):
        held_out = [o for o in options if _is_dev(o)]
        assert held_out, "every slot holds out at least one clause"
        for _ in range(50):
            assert not _is_dev(_pick(options, rng, "train", force_dev=False))
            assert _is_dev(_pick(options, rng, "dev", force_dev=True))


@pytest.mark.parametrize(("lang", "kind", "person", "forbidden"), [
    ("fr", "resolved", 0, ("je a ", "je est ", " me a ", "je prend ", "je dort ")),
    ("fr", "chronic", 1, ("je a ", "je est ", "je ne se ")),
    ("fr", "relative", 3, (" elle a eu une appendicite, opéré ", "content de moi")),
    ("en", "worried", 0, ("I gets ", "I isn't ", "I has ", "I is ")),
    ("en", "relative", 2, ("sees me ", "I take the tablets")),
])
def test_narratives_are_conjugated_for_who_tells_them(lang: str, kind: str, person: int,
                                                      forbidden: tuple[str, ...]) -> None:
    import random

    from classifier.corpus import narratives
    from classifier.corpus.compose import PEOPLE

    rng = random.Random(5)
    who = PEOPLE[lang][person]
    for _ in range(200):
        sentences, _, _ = narratives._story(kind, lang, who, rng, "train")
        text = " ".join(sentences) + " "
        for bad in forbidden:
            assert bad not in text, (bad, text)
