"""The take-over softphone's API against the real app (uvicorn on 127.0.0.1, real SQLite, the real
hub): who may open a call's softphone, one-time tickets, refusals audited, and a softphone that
never connects hands the call back to the escalation ladder. The live call's agent is a stand-in
session (no engines); its bridge is the real one. The SDP offers come from a real aiortc peer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pytest

from tests.service.conftest import PASSWORD, WEEKDAY_MORNING


@dataclass
class StandInSession:
    """What the bridge reads of a call session: the call id, its language, whether it ended."""

    call_id: str
    language: str = "fr"
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    listeners: list[Callable[[Any], None]] = field(default_factory=list)

    def subscribe(self, listener: Callable[[Any], None]) -> None:
        self.listeners.append(listener)


@dataclass
class Line:
    app: Any
    base_url: str
    call_id: str
    bridge: Any

    def run(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.app.state.loop).result(timeout)


def _offer_sdp() -> str:
    """An SDP offer as a softphone makes one: audio both ways and a control data channel."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    async def make() -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("audio", direction="sendrecv")
        pc.createDataChannel("control")
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return str(sdp)

    return asyncio.run(make())


def _login(base_url: str, username: str) -> dict[str, str]:
    r = httpx.post(base_url + "/api/auth/login", json={"username": username,
                                                       "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def line(service_settings: Any, make_services: Any, fast_practice: Any) -> Iterator[Line]:
    """A live call with an audio line (its bridge registered), in a running server whose
    practice escalates after 0.4 s."""
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server
    from pipeline.softphone.routes import open_bridge

    services = make_services(WEEKDAY_MORNING, practice=fast_practice, channels=[])
    app = create_app(service_settings, services=services)
    with running_server(app) as server:
        async def start() -> tuple[str, Any]:
            call_id = await services.hub.start_call(channel="twilio", language="fr",
                                                    caller_number="+33612345678")
            bridge = open_bridge(app, StandInSession(call_id), None, channel="twilio",
                                 out_rate=8000)
            return call_id, bridge

        call_id, bridge = asyncio.run_coroutine_threadsafe(start(), app.state.loop).result(10)
        yield Line(app, server.base_url, call_id, bridge)


def _audit(line: Line, action: str) -> list[dict[str, Any]]:
    hub = line.app.state.services.hub
    line.run(hub.flush(timeout_s=5.0))
    return [e for e in line.app.state.services.store.audit_entries()
            if e["action"] == action and e["call_id"] == line.call_id]


def test_softphone_needs_a_clinical_login_and_a_live_line(line: Line) -> None:
    url = f"{line.base_url}/api/calls/{line.call_id}/softphone"
    assert httpx.post(url, timeout=10).status_code == 401
    analyst = _login(line.base_url, "data_analyst")
    assert httpx.post(url, headers=analyst, timeout=10).status_code == 403
    secretary = _login(line.base_url, "tele_secretary")
    r = httpx.post(f"{line.base_url}/api/calls/{'0' * 16}/softphone", headers=secretary,
                   timeout=10)
    assert r.status_code == 404 and "no live audio line" in r.json()["detail"]
    assert line.bridge.state.value == "idle"


def test_only_the_user_who_took_the_call_can_open_its_softphone(line: Line) -> None:
    base = f"{line.base_url}/api/calls/{line.call_id}/softphone"
    secretary = _login(line.base_url, "tele_secretary")
    physician = _login(line.base_url, "physician")
    claim = httpx.post(base, headers=secretary, timeout=10)
    assert claim.status_code == 200, claim.text
    ticket = claim.json()["ticket"]
    assert claim.json()["channel"] == "twilio"
    # Another clinician can neither take it nor use the secretary's ticket.
    taken = httpx.post(base, headers=physician, timeout=10)
    assert taken.status_code == 403 and "tele_secretary" in taken.json()["detail"]
    sdp = _offer_sdp()
    stolen = httpx.post(base + "/offer", headers=physician, timeout=10,
                        json={"ticket": ticket, "sdp": sdp, "type": "offer"})
    assert stolen.status_code == 403
    # A forged ticket is refused; the real one was not spent by the refusals.
    forged = httpx.post(base + "/offer", headers=secretary, timeout=10,
                        json={"ticket": "x" * 43, "sdp": sdp, "type": "offer"})
    assert forged.status_code == 403 and "invalid" in forged.json()["detail"]
    answer = httpx.post(base + "/offer", headers=secretary, timeout=20,
                        json={"ticket": ticket, "sdp": sdp, "type": "offer"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"] == "answer" and "m=audio" in answer.json()["sdp"]
    # No STUN: the answer offers this machine's own addresses only.
    assert "srflx" not in answer.json()["sdp"] and "relay" not in answer.json()["sdp"]
    # The same offer again (a replay) is refused: the ticket was for one connection.
    replay = httpx.post(base + "/offer", headers=secretary, timeout=10,
                        json={"ticket": ticket, "sdp": sdp, "type": "offer"})
    assert replay.status_code == 403 and "already used" in replay.json()["detail"]
    assert line.bridge.state.value == "connecting" and line.bridge.user == "tele_secretary"
    refused = _audit(line, "softphone.refused")
    assert [e["actor"] for e in refused] == ["physician", "physician", "tele_secretary",
                                             "tele_secretary"]
    assert [e["actor"] for e in _audit(line, "softphone.claim")] == ["tele_secretary"]
    assert [e["actor"] for e in _audit(line, "softphone.offer")] == ["tele_secretary"]
    # Hanging up before any audio flowed gives the claim back; the agent still has the call.
    r = httpx.post(base + "/hangup", headers=secretary, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "idle"
    assert _audit(line, "softphone.cancelled")


def test_a_call_taken_over_belongs_to_its_taker(line: Line) -> None:
    hub = line.app.state.services.hub
    line.run(hub.acknowledge(line.call_id, "physician", take_over=True))
    secretary = _login(line.base_url, "tele_secretary")
    r = httpx.post(f"{line.base_url}/api/calls/{line.call_id}/softphone", headers=secretary,
                   timeout=10)
    assert r.status_code == 403 and "physician" in r.json()["detail"]
    physician = _login(line.base_url, "physician")
    r = httpx.post(f"{line.base_url}/api/calls/{line.call_id}/softphone", headers=physician,
                   timeout=10)
    assert r.status_code == 200


def test_a_cross_site_softphone_request_riding_the_cookie_is_refused(line: Line) -> None:
    r = httpx.post(line.base_url + "/api/auth/login", json={"username": "tele_secretary",
                                                            "password": PASSWORD}, timeout=10)
    cookies = r.cookies
    url = f"{line.base_url}/api/calls/{line.call_id}/softphone"
    evil = httpx.post(url, cookies=cookies, headers={"Origin": "https://evil.example"},
                      timeout=10)
    assert evil.status_code == 403
    assert line.bridge.state.value == "idle"
    ours = httpx.post(url, cookies=cookies, headers={"Origin": line.base_url}, timeout=10)
    assert ours.status_code == 200, ours.text


def test_a_softphone_that_never_connects_gives_the_call_back_to_the_ladder(line: Line) -> None:
    hub = line.app.state.services.hub
    decision = line.run(hub.hand_to_human(line.call_id, "caller asked for a person", 1.0))
    assert decision.is_handoff
    line.bridge.connect_timeout_s = 1.5  # softphone_connect_timeout_s, shortened
    secretary = _login(line.base_url, "tele_secretary")
    claim = httpx.post(f"{line.base_url}/api/calls/{line.call_id}/softphone",
                       headers=secretary, timeout=10)
    assert claim.status_code == 200
    # The page got its ticket and then nothing (closed tab, no microphone, blocked network).
    deadline = time.monotonic() + 20
    while line.bridge.state.value != "idle" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line.bridge.state.value == "idle" and line.bridge.user is None
    timeouts = _audit(line, "softphone.timeout")
    assert len(timeouts) == 1 and timeouts[0]["actor"] == "tele_secretary"
    assert "1.5 s" in timeouts[0]["data"]["reason"]
    # Nobody acknowledged: the call still needs a human, and the ladder moved on.
    summary = hub.summary(line.call_id)
    assert summary.acknowledged_by is None and summary.needs_ack
    deadline = time.monotonic() + 20
    while (hub.current_decision(line.call_id).step == decision.step
           and time.monotonic() < deadline):
        time.sleep(0.1)
    assert hub.current_decision(line.call_id).step > decision.step
    # The released ticket cannot be used late.
    r = httpx.post(f"{line.base_url}/api/calls/{line.call_id}/softphone/offer",
                   headers=secretary, timeout=10,
                   json={"ticket": claim.json()["ticket"], "sdp": _offer_sdp(),
                         "type": "offer"})
    assert r.status_code == 403


def test_a_malformed_offer_is_refused_and_the_claim_given_back(line: Line) -> None:
    base = f"{line.base_url}/api/calls/{line.call_id}/softphone"
    secretary = _login(line.base_url, "tele_secretary")
    for body in ({"ticket": "t", "sdp": "v=0", "type": "offer"} | {"sdp": ""},
                 {"ticket": "t", "sdp": "not json at all"}):
        assert httpx.post(base + "/offer", headers=secretary, json=body,
                          timeout=10).status_code == 422
    ticket = httpx.post(base, headers=secretary, timeout=10).json()["ticket"]
    r = httpx.post(base + "/offer", headers=secretary, timeout=10,
                   json={"ticket": ticket, "sdp": "hello", "type": "answer"})
    assert r.status_code == 422 and "SDP offer" in r.json()["detail"]
    assert line.bridge.state.value == "idle" and line.bridge.user is None
    failed = _audit(line, "softphone.failed")
    assert len(failed) == 1 and "bad offer" in failed[0]["data"]["reason"]


def test_the_caller_audio_sent_to_the_softphone_never_piles_up() -> None:
    from pipeline.softphone.leg import CALLER_RATE, CallerAudioTrack

    async def run() -> tuple[int, list[bytes]]:
        track = CallerAudioTrack(max_buffer_s=0.1)
        # 1 s arrives at once (an event loop catching up): only the last 0.1 s is kept.
        ramp = np.arange(CALLER_RATE, dtype=np.int16)
        track.push(ramp.tobytes())
        frames = [bytes((await track.recv()).planes[0])[:640] for _ in range(7)]
        track.stop()
        return len(frames), frames

    count, frames = asyncio.run(run())
    first = np.frombuffer(frames[0], np.int16)
    assert first[0] == CALLER_RATE - int(0.1 * CALLER_RATE)  # the newest audio, in order
    assert all(len(f) == 640 for f in frames)  # 20 ms of 16 kHz s16 each
    assert not any(np.frombuffer(frames[-1], np.int16))  # then silence, not stale audio


def test_two_clinicians_racing_for_one_call_one_gets_it(line: Line) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base = f"{line.base_url}/api/calls/{line.call_id}/softphone"
    who = {"tele_secretary": _login(line.base_url, "tele_secretary"),
           "physician": _login(line.base_url, "physician")}
    attempts = [name for name in who for _ in range(6)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda name: (name, httpx.post(
            base, headers=who[name], timeout=20).status_code), attempts))
    winners = {name for name, code in codes if code == 200}
    assert len(winners) == 1, codes
    (winner,) = winners
    assert all(code == 403 for name, code in codes if name != winner), codes
    state = httpx.get(base, headers=who[winner], timeout=10).json()
    assert state["state"] == "claimed" and state["user"] == winner
