"""The real Whisper base recognizer on real synthesized speech (Kokoro test speech)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asr import AudioChunk, AudioFormatError, Recognizer, SpeechEnd, SpeechStart, TranscriptUpdate
from asr.audio import chunk_from_mulaw, float_to_mulaw, load_file

pytestmark = pytest.mark.slow


def fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in t if not unicodedata.combining(c))


def test_french_red_flag_sentence_keeps_its_key_words(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    tr = recognizer.transcribe_file(speech(red_flag_fr, "fr"), language="fr")
    assert "poitrine" in fold(tr.text) and "respirer" in fold(tr.text), tr.text
    assert tr.language == "fr"
    assert tr.segments and 0 <= tr.segments[0].start < tr.segments[-1].end <= tr.duration_s
    assert 0 < tr.rtf < 2


def test_english_is_detected_among_the_practice_languages(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_en: str) -> None:
    tr = recognizer.transcribe_file(speech(red_flag_en, "en"), language="auto")
    assert tr.language == "en"
    assert "fever" in tr.text.lower() and "seizure" in tr.text.lower(), tr.text


def _stream(recognizer: Recognizer, x: np.ndarray, sizes_ms: list[int], t0: float,
            chunker: Callable[..., list[tuple[int, int]]], language: str | None = "fr"
            ) -> list[object]:
    stream = recognizer.stream(language, t0=t0)
    stream.synchronous = True  # replayed as fast as possible: every pass awaited
    events: list[object] = []
    for a, b in chunker(x, sizes_ms):
        events += stream.feed(AudioChunk(x[a:b], t0 + a / 16000))
    events += stream.flush()
    return events


def test_streaming_partials_never_rewrite_confirmed_words_and_the_final_closes(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        chunker: Callable[..., list[tuple[int, int]]]) -> None:
    x = load_file(speech(red_flag_fr, "fr"))
    x = np.concatenate([np.zeros(8000, np.float32), x, np.zeros(16000, np.float32)])
    t0 = 100.0  # the call started 100 s ago: every time is on the call's clock
    events = _stream(recognizer, x, [20, 500, 100, 60, 250], t0, chunker)

    starts = [e for e in events if isinstance(e, SpeechStart)]
    ends = [e for e in events if isinstance(e, SpeechEnd)]
    updates = [e for e in events if isinstance(e, TranscriptUpdate)]
    partials = [u for u in updates if not u.is_final]
    finals = [u for u in updates if u.is_final]
    assert starts and len(starts) == len(ends)
    assert partials, "a partial must come while the caller is still speaking"
    assert "poitrine" in fold(" ".join(f.text for f in finals))
    for s, e in zip(starts, ends, strict=True):
        assert t0 + 0.3 <= s.t < e.t <= e.detected_at <= t0 + len(x) / 16000
    for uid in {u.utterance_id for u in updates}:
        seq = [u for u in updates if u.utterance_id == uid]
        final = [u for u in seq if u.is_final]
        assert len(final) == 1 and seq[-1].is_final
        partial_seq = [u for u in seq if not u.is_final]
        for a, b in zip(partial_seq, partial_seq[1:], strict=False):
            assert b.confirmed.startswith(a.confirmed), (a, b)
        # The final is a fresh stock-quality decode: it may correct partial words (documented).
        for u in seq:
            assert u.start >= t0 and u.emitted_at >= u.end - 1e-6 >= u.start
    words = [w for f in finals for w in f.words]
    assert words and all(t0 <= w.start <= w.end <= t0 + len(x) / 16000 + 0.5 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    # Events come in audio-clock order.
    clock = [getattr(e, "t", None) or getattr(e, "emitted_at", 0.0) for e in events]
    assert clock == sorted(clock)


def test_phone_mulaw_8k_audio_is_understood(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    path = speech(red_flag_fr, "fr", phone=True)
    info = sf.info(str(path))
    assert info.samplerate == 8000 and info.subtype == "ULAW"
    x8, _ = sf.read(str(path), dtype="float32")
    payload = float_to_mulaw(x8)  # exactly the bytes of the file's mu-law samples
    stream = recognizer.stream("fr")
    events: list[object] = []
    for i in range(0, len(payload), 160):  # 20 ms Twilio media frames
        events += stream.feed(chunk_from_mulaw(payload[i:i + 160], t0=i / 8000))
    events += stream.flush()
    text = " ".join(e.text for e in events if isinstance(e, TranscriptUpdate) and e.is_final)
    assert "poitrine" in fold(text), text


def test_non_speech_gives_no_text(recognizer: Recognizer, non_speech: tuple[str, np.ndarray],
                                  chunker: Callable[..., list[tuple[int, int]]]) -> None:
    name, x = non_speech
    tr = recognizer.transcribe(x, language="fr")
    assert tr.text == "", f"{name}: {tr.text!r}"
    events = _stream(recognizer, x, [100], 0.0, chunker)
    texts = [e.text for e in events if isinstance(e, TranscriptUpdate) and e.text]
    assert texts == [], f"{name}: {texts}"


def test_concurrent_calls_share_one_recognizer(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        red_flag_en: str) -> None:
    clips = [(load_file(speech(red_flag_fr, "fr")), "fr"),
             (load_file(speech(red_flag_en, "en")), "en")]
    alone = [recognizer.transcribe(x, lang).text for x, lang in clips]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda c: recognizer.transcribe(*c).text, clips * 2))
    assert together == alone * 2


def test_bad_input_gives_the_clear_error(recognizer: Recognizer, tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="expected"):
        recognizer.transcribe(np.zeros(0, np.float32))
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + bytes(300))
    with pytest.raises(AudioFormatError, match="expected"):
        recognizer.transcribe_file(broken)
    stream = recognizer.stream("fr")
    with pytest.raises(AudioFormatError, match="16000"):
        stream.feed(AudioChunk(np.zeros(160, np.float32), 0.0, sample_rate=8000))
    # The stream is still usable after a rejected chunk: nothing is lost.
    assert stream.feed(AudioChunk(np.zeros(1600, np.float32), 0.0)) == []


def test_transcribe_cli_json_shape(speech: Callable[..., Path], red_flag_fr: str) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["transcribe", str(speech(red_flag_fr, "fr")), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"text", "language", "duration_s", "rtf", "segments"}
    assert data["language"] == "fr" and "poitrine" in fold(data["text"])
    assert data["duration_s"] > 3 and data["rtf"] > 0
    assert all(set(s) == {"start", "end", "text"} for s in data["segments"])


def test_transcribe_cli_rejects_corrupt_audio(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    result = CliRunner().invoke(app, ["transcribe", str(bad), "--json"])
    assert result.exit_code == 2
    assert "expected" in result.output


def test_prompt_echo_is_kept_only_when_really_said(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str) -> None:
    """The triage prompt may leak into unclear audio as a verbatim run of it; a run that the
    caller really said ("il n'arrive plus à respirer" is in the prompt) must survive."""
    from asr.engine import TRIAGE_PROMPTS, prompt_echo

    assert len(prompt_echo("Chest pain, can't breathe, choking,", TRIAGE_PROMPTS["en"])) == 5
    assert len(prompt_echo("I would like an appointment", TRIAGE_PROMPTS["en"])) <= 1
    x = load_file(speech(red_flag_fr, "fr"))
    d = recognizer._decode(x, "fr", bias=True)
    assert "respirer" in fold(d.text), d


def test_numbers_said_alone_are_kept(recognizer: Recognizer,
                                    speech: Callable[..., Path]) -> None:
    """Whisper writes numbers as digits ("1-2-3"): an utterance of digits only (a phone number,
    an age) is speech, not a phantom phrase. The phantom rule dropped it (and the real clip
    "one two three")."""
    from asr.engine import is_phantom

    assert not is_phantom("06 12 34 56 78") and is_phantom("...") and is_phantom(" - ?")
    text = recognizer.transcribe(load_file(speech("one two three", "en")), "en").text
    assert sum(c.isdigit() for c in text) >= 2, text


def test_long_speech_is_cut_before_whisper_window_is_full(
        recognizer: Recognizer, speech: Callable[..., Path], red_flag_fr: str,
        chunker: Callable[..., list[tuple[int, int]]]) -> None:
    """A caller who never pauses still gets finals (and no 30 s window overflow)."""
    import dataclasses

    short = Recognizer(dataclasses.replace(recognizer.config, max_utterance_s=2.0),
                       recognizer._fw, recognizer.vad, recognizer.model_path)
    x = load_file(speech(red_flag_fr, "fr"))
    try:
        events = _stream(short, x, [200], 0.0, chunker)
    finally:
        short.close()
    starts = [e for e in events if isinstance(e, SpeechStart)]
    ends = [e for e in events if isinstance(e, SpeechEnd)]
    finals = [e for e in events if isinstance(e, TranscriptUpdate) and e.is_final]
    assert len(starts) == len(ends) >= 2
    assert all(e.t - s.t <= 2.0 + 0.1 for s, e in zip(starts, ends, strict=True))
    assert [s.utterance_id for s in starts] == sorted({s.utterance_id for s in starts})
    assert len(finals) >= 2 and any(f.text for f in finals)


def test_demo_prints_partials_then_finals() -> None:
    """``make run``'s demo: live transcript of a red-flag and a routine sentence."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["demo", "--fast"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    finals = [line for line in lines if "FINAL" in line]
    assert any("partial" in line for line in lines) and len(finals) >= 2
    assert "poitrine" in fold(" ".join(finals))
    assert lines.index(next(x for x in lines if "partial" in x)) < lines.index(finals[0])
