"""Handoff fixtures: the shipped demo practice and Classification builders (policy inputs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from classifier.types import Classification, RedFlagHit, Span
from handoff import PracticeConfig, demo_practice

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="session")
def practice() -> PracticeConfig:
    return demo_practice()


@pytest.fixture
def paris() -> Callable[..., datetime]:
    def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
        return datetime(y, mo, d, h, mi, tzinfo=PARIS)

    return at


@pytest.fixture
def classification() -> Callable[..., Classification]:
    def make(urgency: Urgency = Urgency.ROUTINE, flags: tuple[RedFlag, ...] = (),
             intent: Intent = Intent.SYMPTOM_REPORT, needs_review: bool = False,
             suspected: tuple[RedFlag, ...] = ()) -> Classification:
        text = "texte"
        return Classification(
            text=text, language="fr", intent=intent, intent_scores={intent.value: 0.9},
            urgency=urgency, urgency_scores={urgency.value: 0.9},
            red_flags=tuple(RedFlagHit(f, Span(0, 5, text), f"{f.value}.test") for f in flags),
            needs_review=needs_review, model_version="test", latency_ms=0.0,
            suspected=tuple(RedFlagHit(f, None, "model", confirmed=False) for f in suspected))

    return make


class FakeHTTP:
    """A real HTTP server on 127.0.0.1 recording requests (stands in for Twilio's REST API or a
    webhook receiver: the only fakes allowed are external network services)."""

    def __init__(self, status: int = 200, body: bytes = b'{"sid": "CA123", "status": "in-progress"}'
                 ) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict[str, object]] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": self.rfile.read(length)})
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_http():
    servers: list[FakeHTTP] = []

    def start(status: int = 200) -> FakeHTTP:
        servers.append(FakeHTTP(status))
        return servers[-1]

    yield start
    for s in servers:
        s.close()
