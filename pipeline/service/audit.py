"""Append-only, hash-chained audit trail.

Each entry's hash is sha256 over the previous entry's hash and the entry's canonical JSON; the
chain starts from `GENESIS`. Entries carry ids, categories and digests of what was said, never
the words, so erasing a caller's data leaves the chain intact.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.service.db import AuditEntry

GENESIS = "0" * 64

AuditValue = str | int | float | bool | None | list[str]


def digest(value: Any) -> str:
    """sha256 of a JSON-able value: proves later what was recorded without storing it here."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, ts: float, actor: str, action: str,
               call_id: str | None, data: str) -> str:
    canonical = json.dumps([seq, repr(ts), actor, action, call_id, data], separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None


class AuditLog:
    """Appends within the caller's session (one transaction with the data it audits)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _tail(self, session: Session) -> tuple[int, str]:
        row = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def append(self, session: Session, *, actor: str, action: str, call_id: str | None = None,
               data: Mapping[str, AuditValue] | None = None, ts: float | None = None) -> int:
        """Add an entry to `session` (flushed, committed by the caller). Returns its seq.

        The tail is read inside the caller's transaction, never cached: a rolled-back entry
        can then never become another entry's predecessor. Concurrent writers (another
        process, or PostgreSQL sessions) collide on the seq primary key; the loser re-reads.
        """
        body = json.dumps(dict(data or {}), sort_keys=True, separators=(",", ":"))
        stamp = time.time() if ts is None else ts
        with self._lock:
            for _attempt in range(5):
                seq0, prev = self._tail(session)
                seq = seq0 + 1
                entry = AuditEntry(seq=seq, ts=stamp, actor=actor, action=action,
                                   call_id=call_id, data=body, prev_hash=prev,
                                   hash=entry_hash(prev, seq, stamp, actor, action, call_id, body))
                try:
                    with session.begin_nested():
                        session.add(entry)
                except IntegrityError:
                    continue
                return seq
        raise RuntimeError("audit append failed 5 times on concurrent writers")

    def forget_tail(self) -> None:
        """Kept for callers; the tail is no longer cached."""


def iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session) -> VerifyResult:
    """Recompute the chain; names the first entry whose content or link does not match."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in iter_entries(session):
        count += 1
        if entry.seq != expected_seq:
            return VerifyResult(False, count, entry.seq,
                                f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            return VerifyResult(False, count, entry.seq,
                                "prev_hash does not match the previous entry's hash")
        recomputed = entry_hash(prev, entry.seq, entry.ts, entry.actor, entry.action,
                                entry.call_id, entry.data)
        if recomputed != entry.hash:
            return VerifyResult(False, count, entry.seq,
                                "content does not match its hash (entry altered)")
        prev = entry.hash
        expected_seq += 1
    return VerifyResult(True, count)
