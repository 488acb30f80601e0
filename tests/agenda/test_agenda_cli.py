"""`permanence serve` starts the embedded Radicale with its own credentials; a booking made
through the API is read back by `permanence agenda export --ics`; `permanence agenda find`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from agenda_testkit import PASSWORD, booking, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _env(data: Path, radicale_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERMANENCE_")}
    env.update({"PERMANENCE_DATA_DIR": str(data),
                "PERMANENCE_AGENDA__RADICALE_PORT": str(radicale_port),
                "PERMANENCE_CLASSIFIER_USE_MODEL": "false",
                "PERMANENCE_AGENT_PRELOAD": "false",  # no call here: no voice engines to load
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    return env


def test_serve_starts_radicale_and_export_reads_it_back(tmp_path: Path,
                                                        agenda_template_db: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(agenda_template_db, data / "permanence.db")
    port, dav_port = free_port(), free_port()
    env = _env(data, dav_port)
    cmd = [sys.executable, "-m", "pipeline.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        creds = json.loads((data / "radicale" / "credentials.json").read_text())
        assert (data / "radicale" / "credentials.json").stat().st_mode & 0o077 == 0
        # Radicale answers on loopback and refuses anyone without the credentials.
        assert httpx.request("PROPFIND", f"http://127.0.0.1:{dav_port}/permanence/",
                             timeout=5).status_code == 401
        api = httpx.Client(base_url=base, timeout=30)
        token = api.post("/api/auth/login", json={"username": "tele_secretary",
                                                  "password": PASSWORD}).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        r = api.post("/api/agenda/appointments", json=booking(), headers=h)
        assert r.status_code == 201, r.text
        appt_id = r.json()["id"]
        assert api.post("/api/agenda/sync", headers=h).json()["error"] is None
        assert api.get(f"/api/agenda/appointments/{appt_id}",
                       headers=h).json()["sync_state"] == "synced"
        got = httpx.request("PROPFIND", f"http://127.0.0.1:{dav_port}/permanence/dr-martin/",
                            auth=(creds["username"], creds["password"]),
                            headers={"Depth": "1"}, timeout=5)
        assert got.status_code == 207 and f"{appt_id}.ics" in got.text

        out = tmp_path / "agenda.ics"
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "agenda", "export",
                               "--ics", "-o", str(out)], env=env, capture_output=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        text = out.read_text()
        assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == 1
        assert f"UID:{appt_id}@permanence" in text
        assert "X-PERMANENCE-PRACTITIONER:dr-martin" in text
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The service took its Radicale down with it.
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{dav_port}/", timeout=2)


def test_find_prints_the_slots_the_agent_would_offer(tmp_path: Path) -> None:
    env = _env(tmp_path, free_port())
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "agenda", "find",
                           "le plus tôt possible avec le docteur Durand"], env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = json.loads(done.stdout)
    assert out["query"]["asap"] and out["query"]["practitioner"] == "dr-durand"
    assert 1 <= len(out["slots"]) <= 2
    assert all("avec le docteur Durand" in s["say"] for s in out["slots"])
