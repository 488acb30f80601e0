"""``permanence call AUDIO`` and ``permanence bench calls``: the voice agent, command line."""

from __future__ import annotations

import asyncio
import json
import sys
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

LATE_RED_FLAG_CALLS: tuple[tuple[str, ...], ...] = (
    ("Bonjour, c'est pour mon mari.", "Il a une douleur dans la poitrine, il transpire."),
    ("Allô, c'est pour ma mère.", "Elle est tombée, elle ne répond plus."),
    ("Bonjour, je vous appelle pour mon fils.", "Il a avalé des médicaments de sa grand-mère."),
)
"""Calls whose red flag comes only in the second utterance (1.2 s after the first): the
handoff must come from that utterance, within 1 s of its end."""


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
        agenda: Annotated[bool, typer.Option(
            "--agenda/--no-agenda", help="Book, move, cancel in the practice's agenda "
            "(database and calendar from the settings).")] = True,
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
        if agenda:  # agenda (issue 9): appointments booked in the call reach the calendar
            from pipeline.agenda.service import standalone_agenda
            from pipeline.settings import get_settings

            try:
                runtime.agenda = standalone_agenda(get_settings(),
                                                   practice_name=runtime.practice.name)
            except Exception as exc:  # noqa: BLE001 - the call runs all the same
                typer.echo(f"agenda unavailable ({type(exc).__name__}: {exc}); appointment "
                           "requests stay a form field for a person", err=True)

        async def main() -> dict[str, Any]:
            if runtime.agenda is not None:
                await runtime.agenda.start()
            try:
                session = await run_file_call(runtime, audio, realtime=not fast,
                                              language=language, caller_number=caller_number,
                                              samples=samples)
                await runtime.hub.close()
                out: dict[str, Any] = session.report().to_json()
                if runtime.agenda is not None:
                    await runtime.agenda.drain()
                    report = await runtime.agenda.sync_now()
                    out["agenda"] = {**(session.agenda_outcome or {}),
                                     "calendar_error": report.error if report else None}
            finally:
                if runtime.agenda is not None:
                    await runtime.agenda.close()
            return out

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
        if (timeline.get("agenda") or {}).get("appointment"):
            a = timeline["agenda"]["appointment"]
            typer.echo(f"agenda: {timeline['agenda']['goal']} -> {a['status']} {a['start']} "
                       f"{a['practitioner']} ({a['id']})")

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
        app.state.agent_runtime.bind(services)  # agendas (issue 9), practices (issue 10)
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
        late_red_flags: Annotated[bool, typer.Option(
            "--late-red-flags/--no-late-red-flags",
            help="Also calls whose red flag is in the second utterance (one at a time).")] = True,
    ) -> None:
        """N simultaneous red-flag file calls at real-time pace, for N = 1, 2, 4, 8, 12, 16 up to
        --concurrency: handoff latency p50/p95 (from the end of the decisive utterance), final
        latency, partial gaps, late frames, shed partials, CPU and RSS per level; and the
        largest N whose p95 stays under 1 s."""
        import numpy as np

        from models.tts import cached_speech
        from pipeline.agent.filecall import load_audio
        from pipeline.commands.calls_bench import run_calls_curve

        audios = [load_audio(cached_speech(s, "fr")) for s in BENCH_SENTENCES]
        gap = np.zeros(int(1.2 * 16000), np.float32)
        late_audios = [np.concatenate([load_audio(cached_speech(call[0], "fr")), gap,
                                       load_audio(cached_speech(call[1], "fr"))])
                       for call in LATE_RED_FLAG_CALLS] if late_red_flags else []
        typer.echo(json.dumps(run_calls_curve(
            _load_runtime(), audios, max_concurrency=concurrency, samples=samples,
            late_audios=late_audios,
            on_level=lambda r: print(json.dumps(r), file=sys.stderr)),
            indent=2 if not as_json else None))


