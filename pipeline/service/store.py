"""The store: every write goes with its audit entry in one transaction. Synchronous (SQLAlchemy);
the async side runs it in a worker thread.

Database faults surface as `StoreUnavailable` so callers can buffer (calls) or answer 503 (API).
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.service import audit
from pipeline.service.audit import AuditLog, AuditValue, HeadAnchor, Secrets, VerifyResult
from pipeline.service.db import (
    AuditEntry,
    Call,
    CallEventRow,
    ClassificationRow,
    Correction,
    DecisionRow,
    FormRow,
    JournalApplied,
    ServiceInstance,
    make_engine,
    upgrade,
)
from pipeline.service.journal import StoreWrite, register_type

T = TypeVar("T")


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written."""


class StoreRejected(ValueError):
    """The database refused this write (constraint, data error): retrying cannot help."""


@dataclass(frozen=True)
class Rejected:
    """A journaled write the database refused (quarantined by the hub)."""

    write: StoreWrite
    error: str
    """Exception type only: database messages may quote the values."""


@dataclass(frozen=True)
class Orphan:
    """A call of a `serve` process that died, claimed by this one at reconciliation."""

    call_id: str
    channel: str
    language: str
    caller_number: str | None
    provider_call_id: str | None
    started_at: float
    was_live: bool
    needs_ack: bool
    escalation_step: int
    decision: Mapping[str, Any] | None
    """The last policy decision's payload (`HandoffDecision.to_dict()`)."""
    practice_id: str | None = None


JOURNALED_OPS = frozenset({"create_call", "add_event", "add_classification", "add_decision",
                           "acknowledge", "set_audio", "set_escalation", "record_audit"})
"""Store methods the hub's writer may run from the journal (nothing else is callable by name)."""


class CallSummary(BaseModel):
    """A call as the queue, the history, the dashboard's push and the API show it (no
    transcript). The one declaration: the store builds it from a row, the hub from a live call's
    memory (``partial``: the caller's words being spoken), the API returns it as is."""

    model_config = ConfigDict(frozen=True)

    id: str
    channel: str
    language: str
    started_at: float
    ended_at: float | None = None
    status: str
    """live, ended or erased."""
    urgency: str | None = None
    """routine, urgent or emergency (None before the first classification)."""
    intent: str | None = None
    red_flags: tuple[str, ...] = ()
    emergency_score: float = 0.0
    needs_review: bool = False
    action: str | None = None
    target: str | None = None
    advise_emergency: bool = False
    handoff_t: float | None = None
    needs_ack: bool = False
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    taken_over_by: str | None = None
    escalation_step: int = 0
    corrected: bool = False
    partial: str = ""
    """Live calls only: the current partial transcript."""
    practice: str | None = None
    """Multi-practice deployments: the practice of the number dialled."""

    @classmethod
    def of(cls, row: Call) -> CallSummary:
        return cls(
            id=row.id, channel=row.channel, language=row.language, started_at=row.started_at,
            ended_at=row.ended_at, status=row.status,
            urgency=row.urgency, intent=row.intent,
            red_flags=tuple(x for x in (row.red_flags or "").split(",") if x),
            emergency_score=row.emergency_score, needs_review=row.needs_review, action=row.action,
            target=row.target, advise_emergency=row.advise_emergency, handoff_t=row.handoff_t,
            needs_ack=row.needs_ack, acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by, taken_over_by=row.taken_over_by,
            escalation_step=row.escalation_step, corrected=row.corrected,
            practice=row.practice_id,
        )


@dataclass(frozen=True)
class StoredEvent:
    t: float
    type: str
    payload: Mapping[str, Any]
    created_at: float


@dataclass(frozen=True)
class CallDetail:
    summary: CallSummary
    caller_number: str | None
    events: tuple[StoredEvent, ...]
    classifications: tuple[Mapping[str, Any], ...]
    form: Mapping[str, Any] | None
    form_corrected: bool
    decisions: tuple[Mapping[str, Any], ...]
    corrections: tuple[Mapping[str, Any], ...]

    @property
    def transcript(self) -> list[dict[str, Any]]:
        return [{"t": e.t, "speaker": "caller" if e.type.startswith("transcript") else "agent",
                 "text": e.payload.get("text", ""), "final": e.type != "transcript_partial"}
                for e in self.events
                if e.type in ("transcript_final", "agent_say")]


@register_type
@dataclass(frozen=True)
class CallUpdate:
    """Summary fields the hub sets after a classification or decision (None = unchanged)."""

    urgency: str | None = None
    urgency_rank: int | None = None
    intent: str | None = None
    red_flags: tuple[str, ...] | None = None
    emergency_score: float | None = None
    needs_review: bool | None = None
    action: str | None = None
    action_rank: int | None = None
    target: str | None = None
    advise_emergency: bool | None = None
    handoff_t: float | None = None
    handoff_at: float | None = None
    needs_ack: bool | None = None
    escalation_step: int | None = None


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    def __init__(self, url: str, *, migrate: bool = True,
                 secrets_dir: Path | None = None) -> None:
        """`secrets_dir` holds the secret key and the signed audit head (outside the
        database); default: the SQLite file's folder. Without one (a PostgreSQL URL and no
        folder) fingerprints use a per-process key and the head is not anchored."""
        self.url = url
        if secrets_dir is None and url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                secrets_dir = Path(path).parent
        self.secrets_dir = secrets_dir
        self.instance_id = uuid.uuid4().hex
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads (queue, detail without audit, reports) never wait for the write lock.
        self.read_engine = (make_engine(url, immediate=False) if url.startswith("sqlite")
                            else self.engine)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        if secrets_dir is not None:
            secrets_ = Secrets.load(secrets_dir / "secret.key")
            self.audit = AuditLog(secrets_, HeadAnchor(secrets_dir / "audit-head.json",
                                                       secrets_.derive("audit-head")))
        else:
            self.audit = AuditLog()
        self.migrated = False
        if migrate:
            self.migrate()

    def migrate(self) -> bool:
        """Bring the schema to head; False (not raised) when the database is down, so the
        service still starts and live calls still reach a human."""
        try:
            upgrade(self.url)
        except (OperationalError, DBAPIError):
            return False
        self.migrated = True
        return True

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def session(self, *, read: bool = False) -> Iterator[Session]:
        """A transaction; `read=True` for read-only work (no write lock on SQLite)."""
        factory = self._read_sessions if read else self._sessions
        try:
            with factory() as session:
                with session.begin():
                    if not read:
                        # Lock order for every writer: the audit lock first (PostgreSQL),
                        # then rows, so two writers can never wait on each other in a cycle.
                        AuditLog.lock(session)
                        session.info["audit_locked"] = True
                    yield session
                self.audit.committed(session)
        except (IntegrityError, DataError) as exc:
            raise StoreRejected(f"database refused the write: {type(exc.orig).__name__}"
                                ) from exc
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(f"database unavailable: {type(exc.orig).__name__}") from exc

    def run(self, fn: Callable[[Session], T]) -> T:
        with self.session() as s:
            return fn(s)

    def ping(self) -> bool:
        try:
            with self.session(read=True) as s:
                s.execute(select(1))
            return True
        except StoreUnavailable:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()

    def log(self, session: Session, actor: str, action: str, call_id: str | None = None, /,
            **data: AuditValue) -> int:
        return self.audit.append(session, actor=actor, action=action, call_id=call_id, data=data)

    def record_audit(self, actor: str, action: str, call_id: str | None = None, /, *,
                     session: Session | None = None, **data: AuditValue) -> int:
        with self._tx(session) as s:
            return self.log(s, actor, action, call_id, **data)

    @contextmanager
    def _tx(self, session: Session | None) -> Iterator[Session]:
        """Join the caller's transaction (the hub's batched writer) or open one."""
        if session is not None:
            yield session
        else:
            with self.session() as s:
                yield s

    def run_batch(self, writes: Sequence[Callable[[Session], object]]) -> None:
        """Several writes in one transaction."""
        with self.session() as s:
            for write in writes:
                write(s)

    def apply_writes(self, writes: Sequence[StoreWrite]) -> list[Rejected]:
        """The hub's journaled writes, in order, in one transaction. Idempotent: a write whose
        id is already recorded is skipped (a replay after a crash). A write the database
        refuses is rolled back alone (savepoint), audited and returned, so it never blocks
        the writes behind it. Raises `StoreUnavailable` when the database is down."""
        rejected: list[Rejected] = []
        now = time.time()
        with self.session() as s:
            done = set(s.execute(select(JournalApplied.write_id).where(
                JournalApplied.write_id.in_([w.id for w in writes]))).scalars())
            todo = [w for w in writes if w.id not in done]
            head = s.info.get("audit_head")
            try:
                # The common case in one savepoint (~4x faster than one per write); a refusal
                # rolls it back and the batch is redone write by write below.
                with s.begin_nested():
                    for write in todo:
                        self._apply_write(s, write, now)
                return rejected
            except (OperationalError, StoreUnavailable):
                raise
            except Exception:  # noqa: BLE001 - isolated write by write below
                if head is None:
                    s.info.pop("audit_head", None)
                else:
                    s.info["audit_head"] = head
            for write in todo:
                head = s.info.get("audit_head")
                try:
                    with s.begin_nested():
                        self._apply_write(s, write, now)
                except (OperationalError, StoreUnavailable):
                    raise
                except DBAPIError as exc:
                    if not isinstance(exc, IntegrityError | DataError):
                        raise
                    rejected.append(Rejected(write, type(exc.orig).__name__))
                except Exception as exc:  # noqa: BLE001 - a bad write must not block the queue
                    rejected.append(Rejected(write, type(exc).__name__))
                else:
                    continue
                # The refused write's audit entries were rolled back with it.
                if head is None:
                    s.info.pop("audit_head", None)
                else:
                    s.info["audit_head"] = head
                self.log(s, "system", "write.quarantined", _write_call_id(write), op=write.op,
                         write_id=write.id, error=rejected[-1].error)
        return rejected

    def _apply_write(self, s: Session, write: StoreWrite, now: float) -> None:
        if write.op not in JOURNALED_OPS:
            raise LookupError(f"not a journaled store operation: {write.op}")
        getattr(self, write.op)(*write.args, **dict(write.kwargs), session=s)
        s.add(JournalApplied(write_id=write.id, applied_at=now))

    def write_applied(self, write_id: str) -> bool:
        """The journaled write with this id is committed (a shared write stream's producer
        learns it from the database of record, not from the stream)."""
        return bool(self.writes_applied([write_id]))

    def writes_applied(self, write_ids: Sequence[str]) -> set[str]:
        """Which of these journaled writes are committed, in one query."""
        if not write_ids:
            return set()
        with self.session(read=True) as s:
            return set(s.execute(select(JournalApplied.write_id).where(
                JournalApplied.write_id.in_(list(write_ids)))).scalars())

    def record_applied(self, write_ids: Sequence[str]) -> None:
        """Mark writes as done without applying them (refused and quarantined by a shared
        stream's writer), so their producers stop keeping them."""
        now = time.time()
        with self.session() as s:
            done = set(s.execute(select(JournalApplied.write_id).where(
                JournalApplied.write_id.in_(list(write_ids)))).scalars())
            for write_id in dict.fromkeys(write_ids):
                if write_id not in done:
                    s.add(JournalApplied(write_id=write_id, applied_at=now))

    def prune_applied(self, older_than_s: float = 7 * 86400.0) -> int:
        """Forget write ids old enough that no journal can still replay them."""
        with self.session() as s:
            result = s.execute(delete(JournalApplied).where(
                JournalApplied.applied_at < time.time() - older_than_s))
            return int(getattr(result, "rowcount", 0) or 0)

    # -- service instances and start-up reconciliation ------------------------------------------
    def heartbeat(self) -> None:
        """Say this process is alive (its live calls are its own)."""
        now = time.time()
        with self.session() as s:
            row = s.get(ServiceInstance, self.instance_id)
            if row is None:
                s.add(ServiceInstance(id=self.instance_id, host=socket.gethostname()[:255],
                                      pid=os.getpid(), started_at=now, heartbeat_at=now))
            else:
                row.heartbeat_at = now

    def claim_orphans(self, stale_s: float = 30.0) -> list[Orphan]:
        """Calls of `serve` processes that died (same host: their pid is gone; elsewhere: no
        heartbeat for `stale_s`), live or awaiting acknowledgment, become this process's:
        live ones are marked interrupted with a call-back task (audited)."""
        now = time.time()
        host = socket.gethostname()[:255]
        orphans: list[Orphan] = []
        with self.session() as s:
            alive = {i.id for i in s.execute(select(ServiceInstance)).scalars()
                     if i.id == self.instance_id or (
                         (i.host != host or _alive(i.pid)) and i.heartbeat_at > now - stale_s)}
            rows = s.execute(select(Call).where(
                or_(Call.status == "live", Call.needs_ack.is_(True)))).scalars().all()
            for row in rows:
                if row.instance_id in alive:
                    continue
                decision = s.execute(select(DecisionRow).where(DecisionRow.call_id == row.id)
                                     .order_by(DecisionRow.id.desc()).limit(1)).scalar()
                was_live = row.status == "live"
                row.instance_id = self.instance_id
                if was_live:
                    row.status = "interrupted"
                    row.ended_at = now
                    row.needs_ack = True
                    s.add(CallEventRow(call_id=row.id, t=now - row.started_at, type="interrupted",
                                       payload=json.dumps({"task": "call_back"}), created_at=now))
                    self.log(s, "system", "call.interrupted", row.id, task="call_back",
                             has_number=row.caller_number is not None)
                orphans.append(Orphan(
                    call_id=row.id, channel=row.channel, language=row.language,
                    caller_number=row.caller_number, provider_call_id=row.provider_call_id,
                    started_at=row.started_at, was_live=was_live, needs_ack=row.needs_ack,
                    escalation_step=row.escalation_step,
                    decision=json.loads(decision.payload) if decision is not None else None,
                    practice_id=row.practice_id))
            s.execute(delete(ServiceInstance).where(
                ServiceInstance.id.not_in(alive), ServiceInstance.heartbeat_at < now - stale_s))
        return orphans

    # -- calls ------------------------------------------------------------------------------
    def create_call(self, call_id: str, *, channel: str, language: str,
                    caller_number: str | None, provider_call_id: str | None,
                    started_at: float, owner: str | None = None,
                    practice_id: str | None = None, session: Session | None = None) -> None:
        """`owner`: the instance id of the process handling the call live (a shared write
        stream may be drained by another process's store); default this store's."""
        with self._tx(session) as s:
            s.add(Call(id=call_id, channel=channel, language=language,
                       caller_number=caller_number, provider_call_id=provider_call_id,
                       started_at=started_at, status="live",
                       instance_id=owner or self.instance_id, practice_id=practice_id))
            s.flush()
            self.log(s, "system", "call.start", call_id, channel=channel, language=language,
                     has_number=caller_number is not None)

    def add_event(self, call_id: str, t: float, type_: str, payload: Mapping[str, Any],
                  created_at: float, actor: str = "system", *,
                  session: Session | None = None) -> None:
        with self._tx(session) as s:
            body = _dumps(payload)
            s.add(CallEventRow(call_id=call_id, t=t, type=type_, payload=body,
                               created_at=created_at))
            self.log(s, actor, f"event.{type_}", call_id, t=t, digest=self.audit.digest(body))
            if type_ == "call_end":
                s.execute(update(Call).where(Call.id == call_id)
                          .values(status="ended", ended_at=created_at))

    def add_classification(self, call_id: str, t: float, payload: Mapping[str, Any],
                           form: Mapping[str, Any] | None, update_: CallUpdate,
                           created_at: float, *, session: Session | None = None) -> None:
        with self._tx(session) as s:
            body = _dumps(payload)
            s.add(ClassificationRow(call_id=call_id, t=t, intent=str(payload["intent"]),
                                    urgency=str(payload["urgency"]), payload=body,
                                    created_at=created_at))
            if form is not None:
                existing = s.get(FormRow, call_id)
                if existing is None:
                    s.add(FormRow(call_id=call_id, payload=_dumps(form), updated_at=created_at))
                elif not existing.corrected:
                    # A human's corrections win over later machine pre-fill.
                    existing.payload = _dumps(form)
                    existing.updated_at = created_at
            self._apply(s, call_id, update_)
            self.log(s, "classifier", "classification", call_id, t=t,
                     intent=str(payload["intent"]), urgency=str(payload["urgency"]),
                     red_flags=[str(r["category"]) for r in payload.get("red_flags", [])],
                     model=str(payload.get("model_version", "")), digest=self.audit.digest(body))

    def add_decision(self, call_id: str, t: float, payload: Mapping[str, Any],
                     update_: CallUpdate, created_at: float, reason: str, *,
                     session: Session | None = None) -> None:
        with self._tx(session) as s:
            s.add(DecisionRow(call_id=call_id, t=t, action=str(payload["action"]),
                              step=int(payload.get("step", 0)), payload=_dumps(payload),
                              created_at=created_at))
            self._apply(s, call_id, update_)
            self.log(s, "policy", "handoff.decision", call_id, t=t,
                     action=str(payload["action"]), step=int(payload.get("step", 0)),
                     target=str(payload["target"]["kind"]), reason=reason,
                     advise_emergency=bool(payload.get("advise_emergency_services")),
                     deadline=payload.get("ack_deadline"))

    def _apply(self, s: Session, call_id: str, update_: CallUpdate) -> None:
        values: dict[str, Any] = {k: v for k, v in vars(update_).items() if v is not None}
        if "red_flags" in values:
            values["red_flags"] = ",".join(values["red_flags"])
        if values:
            s.execute(update(Call).where(Call.id == call_id).values(**values))

    def acknowledge(self, call_id: str, username: str, at: float, *, take_over: bool,
                    waited_s: float | None, session: Session | None = None) -> CallSummary:
        with self._tx(session) as s:
            row = s.get(Call, call_id)
            if row is None:
                raise KeyError(call_id)
            if row.acknowledged_at is None:
                row.acknowledged_at = at
                row.acknowledged_by = username
            row.needs_ack = False
            if take_over:
                row.taken_over_by = username
            self.log(s, username, "handoff.take_over" if take_over else "handoff.acknowledge",
                     call_id, waited_s=waited_s, step=row.escalation_step)
            return CallSummary.of(row)

    def set_audio(self, call_id: str, path: str, *, session: Session | None = None) -> None:
        with self._tx(session) as s:
            s.execute(update(Call).where(Call.id == call_id).values(audio_path=path))
            self.log(s, "system", "call.audio", call_id)

    def set_escalation(self, call_id: str, step: int, target: str, action: str,
                       reason: str, *, session: Session | None = None) -> None:
        with self._tx(session) as s:
            s.execute(update(Call).where(Call.id == call_id)
                      .values(escalation_step=step, target=target, action=action))
            self.log(s, "escalation", "handoff.escalate", call_id, step=step, target=target,
                     action=action, reason=reason)

    # -- reads ------------------------------------------------------------------------------
    def list_calls(self, *, view: str = "queue", q: str | None = None,
                   urgency: str | None = None, limit: int = 50,
                   offset: int = 0, practices: frozenset[str] | None = None
                   ) -> tuple[list[CallSummary], int]:
        """`queue`: live or awaiting acknowledgment, most urgent first; `history`: all, newest
        first, searchable by call id, intent, urgency, red flag or caller number."""
        with self.session(read=True) as s:
            stmt = select(Call)
            order: tuple[Any, ...]
            if view == "queue":
                stmt = stmt.where(or_(Call.needs_ack.is_(True), Call.status == "live"))
                order = (Call.needs_ack.desc(), Call.urgency_rank.desc(), Call.started_at.desc())
            else:
                order = (Call.started_at.desc(),)
            if urgency:
                stmt = stmt.where(Call.urgency == urgency)
            if practices is not None:  # multi-practice: a user sees only their practices'
                stmt = stmt.where(Call.practice_id.in_(sorted(practices)))
            if q:
                like = f"%{q}%"
                stmt = stmt.where(or_(Call.id.like(like), Call.intent.like(like),
                                      Call.urgency.like(like), Call.red_flags.like(like),
                                      Call.caller_number.like(like)))
            total = s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = s.execute(stmt.order_by(*order).limit(limit).offset(offset)).scalars().all()
            return [CallSummary.of(r) for r in rows], int(total)

    def get_call(self, call_id: str, *, reader: str | None = None) -> CallDetail | None:
        """Full detail; the read itself is audited (who read which call)."""
        with self.session(read=reader is None) as s:
            row = s.get(Call, call_id)
            if row is None:
                return None
            events = s.execute(select(CallEventRow).where(CallEventRow.call_id == call_id)
                               .order_by(CallEventRow.id)).scalars().all()
            cls = s.execute(select(ClassificationRow).where(ClassificationRow.call_id == call_id)
                            .order_by(ClassificationRow.id)).scalars().all()
            form = s.get(FormRow, call_id)
            decisions = s.execute(select(DecisionRow).where(DecisionRow.call_id == call_id)
                                  .order_by(DecisionRow.id)).scalars().all()
            corrections = s.execute(select(Correction).where(Correction.call_id == call_id)
                                    .order_by(Correction.id)).scalars().all()
            if reader is not None:
                self.log(s, reader, "call.read", call_id)
            return CallDetail(
                summary=CallSummary.of(row), caller_number=row.caller_number,
                events=tuple(StoredEvent(e.t, e.type, json.loads(e.payload), e.created_at)
                             for e in events),
                classifications=tuple({"t": c.t, **json.loads(c.payload)} for c in cls),
                form=json.loads(form.payload) if form else None,
                form_corrected=bool(form and form.corrected),
                decisions=tuple({"t": d.t, "at": d.created_at, **json.loads(d.payload)}
                                for d in decisions),
                corrections=tuple({"field": c.field, "old": c.old_value, "new": c.new_value,
                                   "by": c.username, "at": c.created_at} for c in corrections),
            )

    # -- corrections ------------------------------------------------------------------------
    def correct(self, call_id: str, username: str, changes: Mapping[str, Any],
                *, form_fields: Mapping[str, Any] | None = None) -> CallSummary:
        """Store human corrections of labels (intent/urgency/red_flag) and form fields.

        Each changed value becomes a `Correction` row: a labeled example for the data team.
        """
        now = time.time()
        with self.session() as s:
            row = s.get(Call, call_id)
            if row is None:
                raise KeyError(call_id)
            for name, new in changes.items():
                old = {"intent": row.intent, "urgency": row.urgency,
                       "red_flag": row.red_flags or None}.get(name)
                s.add(Correction(call_id=call_id, username=username, field=name,
                                 old_value=None if old is None else str(old),
                                 new_value=None if new is None else str(new), created_at=now))
                if name == "intent":
                    row.intent = new
                elif name == "urgency":
                    row.urgency = new
                    row.urgency_rank = {"routine": 0, "urgent": 1, "emergency": 2}[new]
                elif name == "red_flag":
                    row.red_flags = new or ""
                self.log(s, username, "correction.label", call_id, field=name,
                         old=None if old is None else str(old),
                         new=None if new is None else str(new))
            if form_fields:
                form = s.get(FormRow, call_id)
                data = json.loads(form.payload) if form else {}
                for name, value in form_fields.items():
                    old_field = data.get(name)
                    old_value = old_field.get("value") if isinstance(old_field, dict) else old_field
                    data[name] = {"value": value, "confidence": 1.0, "span": None,
                                  "corrected_by": username}
                    s.add(Correction(call_id=call_id, username=username, field=f"form.{name}",
                                     old_value=None if old_value is None else _dumps(old_value),
                                     new_value=_dumps(value), created_at=now))
                    # Field name and digests only: form values are personal data.
                    self.log(s, username, "correction.form", call_id, field=name,
                             old=self.audit.digest(old_value), new=self.audit.digest(value))
                if form is None:
                    s.add(FormRow(call_id=call_id, payload=_dumps(data), updated_at=now,
                                  corrected=True))
                else:
                    form.payload = _dumps(data)
                    form.updated_at = now
                    form.corrected = True
            row.corrected = True
            return CallSummary.of(row)

    def confirm_labels(self, call_id: str, username: str) -> CallSummary:
        """A human confirmed the machine's labels: a labeled example as well."""
        now = time.time()
        with self.session() as s:
            row = s.get(Call, call_id)
            if row is None:
                raise KeyError(call_id)
            for name, value in (("intent", row.intent), ("urgency", row.urgency),
                                ("red_flag", row.red_flags or None)):
                s.add(Correction(call_id=call_id, username=username, field=name,
                                 old_value=value, new_value=value, created_at=now))
            row.corrected = True
            self.log(s, username, "correction.confirm", call_id)
            return CallSummary.of(row)

    def call_exists(self, call_id: str) -> bool:
        with self.session(read=True) as s:
            return s.get(Call, call_id) is not None

    def call_practice(self, call_id: str) -> tuple[bool, str | None]:
        """(exists, practice id) of a stored call."""
        with self.session(read=True) as s:
            row = s.get(Call, call_id)
            return (row is not None, row.practice_id if row is not None else None)

    # -- audit ------------------------------------------------------------------------------
    def verify_audit(self) -> VerifyResult:
        with self.session(read=True) as s:
            return audit.verify(s, self.audit.anchor)

    def audit_entries(self, since_seq: int = 0, limit: int = 100000) -> list[dict[str, Any]]:
        with self.session(read=True) as s:
            rows = s.execute(select(AuditEntry).where(AuditEntry.seq > since_seq)
                             .order_by(AuditEntry.seq).limit(limit)).scalars().all()
            return [{"seq": r.seq, "ts": r.ts, "actor": r.actor, "action": r.action,
                     "call_id": r.call_id, "data": json.loads(r.data),
                     "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]

    def call_ids(self, *, caller_number: str | None = None,
                 ended_before: float | None = None) -> Sequence[str]:
        with self.session(read=True) as s:
            stmt = select(Call.id)
            if caller_number is not None:
                stmt = stmt.where(Call.caller_number == caller_number)
            if ended_before is not None:
                stmt = stmt.where(Call.started_at < ended_before)
            return list(s.execute(stmt).scalars().all())


def _write_call_id(write: StoreWrite) -> str | None:
    """The call a journaled write belongs to (for its quarantine audit entry)."""
    if write.op == "record_audit":
        value = write.args[2] if len(write.args) > 2 else None
    else:
        value = write.args[0] if write.args else write.kwargs.get("call_id")
    return value if isinstance(value, str) else None
