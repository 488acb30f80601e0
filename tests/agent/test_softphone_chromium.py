"""Take-over with audio, end to end, Chromium on both ends (fake media devices playing tones).

A caller (a Chromium on the browser caller page ``/call``, or a real websocket client speaking
Twilio's Media Streams protocol) plays one tone; the tele-secretary's Chromium logs into the
dashboard, presses "Prendre l'appel" on the live call and its softphone plays another tone.
Each side must hear the other's tone (WebAudio AnalyserNode on the received stream, or the
Twilio ``media`` messages decoded), the agent says "putting you through" and then falls
silent, and ending either leg closes both, audited. The agent runs on scripted engines (no
Whisper): what is under test is the audio path, not the triage.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.events import CallEnded
from tests.agent.fakes import WEEKDAY, Caller, KeywordTriage, ScriptedRecognizer
from tests.agent.listening_caller import announce
from tests.chromium import AUTOPLAY, launch, microphone_args, needs_chromium

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300), needs_chromium]

PASSWORD = "secretary-test-pw"
CALLER_HZ = 440.0
SECRETARY_HZ = 1000.0


def _tone(path: Path, hz: float, seconds: float = 6.0, rate: int = 16000) -> Path:
    """A tone in 0.4 s bursts (0.15 s gaps): voice-like on/off, so the browsers' noise
    suppression does not take it for steady background noise."""
    import soundfile as sf

    t = np.arange(int(seconds * rate)) / rate
    gate = ((t % 0.55) < 0.4).astype(np.float32)
    sf.write(path, (0.4 * np.sin(2 * np.pi * hz * t) * gate).astype(np.float32), rate,
             subtype="PCM_16")
    return path


def _chromium(p: Any, wav: Path) -> Any:
    return launch(p, *microphone_args(wav), AUTOPLAY)


MEDIA_TIMEOUT_S = 5.0
"""The product default: at 2 s a Chromium whose first audio came late on a busy core was lost
before it spoke."""


@pytest.fixture
def phone_app(tmp_path: Path, rules: Any, fake_twilio: Any) -> Iterator[Any]:
    """The real app (SQLite, hub, Twilio routes on, its REST API faked on 127.0.0.1) on
    127.0.0.1; the agent on scripted engines (a caller whose words are never recognized: the
    agent waits, then hands off). A softphone silent for ``MEDIA_TIMEOUT_S`` is lost."""
    from handoff import TwilioTransferChannel
    from pipeline.agent.runtime import AgentRuntime
    from pipeline.agent.tts import EspeakSynthesizer
    from pipeline.service.app import create_app
    from pipeline.service.auth import Role
    from pipeline.service.services import build_services
    from pipeline.service.threaded import running_server
    from pipeline.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", twilio_account_sid="ACtest",
                        twilio_auth_token="secret", softphone_connect_timeout_s=30.0,
                        softphone_media_timeout_s=MEDIA_TIMEOUT_S)
    channel = TwilioTransferChannel("ACtest", "secret", api_base=fake_twilio.url)
    services = build_services(settings, channels=[channel], classifier=rules,
                              clock=lambda: WEEKDAY)
    app = create_app(settings, services=services)
    app.state.agent_runtime = AgentRuntime(
        settings, ScriptedRecognizer(Caller()), KeywordTriage(), EspeakSynthesizer(),
        services.hub, services.practice, turn_detector=None)
    with running_server(app) as server:
        services.auth.add_user("secretary", Role.TELE_SECRETARY, PASSWORD, actor="test")
        app.state.base_url = server.base_url
        yield app


def _live_session(app: Any, channel: str, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sessions = [s for s in getattr(app.state, "agent_calls", ()) if s.channel == channel]
        if sessions and sessions[-1].call_id:
            return sessions[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {channel} call reached the agent")


def _take_over(p: Any, app: Any, call_id: str, wav: Path) -> tuple[Any, Any, list[str]]:
    """The tele-secretary's Chromium: log in, open the live call, press "Prendre l'appel",
    wait for the softphone to be on the line. Returns (browser, page, CSP violations)."""
    browser = _chromium(p, wav)
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(app.state.base_url + "/")
    page.fill("#login-username", "secretary")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector(".conn.on", timeout=10000)
    page.click(f".call-card[data-id='{call_id}']", timeout=15000)
    page.wait_for_selector("#btn-take", timeout=10000)
    page.click("#btn-take")
    page.wait_for_selector("#softphone[data-state='live']", timeout=30000)
    return browser, page, violations


def _heard(read: Callable[[], tuple[float, float]], hz: float, *, timeout_s: float = 20.0,
           tolerance_hz: float = 40.0, needed: int = 3) -> list[tuple[float, float]]:
    """Poll (level, loudest frequency) until ``needed`` readings put the loudest frequency
    within ``tolerance_hz`` of ``hz``; returns every reading (for the failure message)."""
    readings: list[tuple[float, float]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        readings.append(read())
        if sum(1 for level, f in readings if level > 0.005 and abs(f - hz) < tolerance_hz) \
                >= needed:
            return readings
        time.sleep(0.15)
    raise AssertionError(f"never heard {hz} Hz: (level, Hz) readings {readings[-20:]}")


def _softphone_reading(page: Any) -> tuple[float, float]:
    return (float(page.get_attribute("#softphone", "data-rx-level") or 0),
            float(page.get_attribute("#softphone", "data-rx-freq") or 0))


_CALLER_METER = """() => {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 4096;
  ctx.createMediaStreamSource(document.getElementById("remote").srcObject).connect(analyser);
  const wave = new Float32Array(analyser.fftSize);
  const spec = new Float32Array(analyser.frequencyBinCount);
  window.__rx = [0, 0];
  setInterval(() => {
    analyser.getFloatTimeDomainData(wave);
    let sum = 0; for (const v of wave) sum += v * v;
    analyser.getFloatFrequencyData(spec);
    let best = 1; for (let i = 2; i < spec.length; i++) if (spec[i] > spec[best]) best = i;
    window.__rx = [Math.sqrt(sum / wave.length), best * ctx.sampleRate / analyser.fftSize];
  }, 100);
}"""


def _audit_actions(app: Any, call_id: str) -> list[str]:
    services = app.state.services
    asyncio.run_coroutine_threadsafe(services.hub.flush(timeout_s=5.0), app.state.loop).result(10)
    return [e["action"] for e in services.store.audit_entries() if e["call_id"] == call_id]


def _wait(predicate: Callable[[], bool], timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _kinds_said(session: Any) -> list[str]:
    return [e.kind for e in session.timeline.events if type(e).__name__ == "AgentSaid"]


def test_browser_caller_and_secretary_hear_each_other_then_the_secretary_hangs_up(
        phone_app: Any, tmp_path: Path, network_audit: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    caller_wav = _tone(tmp_path / "caller.wav", CALLER_HZ)
    secretary_wav = _tone(tmp_path / "secretary.wav", SECRETARY_HZ)
    with sync_playwright() as p:
        caller_browser = _chromium(p, caller_wav)
        try:
            # The caller page's own script is not changed for the test: the meter is added
            # from outside, so this context alone may bypass the page's CSP.
            caller = caller_browser.new_context(bypass_csp=True).new_page()
            caller.goto(phone_app.state.base_url + "/call")
            caller.click("#call")
            caller.wait_for_selector("body[data-status='en ligne']", timeout=30000)
            session = _live_session(phone_app, "browser")
            bridge = phone_app.state.softphone.get(session.call_id)
            assert bridge is not None and bridge.state.value == "idle"
            caller.wait_for_function("document.getElementById('remote').srcObject",
                                     timeout=10000)
            caller.evaluate(_CALLER_METER)

            secretary_browser, secretary, csp = _take_over(p, phone_app, session.call_id,
                                                           secretary_wav)
            try:
                # The secretary hears the caller's tone; the caller hears the secretary's.
                _heard(lambda: _softphone_reading(secretary), CALLER_HZ)
                _heard(lambda: tuple(caller.evaluate("window.__rx")), SECRETARY_HZ)
                assert bridge.state.value == "live" and bridge.user == "secretary"
                # The server bridged the frames the ears heard (20 ms each).
                assert bridge.stats.caller_frames_to_human > 0
                assert bridge.stats.human_frames_to_caller > 0
                # The hub has it as a take-over by this user; the agent said it was putting
                # the caller through, then nothing more came from it.
                summary = phone_app.state.services.hub.summary(session.call_id)
                assert summary.taken_over_by == "secretary"
                kinds = _kinds_said(session)
                assert "put_through" in kinds and kinds[-1] == "put_through"
                assert not session.listener.active
                # All of "putting you through" reached the caller: no frame of it was cut.
                assert bridge.stats.agent_frames_muted == 0
                shots = os.environ.get("PERMANENCE_SCREENSHOT_DIR")
                if shots:
                    secretary.screenshot(path=str(Path(shots) / "softphone_live.png"))
                # Pressing "Prendre l'appel" again changes nothing (it never hangs up).
                secretary.click("#btn-take")
                time.sleep(1.0)
                assert secretary.get_attribute("#softphone", "data-state") == "live"
                assert bridge.state.value == "live"
                # The agent's screen stays: summary and live transcript on the dashboard.
                assert secretary.is_visible("#transcript")
                assert "put_through" not in secretary.inner_text("#transcript")
                secretary.click("#softphone-hangup")
                secretary.wait_for_selector("#softphone[data-state='ended']", timeout=10000)
            finally:
                secretary_browser.close()
            # Ending the softphone ends the caller's leg too.
            assert _wait(lambda: session.ended.is_set()), "the caller's leg stayed open"
            assert bridge.state.value == "ended"
            assert phone_app.state.softphone.get(session.call_id) is None
        finally:
            caller_browser.close()
    actions = _audit_actions(phone_app, session.call_id)
    for action in ("softphone.claim", "softphone.offer", "softphone.connected",
                   "softphone.hangup"):
        assert action in actions, actions
    assert csp == []
    assert network_audit == []


class TwilioCaller:
    """A real websocket client on Twilio's Media Streams protocol, in its own thread: plays a
    tone in 20 ms mu-law media messages at real-time pace and keeps what comes back."""

    def __init__(self, url: str, token: str, call_sid: str, hz: float) -> None:
        self.url, self.token, self.call_sid, self.hz = url, token, call_sid, hz
        self.received: list[dict[str, Any]] = []
        self.hang_up = threading.Event()
        self.closed = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._call())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.closed.set()

    async def _call(self) -> None:
        import websockets

        from asr.audio import float_to_mulaw

        t = np.arange(8000 * 6) / 8000
        gate = ((t % 0.55) < 0.4).astype(np.float32)
        audio = float_to_mulaw((0.4 * np.sin(2 * np.pi * self.hz * t) * gate).astype(np.float32))
        async with websockets.connect(self.url) as ws:
            await ws.send(json.dumps({"event": "connected", "protocol": "Call",
                                      "version": "1.0.0"}))
            await ws.send(json.dumps({
                "event": "start", "sequenceNumber": "1", "streamSid": "MZsoftphone",
                "start": {"accountSid": "ACtest", "streamSid": "MZsoftphone",
                          "callSid": self.call_sid, "tracks": ["inbound"],
                          "customParameters": {"token": self.token},
                          "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                          "channels": 1}}}))

            async def reader() -> None:
                async for message in ws:
                    self.received.append(json.loads(message))

            task = asyncio.create_task(reader())
            t0 = time.monotonic()
            i = 0
            while not self.hang_up.is_set() and not task.done() and time.monotonic() - t0 < 200:
                delay = t0 + i * 0.02 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                frame = audio[(i * 160) % len(audio):][:160]
                await ws.send(json.dumps({"event": "media", "streamSid": "MZsoftphone", "media": {
                    "track": "inbound", "chunk": str(i), "timestamp": str(i * 20),
                    "payload": base64.b64encode(frame).decode()}}))
                i += 1
            if not task.done():
                await ws.send(json.dumps({"event": "stop", "streamSid": "MZsoftphone"}))
                await asyncio.sleep(0.3)
            task.cancel()

    def heard(self, since: int) -> tuple[float, float]:
        """(RMS, loudest frequency) of the last 0.5 s of media sent back after ``since``."""
        from asr.audio import mulaw_to_float

        media = [m for m in self.received[since:] if m.get("event") == "media"][-25:]
        if len(media) < 25:
            return 0.0, 0.0
        # Decoded to 16 kHz (the recognizer's rate).
        pcm = mulaw_to_float(b"".join(base64.b64decode(m["media"]["payload"]) for m in media))
        spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
        return (float(np.sqrt(np.mean(pcm ** 2))),
                float(np.argmax(spectrum[1:]) + 1) * 16000 / len(pcm))


def test_twilio_caller_is_bridged_to_a_chromium_softphone_then_hangs_up(
        phone_app: Any, tmp_path: Path, network_audit: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    base = phone_app.state.base_url
    sid = "CA" + "5f" * 16
    token = announce(base, sid, "+33612345678")
    caller = TwilioCaller(base.replace("http", "ws") + "/ws/twilio", token, sid, CALLER_HZ)
    try:
        session = _live_session(phone_app, "twilio")
        bridge = phone_app.state.softphone.get(session.call_id)
        assert bridge is not None and bridge.channel == "twilio"
        with sync_playwright() as p:
            browser, page, csp = _take_over(p, phone_app, session.call_id,
                                            _tone(tmp_path / "secretary.wav", SECRETARY_HZ))
            try:
                since = len(caller.received)
                # The phone caller's tone reaches the softphone (mu-law 8 kHz -> Opus) ...
                _heard(lambda: _softphone_reading(page), CALLER_HZ)
                # ... and the secretary's microphone comes back as Twilio media messages.
                _heard(lambda: caller.heard(since), SECRETARY_HZ, tolerance_hz=40.0)
                assert all(m["streamSid"] == "MZsoftphone" for m in caller.received
                           if m.get("event") == "media")
                kinds = _kinds_said(session)
                assert kinds[-1] == "put_through", kinds
                muted_before = bridge.stats.agent_frames_muted
                # The caller hangs up: the softphone is told, and its leg closes.
                caller.hang_up.set()
                page.wait_for_selector("#softphone[data-state='ended']", timeout=15000)
            finally:
                browser.close()
        assert caller.closed.wait(10) and caller.error is None, caller.error
        assert _wait(lambda: session.ended.is_set())
        assert bridge.state.value == "ended"
        assert bridge.stats.agent_frames_muted >= muted_before
    finally:
        caller.hang_up.set()
        caller.closed.wait(10)
    actions = _audit_actions(phone_app, session.call_id)
    assert "softphone.connected" in actions and "softphone.caller_left" in actions, actions
    assert csp == []
    assert network_audit == []


def _hangups(fake_twilio: Any) -> list[str]:
    return [r["path"] for r in fake_twilio.requests if "<Hangup/>" in r["twiml"]]


def test_the_secretary_hanging_up_a_phone_call_hangs_it_up_at_twilio(
        phone_app: Any, tmp_path: Path, fake_twilio: Any) -> None:
    from playwright.sync_api import sync_playwright

    base = phone_app.state.base_url
    sid = "CA" + "6e" * 16
    caller = TwilioCaller(base.replace("http", "ws") + "/ws/twilio",
                          announce(base, sid, "+33612345678"), sid, CALLER_HZ)
    try:
        session = _live_session(phone_app, "twilio")
        with sync_playwright() as p:
            browser, page, _csp = _take_over(p, phone_app, session.call_id,
                                             _tone(tmp_path / "secretary.wav", SECRETARY_HZ))
            try:
                _heard(lambda: _softphone_reading(page), CALLER_HZ)
                assert _hangups(fake_twilio) == []
                # Muting the microphone is not losing the line (the softphone is lost after
                # MEDIA_TIMEOUT_S without media): the caller hears silence, the bridge stays live.
                bridge = phone_app.state.softphone.get(session.call_id)
                assert _wait(lambda: bridge.stats.human_frames_to_caller > 25)
                page.click("#softphone-mute")
                frames = bridge.stats.human_frames_to_caller
                time.sleep(MEDIA_TIMEOUT_S + 1.0)
                assert bridge.state.value == "live"
                assert bridge.stats.human_frames_to_caller > frames  # silence, still flowing
                level, _hz = caller.heard(0)
                assert level < 0.01, level  # the caller no longer hears the secretary's tone
                page.click("#softphone-mute")
                page.click("#softphone-hangup")
                page.wait_for_selector("#softphone[data-state='ended']", timeout=10000)
            finally:
                browser.close()
        # The call is hung up at the provider (not left to the TwiML's fallback dial, which
        # would ring the practice again), and the server closes the media stream.
        assert _wait(lambda: bool(_hangups(fake_twilio)))
        assert _hangups(fake_twilio) == [f"/2010-04-01/Accounts/ACtest/Calls/{sid}.json"]
        assert caller.closed.wait(15) and not caller.hang_up.is_set()
        assert _wait(lambda: session.ended.is_set())
    finally:
        caller.hang_up.set()
        caller.closed.wait(10)
    actions = _audit_actions(phone_app, session.call_id)
    assert "softphone.hangup" in actions and "softphone.phone_hangup" in actions, actions
    # The call's record says who ended it: the secretary, not the caller.
    ended = [e for e in session.timeline.events if isinstance(e, CallEnded)]
    assert [e.reason for e in ended] == ["tele-secretary hung up"], ended


def test_a_softphone_lost_mid_call_is_never_a_dead_line(
        phone_app: Any, tmp_path: Path, fake_twilio: Any) -> None:
    from playwright.sync_api import sync_playwright

    base = phone_app.state.base_url
    sid = "CA" + "7d" * 16
    caller = TwilioCaller(base.replace("http", "ws") + "/ws/twilio",
                          announce(base, sid, "+33612345678"), sid, CALLER_HZ)
    try:
        session = _live_session(phone_app, "twilio")
        bridge = phone_app.state.softphone.get(session.call_id)
        with sync_playwright() as p:
            browser, page, _csp = _take_over(p, phone_app, session.call_id,
                                             _tone(tmp_path / "secretary.wav", SECRETARY_HZ))
            _heard(lambda: caller.heard(0), SECRETARY_HZ)
            # The secretary's browser dies: no hang-up request, the media just stops.
            browser.close()
        assert _wait(lambda: bridge.state.value == "ended", timeout_s=20)
        lost_at = len(caller.received)
        # The caller is told (speech, not the secretary's tone), then the stream ends, so
        # Twilio runs the TwiML's fallback dial to the practice's secretary line: a human.
        assert caller.closed.wait(30) and not caller.hang_up.is_set()
        notice = [m for m in caller.received[lost_at:] if m.get("event") == "media"]
        assert len(notice) > 50, "the caller was not told the line was cut"
        assert _hangups(fake_twilio) == []
        assert _wait(lambda: session.ended.is_set())
    finally:
        caller.hang_up.set()
        caller.closed.wait(10)
    actions = _audit_actions(phone_app, session.call_id)
    assert "softphone.lost" in actions and "softphone.notice" in actions, actions


def test_a_browser_caller_whose_softphone_dies_is_told_and_the_call_ends(
        phone_app: Any, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        caller_browser = _chromium(p, _tone(tmp_path / "caller.wav", CALLER_HZ))
        try:
            caller = caller_browser.new_page()
            caller.goto(phone_app.state.base_url + "/call")
            caller.click("#call")
            caller.wait_for_selector("body[data-status='en ligne']", timeout=30000)
            session = _live_session(phone_app, "browser")
            bridge = phone_app.state.softphone.get(session.call_id)
            secretary_browser, secretary, _csp = _take_over(
                p, phone_app, session.call_id, _tone(tmp_path / "secretary.wav", SECRETARY_HZ))
            _heard(lambda: _softphone_reading(secretary), CALLER_HZ)
            assert _wait(lambda: bridge.stats.human_frames_to_caller > 25)
            secretary_browser.close()  # no hang-up: the secretary's machine just went away
            assert _wait(lambda: bridge.state.value == "ended", timeout_s=20)
            # Told to call again (or 15), then the line closes: never left on a dead line.
            assert _wait(lambda: session.ended.is_set(), timeout_s=30)
        finally:
            caller_browser.close()
    actions = _audit_actions(phone_app, session.call_id)
    assert "softphone.lost" in actions and "softphone.notice" in actions, actions
