"""A local fleet for the bench: throw-away Redis, `permanence serve` processes of each role on
loopback, all stopped on exit (nothing outlives the context manager)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REDIS_SERVER = Path("/usr/bin/redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def temporary_redis(url: str | None = None) -> Iterator[str | None]:
    """`url` as is when given; else a fresh redis-server on 127.0.0.1 without persistence
    (None when Redis is not installed)."""
    if url is not None:
        yield url
        return
    if not REDIS_SERVER.exists():
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="permanence-redis-"))
    port = free_port()
    proc = subprocess.Popen([str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(base)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class ServeProcess:
    name: str
    role: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_serve(name: str, role: str, data_dir: Path, env: Mapping[str, str],
                secret_key: Path | None = None) -> ServeProcess:
    """`permanence serve --role ROLE` on a free loopback port, its own data dir (journal) and
    the deployment's shared secret key."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if secret_key is not None:
        shutil.copy(secret_key, data_dir / "secret.key")
    port = free_port()
    log = data_dir / "serve.log"
    repo = Path(__file__).resolve().parents[2]
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(repo), os.environ.get("PYTHONPATH", "")) if p),
        "PERMANENCE_DATA_DIR": str(data_dir), **env}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--role", role,
                                 "--port", str(port)], env=full_env, stdout=out,
                                stderr=subprocess.STDOUT)
    return ServeProcess(name, role, port, proc, log)


def wait_ready(servers: list[ServeProcess], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    for server in servers:
        while True:
            if server.proc.poll() is not None:
                raise RuntimeError(f"{server.name} exited: {server.log.read_text()[-2000:]}")
            try:
                if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} not ready after {timeout_s} s")
            time.sleep(0.2)
