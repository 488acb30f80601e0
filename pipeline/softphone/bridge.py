"""The take-over bridge: a live call's audio to the tele-secretary's softphone and back.

Each live pipecat call (Twilio media stream or browser caller) gets a ``CallBridge``; its two
processors sit at the ends of the agent's pipeline::

    transport in -> CallerTap -> VAD -> agent -> TTS -> HumanInjector -> transport out

``CallerTap`` copies the caller's audio (16 kHz) to the softphone leg once one is connected,
and still passes it on: until a human has the call, the agent keeps triaging. ``HumanInjector``
plays the softphone's audio to the caller and, once the human has the call, drops the agent's
speech: the agent falls silent at the transport, whatever its dialogue does.

States (``BridgeState``): IDLE (the agent has the caller) -> CLAIMED (a user took the call; their
page has a one-time ticket) -> CONNECTING (offer answered) -> LIVE (the softphone's audio
arrived: the hub records the take-over, the agent says "I am putting you through", then only
the human is heard) -> ENDED. A claim that is not LIVE within ``connect_timeout_s`` is released
and audited: nobody acknowledged, so the escalation ladder runs on and the agent still listens.
A softphone lost while LIVE (no audio for ``media_timeout_s``, connection failed) is never a
dead line: the caller is told, then the stream ends (a phone call falls through to the TwiML's
fallback dial to the practice's secretary line; a browser caller is told to call back, or the
emergency number).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    EndWorkerFrame,
    Frame,
    InputAudioRawFrame,
    OutputAudioRawFrame,
    StartFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from pipeline.events import AgentSaid, CallEvent
from pipeline.softphone.leg import CALLER_RATE, SoftphoneLeg
from pipeline.softphone.registry import Claim, SoftphoneRefused

if TYPE_CHECKING:
    from aiortc import RTCSessionDescription

    from pipeline.agent.tts import Synthesizer
    from pipeline.calls import CallHub

log = logging.getLogger(__name__)

ANNOUNCE_MAX_S = 8.0
"""The longest the human waits for the agent's "putting you through" to finish playing (it
is ~4.5 s of espeak): past it the human is heard anyway."""

LOST_NOTICE = {
    "twilio": {
        "fr": "La communication avec la personne qui a pris votre appel a été coupée. "
              "Je vous transfère au secrétariat. Restez en ligne.",
        "en": "The line to the person who took your call was cut. I am transferring you to "
              "the practice. Please hold.",
    },
    "browser": {
        "fr": "La communication avec la personne qui a pris votre appel a été coupée. Merci de "
              "rappeler le cabinet. En cas d'urgence vitale, raccrochez et composez le {number}.",
        "en": "The line to the person who took your call was cut. Please call the practice "
              "again. In a life-threatening emergency, hang up and dial {number}.",
    },
}


class BridgeState(StrEnum):
    IDLE = "idle"
    CLAIMED = "claimed"
    CONNECTING = "connecting"
    LIVE = "live"
    ENDED = "ended"


class _Announce(StrEnum):
    """Where the agent's last words stand once the human is connected."""

    PENDING = "pending"  # take-over recorded; the agent has not said "putting you through" yet
    SAID = "said"  # said; its speech has not reached the output yet
    PLAYING = "playing"
    PLAYED = "played"  # all of it handed to the output; waiting for it to finish playing
    DONE = "done"  # the agent is silent; only the human is heard


@dataclass
class BridgeStats:
    """Frames through the bridge (20 ms each way), for the dashboard, tests and debugging."""

    caller_frames_to_human: int = 0
    human_frames_to_caller: int = 0
    human_frames_held: int = 0
    """Softphone audio dropped while the agent's last words were still playing."""
    agent_frames_muted: int = 0


class BridgedSession(Protocol):
    """What the bridge needs of the agent's call session (``pipeline.agent.session``)."""

    call_id: str
    language: str
    ended: asyncio.Event

    def subscribe(self, listener: Callable[[CallEvent], None]) -> None: ...


class CallerTap(FrameProcessor):
    """After the transport's input: the caller's audio also goes to the softphone."""

    def __init__(self, bridge: CallBridge) -> None:
        super().__init__(name="softphone-caller-tap")
        self._bridge = bridge
        self.started = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            self.started = True
        if isinstance(frame, InputAudioRawFrame):
            self._bridge.from_caller(frame.audio, frame.sample_rate)
        elif isinstance(frame, EndFrame | CancelFrame):
            await self._bridge.caller_gone()
        await self.push_frame(frame, direction)

    async def end_call(self, reason: str) -> None:
        """End the caller's pipeline gracefully (queued audio plays out first)."""
        if self.started:
            await self.push_frame(EndWorkerFrame(reason=reason), FrameDirection.UPSTREAM)


class HumanInjector(FrameProcessor):
    """Before the transport's output: the softphone's audio to the caller; the agent's speech
    dropped once the human has the call (after its "putting you through")."""

    def __init__(self, bridge: CallBridge) -> None:
        super().__init__(name="softphone-human-injector")
        self._bridge = bridge
        self.started = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        bridge = self._bridge
        if direction is FrameDirection.UPSTREAM:
            if isinstance(frame, BotStoppedSpeakingFrame):
                bridge.agent_stopped_speaking()
            await self.push_frame(frame, direction)
            return
        if isinstance(frame, TTSStartedFrame):
            bridge.agent_speech_started()
        elif isinstance(frame, TTSStoppedFrame):
            bridge.agent_speech_stopped()
        elif isinstance(frame, TTSAudioRawFrame) and bridge.agent_muted:
            bridge.stats.agent_frames_muted += 1
            return
        elif isinstance(frame, EndFrame | CancelFrame):
            await bridge.caller_gone()
        if isinstance(frame, StartFrame):
            self.started = True
        await self.push_frame(frame, direction)

    async def play(self, pcm16: bytes, sample_rate: int) -> None:
        if not self.started:
            return
        await self.push_frame(OutputAudioRawFrame(audio=pcm16, sample_rate=sample_rate,
                                                  num_channels=1))


class CallBridge:
    """One live call's take-over bridge (see the module docstring)."""

    def __init__(self, session: BridgedSession, hub: CallHub, synthesizer: Synthesizer, *,
                 channel: str, out_rate: int, connect_timeout_s: float = 15.0,
                 media_timeout_s: float = 5.0, provider_call_id: str | None = None,
                 on_ended: Callable[[CallBridge], None] | None = None) -> None:
        self.session = session
        self.provider_call_id = provider_call_id
        """The telephony provider's id of a phone call (Twilio CallSid), for its hang-up."""
        self.hub = hub
        self.channel = channel
        self.out_rate = out_rate
        self.connect_timeout_s = connect_timeout_s
        self.media_timeout_s = media_timeout_s
        self.state = BridgeState.IDLE
        self.user: str | None = None
        self.stats = BridgeStats()
        self.tap = CallerTap(self)
        self.injector = HumanInjector(self)
        self.leg: SoftphoneLeg | None = None
        self._synth = synthesizer
        self._on_ended = on_ended
        self._ticket_hash: bytes | None = None
        self._ticket_used = False
        self._ticket_expires = 0.0
        self._generation = 0
        self._announce = _Announce.DONE
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        session.subscribe(self._on_event)

    @property
    def call_id(self) -> str:
        return self.session.call_id

    @property
    def agent_muted(self) -> bool:
        """The human has the call and the agent's last words are out: it is not heard again."""
        return self.state is BridgeState.LIVE and self._announce in (_Announce.PLAYED,
                                                                      _Announce.DONE)

    # -- the API's requests ----------------------------------------------------------------

    async def claim(self, username: str) -> Claim:
        """``username`` takes the call: a one-time ticket for their softphone's offer."""
        async with self._lock:
            if self.state is BridgeState.ENDED or self.session.ended.is_set():
                raise SoftphoneRefused(404, f"call {self.call_id} has ended")
            summary = self.hub.summary(self.call_id)
            taken = summary.taken_over_by if summary is not None else None
            holder = self.user if self.state is not BridgeState.IDLE else None
            owner = holder or taken
            if owner is not None and owner != username:
                self._audit(username, "softphone.refused", reason=f"call taken by {owner}")
                raise SoftphoneRefused(403, f"call {self.call_id} is taken by {owner}")
            if self.state is BridgeState.LIVE:
                raise SoftphoneRefused(409, "your softphone is already connected to this call")
            if self.leg is not None:  # the same user again (a reload): the old leg goes
                await self._close_leg("replaced by a new softphone")
            ticket = secrets.token_urlsafe(32)
            self._ticket_hash = hashlib.sha256(ticket.encode()).digest()
            self._ticket_used = False
            self._ticket_expires = time.monotonic() + self.connect_timeout_s
            self.user = username
            self.state = BridgeState.CLAIMED
            self._generation += 1
            self._spawn(self._deadline(self._generation))
            self._audit(username, "softphone.claim", timeout_s=self.connect_timeout_s)
            self._push("claimed")
            return Claim(self.call_id, ticket, self.connect_timeout_s)

    async def answer(self, username: str, ticket: str, sdp: str, kind: str
                     ) -> RTCSessionDescription:
        """The softphone's SDP offer, with its ticket: the answer, and the leg connects."""
        async with self._lock:
            if self.state is BridgeState.ENDED or self.session.ended.is_set():
                raise SoftphoneRefused(404, f"call {self.call_id} has ended")
            problem = self._ticket_problem(username, ticket)
            if problem is not None:
                self._audit(username, "softphone.refused", reason=problem)
                raise SoftphoneRefused(403, problem)
            self._ticket_used = True
            leg = SoftphoneLeg(out_rate=self.out_rate, on_audio=self.from_human,
                               on_lost=self._leg_lost, media_timeout_s=self.media_timeout_s)
            try:
                answer = await leg.accept(sdp, kind)
            except ValueError as exc:
                await leg.close()
                await self._release(f"bad offer: {exc}", "softphone.failed")
                raise SoftphoneRefused(422, str(exc)) from None
            self.leg = leg
            self.state = BridgeState.CONNECTING
            self._audit(username, "softphone.offer")
            return answer

    async def hang_up(self, username: str) -> BridgeState:
        """The user ends their softphone: before it went live, the claim is released (the
        agent still has the caller); live, both legs close."""
        async with self._lock:
            if self.user != username or self.state in (BridgeState.IDLE, BridgeState.ENDED):
                raise SoftphoneRefused(403 if self.state is not BridgeState.ENDED else 404,
                                       "no softphone of yours on this call")
            if self.state is not BridgeState.LIVE:
                await self._release("cancelled by the user", "softphone.cancelled")
                return self.state
            self.state = BridgeState.ENDED
            self._audit(username, "softphone.hangup",
                        caller_frames=self.stats.caller_frames_to_human,
                        human_frames=self.stats.human_frames_to_caller)
            await self._close_leg("hung up")
            self._push("ended", reason="tele-secretary hung up")
        await self._hang_up_phone()
        await self.tap.end_call("tele-secretary hung up")
        self._finished()
        return BridgeState.ENDED

    async def _hang_up_phone(self) -> None:
        """A phone call the human ended is hung up at the provider first: the stream's end
        alone would fall through to the TwiML's fallback dial (right when a line is lost,
        wrong when the human said goodbye)."""
        from handoff import TwilioTransferChannel

        if self.provider_call_id is None:
            return
        for channel in self.hub.channels:
            if isinstance(channel, TwilioTransferChannel):
                delivery = await channel.hang_up(self.provider_call_id)
                self._audit("system", "softphone.phone_hangup", ok=delivery.ok,
                            detail=delivery.detail)
                return

    def _ticket_problem(self, username: str, ticket: str) -> str | None:
        if self.user is None or self.state is BridgeState.IDLE:
            return "no claim on this call: press 'Prendre l'appel' first"
        if username != self.user:
            return f"this call's softphone is assigned to {self.user}"
        if self._ticket_hash is None or not hmac.compare_digest(
                hashlib.sha256(str(ticket).encode()).digest(), self._ticket_hash):
            return "invalid softphone ticket"
        if self._ticket_used or self.state is not BridgeState.CLAIMED:
            return "softphone ticket already used: take the call again"
        if time.monotonic() > self._ticket_expires:
            return "softphone ticket expired: take the call again"
        return None

    # -- audio -----------------------------------------------------------------------------

    def from_caller(self, pcm16: bytes, sample_rate: int) -> None:
        leg = self.leg
        if leg is None or self.state not in (BridgeState.CONNECTING, BridgeState.LIVE):
            return
        if sample_rate != CALLER_RATE:  # the pipeline resamples input to 16 kHz
            return
        leg.outbound.push(pcm16)
        self.stats.caller_frames_to_human += 1

    async def from_human(self, pcm16: bytes) -> None:
        if self.state is BridgeState.CONNECTING:
            # The softphone's audio arrived: the human is really on the line.
            await self._go_live()
        if self.state is not BridgeState.LIVE or not self.injector.started:
            return
        if self._announce is not _Announce.DONE:
            self.stats.human_frames_held += 1
            return
        await self.injector.play(pcm16, self.out_rate)
        self.stats.human_frames_to_caller += 1

    async def _go_live(self) -> None:
        self.state = BridgeState.LIVE
        user = self.user or "?"
        summary = self.hub.summary(self.call_id)
        if summary is not None and summary.taken_over_by == user:
            self._announce = _Announce.DONE  # taken over before: the agent already said so
        else:
            self._announce = _Announce.PENDING
            self._spawn(self._announce_deadline())
            # The agent tells the caller they are put through, then stops listening.
            self._spawn(self._acknowledge(user))
        self._audit(user, "softphone.connected", channel=self.channel)
        self._push("live")

    async def _acknowledge(self, user: str) -> None:
        await self.hub.acknowledge(self.call_id, user, take_over=True)

    async def _announce_deadline(self) -> None:
        await asyncio.sleep(ANNOUNCE_MAX_S)
        self._announce = _Announce.DONE

    def _on_event(self, event: CallEvent) -> None:
        if isinstance(event, AgentSaid) and event.kind == "put_through" and \
                self._announce is _Announce.PENDING:
            self._announce = _Announce.SAID

    def agent_speech_started(self) -> None:
        if self._announce is _Announce.SAID:
            self._announce = _Announce.PLAYING

    def agent_speech_stopped(self) -> None:
        if self._announce is _Announce.PLAYING:
            self._announce = _Announce.PLAYED

    def agent_stopped_speaking(self) -> None:
        if self._announce is _Announce.PLAYED:
            self._announce = _Announce.DONE

    # -- endings ---------------------------------------------------------------------------

    async def caller_gone(self) -> None:
        """The caller's pipeline ends (hang-up, stream closed): the softphone leg closes too."""
        if self.state is BridgeState.ENDED:
            self._finished()
            return
        was = self.state
        self.state = BridgeState.ENDED
        if was is not BridgeState.IDLE and self.user is not None:
            self._audit(self.user, "softphone.caller_left", state=was.value,
                        caller_frames=self.stats.caller_frames_to_human,
                        human_frames=self.stats.human_frames_to_caller)
        if self.leg is not None:
            self.leg.notify("ended", "caller hung up")
            await self._close_leg("caller hung up")
        self._push("ended", reason="caller hung up")
        self._finished()

    async def _leg_lost(self, reason: str) -> None:
        async with self._lock:
            if self.state in (BridgeState.CLAIMED, BridgeState.CONNECTING):
                await self._release(reason, "softphone.failed")
                return
            if self.state is not BridgeState.LIVE:
                return
            self.state = BridgeState.ENDED
            self._audit(self.user or "?", "softphone.lost", reason=reason)
            await self._close_leg(reason)
            self._push("ended", reason=reason)
        # Never a dead line: the caller hears what happens, then the stream ends.
        await self._tell_caller_line_lost()
        await self.tap.end_call("softphone lost")
        self._finished()

    async def _tell_caller_line_lost(self) -> None:
        language = self.session.language if self.session.language in ("fr", "en") else "fr"
        texts = LOST_NOTICE["twilio" if self.channel == "twilio" else "browser"]
        practice = self.hub.practice_of(self.call_id)  # the dialled practice's number
        text = texts[language].format(number=practice.emergency_number or "15")
        try:
            audio = await asyncio.wait_for(
                asyncio.to_thread(self._synth.synthesize, text, language), timeout=3.0)
        except Exception:  # noqa: BLE001 - the stream still ends (Twilio dials a human)
            log.exception("call %s: the line-lost notice could not be synthesized",
                          self.call_id)
            return
        self._audit("system", "softphone.notice", kind="line_lost", language=language)
        await self.injector.play(audio.pcm16, audio.sample_rate)
        await asyncio.sleep(audio.duration_s + 0.5)

    async def _deadline(self, generation: int) -> None:
        await asyncio.sleep(self.connect_timeout_s)
        async with self._lock:
            if generation == self._generation and self.state in (BridgeState.CLAIMED,
                                                                 BridgeState.CONNECTING):
                await self._release(
                    f"softphone did not connect within {self.connect_timeout_s:g} s",
                    "softphone.timeout")

    async def _release(self, reason: str, action: str) -> None:
        """Give the claim back: nobody acknowledged, so the agent keeps the caller and the
        escalation ladder keeps running."""
        user = self.user or "?"
        if self.leg is not None:
            self.leg.notify("failed", reason)
            await self._close_leg(reason)
        self.state = BridgeState.IDLE
        self.user = None
        self._ticket_hash = None
        self._generation += 1
        log.warning("call %s: softphone released (%s)", self.call_id, reason)
        self._audit(user, action, reason=reason)
        self._push("failed", reason=reason, by=user)

    async def _close_leg(self, reason: str) -> None:
        leg, self.leg = self.leg, None
        if leg is not None:
            leg.notify("ended", reason)
            await leg.close()

    def _finished(self) -> None:
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        if self._on_ended is not None:
            on_ended, self._on_ended = self._on_ended, None
            on_ended(self)

    # -- record ----------------------------------------------------------------------------

    def _audit(self, actor: str, action: str, **details: str | int | float | bool | None
               ) -> None:
        if self.call_id:
            self.hub.audit(actor, action, self.call_id, **details)

    def _push(self, state: str, **data: str | None) -> None:
        self.hub.publish("softphone", self.call_id, {
            "state": state, "by": data.pop("by", None) or self.user, **data})

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Server shutdown: the leg goes with it."""
        with contextlib.suppress(Exception):
            await self._close_leg("server shutting down")
        self._finished()
