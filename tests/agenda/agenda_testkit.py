"""Helpers for the agenda tests (fixtures are in conftest.py)."""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from pipeline.agenda.radicale import EmbeddedRadicale
    from pipeline.service.services import Services
    from pipeline.settings import Settings

PARIS = ZoneInfo("Europe/Paris")
PASSWORD = "correct horse battery"
ROLES = ("tele_secretary", "physician", "data_analyst", "admin")
# Wednesday 2 December 2026, 09:00 in Paris (the clock runs from there).
NOW_LOCAL = datetime(2026, 12, 2, 9, 0)
# Tuesday 8 December 2026 10:30: an ordinary free slot.
TUESDAY_1030 = datetime(2026, 12, 8, 10, 30, tzinfo=PARIS)


def running_clock(local: datetime) -> Callable[[], datetime]:
    t0 = time.monotonic()
    start = local.replace(tzinfo=PARIS)
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])




@dataclass
class AgendaEnv:
    settings: Settings
    services: Services
    calendars: dict[str, str]
    """Practitioner -> this test's calendar URL."""
    radicale: EmbeddedRadicale

    def dav(self) -> Any:
        """A caldav client of our own, to read back (or write) like a calendar app."""
        from caldav.davclient import DAVClient

        creds = self.radicale.credentials
        return DAVClient(url=creds.url, username=creds.username, password=creds.password,
                         require_tls=False, enable_rfc6764=False)

    def calendar(self, practitioner: str) -> Any:
        from caldav.collection import Calendar

        return Calendar(client=self.dav(), url=self.calendars[practitioner])

    def events(self, practitioner: str) -> list[Any]:
        """VEVENTs in the practitioner's calendar, read from the server."""
        import icalendar

        out = []
        for obj in self.calendar(practitioner).search(event=True):
            out.extend(icalendar.Calendar.from_ical(str(obj.data)).walk("VEVENT"))
        return out


def make_env(tmp_path: Path, template: Path, radicale: EmbeddedRadicale, *,
             practice: Any = None, **settings_kw: Any) -> AgendaEnv:
    from classifier import Classifier, ClassifierConfig
    from pipeline.service.services import build_services
    from pipeline.settings import AgendaSettings, Settings

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(template, data / "permanence.db")
    prefix = "t" + secrets.token_hex(4)
    creds = radicale.credentials
    calendars = {p: f"{creds.url}{prefix}-{p}/" for p in ("dr-martin", "dr-durand", "dr-nguyen")}
    agenda_kw = settings_kw.pop("agenda", {})
    kw: dict[str, Any] = {"caldav_url": creds.url, "caldav_username": creds.username,
                          "caldav_password": creds.password, **settings_kw}
    if kw["caldav_url"] != creds.url:  # another server (a dead port, in outage tests)
        calendars = {p: f"{kw['caldav_url']}{prefix}-{p}/"
                     for p in ("dr-martin", "dr-durand", "dr-nguyen")}
    settings = Settings(
        data_dir=data, max_body_bytes=200_000,
        agenda=AgendaSettings(calendars=calendars, poll_s=0.3, retry_max_s=1.0, **agenda_kw),
        **kw)
    services = build_services(settings, classifier=Classifier.load(
        ClassifierConfig(use_model=False)), clock=running_clock(NOW_LOCAL), ack_poll_s=0.05,
        practice=practice)
    return AgendaEnv(settings, services, calendars, radicale)


def login(client: Any, role: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"username": role, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def booking(start: datetime = TUESDAY_1030, practitioner: str = "dr-martin",
            name: str = "Jeanne Dupont", **extra: Any) -> dict[str, Any]:
    return {"start": start.isoformat(), "practitioner": practitioner, "type": "consultation",
            "patient": {"name": name, "birth_date": "1980-04-12", "phone": "+33612345678"},
            **extra}


class FakeTwilioSms:
    """Twilio's Messages REST resource on 127.0.0.1: records each SMS."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                outer.messages.append({"path": self.path, **form})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


B_PRACTICE = {
    "name": "Maison de santé B", "timezone": "Europe/Paris", "languages": ["fr"],
    "opening_hours": {day: [["08:00", "19:00"]] for day in ("mon", "tue", "thu", "fri")},
    "physicians": [{"id": "dr-lefevre", "name": "Dr Anne Lefèvre", "phone": "+33199000020"}],
    "on_call": [{"label": "all week", "physician": "dr-lefevre",
                 "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                 "start": "00:00", "end": "00:00"}],
    "tele_secretary": {"name": "Secrétariat B", "phone": "+33320999999"},
}


def two_practices_file(tmp: Path) -> Path:
    """A practices file: cabinet-a (the demo practice, the default) and cabinet-b (one
    physician, dr-lefevre, whose agenda is its own)."""
    import yaml

    from handoff import DEMO_PRACTICE_FILE

    (tmp / "a.yaml").write_text(DEMO_PRACTICE_FILE.read_text(encoding="utf-8"),
                                encoding="utf-8")
    (tmp / "b.yaml").write_text(yaml.safe_dump(B_PRACTICE, allow_unicode=True),
                                encoding="utf-8")
    path = tmp / "practices.yaml"
    path.write_text(yaml.safe_dump({"practices": [
        {"id": "cabinet-a", "file": "a.yaml", "numbers": ["+33 1 44 00 00 01"]},
        {"id": "cabinet-b", "file": "b.yaml", "numbers": ["+33 3 20 00 00 01"]}],
        "default": "cabinet-a"}))
    return path
