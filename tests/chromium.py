"""One way to start the Debian Chromium in browser tests (installed by ``make setup``).

Every page test needs the same offline, headless launch; only what it feeds the page differs
(a fake microphone file, autoplay for the dashboard's alert sound)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Headless, no sandbox (root in CI), nothing fetched from the network at start.
BASE_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run")
# Lets WebAudio sound without a prior click (the dashboard's alert, a caller page's voice).
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian chromium not installed (make setup)")


def microphone_args(wav: Path) -> tuple[str, ...]:
    """A fake microphone that loops ``wav``, granted without a prompt, and plain host ICE
    candidates (no mDNS names to resolve: nothing leaves the machine)."""
    return ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--disable-features=WebRtcHideLocalIpsWithMdns")


def launch(playwright: Any, *extra: str) -> Any:
    """A headless Chromium from ``sync_playwright()``, with ``extra`` arguments."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*BASE_ARGS, *extra])
