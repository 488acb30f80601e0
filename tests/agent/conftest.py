"""Voice-agent fixtures: runtimes over the session's real engines, multi-turn caller
recordings built from Kokoro test speech, and fault injectors for the fail-safe tests."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# Wednesday 22:30 in Paris: the practice is closed and a physician is on call (weeknight
# shift), so emergencies are transferred and routine calls stay with the agent.
WEEKNIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)


@pytest.fixture
def weeknight() -> datetime:
    return WEEKNIGHT


@pytest.fixture(scope="session")
def warm_engines(settings: Any, recognizer: Any, classifier: Any) -> None:
    """One pass through each engine, as ``AgentRuntime.load`` does: lazy loads (spaCy, the
    first CTranslate2 pass) take seconds and are not stalls."""
    from handoff import demo_practice
    from pipeline.agent.runtime import AgentRuntime
    from pipeline.agent.tts import EspeakSynthesizer

    AgentRuntime(settings, recognizer, classifier, EspeakSynthesizer(), None,  # type: ignore[arg-type]
                 demo_practice()).warm_up()


@pytest.fixture
def make_runtime(settings: Any, recognizer: Any, classifier: Any, warm_engines: None
                 ) -> Callable[..., Any]:
    """``make_runtime(hub=None, recognizer=None, classifier=None, synthesizer=None)``: an agent
    runtime over the real engines (or injected faulty wrappers), with a fresh in-memory hub."""
    from handoff import demo_practice
    from pipeline.agent.runtime import AgentRuntime
    from pipeline.agent.tts import EspeakSynthesizer
    from pipeline.calls import CallHub

    def make(hub: Any = None, **engines: Any) -> AgentRuntime:
        practice = demo_practice()
        hub = hub or CallHub(None, practice, clock=lambda: WEEKNIGHT)
        runtime = AgentRuntime(
            settings, engines.get("recognizer") or recognizer,
            engines.get("classifier") or classifier,
            engines.get("synthesizer") or EspeakSynthesizer(), hub, practice)
        return runtime

    return make


@pytest.fixture(scope="session")
def conversation(speech: Callable[..., Path]) -> Callable[..., Path]:
    """``conversation(["text", 1.5, "text", ...], language="fr", phone=False) -> Path``: one
    caller's side of a call, utterances separated by the given seconds of silence (cached)."""
    import soundfile as sf

    from asr.audio import load_file

    def build(parts: list[str | float], language: str = "fr", phone: bool = False) -> Path:
        key = hashlib.sha256(json.dumps([parts, language, phone]).encode()).hexdigest()[:20]
        root = Path.home() / ".cache" / "permanence" / "test-conversations"
        path = root / f"{key}.wav"
        if path.is_file():
            return path
        pieces = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(load_file(speech(part, language, phone)))
            else:
                pieces.append(np.zeros(int(float(part) * 16000), np.float32))
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.wav")
        sf.write(tmp, np.concatenate(pieces), 16000, subtype="PCM_16")
        tmp.replace(path)
        return path

    return build


class FaultyTranscriber:
    def __init__(self, inner: Any, mode: str, at_s: float) -> None:
        self.inner, self.mode, self.at_s = inner, mode, at_s

    @property
    def partials(self) -> bool:
        return bool(self.inner.partials)

    @partials.setter
    def partials(self, value: bool) -> None:
        self.inner.partials = value

    @property
    def pending_finals(self) -> int:
        return int(self.inner.pending_finals)

    def feed(self, chunk: Any) -> Any:
        if chunk.t1 >= self.at_s:
            if self.mode == "raise":
                raise RuntimeError("injected recognizer fault")
            time.sleep(8.0)  # past the recognizer's 6 s stall budget
        return self.inner.feed(chunk)

    @property
    def pending_passes(self) -> Any:
        return self.inner.pending_passes

    @property
    def engine_progress(self) -> int:
        return int(self.inner.engine_progress)

    def flush(self, wait: bool = True) -> Any:
        return self.inner.flush(wait)

    def prioritize(self, urgent: bool = True) -> None:
        self.inner.prioritize(urgent)


class FaultyRecognizer:
    """The real recognizer whose streams raise, or stall 8 s, once audio passes ``at_s``."""

    def __init__(self, real: Any, mode: str, at_s: float = 2.0) -> None:
        self.real, self.mode, self.at_s = real, mode, at_s

    def stream(self, language: str | None = None, t0: float = 0.0) -> FaultyTranscriber:
        return FaultyTranscriber(self.real.stream(language=language, t0=t0), self.mode, self.at_s)


class FaultyStreamingClassifier:
    def __init__(self, inner: Any, mode: str) -> None:
        self.inner, self.mode = inner, mode

    def update(self, text: str, *, t: float, final: bool) -> Any:
        if self.mode == "raise":
            raise RuntimeError("injected classifier fault")
        time.sleep(3.0)
        return self.inner.update(text, t=t, final=final)

    def asked(self, question: str | None) -> Any:
        return self.inner.asked(question)

    def form(self) -> Any:
        return self.inner.form()


class FaultyClassifier:
    """The real classifier whose streams raise, or stall 3 s, on the first update."""

    def __init__(self, real: Any, mode: str) -> None:
        self.real, self.mode = real, mode

    def stream(self, language: str | None = None) -> FaultyStreamingClassifier:
        return FaultyStreamingClassifier(self.real.stream(language), self.mode)


class FaultySynthesizer:
    """espeak-ng that works for the first ``ok_calls`` utterances, then raises or stalls."""

    name = "faulty"

    def __init__(self, mode: str, ok_calls: int = 1) -> None:
        from pipeline.agent.tts import EspeakSynthesizer

        self.real, self.mode, self.ok_calls, self.calls = EspeakSynthesizer(), mode, ok_calls, 0

    def synthesize(self, text: str, language: str) -> Any:
        self.calls += 1
        if self.calls > self.ok_calls:
            if self.mode == "raise":
                raise RuntimeError("injected TTS fault")
            time.sleep(3.0)
        return self.real.synthesize(text, language)


@pytest.fixture
def faults() -> dict[str, Any]:
    return {"recognizer": FaultyRecognizer, "classifier": FaultyClassifier,
            "tts": FaultySynthesizer}


@pytest.fixture
def agent_app(tmp_path: Path, recognizer: Any, classifier: Any, warm_engines: None,
              fake_twilio: Any, weeknight: Any) -> Iterator[Any]:
    """The real app (SQLite store, hub, telephony channel to the fake Twilio) on 127.0.0.1,
    with the agent runtime over the session's engines."""
    from handoff import TwilioTransferChannel
    from pipeline.agent.runtime import AgentRuntime
    from pipeline.agent.tts import EspeakSynthesizer
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services
    from pipeline.service.threaded import running_server
    from pipeline.settings import Settings

    # Phone routes are on only with Twilio credentials (webhooks are signature-checked).
    settings = Settings(data_dir=tmp_path, twilio_account_sid="ACtest",
                        twilio_auth_token="secret")
    channel = TwilioTransferChannel("ACtest", "secret", api_base=fake_twilio.url)
    services = build_services(settings, channels=[channel], classifier=classifier,
                              clock=lambda: weeknight)
    app = create_app(settings, services=services)
    app.state.agent_runtime = AgentRuntime(settings, recognizer, classifier, EspeakSynthesizer(),
                                           services.hub, services.practice)
    with running_server(app) as server:
        app.state.base_url = server.base_url
        yield app


@pytest.fixture
def network_audit(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every name look-up and every connection or datagram to an address that is not
    this machine's (loopback or its own interfaces). A call must never reach the network."""
    import ipaddress
    import socket

    import psutil

    local = {a.address.split("%")[0] for addrs in psutil.net_if_addrs().values() for a in addrs
             if a.family in (socket.AF_INET, socket.AF_INET6)}
    violations: list[str] = []

    def is_local(host: Any) -> bool:
        if host in (None, "", "localhost"):
            return True
        try:
            ip = ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return False
        return ip.is_loopback or ip.is_unspecified or str(ip) in local

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if not is_local(name):
            violations.append(f"name look-up {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def guard(method: str) -> None:
        real = getattr(socket.socket, method)

        def wrapped(self: socket.socket, *args: Any) -> Any:
            address = args[-1]
            if isinstance(address, tuple) and not is_local(address[0]):
                violations.append(f"{method} to {address[0]}")
            return real(self, *args)

        monkeypatch.setattr(socket.socket, method, wrapped)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for method in ("connect", "connect_ex", "sendto"):
        guard(method)
    return violations


@pytest.fixture
def dashboard_token(agent_app: Any) -> str:
    """A logged-in tele-secretary's token: what the dashboard (and the listening caller) use
    to read the live transcript."""
    import httpx

    from pipeline.service.auth import Role

    services = agent_app.state.services
    services.auth.add_user("listener", Role.TELE_SECRETARY, "listening-caller-pw", actor="test")
    response = httpx.post(agent_app.state.base_url + "/api/auth/login",
                          json={"username": "listener", "password": "listening-caller-pw"},
                          timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
