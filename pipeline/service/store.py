"""The store: every write goes with its audit entry in one transaction. Synchronous (SQLAlchemy);
the async side runs it in a worker thread.

Database faults surface as `StoreUnavailable` so callers can buffer (calls) or answer 503 (API).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.service import audit
from pipeline.service.audit import AuditLog, AuditValue, VerifyResult
from pipeline.service.db import (
    AuditEntry,
    Call,
    CallEventRow,
    ClassificationRow,
    Correction,
    DecisionRow,
    FormRow,
    make_engine,
    upgrade,
)

T = TypeVar("T")


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written."""


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


class Store:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads (queue, detail without audit, reports) never wait for the write lock.
        self.read_engine = (make_engine(url, immediate=False) if url.startswith("sqlite")
                            else self.engine)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
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
            with factory() as session, session.begin():
                yield session
        except (OperationalError, DBAPIError) as exc:
            self.audit.forget_tail()
            raise StoreUnavailable(f"database unavailable: {type(exc.orig).__name__}") from exc
        except Exception:
            self.audit.forget_tail()
            raise

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
        """Several writes in one transaction (the hub's writer drains its queue this way)."""
        with self.session() as s:
            for write in writes:
                write(s)

    # -- calls ------------------------------------------------------------------------------
    def create_call(self, call_id: str, *, channel: str, language: str,
                    caller_number: str | None, provider_call_id: str | None,
                    started_at: float, session: Session | None = None) -> None:
        with self._tx(session) as s:
            s.add(Call(id=call_id, channel=channel, language=language,
                       caller_number=caller_number, provider_call_id=provider_call_id,
                       started_at=started_at, status="live"))
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
            self.log(s, actor, f"event.{type_}", call_id, t=t, digest=audit.digest(body))
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
                     model=str(payload.get("model_version", "")), digest=audit.digest(body))

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
                   offset: int = 0) -> tuple[list[CallSummary], int]:
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
                             old=audit.digest(old_value), new=audit.digest(value))
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

    # -- audit ------------------------------------------------------------------------------
    def verify_audit(self) -> VerifyResult:
        with self.session(read=True) as s:
            return audit.verify(s)

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
