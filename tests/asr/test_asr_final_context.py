"""A live final hears the utterance before it when the caller only paused (``asr.streaming``):
the previous utterance's audio and final text (forced as prefix) go into its pass, and the
final keeps only what follows, with its own word times."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from asr import Recognizer, TranscriptUpdate
from asr.audio import load_file
from asr.bench import final_updates
from asr.engine import DecodeRequest
from asr.scheduler import PassKind

pytestmark = pytest.mark.slow

FIRST = "Je voudrais un rendez-vous."
SECOND = "Demain matin si possible."


def _call(recognizer: Recognizer, x: np.ndarray, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[list[TranscriptUpdate], list[DecodeRequest]]:
    """Finals of ``x`` fed as a replay, and every final pass submitted to the engine."""
    finals_submitted: list[DecodeRequest] = []
    submit = recognizer.engine.submit

    def spy(req: DecodeRequest):  # type: ignore[no-untyped-def]
        if req.kind is PassKind.FINAL:
            finals_submitted.append(req)
        return submit(req)

    monkeypatch.setattr(recognizer.engine, "submit", spy)
    finals = final_updates(recognizer.stream("fr"), x)
    monkeypatch.undo()
    return finals, finals_submitted


def _two_utterances(speech: Callable[..., Path], pause_s: float) -> np.ndarray:
    """Two synthesized sentences ``pause_s`` apart, besides the clips' own silences (~1.5 s
    between the two speech spans)."""
    first = load_file(speech(FIRST, "fr"))
    second = load_file(speech(SECOND, "fr"))
    return np.concatenate([first, np.zeros(int(pause_s * 16000), np.float32), second])


def test_a_final_after_a_pause_decodes_the_utterance_before_it_and_keeps_its_own_words(
        recognizer: Recognizer, speech: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    x = _two_utterances(speech, 0.0)
    finals, passes = _call(recognizer, x, monkeypatch)
    assert len(finals) == 2, [f.text for f in finals]
    first, second = finals
    assert "rendez-vous" in first.text.lower() and "possible" in second.text.lower(), \
        (first.text, second.text)
    # The second utterance's pass carried the first: its text forced, its audio before.
    last = passes[-1]
    assert last.prefix == first.text
    assert len(last.samples) / 16000 > second.end - first.start
    # What the call keeps is the second utterance alone, timed inside it.
    assert "rendez" not in second.text.lower(), second.text
    assert second.start - first.end < recognizer.config.final_context_gap_s
    assert second.words and all(w.start >= first.end for w in second.words), \
        (first.end, second.words)
    # Aligned words may split a written one ("m" "'attend"): the same characters, none of
    # the first utterance's.
    assert "".join(w.text for w in second.words) == "".join(second.text.split()), second.words


def test_a_final_after_a_long_silence_is_decoded_alone(
        recognizer: Recognizer, speech: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    gap = recognizer.config.final_context_gap_s + 1.0
    x = _two_utterances(speech, gap)
    finals, passes = _call(recognizer, x, monkeypatch)
    assert len(finals) == 2, [f.text for f in finals]
    assert passes and all(not p.prefix for p in passes)
    assert "possible" in finals[1].text.lower() and "rendez" not in finals[1].text.lower()
