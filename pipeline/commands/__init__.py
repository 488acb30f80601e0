"""CLI commands that read `pipeline.settings`: the composer maps settings onto each engine's
config here, so the engine packages (`asr`, `classifier`, `models`) never import `pipeline`.
Each module offers `register(app, bench_app)`, assembled by `pipeline/cli.py`."""
