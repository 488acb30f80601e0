"""Browser end to end: a real headless Chromium opens the caller page, its fake microphone plays
a WAV of a French red-flag caller, pipecat's SmallWebRTC transport carries it to the agent, and
the call is classified and handed off."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.chromium import launch, microphone_args, needs_chromium

pytestmark = pytest.mark.slow


@needs_chromium
def test_browser_call_is_classified_and_handed_off(agent_app: Any, conversation: Any,
                                                    network_audit: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    # Chromium loops the file: silence first (connection set-up), then the caller.
    wav = conversation([1.5, "Bonjour, mon mari ne respire plus, il est inconscient.", 4.0])
    with sync_playwright() as p:
        browser = launch(p, *microphone_args(wav))
        try:
            page = browser.new_page()
            page.goto(agent_app.state.base_url + "/call")
            assert "urgence vitale" in page.inner_text("body")
            page.click("#call")
            page.wait_for_selector("body[data-status='en ligne']", timeout=20000)
            deadline = time.monotonic() + 30
            session = None
            while time.monotonic() < deadline:
                calls = [s for s in getattr(agent_app.state, "agent_calls", ())
                         if s.channel == "browser"]
                session = calls[-1] if calls else None
                if session is not None and session.handoff is not None:
                    break
                time.sleep(0.2)
            page.click("#call")  # hang up
        finally:
            browser.close()
    assert session is not None, "the browser never reached the agent"
    tl = session.report().to_json()
    types = [e["type"] for e in tl["events"]]
    assert "transcript_final" in types or "transcript_partial" in types
    assert "classification" in types, types
    assert tl["decision"]["urgency"] == "emergency", [
        e.get("text") for e in tl["events"] if e["type"].startswith("transcript")]
    assert {"breathing", "consciousness"} & set(tl["decision"]["red_flags"])
    handoff = next(e for e in tl["events"] if e["type"] == "handoff")
    assert handoff["kind"] == "emergency"
    # Nobody can take over a browser call's audio: the caller is told to call 15/112 now.
    notice = next(e for e in tl["events"] if e["type"] == "agent_say" and e["kind"] == "emergency")
    assert notice["text"].startswith("Appelez le 15")
    # No STUN, no DNS: WebRTC stayed on this machine's own addresses.
    assert network_audit == []
    # The agent greeted the caller through the browser (TTS over WebRTC).
    assert any(e["type"] == "agent_say" and e["kind"] == "greeting" for e in tl["events"])
