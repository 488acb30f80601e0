"""The voice agent as a pipecat pipeline, for live transports (Twilio websocket, WebRTC):

    transport in -> Silero VAD (VADProcessor) -> CallSessionProcessor -> SynthesizerTTSService
                 -> transport out

``CallSessionProcessor`` is a thin adapter over ``CallSession`` (our streaming recognizer,
streaming classifier + form, handoff through the call hub, dialogue policy): it feeds it the
caller's audio, pushes interim/final ``TranscriptionFrame``s and the agent's ``TTSSpeakFrame``s
downstream, and turns barge-in into an ``InterruptionFrame``. pipecat's Silero VAD reacts to the
caller's voice within ~0.2 s, so the agent stops talking before the recognizer has a word.
``SynthesizerTTSService`` speaks through our local synthesizer (espeak-ng or Piper) under the
same 2 s stall watchdog; a fault hands the call to a human and plays the transfer notice that
was synthesized when the call started.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    ErrorFrame,
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    StartFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    VADUserStartedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.tts_service import TTSService
from pipecat.transports.base_transport import BaseTransport
from pipecat.workers.runner import WorkerRunner

from asr.audio import chunk_from_pcm16
from pipeline.agent.dialogue import State
from pipeline.agent.session import CallSession
from pipeline.agent.tts import SpeechAudio, Synthesizer
from pipeline.events import CallEvent, TranscriptFinal, TranscriptPartial

log = logging.getLogger(__name__)

IN_RATE = 16000


class CallSessionProcessor(FrameProcessor):
    """Caller audio into the call session; the session's words and speech out as frames."""

    def __init__(self, session: CallSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._samples_in = 0
        self._started = False
        self._finished = False
        session.on_say = self._on_say
        session.on_interrupt = self._on_interrupt
        session.subscribe(self._on_event)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            if not self._started:
                self._started = True
                await self.session.start()
            return
        if isinstance(frame, InputAudioRawFrame):
            chunk = chunk_from_pcm16(frame.audio, frame.sample_rate,
                                     self._samples_in / frame.sample_rate)
            self._samples_in += len(frame.audio) // 2
            await self.session.feed(chunk)
            return  # caller audio stops here
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self.session.caller_started_speaking()
        if isinstance(frame, (EndFrame, CancelFrame)):
            # Whoever ended the pipeline says why (the softphone's "tele-secretary hung up");
            # a bare end is the caller's line going.
            await self.finish(str(frame.reason) if frame.reason else "caller hung up")
        await self.push_frame(frame, direction)

    async def finish(self, reason: str) -> None:
        if self._started and not self._finished:
            self._finished = True
            await self.session.finish(reason)

    async def _on_say(self, text: str, kind: str, audio: SpeechAudio | None) -> None:
        if audio is not None:
            # Pre-synthesized speech (the transfer notice when TTS itself failed).
            await self.push_frame(TTSAudioRawFrame(audio=audio.pcm16,
                                                   sample_rate=audio.sample_rate,
                                                   num_channels=1))
        else:
            await self.push_frame(TTSSpeakFrame(text=text, append_to_context=False))

    async def _on_interrupt(self) -> None:
        await self.push_frame(InterruptionFrame())

    def _on_event(self, event: CallEvent) -> None:
        if not isinstance(event, TranscriptPartial | TranscriptFinal):
            return
        cls = TranscriptionFrame if isinstance(event, TranscriptFinal) else \
            InterimTranscriptionFrame
        frame = cls(text=event.text, user_id=self.session.caller_number or "",
                    timestamp=f"{event.t:.3f}")
        task = asyncio.ensure_future(self.push_frame(frame))
        task.add_done_callback(lambda t: t.exception())


class SynthesizerTTSService(TTSService):
    """pipecat TTS service over our local synthesizer (espeak-ng default, Piper optional)."""

    def __init__(self, synthesizer: Synthesizer, session: CallSession, *,
                 stall_timeout_s: float = 2.0, **kwargs: Any) -> None:
        super().__init__(push_start_frame=True, push_stop_frames=True, **kwargs)
        self._synth = synthesizer
        self._session = session
        self._stall = stall_timeout_s

    def can_generate_metrics(self) -> bool:
        return False

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        session = self._session
        if "tts" in session.faults:
            return
        try:
            audio = await asyncio.wait_for(
                asyncio.to_thread(self._synth.synthesize, text, session.language),
                timeout=self._stall)
        except Exception as exc:  # noqa: BLE001 - a TTS fault hands the call to a human
            detail = ("stalled for more than 2 s" if isinstance(exc, TimeoutError)
                      else f"raised {type(exc).__name__}: {exc}")
            await session.report_fault("tts", detail)
            yield ErrorFrame(error=f"tts {detail}")
            return

        async def chunks() -> AsyncIterator[bytes]:
            yield audio.pcm16

        async for frame in self._stream_audio_frames_from_iterator(
                chunks(), in_sample_rate=audio.sample_rate, context_id=context_id):
            yield frame


async def run_pipecat_call(session: CallSession, transport: BaseTransport, synthesizer: Synthesizer,
                           *, out_sample_rate: int, stall_timeout_s: float = 2.0,
                           after_input: Sequence[FrameProcessor] = (),
                           before_output: Sequence[FrameProcessor] = ()) -> CallSession:
    """Run one live call through the pipecat pipeline until the transport disconnects or the
    agent is done (its last words are flushed before the pipeline ends).

    ``after_input`` / ``before_output``: processors placed right after the transport's input
    and right before its output (the take-over softphone's bridge, ``pipeline.softphone``)."""
    session.options = replace(session.options, external_tts=True)
    processor = CallSessionProcessor(session)
    tts = SynthesizerTTSService(synthesizer, session, stall_timeout_s=stall_timeout_s,
                                sample_rate=out_sample_rate)
    vad = VADProcessor(vad_analyzer=SileroVADAnalyzer(sample_rate=IN_RATE))
    pipeline = Pipeline([transport.input(), *after_input, vad, processor, tts, *before_output,
                         transport.output()])
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=IN_RATE, audio_out_sample_rate=out_sample_rate),
        enable_rtvi=False, enable_turn_tracking=False, enable_tracing=False,
        idle_timeout_secs=None, check_dangling_tasks=False,
    )

    @transport.event_handler("on_client_disconnected")
    async def _gone(*_: Any) -> None:
        await processor.finish("caller hung up")
        await worker.cancel(reason="caller hung up")

    async def watch_done() -> None:
        # A closed call (routine, after the goodbye) ends the pipeline once the audio is out.
        while not session.ended.is_set():
            if session.dialogue.state is State.CLOSED:
                await asyncio.sleep(session.speaking_remaining_s() + 0.5)
                await worker.queue_frame(EndFrame(reason="the agent closed the call"))
                return
            await asyncio.sleep(0.2)

    runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
    await runner.add_workers(worker)
    watcher = asyncio.create_task(watch_done())
    started = time.monotonic()
    try:
        await runner.run()
    finally:
        watcher.cancel()
        await processor.finish("call ended")
        log.info("call %s ran %.1f s", session.call_id, time.monotonic() - started)
    return session
