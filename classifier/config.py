"""The classifier's own frozen config, built from Settings in ``pipeline/engines.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClassifierConfig:
    protocol_file: Path | None = None
    """Practice protocol YAML merged over the shipped ``classifier/protocol.yaml``."""
    use_model: bool = True
    """False: protocol-only (rules for red flags, urgency and intent; no encoder is loaded).

    True: protocol + encoder heads. If the encoder or heads cannot be loaded, the classifier
    still runs on the protocol but marks EVERY result ``needs_review`` (reason
    ``model_unavailable``) so a human takes the call: the practice expected the model.
    """
    model_cache_dir: Path | None = None
    """Where ``models.e5.ensure_e5`` assembles the encoder (Settings.model_cache_dir)."""
    encoder_dir: Path | None = None
    """A ready Hugging Face encoder folder; overrides the cache."""
    heads_dir: Path | None = None
    """Trained heads (``heads.safetensors`` + ``heads.json``); default: ``models/heads``."""
    languages: tuple[str, ...] = ("fr", "en")
    """Languages in scope; text detected as another language is flagged for review."""
    default_language: str = "fr"
    max_chars: int = 4000
    """Longer text is truncated (with a warning and a review reason)."""
    num_threads: int = 1
    intent_review_threshold: float = 0.45
    """Intent probability under which the result is flagged ``needs_review``."""
    emergency_threshold: float | None = None
    """Model emergency probability that raises to emergency; None: the value the heads were
    tuned with on the dev split (heads.json)."""
    urgent_threshold: float | None = None
    model_min_words: int = 5
    """Without protocol evidence, the model raises an emergency only on at least this many
    words: on a partial such as "bonjour ma" its probabilities mean nothing."""
    review_threshold: float | None = None
    """Model emergency probability that, without protocol evidence, asks for review."""
    model_alone_threshold: float | None = None
    """P(emergency) at which the heads alone (no protocol suspicion, no similarity support)
    raise an emergency; under it such a model-only emergency is `suspected` (the agent asks).
    None: the heads' value (heads.json)."""
    model_context_words: int = 60
    """In a call, the heads read the latest utterance and the finals before it up to this
    many words (the rules read the whole call): the heads were trained on single utterances
    (a median of about 15 words), and an encoder pass costs with its length (the pass over
    the first 256 tokens of a call was most of a dialogue replay's time)."""
    model_alone_min_words: int = 8
    """...and only on an utterance of at least this many words: a short garbled fragment
    ("Whisse bien ça") is never a model-only emergency."""
    similarity: bool = True
    """Clause-level similarity to the reference bank (`classifier/similarity.py`), computed
    from the heads' encoder pass; needs ``use_model``."""
    similarity_bank: Path | None = None
    """Reference descriptions; default: the shipped ``classifier/similarity_bank.yaml``."""
