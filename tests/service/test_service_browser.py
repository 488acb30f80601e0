"""A real headless Chromium (Debian's) against the real server: log in, see a simulated red-flag
call appear within a second with its alert, acknowledge it, correct a form field, open reports."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chromium import AUTOPLAY, launch, needs_chromium

CHEST_PAIN_FR = ("Bonjour, c'est pour mon mari, il a une douleur dans la poitrine qui serre "
                 "depuis vingt minutes et il transpire beaucoup")

pytestmark = [needs_chromium, pytest.mark.timeout(180)]


def _browser(p: Any) -> Any:
    # The dashboard's WebAudio alert sounds without a prior click.
    return launch(p, AUTOPLAY)


WAIT_MS = 15_000
"""How long a page may take to show what it must: a failure bound, not a target (a form save
took over 3 s on a busy core)."""


def test_dashboard_red_flag_ack_correct_reports(service_settings: Any, services: Any,
                                                tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from pipeline.service.app import create_app
    from pipeline.service.threaded import running_server

    shots = Path(os.environ.get("PERMANENCE_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    app = create_app(service_settings, services=services)
    with running_server(app) as server, sync_playwright() as p:
        api = httpx.Client(base_url=server.base_url, timeout=30)
        token = api.post("/api/auth/login", json={"username": "admin",
                                                  "password": "correct horse battery"}
                         ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(server.base_url + "/")
        page.fill("#login-username", "tele_secretary")
        page.fill("#login-password", "correct horse battery")
        page.click("#login-submit")
        page.wait_for_selector(".conn.on", timeout=WAIT_MS)
        assert "tele_secretary" in page.inner_text("#whoami")
        assert page.is_hidden("#alert")

        # A red-flag call arrives while the secretary watches.
        result: dict[str, Any] = {}

        def post() -> None:
            result["response"] = api.post("/api/calls/simulate", headers=auth, json={
                "language": "fr", "turns": [CHEST_PAIN_FR]})

        poster = threading.Thread(target=post)
        poster.start()
        # Pushed, not polled: the alert comes without a reload (push latency is `bench service`).
        page.wait_for_selector("#alert:not([hidden])", timeout=WAIT_MS)
        page.wait_for_selector(".call-card.u-emergency", timeout=WAIT_MS)
        poster.join()
        response = result["response"]
        assert response.status_code == 200, response.text
        call_id = response.json()["call_id"]
        alert_text = page.inner_text("#alert")
        assert "URGENCE" in alert_text
        assert "douleur thoracique" in alert_text  # the red flag, by name
        assert "poitrine" in alert_text  # and its evidence span
        assert "15 / 112" in alert_text  # chest pain: advise emergency services
        assert page.evaluate("window.__beeps || 0") >= 1  # the WebAudio alert sounded
        page.click(f".call-card[data-id='{call_id}']")
        page.wait_for_selector("#transcript mark.evidence")
        page.screenshot(path=str(shots / "dashboard_alert.png"))

        # Acknowledge from the alert banner: alert gone, escalation stopped, audited.
        page.click("#alert-ack")
        page.wait_for_selector("#alert", state="hidden", timeout=WAIT_MS)
        detail = api.get(f"/api/calls/{call_id}", headers=auth).json()
        assert detail["call"]["acknowledged_by"] == "tele_secretary"
        assert detail["call"]["needs_ack"] is False

        # Correct a pre-filled form field.
        page.wait_for_selector("#form-patient_name")
        page.fill("#form-patient_name", "Jean Dupont")
        page.click("#form-save")
        # A selector, not wait_for_function: the page's CSP forbids eval (which that uses).
        page.wait_for_selector("#form-status:not(:empty)", timeout=WAIT_MS)
        detail = api.get(f"/api/calls/{call_id}", headers=auth).json()
        assert detail["form"]["patient_name"]["value"] == "Jean Dupont"
        assert detail["form_corrected"] is True
        assert any(c["field"] == "form.patient_name" and c["by"] == "tele_secretary"
                   for c in detail["corrections"])
        page.screenshot(path=str(shots / "dashboard_after.png"), full_page=True)

        # Reports page: charts drawn from the stored call.
        page.click("#nav-reports")
        page.wait_for_selector("#kpi-total", timeout=WAIT_MS)
        assert page.inner_text("#kpi-total") == "1"
        # Header buttons work under the CSP (no inline handlers): the page switches to English.
        page.click("[data-action='toggle-lang']")
        page.wait_for_selector("a.active[data-i18n='reports']:text-is('Reports')", timeout=WAIT_MS)
        assert page.locator("#chart-urgency svg rect").count() >= 1
        assert page.locator("#chart-day svg").count() == 1
        page.screenshot(path=str(shots / "reports.png"), full_page=True)

        # The offline API reference, and nothing fetched from outside the practice.
        page.goto(server.base_url + "/docs")
        page.wait_for_selector("details.op")
        assert page.locator("details.op").count() >= 20
        external = [u for u in requested
                    if not u.startswith((server.base_url, server.base_url.replace("http", "ws")))]
        assert external == []
        browser.close()
        api.close()


def test_an_unclassified_call_detail_shows_no_null(service_settings: Any, rules: Any) -> None:
    """A call with nothing classified yet (live, words still partial) and one handed to a human
    on a fault before any classification: their detail panels show what is known and leave
    out what is not; no "null" where a decision, evidence or scores would be."""
    from playwright.sync_api import sync_playwright

    from pipeline.events import TranscriptFinal, TranscriptPartial
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services
    from pipeline.service.threaded import running_server

    services = build_services(service_settings, classifier=rules)
    app = create_app(service_settings, services=services)
    calls: dict[str, str] = {}

    # The calls are started on the server's event loop, as the voice agent starts them.
    @app.post("/test/calls")
    async def start_calls() -> dict[str, str]:
        hub = services.hub
        calls["live"] = await hub.start_call(channel="twilio", language="fr",
                                             caller_number="+33612345678")
        await hub.record_event(calls["live"], TranscriptPartial(t=1.0, utterance_id=1,
                                                                text="bonjour je"))
        calls["fault"] = await hub.start_call(channel="browser", language="fr")
        await hub.record_event(calls["fault"], TranscriptFinal(t=1.0, utterance_id=1,
                                                               text="bonjour"))
        await hub.hand_to_human(calls["fault"], "classifier fault", 2.0)
        await hub.flush()
        return calls

    with running_server(app) as server, sync_playwright() as p:
        assert httpx.post(server.base_url + "/test/calls", timeout=30).status_code == 200
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.goto(server.base_url + "/")
        page.fill("#login-username", "tele_secretary")
        page.fill("#login-password", "correct horse battery")
        page.click("#login-submit")
        page.wait_for_selector(".conn.on", timeout=10000)
        for kind, call_id in calls.items():
            page.click(f".call-card[data-id='{call_id}']")
            # Nothing classified: the heading is the call's id.
            page.wait_for_selector(f"#detail h2:text-is('{call_id}')", timeout=10000)
            page.wait_for_selector("#transcript .line", timeout=10000)
            text = page.inner_text("#detail")
            assert "null" not in text and "undefined" not in text, (kind, text)
            assert "bonjour" in text
        # The fault's decision is shown, and who it went to.
        assert "fail-safe: classifier fault" in page.inner_text("#detail .decision")
        browser.close()
