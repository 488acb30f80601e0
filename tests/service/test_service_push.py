"""Push over a real websocket (uvicorn on 127.0.0.1 + the `websockets` client), and the
database-down fallback: the API answers 503, live calls still reach a human through the push,
an acknowledgment still stops the escalation, and nothing said is lost once it is back."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any

import httpx
import pytest
import websockets

CHEST_PAIN_FR = ("Bonjour, c'est pour mon mari, il a une douleur dans la poitrine qui serre "
                 "depuis vingt minutes et il transpire beaucoup")
PASSWORD = "correct horse battery"
pytestmark = pytest.mark.timeout(120)


def _token(base: str, user: str = "tele_secretary") -> str:
    r = httpx.post(base + "/api/auth/login", json={"username": user, "password": PASSWORD})
    return str(r.json()["access_token"])


async def _recv_until(ws: Any, kind: str, timeout: float = 5.0) -> tuple[dict, list[str]]:
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        seen.append(msg["kind"])
        if msg["kind"] == kind:
            return msg, seen


def test_websocket_push_of_a_simulated_red_flag(service_settings, services):
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    app = create_app(service_settings, services=services)
    with running_server(app) as server:
        token = _token(server.base_url)
        ws_url = server.base_url.replace("http", "ws") + "/api/live"

        async def run() -> tuple[dict, list[str], float, dict]:
            async with websockets.connect(f"{ws_url}?token={token}") as ws:
                hello = json.loads(await ws.recv())
                assert hello["kind"] == "hello" and hello["data"]["user"] == "tele_secretary"
                async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                    t0 = time.monotonic()
                    post = asyncio.create_task(client.post(
                        "/api/calls/simulate", headers={"Authorization": f"Bearer {token}"},
                        json={"language": "fr", "turns": [CHEST_PAIN_FR]}))
                    msg, seen = await _recv_until(ws, "handoff")
                    latency = time.monotonic() - t0
                    response = (await post).json()
            return msg, seen, latency, response

        msg, seen, latency, response = asyncio.run(run())
    assert latency < 1.0
    assert seen[:3] == ["call", "transcript", "classification"]
    assert msg["call_id"] == response["call_id"]
    assert msg["data"]["alert"] is True
    assert msg["data"]["decision"]["action"] == "transfer_physician"
    assert msg["data"]["evidence"][0]["category"] == "chest_pain"
    assert "poitrine" in msg["data"]["evidence"][0]["text"]


def test_websocket_refuses_without_valid_token(service_settings, services):
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    app = create_app(service_settings, services=services)
    with running_server(app) as server:
        ws_url = server.base_url.replace("http", "ws") + "/api/live"
        analyst = _token(server.base_url, "data_analyst")

        async def run() -> list[int | None]:
            codes = []
            for url in (ws_url, f"{ws_url}?token=forged", f"{ws_url}?token={analyst}"):
                try:
                    async with websockets.connect(url) as ws:
                        await ws.recv()
                except websockets.ConnectionClosed as exc:
                    codes.append(exc.rcvd.code if exc.rcvd else None)
                except websockets.InvalidStatus as exc:
                    codes.append(exc.response.status_code)
            return codes

        codes = asyncio.run(run())
    assert codes[0] in (4401, 403) and codes[1] in (4401, 403) and codes[2] in (4403, 403)


def test_database_down_still_reaches_a_human_and_loses_nothing(make_services,
                                                               service_settings):
    from pipeline.events import TranscriptFinal
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    services = make_services(datetime(2026, 11, 25, 10, 0))
    app = create_app(service_settings, services=services)
    data_dir = service_settings.data_dir
    moved = data_dir.with_name("data-unmounted")
    with running_server(app) as server:
        token = _token(server.base_url)
        auth = {"Authorization": f"Bearer {token}"}
        api = httpx.Client(base_url=server.base_url, timeout=30)
        assert api.get("/api/calls", headers=auth).status_code == 200  # token now cached
        ws_url = server.base_url.replace("http", "ws") + f"/api/live?token={token}"
        hub = services.hub
        loop = app.state.loop

        def on_loop(coro: Any) -> Any:
            return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=20)

        async def live_call_during_outage() -> tuple[str, dict]:
            async with websockets.connect(ws_url) as ws:
                json.loads(await ws.recv())
                data_dir.rename(moved)  # the database volume goes away

                async def agent() -> str:
                    call_id = await hub.start_call(channel="twilio", language="fr",
                                                   caller_number="+33698765432")
                    await hub.record_event(call_id, TranscriptFinal(
                        2.0, 1, CHEST_PAIN_FR))
                    c = services.classifier().classify(CHEST_PAIN_FR, "fr")
                    await hub.record_classification(call_id, c, None, 2.0)
                    return call_id

                call_id = await asyncio.wrap_future(
                    asyncio.run_coroutine_threadsafe(agent(), loop))
                msg, _ = await _recv_until(ws, "handoff")
                return call_id, msg

        call_id, alert = asyncio.run(live_call_during_outage())
        assert alert["call_id"] == call_id and alert["data"]["alert"] is True
        assert api.get("/api/health").status_code == 503
        r = api.get("/api/calls", headers=auth)
        assert r.status_code == 503 and "database unavailable" in r.json()["detail"]
        deadline = time.monotonic() + 10
        while hub.db_ok and time.monotonic() < deadline:  # the writer noticed (async)
            time.sleep(0.05)
        assert hub.pending_writes > 0 and not hub.db_ok
        # A human acknowledges from the dashboard: accepted from memory, escalation stops.
        ack = api.post(f"/api/calls/{call_id}/acknowledge", headers=auth)
        assert ack.status_code == 200 and ack.json()["persisted"] is False
        assert hub.tracker.pending(call_id) is None

        moved.rename(data_dir)  # back
        assert on_loop(hub.flush(timeout_s=10.0)) is True
        assert api.get("/api/health").status_code == 200
        detail = api.get(f"/api/calls/{call_id}", headers=auth).json()
        assert detail["transcript"][0]["text"] == CHEST_PAIN_FR
        assert detail["call"]["acknowledged_by"] == "tele_secretary"
        assert detail["decisions"][0]["action"] == "transfer_physician"
        assert detail["caller_number"] == "+33698765432"
        verify = api.get("/api/audit/verify",
                         headers={"Authorization": f"Bearer {_token(server.base_url, 'admin')}"})
        assert verify.json()["ok"] is True
        api.close()


def test_push_websocket_closes_on_logout_and_on_deactivation(service_settings, services):
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    app = create_app(service_settings, services=services)
    with running_server(app) as server:
        ws_base = server.base_url.replace("http", "ws") + "/api/live"
        admin = {"Authorization": f"Bearer {_token(server.base_url, 'admin')}"}

        async def session_then(end: Any, user: str) -> tuple[int | None, float]:
            token = _token(server.base_url, user)
            async with websockets.connect(f"{ws_base}?token={token}") as ws:
                json.loads(await ws.recv())  # hello
                t0 = time.monotonic()
                await asyncio.to_thread(end, token)
                try:
                    while True:
                        await asyncio.wait_for(ws.recv(), timeout=10)
                except websockets.ConnectionClosed as exc:
                    return (exc.rcvd.code if exc.rcvd else None), time.monotonic() - t0

        def logout(token: str) -> None:
            httpx.post(server.base_url + "/api/auth/logout",
                       headers={"Authorization": f"Bearer {token}"})

        def deactivate(_token: str) -> None:
            httpx.patch(server.base_url + "/api/users/physician", headers=admin,
                        json={"active": False})

        code, waited = asyncio.run(session_then(logout, "tele_secretary"))
        assert code == 4401 and waited < 10
        code, waited = asyncio.run(session_then(deactivate, "physician"))
        assert code == 4401 and waited < 10


def test_push_websocket_refuses_a_cookie_from_another_origin(service_settings, services):
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    app = create_app(service_settings, services=services)
    with running_server(app) as server:
        token = _token(server.base_url)
        url = server.base_url.replace("http", "ws") + "/api/live"
        cookie = {"Cookie": f"permanence_session={token}"}

        async def connect(origin: str) -> Any:
            try:
                async with websockets.connect(url, additional_headers=cookie,
                                              origin=origin) as ws:
                    return json.loads(await ws.recv())["kind"]
            except websockets.ConnectionClosed as exc:
                return exc.rcvd.code if exc.rcvd else None
            except websockets.InvalidStatus as exc:
                return exc.response.status_code

        assert asyncio.run(connect("https://evil.example")) in (4403, 403)
        assert asyncio.run(connect(server.base_url)) == "hello"
