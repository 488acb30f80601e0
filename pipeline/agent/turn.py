"""End of the caller's turn: pipecat's Smart Turn v3.2 model (local ONNX file shipped inside
pipecat, nothing downloaded).

The recognizer closes an utterance after ~0.35 s of silence, which is right for a fast final
transcript but too eager for turn-taking: callers pause mid-sentence ("Bonjour. ... je voudrais
un rendez-vous"). The agent answers only when Smart Turn judges the turn complete, or after a
longer silence; red flags never wait for the end of the turn.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt


class SmartTurn:
    """Probability that the caller finished their turn, from the last 8 s of their audio."""

    def __init__(self, cpu_count: int = 1) -> None:
        from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

        self._analyzer: Any = LocalSmartTurnAnalyzerV3(cpu_count=cpu_count, sample_rate=16000)
        self._lock = threading.Lock()

    def complete_probability(self, samples_16k: npt.NDArray[np.float32]) -> float:
        with self._lock:
            result = self._analyzer._predict_endpoint(samples_16k.astype(np.float32, copy=False))
        return float(result["probability"])


_shared: SmartTurn | None = None
_shared_lock = threading.Lock()


def shared_smart_turn() -> SmartTurn:
    """One model per process, shared by every call."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SmartTurn()
        return _shared
