"""Whole-recording VAD: the live calls' Silero, blocks of the file side by side, decides as a
live stream does, and the segmenter follows the streams' rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from asr.audio import load_file
from asr.vad import WINDOW, RecordingVad, SileroModel, speech_spans


def test_recording_vad_decides_as_a_live_stream(speech: Callable[..., Path]) -> None:
    said = load_file(speech("Je voudrais un rendez-vous avec le docteur Martin.", "fr"))
    noise = (np.random.default_rng(0).standard_normal(9 * 16000) * 0.01).astype(np.float32)
    x = np.concatenate([said, noise, said, noise[:16000]])  # several blocks, speech across one
    model = SileroModel()
    stream = model.stream()
    n = -(-len(x) // WINDOW)
    padded = np.zeros(n * WINDOW, np.float32)
    padded[:len(x)] = x
    live = np.array([stream.prob(padded[i:i + WINDOW]) for i in range(0, len(padded), WINDOW)])
    batched = RecordingVad(model).probs(x)
    assert batched.shape == live.shape
    assert np.mean((batched >= 0.5) == (live >= 0.5)) >= 0.97
    assert (live >= 0.5).sum() > 50  # the test has speech to agree on


def test_speech_spans_follow_the_stream_rule() -> None:
    p = np.zeros(100, np.float32)
    p[10:12] = 0.9  # too short to open an utterance
    p[20:40] = 0.9
    p[42] = 0.1  # a dip shorter than the end silence stays inside
    p[40:45] = 0.4  # between the thresholds: still speech
    p[70:100] = 0.9  # runs to the end of the audio
    spans = speech_spans(p, threshold=0.5, neg_threshold=0.35, min_speech_windows=3,
                         end_silence_windows=5, pad=100, max_samples=10**9, total=100 * WINDOW)
    assert spans == [(20 * WINDOW - 100, 45 * WINDOW + 100), (70 * WINDOW - 100, 100 * WINDOW)]


def test_long_speech_is_cut_at_its_least_voiced_window() -> None:
    p = np.full(100, 0.9, np.float32)
    p[60] = 0.4
    spans = speech_spans(p, threshold=0.5, neg_threshold=0.35, min_speech_windows=3,
                         end_silence_windows=5, pad=0, max_samples=80 * WINDOW,
                         total=100 * WINDOW)
    assert spans == [(0, 60 * WINDOW), (60 * WINDOW, 100 * WINDOW)]
