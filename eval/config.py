"""What an evaluation runs with: engine overrides, gate thresholds, replay and plot options.

``eval`` never reads `pipeline.settings` (the dependency points the other way): by default the
engines are built from their own config defaults (``classifier.ClassifierConfig()``,
``asr.RecognizerConfig()``), and a data team points at another protocol file, model heads or
thresholds with a YAML file (``permanence eval DATA --config FILE``)::

    classifier:            # fields of classifier.ClassifierConfig (paths relative to this file)
      protocol_file: my_protocol.yaml
    recognizer:            # fields of asr.RecognizerConfig
      compute_type: int8
    gate:
      min_recall: 0.98     # emergency recall below this fails --gate
      critical: [chest_pain, stroke]   # any miss in these categories fails --gate
    replay:
      words_per_update: 1  # dialogue replay granularity (1 = word by word)
      workers: 0           # dialogue replay processes (0 = one per core, 1 = serial)
      model_on_partials: false   # heads on finals only: same flags and times, much faster
      question_context: true     # read a caller's yes/no with the regulator's question
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from classifier.labels import RedFlag, parse_label

DEFAULT_CRITICAL: tuple[str, ...] = (
    "chest_pain", "breathing", "stroke", "consciousness", "anaphylaxis",
)
"""Categories where one miss blocks promotion by default: the call-15-now red flags whose delay
costs the most (cardiac, airway, neurological)."""


class ConfigError(ValueError):
    """An evaluation config that cannot be used; the message says what was expected."""


@dataclass(frozen=True)
class GateConfig:
    min_recall: float = 0.98
    critical: tuple[str, ...] = DEFAULT_CRITICAL

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_recall <= 1.0:
            raise ConfigError(f"gate.min_recall must be within [0, 1], got {self.min_recall}")
        for c in self.critical:
            try:
                parse_label(RedFlag, c)
            except ValueError as exc:
                raise ConfigError(f"gate.critical: {exc}") from None


@dataclass(frozen=True)
class EvalConfig:
    classifier: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of ``classifier.ClassifierConfig`` fields."""
    recognizer: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of ``asr.RecognizerConfig`` fields."""
    gate: GateConfig = field(default_factory=GateConfig)
    words_per_update: int = 1
    workers: int = 0
    """Dialogue replay processes: 0 = one per core (at most 4), 1 = in this process."""
    model_on_partials: bool = False
    """Dialogue replay: run the heads on partial hypotheses too. Off by default: on a partial
    the heads can neither raise an emergency nor latch an urgency, so flags, times and final
    results are identical with the model run on each whole utterance only (issue 13: the
    Simsamu replay went from >25 min to minutes)."""
    question_context: bool = True
    """Dialogue replay: each caller turn is given the regulator's or agent's turn before it as
    the question it answers (``StreamingClassifier.asked``), so "non" to "il respire ?" raises
    as the live agent would with its own question. ``false`` replays the caller's words alone
    (the behaviour before issue 13's answer reading; e.g. to see what the answers add)."""
    calibration_bins: int = 10
    source: Path | None = None
    """The YAML file this came from (None: defaults)."""

    @property
    def name(self) -> str:
        return self.source.name if self.source else "defaults"

    @property
    def replay_mode(self) -> str:
        """How dialogues are replayed, in words (printed by ``eval run`` and
        ``bench eval-external``)."""
        if self.question_context:
            return "caller answers read with the preceding question (replay.question_context)"
        return "caller turns alone, no question context (replay.question_context: false)"

    def classifier_config(self) -> Any:
        from classifier import ClassifierConfig

        return _build(ClassifierConfig, self.classifier, "classifier", self.source)

    def recognizer_config(self) -> Any:
        from asr import RecognizerConfig

        return _build(RecognizerConfig, self.recognizer, "recognizer", self.source)


def _build(cls: Any, overrides: Mapping[str, Any], section: str, source: Path | None) -> Any:
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise ConfigError(f"{section}: unknown field(s) {', '.join(unknown)}; allowed: "
                          + ", ".join(sorted(names)))
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        hint = str(hints.get(key, ""))
        # Paths in the file are relative to the file, so a config travels with its protocol.
        if "Path" in hint and isinstance(value, str):
            p = Path(value).expanduser()
            if not p.is_absolute() and source is not None:
                p = (source.parent / p).resolve()
            value = p
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{section}: {exc}") from None


_TOP_KEYS = ("classifier", "recognizer", "gate", "replay", "calibration_bins")


def load_config(path: str | Path | None) -> EvalConfig:
    """Read an evaluation config YAML (None: all defaults)."""
    if path is None:
        return EvalConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(_TOP_KEYS)}")
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: "
                          + ", ".join(_TOP_KEYS))
    for section in ("classifier", "recognizer", "gate", "replay"):
        if not isinstance(data.get(section) or {}, dict):
            raise ConfigError(f"{path}: {section} must be a mapping")
    gate_raw = data.get("gate") or {}
    unknown_gate = sorted(set(gate_raw) - {"min_recall", "critical"})
    if unknown_gate:
        raise ConfigError(f"{path}: gate: unknown key(s) {', '.join(unknown_gate)}; allowed: "
                          "min_recall, critical")
    try:
        gate = GateConfig(
            min_recall=float(gate_raw.get("min_recall", GateConfig.min_recall)),
            critical=tuple(gate_raw.get("critical", DEFAULT_CRITICAL) or ()),
        )
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    replay = data.get("replay") or {}
    unknown_replay = sorted(set(replay) - {"words_per_update", "workers", "model_on_partials",
                                           "question_context"})
    if unknown_replay:
        raise ConfigError(f"{path}: replay: unknown key(s) {', '.join(unknown_replay)}; "
                          "allowed: model_on_partials, question_context, words_per_update, "
                          "workers")
    workers = replay.get("workers", 0)
    if not isinstance(workers, int) or workers < 0:
        raise ConfigError(f"{path}: replay.workers must be an integer >= 0, got {workers!r}")
    partials = replay.get("model_on_partials", False)
    if not isinstance(partials, bool):
        raise ConfigError(f"{path}: replay.model_on_partials must be true or false, got "
                          f"{partials!r}")
    context = replay.get("question_context", True)
    if not isinstance(context, bool):
        raise ConfigError(f"{path}: replay.question_context must be true or false, got "
                          f"{context!r}")
    words = replay.get("words_per_update", 1)
    if not isinstance(words, int) or words < 1:
        raise ConfigError(f"{path}: replay.words_per_update must be an integer >= 1, got {words!r}")
    bins = data.get("calibration_bins", 10)
    if not isinstance(bins, int) or bins < 1:
        raise ConfigError(f"{path}: calibration_bins must be an integer >= 1, got {bins!r}")
    return EvalConfig(classifier=dict(data.get("classifier") or {}),
                      recognizer=dict(data.get("recognizer") or {}), gate=gate,
                      words_per_update=words, workers=workers, model_on_partials=partials,
                      question_context=context, calibration_bins=bins, source=path.resolve())


__all__ = ["DEFAULT_CRITICAL", "ConfigError", "EvalConfig", "GateConfig",
           "load_config"]
