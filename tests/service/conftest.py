"""Service fixtures: a fresh real SQLite database per test, the real app, users of every role,
a clock that runs (so acknowledgment deadlines pass) from a chosen local time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from classifier import Classifier
    from fastapi.testclient import TestClient

    from pipeline.service.services import Services
    from pipeline.settings import Settings

PARIS = ZoneInfo("Europe/Paris")
PASSWORD = "correct horse battery"
ROLES = ("tele_secretary", "physician", "data_analyst", "admin")


def running_clock(local: datetime) -> Callable[[], datetime]:
    """Wall-clock time starting at `local` (Paris) and advancing for real."""
    t0 = time.monotonic()
    start = local.replace(tzinfo=PARIS)
    from datetime import timedelta

    return lambda: start + timedelta(seconds=time.monotonic() - t0)


# Wednesday 25 Nov 2026, 10:00 in Paris: the demo practice is open.
WEEKDAY_MORNING = datetime(2026, 11, 25, 10, 0)
# Wednesday 23:00: closed, weeknight on-call shift.
WEEKDAY_NIGHT = datetime(2026, 11, 25, 23, 0)


@pytest.fixture
def service_settings(tmp_path: Path) -> Settings:
    from pipeline.settings import Settings

    return Settings(data_dir=tmp_path / "data", max_body_bytes=200_000)


@pytest.fixture
def make_services(service_settings: Settings, classifier: Classifier
                  ) -> Callable[..., Services]:
    from pipeline.service.services import build_services

    def make(clock_at: datetime = WEEKDAY_MORNING, **kwargs: Any) -> Services:
        services = build_services(service_settings, classifier=classifier,
                                  clock=running_clock(clock_at), ack_poll_s=0.05, **kwargs)
        for role in ROLES:
            from pipeline.service.auth import Role

            services.auth.add_user(role, Role(role), PASSWORD)
        return services

    return make


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


@pytest.fixture
def client(service_settings: Settings, services: Services) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from pipeline.service.app import create_app

    with TestClient(create_app(service_settings, services=services)) as c:
        yield c


def login(client: Any, role: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"username": role, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def headers(client: TestClient) -> Callable[[str], dict[str, str]]:
    cache: dict[str, dict[str, str]] = {}

    def get(role: str) -> dict[str, str]:
        if role not in cache:
            cache[role] = login(client, role)
        return cache[role]

    return get
