"""The agent's voice: espeak-ng embedded by default, a Piper voice file when configured.

Both run as local subprocesses (nothing reaches the network). Synthesis is synchronous; the
call session runs it off the event loop under its stall watchdog.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class SynthesisError(RuntimeError):
    """The TTS engine failed; the message says which engine and why."""


@dataclass(frozen=True)
class SpeechAudio:
    """Mono PCM16 little-endian audio of one agent utterance."""

    pcm16: bytes
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm16) / 2 / self.sample_rate


class Synthesizer(Protocol):
    name: str

    def synthesize(self, text: str, language: str) -> SpeechAudio: ...


def _wav_payload(data: bytes, engine: str) -> SpeechAudio:
    """PCM16 mono payload of a WAV stream; espeak-ng --stdout writes a streaming header with a
    bogus length, so the chunks are walked rather than trusted."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SynthesisError(f"{engine} did not return a WAV stream (got {len(data)} bytes)")
    pos, rate, bits, channels = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            _fmt, channels, rate = struct.unpack("<HHI", data[pos + 8:pos + 16])
            bits = struct.unpack("<H", data[pos + 22:pos + 24])[0]
        elif cid == b"data":
            if bits != 16 or channels != 1:
                raise SynthesisError(f"{engine}: expected mono 16-bit audio, got "
                                     f"{channels} channel(s) of {bits} bits")
            payload = data[pos + 8:]
            return SpeechAudio(payload[: len(payload) // 2 * 2], rate)
        pos += 8 + size + (size & 1)
    raise SynthesisError(f"{engine}: WAV stream without a data chunk")


class EspeakSynthesizer:
    """espeak-ng (Debian package), the embedded default voice."""

    name = "espeak-ng"
    VOICES = {"fr": "fr-fr", "en": "en-gb"}

    def __init__(self, rate_wpm: int = 165, binary: str = "espeak-ng",
                 timeout_s: float = 10.0) -> None:
        path = shutil.which(binary)
        if path is None:
            raise SynthesisError(f"{binary} not found: install the Debian package espeak-ng")
        self._binary = path
        self._rate = rate_wpm
        self._timeout = timeout_s

    def synthesize(self, text: str, language: str) -> SpeechAudio:
        voice = self.VOICES.get(language, "en-gb")
        try:
            proc = subprocess.run(
                [self._binary, "--stdout", "-v", voice, "-s", str(self._rate), text],
                capture_output=True, timeout=self._timeout, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SynthesisError(f"espeak-ng timed out after {self._timeout} s") from exc
        if proc.returncode != 0:
            raise SynthesisError(f"espeak-ng exited {proc.returncode}: "
                                 f"{proc.stderr.decode(errors='replace')[:200]}")
        return _wav_payload(proc.stdout, self.name)


class PiperSynthesizer:
    """A Piper voice (``.onnx`` with its ``.onnx.json``) run by the ``piper`` command."""

    name = "piper"

    def __init__(self, voice: Path, binary: str = "piper", timeout_s: float = 10.0) -> None:
        if not voice.is_file():
            raise SynthesisError(f"Piper voice file {voice} not found (expected a .onnx voice)")
        path = shutil.which(binary)
        if path is None:
            raise SynthesisError("the piper command is not installed (pip install piper-tts)")
        self._binary, self._voice, self._timeout = path, voice, timeout_s

    def synthesize(self, text: str, language: str) -> SpeechAudio:
        try:
            proc = subprocess.run(
                [self._binary, "--model", str(self._voice), "--output_file", "/dev/stdout"],
                input=text.encode(), capture_output=True, timeout=self._timeout, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SynthesisError(f"piper timed out after {self._timeout} s") from exc
        if proc.returncode != 0:
            raise SynthesisError(f"piper exited {proc.returncode}: "
                                 f"{proc.stderr.decode(errors='replace')[:200]}")
        return _wav_payload(proc.stdout, self.name)


def load_synthesizer(engine: str = "espeak", piper_voice: Path | None = None) -> Synthesizer:
    """The configured voice: ``espeak`` (default) or ``piper`` with a voice file."""
    if engine == "piper":
        if piper_voice is None:
            raise SynthesisError("tts engine 'piper' needs a voice file (PERMANENCE_PIPER_VOICE)")
        return PiperSynthesizer(piper_voice)
    if engine != "espeak":
        raise SynthesisError(f"unknown tts engine {engine!r}; expected 'espeak' or 'piper'")
    return EspeakSynthesizer()
