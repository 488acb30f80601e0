"""GDPR: retention periods, a caller's erasure, the pseudonymized export of corrected calls.

The audit trail holds no personal data (ids, categories, digests), so erasure and retention
never touch it and the hash chain stays verifiable.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from pipeline.service.db import (
    Call,
    CallEventRow,
    ClassificationRow,
    Correction,
    DecisionRow,
    FormRow,
)
from pipeline.service.store import Store

DAY = 86400.0
_TEXT_EVENTS = ("transcript_partial", "transcript_final", "agent_say")


@dataclass(frozen=True)
class RetentionReport:
    audio_files: int
    transcripts: int
    forms: int

    def to_dict(self) -> dict[str, int]:
        return {"audio_files": self.audio_files, "transcripts": self.transcripts,
                "forms": self.forms}


def _strip_spans(payload: str) -> str:
    """Classification payload without the caller's words (span texts)."""
    data = json.loads(payload)
    for key in ("red_flags", "suspected"):
        for hit in data.get(key, []):
            hit["span"] = None
    data.pop("text", None)
    return json.dumps(data, sort_keys=True)


def run_retention(store: Store, *, audio_days: int, transcript_days: int, form_days: int,
                  data_dir: Path, actor: str = "retention", now: float | None = None
                  ) -> RetentionReport:
    current = time.time() if now is None else now
    audio_files = transcripts = forms = 0
    with store.session() as s:
        old_audio = s.execute(select(Call).where(
            Call.audio_path.is_not(None), Call.started_at < current - audio_days * DAY)
        ).scalars().all()
        for row in old_audio:
            path = Path(row.audio_path or "")
            if not path.is_absolute():
                path = data_dir / path
            if path.exists():
                path.unlink()
                audio_files += 1
            row.audio_path = None
        # Recordings dropped in <data_dir>/audio by any component, referenced or not.
        audio_dir = data_dir / "audio"
        if audio_dir.is_dir():
            for f in audio_dir.rglob("*"):
                if f.is_file() and f.stat().st_mtime < current - audio_days * DAY:
                    f.unlink()
                    audio_files += 1
        old_ids = list(s.execute(select(Call.id).where(
            Call.transcript_erased_at.is_(None),
            Call.started_at < current - transcript_days * DAY)).scalars())
        for chunk_start in range(0, len(old_ids), 500):
            chunk = old_ids[chunk_start:chunk_start + 500]
            s.execute(update(CallEventRow).where(CallEventRow.call_id.in_(chunk),
                                                 CallEventRow.type.in_(_TEXT_EVENTS))
                      .values(payload=json.dumps({"erased": "retention"})))
            for c in s.execute(select(ClassificationRow)
                               .where(ClassificationRow.call_id.in_(chunk))).scalars():
                c.payload = _strip_spans(c.payload)
            s.execute(update(Call).where(Call.id.in_(chunk))
                      .values(transcript_erased_at=current))
        transcripts = len(old_ids)
        result = s.execute(delete(FormRow).where(FormRow.updated_at < current - form_days * DAY))
        forms = int(getattr(result, "rowcount", 0) or 0)
        store.log(s, actor, "gdpr.retention", None, audio_files=audio_files,
                  transcripts=transcripts, forms=forms, audio_days=audio_days,
                  transcript_days=transcript_days, form_days=form_days)
    return RetentionReport(audio_files, transcripts, forms)


def erase(store: Store, actor: str, *, caller_number: str | None = None,
          call_id: str | None = None, data_dir: Path | None = None) -> list[str]:
    """Erase every personal datum of a caller's calls (or of one call). The call rows stay,
    emptied, so reports still count them; the erasure is audited (call ids, no number)."""
    with store.session() as s:
        stmt = select(Call)
        if caller_number is not None:
            stmt = stmt.where(Call.caller_number == caller_number)
        if call_id is not None:
            stmt = stmt.where(Call.id == call_id)
        rows = s.execute(stmt).scalars().all()
        ids = [r.id for r in rows]
        if ids:
            for table in (CallEventRow, ClassificationRow, FormRow, DecisionRow, Correction):
                s.execute(delete(table).where(table.call_id.in_(ids)))  # type: ignore[attr-defined]
            for row in rows:
                if row.audio_path and data_dir is not None:
                    path = Path(row.audio_path)
                    path = path if path.is_absolute() else data_dir / path
                    path.unlink(missing_ok=True)
                row.caller_number = None
                row.provider_call_id = None
                row.audio_path = None
                row.status = "erased"
                row.corrected = False
                row.transcript_erased_at = time.time()
        store.log(s, actor, "gdpr.erase", None, calls=len(ids), call_ids=ids,
                  by_number=caller_number is not None)
    return ids


# -- pseudonymization -------------------------------------------------------------------------
_PHONE = re.compile(r"(?:\+|00)\d{1,3}[\s.-]?\d(?:[\s.-]?\d{2}){4}|\b0\d(?:[\s.-]?\d{2}){4}\b"
                    r"|\+?\d[\d\s.-]{8,}\d")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_MONTHS = (r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
           r"novembre|décembre|decembre|january|february|march|april|may|june|july|august|"
           r"september|october|november|december")
_DATE = re.compile(
    rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\b\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b", re.IGNORECASE)
_TITLED = re.compile(
    r"\b(?:M\.|Mme|Mlle|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Mr\.?|Mrs\.?|Ms\.?|Doctor)"
    r"\s+[A-ZÉÈ][\w'-]+(?:\s+[A-ZÉÈ][\w'-]+)?")
_INTRO = re.compile(r"(?i:je m'appelle|je suis|moi c'est|my name is|this is|c'est)\s+"
                    r"([A-ZÉÈ][\w'-]+(?:\s+[A-ZÉÈ][\w'-]+)?)")

_TAGS = {"fr": {"name": "[NOM]", "phone": "[TÉLÉPHONE]", "date": "[DATE]", "email": "[EMAIL]"},
         "en": {"name": "[NAME]", "phone": "[PHONE]", "date": "[DATE]", "email": "[EMAIL]"}}


def pseudonymize(text: str, language: str = "fr", names: tuple[str, ...] = ()) -> str:
    """Replace names (known from the form, titled or introduced), phone numbers, e-mail
    addresses and dates with placeholders."""
    tags = _TAGS.get(language, _TAGS["en"])
    out = _EMAIL.sub(tags["email"], text)
    out = _PHONE.sub(tags["phone"], out)
    out = _DATE.sub(tags["date"], out)
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        for part in [name, *name.split()]:
            if len(part) > 2:
                out = re.sub(rf"\b{re.escape(part)}\b", tags["name"], out, flags=re.IGNORECASE)
    out = _TITLED.sub(tags["name"], out)
    out = _INTRO.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + tags["name"], out)
    return out


def _form_names(form: dict[str, Any] | None) -> tuple[str, ...]:
    names = []
    for key in ("caller_name", "patient_name"):
        field = (form or {}).get(key)
        value = field.get("value") if isinstance(field, dict) else field
        if isinstance(value, str):
            names.append(value)
    return tuple(names)


def export_corrected(store: Store, actor: str, salt: str = "") -> list[dict[str, Any]]:
    """Corrected calls as LABELS.md JSONL items (labels = the human-checked values)."""
    items: list[dict[str, Any]] = []
    with store.session() as s:
        rows = s.execute(select(Call).where(Call.corrected.is_(True), Call.status != "erased")
                         .order_by(Call.started_at)).scalars().all()
        for row in rows:
            events = s.execute(select(CallEventRow).where(
                CallEventRow.call_id == row.id, CallEventRow.type.in_(
                    ("transcript_final", "agent_say"))).order_by(CallEventRow.id)).scalars()
            form_row = s.get(FormRow, row.id)
            form = json.loads(form_row.payload) if form_row else None
            names = _form_names(form)
            turns: list[dict[str, Any]] = []
            for e in events:
                text = json.loads(e.payload).get("text")
                if not text:
                    continue
                turns.append({"t": e.t,
                              "speaker": "agent" if e.type == "agent_say" else "caller",
                              "text": pseudonymize(text, row.language, names)})
            fields = sorted({c.field for c in s.execute(
                select(Correction).where(Correction.call_id == row.id)).scalars()})
            flags = [f for f in (row.red_flags or "").split(",") if f]
            pseudo_id = "c-" + hashlib.sha256((salt + row.id).encode()).hexdigest()[:12]
            items.append({
                "id": pseudo_id, "language": row.language,
                "text": " ".join(str(t["text"]) for t in turns if t["speaker"] == "caller"),
                "turns": turns, "intent": row.intent, "urgency": row.urgency,
                "red_flag": flags[0] if flags and row.urgency == "emergency" else None,
                "notes": "human-corrected: " + ", ".join(fields) if fields else "human-confirmed",
                "source": "permanence-corrections",
            })
        store.log(s, actor, "export.labeled", None, items=len(items))
    return items
