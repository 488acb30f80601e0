"""GDPR: retention periods, a caller's erasure, the pseudonymized export of corrected calls.

The audit trail holds no personal data (ids, categories, digests), so erasure and retention
never touch it and the hash chain stays verifiable.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, update

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
    caller_numbers: int = 0
    correction_values: int = 0
    call_ids: tuple[str, ...] = ()
    """Calls whose transcript went: the running server drops them from memory too."""

    def to_dict(self) -> dict[str, int]:
        return {"audio_files": self.audio_files, "transcripts": self.transcripts,
                "forms": self.forms, "caller_numbers": self.caller_numbers,
                "correction_values": self.correction_values}


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
        # The caller's number goes with the transcript (it names the caller as surely).
        numbers = s.execute(update(Call).where(
            Call.started_at < current - transcript_days * DAY,
            or_(Call.caller_number.is_not(None), Call.provider_call_id.is_not(None)))
            .values(caller_number=None, provider_call_id=None))
        caller_numbers = int(getattr(numbers, "rowcount", 0) or 0)
        result = s.execute(delete(FormRow).where(FormRow.updated_at < current - form_days * DAY))
        forms = int(getattr(result, "rowcount", 0) or 0)
        # Corrected form values are the caller's details: they go with the form. Label
        # corrections (intent, urgency, red flag) are categories, kept as labeled examples.
        values = s.execute(update(Correction).where(
            Correction.created_at < current - form_days * DAY,
            Correction.field.like("form.%"),
            or_(Correction.old_value.is_not(None), Correction.new_value.is_not(None)))
            .values(old_value=None, new_value=None))
        correction_values = int(getattr(values, "rowcount", 0) or 0)
        store.log(s, actor, "gdpr.retention", None, audio_files=audio_files,
                  transcripts=transcripts, forms=forms, caller_numbers=caller_numbers,
                  correction_values=correction_values, audio_days=audio_days,
                  transcript_days=transcript_days, form_days=form_days)
    return RetentionReport(audio_files, transcripts, forms, caller_numbers, correction_values,
                           tuple(old_ids))


def erased_among(store: Store, call_ids: Sequence[str]) -> list[str]:
    """Which of these calls were erased (by another process, e.g. `permanence gdpr erase`)."""
    if not call_ids:
        return []
    with store.session(read=True) as s:
        return list(s.execute(select(Call.id).where(Call.id.in_(list(call_ids)), or_(
            Call.status == "erased", Call.transcript_erased_at.is_not(None)))).scalars())


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

_TAGS = {"fr": {"name": "[NOM]", "phone": "[TÉLÉPHONE]", "date": "[DATE]", "email": "[EMAIL]",
               "address": "[ADRESSE]", "number": "[NUMÉRO]"},
         "en": {"name": "[NAME]", "phone": "[PHONE]", "date": "[DATE]", "email": "[EMAIL]",
                "address": "[ADDRESS]", "number": "[NUMBER]"}}

_NUMBER_WORDS = (r"zéro|zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
                 r"treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|"
                 r"septante|huitante|nonante|cent|cents|mille|one|two|three|four|five|six|"
                 r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                 r"ninety|hundred|oh|nought")
_NUM_TOKEN = rf"(?:\d+|(?:{_NUMBER_WORDS})(?:[-\s](?:et[-\s])?(?:{_NUMBER_WORDS}))*)"
# Four or more numbers in a row ("zéro six douze trente-quatre...", "06 12 34 56"): a phone
# number or an identifier, however it was spoken.
_SPOKEN_NUMBER = re.compile(rf"\b{_NUM_TOKEN}(?:[\s,.-]+{_NUM_TOKEN}){{3,}}\b", re.IGNORECASE)
_STREET_WORDS = (r"rue|avenue|av\.|boulevard|bd|allée|allee|impasse|chemin|place|route|quai|"
                 r"cours|square|passage|résidence|residence|lotissement|hameau|lieu-dit|street|"
                 r"st\.|road|rd\.|lane|drive|way")
_ADDRESS = re.compile(
    rf"\b(?:\d{{1,4}}\s*(?:bis|ter)?,?\s+)?(?:{_STREET_WORDS})\s+"
    rf"(?:(?:de\s+la|de\s+l'|des|du|de|d'|la|le|les|the)\s*)?[\w'-]+(?:\s+[A-ZÉÈ][\w'-]+)*"
    rf"|\b\d{{1,4}}\s+[A-Z][\w'-]+\s+(?:street|road|avenue|lane|drive)\b", re.IGNORECASE)
_RELATIVES = (r"fille|fils|mari|femme|épouse|epouse|époux|epoux|mère|mere|père|pere|frère|"
              r"frere|sœur|soeur|compagne|compagnon|conjoint|conjointe|bébé|bebe|enfant|"
              r"petite-fille|petit-fils|grand-mère|grand-mere|grand-père|grand-pere|voisin|"
              r"voisine|daughter|son|husband|wife|mother|father|brother|sister|partner|baby")
_RELATIVE_NAME = re.compile(rf"\b(?:ma|mon|notre|my|our)\s+(?:{_RELATIVES})\s*,?\s+"
                            rf"([^\W\d_][\w'-]+)", re.IGNORECASE)
_INTRO_ANY = re.compile(r"(?i:je m'appelle|je me nomme|moi c'est|my name is|i am called|"
                        r"mon nom est|mon nom c'est)\s+([^\W\d_][\w'-]+(?:\s+[^\W\d_][\w'-]+)?)")


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """spaCy's French pipeline (tagger + NER), loaded once, for names however they are cased."""
    import spacy

    return spacy.load("fr_core_news_sm", disable=["parser", "lemmatizer"])


_NAME_POS = frozenset({"PROPN", "NOUN", "X", "ADJ"})


def _is_name_token(word: str, text: str) -> bool:
    """The word after "ma fille" / "mon mari" is a name unless it is a verb, an auxiliary,
    a function word... ("mon mari ne respire plus", "ma fille a de la fièvre")."""
    doc = _nlp()(text)
    for token in doc:
        if token.text == word:
            return token.pos_ in _NAME_POS and not token.is_stop
    return False


def pseudonymize(text: str, language: str = "fr", names: tuple[str, ...] = (), *,
                 ner: bool = True) -> str:
    """Replace names (known from the form, titled, introduced, after "ma fille"/"mon mari",
    found by spaCy's NER, capitalised or not), phone numbers (digits or spoken), e-mail
    addresses, dates and street addresses with placeholders."""
    tags = _TAGS.get(language, _TAGS["en"])
    out = _EMAIL.sub(tags["email"], text)
    out = _ADDRESS.sub(tags["address"], out)
    out = _PHONE.sub(tags["phone"], out)
    out = _DATE.sub(tags["date"], out)
    out = _SPOKEN_NUMBER.sub(tags["number"], out)
    found = {n for n in names if n and len(n) > 1}
    for m in _INTRO_ANY.finditer(out):
        found.add(m.group(1))
    for m in _RELATIVE_NAME.finditer(out):
        if not ner or _is_name_token(m.group(1), out):
            found.add(m.group(1))
    if ner:
        for ent in _nlp()(out).ents:
            if ent.label_ == "PER" and "[" not in ent.text:
                found.add(ent.text)
    for name in sorted(found, key=len, reverse=True):
        for part in [name, *name.split()]:
            if len(part) > 2 and part.lower() not in _NOT_NAMES:
                out = re.sub(rf"\b{re.escape(part)}\b", tags["name"], out, flags=re.IGNORECASE)
    out = _TITLED.sub(tags["name"], out)
    out = _INTRO.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + tags["name"], out)
    return out


_NOT_NAMES = frozenset({"bonjour", "allô", "allo", "docteur", "madame", "monsieur", "hello",
                        "urgence", "samu", "nom", "name", "numéro", "adresse"})


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
