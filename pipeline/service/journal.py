"""A durable local journal for the writes that wait for the database.

Every store write the call hub queues is first appended here (one JSON line, written to the
kernel at once, so a `kill -9` a microsecond later loses nothing; `sync()` fsyncs before the
writer commits a batch, so a power cut loses nothing the database may have acknowledged).
After a batch commits, an `ack` line moves the done mark. At start-up `pending()` returns the
writes not yet done, in order; the writer replays them first. Replays are idempotent: each write
carries an id the store records in the same transaction (`journal_applied`), so a write whose
commit landed just before the crash is skipped, not doubled.

The file holds callers' words: it is created readable by its owner only (0600, whatever the
umask), like the database. Writes the database rejects go to `quarantine.jsonl` next to it
(same mode) for an administrator, never back into the queue.

Format (one object per line)::

    {"w": 17, "id": "9f…", "op": "add_event", "args": [...], "kwargs": {...}}
    {"ack": 17}              # every write with w <= 17 is done
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

OWNER_ONLY = 0o600


def open_owner_only(path: Path, flags: int = os.O_WRONLY | os.O_APPEND | os.O_CREAT) -> int:
    """Open (creating) a file readable and writable by its owner only, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, flags, OWNER_ONLY)
    os.fchmod(fd, OWNER_ONLY)
    return fd


@dataclass(frozen=True)
class StoreWrite:
    """One queued store call as data: `Store.<op>(*args, **kwargs, session=...)`."""

    id: str
    op: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    seq: int = 0
    """Position in the journal (0 until appended)."""

    @classmethod
    def of(cls, op: str, *args: Any, **kwargs: Any) -> StoreWrite:
        return cls(id=uuid.uuid4().hex, op=op, args=tuple(args), kwargs=dict(kwargs))


# -- value codec: JSON plus the frozen dataclasses the store takes (CallUpdate) ------------------
_TYPES: dict[str, type] = {}


def register_type(cls: type) -> type:
    """Let `cls` (a dataclass of JSON values and tuples) travel through the journal."""
    _TYPES[cls.__name__] = cls
    return cls


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _TYPES:
            raise TypeError(f"{name} is not registered with journal.register_type")
        return {"__t": name, **{f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple):
        return {"__tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple" in value and len(value) == 1:
            return tuple(_decode(v) for v in value["__tuple"])
        if "__t" in value:
            cls = _TYPES[value["__t"]]
            return cls(**{k: _decode(v) for k, v in value.items() if k != "__t"})
        return {k: _decode(v) for k, v in value.items()}
    return value


def encode_write(write: StoreWrite) -> dict[str, Any]:
    return {"w": write.seq, "id": write.id, "op": write.op, "args": _encode(list(write.args)),
            "kwargs": _encode(dict(write.kwargs))}


def decode_write(raw: Mapping[str, Any]) -> StoreWrite:
    return StoreWrite(id=str(raw["id"]), op=str(raw["op"]), args=tuple(_decode(raw["args"])),
                      kwargs=_decode(raw["kwargs"]), seq=int(raw["w"]))


class Journal:
    """Append-only, fsynced, replayed in order. Thread-safe (the hub appends on the event loop,
    its writer syncs and acknowledges from a worker thread)."""

    def __init__(self, path: Path, *, compact_bytes: int = 4 << 20) -> None:
        self.path = path
        self.quarantine_path = path.with_name("quarantine.jsonl")
        self._lock = threading.Lock()
        self._compact_bytes = compact_bytes
        self._pending, self._seq, self._acked = self._load()
        self._fd = open_owner_only(path)
        self._dirty = False
        self.appended = 0
        if self._pending or os.fstat(self._fd).st_size > 0:
            self.compact()

    # -- start-up ---------------------------------------------------------------------------
    def _load(self) -> tuple[list[StoreWrite], int, int]:
        if not self.path.exists():
            return [], 0, 0
        writes: list[StoreWrite] = []
        acked = 0
        top = 0
        with self.path.open("rb") as f:
            for lineno, line in enumerate(f, 1):
                if not line.endswith(b"\n"):
                    # A line cut by the crash was never fsynced nor acknowledged to anyone.
                    log.warning("journal: ignoring an incomplete last line (%d bytes)", len(line))
                    break
                try:
                    raw = json.loads(line)
                    if "ack" in raw:
                        acked = max(acked, int(raw["ack"]))
                        continue
                    write = decode_write(raw)
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("journal: unreadable line %d skipped (%s)", lineno,
                              type(exc).__name__)
                    continue
                top = max(top, write.seq)
                writes.append(write)
        pending = [w for w in writes if w.seq > acked]
        return pending, max(top, acked), acked

    def pending(self) -> list[StoreWrite]:
        """Writes appended but not acknowledged before the last stop, oldest first."""
        with self._lock:
            return list(self._pending)

    # -- the write path ---------------------------------------------------------------------
    def append(self, write: StoreWrite) -> StoreWrite:
        """Number and write `write` (to the kernel: survives the process; `sync` for power)."""
        with self._lock:
            self._seq += 1
            numbered = StoreWrite(write.id, write.op, write.args, write.kwargs, self._seq)
            line = json.dumps(encode_write(numbered), ensure_ascii=False,
                              separators=(",", ":"), default=str).encode() + b"\n"
            os.write(self._fd, line)
            self._dirty = True
            self.appended += 1
            return numbered

    def sync(self) -> None:
        """fsync what was appended (group commit: one fsync per writer batch)."""
        with self._lock:
            if not self._dirty:
                return
            self._dirty = False
            fd = self._fd
        os.fsync(fd)

    def ack(self, upto_seq: int) -> None:
        """Every write numbered <= `upto_seq` is done (committed or quarantined)."""
        with self._lock:
            if upto_seq <= self._acked:
                return
            self._acked = upto_seq
            self._pending = [w for w in self._pending if w.seq > upto_seq]
            os.write(self._fd, json.dumps({"ack": upto_seq}).encode() + b"\n")
            self._dirty = True
            big = os.fstat(self._fd).st_size > self._compact_bytes
            caught_up = self._acked >= self._seq
        if big and caught_up:
            self.compact()

    def compact(self) -> None:
        """Rewrite the file with only the writes not yet done (atomic rename, fsynced)."""
        with self._lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            try:
                fd = open_owner_only(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                try:
                    body = b"".join(json.dumps(encode_write(w), ensure_ascii=False,
                                               separators=(",", ":"), default=str).encode()
                                    + b"\n" for w in self._pending)
                    # The done mark keeps numbering monotonic across compactions.
                    body += json.dumps({"ack": self._acked}).encode() + b"\n"
                    os.write(fd, body)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, self.path)
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
            except OSError as exc:  # the volume went away: keep appending to the open file
                log.warning("journal compaction skipped: %s", type(exc).__name__)
                return
            os.close(self._fd)
            self._fd = open_owner_only(self.path)
            self._dirty = False

    # -- quarantine -------------------------------------------------------------------------
    def quarantine(self, write: StoreWrite, error: str) -> None:
        """Keep a write the database refused, for an administrator (owner-only file)."""
        fd = open_owner_only(self.quarantine_path)
        try:
            os.write(fd, json.dumps({**encode_write(write), "error": error},
                                    ensure_ascii=False, default=str).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def quarantined(self) -> Sequence[dict[str, Any]]:
        if not self.quarantine_path.exists():
            return []
        with self.quarantine_path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def close(self) -> None:
        with self._lock:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
