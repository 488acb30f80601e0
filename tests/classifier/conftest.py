"""Classifier-area fixtures. The full classifier (encoder + heads) is the session fixture
``classifier`` of tests/conftest.py; the protocol-only one below loads in milliseconds."""

from __future__ import annotations

import pytest

from classifier import Classifier, ClassifierConfig


@pytest.fixture(scope="session")
def rules() -> Classifier:
    """Protocol-only classifier (no encoder): the written rules alone."""
    return Classifier.load(ClassifierConfig(use_model=False))
