"""The embedded CalDAV server: Radicale, started on loopback with its own credentials.

Its storage lives in ``{data_dir}/radicale``; the account's password is generated once and kept
in ``credentials.json`` (mode 0600) beside it, hashed (SHA-512 crypt) in Radicale's htpasswd
file. The practice subscribes to ``http://HOST:PORT/permanence/<practitioner>/`` with any
calendar app, using those credentials.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

ACCOUNT = "permanence"


@dataclass(frozen=True)
class CalDavCredentials:
    url: str
    """The account's home: ``http://127.0.0.1:5232/permanence/``."""
    username: str
    password: str


class RadicaleError(RuntimeError):
    pass


def _credentials(folder: Path) -> tuple[str, str]:
    path = folder / "credentials.json"
    if path.exists():
        raw = json.loads(path.read_text())
        return str(raw["username"]), str(raw["password"])
    password = secrets.token_urlsafe(24)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"username": ACCOUNT, "password": password}, f)
    return ACCOUNT, password


class EmbeddedRadicale:
    """``start()`` / ``stop()`` a Radicale process (a context manager too)."""

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int = 5232) -> None:
        self.folder = Path(folder)
        self.host = host
        self.port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self.username, self.password = _credentials(self.folder)

    @property
    def credentials(self) -> CalDavCredentials:
        return CalDavCredentials(f"http://{self.host}:{self.port}/{self.username}/",
                                 self.username, self.password)

    def _write_config(self) -> Path:
        from passlib.hash import sha512_crypt  # Radicale's own dependency

        users = self.folder / "users"
        # 5000 rounds, not passlib's 656000: the password is 192 random bits (no dictionary to
        # slow down) and Radicale checks it on every request (~0.5 s each at 656000 here).
        users.write_text(f"{self.username}:{sha512_crypt.using(rounds=5000).hash(self.password)}\n")
        users.chmod(0o600)
        config = self.folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = {self.host}:{self.port}\n"
            "max_connections = 16\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {users}\n"
            "htpasswd_encryption = sha512\n"
            "cache_logins = true\n"
            "delay = 1\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {self.folder / 'collections'}\n"
            "[web]\n"
            "type = none\n"
            "[logging]\n"
            "level = error\n"
            "mask_passwords = true\n")
        return config

    def start(self, timeout_s: float = 30.0) -> EmbeddedRadicale:
        if self.running:
            return self
        config = self._write_config()
        log_file = open(self.folder / "radicale.log", "ab")  # noqa: SIM115 - owned by the process
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log_file.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = (self.folder / "radicale.log").read_text(errors="replace")[-500:]
                raise RadicaleError(f"Radicale exited at start (port {self.port} in use?): {tail}")
            try:
                httpx.get(f"http://{self.host}:{self.port}/", timeout=1.0)
                log.info("embedded CalDAV server (Radicale) on %s:%d", self.host, self.port)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RadicaleError(f"Radicale did not answer on {self.host}:{self.port} within "
                            f"{timeout_s:.0f} s")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> EmbeddedRadicale:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
