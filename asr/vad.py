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


class RecordingVad:
    """Speech probabilities of a whole recording in few ONNX calls (whole-file transcription).

    Why not faster-whisper's batched pass: it runs Silero v6 over the whole file as one
    sequence, and the recurrent state drifts as pipecat measured for streams. On the real clip
    "Bonjour ! Est-ce que vous allez bien ?" said twice around 28 s of line noise, the second
    time scored <= 0.05 (speech: >= 0.5) and was never decoded: that was the whole gap to stock
    Whisper on real French (WER 0.259 vs 0.155). Resetting v6 in clear non-speech brought it
    back at 16 kHz but not on 8 kHz mu-law (0.44 at best).

    So recordings get the model live calls use (Silero v5, :class:`VadStream`), cut in
    ``block_s`` blocks run side by side as one batch (v5's batch axis is independent streams),
    each block starting ``warmup_s`` early from a fresh state whose outputs are discarded: the
    state never runs longer than block + warm-up, like a stream reset in non-speech. Measured
    on the 13 real clips, 16 kHz and 8 kHz: the speech/non-speech decision agrees with the
    window-by-window stream on 93-100 % of windows (v6 whole-file: 88-99 %); the repeated
    sentence is found at both rates. Cost: one ONNX call per window of a block, not of the
    file: 60 s in ~140 calls instead of 1875 (0.68 s window by window on this box).
    """

    def __init__(self, model: SileroModel, block_s: float = 4.0, warmup_s: float = 1.0) -> None:
        self.model = model
        self.block = max(1, int(block_s * 16000 / WINDOW))
        self.warmup = max(0, int(warmup_s * 16000 / WINDOW))

    def probs(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """One speech probability per 512-sample window of ``x`` (the last one zero-padded)."""
        n = -(-len(x) // WINDOW)
        padded = np.zeros(n * WINDOW, np.float32)
        padded[:len(x)] = x
        rows = padded.reshape(n, WINDOW)
        if self.model.v6:  # v6's batch axis is time: no side-by-side blocks, go window by window
            stream = self.model.stream()
            return np.array([stream.prob(r) for r in rows], np.float32)
        context = np.zeros((n, _CONTEXT), np.float32)
        context[1:] = rows[:-1, -_CONTEXT:]  # each window sees the end of the one before
        inputs = np.concatenate([context, rows], axis=1)
        starts = np.arange(0, n, self.block)
        out = np.zeros(n, np.float32)
        state = np.zeros((2, len(starts), 128), np.float32)
        blank = np.zeros((len(starts), WINDOW + _CONTEXT), np.float32)
        first = 0 if len(starts) == 1 else -self.warmup
        for step in range(first, min(self.block, n)):
            idx = starts + step
            valid = (idx >= 0) & (idx < n) & (idx < starts + self.block)
            batch = blank.copy()
            batch[valid] = inputs[idx[valid]]
            p, state = self.model.session.run(
                None, {"input": batch, "state": state, "sr": np.array(16000, np.int64)})
            if step >= 0:
                out[idx[valid]] = np.asarray(p, np.float32).reshape(-1)[valid]
        return out


def speech_spans(probs: npt.NDArray[np.float32], *, threshold: float, neg_threshold: float,
                 min_speech_windows: int, end_silence_windows: int, pad: int,
                 max_samples: int, total: int) -> list[tuple[int, int]]:
    """Sample ranges of speech from window probabilities, by the rule live streams follow
    (``asr.streaming``): ``min_speech_windows`` above ``threshold`` open an utterance,
    ``end_silence_windows`` below ``neg_threshold`` close it; each range is widened by ``pad``
    samples and cut before ``max_samples`` at its least voiced window."""
    spans: list[tuple[int, int]] = []
    run = silence = 0
    start = last = 0
    in_speech = False
    for k, p in enumerate(probs):
        if not in_speech:
            run = run + 1 if p >= threshold else 0
            if run >= min_speech_windows:
                in_speech, start, last, silence = True, (k - run + 1) * WINDOW, (k + 1) * WINDOW, 0
        elif p >= neg_threshold:
            silence, last = 0, (k + 1) * WINDOW
        else:
            silence += 1
            if silence >= end_silence_windows:
                spans.append((start, last))
                in_speech, run = False, 0
    if in_speech:
        spans.append((start, last))
    out: list[tuple[int, int]] = []
    limit = max(WINDOW * 2, max_samples - 2 * pad)
    for a, b in spans:
        while b - a > limit:
            # Cut at the least voiced window of the second half (a breath, most often).
            lo, hi = (a + limit // 2) // WINDOW, (a + limit) // WINDOW
            cut = (lo + int(np.argmin(probs[lo:hi]))) * WINDOW if hi > lo else a + limit
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return [(max(0, a - pad), min(total, b + pad)) for a, b in out]
