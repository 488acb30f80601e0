"""Silero voice activity detection through onnxruntime directly (no pipecat, no torch).

The ONNX file is the one pipecat ships (Silero v5: ``input``/``state``/``sr``); faster-whisper's
asset (Silero v6: ``input``/``h``/``c``) is the fallback. We only locate the installed file; we
never import pipecat (asr must stay independent of the voice framework).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms): what Silero was trained on."""
_CONTEXT = 64
# pipecat's measurement: the recurrent state drifts during long non-speech (music, line noise)
# until speech is under-reported; resetting every ~2 s of clear non-speech fixes it.
_RESET_EVERY_WINDOWS = int(2.0 * 16000 / WINDOW)
_RESET_MAX_PROB = 0.1
_RESET_LOW_WINDOWS = 5


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_silero_model() -> Path:
    candidates: list[Path] = []
    pipecat = _package_dir("pipecat")
    if pipecat is not None:
        candidates.append(pipecat / "audio" / "vad" / "data" / "silero_vad.onnx")
    fw = _package_dir("faster_whisper")
    if fw is not None:
        candidates.append(fw / "assets" / "silero_vad_v6.onnx")
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(
        "Silero VAD model not found: expected pipecat's pipecat/audio/vad/data/silero_vad.onnx "
        "or faster-whisper's assets/silero_vad_v6.onnx (pip install pipecat-ai faster-whisper)"
    )


class SileroModel:
    """One ONNX session shared by every stream (onnxruntime's ``run`` is thread-safe);
    the recurrent state lives in each :class:`VadStream`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or find_silero_model()
        opts = ort.SessionOptions()
        # The VAD is tiny; one thread avoids stealing a core from Whisper.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(self.path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        names = {i.name for i in self.session.get_inputs()}
        self.v6 = "h" in names

    def stream(self) -> VadStream:
        return VadStream(self)


class VadStream:
    """Speech probability for consecutive 512-sample windows of one call."""

    def __init__(self, model: SileroModel) -> None:
        self.model = model
        self.reset()
        self._since_reset = 0
        self._low = 0

    def reset(self) -> None:
        self._context = np.zeros((1, _CONTEXT), np.float32)
        self._state = np.zeros((2, 1, 128), np.float32)
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)

    def prob(self, window: npt.NDArray[np.float32], quiet: bool = True) -> float:
        """Speech probability of one 512-sample window; ``quiet`` says the caller is not
        mid-utterance, so a due state reset may happen (never during speech)."""
        x = np.concatenate([self._context, window.reshape(1, WINDOW)], axis=1)
        sess = self.model.session
        if self.model.v6:
            p, self._h, self._c = sess.run(None, {"input": x, "h": self._h, "c": self._c})
        else:
            p, self._state = sess.run(
                None, {"input": x, "state": self._state, "sr": np.array(16000, np.int64)}
            )
        self._context = x[:, -_CONTEXT:]
        prob = float(np.asarray(p).reshape(-1)[0])
        self._since_reset += 1
        self._low = self._low + 1 if prob < _RESET_MAX_PROB else 0
        if quiet and self._since_reset >= _RESET_EVERY_WINDOWS and self._low >= _RESET_LOW_WINDOWS:
            self.reset()
            self._since_reset = 0
        return prob
