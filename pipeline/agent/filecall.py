"""The file transport: a recording streamed through a call session as if a caller spoke it.

Real-time pace by default (20 ms frames, as a phone line delivers them), or ``fast``: each
frame is processed before the next is fed, as fast as the machine allows, with timestamps on the
audio clock. A second of silence follows the recording, as a caller who stopped talking stays on
the line; that lets the recognizer's VAD see the end of the last utterance.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from asr.types import AudioChunk
from pipeline.agent.dialogue import State
from pipeline.agent.session import CallSession, SessionOptions

if TYPE_CHECKING:
    from pipeline.agent.runtime import AgentRuntime

FRAME_S = 0.02
TRAILING_SILENCE_S = 1.0
AFTER_HANDOFF_S = 3.0
"""After a handoff the call leaves the agent; keep listening this long at most (for the end of
the decisive utterance, so its latency can be measured)."""


def load_audio(path: Path) -> npt.NDArray[np.float32]:
    """16 kHz mono float32 of a WAV/FLAC/MP3 file (``asr.audio``); a clear error otherwise."""
    from asr.audio import load_file

    if not path.is_file():
        raise FileNotFoundError(f"audio file {path} not found (expected a WAV, FLAC or MP3)")
    return load_file(path)


async def stream_samples(session: CallSession, samples: npt.NDArray[np.float32], *,
                         realtime: bool, frame_s: float = FRAME_S,
                         trailing_silence_s: float = TRAILING_SILENCE_S) -> None:
    """Feed 16 kHz samples to a started session, then finish it."""
    rate = 16000
    padded = np.concatenate([samples.astype(np.float32, copy=False),
                             np.zeros(int(trailing_silence_s * rate), np.float32)])
    step = int(frame_s * rate)
    wall0 = time.monotonic()
    handoff_at: float | None = None
    reason = "end of recording"
    for start in range(0, len(padded), step):
        chunk = AudioChunk(samples=padded[start:start + step], t0=start / rate)
        if realtime:
            delay = wall0 + chunk.t1 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await session.feed(chunk)
        if not realtime:
            await session.drain()
        if session.done:
            if session.dialogue.state is State.CLOSED:
                reason = "agent closed the call"
                break
            handoff_at = chunk.t1 if handoff_at is None else handoff_at
            if not session.waiting_for_decisive_end or chunk.t1 - handoff_at > AFTER_HANDOFF_S:
                reason = "handed off"
                break
    await session.finish(reason)


async def run_file_call(runtime: AgentRuntime, path: Path, *, realtime: bool = True,
                        language: str | None = None,
                        samples: npt.NDArray[np.float32] | None = None,
                        caller_number: str | None = None,
                        options: SessionOptions | None = None) -> CallSession:
    """One call from a recording (or its already decoded 16 kHz ``samples``); returns the
    finished session (``.report()``)."""
    if samples is None:
        samples = load_audio(path)
    session = runtime.session(channel="file", language=language, realtime=realtime,
                              caller_number=caller_number, options=options)
    await session.start()
    await stream_samples(session, samples, realtime=realtime)
    return session
