"""Shared fixtures. Heavy engines are loaded once per test session and shared by every test.

Area-specific fixtures live in ``tests/<area>/conftest.py``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pytest

# Prove offline operation: no hub, no telemetry, for every test.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

if TYPE_CHECKING:
    from asr import Recognizer
    from classifier import Classifier
    from pipeline.settings import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with a throw-away data dir; the model cache stays the user's (shared, large)."""
    from pipeline.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def recognizer(settings: Settings) -> Recognizer:
    """The real Whisper base recognizer, loaded once for the whole session."""
    from asr import Recognizer
    from pipeline.engines import recognizer_config

    return Recognizer.load(recognizer_config(settings))


@pytest.fixture(scope="session")
def classifier(settings: Settings) -> Classifier:
    """The real classifier (protocol + encoder heads), loaded once for the whole session."""
    from classifier import Classifier
    from pipeline.engines import classifier_config

    return Classifier.load(classifier_config(settings))


@pytest.fixture(scope="session")
def rules() -> Classifier:
    """Protocol-only classifier (no encoder): the written rules alone, loaded in milliseconds."""
    from classifier import Classifier, ClassifierConfig

    return Classifier.load(ClassifierConfig(use_model=False))


@pytest.fixture(scope="session")
def speech() -> Callable[..., Path]:
    """``speech(text, language="fr", phone=False) -> Path`` of a cached synthesized WAV.

    Kokoro test speech, cached outside the repo, so only the first run pays for synthesis.
    ``phone=True`` gives an 8 kHz mu-law round trip of the same speech.
    """
    from models.tts import cached_speech

    return cached_speech


class FakeTwilio:
    """A real HTTP server on 127.0.0.1 standing in for Twilio's REST API: the one external
    service we cannot run here. Records each request and the TwiML it carried. Set
    ``fail_next = n`` to answer the next n requests with a 503 (a provider's hiccup)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.failed: list[dict[str, str]] = []
        self.fail_next = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                record = {"path": self.path, "twiml": parse_qs(body).get("Twiml", [""])[0]}
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    outer.failed.append(record)
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.requests.append(record)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "in-progress"}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def dialed(self) -> list[str]:
        """Numbers the TwiML of each request dialed, in order."""
        return [m.group(1) for r in self.requests
                for m in [re.search(r"<Dial>([^<]*)</Dial>", r["twiml"])] if m]


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    server = FakeTwilio()
    yield server
    server.server.shutdown()
    server.server.server_close()
