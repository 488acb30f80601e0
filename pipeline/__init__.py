"""Wires everything: settings, CLI, FastAPI service, dashboard, pipecat voice agent."""
