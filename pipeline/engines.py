"""Build engine configs from the one Settings object (the only place that maps one onto the
other), and hold the process-wide engine instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr import RecognizerConfig
    from classifier import ClassifierConfig

    from pipeline.settings import Settings


def recognizer_config(settings: Settings) -> RecognizerConfig:
    """Map settings onto the recognizer's config (filled in by the asr work)."""
    raise NotImplementedError


def classifier_config(settings: Settings) -> ClassifierConfig:
    """Map settings onto the classifier's config (filled in by the classifier work)."""
    raise NotImplementedError
