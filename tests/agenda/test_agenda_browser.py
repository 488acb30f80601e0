"""The agenda page in a real headless Chromium against the real server: what the agent booked,
book by hand, see it wait to sync while the calendar is unreachable, move it, cancel it."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from agenda_testkit import PASSWORD, TUESDAY_1030, free_port, make_env

from tests.chromium import launch, needs_chromium

pytestmark = [needs_chromium, pytest.mark.timeout(240)]


def test_agenda_page_book_move_cancel(tmp_path: Path, agenda_template_db: Path,
                                      radicale: Any) -> None:
    from playwright.sync_api import sync_playwright

    from pipeline.agenda.store import BookingRequest, PatientIn, Source
    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    # The calendar is unreachable (nothing listens there): everything waits to sync.
    env = make_env(tmp_path, agenda_template_db, radicale,
                   caldav_url=f"http://127.0.0.1:{free_port()}/permanence/")
    agenda = env.services.agenda
    assert agenda is not None
    nine = TUESDAY_1030 - timedelta(minutes=90)
    by_agent = agenda.db.book(BookingRequest(
        start=nine, practitioner="dr-martin", type="consultation",
        patient=PatientIn("Marc Leroy", date(1975, 2, 3)), actor="agent", source=Source.AGENT,
        call_id="call-1"), agenda.now())
    shots = Path(os.environ.get("PERMANENCE_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    app = create_app(env.settings, services=env.services)
    with running_server(app) as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.on("dialog", lambda d: d.accept())
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(server.base_url + "/agenda?date=2026-12-08&practitioner=dr-martin")
        page.fill("#login-username", "tele_secretary")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")

        # What the agent booked, marked as such and waiting to sync.
        # The page re-renders every 5 s: read through locators (re-queried), never held
        # element handles.
        agent_block = page.locator(f'.appt[data-id="{by_agent.id}"]')
        agent_block.wait_for(timeout=10000)
        assert "src-agent" in (agent_block.get_attribute("class") or "")
        assert "Marc Leroy" in agent_block.inner_text()
        assert agent_block.get_attribute("data-sync") == "pending"
        # (No wait_for_function: the service's CSP forbids the eval it uses.)
        page.locator('#sync-status[data-pending]:not([data-pending="0"])').wait_for(
            timeout=10000)

        # Book by hand on a free slot.
        page.click('button.slot-free[data-start="2026-12-08T10:30:00+01:00"]')
        page.fill("#book-name", "Jeanne Dupont")
        page.fill("#book-birth", "1980-04-12")
        page.fill("#book-phone", "+33612345678")
        page.click("#book-submit")
        block = page.locator('td[data-time="10:30"] .appt')
        block.wait_for(timeout=10000)
        assert "Jeanne Dupont" in block.inner_text()
        assert block.locator(".pending").count() == 1
        page.screenshot(path=str(shots / "agenda-day.png"), full_page=False)
        api = httpx.Client(base_url=server.base_url, timeout=30)
        token = api.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}
                         ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        booked = api.get("/api/agenda/appointments", params={"date": "2026-12-08"},
                         headers=h).json()
        mine = next(a for a in booked if a["patient"]["name"] == "Jeanne Dupont")
        assert mine["source"] == "dashboard" and mine["created_by"] == "tele_secretary"

        # Move it to 11:00 the same day.
        block.click()  # the panel stops the refresh while it is open
        page.wait_for_selector('#move-slot option[value="2026-12-08T11:00:00+01:00"]',
                               state="attached", timeout=10000)
        page.select_option("#move-slot", "2026-12-08T11:00:00+01:00")
        page.click("#move-submit")
        page.wait_for_selector('td[data-time="11:00"] .appt', timeout=10000)
        assert page.query_selector('td[data-time="10:30"] .appt') is None
        moved = api.get(f"/api/agenda/appointments/{mine['id']}", headers=h).json()
        assert moved["start"] == "2026-12-08T11:00:00+01:00"

        # Cancel it.
        page.click('td[data-time="11:00"] .appt')
        page.click("#cancel-submit")
        page.wait_for_selector('td[data-time="11:00"] button.slot-free', timeout=10000)
        assert api.get(f"/api/agenda/appointments/{mine['id']}",
                       headers=h).json()["status"] == "cancelled"

        # Week view: seven days for one practitioner.
        page.select_option("#view", "week")
        page.locator("#grid thead th").nth(7).wait_for(timeout=10000)
        assert page.locator("#grid thead th").count() == 8
        # The language toggle works without inline handlers.
        page.click("#lang-toggle")
        page.locator("#view option", has_text="Week").wait_for(state="attached", timeout=15000)
        page.screenshot(path=str(shots / "agenda-week.png"), full_page=False)
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    # Offline page: nothing but the server itself was requested.
    assert all(u.startswith(server.base_url) for u in requested), [
        u for u in requested if not u.startswith(server.base_url)]


def test_agenda_page_picks_among_the_users_practices(tmp_path: Path, agenda_template_db: Path,
                                                     radicale: Any) -> None:
    """Several practices (issue 10): a user of several picks whose agenda (the default first);
    a user of one gets theirs, with no picker."""
    from agenda_testkit import two_practices_file
    from playwright.sync_api import sync_playwright

    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    env = make_env(tmp_path, agenda_template_db, radicale,
                   caldav_url=f"http://127.0.0.1:{free_port()}/permanence/",
                   practices_file=two_practices_file(tmp_path), agenda={"enabled": True})
    app = create_app(env.settings, services=env.services)
    with running_server(app) as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.goto(server.base_url + "/agenda?date=2026-12-08")
        page.fill("#login-username", "tele_secretary")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        # Every practice (no membership set): the picker, on the default practice's agenda.
        page.locator("#practice:not([hidden])").wait_for(timeout=10000)
        assert page.locator("#practice option").count() == 2
        assert page.input_value("#practice") == "cabinet-a"
        page.locator('#grid th[data-practitioner="dr-martin"]').wait_for(timeout=10000)
        # Practice B: its own practitioner and free slots; the address says whose.
        page.select_option("#practice", "cabinet-b")
        page.locator('#grid th[data-practitioner="dr-lefevre"]').wait_for(timeout=10000)
        assert page.locator('#grid th[data-practitioner="dr-martin"]').count() == 0
        assert page.locator('#grid td[data-practitioner="dr-lefevre"] .slot-free').count() > 0
        assert "practice=cabinet-b" in page.url
        # A user of B only: B's agenda, no picker.
        env.services.auth.set_practices("tele_secretary", frozenset({"cabinet-b"}),
                                        actor="test")
        page.goto(server.base_url + "/agenda?date=2026-12-08")
        page.locator('#grid th[data-practitioner="dr-lefevre"]').wait_for(timeout=10000)
        assert page.is_hidden("#practice")
        browser.close()
