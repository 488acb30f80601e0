"""A test caller that listens: it phones the agent over the Twilio Media Streams protocol, reads
each question the agent asks from the live transcript the dashboard shows (the ``/api/live``
push), waits until the agent stops talking, and answers with pre-voiced phrases chosen by what
was asked. A test follows the dialogue instead of fixed gaps.

What the caller does not depend on: how fast the machine is. It answers a question only once it
has heard it (agent audio came after the caller's last phrase, then stopped),
however late synthesis or the transcript push came; and every phrase starts on the same
160 ms grid of its own stream (8 Twilio frames, 5 windows of the recognizer's VAD), so a phrase
reaches the recognizer as the same samples in every run, whenever the question came.

Answers are given per question kind (``ask_reason``, ``ask_name``, ``ask_dob``,
``ask_callback``, ``confirm_form``, ``confirm_flag``, ``ask_correction``); a list is used in
order (a re-asked question gets the next phrase, the last one repeats).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.agent.wording import CONFIRM_QUESTIONS, TEXTS

_KIND_OF_KEY = {"ask_reason": "ask_reason", "ask_name": "ask_name", "reask_name": "ask_name",
                "ask_dob": "ask_dob", "reask_dob": "ask_dob", "ask_callback": "ask_callback",
                "ask_callback_known": "ask_callback", "reask_callback": "ask_callback",
                "confirm_form": "confirm_form", "ask_correction": "ask_correction"}
_WRAPPERS = ("reprompt", "repeat_yes_no")
GRID_FRAMES = 8
"""Phrases start on frame indices that are multiples of this (8 x 20 ms = 160 ms = 5 x 32 ms,
the VAD window at 16 kHz): the recognizer's decode of a short phrase changes with its offset
inside the VAD grid ("une douleur" decoded "indoleur" at some offsets, not at others)."""
REACTION_S = 0.6
"""Agent audio quiet this long: it stopped talking (a caller's reaction, not a test threshold)."""
HEAR_WAIT_S = 15.0
"""Longest wait for the agent's audio of a question (a TTS fault may leave it unspoken)."""
_ENDINGS = ("closing_routine", "closing_urgent", "emergency", "emergency_call_15",
            "emergency_no_transfer", "transfer_human", "transfer_fault")


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".*".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def question_kind(text: str, language: str = "fr") -> str | None:
    """What the agent's line asks (a question kind), ``end`` for a closing or handoff notice,
    None for anything else (greeting, "un médecin vous rappellera")."""
    for key in _WRAPPERS:
        template = TEXTS[key][language]  # type: ignore[index]
        prefix = template.split("{question}")[0]
        if text.startswith(prefix):
            return question_kind(text[len(prefix):], language)
    if any(text == q[language] for q in CONFIRM_QUESTIONS.values()):  # type: ignore[index]
        return "confirm_flag"
    for key, kind in _KIND_OF_KEY.items():
        if _pattern(TEXTS[key][language]).match(text):  # type: ignore[index]
            return kind
    for key in _ENDINGS:
        if _pattern(TEXTS[key][language]).match(text):  # type: ignore[index]
            return "end"
    return None


@dataclass
class Exchange:
    asked: str
    kind: str | None
    answered: str | None


@dataclass
class ListeningCall:
    exchanges: list[Exchange] = field(default_factory=list)
    call_id: str | None = None
    ended_by_agent: bool = False


def _mulaw(path: Path) -> bytes:
    import soundfile as sf

    from asr.audio import float_to_mulaw

    samples, rate = sf.read(path, dtype="float32")
    assert rate == 8000, f"expected 8 kHz phone speech, got {rate} Hz"
    return float_to_mulaw(samples)


def announce(base_url: str, call_sid: str, caller: str, auth_token: str = "secret") -> str:
    """Twilio's signed voice webhook for this call; returns the stream's one-time token."""
    import re

    import httpx

    from pipeline.service.twilio_auth import expected_signature

    params = {"CallSid": call_sid, "From": caller}
    signature = expected_signature(auth_token, base_url + "/twilio/voice", params)
    response = httpx.post(base_url + "/twilio/voice", data=params,
                          headers={"X-Twilio-Signature": signature})
    response.raise_for_status()
    token = re.search(r'<Parameter name="token" value="([^"]+)"/>', response.text)
    assert token is not None, response.text
    return token.group(1)


class AgentAudio:
    """When the agent's audio reached the caller (Twilio media messages, paced in real time)."""

    def __init__(self) -> None:
        self.last = -1.0
        self.caller_done = time.monotonic()
        """When the caller's last phrase was fully sent: agent audio after it answers it."""
        self._arrived = asyncio.Event()

    def heard(self) -> None:
        self.last = time.monotonic()
        self._arrived.set()

    async def finished_after(self, t: float) -> None:
        """Return once agent audio came at or after ``t`` (the question being spoken, or the
        line before it still playing) and then stopped for ``REACTION_S``; if none comes
        within ``HEAR_WAIT_S`` (nothing to hear), return anyway."""
        limit = time.monotonic() + HEAR_WAIT_S
        while self.last < t and time.monotonic() < limit:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=0.1)
        while time.monotonic() - self.last < REACTION_S:
            await asyncio.sleep(REACTION_S - (time.monotonic() - self.last) + 0.01)


async def listening_call(base_url: str, token: str, answers: dict[str, list[str]], *,
                         voice: Callable[[str], Path], call_sid: str = "CAlisten",
                         caller: str = "+33612345678", max_s: float = 120.0,
                         linger_s: float = 2.5) -> ListeningCall:
    """Place one call; ``voice(text)`` gives the 8 kHz phone WAV of a phrase."""
    import websockets

    result = ListeningCall()
    # Pre-voiced: every phrase is synthesized before the call (synthesis is slow and blocking).
    voiced = {p: _mulaw(voice(p)) for phrases in answers.values() for p in phrases}
    queue: list[bytes] = []
    agent_audio = AgentAudio()
    lines: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    used: dict[str, int] = {}
    ws_base = base_url.replace("http", "ws", 1)
    # As Twilio does: the signed voice webhook first; its TwiML hands the stream a one-time token.
    stream_token = await asyncio.to_thread(announce, base_url, call_sid, caller)

    async with websockets.connect(f"{ws_base}/api/live?token={token}") as dash, \
            websockets.connect(f"{ws_base}/ws/twilio") as line:
        hello = json.loads(await dash.recv())
        assert hello["kind"] == "hello", hello
        await line.send(json.dumps({"event": "connected", "protocol": "Call",
                                    "version": "1.0.0"}))
        await line.send(json.dumps({
            "event": "start", "sequenceNumber": "1", "streamSid": "MZlisten",
            "start": {"accountSid": "ACtest", "streamSid": "MZlisten", "callSid": call_sid,
                      "tracks": ["inbound"], "customParameters": {"From": caller,
                                                                 "token": stream_token},
                      "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                      "channels": 1}}}))

        async def read_line() -> None:
            async for message in line:
                if json.loads(message).get("event") == "media":
                    agent_audio.heard()

        async def read_dashboard() -> None:
            async for raw in dash:
                message = json.loads(raw)
                if message.get("kind") == "call" and result.call_id is None and \
                        message["data"].get("channel") == "twilio":
                    result.call_id = message["call_id"]
                if message.get("kind") != "transcript" or (
                        result.call_id is not None and message["call_id"] != result.call_id):
                    continue
                data = message["data"]
                if data.get("speaker") == "agent" and data.get("final"):
                    await lines.put((message["call_id"], data["text"]))

        async def speak() -> None:
            # 20 ms of caller audio every 20 ms: the phrase being said, else line silence. A
            # phrase starts on the grid only, so its samples meet the recognizer the same way.
            t0, i, pending, speaking = time.monotonic(), 0, b"", False
            while True:
                if not pending and queue and i % GRID_FRAMES == 0:
                    pending = queue.pop(0)
                    speaking = True
                elif not pending and speaking:
                    speaking = False
                    agent_audio.caller_done = time.monotonic()
                frame, pending = (pending[:160], pending[160:]) if pending else (b"\xff" * 160,
                                                                                 b"")
                frame = frame.ljust(160, b"\xff")
                await line.send(json.dumps({"event": "media", "streamSid": "MZlisten", "media": {
                    "track": "inbound", "chunk": str(i), "timestamp": str(i * 20),
                    "payload": base64.b64encode(frame).decode()}}))
                i += 1
                delay = t0 + i * 0.02 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)

        tasks = [asyncio.create_task(c()) for c in (read_line, read_dashboard, speak)]
        deadline = time.monotonic() + max_s
        try:
            while time.monotonic() < deadline:
                try:
                    _, text = await asyncio.wait_for(lines.get(), timeout=1.0)
                except TimeoutError:
                    continue
                kind = question_kind(text)
                if kind == "end":
                    result.exchanges.append(Exchange(text, kind, None))
                    result.ended_by_agent = True
                    break
                if kind is None or kind not in answers:
                    result.exchanges.append(Exchange(text, kind, None))
                    continue
                # Hear the question out, as a caller does: its audio (however late synthesis
                # made it) and then quiet.
                # Agent audio since the caller last spoke is the reply (the transcript push can
                # lag the audio by seconds on a busy machine, so not "since the line came").
                await agent_audio.finished_after(agent_audio.caller_done)
                if not lines.empty():
                    # The agent said more meanwhile (e.g. a re-prompt): answer the latest.
                    result.exchanges.append(Exchange(text, kind, None))
                    continue
                phrases = answers[kind]
                phrase = phrases[min(used.get(kind, 0), len(phrases) - 1)]
                used[kind] = used.get(kind, 0) + 1
                result.exchanges.append(Exchange(text, kind, phrase))
                queue.append(voiced[phrase])
            await asyncio.sleep(linger_s)
        finally:
            await line.send(json.dumps({"event": "stop", "streamSid": "MZlisten"}))
            await asyncio.sleep(0.3)
            for task in tasks:
                task.cancel()
    return result
