"""Streaming transcription of one call: Silero VAD segments utterances, Whisper decodes them.

Every pass goes to the recognizer's shared engine (``asr.scheduler``), batched with the other
calls' passes; ``feed`` stays synchronous (the pipeline runs it in a worker thread) but never
waits for a partial:

* Partials: one pass per ``partial_every_s`` of new *speech*, at most one in flight per call,
  submitted without waiting; its result is emitted by the first ``feed`` after it is ready.
  A busy engine therefore spaces partials out instead of building a backlog. Partials decode
  fast (greedy, short window, triage prompt). Words agreed by two consecutive partials are
  confirmed (LocalAgreement-2) and forced as the prefix of later partials, so confirmed text
  never changes between partials.
* Finals: decoded from scratch with the stock-quality policy (beam 4, Whisper's 30 s window,
  the prompt; see ``asr.engine``), so a final may correct words partials had confirmed; it is
  what the call keeps. When the caller only paused (``final_context_gap_s``), the final
  decodes the previous utterance too, its final text forced as prefix, and keeps what follows
  it: a sentence cut at a breath is heard whole, as Whisper hears it in a recording. The
  final is submitted speculatively once ``speech_pad_ms`` of silence has passed (one per
  engine batch), and emitted by the first ``feed`` after it is
  done (``flush`` waits for it); ``SpeechEnd`` comes when ``end_silence_ms`` ends the
  utterance.
* ``prioritize()``: the caller (who knows what the words mean) marks this call's partials
  urgent: they go before ordinary partials and are never shed.
* Closing partial: with the speculative final, one fast pass (the partials' policy) over the
  whole utterance, run before finals; emitted as a partial between ``SpeechEnd`` and the final
  if it is done first. A red flag said last reaches the classifier without waiting for a burst
  of beam-4 finals from other calls. When its encoder window is the final's (an utterance of
  29 s or more; any length with ``RecognizerConfig.closing_shares_final_encoder``) and the
  final carries no context, the final reuses its encoder output: one encoder pass per
  utterance, the final's text unchanged.

Time is the call's audio clock: ``t0`` of the stream plus the samples fed so far.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import time
from collections import deque
from concurrent.futures import CancelledError, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from asr.audio import AudioFormatError
from asr.engine import Decoded, DecodeRequest, SharedEncoding, normalize
from asr.scheduler import PassKind, PassShed
from asr.types import AsrEvent, AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate, Word
from asr.vad import WINDOW

if TYPE_CHECKING:
    from asr.engine import Recognizer

RATE = 16000


@dataclass
class _PendingFinal:
    """An ended utterance whose final pass is queued or running."""

    utterance_id: int
    future: Future[Decoded]
    start: float
    end: float
    audio_start: float
    any_partial: bool
    closing: Future[Decoded] | None = None
    """Its closing partial (fast pass over the whole utterance), until emitted or moot."""
    confirmed: tuple[str, ...] = ()
    """Words confirmed before the closing partial, forced as its prefix."""
    context: bool = False
    """Its final decodes the previous utterance too, forced as prefix (see ``_Context``): the
    final's own text and words come after it."""
    own_audio_start: int = 0
    """Stream sample index where this utterance's own audio (lead included) starts: a
    following final's context starts here."""
    speech_end_sample: int = 0


@dataclass(frozen=True)
class _Context:
    """The audio and forced text a final carries over from the utterance before it."""

    start: int
    """Stream sample index where the decoded audio starts (the previous utterance's start)."""
    prefix: str
    """The previous utterance's final text."""


@dataclass
class _InFlight:
    """A pass submitted to the engine for the current utterance."""

    utterance_id: int
    end: int
    """Stream sample index just after the audio it decodes."""
    future: Future[Decoded]
    start: int = 0
    """Stream sample index of the first sample it decodes."""
    context: bool = False
    """A final that carries the previous utterance (see ``_Context``)."""


def _words(text: str) -> list[str]:
    return text.split()


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", normalize(word))


class StreamingTranscriber:
    """Per-call state; feed chunks of 20-500 ms, get events. Not thread-safe itself (one call,
    one caller thread); the :class:`Recognizer` it uses is shared."""

    def __init__(self, recognizer: Recognizer, language: str | None = None, t0: float = 0.0
                 ) -> None:
        cfg = recognizer.config
        self.recognizer = recognizer
        self.language = language
        self.t0 = t0
        self.partials = True
        """Emit partial hypotheses while the caller speaks (a listener turns them off while
        its call's audio is backlogged: overload sheds them first)."""
        self.closing_partials = True
        """One fast pass over each utterance when the caller stops (``PassKind.CLOSING_PARTIAL``),
        kept when ``partials`` is off: under overload it is what carries a red flag said in
        the utterance to the classifier ahead of the finals (at 8 calls the listener had turned
        partials off, so red flags waited for their final, ~20 s at load ~6)."""
        self.bias = cfg.bias
        self._vad = recognizer.vad.stream()
        self._rest = np.zeros(0, np.float32)
        self._n = 0  # samples consumed into VAD windows
        self._min_speech = max(1, round(cfg.min_speech_ms * RATE / 1000 / WINDOW))
        self._end_silence = max(1, round(cfg.end_silence_ms * RATE / 1000 / WINDOW))
        self._pad = int(cfg.speech_pad_ms * RATE / 1000)
        self._pad_windows = max(1, -(-self._pad // WINDOW))
        self._partial_interval = cfg.partial_every_s
        self._urgent = False
        self.shed_partials = 0
        """Partial passes the engine shed under overload (this call)."""
        lead = max(self._pad, int(cfg.lead_context_s * RATE))
        self._preroll: deque[npt.NDArray[np.float32]] = deque(maxlen=max(1, lead // WINDOW + 1))
        self._candidate: list[npt.NDArray[np.float32]] = []
        self._utterance_id = 0
        self._in_speech = False
        self._finals: deque[_PendingFinal] = deque()
        self._previous: _PendingFinal | None = None
        """The last ended utterance: its audio and final text are the next final's context."""
        self._context_window = int((cfg.final_min_window_s - cfg.window_pad_s) * RATE)
        self._history: deque[npt.NDArray[np.float32]] = deque(
            maxlen=max(1, self._context_window // WINDOW + 1))
        """The stream's last windows (a final's context reaches back this far)."""
        self._wall0 = time.monotonic()
        """A live line's audio is spoken after its stream was created: fed audio never runs
        ahead of the wall time since then (a backlog only catches up with it)."""
        self._sync = False
        self.max_wait_s = 1.0
        """Longest ``feed`` waits for a pass when a replay is detected (a slower pass is
        delivered by a later ``feed``): keeps every ``feed`` well inside the pipeline's 2 s
        stall watchdog on a loaded machine. ``flush`` and ``synchronous = True`` streams wait
        without limit."""
        self.synchronous: bool | None = None
        """True: every pass is awaited in ``feed`` (deterministic replay, e.g. ``demo
        --fast``); False: never; None (default): awaited when audio arrives faster than real
        time (a replayed recording), never on a live line."""
        self.wait_for_finals = False
        """False (live calls): ``feed`` never waits for the engine; a final is emitted by the
        first ``feed`` after its pass is done (a phone line feeds every 20 ms), so a pool
        thread is never held while other calls' audio waits. ``flush`` always waits."""
        self._reset_utterance()

    # -- state -----------------------------------------------------------------------------
    def _reset_utterance(self) -> None:
        self._audio: list[npt.NDArray[np.float32]] = []
        self._audio_start = 0  # sample index (stream clock) of _audio[0]
        self._speech_start = 0
        self._last_voiced = 0  # sample index just after the last voiced window
        self._silence = 0
        self._confirmed: list[str] = []
        self._tail: list[str] = []
        self._since_partial = 0
        self._utt_language: str | None = self.language
        self._any_partial = False
        self._partial_pass: _InFlight | None = None
        self._speculative: _InFlight | None = None
        self._closing: _InFlight | None = None

    def _t(self, sample: int) -> float:
        return self.t0 + sample / RATE

    # -- public ----------------------------------------------------------------------------
    def prioritize(self, urgent: bool = True) -> None:
        """Mark this call's partials urgent (e.g. the classifier suspects a red flag): they run
        before other calls' ordinary partials and are never shed. Finals always come first."""
        self._urgent = urgent

    @property
    def pending_finals(self) -> int:
        """Utterances whose final is still being decoded (or not yet returned by ``feed``). A
        final is never shed, so a caller's turn is not over while one is pending; an utterance
        whose final pass found no words (dropped) stops being pending without an event."""
        return len(self._finals)

    @property
    def prioritized(self) -> bool:
        return self._urgent

    def feed(self, chunk: AudioChunk) -> list[AsrEvent]:
        x = chunk.samples
        if chunk.sample_rate != RATE:
            raise AudioFormatError(
                f"AudioChunk at {chunk.sample_rate} Hz: expected 16000 Hz (convert with "
                f"asr.audio.chunk_from_pcm16/chunk_from_mulaw/chunk_from_float)")
        if not isinstance(x, np.ndarray) or x.ndim != 1:
            raise AudioFormatError("AudioChunk.samples: expected a 1-D float32 numpy array")
        if x.dtype != np.float32:
            x = x.astype(np.float32)
        now = time.monotonic()
        # Audio arriving faster than it can be spoken is a replayed recording (tests, ``call
        # --fast``): passes are then awaited, so results do not depend on machine speed. A
        # live line never runs ahead of the wall clock since the stream was created (a backlog
        # only catches up with it; measured from the first feed instead, a call whose first
        # frames queued behind its greeting looked like a replay and stalled).
        self._sync = self.synchronous if self.synchronous is not None else (
            (self._n + self._rest.size + x.size) / RATE - (now - self._wall0) > 0.5)
        buf = np.concatenate([self._rest, x]) if self._rest.size else x
        events: list[AsrEvent] = self._collect_finals(wait=None) + self._collect_partial()
        i = 0
        while i + WINDOW <= len(buf):
            events += self._window(buf[i:i + WINDOW])
            i += WINDOW
        self._rest = buf[i:].copy()
        return events

    @property
    def pending_passes(self) -> tuple[Future[Decoded], ...]:
        """The engine passes of ended utterances still owed (finals, closing partials): a
        caller that must not hold a thread while they run (one pool serves every call's
        audio) waits on these, then calls ``flush(wait=False)`` again for what is ready."""
        owed = [f.future for f in self._finals if not f.future.done()]
        owed += [f.closing for f in self._finals if f.closing is not None
                 and not f.closing.done()]
        return tuple(owed)

    @property
    def engine_progress(self) -> int:
        """Passes the shared engine has run so far (all calls): it moves while the engine is
        busy, not when it is stalled."""
        return self.recognizer.engine.completed

    def flush(self, wait: bool = True) -> list[AsrEvent]:
        """End of the call's audio: close an open utterance with its final. ``wait=False``
        returns what is ready without waiting for the finals (see ``pending_passes``)."""
        events: list[AsrEvent] = self._collect_finals(wait=None) + self._collect_partial()
        if self._rest.size:
            window = np.zeros(WINDOW, np.float32)
            window[:self._rest.size] = self._rest
            self._rest = np.zeros(0, np.float32)
            events += self._window(window)
        if self._in_speech:
            events += self._finish(self._n)
        return events + self._collect_finals(wait=math.inf if wait else None)

    # -- VAD state machine -----------------------------------------------------------------
    def _window(self, w: npt.NDArray[np.float32]) -> list[AsrEvent]:
        cfg = self.recognizer.config
        start = self._n
        self._n += WINDOW
        self._history.append(w)
        p = self._vad.prob(w, quiet=not self._in_speech and not self._candidate)
        if not self._in_speech:
            if p >= cfg.vad_threshold:
                self._candidate.append(w)
                if len(self._candidate) >= self._min_speech:
                    return self._open(start)
                return []
            self._preroll.extend(self._candidate)
            self._candidate = []
            self._preroll.append(w)
            return []
        self._audio.append(w)
        self._since_partial += WINDOW
        voiced = p >= cfg.vad_neg_threshold
        if voiced:
            self._silence = 0
            self._last_voiced = self._n
        else:
            self._silence += 1
        events: list[AsrEvent] = []
        spec = self._speculative
        if voiced and spec is not None and spec.end != self._last_voiced + self._pad:
            spec.future.cancel()  # the caller went on: that final is moot (if still queued)
            self._speculative = None
            if self._closing is not None:
                self._closing.future.cancel()
                self._closing = None
        if self._silence == self._pad_windows and self._speculative is None:
            # Speculative final: the final decodes audio up to last voiced + pad, which is all
            # here already. Submitted now, it runs during the rest of the end-of-speech wait
            # (~190 ms), batched with other calls' finals; wasted only if the caller resumes.
            end = self._last_voiced + self._pad
            final = self._request(end, PassKind.FINAL)
            if self.closing_partials:
                # Closing partial: the words said since the last partial reach the classifier
                # at partial cost, ahead of the finals (see PassKind.CLOSING_PARTIAL). It
                # replaces a queued partial; a running one is superseded (a partial finishing
                # after the utterance ended is not emitted). Queued before the final, so an
                # idle engine does not start the final (~1.4 CPU-s) first.
                running = self._partial_pass
                if running is not None and running.future.cancel():
                    self._partial_pass = None
                closing = self._request(end, PassKind.CLOSING_PARTIAL)
                if not final.prefix and (cfg.closing_shares_final_encoder or
                                         closing.window_frames == final.window_frames):
                    # Same audio, same window: the final reuses the closing partial's encoder
                    # output (one encoder pass per utterance instead of two).
                    encoding = SharedEncoding()
                    final = dataclasses.replace(final, encoding=encoding)
                    closing = dataclasses.replace(closing, window_frames=final.window_frames,
                                                  encoding=encoding)
                self._closing = self._submit_request(end, closing)
            self._speculative = self._submit_request(end, final)
        if self._silence >= self._end_silence:
            return self._finish(self._n)
        if self._n - self._audio_start >= cfg.max_utterance_s * RATE:
            events += self._finish(self._n)
            if p >= cfg.vad_neg_threshold:  # still talking: continue in a new utterance
                events += self._open(self._n, carry=False)
            return events
        # Partials only on voiced windows: a decode started in a pause could still be running
        # when the pause turns out to be the end of speech, delaying the final.
        if self.partials and voiced and self._partial_pass is None and \
                self._since_partial >= self._partial_interval * RATE:
            self._since_partial = 0
            kind = PassKind.URGENT_PARTIAL if self._urgent else PassKind.PARTIAL
            self._partial_pass = self._submit(self._n, kind)
            if self._sync:
                events += self._collect_partial(wait=True)
        return events

    def _open(self, end_of_candidates: int, carry: bool = True) -> list[AsrEvent]:
        self._reset_utterance()
        self._in_speech = True
        self._utterance_id += 1
        cand = self._candidate if carry else []
        speech_start = end_of_candidates + WINDOW - len(cand) * WINDOW if carry else \
            end_of_candidates
        pre = list(self._preroll) if carry else []
        self._audio = [*pre, *cand]
        self._audio_start = speech_start - len(pre) * WINDOW
        self._speech_start = speech_start
        self._last_voiced = end_of_candidates + WINDOW if carry else end_of_candidates
        self._since_partial = len(cand) * WINDOW
        self._candidate = []
        self._preroll.clear()
        return [SpeechStart(t=self._t(speech_start), utterance_id=self._utterance_id)]

    def _utterance_audio(self, end: int) -> npt.NDArray[np.float32]:
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        return audio[: max(0, end - self._audio_start)]

    def _submit(self, end: int, kind: PassKind) -> _InFlight:
        return self._submit_request(end, self._request(end, kind))

    def _request(self, end: int, kind: PassKind) -> DecodeRequest:
        rec = self.recognizer
        partial = kind.partial
        context = None if partial else self._final_context(end)
        if context is not None:
            return rec.request(self._stream_audio(context.start, end), self._utt_language,
                               kind, prefix=context.prefix)
        req = rec.request(self._utterance_audio(end), self._utt_language, kind,
                          prefix=" ".join(self._confirmed) if partial else "")
        if partial and self.bias != req.policy.bias:
            req = dataclasses.replace(req, policy=dataclasses.replace(req.policy,
                                                                      bias=self.bias))
        return req

    def _final_context(self, end: int) -> _Context | None:
        """The previous utterance, when the caller went on after a short pause: its audio and
        its final text (forced as prefix) go into this final's pass, as Whisper hears a
        sentence within its 30 s window. Cut at pauses, a sentence decoded piece by piece lost
        words: real JFK clip, "Ask not. | Watch your country can do for you." (stock, whole
        clip: "ask not what your country"); "One. | | Three."; a lone "1" came out as the
        triage prompt ("Il n'y a plus à respirer"). With the previous utterance as context
        every such piece came out as said (see ``RecognizerConfig.final_context_gap_s``).

        Only while the whole span fits the final's window (the encoder cost is the same), and
        only once the previous final is done: a live line does not wait for it (this final
        then goes alone), a replay does (its text must not depend on machine speed)."""
        prev = self._previous
        cfg = self.recognizer.config
        if prev is None or self._speech_start - prev.speech_end_sample > \
                cfg.final_context_gap_s * RATE:
            return None
        start = prev.own_audio_start
        if end - start > self._context_window or start < self._n - len(self._history) * WINDOW:
            return None
        if not prev.future.done() and self._sync:
            wait_futures([prev.future], timeout=self._wait_limit(math.inf))
        if not prev.future.done() or prev.future.cancelled() or \
                prev.future.exception() is not None:
            return None
        d = prev.future.result()
        text = d.new_text if prev.context else d.text
        if not text or d.dropped or (self._utt_language and d.language != self._utt_language):
            return None
        return _Context(start, text)

    def _stream_audio(self, start: int, end: int) -> npt.NDArray[np.float32]:
        """Samples ``start:end`` of the stream (within ``_history``), joining only the windows
        that hold them."""
        first = self._n - len(self._history) * WINDOW
        skip = (start - first) // WINDOW
        windows = list(itertools.islice(self._history, skip, None))
        audio = np.concatenate(windows)
        off = first + skip * WINDOW
        return audio[start - off:end - off]

    def _submit_request(self, end: int, req: DecodeRequest) -> _InFlight:
        return _InFlight(self._utterance_id, end, self.recognizer.engine.submit(req),
                         end - len(req.samples),
                         not req.kind.partial and bool(req.prefix))

    def _result(self, d: Decoded) -> Decoded:
        if self._utt_language is None:
            self._utt_language = d.language  # one detection per utterance
        return d

    def _abs_words(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        off = self._t(self._audio_start)
        return tuple(Word(w.text, round(off + w.start, 3), round(off + w.end, 3), w.probability)
                     for w in words)

    def _spread(self, words: list[str], end_sample: int) -> tuple[Word, ...]:
        """Partial word times without alignment: speech span shared out by word length."""
        start = self._t(self._speech_start)
        end = max(start, self._t(min(self._last_voiced, end_sample)))
        total = sum(len(w) + 1 for w in words) or 1
        out, t = [], start
        for w in words:
            dt = (end - start) * (len(w) + 1) / total
            out.append(Word(w, round(t, 3), round(t + dt, 3), 0.0))
            t += dt
        return tuple(out)

    def _collect_partial(self, wait: bool = False) -> list[AsrEvent]:
        """The partial pass in flight, as an update, if it is done (or once done: ``wait``)."""
        p = self._partial_pass
        if p is not None and wait:
            wait_futures([p.future], timeout=self._wait_limit(self.max_wait_s))
        if p is None or not p.future.done():
            return []
        self._partial_pass = None
        if p.utterance_id != self._utterance_id or not self._in_speech:
            return []
        try:
            d = self._result(p.future.result())
        except PassShed:
            self.shed_partials += 1
            self._since_partial = int(self._partial_interval * RATE)  # resubmit at once
            return []
        except CancelledError:
            return []
        tail = _words(d.new_text)
        prev = self._tail
        agree = 0
        while agree < min(len(prev), len(tail)) and _key(prev[agree]) == _key(tail[agree]):
            agree += 1
        agree = min(agree, max(0, len(tail) - 1))  # the word at the audio edge may be cut
        self._confirmed += tail[:agree]
        self._tail = tail[agree:]
        if not self._confirmed and not self._tail:
            return []
        self._any_partial = True
        return [TranscriptUpdate(
            utterance_id=self._utterance_id,
            confirmed=" ".join(self._confirmed),
            pending=" ".join(self._tail),
            is_final=False,
            words=self._abs_words(d.words) if d.words else self._spread(
                [*self._confirmed, *self._tail], p.end),
            start=self._t(self._speech_start),
            end=self._t(p.end),
            language=d.language,
            emitted_at=self._t(self._n),
        )]

    def _finish(self, now: int) -> list[AsrEvent]:
        end_voiced = self._last_voiced
        events: list[AsrEvent] = [SpeechEnd(
            t=self._t(end_voiced), utterance_id=self._utterance_id, detected_at=self._t(now))]
        if self._partial_pass is not None:
            self._partial_pass.future.cancel()  # the final supersedes it
            self._partial_pass = None
        end = min(now, end_voiced + self._pad)
        spec = self._speculative
        if spec is None or spec.end != end:
            if spec is not None:
                spec.future.cancel()
            spec = self._submit(end, PassKind.FINAL)
        self._speculative = None
        closing = self._closing
        if closing is not None and closing.end != end:
            closing.future.cancel()
            closing = None
        self._closing = None
        final = _PendingFinal(
            self._utterance_id, spec.future, self._t(self._speech_start), self._t(end_voiced),
            self._t(spec.start), self._any_partial,
            closing.future if closing is not None else None, tuple(self._confirmed),
            spec.context, self._audio_start, end_voiced)
        self._finals.append(final)
        self._previous = final
        self._in_speech = False
        self._reset_utterance()
        sync = self.wait_for_finals or self._sync
        return events + self._collect_finals(wait=self.max_wait_s if sync else None)

    def _wait_limit(self, wait: float) -> float | None:
        """Seconds to wait (None: no limit); an explicitly synchronous stream never gives up."""
        return None if self.synchronous or math.isinf(wait) else wait

    def _closing_update(self, f: _PendingFinal) -> list[AsrEvent]:
        """The closing partial of an ended utterance, as a partial update, once it is done and
        only while its final is not (a final makes it moot)."""
        closing = f.closing
        if closing is None:
            return []
        if f.future.done():
            closing.cancel()
            f.closing = None
            return []
        if not closing.done():
            return []
        f.closing = None
        try:
            d = self._result(closing.result())
        except (PassShed, CancelledError):
            return []
        tail = _words(d.new_text)
        words = [*f.confirmed, *tail]
        if not words:
            return []
        f.any_partial = True  # its final must follow, even an empty one
        span = max(0.0, f.end - f.start)
        total = sum(len(w) + 1 for w in words)
        spread, t = [], f.start
        for w in words:  # no alignment on partials: the speech span shared out by length
            dt = span * (len(w) + 1) / total
            spread.append(Word(w, round(t, 3), round(t + dt, 3), 0.0))
            t += dt
        return [TranscriptUpdate(
            utterance_id=f.utterance_id, confirmed=" ".join(f.confirmed),
            pending=" ".join(tail), is_final=False, words=tuple(spread), start=f.start,
            end=f.end, language=d.language, emitted_at=max(f.end, self._t(self._n)))]

    def _collect_finals(self, wait: float | None) -> list[AsrEvent]:
        """Finals whose pass is done, in utterance order, after waiting up to ``wait`` seconds
        for them (None: no wait; ``math.inf``: until all are done)."""
        events: list[AsrEvent] = []
        if self._finals and wait is not None:
            wait_futures([f.future for f in self._finals], timeout=self._wait_limit(wait))
        for f in self._finals:
            events += self._closing_update(f)
        while self._finals and self._finals[0].future.done():
            f = self._finals.popleft()
            d = f.future.result()  # a final is never shed; a model fault propagates
            # A final with context: its own words follow the previous utterance's, forced.
            text = d.new_text if f.context else d.text
            if text or f.any_partial:
                off = f.audio_start
                events.append(TranscriptUpdate(
                    utterance_id=f.utterance_id,
                    confirmed=text,
                    pending="",
                    is_final=True,
                    words=tuple(Word(w.text, round(off + w.start, 3), round(off + w.end, 3),
                                     w.probability) for w in d.words[d.prefix_words:]
                                ) if text else (),
                    start=f.start,
                    end=f.end,
                    language=d.language,
                    emitted_at=max(f.end, self._t(self._n)),
                ))
        return events
