"""Typed objects that cross the recognizer's boundary.

Time is the call's audio clock in seconds (0 = first sample of the call), so a call replayed
from a file gives the same timeline as a live one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class AudioChunk:
    """Mono audio at 16 kHz float32 in [-1, 1], starting at ``t0`` on the call's clock.

    Build one from raw input with ``asr.audio`` helpers (PCM16 at 8/16/48 kHz, mu-law, float).
    """

    samples: npt.NDArray[np.float32]
    t0: float
    sample_rate: int = 16000

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def t1(self) -> float:
        return self.t0 + self.duration_s


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class TranscriptUpdate:
    """A partial (``is_final`` False) or final hypothesis for the current utterance.

    ``confirmed`` never changes once emitted within an utterance; ``pending`` may be revised.
    A final's ``words`` are aligned by Whisper; a partial's are spread over the speech so far
    by word length (probability 0.0 marks them as estimates), to keep partials cheap.
    """

    utterance_id: int
    confirmed: str
    pending: str
    is_final: bool
    words: tuple[Word, ...]
    start: float
    end: float
    language: str
    emitted_at: float
    """Audio-clock time at which this update became available (end of audio fed so far)."""

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.confirmed, self.pending) if p).strip()


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """A whole recording's transcript (``permanence transcribe``)."""

    text: str
    language: str
    duration_s: float
    rtf: float
    segments: tuple[Segment, ...]
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeechStart:
    """The VAD heard the caller start speaking at ``t``."""

    t: float
    utterance_id: int


@dataclass(frozen=True)
class SpeechEnd:
    """End of the caller's turn at ``t`` (the last voiced sample, not when it was detected)."""

    t: float
    utterance_id: int
    detected_at: float


AsrEvent = SpeechStart | SpeechEnd | TranscriptUpdate
"""What a streaming transcriber emits, in audio-clock order."""
