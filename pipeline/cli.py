"""The ``permanence`` command. Each package contributes its commands from its own ``cli``
module; this file only assembles them, so packages stay independent."""

from __future__ import annotations

import os

import typer

# Nothing in a call may reach the network: set before any model library is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

app = typer.Typer(
    name="permanence",
    help="On-premise AI-assisted voice triage line for medical practices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


bench_app = typer.Typer(
    help="Benchmarks: each prints JSON (never a timed test).", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


def _register() -> None:
    import importlib

    # Each package contributes its commands through `register(app, bench_app)`.
    for module_name in (
        "pipeline.commands.models",
        "pipeline.commands.asr",
        "pipeline.commands.classifier",
        "eval.cli",
        "pipeline.service_cli",
        "pipeline.agent_cli",
        "pipeline.agenda.cli",
        "pipeline.live.cli",
    ):
        importlib.import_module(module_name).register(app, bench_app)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
