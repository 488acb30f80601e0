"""Every audio input the line receives, turned into 16 kHz mono float32 in [-1, 1].

Telephony gives 8 kHz mu-law (Twilio media streams), browsers 48 kHz PCM16, files WAV/FLAC/MP3.
Bad input raises :class:`AudioFormatError` whose message says what was expected, so the caller's
session can log it and carry on (or hand the call to a human) instead of crashing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr

from asr.types import AudioChunk

TARGET_RATE = 16000
PCM_RATES = (8000, 16000, 24000, 44100, 48000)
"""PCM16 rates accepted (8/16/48 kHz from telephony/browsers; 24/44.1 kHz from TTS and files)."""

Float32Array = npt.NDArray[np.float32]


class AudioFormatError(ValueError):
    """Input audio is not what was expected; the message says what was."""


def _check_rate(sample_rate: int, allowed: tuple[int, ...] = PCM_RATES) -> None:
    if sample_rate not in allowed:
        raise AudioFormatError(
            f"unsupported sample rate {sample_rate} Hz; expected one of "
            f"{', '.join(str(r) for r in allowed)} Hz"
        )


def resample(samples: npt.NDArray[np.floating], src_rate: int, dst_rate: int = TARGET_RATE
             ) -> Float32Array:
    """Resample a whole signal (soxr high quality: clean band limit for telephony 8k->16k)."""
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x
    return np.asarray(soxr.resample(x, src_rate, dst_rate, quality="HQ"), dtype=np.float32)


class StreamResampler:
    """Chunk-by-chunk resampling without clicks at chunk edges (keeps filter state).

    Output lags input by a few ms (filter delay); ``flush()`` returns the tail.
    """

    def __init__(self, src_rate: int, dst_rate: int = TARGET_RATE) -> None:
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self._stream = (
            None if src_rate == dst_rate
            else soxr.ResampleStream(src_rate, dst_rate, 1, dtype="float32", quality="HQ")
        )

    def process(self, samples: Float32Array) -> Float32Array:
        if self._stream is None:
            return np.ascontiguousarray(samples, dtype=np.float32)
        return np.asarray(self._stream.resample_chunk(
            np.ascontiguousarray(samples, dtype=np.float32)), dtype=np.float32)

    def flush(self) -> Float32Array:
        if self._stream is None:
            return np.zeros(0, np.float32)
        return np.asarray(self._stream.resample_chunk(np.zeros(0, np.float32), last=True),
                          dtype=np.float32)


def pcm16_to_float(data: bytes, sample_rate: int = TARGET_RATE) -> Float32Array:
    """Little-endian signed 16-bit mono PCM at ``sample_rate`` -> 16 kHz float32."""
    _check_rate(sample_rate)
    if not data:
        raise AudioFormatError("empty audio: expected PCM16 bytes (2 bytes per sample), got 0")
    if len(data) % 2:
        raise AudioFormatError(
            f"odd byte count {len(data)}: PCM16 mono needs 2 bytes per sample (an even length)"
        )
    x = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return resample(x, sample_rate)


# G.711 mu-law, computed once (no audioop: deprecated and gone in Python 3.13).
def _mulaw_table() -> Float32Array:
    u = ~np.arange(256, dtype=np.uint8)
    sign = (u & 0x80) != 0
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = ((mantissa.astype(np.int32) << 3) + 0x84) << exponent.astype(np.int32)
    pcm = np.where(sign, -(magnitude - 0x84), magnitude - 0x84)
    return (pcm / 32768.0).astype(np.float32)


_MULAW_DECODE = _mulaw_table()


def mulaw_to_float(data: bytes, sample_rate: int = 8000) -> Float32Array:
    """G.711 mu-law bytes (telephony, 8 kHz) -> 16 kHz float32."""
    _check_rate(sample_rate, (8000,))
    if not data:
        raise AudioFormatError(
            "empty audio: expected 8 kHz mu-law bytes (1 byte per sample), got 0"
        )
    return resample(_MULAW_DECODE[np.frombuffer(data, dtype=np.uint8)], 8000)


def float_to_mulaw(samples: npt.NDArray[np.floating]) -> bytes:
    """float [-1, 1] (already at 8 kHz) -> G.711 mu-law bytes."""
    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    pcm = np.round(x * 32767).astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0)
    mag = np.minimum(np.abs(pcm), 32635) + 0x84
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    return (np.clip(np.asarray(samples), -1.0, 1.0) * 32767).astype("<i2").tobytes()


def float_to_16k(samples: npt.NDArray[np.floating], sample_rate: int = TARGET_RATE
                 ) -> Float32Array:
    """Float mono (or channels-last stereo, averaged) at ``sample_rate`` -> 16 kHz float32."""
    _check_rate(sample_rate)
    x = np.asarray(samples)
    if x.size == 0:
        raise AudioFormatError("empty audio: expected at least one sample")
    if not np.issubdtype(x.dtype, np.floating):
        raise AudioFormatError(
            f"expected float samples in [-1, 1], got dtype {x.dtype} (use pcm16_to_float for "
            f"integer PCM)"
        )
    if x.ndim == 2:
        x = x.mean(axis=1)
    elif x.ndim != 1:
        raise AudioFormatError(f"expected mono (n,) or (n, channels) samples, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise AudioFormatError("audio contains NaN or infinite samples; expected floats in [-1, 1]")
    return resample(x, sample_rate)


def chunk_from_pcm16(data: bytes, sample_rate: int, t0: float) -> AudioChunk:
    return AudioChunk(pcm16_to_float(data, sample_rate), t0)


def chunk_from_mulaw(data: bytes, t0: float) -> AudioChunk:
    return AudioChunk(mulaw_to_float(data), t0)


def chunk_from_float(samples: npt.NDArray[np.floating], sample_rate: int, t0: float
                     ) -> AudioChunk:
    return AudioChunk(float_to_16k(samples, sample_rate), t0)


def load_file(path: str | Path) -> Float32Array:
    """Decode WAV/FLAC/OGG/AIFF (libsndfile) or MP3/M4A/other (PyAV/ffmpeg) into 16 kHz mono."""
    p = Path(path)
    if not p.is_file():
        raise AudioFormatError(f"{p}: no such audio file; expected a WAV, FLAC or MP3 file")
    if p.stat().st_size == 0:
        raise AudioFormatError(f"{p}: empty file; expected a WAV, FLAC or MP3 file")
    import soundfile as sf

    try:
        data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        data, rate = _decode_with_av(p)
    if data.shape[0] == 0:
        raise AudioFormatError(f"{p}: the file holds no audio samples; expected speech audio")
    mono = data.mean(axis=1) if data.ndim == 2 else data
    return resample(mono, int(rate))


def _decode_with_av(p: Path) -> tuple[npt.NDArray[np.float32], int]:
    import av

    try:
        with av.open(str(p)) as container:
            if not container.streams.audio:
                raise AudioFormatError(f"{p}: no audio stream; expected a WAV, FLAC or MP3 file")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
            pieces: list[npt.NDArray[np.float32]] = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    pieces.append(np.asarray(out.to_ndarray(), np.float32).reshape(-1))
            for out in resampler.resample(None):
                pieces.append(np.asarray(out.to_ndarray(), np.float32).reshape(-1))
    except AudioFormatError:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise AudioFormatError(
            f"{p}: cannot decode ({exc.__class__.__name__}: {exc}); expected a valid WAV, FLAC "
            f"or MP3 file"
        ) from exc
    if not pieces:
        raise AudioFormatError(f"{p}: the file holds no audio samples; expected speech audio")
    return np.concatenate(pieces).astype(np.float32)[:, None], TARGET_RATE
