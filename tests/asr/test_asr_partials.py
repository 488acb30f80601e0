"""Partials' token budget: a looping greedy partial stops at a budget set by its audio's
duration (``RecognizerConfig.partial_max_tokens_per_s``), normal speech loses nothing to it,
and finals keep their own, wider budget."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from asr import Recognizer
from asr.audio import load_file
from asr.engine import Decoded, DecodeRequest, trim_cut_loop
from asr.scheduler import PassKind

RATE = 16000


def _with_rate(req: DecodeRequest, rate: float) -> DecodeRequest:
    return dataclasses.replace(req, policy=dataclasses.replace(req.policy, max_tokens_per_s=rate))


def _partial(rec: Recognizer, x: npt.NDArray[np.float32], lang: str,
             rate: float | None = None) -> Decoded:
    req = rec.request(x, lang, PassKind.PARTIAL)
    return rec._run_batch([req if rate is None else _with_rate(req, rate)])[0]


def test_partials_and_finals_have_their_own_budget(recognizer: Recognizer) -> None:
    cfg = recognizer.config
    assert cfg.partial_max_tokens_per_s < cfg.max_tokens_per_s
    assert recognizer.partial_policy.max_tokens_per_s == cfg.partial_max_tokens_per_s
    assert recognizer.final_policy.max_tokens_per_s == cfg.max_tokens_per_s


def test_a_looping_partial_stops_at_its_budget(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """The first 3.5 s of the red-flag sentence end mid-word ("la poitrine et"): greedy
    decoding repeats "Bonjour, mon mari a t'emmâler la poitrine." until the budget (50 tokens
    at 12 tokens/s); the partial's budget stops it near 8 + 5 x 3.5 tokens, same text."""
    x = load_file(speech(red_flag_fr, "fr"))[:int(3.5 * RATE)]
    wide = _partial(recognizer, x, "fr", rate=recognizer.config.max_tokens_per_s)
    d = _partial(recognizer, x, "fr")
    budget = 8 + recognizer.config.partial_max_tokens_per_s * 3.5
    assert len(wide.tokens) > budget, "the input must loop for this test to mean anything"
    assert len(d.tokens) <= budget
    assert d.text == wide.text
    assert "poitrine" in d.text


@pytest.mark.parametrize("seconds", [1.6, 2.5, 3.0, 4.5, None])
def test_normal_speech_gives_the_same_partial_with_and_without_the_budget(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        seconds: float | None) -> None:
    x = load_file(speech(red_flag_fr, "fr"))
    if seconds is not None:
        x = x[:int(seconds * RATE)]
    wide = _partial(recognizer, x, "fr", rate=recognizer.config.max_tokens_per_s)
    assert _partial(recognizer, x, "fr").text == wide.text
    assert wide.text


def test_the_final_is_never_held_to_the_partials_budget(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    rec = Recognizer(dataclasses.replace(recognizer.config, partial_max_tokens_per_s=0.5),
                     recognizer._fw, recognizer.vad, recognizer.model_path)
    try:
        x = load_file(speech(red_flag_fr, "fr"))
        partial = _partial(rec, x, "fr")
        final = rec._run_batch([rec.request(x, "fr", PassKind.FINAL)])[0]
        assert len(partial.tokens) <= 8 + 0.5 * len(x) / RATE
        assert "respirer" not in partial.text
        assert "respirer" in final.text
        assert final.text == recognizer._run_batch(
            [recognizer.request(x, "fr", PassKind.FINAL)])[0].text
    finally:
        rec.close()


@pytest.mark.parametrize(("text", "kept"), [
    # Cut by the budget mid-copy (bench partials, 5 tokens/s)
    ("M'offisse, coupe la mer, il s'étouffe, il s'ét", "M'offisse, coupe la mer, il s'étouffe,"),
    ("Jean douleur, dans le taux-axe qui descend dans le bras. Jean douleur, dans le t",
     "Jean douleur, dans le taux-axe qui descend dans le bras."),
    ("Est-ce que je peux renouer ? Est-ce que je peux", "Est-ce que je peux renouer ?"),
    # Speech: no repeated tail of two words
    ("il a mal à la poitrine", "il a mal à la poitrine"),
    ("il a mal il", "il a mal il"),
])
def test_trim_cut_loop(text: str, kept: str) -> None:
    assert trim_cut_loop(text) == kept
