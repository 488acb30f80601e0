"""Append-only, hash-chained audit trail, anchored outside the database.

Each entry's hash is sha256 over the previous entry's hash and the entry's canonical JSON; the
chain starts from `GENESIS`. Entries carry ids, categories and keyed fingerprints (HMAC-SHA256
with the practice's secret, see `Secrets`) of what was said, never the words, so erasing a
caller's data leaves the chain intact and a fingerprint cannot be reversed by hashing guesses.

A chain alone proves nothing against someone who can write the database: they can delete the
tail or recompute every hash. So after each commit the head (seq, hash) is written, signed with
a key that lives outside the database, to a head file (`HeadAnchor`); `verify` checks the chain
still reaches that head with that hash.

Appends are serialised by the database itself (SQLite: the write lock each writer takes with
BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock the store takes first in every
write transaction), never by a Python lock, so two processes keep one chain and concurrent
requests cannot deadlock on a lock the database does not see.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.service.db import AuditEntry
from pipeline.service.journal import open_owner_only

log = logging.getLogger(__name__)

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x7065726D  # "perm": the PostgreSQL advisory lock every write transaction takes

AuditValue = str | int | float | bool | None | list[str]


def entry_hash(prev_hash: str, seq: int, ts: float, actor: str, action: str,
               call_id: str | None, data: str) -> str:
    canonical = json.dumps([seq, repr(ts), actor, action, call_id, data], separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


class Secrets:
    """The practice's secret (32 random bytes in an owner-only file, created on first use),
    with one derived key per purpose. It never goes into the database."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def load(cls, path: Path) -> Secrets:
        if not path.exists():
            fd = open_owner_only(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            try:
                os.write(fd, secrets.token_hex(32).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        return cls(bytes.fromhex(path.read_text().strip()))

    @classmethod
    def ephemeral(cls) -> Secrets:
        return cls(secrets.token_bytes(32))

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self._key, purpose.encode(), hashlib.sha256).digest()


def fingerprint(key: bytes, value: Any) -> str:
    """Keyed fingerprint (HMAC-SHA256) of a JSON-able value: proves later what was recorded,
    to whoever holds the key, without storing it and without being guessable by hashing."""
    body = json.dumps(value, sort_keys=True, default=str).encode()
    return "h1:" + hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


class HeadAnchor:
    """The chain's head, signed (HMAC with a key outside the database), in a local file that
    only moves forward. Several processes may share it (file lock)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key

    def _mac(self, head: Head) -> str:
        return hmac.new(self._key, f"{head.seq}:{head.hash}".encode(), hashlib.sha256).hexdigest()

    def advance(self, head: Head) -> None:
        try:
            fd = open_owner_only(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            log.warning("audit head not written: %s", type(exc).__name__)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.read(fd, 4096)
            current = self._parse(raw)
            if current is not None and current.seq >= head.seq:
                return
            body = json.dumps({"seq": head.seq, "hash": head.hash, "mac": self._mac(head),
                               "at": time.time()}).encode()
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, body)
        finally:
            os.close(fd)

    def _parse(self, raw: bytes) -> Head | None:
        if not raw.strip():
            return None
        data = json.loads(raw)
        return Head(int(data["seq"]), str(data["hash"]))

    def read(self) -> tuple[Head | None, bool]:
        """(head, signature valid); (None, True) when no head was written yet."""
        if not self.path.exists():
            return None, True
        raw = self.path.read_bytes()
        if not raw.strip():
            return None, True
        try:
            data = json.loads(raw)
            head = Head(int(data["seq"]), str(data["hash"]))
            return head, hmac.compare_digest(self._mac(head), str(data["mac"]))
        except (ValueError, KeyError, TypeError):
            return None, False


class AuditLog:
    """Appends within the caller's session (one transaction with the data it audits)."""

    def __init__(self, secrets_: Secrets | None = None, anchor: HeadAnchor | None = None) -> None:
        self.secrets = secrets_ or Secrets.ephemeral()
        self._fingerprint_key = self.secrets.derive("audit-fingerprint")
        self.anchor = anchor

    def digest(self, value: Any) -> str:
        return fingerprint(self._fingerprint_key, value)

    @staticmethod
    def lock(session: Session) -> None:
        """PostgreSQL: serialise this transaction's audit appends with every other process's
        (released at commit). SQLite writers already hold the database's write lock."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})

    def _tail(self, session: Session) -> tuple[int, str]:
        row = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def append(self, session: Session, *, actor: str, action: str, call_id: str | None = None,
               data: Mapping[str, AuditValue] | None = None, ts: float | None = None) -> int:
        """Add an entry to `session` (flushed, committed by the caller). Returns its seq.

        The tail is read inside the caller's transaction after the database lock, then kept in
        the session for its next appends (the lock is held until commit); a savepoint that
        rolls back must restore it (`Store.apply_writes` does).
        """
        body = json.dumps(dict(data or {}), sort_keys=True, separators=(",", ":"))
        stamp = time.time() if ts is None else ts
        head = session.info.get("audit_head")
        if session.info.get("audit_locked") and isinstance(head, Head):
            # The database lock is held since this transaction's first append: nobody else
            # can append, so the tail is the one this transaction wrote last (no query, no
            # savepoint; ~10x the batched rate).
            seq = head.seq + 1
            digest_ = entry_hash(head.hash, seq, stamp, actor, action, call_id, body)
            session.add(AuditEntry(seq=seq, ts=stamp, actor=actor, action=action,
                                   call_id=call_id, data=body, prev_hash=head.hash,
                                   hash=digest_))
            session.info["audit_head"] = Head(seq, digest_)
            return seq
        if not session.info.get("audit_locked"):
            self.lock(session)
            session.info["audit_locked"] = True
        for _attempt in range(5):
            seq0, prev = self._tail(session)
            seq = seq0 + 1
            digest_ = entry_hash(prev, seq, stamp, actor, action, call_id, body)
            entry = AuditEntry(seq=seq, ts=stamp, actor=actor, action=action,
                               call_id=call_id, data=body, prev_hash=prev, hash=digest_)
            try:
                with session.begin_nested():
                    session.add(entry)
            except IntegrityError:
                continue
            session.info["audit_head"] = Head(seq, digest_)
            return seq
        raise RuntimeError("audit append failed 5 times on concurrent writers")

    def committed(self, session: Session) -> None:
        """After the caller's commit: move the signed head forward."""
        head = session.info.pop("audit_head", None)
        session.info.pop("audit_locked", None)
        if head is not None and self.anchor is not None:
            self.anchor.advance(head)


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


def verify(session: Session, anchor: HeadAnchor | None = None) -> VerifyResult:
    """Recompute the chain; names the first entry whose content or link does not match, and
    checks it still reaches the signed head (deleted tail, rewritten chain)."""
    head, signed = anchor.read() if anchor is not None else (None, True)
    if not signed:
        return VerifyResult(False, 0, None, "the audit head file's signature does not match "
                                            "(head file altered, or a different secret key)")
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
        if head is not None and entry.seq == head.seq and entry.hash != head.hash:
            return VerifyResult(False, count, entry.seq,
                                "chain rewritten: this entry's hash differs from the signed head")
        prev = entry.hash
        expected_seq += 1
    if head is not None and count < head.seq:
        return VerifyResult(False, count, count + 1,
                            f"entries {count + 1} to {head.seq} deleted: the chain ends before "
                            "the signed head")
    return VerifyResult(True, count)
