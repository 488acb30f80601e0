"""The tele-secretary's leg of a take-over: one aiortc peer connection with the softphone page.

No STUN, no TURN (``iceServers=[]``): host candidates only, the media stays on the practice's
network, as for the browser caller page. The caller's audio goes out on ``CallerAudioTrack``
(16 kHz mono, 20 ms frames, paced in real time); the softphone's microphone comes back as
decoded frames, resampled to the caller line's rate and handed to ``on_audio``. A small data
channel ("control") tells the page when the server ends the leg (caller hung up, deadline).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, AudioResampler

log = logging.getLogger(__name__)

CALLER_RATE = 16000
"""The pipeline's input rate (``pipeline.agent.pipecat_agent.IN_RATE``)."""
FRAME_S = 0.02
MAX_SDP_BYTES = 20_000


class CallerAudioTrack(MediaStreamTrack):
    """The caller's voice to the softphone: 20 ms frames paced on the wall clock, silence when
    the caller's audio is late. At most ``max_buffer_s`` is kept, oldest dropped first, so a
    burst (a stalled event loop catching up) never turns into lasting delay."""

    kind = "audio"

    def __init__(self, *, max_buffer_s: float = 0.24) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._max_bytes = int(max_buffer_s * CALLER_RATE) * 2
        self._samples = int(FRAME_S * CALLER_RATE)
        self._start = 0.0
        self._pts = -1
        self.frames_sent = 0
        self.voiced_frames_sent = 0

    def push(self, pcm16: bytes) -> None:
        self._buffer += pcm16
        excess = len(self._buffer) - self._max_bytes
        if excess > 0:
            del self._buffer[:excess + (excess % 2)]

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._pts < 0:
            self._start, self._pts = time.monotonic(), 0
        else:
            self._pts += self._samples
            wait = self._start + self._pts / CALLER_RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        size = self._samples * 2
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        if any(chunk):
            self.voiced_frames_sent += 1
        chunk += bytes(size - len(chunk))
        frame = AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(chunk)
        frame.pts = self._pts
        frame.sample_rate = CALLER_RATE
        frame.time_base = fractions.Fraction(1, CALLER_RATE)
        self.frames_sent += 1
        return frame


class SoftphoneLeg:
    """One peer connection with a softphone page. ``accept(offer)`` gives the answer (ICE host
    candidates gathered inside it); then ``on_audio(pcm16)`` receives the softphone's voice at
    ``out_rate`` and ``on_lost(reason)`` fires once if the leg dies (no media for
    ``media_timeout_s``, connection failed or closed by the page)."""

    def __init__(self, *, out_rate: int, on_audio: Callable[[bytes], Awaitable[None]],
                 on_lost: Callable[[str], Awaitable[None]], media_timeout_s: float = 5.0) -> None:
        self.out_rate = out_rate
        self.outbound = CallerAudioTrack()
        self._on_audio = on_audio
        self._on_lost = on_lost
        self._media_timeout_s = media_timeout_s
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._reader: asyncio.Task[None] | None = None
        self._control: object | None = None
        self._closed = False
        self.frames_received = 0
        self._pc.on("track", self._on_track)
        self._pc.on("datachannel", self._on_datachannel)
        self._pc.on("connectionstatechange", self._on_state)

    @property
    def connection_state(self) -> str:
        return str(self._pc.connectionState)

    async def accept(self, sdp: str, kind: str) -> RTCSessionDescription:
        """The softphone's offer in, our answer out. ValueError on an offer that is not one."""
        if kind != "offer" or not isinstance(sdp, str) or not sdp.startswith("v=0"):
            raise ValueError("expected the softphone's SDP offer (type 'offer', sdp 'v=0...')")
        if len(sdp) > MAX_SDP_BYTES:
            raise ValueError(f"SDP offer larger than {MAX_SDP_BYTES} bytes")
        if "m=audio" not in sdp:
            raise ValueError("the SDP offer has no audio: the softphone needs the microphone")
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        self._pc.addTrack(self.outbound)
        await self._pc.setLocalDescription(await self._pc.createAnswer())
        answer = self._pc.localDescription
        assert answer is not None
        return answer

    def notify(self, state: str, reason: str = "") -> None:
        """Tell the page (over the control channel) what the server did with the leg."""
        channel = self._control
        if channel is None or getattr(channel, "readyState", "") != "open":
            return
        with contextlib.suppress(Exception):
            channel.send(json.dumps({"state": state, "reason": reason}))  # type: ignore[attr-defined]

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
        self.outbound.stop()
        with contextlib.suppress(Exception):
            await self._pc.close()

    # -- aiortc events ---------------------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio" and self._reader is None:
            self._reader = asyncio.create_task(self._read(track), name="softphone-in")

    def _on_datachannel(self, channel: object) -> None:
        self._control = channel

    async def _on_state(self) -> None:
        if self._pc.connectionState in ("failed", "closed") and not self._closed:
            await self._lost(f"softphone connection {self._pc.connectionState}")

    async def _read(self, track: MediaStreamTrack) -> None:
        resampler = AudioResampler(format="s16", layout="mono", rate=self.out_rate)
        while True:
            try:
                frame = await asyncio.wait_for(track.recv(), timeout=self._media_timeout_s)
            except TimeoutError:
                await self._lost(f"no audio from the softphone for {self._media_timeout_s:g} s")
                return
            except MediaStreamError:
                await self._lost("the softphone's audio track ended")
                return
            if not isinstance(frame, AudioFrame):
                continue
            for out in resampler.resample(frame):
                self.frames_received += 1
                await self._on_audio(out.to_ndarray().tobytes())

    async def _lost(self, reason: str) -> None:
        if self._closed:
            return
        log.warning("softphone leg lost: %s", reason)
        await self._on_lost(reason)
