"""``eval.evaluate`` end to end with the real engines (session fixtures): a text set, dialogues
replayed through the streaming classifier (time to flag), and a synthesized audio item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import evaluate, load_dataset, write_report
from eval.metrics import misses, term_found, word_error_rate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_report(classifier, data_dir_module):
    return evaluate(load_dataset(data_dir_module / "safety_small.jsonl"), classifier=classifier,
                    progress=False)


def data_dir_module_path() -> Path:
    return Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def data_dir_module() -> Path:
    return data_dir_module_path()


def test_text_and_dialogue_set(small_report, classifier) -> None:
    report = small_report
    assert report.n == 31
    by_id = {r.id: r for r in report.results}
    # Each item went through the classifier: its version and scores are on every result.
    assert report.model_versions == (classifier.version,)
    assert all(set(r.urgency_scores) >= {"emergency"} for r in report.results)
    assert report.emergency.recall.n == 15 and report.urgency.n_confusion == 30
    assert report.intent.accuracy.n == 30
    # Unlabeled item: run, predicted, counted nowhere in the labeled metrics.
    assert by_id["fr-unlabeled-1"].gold.is_labeled is False
    # The misses are exactly the under-triaged items.
    assert report.misses == misses(report.results)
    assert all(r.urgency.rank < r.gold.urgency.rank for r in report.misses if r.gold.urgency)
    # Slices cover every item once.
    assert sum(s.n for s in report.by_kind.values()) == 31
    assert set(report.by_kind) == {"text", "dialogue"}
    assert set(report.by_language) == {"fr", "en"}
    assert report.latency_ms.p50 is not None and report.latency_ms.p50 > 0


def test_dialogue_replay_flags_when_the_red_flag_is_spoken(small_report) -> None:
    dlg = next(r for r in small_report.results if r.id == "fr-dlg-cp")
    assert dlg.kind == "dialogue" and dlg.text.startswith("Oui bonjour")
    # Caller turn 2 runs 7.0-12.0 s over 13 words; "poitrine" is word 7, spoken by
    # 7 + 5 * 7/13 s. The emergency cannot be raised before that word is heard.
    assert dlg.time_to_flag_s is not None, "the chest-pain dialogue was never flagged"
    assert 7 + 5 * 7 / 13 - 1e-6 <= dlg.time_to_flag_s <= 12.0
    # ...and the protocol raises it on that very word.
    assert dlg.time_to_flag_s == pytest.approx(7 + 5 * 7 / 13)
    assert any(h.category == "chest_pain" and h.t == dlg.time_to_flag_s
               for h in dlg.red_flags)
    ttf = small_report.time_to_flag
    assert (ttf.n, ttf.missed, ttf.median) == (1, 0, dlg.time_to_flag_s)
    # A routine call replayed word by word stays routine: what a 2-word partial seemed to
    # say ("Bonjour, je") must not stick for the rest of the call.
    routine = next(r for r in small_report.results if r.id == "fr-dlg-book")
    assert routine.time_to_flag_s is None
    assert routine.urgency.value == "routine" and not routine.over_triaged


def test_audio_item_through_the_recognizer(classifier, recognizer, speech, tmp_path) -> None:
    said = "Mon père a une forte douleur à la poitrine."
    wav = speech(said, "fr")
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "cp.wav").write_bytes(Path(wav).read_bytes())
    rows = [{"id": "a-cp", "language": "fr", "audio": "clips/cp.wav", "text": said,
             "urgency": "emergency", "red_flag": "chest_pain"},
            {"id": "t-book", "language": "fr", "text": "Je voudrais un rendez-vous mardi.",
             "urgency": "routine"}]
    (tmp_path / "set.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = evaluate(load_dataset(tmp_path / "set.jsonl"), classifier=classifier,
                      recognizer=recognizer, progress=False)
    audio = next(r for r in report.results if r.id == "a-cp")
    assert audio.kind == "audio" and audio.reference == said
    assert "poitrine" in audio.text.lower()  # the transcript, not the reference, was classified
    assert audio.triage_terms, "the protocol found no red-flag words in the reference"
    assert report.asr.n == 1
    assert report.asr.wer == word_error_rate([said], [audio.text]) and report.asr.wer < 0.5
    found = sum(term_found(t, audio.text) for t in audio.triage_terms)
    rate = report.asr.triage_term_recall
    assert (rate.k, rate.n) == (found, len(audio.triage_terms)) == (audio.triage_terms_found,
                                                                   rate.n)
    # This sentence is recognized well enough for the protocol to catch it from the audio.
    assert rate.value == 1.0 and audio.urgency.value == "emergency"
    assert audio.latency_ms > 0
    assert set(report.by_kind) == {"audio", "text"}
    files = write_report(report, tmp_path / "out")
    summary = json.loads(files.summary.read_text())
    assert summary["asr"]["n"] == 1 and summary["asr"]["wer"] == report.asr.wer


def test_coarser_replay_flags_at_the_next_update(classifier, data_dir_module) -> None:
    from eval import EvalConfig
    from eval.dataset import Dataset

    full = load_dataset(data_dir_module / "safety_small.jsonl")
    one = Dataset(path=full.path, items=tuple(i for i in full.items if i.id == "fr-dlg-cp"))
    report = evaluate(one, classifier=classifier, config=EvalConfig(words_per_update=5),
                      progress=False)
    # Updates after words 5, 10, 13 of the 13-word turn (7.0-12.0 s): "poitrine" (word 7)
    # is first heard by the update at word 10, 7 + 5 * 10/13 s.
    assert report.results[0].time_to_flag_s == pytest.approx(7 + 5 * 10 / 13)
