"""Agenda fixtures: a real Radicale server for the session (free loopback port, temp storage),
a fresh migrated SQLite database per test with one user per role, the real app. Each test gets
its own calendars (a unique prefix), so tests never see each other's events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from agenda_testkit import PASSWORD, ROLES, AgendaEnv, free_port, make_env

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from pipeline.agenda.radicale import EmbeddedRadicale

@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRadicale]:
    """The real CalDAV server, for the whole session."""
    from pipeline.agenda.radicale import EmbeddedRadicale

    server = EmbeddedRadicale(tmp_path_factory.mktemp("radicale"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def agenda_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.service.auth import Auth, Role
    from pipeline.service.store import Store

    path = tmp_path_factory.mktemp("agenda-template") / "permanence.db"
    store = Store(f"sqlite:///{path}")
    auth = Auth(store, 3600)
    for role in ROLES:
        auth.add_user(role, Role(role), PASSWORD)
    store.dispose()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def env(tmp_path: Path, agenda_template_db: Path, radicale: EmbeddedRadicale) -> AgendaEnv:
    return make_env(tmp_path, agenda_template_db, radicale)


@pytest.fixture
def client(env: AgendaEnv) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from pipeline.service.app import create_app

    with TestClient(create_app(env.settings, services=env.services)) as c:
        yield c
