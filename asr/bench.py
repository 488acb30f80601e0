"""``permanence bench asr``: latency, cadence, RTF, memory and triage-term recall, as JSON.

Runs on a built-in synthesized FR+EN set (Kokoro test speech, see ``models.tts``). Streaming is
replayed at real-time pace (100 ms chunks fed when they would arrive on a live line), so
"end of speech -> final" includes any backlog the recognizer builds up, as in a real call.
"""

from __future__ import annotations

import dataclasses
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from asr.types import AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate


@dataclass(frozen=True)
class BenchItem:
    text: str
    language: str
    terms: tuple[str, ...]
    """Triage terms expected in the transcript (accent-insensitive substring match)."""
    red_flag: bool


BENCH_SET: tuple[BenchItem, ...] = (
    BenchItem("Bonjour, mon mari a très mal à la poitrine et il n'arrive plus à respirer.",
              "fr", ("poitrine", "respirer"), True),
    BenchItem("Mon bébé a beaucoup de fièvre depuis cette nuit et il convulse.",
              "fr", ("bebe", "fievre", "convulse"), True),
    BenchItem("Ma mère a la bouche de travers et elle n'arrive plus à parler.",
              "fr", ("bouche de travers", "parler"), True),
    BenchItem("Mon fils s'est coupé la main, il saigne beaucoup.",
              "fr", ("main", "saigne"), True),
    BenchItem("Mon père s'étouffe, il a avalé quelque chose.",
              "fr", ("etouffe", "avale"), True),
    BenchItem("J'ai une douleur dans le thorax qui descend dans le bras gauche.",
              "fr", ("thorax", "bras gauche"), True),
    BenchItem("Je voudrais un rendez-vous avec le docteur Martin la semaine prochaine.",
              "fr", ("rendez-vous", "docteur"), False),
    BenchItem("Est-ce que je peux renouveler mon ordonnance pour la tension ?",
              "fr", ("ordonnance", "tension"), False),
    BenchItem("Hello, my husband has crushing chest pain and he can't breathe.",
              "en", ("chest pain", "breathe"), True),
    BenchItem("My baby has a high fever and she is having a seizure.",
              "en", ("baby", "fever", "seizure"), True),
    BenchItem("His face is drooping on one side and he cannot lift his arm.",
              "en", ("face", "drooping", "arm"), True),
    BenchItem("I cut my leg and it is bleeding a lot.", "en", ("leg", "bleeding"), True),
    BenchItem("My son is choking, he swallowed a small toy.", "en", ("choking", "swallowed"),
              True),
    BenchItem("I would like to book an appointment for next Tuesday.",
              "en", ("appointment", "tuesday"), False),
)


def fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in t if not unicodedata.combining(c))


def term_hits(item: BenchItem, hypothesis: str) -> int:
    h = fold(hypothesis)
    return sum(1 for term in item.terms if fold(term) in h)


def ensure_clips(items: tuple[BenchItem, ...], phone: bool = False) -> list[Path]:
    """Synthesize (once, cached) in a child process so Kokoro's memory never counts in our RSS."""
    code = (
        "import json,sys\nfrom models.tts import cached_speech\n"
        "items=json.load(sys.stdin)\n"
        "print(json.dumps([str(cached_speech(t, l, phone=p)) for t, l, p in items]))\n"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps([[i.text, i.language, phone]
                                                        for i in items]),
        capture_output=True, text=True, check=True,
    ).stdout
    return [Path(p) for p in json.loads(out.strip().splitlines()[-1])]


def _speech_end(x: npt.NDArray[np.float32]) -> float:
    idx = np.nonzero(np.abs(x) > 0.02)[0]
    return float(idx[-1] + 1) / 16000 if idx.size else 0.0


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, q)), 3)


def stream_realtime(recognizer: Any, x: npt.NDArray[np.float32], language: str | None,
                    chunk_s: float = 0.1, tail_s: float = 1.0, pace: bool = True
                    ) -> dict[str, Any]:
    """Feed ``x`` + ``tail_s`` silence at real-time pace; return latency/cadence figures."""
    audio = np.concatenate([x, np.zeros(int(tail_s * 16000), np.float32)])
    step = int(chunk_s * 16000)
    stream = recognizer.stream(language)
    end_t = _speech_end(x)
    start = time.perf_counter()
    final_wall: float | None = None
    finals: dict[int, str] = {}
    confirmed: dict[int, list[str]] = {}
    marks: dict[int, list[float]] = {}  # per utterance: speech start, partials, speech end
    behind = 0.0

    def take(events: list[Any], now: float) -> None:
        nonlocal final_wall
        for e in events:
            if isinstance(e, SpeechStart | SpeechEnd):
                marks.setdefault(e.utterance_id, []).append(e.t)
            elif isinstance(e, TranscriptUpdate) and not e.is_final:
                marks.setdefault(e.utterance_id, []).append(e.emitted_at)
                confirmed.setdefault(e.utterance_id, []).append(e.confirmed)
            elif isinstance(e, TranscriptUpdate) and e.is_final:
                final_wall = now  # the last final of the clip closes its speech
                finals[e.utterance_id] = e.text

    for k, i in enumerate(range(0, len(audio), step)):
        arrival = (k + 1) * chunk_s  # this chunk is complete on the line at this time
        if pace:
            wait = start + arrival - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        events = stream.feed(AudioChunk(audio[i:i + step], i / 16000))
        now = time.perf_counter() - start
        behind = max(behind, now - arrival)
        take(events, now)
    take(stream.flush(), time.perf_counter() - start)
    gaps = [b - a for m in marks.values() for a, b in zip(m, m[1:], strict=False)]
    flicker = 0
    for uid, seq in confirmed.items():
        flicker += sum(1 for a, b in zip(seq, seq[1:], strict=False) if not b.startswith(a))
        flicker += sum(1 for c in seq if not finals.get(uid, "").startswith(c))
    latency = (final_wall - end_t) if final_wall is not None else None
    return {"latency": latency, "gaps": gaps, "final": " ".join(finals.values()),
            "flicker": flicker, "max_behind_s": behind}


def run_bench(recognizer: Any, *, pace: bool = True, sweep: bool = False) -> dict[str, Any]:
    import os

    from asr.audio import load_file
    from asr.engine import Recognizer

    items = BENCH_SET
    load_before = os.getloadavg()[0]
    pass_times: list[float] = []
    inner = recognizer._decode

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            pass_times.append(time.perf_counter() - t)

    recognizer._decode = timed  # per-instance: measures every Whisper pass of the bench
    clips = [load_file(p) for p in ensure_clips(items)]
    phone_clips = [load_file(p) for p in ensure_clips(items, phone=True)]
    total_audio = sum(len(c) for c in clips) / 16000

    # Streaming at real-time pace.
    latencies: list[float] = []
    gaps: list[float] = []
    behind: list[float] = []
    flicker = 0
    for item, x in zip(items, clips, strict=True):
        r = stream_realtime(recognizer, x, item.language, pace=pace)
        if r["latency"] is not None:
            latencies.append(r["latency"])
        gaps += r["gaps"]
        behind.append(r["max_behind_s"])
        flicker += r["flicker"]

    # Offline (whole clip) for RTF and biasing recall.
    def recall(rec: Any, bias: bool, audio: list[npt.NDArray[np.float32]]
               ) -> tuple[float, float, list[str]]:
        hits = total = 0
        wall = 0.0
        texts = []
        for item, x in zip(items, audio, strict=True):
            t = time.perf_counter()
            tr = rec.transcribe(x, item.language, bias=bias)
            wall += time.perf_counter() - t
            hits += term_hits(item, tr.text)
            total += len(item.terms)
            texts.append(tr.text)
        return hits / total, wall, texts

    import jiwer

    rec_b, wall_b, texts_b = recall(recognizer, True, clips)
    rec_nb, wall_nb, texts_nb = recall(recognizer, False, clips)
    rec_pb, _, texts_pb = recall(recognizer, True, phone_clips)
    rec_pnb, _, _ = recall(recognizer, False, phone_clips)

    def wer(texts: list[str]) -> float:
        norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                              jiwer.RemoveMultipleSpaces(), jiwer.Strip()])
        return round(float(jiwer.wer([norm(i.text) for i in items], [norm(t) for t in texts])),
                     3)

    del recognizer._decode
    report: dict[str, Any] = {
        "model": str(recognizer.model_path),
        "config": {k: (str(v) if isinstance(v, Path) else v)
                   for k, v in dataclasses.asdict(recognizer.config).items()},
        "clips": len(items),
        "audio_s": round(total_audio, 1),
        "paced_realtime": pace,
        "final_latency_s": {"p50": _pct(latencies, 50), "p95": _pct(latencies, 95),
                            "max": _pct(latencies, 100), "target_p95": 1.0},
        "partial_interval_s": {"p50": _pct(gaps, 50), "p95": _pct(gaps, 95),
                               "max": _pct(gaps, 100), "target_max": 1.2},
        "max_behind_realtime_s": _pct(behind, 100),
        "whisper_pass_s": {"p50": _pct(pass_times, 50), "p95": _pct(pass_times, 95),
                           "count": len(pass_times)},
        "confirmed_flicker": flicker,
        "rtf": round(wall_b / total_audio, 3),
        "rtf_target": 0.20,
        "wer": {"biased": wer(texts_b), "unbiased": wer(texts_nb), "phone_biased": wer(texts_pb)},
        "triage_term_recall": {"biased": round(rec_b, 3), "unbiased": round(rec_nb, 3),
                               "phone_biased": round(rec_pb, 3),
                               "phone_unbiased": round(rec_pnb, 3)},
        "transcripts": [{"ref": i.text, "hyp": t} for i, t in zip(items, texts_b, strict=True)],
    }
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["rss_target_mb"] = 1024
    if sweep:
        # Same loaded model, other decoding settings (offline, whole clips, biased).
        variants: dict[str, dict[str, Any]] = {
            "beam5": {"beam_size": 5},
            "window30s": {"min_window_s": 30.0},
            "min_window3s": {"min_window_s": 3.0},
            "no_word_timestamps": {"word_timestamps": False},
        }
        sweep_report: dict[str, Any] = {"chosen": {"rtf": report["rtf"],
                                                   "wer": report["wer"]["biased"],
                                                   "triage_term_recall": round(rec_b, 3)}}
        for name, change in variants.items():
            rec = Recognizer(dataclasses.replace(recognizer.config, **change), recognizer._fw,
                             recognizer.vad, recognizer.model_path)
            r_v, wall_v, texts_v = recall(rec, True, clips)
            sweep_report[name] = {"rtf": round(wall_v / total_audio, 3), "wer": wer(texts_v),
                                  "triage_term_recall": round(r_v, 3)}
        # Stock faster-whisper: 30 s padding, beam 5, temperature fallback, no prompt.
        wall_s = 0.0
        texts_s = []
        hits = 0
        for item, x in zip(items, clips, strict=True):
            t = time.perf_counter()
            segments, _ = recognizer._fw.transcribe(x, language=item.language)
            text = " ".join(seg.text.strip() for seg in segments)
            wall_s += time.perf_counter() - t
            texts_s.append(text)
            hits += term_hits(item, text)
        sweep_report["stock_faster_whisper"] = {
            "rtf": round(wall_s / total_audio, 3), "wer": wer(texts_s),
            "triage_term_recall": round(hits / sum(len(i.terms) for i in items), 3)}
        report["sweep"] = sweep_report
    report["load_average_1m"] = {"before": round(load_before, 2),
                                 "after": round(os.getloadavg()[0], 2),
                                 "cpu_count": os.cpu_count()}
    report["note"] = ("a load average above cpu_count means other work shared the CPU: "
                      "latency, RTF and pass times are then inflated")
    report["latency_mean_s"] = round(statistics.fmean(latencies), 3) if latencies else None
    return report
