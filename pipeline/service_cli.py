"""Service commands: serve, simulate, users, audit, retention, export, db, bench service."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.settings import get_settings


def _store():  # type: ignore[no-untyped-def]
    from pipeline.service.store import Store

    settings = get_settings()
    return Store(settings.effective_database_url, secrets_dir=settings.data_dir)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    users_app = typer.Typer(help="Dashboard and API users.", no_args_is_help=True)
    audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
    retention_app = typer.Typer(help="GDPR retention periods.", no_args_is_help=True)
    db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
    gdpr_app = typer.Typer(help="GDPR requests.", no_args_is_help=True)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
    app.add_typer(db_app, name="db")
    app.add_typer(gdpr_app, name="gdpr")

    @app.command()
    def serve(host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
              role: Annotated[str | None, typer.Option(
                  help="api (REST API, dashboard, push), agent (voice routes and engines) or "
                       "all (one process); default PERMANENCE_ROLE, else all.")] = None,
              ) -> None:
        """Run the service: API (docs at /docs), dashboard (/), push, voice-agent routes.
        Several processes share live state with PERMANENCE_REDIS_URL (deploy/README.md)."""
        import uvicorn

        from pipeline.service.app import create_app
        from pipeline.service.logsetup import configure_logging

        settings = get_settings()
        if role is not None:
            if role not in ("api", "agent", "all"):
                raise typer.BadParameter("expected api, agent or all", param_hint="--role")
            settings = settings.model_copy(update={"role": role})
        if settings.role != "all" and not settings.redis_url:
            typer.echo(f"warning: --role {settings.role} without PERMANENCE_REDIS_URL: this "
                       "process shares no live state with the others", err=True)
        configure_logging(settings.log_level)
        # Agenda (issue 9): the embedded CalDAV server (Radicale) starts with the service
        # unless the practice has its own (PERMANENCE_CALDAV_URL). With several processes
        # (a role other than all) one Radicale on one port cannot be everyone's: the operator
        # runs it once and sets PERMANENCE_CALDAV_URL (deploy/README.md).
        if settings.agenda.enabled and not settings.caldav_url and settings.role == "all":
            settings = settings.model_copy(update={"agenda": settings.agenda.model_copy(
                update={"embedded_caldav": True})})
        # A worker is ready once its voice engines are (issue 10): loaded at start-up.
        preload = settings.agent_preload and settings.role != "api"
        uvicorn.run(create_app(settings, preload_engines=preload), host=host, port=port,
                    log_level="warning",
                    access_log=False)

    @app.command()
    def simulate(
        texts: Annotated[list[str], typer.Argument(help="Caller turns, in order.")],
        language: Annotated[str, typer.Option("--language", "-l", help="fr or en.")] = "fr",
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Run a call without audio through classifier -> form -> escalation; stored and
        audited like a live call."""
        from pipeline.service.services import build_services
        from pipeline.service.simulate import simulate_call

        if language not in ("fr", "en"):
            raise typer.BadParameter("expected fr or en", param_hint="--language")
        services = build_services(get_settings())

        async def run() -> dict[str, object]:
            try:
                result = await simulate_call(services, language, texts)
                stored = await services.hub.flush(timeout_s=10.0)
            finally:
                await services.hub.close()
            return {"call_id": result.call_id, "handoff": result.handoff, "stored": stored,
                    "decision": result.decision.to_dict() if result.decision else None,
                    "classification": (result.classification.to_dict()
                                       if result.classification else None)}

        out = asyncio.run(run())
        if json_out:
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
            return
        d = out["decision"] or {}
        c = out["classification"]
        assert isinstance(d, dict)
        if isinstance(c, dict):
            typer.echo(f"call {out['call_id']}: urgency={c['urgency']} intent={c['intent']} "
                       f"red_flags={[h['category'] for h in c['red_flags']]}")
        else:
            typer.echo(f"call {out['call_id']}: classifier failed, handed to a human")
        if d:
            typer.echo(f"decision: {d['action']} -> {d['target']['name']}"
                       + (" (advise 15/112)" if d.get("advise_emergency_services") else ""))
            for reason in d.get("reasons", []):
                typer.echo(f"  - {reason}")

    @users_app.command("add")
    def users_add(
        name: Annotated[str, typer.Argument(help="Username.")],
        role: Annotated[str, typer.Option(help="tele_secretary, physician, data_analyst, admin")],
        password_stdin: Annotated[bool, typer.Option(
            "--password-stdin", help="Read the password from standard input.")] = False,
        practice: Annotated[list[str] | None, typer.Option(
            "--practice", help="A practice the user belongs to (repeat; none: every "
                               "practice). Ids from PERMANENCE_PRACTICES_FILE.")] = None,
    ) -> None:
        """Add a user (bootstraps the first admin)."""
        from pipeline.service.auth import Auth, Role, UserExists

        try:
            parsed = Role(role)
        except ValueError:
            raise typer.BadParameter(
                f"expected one of {', '.join(r.value for r in Role)}", param_hint="--role"
            ) from None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        auth = Auth(_store(), get_settings().token_ttl_s)
        try:
            auth.add_user(name, parsed, password)
            if practice:
                auth.set_practices(name, frozenset(practice), actor="cli")
        except (UserExists, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"user {name} added with role {parsed.value}"
                   + (f", practices {', '.join(sorted(practice))}" if practice else ""))

    @users_app.command("set")
    def users_set(
        name: Annotated[str, typer.Argument(help="Username.")],
        role: Annotated[str | None, typer.Option(help="New role.")] = None,
        deactivate: Annotated[bool, typer.Option(
            "--deactivate", help="End the user's sessions and refuse their logins.")] = False,
        activate: Annotated[bool, typer.Option("--activate", help="Reactivate.")] = False,
        password_stdin: Annotated[bool, typer.Option(
            "--password-stdin", help="Read a new password from standard input.")] = False,
        actor: Annotated[str, typer.Option(help="Who asked (audited).")] = "cli",
        practice: Annotated[list[str] | None, typer.Option(
            "--practice", help="The practices the user belongs to from now on (repeat).")
        ] = None,
        all_practices: Annotated[bool, typer.Option(
            "--all-practices", help="The user sees every practice again.")] = False,
    ) -> None:
        """Change a user's role, deactivate or reactivate them, set a new password, their
        practices (audited)."""
        from pipeline.service.auth import Auth, Role, UnknownUser

        parsed = None
        if role is not None:
            try:
                parsed = Role(role)
            except ValueError:
                raise typer.BadParameter(
                    f"expected one of {', '.join(r.value for r in Role)}", param_hint="--role"
                ) from None
        if deactivate and activate:
            raise typer.BadParameter("--activate or --deactivate, not both")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        active = False if deactivate else True if activate else None
        if practice and all_practices:
            raise typer.BadParameter("--practice or --all-practices, not both")
        if practice or all_practices:
            try:
                Auth(_store(), get_settings().token_ttl_s).set_practices(
                    name, frozenset(practice or ()), actor=actor)
            except UnknownUser:
                typer.echo(f"error: no user {name!r}", err=True)
                raise typer.Exit(1) from None
            typer.echo(f"user {name}: practices "
                       + (", ".join(sorted(practice)) if practice else "all"))
            if parsed is None and active is None and password is None:
                return
        if parsed is None and active is None and password is None:
            raise typer.BadParameter("nothing to change: --role, --deactivate, --activate, "
                                     "--password-stdin or --practice")
        try:
            _, new_role, now_active = Auth(_store(), get_settings().token_ttl_s).update_user(
                name, actor=actor, role=parsed, active=active, password=password)
        except UnknownUser:
            typer.echo(f"error: no user {name!r}", err=True)
            raise typer.Exit(1) from None
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"user {name}: {new_role.value}, {'active' if now_active else 'disabled'}")

    @users_app.command("list")
    def users_list() -> None:
        from pipeline.service.auth import Auth

        for username, role, active in Auth(_store(), 0).list_users():
            typer.echo(f"{username}\t{role.value}\t{'active' if active else 'disabled'}")

    @audit_app.command("verify")
    def audit_verify() -> None:
        """Check the hash chain; exit 1 and name the first broken entry."""
        result = _store().verify_audit()
        if result.ok:
            typer.echo(f"audit trail OK: {result.entries} entries")
            return
        typer.echo(f"audit trail BROKEN at entry {result.first_broken_seq}: {result.reason}",
                   err=True)
        raise typer.Exit(1)

    @audit_app.command("export")
    def audit_export(out: Annotated[Path, typer.Option("--out", "-o")] = Path("-")) -> None:
        """Audit trail as JSON Lines (verifiable offline)."""
        rows = _store().audit_entries()
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if str(out) == "-":
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")

    @retention_app.command("run")
    def retention_run() -> None:
        """Delete audio, transcripts and forms past their retention periods (audited)."""
        from pipeline.service.gdpr import run_retention

        s = get_settings()
        report = run_retention(_store(), audio_days=s.retention_audio_days,
                               transcript_days=s.retention_transcript_days,
                               form_days=s.retention_form_days, data_dir=s.data_dir)
        typer.echo(json.dumps(report.to_dict()))

    @gdpr_app.command("erase")
    def gdpr_erase(
        caller_number: Annotated[str | None, typer.Option(help="E.164 caller number.")] = None,
        call_id: Annotated[str | None, typer.Option(help="One call.")] = None,
        actor: Annotated[str, typer.Option(help="Who asked (audited).")] = "cli",
    ) -> None:
        """Erase a caller's data on request (audited)."""
        from pipeline.service.gdpr import erase

        if not caller_number and not call_id:
            raise typer.BadParameter("expected --caller-number or --call-id")
        ids = erase(_store(), actor, caller_number=caller_number, call_id=call_id,
                    data_dir=get_settings().data_dir)
        typer.echo(f"erased {len(ids)} call(s)")

    @app.command("export")
    def export(out: Annotated[Path, typer.Option("--out", "-o", help="JSONL file or -.")]
               = Path("-")) -> None:
        """Pseudonymized corrected calls in the LABELS.md JSONL format (for data teams)."""
        from pipeline.service.gdpr import export_corrected

        rows = export_corrected(_store(), "cli")
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if str(out) == "-":
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"{len(rows)} item(s) written to {out}", err=True)

    @db_app.command("upgrade")
    def db_upgrade(revision: str = "head") -> None:
        """Apply the shipped migrations."""
        from pipeline.service.db import upgrade

        upgrade(get_settings().effective_database_url, revision)
        typer.echo("database at " + revision)

    @bench_app.command("service")
    def bench_service(
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = True,
        calls: Annotated[int, typer.Option(help="Calls stored for the listing bench.")] = 10000,
        postgres_url: Annotated[str | None, typer.Option(
            help="PostgreSQL for the audit bench; default: a throw-away local cluster.")] = None,
        journal_writes: Annotated[int, typer.Option(help="Writes journaled, then replayed.")]
        = 5000,
    ) -> None:
        """Queue listing p95 with N calls stored, decision-to-dashboard push latency, audit
        append throughput (SQLite and PostgreSQL), journal append and replay speed, a transfer
        through a provider answering 503 then 200."""
        from pipeline.service.bench import run_bench

        result = run_bench(calls=calls, postgres_url=postgres_url,
                           journal_writes=journal_writes)
        typer.echo(json.dumps(result, indent=2 if not json_out else None))
