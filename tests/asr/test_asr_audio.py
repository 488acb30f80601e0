"""Audio decoding: every accepted input, and a clear error for each bad one (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asr.audio import (
    AudioFormatError,
    chunk_from_mulaw,
    chunk_from_pcm16,
    float_to_16k,
    float_to_mulaw,
    float_to_pcm16,
    load_file,
    mulaw_to_float,
    pcm16_to_float,
)


def tone(rate: int, seconds: float = 1.0, f: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_pcm16_rates_become_16k_with_the_same_tone(rate: int) -> None:
    y = pcm16_to_float(float_to_pcm16(tone(rate)), rate)
    assert y.dtype == np.float32
    assert abs(len(y) - 16000) <= 2
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 440) < 3


def test_mulaw_round_trip_is_close_and_telephone_sized() -> None:
    x = tone(8000)
    data = float_to_mulaw(x)
    assert len(data) == 8000  # one byte per sample
    chunk = chunk_from_mulaw(data, t0=12.5)
    assert chunk.t0 == 12.5 and abs(chunk.duration_s - 1.0) < 1e-3
    back = mulaw_to_float(data)
    ref = float_to_16k(x, 8000)
    n = min(len(back), len(ref))
    assert np.abs(back[:n] - ref[:n]).max() < 0.03  # G.711 quantization only
    # The G.711 table: 0xFF is +0 and 0x00 is the most negative value.
    assert mulaw_to_float(b"\xff" * 4).max() == 0.0
    assert mulaw_to_float(b"\x00" * 8).min() < -0.9


def test_chunk_from_pcm16_keeps_call_clock() -> None:
    c = chunk_from_pcm16(float_to_pcm16(tone(48000, 0.02)), 48000, t0=3.0)
    assert c.sample_rate == 16000 and len(c.samples) == 320 and c.t1 == pytest.approx(3.02)


@pytest.mark.parametrize(("call", "expected"), [
    (lambda: pcm16_to_float(b"\x00\x01\x02", 16000), "even"),
    (lambda: pcm16_to_float(b"", 16000), "empty"),
    (lambda: pcm16_to_float(b"\x00\x00", 22050), "8000, 16000"),
    (lambda: mulaw_to_float(b"", 8000), "empty"),
    (lambda: mulaw_to_float(b"\xff", 16000), "8000"),
    (lambda: float_to_16k(np.zeros(0, np.float32), 16000), "empty"),
    (lambda: float_to_16k(np.zeros(10, np.int16), 16000), "float"),
    (lambda: float_to_16k(np.array([0.0, np.nan], np.float32), 16000), "NaN"),
])
def test_bad_buffers_say_what_was_expected(call, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AudioFormatError, match=expected):
        call()


@pytest.mark.parametrize(("fmt", "subtype", "rate"), [
    ("WAV", "PCM_16", 16000), ("WAV", "PCM_16", 44100), ("FLAC", "PCM_16", 48000),
    ("WAV", "ULAW", 8000), ("MP3", "MPEG_LAYER_III", 44100),
])
def test_files_decode_to_16k_mono(tmp_path: Path, fmt: str, subtype: str, rate: int) -> None:
    path = tmp_path / f"tone.{fmt.lower()}"
    stereo = np.stack([tone(rate), tone(rate)], axis=1)
    sf.write(path, stereo, rate, format=fmt, subtype=subtype)
    y = load_file(path)
    assert y.ndim == 1 and y.dtype == np.float32
    assert abs(len(y) / 16000 - 1.0) < 0.1  # MP3 adds encoder padding


def test_mp3_through_ffmpeg_fallback(tmp_path: Path) -> None:
    """MP3 written by PyAV (ffmpeg) decodes through the same entry point."""
    import av

    path = tmp_path / "speechlike.mp3"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mp3", rate=22050)
        frame = av.AudioFrame.from_ndarray(tone(22050)[None, :], format="flt", layout="mono")
        frame.sample_rate = 22050
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    assert abs(len(load_file(path)) / 16000 - 1.0) < 0.15


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 20,
                                     bytes(range(256)) * 40])
def test_corrupt_or_empty_files_give_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFormatError, match="expected"):
        load_file(path)


def test_missing_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="no such audio file"):
        load_file(tmp_path / "nope.wav")


def test_asr_stays_independent_of_pipecat_classifier_and_service() -> None:
    """House rule: asr imports neither classifier nor pipecat/FastAPI/DB (fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, asr, asr.engine, asr.streaming, asr.audio, asr.bench\n"
        "from asr.vad import SileroModel\n"
        "SileroModel()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pipecat', 'classifier', 'fastapi', 'sqlalchemy', 'pipeline', 'handoff'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
