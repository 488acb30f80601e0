"""``permanence call AUDIO`` and ``permanence bench calls``: the voice agent, command line."""

from __future__ import annotations

import asyncio
import json
import math
import random
import resource
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

BENCH_SENTENCES = (
    "Bonjour, mon mari ne respire plus, il est inconscient.",
    "Allô, ma mère est tombée, elle ne répond plus.",
    "Bonjour, mon fils a avalé des médicaments.",
    "Bonjour, mon mari a le visage qui tombe et il n'arrive plus à parler.",
)
"""French red-flag callers (Kokoro test speech): each call must be handed off."""


def _format_event(event: dict[str, Any]) -> str:
    t, kind = event["t"], event["type"]
    detail = ""
    if "text" in event:
        detail = event["text"]
    elif kind == "classification":
        flags = ",".join(event["red_flags"]) or "-"
        sus = ",".join(event["suspected"])
        detail = f"{event['urgency']} {event['intent']} flags={flags}" + (
            f" suspected={sus}" if sus else "")
    elif kind == "handoff":
        detail = f"{event.get('action', event['kind'])} -> {event.get('target', '?')} " \
                 f"({event['reason']})"
    elif kind == "fault":
        detail = f"{event['component']}: {event['detail']}"
    elif "reason" in event:
        detail = str(event["reason"])
    return f"{t:8.2f}s  {kind:<19} {detail}"


def _load_runtime() -> Any:
    from pipeline.agent.runtime import AgentRuntime
    from pipeline.settings import get_settings

    return AgentRuntime.load(get_settings())


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    @app.command("call")
    def call(
        audio: Annotated[Path, typer.Argument(help="WAV/FLAC/MP3 recording of a caller.")],
        fast: Annotated[bool, typer.Option("--fast", help="As fast as possible.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        language: Annotated[str | None, typer.Option("--language", help="fr or en.")] = None,
        caller_number: Annotated[str | None, typer.Option(
            "--caller-number", help="E.164 number of the caller, if known.")] = None,
    ) -> None:
        """Stream a recording through the voice agent as a call and print its timeline.

        Each event has ``t``, seconds on the call's clock. Real-time pace by default (compute
        and queueing delays show); --fast keeps timestamps on the audio clock, so latencies
        then show algorithmic delay only. ``handoff_latency_s`` is the handoff time minus the
        end of the caller utterance that carried the decisive evidence: negative when a partial
        transcript raised it before the caller stopped talking, null without a handoff. The call
        goes through an in-memory hub (handoff policy, no database)."""
        from asr.audio import AudioFormatError
        from pipeline.agent.filecall import load_audio, run_file_call

        if language not in (None, "fr", "en"):
            raise typer.BadParameter(f"language {language!r}: expected fr or en")
        if not audio.is_file():
            raise typer.BadParameter(f"{audio} not found (expected a WAV, FLAC or MP3 file)")
        try:
            samples = load_audio(audio)  # before the models load: bad input fails fast
        except AudioFormatError as exc:
            raise typer.BadParameter(str(exc)) from None
        runtime = _load_runtime()

        async def main() -> dict[str, Any]:
            session = await run_file_call(runtime, audio, realtime=not fast, language=language,
                                          caller_number=caller_number, samples=samples)
            await runtime.hub.close()
            return session.report().to_json()

        timeline = asyncio.run(main())
        if as_json:
            typer.echo(json.dumps(timeline, ensure_ascii=False, indent=2))
            return
        typer.echo(f"call {timeline['call_id']}")
        for event in timeline["events"]:
            typer.echo(_format_event(event))
        d = timeline["decision"]
        typer.echo(f"decision: urgency={d['urgency']} red_flags={d['red_flags']} "
                   f"action={d['action']}")
        typer.echo(f"handoff latency: {timeline['handoff_latency_s']} s")

    @app.command("start")
    def start(host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="TCP port.")] = 8000) -> None:
        """Run the line: the service with the voice agent's engines loaded, and how to call it
        (browser page, Twilio webhook, a recording)."""
        import uvicorn

        from pipeline.service.app import create_app
        from pipeline.settings import get_settings

        settings = get_settings()
        app = create_app(settings)
        typer.echo("loading the voice agent (speech recognition, triage, voice)...", err=True)
        from pipeline.agent.runtime import AgentRuntime

        services = app.state.services
        app.state.agent_runtime = AgentRuntime.load(
            settings, hub=services.hub, practice=services.practice,
            classifier=services.classifier())
        base = f"http://{host}:{port}"
        typer.echo(
            f"\npermanence: {services.practice.name}\n"
            f"  call from a browser:  {base}/call   (microphone; https needed off localhost)\n"
            f"  dashboard:            {base}/      (first user: permanence users add NAME "
            "--role admin --password-stdin)\n"
            f"  phone (Twilio):       voice webhook -> https://PUBLIC-HOST/twilio/voice, "
            "media stream /ws/twilio\n"
            "  a recording:          permanence call caller.wav --fast\n")
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

    @bench_app.command("calls")
    def bench_calls(
        concurrency: Annotated[int, typer.Option(
            "--concurrency", "-n", help="Largest number of simultaneous calls to try.")] = 4,
        samples: Annotated[int, typer.Option(
            "--samples", help="At least this many calls per concurrency level.")] = 4,
        as_json: Annotated[bool, typer.Option("--json/--no-json", help="Print JSON.")] = True,
    ) -> None:
        """N simultaneous red-flag file calls at real-time pace, for N = 1, 2, 4, ... up to
        --concurrency: handoff latency p50/p95 (from the end of the decisive utterance),
        recognizer real-time factor, late frames, CPU and peak RSS; and the largest N whose p95
        stays under 1 s."""
        import psutil

        from models.tts import cached_speech
        from pipeline.agent.filecall import load_audio, stream_samples

        runtime = _load_runtime()
        audios = [load_audio(cached_speech(s, "fr")) for s in BENCH_SENTENCES]
        levels = sorted({n for n in (1, 2, 4, 6, 8, 12, 16) if n <= concurrency} | {concurrency})
        proc = psutil.Process()

        async def one(i: int) -> dict[str, Any]:
            await asyncio.sleep(random.Random(i).uniform(0.0, 1.0))  # calls do not start in step
            session = runtime.session(channel="bench", language="fr", realtime=True)
            await session.start()
            await stream_samples(session, audios[i % len(audios)], realtime=True)
            return {"latency": session.handoff_latency_s, "handed_off": session.handoff is not None,
                    "rtf": session.stats.recognizer_rtf, "late": session.stats.late_frames,
                    "frames": session.stats.frames_in, "backlog": session.stats.max_backlog_s,
                    "failed": session.fault.component if session.fault else None,
                    "shed": session.stats.shed}

        async def level(n: int) -> dict[str, Any]:
            waves = max(1, math.ceil(samples / n))
            results: list[dict[str, Any]] = []
            cpu0, wall0 = proc.cpu_times(), time.monotonic()
            for w in range(waves):
                results += await asyncio.gather(*(one(w * n + i) for i in range(n)))
            cpu1, wall = proc.cpu_times(), time.monotonic() - wall0
            lat = sorted(r["latency"] for r in results if r["latency"] is not None)
            return {
                "concurrency": n, "calls": len(results),
                "handed_off": sum(r["handed_off"] for r in results),
                "failed_over": sum(r["failed"] is not None for r in results),
                "handoff_latency_p50_s": _pct(lat, 50), "handoff_latency_p95_s": _pct(lat, 95),
                "handoff_latency_max_s": lat[-1] if lat else None,
                "recognizer_rtf_mean": round(sum(r["rtf"] for r in results) / len(results), 3),
                "late_frames": sum(r["late"] for r in results),
                "frames": sum(r["frames"] for r in results),
                "max_backlog_s": round(max(r["backlog"] for r in results), 3),
                "partials_shed": sum(r["shed"] for r in results),
                "cpu_percent": round(100 * ((cpu1.user + cpu1.system)
                                            - (cpu0.user + cpu0.system)) / wall, 1),
            }

        async def main() -> list[dict[str, Any]]:
            out = []
            for n in levels:
                out.append(await level(n))
                print(json.dumps(out[-1]), file=sys.stderr)
            await runtime.hub.close()
            return out

        results = asyncio.run(main())
        ok = [r["concurrency"] for r in results
              if r["handoff_latency_p95_s"] is not None and r["handoff_latency_p95_s"] < 1.0
              and r["handed_off"] == r["calls"]]
        report = {
            "benchmark": "calls",
            "note": "real-time pace; latency = handoff time - end of the decisive utterance "
                    "(negative: flagged from a partial before the caller stopped talking)",
            "cpu_count": psutil.cpu_count(), "levels": results,
            "max_concurrency_p95_under_1s": max(ok) if ok else 0,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        typer.echo(json.dumps(report, indent=2 if not as_json else None))


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = (len(values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 3)
