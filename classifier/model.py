"""The encoder (multilingual-e5-small via `transformers`, offline) and the trained heads.

The encoder is frozen: a caller's words become one 384-d vector (``query: `` prefix, mean
pooling, L2 norm, as e5 was trained). Its Linear layers run int8 (torch dynamic quantization):
~10 ms an utterance on one core instead of 25-200 ms in fp32 on the shared machine; heads are
trained on embeddings from this same int8 path, so training and serving see the same numbers.
Heads are tiny numpy MLPs (or linear layers) stored as safetensors (a few hundred KB). Their
input is the standardised embedding joined with a dozen features of what the written protocol
matched (intent keyword votes, protocol urgency): measured on dev, intent macro-F1 goes from
0.76 (embedding only) to 0.97 with them.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifier.config import ClassifierConfig

if TYPE_CHECKING:
    from classifier.similarity import SimilarityResult, SimilaritySignal

HEAD_NAMES = ("intent", "urgency", "red_flag")


@dataclass(frozen=True)
class ModelOutput:
    intent: Mapping[str, float]
    urgency: Mapping[str, float]
    red_flag: Mapping[str, float]


@dataclass(frozen=True)
class Thresholds:
    emergency: float
    urgent: float
    review: float
    alone: float = 0.97
    """P(emergency) at which the heads raise an emergency with no other support (no protocol
    suspicion, no similarity); under it a model-only emergency is `suspected` (ask)."""
    sim_suspect: float = float("inf")
    """Similarity margin that makes a category `suspected` (inf: similarity off)."""
    sim_agree: float = 1.0
    """With the margin at least ``sim_suspect``, the P(emergency) that raises the emergency."""


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "permanence" / "models"


def encoder_folder(config: ClassifierConfig) -> Path:
    if config.encoder_dir is not None:
        return Path(config.encoder_dir)
    from models.e5 import ensure_e5

    return ensure_e5(Path(config.model_cache_dir or _default_cache()))


class E5Encoder:
    """Frozen sentence encoder. Not thread-safe by itself: callers hold a lock."""

    def __init__(self, folder: Path, num_threads: int = 2, quantize: bool = True) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(max(1, num_threads))
        self.torch = torch
        self.folder = Path(folder)
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = self._load_model(folder)
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the eager API is deprecated, still supported
                torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
                                                       dtype=torch.qint8, inplace=True)
        self.model = model
        self.quantized = quantize
        self.variant = "fp16-embeddings+int8-linear-v3" if quantize else "fp32-v3"
        """Changes whenever the numbers the heads see change (part of the embedding cache key)."""
        self.max_tokens = 256  # callers' utterances; longer text is cut (the protocol sees all)

    def _load_model(self, folder: Path) -> Any:
        """Build the BertModel and assign the stored tensors as they are (no fp32 copy of the
        fp16 token table, no second model in memory): peak memory ~ the file size."""
        from safetensors.torch import load_file
        from transformers import BertConfig, BertModel

        torch = self.torch
        config = BertConfig.from_pretrained(str(folder), local_files_only=True)
        with torch.device("meta"):
            model = BertModel(config, add_pooling_layer=False)
        state = load_file(str(Path(folder) / "model.safetensors"))
        missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
        if unexpected or [m for m in missing if "position_ids" not in m]:
            raise ValueError(f"{folder}: not a converted e5 folder (missing {missing}, "
                             f"unexpected {unexpected})")
        # Buffers not stored in the file (position ids) are rebuilt on the CPU.
        for name, buf in list(model.named_buffers()):
            if buf.is_meta:
                module = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
                leaf = name.rsplit(".", 1)[-1]
                if leaf == "position_ids":
                    value = torch.arange(config.max_position_embeddings).expand((1, -1))
                else:
                    value = torch.zeros(buf.shape, dtype=torch.long)
                module.register_buffer(leaf, value, persistent=False)
        return model.eval()

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        torch = self.torch
        out = []
        for i in range(0, len(texts), batch_size):
            batch = ["query: " + t for t in texts[i:i + batch_size]]
            enc = self.tokenizer(batch, padding=True, truncation=True,
                                 max_length=self.max_tokens, return_tensors="pt")
            enc.pop("token_type_ids", None)
            with torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            out.append(pooled.numpy().astype(np.float32))
        if not out:
            return np.zeros((0, 384), dtype=np.float32)
        return np.concatenate(out, axis=0)


    def encode_with_spans(self, text: str, spans: Sequence[tuple[int, int]]
                          ) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass: the utterance embedding (exactly as ``embed([text])[0]``) and one
        vector per character span of ``text``, mean-pooled from the same token states and
        L2-normalised (a zero row when a span holds no token). The clause vectors of the
        similarity signal cost no second encoder pass."""
        torch = self.torch
        prefix = "query: "
        enc = self.tokenizer([prefix + text], padding=True, truncation=True,
                             max_length=self.max_tokens, return_tensors="pt",
                             return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping")[0].numpy()
        enc.pop("token_type_ids", None)
        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        full = torch.nn.functional.normalize(pooled, dim=-1)[0].numpy().astype(np.float32)
        states = hidden[0].numpy().astype(np.float32)
        out = np.zeros((len(spans), states.shape[1]), np.float32)
        start, end = offsets[:, 0] - len(prefix), offsets[:, 1] - len(prefix)
        real = offsets[:, 1] > offsets[:, 0]
        for k, (s, e) in enumerate(spans):
            sel = real & (start >= s) & (end <= e)
            if sel.any():
                v = states[sel].mean(axis=0)
                out[k] = v / max(float(np.linalg.norm(v)), 1e-12)
        return full, out


    def encode_many_with_spans(self, texts: Sequence[str],
                               spans: Sequence[Sequence[tuple[int, int]]],
                               batch_size: int = 32) -> list[np.ndarray]:
        """Clause vectors for many texts, batched by length (offline: training, tools). The
        int8 encoder quantises activations per batch, so these differ slightly (~1e-3) from
        the one-text pass served at call time: fine for choosing thresholds."""
        torch = self.torch
        prefix = "query: "
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray] = [np.zeros((0, 384), np.float32)] * len(texts)
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            enc = self.tokenizer([prefix + texts[i] for i in idx], padding=True,
                                 truncation=True, max_length=self.max_tokens,
                                 return_tensors="pt", return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping").numpy()
            enc.pop("token_type_ids", None)
            with torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state.numpy().astype(np.float32)
            for row, i in enumerate(idx):
                start = offsets[row, :, 0] - len(prefix)
                end = offsets[row, :, 1] - len(prefix)
                real = offsets[row, :, 1] > offsets[row, :, 0]
                vecs = np.zeros((len(spans[i]), hidden.shape[2]), np.float32)
                for k, (s, e) in enumerate(spans[i]):
                    sel = real & (start >= s) & (end <= e)
                    if sel.any():
                        v = hidden[row][sel].mean(axis=0)
                        vecs[k] = v / max(float(np.linalg.norm(v)), 1e-12)
                out[i] = vecs
        return out


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Head:
    labels: tuple[str, ...]
    weights: Mapping[str, np.ndarray]
    kind: str
    """"linear" (w, b) or "mlp" (w1, b1, w2, b2; ReLU)."""
    temperature: float = 1.0
    """Logits are divided by it: fitted on validation data (calibration), 1.0 = as trained."""

    def logits(self, x: np.ndarray) -> np.ndarray:
        w = self.weights
        if self.kind == "linear":
            z = x @ w["w"].T + w["b"]
        else:
            h = np.maximum(x @ w["w1"].T + w["b1"], 0.0)
            z = h @ w["w2"].T + w["b2"]
        return z / self.temperature

    def probs(self, x: np.ndarray) -> np.ndarray:
        return _softmax(self.logits(x))


PROTOCOL_FEATURES = 12
_PROTO_SCALE = 3.0


def protocol_features(result: Any) -> np.ndarray:
    """What the written protocol saw, as head inputs: capped intent keyword votes (7),
    protocol urgency one-hot (3), any suspected red flag, urgent-evidence count (capped)."""
    from classifier.labels import INTENTS

    v: list[float] = [float(min(3, int(result.intent_votes.get(i, 0)))) for i in INTENTS]
    v += [1.0 if result.urgency.rank == k else 0.0 for k in range(3)]
    v += [1.0 if result.suspected else 0.0, float(min(3, len(result.urgent_evidence)))]
    return np.asarray(v, dtype=np.float32) * _PROTO_SCALE


def load_heads(folder: Path) -> tuple[dict[str, Head], dict[str, Any]]:
    from safetensors.numpy import load_file

    meta_path = folder / "heads.json"
    weights_path = folder / "heads.safetensors"
    if not meta_path.exists() or not weights_path.exists():
        raise FileNotFoundError(f"no trained heads in {folder} (expected heads.json and "
                                "heads.safetensors; run `permanence train`)")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    tensors = load_file(str(weights_path))
    heads = {}
    if "input.mean" in tensors:
        meta["_input"] = {"mean": tensors["input.mean"].astype(np.float32),
                          "std": tensors["input.std"].astype(np.float32)}
    for name, spec in meta["heads"].items():
        prefix = f"{name}."
        ws = {k[len(prefix):]: v.astype(np.float32) for k, v in tensors.items()
              if k.startswith(prefix)}
        heads[name] = Head(tuple(spec["labels"]), ws, spec["kind"],
                           float(spec.get("temperature", 1.0)))
    if "bank.refs" in tensors:
        meta["_bank"] = (tensors["bank.refs"].astype(np.float32),
                         tensors["bank.benign"].astype(np.float32))
    return heads, meta


class HeadsModel:
    def __init__(self, encoder: E5Encoder, heads: dict[str, Head], meta: dict[str, Any],
                 similarity: SimilaritySignal | None = None) -> None:
        self.encoder = encoder
        self.heads = heads
        self.meta = meta
        self.similarity = similarity
        self.version = str(meta.get("version", "heads")) + (
            f"+{similarity.version}" if similarity is not None else "")
        self.mean = heads_input["mean"] if (heads_input := meta.get("_input")) else 0.0
        self.std = heads_input["std"] if heads_input else 1.0

    @classmethod
    def load(cls, config: ClassifierConfig) -> HeadsModel:
        from classifier.engine import default_heads_dir

        heads_dir = Path(config.heads_dir) if config.heads_dir else default_heads_dir()
        heads, meta = load_heads(heads_dir)  # fail fast, before the (slower) encoder load
        encoder = E5Encoder(encoder_folder(config), num_threads=config.num_threads,
                            quantize=bool(meta.get("encoder_int8", True)))
        similarity = None
        if config.similarity:
            from classifier.similarity import ReferenceBank
            from classifier.similarity import SimilaritySignal as _Signal

            bank = ReferenceBank.load(config.similarity_bank)
            stored = meta.get("_bank") if meta.get("similarity", {}).get(
                "bank_version") == bank.version else None
            similarity = _Signal(encoder, bank, stored)
        return cls(encoder, heads, meta, similarity)

    def thresholds(self, config: ClassifierConfig) -> Thresholds:
        t = self.meta.get("thresholds", {})
        sim = self.meta.get("similarity", {}) if self.similarity is not None else {}
        return Thresholds(
            alone=config.model_alone_threshold if config.model_alone_threshold is not None
            else float(t.get("alone", 0.97)),
            sim_suspect=float(sim.get("suspect", float("inf"))),
            sim_agree=float(sim.get("agree", 1.0)),
            emergency=config.emergency_threshold if config.emergency_threshold is not None
            else float(t.get("emergency", 0.5)),
            urgent=config.urgent_threshold if config.urgent_threshold is not None
            else float(t.get("urgent", 0.5)),
            review=config.review_threshold if config.review_threshold is not None
            else float(t.get("review", 0.25)),
        )

    def features(self, emb: np.ndarray, proto: np.ndarray) -> np.ndarray:
        """Standardised embedding (train-set mean/std) joined with the protocol features."""
        z = (emb - self.mean) / self.std
        return np.concatenate([z, proto], axis=1).astype(np.float32)

    def predict_vectors(self, x: np.ndarray) -> list[ModelOutput]:
        probs = {name: head.probs(x) for name, head in self.heads.items()}
        out = []
        for i in range(x.shape[0]):
            out.append(ModelOutput(*(
                {label: float(p) for label, p in zip(self.heads[name].labels, probs[name][i],
                                                     strict=True)}
                for name in HEAD_NAMES)))
        return out

    def predict(self, text: str, proto: np.ndarray) -> ModelOutput:
        return self.predict_vectors(self.features(self.encoder.embed([text]),
                                                  proto[None, :]))[0]

    def predict_with_similarity(self, text: str, proto: np.ndarray
                                ) -> tuple[ModelOutput, SimilarityResult]:
        """Heads and similarity from ONE encoder pass (clause vectors pooled from its token
        states)."""
        from classifier.similarity import EMPTY, clause_windows

        if self.similarity is None:
            return self.predict(text, proto), EMPTY
        windows = clause_windows(text)
        full, vectors = self.encoder.encode_with_spans(text, windows)
        out = self.predict_vectors(self.features(full[None, :], proto[None, :]))[0]
        return out, self.similarity.score_vectors(text, windows, vectors)
