"""Calls work with no network at all: a file call inside an empty network namespace."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from typing import Any

import pytest


def test_network_audit_records_off_machine_traffic(network_audit: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: UDP connect sends nothing
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", 9))
    assert network_audit == ["connect to 192.0.2.1"]


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -n (root or user namespaces)")
def test_file_call_with_no_network_namespace(speech: Any, settings: Any) -> None:
    audio = speech("Bonjour, mon mari ne respire plus, il est inconscient.", "fr")
    env = {**os.environ, "PERMANENCE_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "pipeline.cli", "call", str(audio), "--fast",
         "--json"], capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    timeline = json.loads(proc.stdout)
    assert timeline["decision"]["urgency"] == "emergency"
    assert any(e["type"] == "handoff" for e in timeline["events"])
