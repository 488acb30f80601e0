"""Labeled sets per ``../shared/LABELS.md``: JSON Lines or CSV, three item kinds mixed freely.

- text item: ``text``;
- audio item: ``audio`` (a path relative to the set file) with ``text`` as the reference
  transcript (optional: without it no WER);
- dialogue item: ``turns`` = ``[{"speaker": "caller"|"regulator"|"agent", "start", "end",
  "text"}]``, optionally ``evidence`` = ``{"turn": k, "words": "...", "kind": "..."}``: the
  caller turn (0-based, in time order) and its words that decide the emergency, so the eval can
  say how long after them the flag came (`DialogueItem.evidence_time`).

When a row carries more than one of these, ``turns`` wins over ``audio``, which wins over ``text``
(``text`` is then the audio's reference).

Every label is optional. ``urgency_binary`` (``emergency`` / ``non_emergency``) and
``urgency_acceptable`` (a list of urgencies) are honoured as the source intends: the binary label
decides which items count as emergencies, and the acceptable list decides what counts as under-
or over-triage (see `Gold`).

Bad input never passes silently: a malformed row raises `DatasetError` naming the file and line
(or, with ``skip_invalid``, is counted in `Dataset.skipped`); an unknown label lists the allowed
values; a missing audio file is named; an empty set is an error.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal

from classifier.labels import Intent, RedFlag, Urgency, parse_label

ItemKind = Literal["text", "audio", "dialogue"]
SPEAKERS: tuple[str, ...] = ("caller", "regulator", "agent")
BINARY_VALUES: tuple[str, ...] = ("emergency", "non_emergency")


class DatasetError(ValueError):
    """A labeled set that cannot be read as promised; the message says where and what."""


@dataclass(frozen=True)
class Gold:
    """The labels an item carries; every field may be absent (``None``)."""

    urgency: Urgency | None = None
    intent: Intent | None = None
    red_flag: RedFlag | None = None
    urgency_binary: bool | None = None
    """``True`` for ``emergency``, ``False`` for ``non_emergency`` (as given by the source)."""
    urgency_acceptable: frozenset[Urgency] | None = None

    @property
    def is_emergency(self) -> bool | None:
        """Whether the item is an emergency: ``urgency_binary`` when given (the source's most
        defensible label), else ``urgency == emergency``; ``None`` when unlabeled."""
        if self.urgency_binary is not None:
            return self.urgency_binary
        if self.urgency is not None:
            return self.urgency is Urgency.EMERGENCY
        if self.urgency_acceptable is not None:
            if Urgency.EMERGENCY not in self.urgency_acceptable:
                return False
            # Emergency alone is a positive; emergency-or-less is ambiguous: neither counted.
            return True if len(self.urgency_acceptable) == 1 else None
        return None

    @property
    def acceptable(self) -> frozenset[Urgency] | None:
        """Predicted urgencies that are not a triage error: ``urgency_acceptable`` when given,
        else ``{urgency}``, else what ``urgency_binary`` allows; ``None`` when unlabeled."""
        if self.urgency_acceptable is not None:
            return self.urgency_acceptable
        if self.urgency is not None:
            return frozenset({self.urgency})
        if self.urgency_binary is True:
            return frozenset({Urgency.EMERGENCY})
        if self.urgency_binary is False:
            return frozenset({Urgency.URGENT, Urgency.ROUTINE})
        return None

    @property
    def is_labeled(self) -> bool:
        return any(
            v is not None
            for v in (self.urgency, self.intent, self.red_flag, self.urgency_binary,
                      self.urgency_acceptable)
        )


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Evidence:
    """Where a labeled dialogue's emergency is said: caller turn ``turn`` (0-based, in time
    order), the ``words`` of it that decide, and what ``kind`` of evidence they are (e.g.
    ``named_symptom``, ``description``, ``answer_to_question``, ``context_then_symptom``,
    ``measured_value``, ``onset``, ``duration``: free text, aggregated as given)."""

    turn: int
    words: str
    kind: str


@dataclass(frozen=True)
class _ItemBase:
    id: str
    language: str | None
    gold: Gold
    line: int
    """Line (JSONL) or row (CSV, header = line 1) of the item in its file."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """Fields the source carries beyond the schema (notes, provenance...)."""


@dataclass(frozen=True)
class TextItem(_ItemBase):
    text: str = ""
    kind: ClassVar[ItemKind] = "text"


@dataclass(frozen=True)
class AudioItem(_ItemBase):
    audio: Path = Path()
    reference: str | None = None
    """What is said in the audio (the ``text`` field); ``None`` when unknown."""
    triage_terms: tuple[str, ...] | None = None
    """Optional words the recognizer must get right; else taken from the protocol's hits on the
    reference."""
    kind: ClassVar[ItemKind] = "audio"


@dataclass(frozen=True)
class DialogueItem(_ItemBase):
    turns: tuple[Turn, ...] = ()
    evidence: Evidence | None = None
    kind: ClassVar[ItemKind] = "dialogue"

    @property
    def evidence_time(self) -> float | None:
        """Call-clock second at which the last decisive word is spoken, on the replay's clock
        (a turn's words spread evenly from its start to its end, word i of n at
        ``start + (end - start) * i / n``); None without ``evidence``."""
        if self.evidence is None:
            return None
        turn = self.caller_turns[self.evidence.turn]
        words = turn.text.split()
        at = turn.text.index(self.evidence.words) + len(self.evidence.words)
        i = len(turn.text[:at].split())
        return turn.start + (turn.end - turn.start) * i / len(words)

    @property
    def caller_turns(self) -> tuple[Turn, ...]:
        """Caller turns in time order (what the line's recognizer would hear)."""
        return tuple(sorted((t for t in self.turns if t.speaker == "caller"),
                            key=lambda t: (t.start, t.end)))

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.caller_turns)


Item = TextItem | AudioItem | DialogueItem


@dataclass(frozen=True)
class SkippedLine:
    line: int
    reason: str


@dataclass(frozen=True)
class Dataset:
    path: Path | None
    items: tuple[Item, ...]
    skipped: tuple[SkippedLine, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    @property
    def name(self) -> str:
        return self.path.name if self.path else "<memory>"


_SCHEMA_FIELDS = {
    "id", "language", "text", "audio", "turns", "intent", "urgency", "red_flag",
    "urgency_binary", "urgency_acceptable", "triage_terms", "evidence",
}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (
        isinstance(value, float) and math.isnan(value)
    )


def _label(kind: type[StrEnum], value: Any, name: str) -> Any:
    if _is_blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    return parse_label(kind, value.strip())


def _string_list(value: Any, name: str, *, csv_cell: bool) -> list[str] | None:
    if _is_blank(value):
        return None
    if csv_cell and isinstance(value, str):
        text = value.strip()
        # CSV cells hold a JSON list or values separated by "|" or ";".
        if text.startswith("["):
            value = json.loads(text)
        else:
            value = [v.strip() for v in text.replace(";", "|").split("|") if v.strip()]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings, got {value!r}")
    return list(value)


def _gold(row: Mapping[str, Any], *, csv_cell: bool) -> Gold:
    urgency = _label(Urgency, row.get("urgency"), "urgency")
    intent = _label(Intent, row.get("intent"), "intent")
    red_flag = _label(RedFlag, row.get("red_flag"), "red_flag")

    binary_raw = row.get("urgency_binary")
    binary: bool | None = None
    if not _is_blank(binary_raw):
        if binary_raw not in BINARY_VALUES:
            raise ValueError(
                f"unknown urgency_binary label {binary_raw!r}; allowed values: "
                + ", ".join(BINARY_VALUES)
            )
        binary = binary_raw == "emergency"

    acceptable_raw = _string_list(row.get("urgency_acceptable"), "urgency_acceptable",
                                  csv_cell=csv_cell)
    acceptable = None
    if acceptable_raw is not None:
        if not acceptable_raw:
            raise ValueError("urgency_acceptable must not be empty")
        acceptable = frozenset(Urgency(parse_label(Urgency, v)) for v in acceptable_raw)
        if urgency is not None and urgency not in acceptable:
            raise ValueError(f"urgency {urgency.value!r} is not among urgency_acceptable "
                             f"{sorted(a.value for a in acceptable)}")

    if red_flag is not None:
        non_emergency = (urgency is not None and urgency is not Urgency.EMERGENCY) or (
            binary is False)
        if non_emergency:
            raise ValueError(f"red_flag {red_flag.value!r} given on a non-emergency item "
                             "(LABELS.md: red_flag is null unless urgency is emergency)")
    if binary is not None and urgency is not None and binary != (urgency is Urgency.EMERGENCY):
        raise ValueError(f"urgency {urgency.value!r} contradicts urgency_binary {binary_raw!r}")
    return Gold(urgency=urgency, intent=intent, red_flag=red_flag, urgency_binary=binary,
                urgency_acceptable=acceptable)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    return number


def _turns(value: Any, *, csv_cell: bool) -> tuple[Turn, ...]:
    if csv_cell and isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list) or not value:
        raise ValueError('turns must be a non-empty list of {"speaker", "start", "end", "text"}')
    turns = []
    for i, raw in enumerate(value):
        where = f"turns[{i}]"
        if not isinstance(raw, dict):
            raise ValueError(f'{where} must be an object {{"speaker", "start", "end", "text"}}')
        speaker = raw.get("speaker")
        if speaker not in SPEAKERS:
            raise ValueError(f"{where}: unknown speaker {speaker!r}; allowed values: "
                             + ", ".join(SPEAKERS))
        start = _number(raw.get("start"), f"{where}.start")
        end = _number(raw.get("end"), f"{where}.end")
        if end < start:
            raise ValueError(f"{where}: end {end} is before start {start}")
        text = raw.get("text")
        if not isinstance(text, str):
            raise ValueError(f"{where}.text must be a string, got {text!r}")
        turns.append(Turn(speaker=speaker, start=start, end=end, text=text))
    return tuple(turns)


def _evidence(value: Any, turns: tuple[Turn, ...], *, csv_cell: bool) -> Evidence | None:
    if _is_blank(value):
        return None
    if csv_cell and isinstance(value, str):
        value = json.loads(value)
    shape = 'evidence must be {"turn": caller turn index, "words": "...", "kind": "..."}'
    if not isinstance(value, dict):
        raise ValueError(f"{shape}, got {value!r}")
    turn, words, kind = value.get("turn"), value.get("words"), value.get("kind")
    caller = [t for t in turns if t.speaker == "caller"]
    if isinstance(turn, bool) or not isinstance(turn, int) or not 0 <= turn < len(caller):
        raise ValueError(f"{shape}: turn must be an index of the {len(caller)} caller turns, "
                         f"got {turn!r}")
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError(f"{shape}: kind must be a non-empty string, got {kind!r}")
    ordered = sorted(caller, key=lambda t: (t.start, t.end))
    if not isinstance(words, str) or not words.strip() or words not in ordered[turn].text:
        raise ValueError(f"evidence.words {words!r} are not in caller turn {turn} "
                         f"({ordered[turn].text!r})")
    return Evidence(turn=turn, words=words, kind=kind.strip())


def parse_item(row: Mapping[str, Any], *, line: int, base_dir: Path, csv_cell: bool = False,
               default_id: str | None = None) -> Item:
    """One row (already decoded) into a typed item; raises ValueError saying what is wrong."""
    if not isinstance(row, Mapping):
        raise ValueError(f"expected a JSON object per line, got {type(row).__name__}")
    raw_id = row.get("id")
    item_id = str(raw_id) if not _is_blank(raw_id) else (default_id or f"line-{line}")
    language = row.get("language")
    language = None if _is_blank(language) else str(language).strip()
    gold = _gold(row, csv_cell=csv_cell)
    extra = {k: v for k, v in row.items() if k not in _SCHEMA_FIELDS}
    common: dict[str, Any] = {"id": item_id, "language": language, "gold": gold, "line": line,
                              "extra": extra}
    text = row.get("text")
    if not _is_blank(text) and not isinstance(text, str):
        raise ValueError(f"text must be a string, got {text!r}")

    if not _is_blank(row.get("turns")):
        turns = _turns(row["turns"], csv_cell=csv_cell)
        return DialogueItem(**common, turns=turns,
                            evidence=_evidence(row.get("evidence"), turns, csv_cell=csv_cell))
    if not _is_blank(row.get("evidence")):
        raise ValueError("evidence marks words of a dialogue's caller turns: it needs turns")
    if not _is_blank(row.get("audio")):
        audio = row["audio"]
        if not isinstance(audio, str):
            raise ValueError(f"audio must be a path string, got {audio!r}")
        path = (base_dir / audio).resolve()
        if not path.is_file():
            raise ValueError(f"audio file not found: {path} (audio paths are relative to the "
                             "set file)")
        terms = _string_list(row.get("triage_terms"), "triage_terms", csv_cell=csv_cell)
        return AudioItem(**common, audio=path, reference=None if _is_blank(text) else text,
                         triage_terms=tuple(terms) if terms is not None else None)
    if _is_blank(text):
        raise ValueError('an item needs "text", "audio" (with "text" as reference) or "turns"')
    return TextItem(**common, text=str(text))


def _rows_jsonl(path: Path) -> list[tuple[int, Any | Exception]]:
    rows: list[tuple[int, Any | Exception]] = []
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                rows.append((number, json.loads(raw)))
            except json.JSONDecodeError as exc:
                rows.append((number, ValueError(f"malformed JSON: {exc.msg} (column {exc.colno})")))
    return rows


def _rows_csv(path: Path) -> list[tuple[int, Any | Exception]]:
    rows: list[tuple[int, Any | Exception]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            return rows
        for record in reader:
            number = reader.line_num
            if None in record:
                rows.append((number, ValueError(
                    f"row has more cells than the header's {len(reader.fieldnames)} columns")))
                continue
            rows.append((number, {k: (v if v != "" else None) for k, v in record.items()}))
    return rows


def load_dataset(path: str | Path, *, skip_invalid: bool = False) -> Dataset:
    """Read a labeled set (``.jsonl``/``.json`` lines or ``.csv``) into typed items.

    Raises `DatasetError` with the file and line of the first bad row (unless ``skip_invalid``:
    bad rows are then counted in ``Dataset.skipped``), for duplicate ids, and for an empty set.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such labeled set file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _rows_csv(path)
        csv_cell = True
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = _rows_jsonl(path)
        csv_cell = False
    else:
        raise DatasetError(f"{path}: expected a .jsonl or .csv labeled set, got {suffix or 'no'} "
                           "extension")
    items: list[Item] = []
    skipped: list[SkippedLine] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        try:
            if isinstance(row, Exception):
                raise row
            item = parse_item(row, line=number, base_dir=path.parent, csv_cell=csv_cell)
            if item.id in seen:
                raise ValueError(f"duplicate id {item.id!r} (first on line {seen[item.id]})")
        except (ValueError, json.JSONDecodeError) as exc:
            if not skip_invalid:
                raise DatasetError(f"{path}:{number}: {exc}") from None
            skipped.append(SkippedLine(line=number, reason=str(exc)))
            continue
        seen[item.id] = number
        items.append(item)
    if not items:
        detail = f" ({len(skipped)} invalid lines skipped)" if skipped else ""
        raise DatasetError(f"{path}: the set is empty: no items to evaluate{detail}")
    return Dataset(path=path, items=tuple(items), skipped=tuple(skipped))


def dataset_from_rows(rows: Sequence[Mapping[str, Any]], *, base_dir: Path | None = None,
                      path: Path | None = None) -> Dataset:
    """Build a dataset from in-memory rows (notebooks, adapters of external sets)."""
    base = base_dir or (path.parent if path else Path.cwd())
    items = tuple(parse_item(r, line=i, base_dir=base) for i, r in enumerate(rows, start=1))
    if not items:
        raise DatasetError("the set is empty: no items to evaluate")
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DatasetError(f"duplicate id {dup!r}")
    return Dataset(path=path, items=items)
