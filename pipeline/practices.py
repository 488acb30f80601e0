"""Several practices in one deployment: each with its own configuration file, calls routed by
the number dialled.

``PERMANENCE_PRACTICES_FILE`` names a YAML directory of practices::

    practices:
      - id: cabinet-martin            # [a-z0-9-], at most 64 characters
        file: cabinet-martin.yaml     # its own practice file (hours, roster, languages,
                                      # agenda...), relative to this file
        numbers: ["+33 1 44 00 00 01", "01 44 00 00 02"]   # numbers callers dial
        protocol: martin-protocol.yaml  # optional: its red-flag protocol override, merged
                                      # over the shipped classifier/protocol.yaml (it replaces
                                      # PERMANENCE_PROTOCOL_FILE for this practice)
      - id: maison-sante-nord
        file: nord.yaml
        numbers: ["+33 3 20 00 00 01"]
    default: cabinet-martin           # calls to any other number (optional)

Unset: one practice (``practice_file``), every user sees every call, exactly as before.

What differs per practice is light and built per practice: its configuration (hours, roster,
languages), its protocol (a `classifier.Protocol` over the process's one encoder: see
`practice_classifier`) and its agenda (its own practitioners, slots and calendars, scoped rows
in the shared database). The heavy models (recognizer, encoder) stay one per process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import phonenumbers
import yaml

from classifier import Classifier, Protocol, ProtocolError
from handoff import PracticeConfig, load_practice

if TYPE_CHECKING:
    from agenda import AgendaConfig

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class PracticesFileError(ValueError):
    """The practices file is not what was expected; the message names the entry."""


def normalise_number(number: str, region: str = "FR") -> str | None:
    """E.164 for a dialled number ("01 44 00 00 01" -> "+33144000001"); None if unparsable."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class PracticeDirectory:
    configs: Mapping[str, PracticeConfig]
    numbers: Mapping[str, str]
    """E.164 dialled number -> practice id."""
    default: str | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    protocols: Mapping[str, Protocol] = field(default_factory=dict)
    """Practice id -> its protocol (shipped + its override), for practices that have one."""

    def for_number(self, dialled: str | None) -> str | None:
        """The practice a dialled number belongs to; else the default (may be None)."""
        if dialled:
            e164 = normalise_number(dialled)
            if e164 is not None and e164 in self.numbers:
                return self.numbers[e164]
        return self.default


def load_practices(path: Path) -> PracticeDirectory:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PracticesFileError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("practices"), list):
        raise PracticesFileError(f"{path}: expected a mapping with a 'practices' list")
    configs: dict[str, PracticeConfig] = {}
    numbers: dict[str, str] = {}
    files: dict[str, Path] = {}
    protocols: dict[str, Protocol] = {}
    for i, entry in enumerate(raw["practices"]):
        where = f"{path}: practices[{i}]"
        if not isinstance(entry, dict):
            raise PracticesFileError(f"{where}: expected a mapping with id, file, numbers")
        practice_id = str(entry.get("id", ""))
        if not _ID.match(practice_id):
            raise PracticesFileError(f"{where}.id: expected [a-z0-9-], got {practice_id!r}")
        if practice_id in configs:
            raise PracticesFileError(f"{where}.id: {practice_id!r} is listed twice")
        if "file" not in entry:
            raise PracticesFileError(f"{where}.file: the practice's own YAML file is required")
        file = Path(str(entry["file"]))
        file = file if file.is_absolute() else path.parent / file
        configs[practice_id] = load_practice(file)
        files[practice_id] = file
        if entry.get("protocol") is not None:
            override = Path(str(entry["protocol"]))
            override = override if override.is_absolute() else path.parent / override
            try:
                protocols[practice_id] = Protocol.load(override)
            except (ProtocolError, OSError) as exc:
                raise PracticesFileError(f"{where}.protocol: {exc}") from exc
        for number in entry.get("numbers") or []:
            e164 = normalise_number(str(number))
            if e164 is None:
                raise PracticesFileError(f"{where}.numbers: {number!r} is not a phone number")
            if e164 in numbers:
                raise PracticesFileError(
                    f"{where}.numbers: {number!r} already belongs to {numbers[e164]!r}")
            numbers[e164] = practice_id
    default = raw.get("default")
    if default is not None and default not in configs:
        raise PracticesFileError(f"{path}: default {default!r} is not a listed practice")
    return PracticeDirectory(configs=configs, numbers=numbers, default=default, files=files,
                             protocols=protocols)


def practice_classifier(base: Classifier, protocol: Protocol | None,
                        languages: Sequence[str]) -> Classifier:
    """The classifier of one practice: its own protocol and languages in scope, over the
    process's encoder and heads (`Classifier.scoped`: never loaded again). ``base`` itself
    when nothing differs."""
    return base.scoped(protocol, languages)


def agenda_configs(directory: PracticeDirectory) -> dict[str, AgendaConfig]:
    """Each practice's agenda (the ``agenda:`` section of its own file). A practitioner id
    names a calendar and the agenda's rows in the one database, so it must be unique across
    the deployment: a clash is refused, naming both practices."""
    from agenda import agenda_from_practice

    out: dict[str, AgendaConfig] = {}
    owner: dict[str, str] = {}
    for practice_id, file in directory.files.items():
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            config = agenda_from_practice(raw)
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise PracticesFileError(f"{file}: agenda: {exc}") from exc
        for practitioner in config.practitioners:
            if practitioner.id in owner:
                raise PracticesFileError(
                    f"{file}: agenda practitioner {practitioner.id!r} is also "
                    f"{owner[practitioner.id]!r}'s: practitioner ids name calendars and "
                    "agenda rows, make them unique across practices")
            owner[practitioner.id] = practice_id
        out[practice_id] = config
    return out
