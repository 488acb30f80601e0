"""``permanence transcribe``, ``permanence demo`` and ``permanence bench asr``: the recognizer's
commands, here in the composer because they read ``pipeline.settings`` (``asr`` must not)."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from asr.engine import Recognizer, RecognizerConfig


class Language(StrEnum):
    fr = "fr"
    en = "en"
    auto = "auto"


DEMO_SENTENCES = (
    ("fr", "Bonjour, mon mari a très mal à la poitrine et il n'arrive plus à respirer."),
    ("fr", "Je voudrais un rendez-vous avec le docteur Martin la semaine prochaine."),
)


def _config(language: str | None = None) -> RecognizerConfig:
    from pipeline.engines import recognizer_config
    from pipeline.settings import get_settings

    settings = get_settings()
    if language is not None:
        settings = settings.model_copy(update={"language": language})
    return recognizer_config(settings)


def _recognizer(language: str | None = None) -> Recognizer:
    from asr import Recognizer

    return Recognizer.load(_config(language))


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    @app.command("transcribe")
    def transcribe(
        audio: Annotated[Path, typer.Argument(help="WAV, FLAC or MP3 file.")],
        language: Annotated[Language, typer.Option(help="fr, en, or auto (restricted to the "
                                                        "practice's languages).")] = Language.fr,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Transcribe a recording with the same recognizer a live call uses."""
        from asr import transcribe_recording
        from asr.audio import AudioFormatError, load_file

        try:
            samples = load_file(audio)
        except AudioFormatError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        # One file: no warm-up, no urgent lane, the model loading while the VAD runs.
        tr = transcribe_recording(samples, _config(language.value),
                                  None if language is Language.auto else language.value)
        if as_json:
            typer.echo(json.dumps({
                "text": tr.text, "language": tr.language,
                "duration_s": round(tr.duration_s, 3), "rtf": round(tr.rtf, 4),
                "segments": [{"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text}
                             for s in tr.segments],
            }, ensure_ascii=False))
        else:
            for s in tr.segments:
                typer.echo(f"[{s.start:7.2f} -> {s.end:7.2f}] {s.text}")
            typer.echo(f"({tr.language}, {tr.duration_s:.1f} s, RTF {tr.rtf:.2f})", err=True)

    @app.command("demo")
    def demo(
        fast: Annotated[bool, typer.Option(help="Feed audio as fast as possible.")] = False,
    ) -> None:
        """Speak a French red-flag sentence and a routine one into the streaming recognizer
        (100 ms chunks at real-time pace) and print the live transcript."""
        import numpy as np

        from asr.audio import load_file
        from asr.bench import BenchItem, ensure_clips
        from asr.types import AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate

        items = tuple(BenchItem(text, lang, (), False) for lang, text in DEMO_SENTENCES)
        typer.echo("synthesizing test speech (cached after the first run)...")
        clips = [load_file(p) for p in ensure_clips(items)]
        rec = _recognizer()
        gap = np.zeros(16000, np.float32)
        audio = np.concatenate([x for c in clips for x in (c, gap)])
        stream = rec.stream("fr")
        stream.synchronous = fast  # --fast: each pass awaited, the same output on any machine
        step = 1600
        start = time.perf_counter()
        for k, i in enumerate(range(0, len(audio), step)):
            if not fast:
                time.sleep(max(0.0, start + (k + 1) * 0.1 - time.perf_counter()))
            events = stream.feed(AudioChunk(audio[i:i + step], i / 16000))
            if k == (len(audio) - 1) // step:
                events += stream.flush()
            for e in events:
                if isinstance(e, SpeechStart):
                    typer.echo(f"{e.t:6.2f}s  [speech start #{e.utterance_id}]")
                elif isinstance(e, SpeechEnd):
                    typer.echo(f"{e.t:6.2f}s  [speech end #{e.utterance_id}, detected "
                               f"{e.detected_at:.2f}s]")
                elif isinstance(e, TranscriptUpdate):
                    wall = time.perf_counter() - start
                    if e.is_final:
                        typer.echo(f"{e.emitted_at:6.2f}s  FINAL   {e.text}   "
                                   f"(shown at {wall:.2f}s wall)")
                    else:
                        typer.echo(f"{e.emitted_at:6.2f}s  partial {e.confirmed} "
                                   f"\u2039{e.pending}\u203a")
                sys.stdout.flush()

    @bench_app.command("asr")
    def bench_asr(
        as_json: Annotated[bool, typer.Option("--json", help="Only the JSON.")] = False,
        no_pace: Annotated[bool, typer.Option("--no-pace", help="Stream as fast as possible "
                                              "(latency then excludes waiting for audio).")
                           ] = False,
        sweep: Annotated[bool, typer.Option(help="Also measure each decoding shortcut of the "
                                                  "finals alone (greedy, 5 s / 30 s window, "
                                                  "prompt, short lead).")] = False,
        real_speech: Annotated[Path | None, typer.Option(
            "--real-speech", help="Folder of real clips with manifest.jsonl (default: "
                                  "../shared/external/audio when present; skipped when absent).")
                               ] = None,
    ) -> None:
        """RTF, end-of-speech->final latency, partial cadence, peak RSS, triage-term recall on
        the synthesized set; on real speech, WER of the recognizer and of plain faster-whisper
        (same clips, same run) and the whole-file wall-time ratio."""
        from asr.bench import run_bench

        folder = real_speech
        if folder is None:
            default = Path("..") / "shared" / "external" / "audio"
            folder = default if (default / "manifest.jsonl").is_file() else None
        elif not (folder / "manifest.jsonl").is_file():
            raise typer.BadParameter(f"{folder}: no manifest.jsonl (expected the external "
                                     "audio folder)")
        report = run_bench(_recognizer(), pace=not no_pace, sweep=sweep, external=folder)
        if folder is None:
            report["real_speech"] = {"skipped": "no ../shared/external/audio here"}
        if not as_json:
            typer.echo("ASR benchmark (synthesized FR+EN set, real clips when present):",
                       err=True)
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
