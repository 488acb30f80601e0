"""The shared engine on the real Whisper base model: batching changes no text, a burst of
finals all complete, and real human speech comes out as stock Whisper hears it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from asr import AudioChunk, Recognizer, StreamingTranscriber, TranscriptUpdate
from asr.audio import load_file
from asr.bench import _norm_words, live_finals, real_clips
from asr.scheduler import PassKind, PassShed

pytestmark = pytest.mark.slow

EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external" / "audio"
if not (EXTERNAL / "manifest.jsonl").is_file():
    EXTERNAL = Path("/work/shared/external/audio")


def test_batching_gives_the_same_text_as_one_by_one(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        red_flag_en: str) -> None:
    fr = load_file(speech(red_flag_fr, "fr"))
    en = load_file(speech(red_flag_en, "en"))
    for kind in (PassKind.PARTIAL, PassKind.FINAL):
        reqs = [recognizer.request(x, lang, kind, prefix=prefix)
                for x, lang, prefix in ((fr, "fr", ""), (fr[:48000], "fr", ""),
                                        (en, "en", ""), (en, None, ""),
                                        (fr, "fr", "Bonjour, mon mari" if kind is
                                         PassKind.PARTIAL else ""))]
        groups: dict[object, list[int]] = {}
        for i, r in enumerate(reqs):
            groups.setdefault(r.group, []).append(i)
        assert max(len(g) for g in groups.values()) >= 2, "the test must batch something"
        alone = [recognizer._run_batch([r])[0] for r in reqs]
        together: list[str] = [""] * len(reqs)
        for idx in groups.values():
            for i, d in zip(idx, recognizer._run_batch([reqs[i] for i in idx]), strict=True):
                together[i] = d.text
        assert together == [d.text for d in alone]
        assert all(t for t in together)


def test_every_worker_hears_what_the_main_worker_hears(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        red_flag_en: str) -> None:
    """Passes run on whichever worker is free (each extra worker and the urgent lane is a
    model instance of its own): the same pass gives the same text on every one, batched or
    not."""
    import dataclasses

    rec = Recognizer(dataclasses.replace(recognizer.config, workers=2, urgent_lane_threads=1),
                     recognizer._fw, recognizer.vad, recognizer.model_path)
    try:
        assert rec._lane is not None and len(rec.engine.lanes) == 3
        by_name = {lane.name: lane for lane in rec.engine.lanes}
        worker, lane = by_name["asr-worker-2"], by_name["asr-urgent-lane"]
        assert worker.kinds == frozenset(PassKind)
        assert lane.kinds == frozenset(k for k in PassKind if k.partial)
        fr = load_file(speech(red_flag_fr, "fr"))
        en = load_file(speech(red_flag_en, "en"))
        for kind in (PassKind.CLOSING_PARTIAL, PassKind.PARTIAL, PassKind.FINAL):
            reqs = [rec.request(x, lang, kind) for x, lang in
                    ((fr, "fr"), (fr[:40000], "fr"), (en, "en"))]
            main = [rec._run_batch([r])[0].text for r in reqs]
            assert all(main)
            assert [worker.run_batch([r])[0].text for r in reqs] == main
            if kind.partial:
                assert [lane.run_batch([r])[0].text for r in reqs] == main
            if not kind.sheddable:  # through the engine: whichever worker takes them
                assert [f.result(300).text for f in rec.engine.submit_many(reqs)] == main
    finally:
        rec.close()


def test_a_burst_of_simultaneous_finals_all_complete(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        red_flag_en: str) -> None:
    """12 calls end their utterance at once while partials keep flooding the engine: every
    final comes back with its text; only partials may be shed."""
    clips = [(load_file(speech(red_flag_fr, "fr")), "fr"),
             (load_file(speech(red_flag_en, "en")), "en")]

    def final_of(stream: StreamingTranscriber, x: np.ndarray) -> str:
        return live_finals(stream, x, chunk_samples=8000)

    expected = {lang: final_of(recognizer.stream(lang), x) for x, lang in clips}
    recognizer.engine.reset_stats()
    start = threading.Barrier(12)
    results: list[str] = [""] * 12
    errors: list[BaseException] = []

    def call(i: int) -> None:
        x, lang = clips[i % 2]
        stream = recognizer.stream(lang)
        try:
            for _ in range(3):  # partials nobody waits for, competing with the finals
                recognizer.engine.submit(recognizer.request(x[:32000], lang, PassKind.PARTIAL))
            start.wait(30)
            results[i] = final_of(stream, x)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors, errors
    assert all(results), results
    for i, text in enumerate(results):
        lang = clips[i % 2][1]
        assert text == expected[lang], (text, expected[lang])  # batched == alone
    stats = recognizer.engine.stats
    assert stats.finals >= 12
    assert stats.by_kind.get("FINAL", 0) == stats.finals


def test_a_final_decodes_the_same_alone_and_batched_with_other_calls(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """Same recording, same outcome: a short final ("Oui.") gives the same tokens and scores
    alone and inside a batch with other calls' finals of other lengths, run after run."""
    short = load_file(speech("Oui, c'est ça.", "fr"))
    import dataclasses

    others = [load_file(speech(red_flag_fr, "fr")),
              load_file(speech("Je voudrais un rendez-vous demain matin.", "fr")),
              load_file(speech(red_flag_fr, "fr", phone=True))[:40000],
              load_file(speech("Non.", "fr"))]
    # Live finals run one per batch by default (max_final_batch_window_s); a deployment may
    # batch them, and a recording's segments are batched: the decode must not change.
    rec = Recognizer(dataclasses.replace(recognizer.config, max_final_batch_window_s=5 * 30.0),
                     recognizer._fw, recognizer.vad, recognizer.model_path)
    engine = rec.engine

    def decode(batch_with: list[np.ndarray]) -> tuple[object, ...]:
        # All queued before the worker looks: they share one batch.
        futures = engine.submit_many([rec.request(x, "fr", PassKind.FINAL)
                                      for x in [short, *batch_with]])
        d = futures[0].result(300)
        for f in futures[1:]:
            f.result(300)
        return d.text, d.tokens, d.avg_logprob, d.no_speech_prob, d.words

    try:
        alone = decode([])
        assert alone[0]
        for _ in range(2):
            assert decode(others) == alone
        assert engine.stats.max_batch >= 1 + len(others)  # the short final did share a batch
    finally:
        rec.close()


def test_each_utterance_gets_a_closing_partial_before_its_final(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """When the caller stops, one fast pass over the whole utterance runs before the finals;
    if it is back before the final, the call sees it as a partial between SpeechEnd and the
    final, never after the final."""
    from asr import SpeechEnd

    x = load_file(speech(red_flag_fr, "fr"))
    audio = np.concatenate([x, np.zeros(8000, np.float32), x, np.zeros(16000, np.float32)])
    recognizer.engine.reset_stats()
    stream = recognizer.stream("fr")
    stream.synchronous = False
    events = []
    for a in range(0, len(audio), 1600):
        events += stream.feed(AudioChunk(audio[a:a + 1600], a / 16000))
    events += stream.flush()
    ended = [e.utterance_id for e in events if isinstance(e, SpeechEnd)]
    assert len(ended) >= 2  # the sentence twice (a comma's pause may split it further)
    assert recognizer.engine.stats.by_kind.get("CLOSING_PARTIAL", 0) >= len(ended)
    finals = 0
    for uid in ended:
        mine = [e for e in events if getattr(e, "utterance_id", None) == uid]
        end_at = next(i for i, e in enumerate(mine) if isinstance(e, SpeechEnd))
        final_at = next((i for i, e in enumerate(mine)
                         if isinstance(e, TranscriptUpdate) and e.is_final), None)
        if final_at is None:  # no words (a dropped utterance): nothing may follow its end
            assert not any(isinstance(e, TranscriptUpdate) for e in mine[end_at + 1:])
            continue
        finals += 1
        assert end_at < final_at
        assert not any(isinstance(e, TranscriptUpdate) for e in mine[final_at + 1:])
        for e in mine[end_at + 1:final_at]:
            assert isinstance(e, TranscriptUpdate) and not e.is_final and e.text
    assert finals >= 2


def test_a_shed_partial_is_reported_not_lost_silently(recognizer: Recognizer) -> None:
    import dataclasses

    rec = Recognizer(dataclasses.replace(recognizer.config, max_partial_wait_s=0.0),
                     recognizer._fw, recognizer.vad, recognizer.model_path)
    try:
        x = np.zeros(16000, np.float32)
        with rec.engine._cond:  # both queued before the worker looks: the partial is stale
            partial = rec.engine.submit(rec.request(x, "fr", PassKind.PARTIAL))
            final = rec.engine.submit(rec.request(x, "fr", PassKind.FINAL))
        with pytest.raises(PassShed):
            partial.result(60)
        assert final.result(60).text == ""
        assert rec.engine.stats.shed_partials == 1
    finally:
        rec.close()


def test_a_red_flag_partial_is_never_shed(recognizer: Recognizer, speech: Callable[..., Path],
                                         red_flag_fr: str) -> None:
    """Overload sheds ordinary partials only: a closing partial and the partials of a call
    marked urgent (a red flag suspected) come back with their words, however long they
    queued, and a prioritized stream's partials are urgent ones."""
    import dataclasses

    x = load_file(speech(red_flag_fr, "fr"))
    rec = Recognizer(dataclasses.replace(recognizer.config, max_partial_wait_s=0.0),
                     recognizer._fw, recognizer.vad, recognizer.model_path)
    try:
        futures = rec.engine.submit_many([rec.request(x, "fr", kind) for kind in (
            PassKind.FINAL, PassKind.PARTIAL, PassKind.URGENT_PARTIAL,
            PassKind.CLOSING_PARTIAL)])  # all stale by the time the worker looks at them
        with pytest.raises(PassShed):
            futures[1].result(300)
        for f in (futures[0], futures[2], futures[3]):
            assert "poitrine" in f.result(300).text.lower()
        assert rec.engine.stats.shed_partials == 1

        rec.engine.reset_stats()
        stream = rec.stream("fr")
        stream.prioritize()
        stream.synchronous = True
        events = []
        for a in range(0, len(x), 1600):
            events += stream.feed(AudioChunk(x[a:a + 1600], a / 16000))
        events += stream.flush()
        kinds = rec.engine.stats.by_kind
        assert kinds.get("URGENT_PARTIAL", 0) >= 1 and "PARTIAL" not in kinds, kinds
        assert rec.engine.stats.shed_partials == 0
        assert any(isinstance(e, TranscriptUpdate) and not e.is_final for e in events)
    finally:
        rec.close()


def test_flush_without_waiting_hands_back_the_owed_passes(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """A caller that must not block a thread on the last final (the agent's shared pool)
    flushes without waiting, waits on ``pending_passes``, and gets the same final."""
    from concurrent.futures import wait

    full = load_file(speech(red_flag_fr, "fr"))
    x = full[:int(len(full) * 0.8)]  # the caller is still speaking when the audio ends

    def run(blocking: bool) -> list[str]:
        stream = recognizer.stream("fr")
        stream.synchronous = False
        events = []
        for a in range(0, len(x), 1600):
            events += stream.feed(AudioChunk(x[a:a + 1600], a / 16000))
        if blocking:
            events += stream.flush()
        else:
            progress = stream.engine_progress
            events += stream.flush(wait=False)
            owed = stream.pending_passes
            assert owed and stream.pending_finals >= 1
            wait(owed, timeout=300)
            events += stream.flush(wait=False)
            assert stream.engine_progress > progress and not stream.pending_passes
        assert stream.pending_finals == 0
        return [e.text for e in events if isinstance(e, TranscriptUpdate) and e.is_final]

    finals = run(blocking=False)
    assert finals and finals == run(blocking=True)


@pytest.mark.skipif(not (EXTERNAL / "manifest.jsonl").is_file(),
                    reason="no ../shared/external/audio here (evaluation data, not shipped)")
@pytest.mark.parametrize("name", ["fr_picovoice_cheetah_test_fr.wav",
                                  "en_openai_whisper_jfk.flac"])
def test_real_speech_is_transcribed_word_for_word_as_stock_whisper(
        recognizer: Recognizer, name: str) -> None:
    clip = next(c for c in real_clips(EXTERNAL) if c.file.name == name)
    x = load_file(clip.file)
    segments, _ = recognizer._fw.transcribe(x, language=clip.language)  # stock: beam 5, 30 s
    stock = " ".join(s.text.strip() for s in segments)
    ours = recognizer.transcribe(x, clip.language).text
    assert _norm_words(ours) == _norm_words(stock) == _norm_words(clip.transcript), (ours, stock)
    # And through the live path: cut into utterances at the speaker's pauses (JFK's clip: four),
    # a call's finals say the same words.
    finals = live_finals(recognizer.stream(clip.language), x)
    assert _norm_words(finals) == _norm_words(clip.transcript), finals


@pytest.mark.skipif(not (EXTERNAL / "manifest.jsonl").is_file(),
                    reason="no ../shared/external/audio here (evaluation data, not shipped)")
@pytest.mark.parametrize("phone", [False, True], ids=["16k", "8k_mulaw"])
def test_speech_after_long_line_noise_is_still_heard(recognizer: Recognizer, phone: bool) -> None:
    """A real clip says its sentence twice around ~28 s of line noise: the VAD must not drift
    off the second one (faster-whisper's whole-file VAD pass did: it came out once)."""
    from asr.audio import float_to_mulaw, mulaw_to_float, resample

    clip = next(c for c in real_clips(EXTERNAL)
                if c.file.name == "fr_whisper_timestamped_bonjour_vous_allez_bien.mp3")
    x = load_file(clip.file)
    if phone:
        x = mulaw_to_float(float_to_mulaw(resample(x, 16000, 8000)))
    spans = recognizer.speech_segments(x)
    assert len(spans) == 2 and spans[1][0] > 25 * 16000, spans
    text = _norm_words(recognizer.transcribe(x, "fr").text)
    assert text.count("bonjour") == 2, text


class _CountingModel:
    """The CTranslate2 model, counting encoder calls (the C++ object takes no attributes)."""

    def __init__(self, ct2: object) -> None:
        self._ct2 = ct2
        self.encoded = 0

    def encode(self, *args: object, **kwargs: object) -> object:
        self.encoded += 1
        return self._ct2.encode(*args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._ct2, name)


def _clips_for_sharing(speech: Callable[..., Path], red_flag_fr: str, red_flag_en: str
                       ) -> list[tuple[np.ndarray, str | None]]:
    clips: list[tuple[np.ndarray, str | None]] = [
        (load_file(speech(red_flag_fr, "fr")), "fr"),
        (load_file(speech(red_flag_fr, "fr", phone=True)), "fr"),
        (load_file(speech(red_flag_en, "en")), None)]  # language detected on the shared output
    clips += [(load_file(c.file)[:14 * 16000], c.language) for c in real_clips(EXTERNAL)
              if c.file.name in ("fr_picovoice_leopard_test_fr.wav",
                                 "en_openai_whisper_jfk.flac")]
    return clips


def test_a_final_on_its_closing_partials_encoder_output_decodes_the_same(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        red_flag_en: str) -> None:
    """The closing partial encodes its final's window once and the final reuses it: the final
    comes out as when it encodes alone (text, tokens, scores, word times), and the utterance
    costs one encoder pass instead of two."""
    import dataclasses

    from asr.engine import SharedEncoding, _Worker

    model = _CountingModel(recognizer._ct2)
    worker = _Worker(model, recognizer._fw)
    for x, lang in _clips_for_sharing(speech, red_flag_fr, red_flag_en):
        final = recognizer.request(x, lang, PassKind.FINAL)
        alone = recognizer._run_on(worker, [final])[0]
        encoding = SharedEncoding()
        final = dataclasses.replace(final, encoding=encoding)
        closing = dataclasses.replace(recognizer.request(x, lang, PassKind.CLOSING_PARTIAL),
                                      window_frames=final.window_frames, encoding=encoding)
        model.encoded = 0
        partial = recognizer._run_on(worker, [closing])[0]
        assert partial.text and model.encoded == 1
        shared = recognizer._run_on(worker, [final])[0]
        assert model.encoded == 1, "the final encoded its audio again"
        assert (shared.text, shared.tokens, shared.avg_logprob, shared.no_speech_prob,
                shared.words) == (alone.text, alone.tokens, alone.avg_logprob,
                                  alone.no_speech_prob, alone.words)
        assert shared.text
        assert encoding.get() is None  # released once the final has used it


def test_sharing_the_encoder_leaves_a_calls_finals_unchanged(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """Through the live path (speculative final + closing partial, through the engine): the
    same finals with the closing partial's encoder output shared as without, for fewer
    encoder passes. One worker: two workers may take the closing partial and its final at
    the same moment, and then both encode (same texts, no saving)."""
    import dataclasses

    from asr.engine import _Worker

    x = load_file(speech(red_flag_fr, "fr"))
    audio = np.concatenate([x, np.zeros(8000, np.float32), x[:40000],
                            np.zeros(16000, np.float32)])

    def finals(share: bool) -> tuple[list[str], int]:
        rec = Recognizer(dataclasses.replace(recognizer.config, workers=1,
                                             closing_shares_final_encoder=share),
                         recognizer._fw, recognizer.vad, recognizer.model_path)
        model = _CountingModel(recognizer._ct2)
        rec._main = _Worker(model, recognizer._fw)
        try:
            stream = rec.stream("fr")
            stream.partials = False  # closing partials and finals only
            events = []
            for a in range(0, len(audio), 1600):
                events += stream.feed(AudioChunk(audio[a:a + 1600], a / 16000))
            events += stream.flush()
            assert rec.engine.stats.by_kind.get("CLOSING_PARTIAL", 0) >= 2
        finally:
            rec.close()
        return [e.text for e in events if isinstance(e, TranscriptUpdate) and e.is_final], \
            model.encoded

    expected, encoded_alone = finals(False)
    assert len(expected) >= 2 and all(expected)
    texts, encoded_shared = finals(True)
    assert texts == expected
    assert encoded_shared < encoded_alone


def test_a_recording_transcribed_while_its_model_loads_reads_the_same(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """``permanence transcribe``'s path (the VAD runs while the model loads) gives the text and
    segments of a recognizer that was loaded first."""
    from asr import AudioFormatError, transcribe_recording

    gap = np.zeros(16000 * 3, np.float32)
    x = np.concatenate([gap, load_file(speech(red_flag_fr, "fr")), gap,
                        load_file(speech("Je voudrais un rendez-vous demain matin.", "fr"))])
    loaded_first = recognizer.transcribe(x, "fr")
    together = transcribe_recording(x, recognizer.config, "fr")
    assert len(loaded_first.segments) == 2
    assert together.segments == loaded_first.segments
    assert together.text == loaded_first.text
    with pytest.raises(AudioFormatError, match="non-empty mono"):
        transcribe_recording(np.zeros(0, np.float32), recognizer.config)
