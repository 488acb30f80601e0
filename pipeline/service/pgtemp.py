"""A throw-away PostgreSQL cluster (Debian's server binaries) on 127.0.0.1, for benchmarks."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@contextmanager
def temporary_postgres(url: str | None = None) -> Iterator[str | None]:
    """`url` as is when given; else a fresh cluster (None when PostgreSQL is not installed)."""
    if url is not None:
        yield url
        return
    if not (PG_BIN / "initdb").exists():
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="permanence-pg-"))
    data = base / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        pwd.getpwnam("postgres")
        shutil.chown(base, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    try:
        subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U",
                        "postgres", "--no-sync"], check=True, capture_output=True)
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l",
                        str(base / "log"), "-o", f"-p {port} -k {base} -h 127.0.0.1",
                        "start"], check=True, capture_output=True)
        subprocess.run([*run_as, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "postgres", "permanence"], check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/permanence"
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
