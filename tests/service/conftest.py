"""Service fixtures: a fresh real SQLite database per test, the real app, users of every role,
a clock that runs (so acknowledgment deadlines pass) from a chosen local time."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from classifier import Classifier
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


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with one user per role, built once (argon2 hashing is deliberately
    slow) and copied for each test."""
    from pipeline.service.auth import Auth, Role
    from pipeline.service.store import Store

    path = tmp_path_factory.mktemp("template") / "permanence.db"
    store = Store(f"sqlite:///{path}")
    auth = Auth(store, 3600)
    for role in ROLES:
        auth.add_user(role, Role(role), PASSWORD)
    store.dispose()
    import sqlite3

    with sqlite3.connect(path) as con:  # fold the WAL in, so one file is a whole copy
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def service_settings(tmp_path: Path, template_db: Path) -> Settings:
    from pipeline.settings import Settings

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(template_db, data / "permanence.db")
    return Settings(data_dir=data, max_body_bytes=200_000)


@pytest.fixture
def make_services(service_settings: Settings, classifier: Classifier
                  ) -> Callable[..., Services]:
    from pipeline.service.services import build_services

    def make(clock_at: datetime = WEEKDAY_MORNING, **kwargs: Any) -> Services:
        return build_services(service_settings, classifier=classifier,
                              clock=running_clock(clock_at), ack_poll_s=0.05, **kwargs)

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


@pytest.fixture
def fast_practice() -> Any:
    """The demo practice with acknowledgment deadlines short enough to watch them expire."""
    import yaml

    from handoff import DEMO_PRACTICE_FILE, practice_from_dict

    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    raw["ack_timeouts_s"] = {"emergency": 0.4, "urgent": 0.4, "routine": 0.4}
    return practice_from_dict(raw)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PgCluster:
    """A throw-away PostgreSQL cluster (Debian's server) on 127.0.0.1, which tests may stop
    and start again (a database outage)."""

    def __init__(self) -> None:
        # Not under pytest's tmp dir: that one is private to root; the cluster runs as postgres.
        self.base = Path(tempfile.mkdtemp(prefix="permanence-pg-"))
        self.data = self.base / "data"
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root without a postgres user")
            shutil.chown(self.base, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        subprocess.run([*self.run_as, str(PG_BIN / "initdb"), "-D", str(self.data), "-A",
                        "trust", "-U", "postgres", "--no-sync"], check=True, capture_output=True)
        self.start()
        subprocess.run([*self.run_as, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p",
                        str(self.port), "-U", "postgres", "permanence"], check=True,
                       capture_output=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/permanence"

    def start(self) -> None:
        subprocess.run([*self.run_as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                        str(self.base / "log"), "-o",
                        f"-p {self.port} -k {self.base} -h 127.0.0.1 -F", "start"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m",
                        "immediate", "stop"], capture_output=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL not installed (make setup installs it)")
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    return pg_cluster.url


@pytest.fixture
def fast_practice_file(tmp_path: Path) -> Path:
    """The demo practice as a YAML file, with 1 s acknowledgment deadlines."""
    import yaml

    from handoff import DEMO_PRACTICE_FILE

    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    raw["ack_timeouts_s"] = {"emergency": 1.0, "urgent": 1.0, "routine": 1.0}
    path = tmp_path / "practice.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


# -- Redis (issue 10: live state shared by several processes) --------------------------------
REDIS_SERVER = Path("/usr/bin/redis-server")


class RedisServer:
    """A throw-away Redis (Debian's redis-server) on 127.0.0.1: no persistence, killed at the
    end of the test."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="permanence-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.base),
             "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.remove()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Killed: everything it held is gone (no persistence), as after a crash."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not REDIS_SERVER.exists():
        pytest.skip("redis-server not installed (make setup installs it)")
    server = RedisServer()
    try:
        yield server
    finally:
        server.remove()
