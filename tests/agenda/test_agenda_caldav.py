"""No double booking under contention, the practitioner's own calendar app blocking and freeing
slots, and a calendar outage that loses nothing: a real uvicorn server, real Radicale."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from agenda_testkit import (
    PARIS,
    PASSWORD,
    TUESDAY_1030,
    AgendaEnv,
    booking,
    free_port,
    login,
    make_env,
)

pytestmark = pytest.mark.timeout(300)


def _ics(uid: str, start: datetime, end: datetime, summary: str = "Réunion") -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    from datetime import UTC

    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendar app//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\n"
            f"DTSTART:{start.astimezone(UTC).strftime(fmt)}\r\n"
            f"DTEND:{end.astimezone(UTC).strftime(fmt)}\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def _free(client: Any, h: dict[str, str], day: str, practitioner: str = "dr-martin") -> set[str]:
    r = client.get("/api/agenda/slots", params={"date": day, "practitioner": practitioner},
                   headers=h)
    assert r.status_code == 200, r.text
    return {s["start"] for s in r.json()}


def _sync(client: Any, h: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = client.post("/api/agenda/sync", headers=h).json()
    return out


def test_twenty_concurrent_bookings_of_one_slot(env: AgendaEnv) -> None:
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    app = create_app(env.settings, services=env.services)
    with running_server(app) as server:
        api = httpx.Client(base_url=server.base_url, timeout=60)
        token = api.post("/api/auth/login", json={"username": "tele_secretary",
                                                  "password": PASSWORD}).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        barrier = threading.Barrier(20)
        codes: list[int] = []
        lock = threading.Lock()

        def one(i: int) -> None:
            with httpx.Client(base_url=server.base_url, timeout=60) as c:
                body = booking(name=f"Patient Numéro {i}")
                barrier.wait(timeout=30)
                r = c.post("/api/agenda/appointments", json=body, headers=h)
            with lock:
                codes.append(r.status_code)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(codes) == [201] + [409] * 19
        listed = api.get("/api/agenda/appointments", params={"date": "2026-12-08"},
                         headers=h).json()
        assert len(listed) == 1
        report = api.post("/api/agenda/sync", headers=h).json()
        assert report["error"] is None
    events = env.events("dr-martin")
    assert len(events) == 1
    assert events[0].decoded("dtstart").astimezone(PARIS) == TUESDAY_1030


def test_event_made_in_the_calendar_app_blocks_then_frees(client: Any, env: AgendaEnv) -> None:
    h = login(client, "tele_secretary")
    assert _sync(client, h)["error"] is None  # calendars exist, tokens taken
    assert "2026-12-08T10:30:00+01:00" in _free(client, h, "2026-12-08")

    dav = env.dav()
    href = env.calendars["dr-martin"] + "dentist.ics"
    r = dav.put(href, _ics("dentist-1", TUESDAY_1030, TUESDAY_1030 + timedelta(minutes=30)),
                {"Content-Type": "text/calendar", "If-None-Match": "*"})
    assert r.status in (201, 204)
    # Not `pulled >= 1`: the app's own sync worker (poll_s=0.3) may pull the event first, and
    # under a busy core it did (pulled 0, twice); what must hold is that the slot is blocked.
    assert _sync(client, h)["error"] is None
    free = _free(client, h, "2026-12-08")
    assert "2026-12-08T10:30:00+01:00" not in free
    assert "2026-12-08T10:45:00+01:00" not in free
    assert "2026-12-08T11:00:00+01:00" in free
    r2 = client.post("/api/agenda/appointments", json=booking(), headers=h)
    assert r2.status_code == 409 and r2.json()["detail"]["code"] == "slot_taken"
    busy = client.get("/api/agenda/busy", params={"date": "2026-12-08"}, headers=h).json()
    assert [b["start"] for b in busy] == ["2026-12-08T10:30:00+01:00"]
    assert "Réunion" not in str(busy)

    # Moved to the afternoon in the app: the morning slot is free, the afternoon one is not.
    afternoon = datetime(2026, 12, 8, 15, 0, tzinfo=PARIS)
    etag = dav.request(href, "GET", "").headers.get("etag")
    r = dav.put(href, _ics("dentist-1", afternoon, afternoon + timedelta(minutes=15)),
                {"Content-Type": "text/calendar", "If-Match": etag})
    assert r.status in (201, 204)
    _sync(client, h)
    free = _free(client, h, "2026-12-08")
    assert "2026-12-08T10:30:00+01:00" in free and "2026-12-08T15:00:00+01:00" not in free

    # Deleted in the app: free again.
    assert dav.delete(href).status in (200, 204)
    _sync(client, h)
    assert "2026-12-08T15:00:00+01:00" in _free(client, h, "2026-12-08")
    assert client.post("/api/agenda/appointments", json=booking(),
                       headers=h).status_code == 201


def test_the_sync_worker_polls_on_its_own(client: Any, env: AgendaEnv) -> None:
    """No explicit sync: the background worker (poll_s=0.3 here) sees the new event."""
    import time

    h = login(client, "tele_secretary")
    worker = env.services.agenda.worker if env.services.agenda else None
    assert worker is not None
    worker.wait_round(timeout_s=20)
    dav = env.dav()
    afternoon = datetime(2026, 12, 8, 16, 0, tzinfo=PARIS)
    dav.put(env.calendars["dr-durand"] + "x.ics",
            _ics("x-1", afternoon, afternoon + timedelta(minutes=15)),
            {"Content-Type": "text/calendar", "If-None-Match": "*"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "2026-12-08T16:00:00+01:00" not in _free(client, h, "2026-12-08", "dr-durand"):
            break
        time.sleep(0.2)
    assert "2026-12-08T16:00:00+01:00" not in _free(client, h, "2026-12-08", "dr-durand")


def test_our_event_moved_in_the_app_moves_the_appointment(client: Any, env: AgendaEnv) -> None:
    h = login(client, "physician")
    appt = client.post("/api/agenda/appointments", json=booking(), headers=h).json()
    _sync(client, h)
    got = client.get(f"/api/agenda/appointments/{appt['id']}", headers=h).json()
    assert got["sync_state"] == "synced"
    dav = env.dav()
    href = env.calendars["dr-martin"] + f"{appt['id']}.ics"
    resp = dav.request(href, "GET", "")
    later = TUESDAY_1030 + timedelta(hours=1)
    body = resp.raw.replace("20261208T093000Z", "20261208T103000Z").replace(
        "20261208T094500Z", "20261208T104500Z")
    assert "20261208T103000Z" in body
    r = dav.put(href, body, {"Content-Type": "text/calendar",
                             "If-Match": resp.headers.get("etag")})
    assert r.status in (201, 204)
    _sync(client, h)
    moved = client.get(f"/api/agenda/appointments/{appt['id']}", headers=h).json()
    assert moved["start"] == later.isoformat()
    assert later.isoformat() not in _free(client, h, "2026-12-08")
    assert TUESDAY_1030.isoformat() in _free(client, h, "2026-12-08")


def test_calendar_down_loses_nothing_and_syncs_when_back(
        tmp_path: Path, agenda_template_db: Path) -> None:
    from fastapi.testclient import TestClient

    from pipeline.agenda.radicale import EmbeddedRadicale
    from pipeline.service.app import create_app

    own = EmbeddedRadicale(tmp_path / "radicale", port=free_port()).start()
    try:
        env = make_env(tmp_path, agenda_template_db, own)
        with TestClient(create_app(env.settings, services=env.services)) as client:
            h = login(client, "tele_secretary")
            assert _sync(client, h)["error"] is None
            first = client.post("/api/agenda/appointments", json=booking(), headers=h).json()
            own.stop()  # the calendar goes down
            second = client.post("/api/agenda/appointments", headers=h, json=booking(
                start=TUESDAY_1030 + timedelta(hours=1), name="Paul Durand"))
            assert second.status_code == 201
            report = _sync(client, h)
            assert report["error"] is not None
            status = client.get("/api/agenda/status", headers=h).json()
            assert status["pending"] >= 1 and status["calendar_configured"]
            listed = client.get("/api/agenda/appointments", params={"date": "2026-12-08"},
                                headers=h).json()
            assert {a["id"] for a in listed} == {first["id"], second.json()["id"]}
            assert any(a["sync_state"] == "pending" for a in listed)
            # The slot is still protected while the calendar is down.
            again = client.post("/api/agenda/appointments", headers=h, json=booking(
                start=TUESDAY_1030 + timedelta(hours=1), name="Autre Personne"))
            assert again.status_code == 409

            own.start()  # back (same storage, same port)
            report = _sync(client, h)
            if report["error"] is not None:  # the worker may have reset its session first
                report = _sync(client, h)
            assert report["error"] is None, report
            listed = client.get("/api/agenda/appointments", params={"date": "2026-12-08"},
                                headers=h).json()
            assert all(a["sync_state"] == "synced" for a in listed), listed
            assert client.get("/api/agenda/status", headers=h).json()["pending"] == 0
        starts = sorted(e.decoded("dtstart").astimezone(PARIS) for e in env.events("dr-martin"))
        assert starts == [TUESDAY_1030, TUESDAY_1030 + timedelta(hours=1)]
    finally:
        own.stop()


def test_a_recurring_event_blocks_every_occurrence_but_exceptions(client: Any,
                                                                  env: AgendaEnv) -> None:
    h = login(client, "tele_secretary")
    body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendar app//EN\r\nBEGIN:VEVENT\r\n"
            "UID:staff-meeting\r\nDTSTAMP:20261201T080000Z\r\n"
            "DTSTART;TZID=Europe/Paris:20261208T100000\r\n"
            "DTEND;TZID=Europe/Paris:20261208T110000\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Europe/Paris:20261215T100000\r\n"
            "SUMMARY:Staff meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    r = env.dav().put(env.calendars["dr-martin"] + "meeting.ics", body,
                      {"Content-Type": "text/calendar", "If-None-Match": "*"})
    assert r.status in (201, 204)
    assert _sync(client, h)["error"] is None
    assert "2026-12-08T10:30:00+01:00" not in _free(client, h, "2026-12-08")
    assert "2026-12-15T10:30:00+01:00" in _free(client, h, "2026-12-15")  # the exception
    assert "2026-12-22T10:30:00+01:00" not in _free(client, h, "2026-12-22")
    assert "2026-12-29T10:30:00+01:00" in _free(client, h, "2026-12-29")  # COUNT=3 ended
    assert "2026-12-22T11:00:00+01:00" in _free(client, h, "2026-12-22")
