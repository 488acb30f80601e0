"""No double booking on PostgreSQL too (several machines share it): the cells' primary key
makes the losers of a race fail, whatever the durations. Skipped without PostgreSQL binaries."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from agenda_testkit import NOW_LOCAL, PARIS, TUESDAY_1030, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = [
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL not installed"),
    pytest.mark.timeout(180),
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = Path(tempfile.mkdtemp(prefix="permanence-agenda-pg-"))
    data = base / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user")
        shutil.chown(base, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l",
                    str(base / "log"), "-o", f"-p {port} -k {base} -h 127.0.0.1 -F",
                    "start"], check=True, capture_output=True)
    try:
        subprocess.run([*run_as, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "postgres", "permanence"], check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/permanence"
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_concurrent_overlapping_bookings_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from pipeline.agenda.service import agenda_config_for
    from pipeline.agenda.store import (
        AgendaStore,
        BookingRequest,
        PatientIn,
        SlotTaken,
        Source,
    )
    from pipeline.service.store import Store
    from pipeline.settings import Settings

    store = Store(pg_url)
    agenda = AgendaStore(store, agenda_config_for(Settings(data_dir=tmp_path)))
    now = NOW_LOCAL.replace(tzinfo=PARIS)
    # 20 bookers: consultations at 10:30 and first visits (30 min) at 10:15 and 10:30, which
    # all overlap the 10:30 quarter.
    starts = [(TUESDAY_1030, "consultation"), (TUESDAY_1030 - timedelta(minutes=15),
                                               "first_visit"), (TUESDAY_1030, "first_visit")]
    wins: list[int] = []
    losses: list[int] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(20)

    def one(i: int) -> None:
        start, kind = starts[i % 3]
        gate.wait(timeout=30)
        try:
            agenda.book(BookingRequest(
                start=start, practitioner="dr-martin", type=kind,
                patient=PatientIn(f"Patient {i}", date(1980, 1, 1 + i)), actor="t",
                source=Source.API), now)
            wins.append(i)
        except SlotTaken:
            losses.append(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(wins) == 1 and len(losses) == 19
    booked = agenda.between(TUESDAY_1030 - timedelta(hours=2), TUESDAY_1030 + timedelta(hours=2))
    assert len(booked) == 1
    assert store.verify_audit().ok
    store.dispose()
