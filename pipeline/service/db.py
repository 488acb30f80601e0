"""SQLAlchemy 2 models and engine. SQLite (WAL) is the embedded default, PostgreSQL by URL.

The schema is owned by the Alembic migrations shipped in `pipeline/service/migrations`;
`upgrade(url)` brings a database to head (run at startup and by `permanence db upgrade`).
Times are Unix seconds (UTC) so reports and retention are plain comparisons on every backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UserPractice(Base):
    """A user belongs to these practices and sees only their calls (migration 0004). A user
    with no row sees every practice (single-practice deployments, administrators)."""

    __tablename__ = "user_practices"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    practice_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Token(Base):
    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class Call(Base):
    """One call and the summary the queue, history and reports read (denormalized for speed)."""

    __tablename__ = "calls"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    caller_number: Mapped[str | None] = mapped_column(String(40), index=True)
    provider_call_id: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="live")
    """live, ended, erased."""
    urgency: Mapped[str | None] = mapped_column(String(16))
    urgency_rank: Mapped[int] = mapped_column(Integer, default=-1)
    intent: Mapped[str | None] = mapped_column(String(32))
    red_flags: Mapped[str] = mapped_column(String(255), default="")
    """Comma-separated categories (no free text: no personal data here)."""
    emergency_score: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str | None] = mapped_column(String(32))
    action_rank: Mapped[int] = mapped_column(Integer, default=-1)
    target: Mapped[str | None] = mapped_column(String(120))
    advise_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_t: Mapped[float | None] = mapped_column(Float)
    """Call-clock seconds at the first handoff decision (time to handoff)."""
    handoff_at: Mapped[float | None] = mapped_column(Float)
    needs_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged_at: Mapped[float | None] = mapped_column(Float)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    taken_over_by: Mapped[str | None] = mapped_column(String(80))
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    transcript_erased_at: Mapped[float | None] = mapped_column(Float)
    audio_path: Mapped[str | None] = mapped_column(String(255))
    instance_id: Mapped[str | None] = mapped_column(String(32))
    """The `serve` process handling the call live (start-up reconciliation finds the calls of
    a process that died)."""
    practice_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """Multi-practice deployments (migration 0004): the practice of the number dialled."""

    __table_args__ = (
        Index("ix_calls_queue", "needs_ack", "urgency_rank", "started_at"),
        Index("ix_calls_started", "started_at"),
        Index("ix_calls_status", "status", "urgency_rank", "started_at"),
    )


class CallEventRow(Base):
    __tablename__ = "call_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    t: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)


class ClassificationRow(Base):
    __tablename__ = "classifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    t: Mapped[float] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class FormRow(Base):
    __tablename__ = "forms"
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"),
                                         primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)


class DecisionRow(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    t: Mapped[float] = mapped_column(Float)
    action: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class Correction(Base):
    """A human correction: a labeled example the data team exports (LABELS.md)."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    """Append-only, hash-chained. Holds ids, categories and digests, never personal data, so an
    erasure never has to rewrite (and so break) the chain."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(40), index=True)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class JournalApplied(Base):
    """Ids of journaled writes already applied, written in the same transaction as the write:
    a replay after a crash skips them (idempotent), so nothing is stored twice."""

    __tablename__ = "journal_applied"
    write_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    applied_at: Mapped[float] = mapped_column(Float, index=True)


class ServiceInstance(Base):
    """One running `serve` process (heartbeat): whose live calls are whose."""

    __tablename__ = "service_instances"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """Engine for `url`. SQLite: WAL, foreign keys, busy timeout; a pooled connection is
    checked against the database file on checkout, so a vanished file or volume is noticed at
    once (writes then fail and are buffered) instead of going to an unlinked inode."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        db_file = Path(path) if path and path != ":memory:" else None
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
            # Callers' words live here: owner-only, whatever the umask (SQLite gives its -wal
            # and -shm files the database file's mode).
            os.close(os.open(db_file, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(db_file, 0o600)
        engine = create_engine(url, pool_size=8, max_overflow=8,
                               connect_args={"timeout": 10, "check_same_thread": False})

        if db_file is not None:
            @event.listens_for(engine, "checkout")
            def _still_there(_conn: Any, _record: Any, _proxy: Any) -> None:
                if not db_file.exists():
                    raise DisconnectionError(f"database file {db_file.name} is gone")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            if db_file is not None and not db_file.parent.exists():
                raise OSError("database directory is gone")
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
            # SQLAlchemy emits BEGIN itself (below): pysqlite's implicit transactions would
            # break savepoints and hide which lock a transaction takes.
            dbapi_connection.isolation_level = None

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the write lock up front: the audit chain's tail they read is then
            # the one they append to (no stale snapshot, no lost update).
            conn.exec_driver_sql(begin)

        return engine
    return create_engine(normalize_url(url), pool_pre_ping=True)


def normalize_url(url: str) -> str:
    """``postgresql://`` means the installed psycopg 3 driver (SQLAlchemy's default is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the shipped Alembic migrations up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
