"""ASR test helpers: non-speech signals a phone line carries, and event collection."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pytest

RATE = 16000


def _t(seconds: float) -> npt.NDArray[np.float64]:
    return np.arange(int(seconds * RATE)) / RATE


def white_noise(seconds: float = 4.0, level: float = 0.05, seed: int = 0
                ) -> npt.NDArray[np.float32]:
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * level).astype(
        np.float32)


def dtmf(digits: str = "0145263789#*", tone_s: float = 0.15, gap_s: float = 0.1
         ) -> npt.NDArray[np.float32]:
    low = {"1": 697, "2": 697, "3": 697, "4": 770, "5": 770, "6": 770, "7": 852, "8": 852,
           "9": 852, "*": 941, "0": 941, "#": 941}
    high = {"1": 1209, "2": 1336, "3": 1477, "4": 1209, "5": 1336, "6": 1477, "7": 1209,
            "8": 1336, "9": 1477, "*": 1209, "0": 1336, "#": 1477}
    t = _t(tone_s)
    parts = []
    for d in digits:
        parts.append(0.25 * (np.sin(2 * np.pi * low[d] * t) + np.sin(2 * np.pi * high[d] * t)))
        parts.append(np.zeros(int(gap_s * RATE)))
    return np.concatenate(parts).astype(np.float32)


def hum(seconds: float = 4.0) -> npt.NDArray[np.float32]:
    t = _t(seconds)
    x = sum(0.1 / k * np.sin(2 * np.pi * 50 * k * t) for k in (1, 2, 3, 5))
    return (x + white_noise(seconds, 0.003)).astype(np.float32)


def hold_music(seconds: float = 16.0) -> npt.NDArray[np.float32]:
    """Arpeggiated major chords with a soft envelope, like a switchboard's hold loop."""
    notes = [261.6, 329.6, 392.0, 523.3, 349.2, 440.0, 523.3, 698.5]
    per = 0.25
    t = _t(per)
    env = np.minimum(1, t / 0.02) * np.exp(-3 * t)
    out = [0.2 * env * (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t))
           for f in (notes * int(seconds / per / len(notes) + 1))]
    return np.concatenate(out)[: int(seconds * RATE)].astype(np.float32)


def breathing(seconds: float = 6.0, seed: int = 1) -> npt.NDArray[np.float32]:
    """Band-limited noise swelling in and out every ~1.5 s (breaths into the handset)."""
    from scipy.signal import butter, sosfilt

    noise = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    sos = butter(4, [200, 1500], btype="band", fs=RATE, output="sos")
    x = sosfilt(sos, noise)
    env = np.clip(np.sin(2 * np.pi * _t(seconds) / 1.5), 0, None) ** 2
    return (0.08 * x * env / (np.abs(x).max() or 1)).astype(np.float32) * 4


NON_SPEECH = {
    "silence": lambda: np.zeros(4 * RATE, np.float32),
    "white_noise": white_noise,
    "loud_white_noise": lambda: white_noise(level=0.2, seed=3),
    "dtmf": dtmf,
    "hum": hum,
    "hold_music": hold_music,
    "breathing": breathing,
}


@pytest.fixture(params=sorted(NON_SPEECH))
def non_speech(request: pytest.FixtureRequest) -> tuple[str, npt.NDArray[np.float32]]:
    return request.param, NON_SPEECH[request.param]()


def chunks(x: npt.NDArray[np.float32], sizes_ms: Iterable[int]) -> list[tuple[int, int]]:
    """(start, end) sample ranges cycling through ``sizes_ms``."""
    sizes = list(sizes_ms)
    out, i, k = [], 0, 0
    while i < len(x):
        n = int(sizes[k % len(sizes)] * RATE / 1000)
        out.append((i, min(len(x), i + n)))
        i += n
        k += 1
    return out


@pytest.fixture
def chunker():  # type: ignore[no-untyped-def]
    """``chunker(x, sizes_ms)`` -> sample ranges (test files can't import this conftest)."""
    return chunks


RED_FLAG_FR = "Bonjour, mon mari a très mal à la poitrine et il n'arrive plus à respirer."
RED_FLAG_EN = "My baby has a high fever and she is having a seizure."


@pytest.fixture(scope="session")
def red_flag_fr() -> str:
    return RED_FLAG_FR


@pytest.fixture(scope="session")
def red_flag_en() -> str:
    return RED_FLAG_EN
