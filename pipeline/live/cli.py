"""`permanence bench fleet` (issue 10)."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    @bench_app.command("fleet")
    def bench_fleet(
        calls: Annotated[int, typer.Option(help="Simulated calls per level (1-2000).")] = 40,
        agents: Annotated[int, typer.Option(help="Levels 1..N agent processes (1-8).")] = 2,
        concurrency: Annotated[int, typer.Option(help="Calls in flight per agent.")] = 4,
        apis: Annotated[int, typer.Option(
            help="Then levels with 2..M API processes, a dashboard on each (1-4).")] = 1,
        postgres_url: Annotated[str | None, typer.Option(
            help="PostgreSQL; default: a throw-away local cluster.")] = None,
        redis_url: Annotated[str | None, typer.Option(
            help="Redis; default: a throw-away local redis-server.")] = None,
        timeout_s: Annotated[float, typer.Option(help="Longest time per level.")] = 120.0,
    ) -> None:
        """Simulated calls through 1..N agent processes and 1..M API processes on loopback:
        handoff latency p50/p95 (request to dashboard push), push fan-out latency, calls per
        second stored. Bounded in calls and time; every process is stopped at the end."""
        from pipeline.live.bench import run_fleet_bench

        try:
            result = run_fleet_bench(calls=calls, agents=agents, concurrency=concurrency,
                                     apis=apis, postgres_url=postgres_url, redis_url=redis_url,
                                     timeout_s=timeout_s)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        typer.echo(json.dumps(result, indent=2))
