"""``permanence agenda ...`` (export, find, sync) and ``permanence bench agenda``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.settings import Settings, get_settings

if TYPE_CHECKING:
    from pipeline.agenda.service import PracticeAgendaConfig

PracticeOption = Annotated[str | None, typer.Option(
    "--practice", metavar="ID",
    help="Several practices (PERMANENCE_PRACTICES_FILE): whose agenda, by its id in the "
         "practices file. Default: the file's default practice, else its first.")]


def _practice(settings: Settings, practice: str | None) -> PracticeAgendaConfig:
    """The chosen practice's agenda configuration, or a usage error that says what exists."""
    from pipeline.agenda.service import UnknownPractice, practice_agenda_config
    from pipeline.practices import PracticesFileError

    try:
        return practice_agenda_config(settings, practice)
    except UnknownPractice as exc:
        raise typer.BadParameter(str(exc), param_hint="--practice") from None
    except PracticesFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _sync_for(settings: Settings, practice: str | None):  # type: ignore[no-untyped-def]
    """A CalendarSync on the configured server: the practice's own, else the embedded one
    (started here for the command when `permanence serve` is not running it)."""
    from pipeline.agenda.caldav_sync import CalendarSync
    from pipeline.agenda.radicale import CalDavCredentials, EmbeddedRadicale
    from pipeline.agenda.store import AgendaStore
    from pipeline.service.store import Store

    chosen = _practice(settings, practice)
    store = AgendaStore(Store(settings.effective_database_url), chosen.config,
                        scoped=chosen.scoped)
    if settings.caldav_url:
        creds = CalDavCredentials(settings.caldav_url, settings.caldav_username or "",
                                  settings.caldav_password or "")
        return CalendarSync(store, creds, calendars=settings.agenda.calendars), None
    a = settings.agenda
    radicale = EmbeddedRadicale(settings.data_dir / "radicale", host=a.radicale_host,
                                port=a.radicale_port)
    import httpx

    try:
        httpx.get(f"http://{a.radicale_host}:{a.radicale_port}/", timeout=2.0)
        started = None
    except httpx.HTTPError:
        started = radicale.start()
    return CalendarSync(store, radicale.credentials, calendars=a.calendars), started


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    agenda_app = typer.Typer(help="The practice's agenda (appointments, CalDAV).",
                             no_args_is_help=True)
    app.add_typer(agenda_app, name="agenda")

    @agenda_app.command("export")
    def export(
        out: Annotated[Path, typer.Option("--out", "-o", help="File to write, or -.")] = Path("-"),
        ics: Annotated[bool, typer.Option("--ics", help="iCalendar (RFC 5545).")] = True,
        practice: PracticeOption = None,
    ) -> None:
        """The agenda as one iCalendar file, read back from the CalDAV server (what the
        practitioners' calendar apps see)."""
        if not ics:
            raise typer.BadParameter("only --ics is supported")
        sync, started = _sync_for(get_settings(), practice)
        try:
            text = sync.export_ics()
        except Exception as exc:  # noqa: BLE001 - say what to do
            typer.echo(f"error: the CalDAV server cannot be read ({type(exc).__name__}: {exc}); "
                       "check PERMANENCE_CALDAV_URL and its credentials", err=True)
            raise typer.Exit(1) from None
        finally:
            if started is not None:
                started.stop()
        if str(out) == "-":
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"{text.count('BEGIN:VEVENT')} event(s) written to {out}", err=True)

    @agenda_app.command("sync")
    def sync_once(practice: PracticeOption = None) -> None:
        """Push pending appointments to the calendars and pull their changes, once."""
        sync, started = _sync_for(get_settings(), practice)
        try:
            report = sync.run_once()
        finally:
            if started is not None:
                started.stop()
        typer.echo(json.dumps({"pushed": report.pushed, "failed": report.failed,
                               "pulled": report.pulled, "error": report.error}))
        if report.error:
            raise typer.Exit(1)

    @agenda_app.command("find")
    def find(words: Annotated[str, typer.Argument(help="What a caller says.")],
             language: Annotated[str, typer.Option("--language", "-l")] = "fr",
             count: Annotated[int, typer.Option(help="Slots to propose.")] = 2,
             practice: PracticeOption = None) -> None:
        """The slots the agent would offer for these words (read-only)."""
        from datetime import UTC, datetime

        from agenda import parse_slot_request, say_slot
        from pipeline.agenda.store import AgendaStore
        from pipeline.service.store import Store

        if language not in ("fr", "en"):
            raise typer.BadParameter("expected fr or en", param_hint="--language")
        settings = get_settings()
        chosen = _practice(settings, practice)
        config = chosen.config
        store = AgendaStore(Store(settings.effective_database_url), config, scoped=chosen.scoped)
        now = datetime.now(UTC)
        query = parse_slot_request(words, config, now, language)  # type: ignore[arg-type]
        slots = store.agenda.propose(query, now, store.busy_for_search(now, query.practitioner),
                                     count=count)
        offered = [{"start": s.start.isoformat(), "practitioner": s.practitioner,
                    "type": s.type, "say": say_slot(s, config, language)}  # type: ignore[arg-type]
                   for s in slots]
        typer.echo(json.dumps({"practice": chosen.practice_id, "query": query.describe(),
                               "slots": offered}, ensure_ascii=False, indent=2))

    @bench_app.command("agenda")
    def bench_agenda(
        searches: Annotated[int, typer.Option(help="Slot searches timed.")] = 200,
        bookings: Annotated[int, typer.Option(help="Sequential bookings timed.")] = 200,
        threads: Annotated[int, typer.Option(help="Concurrent bookers.")] = 8,
        attempts: Annotated[int, typer.Option(help="Booking attempts under contention.")] = 400,
        practice: PracticeOption = None,
    ) -> None:
        """Slot search and booking latency p50/p95, bookings per second under contention, and
        the one-winner check (20 bookers on one slot), on the chosen practice's agenda in a
        scratch database. Prints JSON."""
        from pipeline.agenda.bench import run_bench

        chosen = _practice(get_settings(), practice)
        typer.echo(json.dumps(run_bench(searches=searches, bookings=bookings, threads=threads,
                                        attempts=attempts, practice=chosen), indent=2))
