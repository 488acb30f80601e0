"""Shared fixtures. Heavy engines are loaded once per test session and shared by every test.

Area-specific fixtures live in ``tests/<area>/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Prove offline operation: no hub, no telemetry, for every test.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

if TYPE_CHECKING:
    from asr import Recognizer
    from classifier import Classifier
    from pipeline.settings import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with a throw-away data dir; the model cache stays the user's (shared, large)."""
    from pipeline.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def recognizer(settings: Settings) -> Recognizer:
    """The real Whisper base recognizer, loaded once for the whole session."""
    from asr import Recognizer

    from pipeline.engines import recognizer_config

    return Recognizer.load(recognizer_config(settings))


@pytest.fixture(scope="session")
def classifier(settings: Settings) -> Classifier:
    """The real classifier (protocol + encoder heads), loaded once for the whole session."""
    from classifier import Classifier

    from pipeline.engines import classifier_config

    return Classifier.load(classifier_config(settings))


@pytest.fixture(scope="session")
def speech() -> Callable[..., Path]:
    """``speech(text, language="fr", phone=False) -> Path`` of a cached synthesized WAV.

    Kokoro test speech, cached outside the repo, so only the first run pays for synthesis.
    ``phone=True`` gives an 8 kHz mu-law round trip of the same speech.
    """
    from models.tts import cached_speech

    return cached_speech
