"""`deploy/` says what the code does: every `permanence ...` command in the operator README, the
systemd units, the compose file and the Dockerfile parses with the real CLI (unknown commands or
options fail here, not on an operator's host), every ``PERMANENCE_*`` name they set is a real
setting, and the compose file holds together (services, dependencies, volumes, health checks).

Docker's daemon and its compose plugin are not available on this machine, so the images are
never built or started here: the compose file is checked by its structure (the subset of the
Compose specification it uses), not by `docker compose config`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
EXE = "/opt/permanence/.venv/bin/permanence"


class CliRefused(Exception):
    pass


def _parse(argv: list[str]) -> str:
    """Resolve and parse `permanence ARGV` with the real CLI without running it (``--help``
    is eager: it answers only once every command and option before it parsed; an unknown one
    exits 2). Returns the command's path ("serve", "db upgrade")."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, [*argv, "--help"],
                                env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    if result.exit_code != 0:
        raise CliRefused(f"permanence {shlex.join(argv)}: {result.output[-600:]}")
    usage = re.search(r"Usage: permanence ([a-z -]+?) \[OPTIONS\]", result.output)
    assert usage is not None, result.output
    return usage.group(1).strip()


def _setting_exists(env_name: str) -> bool:
    from pipeline.settings import Settings

    assert env_name.startswith("PERMANENCE_")
    parts = env_name.removeprefix("PERMANENCE_").lower().split("__")
    model: type[BaseModel] = Settings
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if i < len(parts) - 1:
            nested = field.annotation
            if not (isinstance(nested, type) and issubclass(nested, BaseModel)):
                return False
            model = nested
    return True


def _compose() -> dict[str, Any]:
    raw = yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # anchors and << merged
    assert isinstance(raw, dict)
    return raw


def _readme_commands() -> list[str]:
    text = (DEPLOY / "README.md").read_text()
    spans = re.findall(r"`(permanence [^`]+)`", text)
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    lines = [line.split("#")[0] for block in blocks for line in block.splitlines()]
    found = [" ".join(s.split()) for s in spans]
    found += [line.strip()[line.strip().index("permanence "):] for line in lines
              if re.search(r"(^|&& |\s)permanence ", line.strip())
              and not line.strip().startswith(("systemctl", "useradd", "install"))]
    return found


def test_the_readme_systemd_and_compose_commands_parse_with_the_real_cli():
    commands: dict[str, list[str]] = {}
    for line in _readme_commands():
        commands[f"README: {line}"] = shlex.split(line)[1:]
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                argv = shlex.split(line.removeprefix("ExecStart=").replace("%i", "8100"))
                assert argv[0] == EXE, f"{unit.name}: runs {argv[0]}, not the venv's permanence"
                commands[unit.name] = argv[1:]
    compose = _compose()
    for name, service in compose["services"].items():
        if service.get("image") == "permanence:latest":
            commands[f"compose {name}"] = list(service["command"])
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.M)
    assert cmd is not None and f'ENTRYPOINT ["{EXE}"]' in dockerfile
    commands["Dockerfile CMD"] = yaml.safe_load(cmd.group(1))
    for run in re.findall(r"\.venv/bin/permanence ([^\n&\\]+)", dockerfile):
        commands[f"Dockerfile RUN permanence {run}"] = shlex.split(run)

    parsed = {where: _parse(argv) for where, argv in commands.items()}
    # What the layout needs is there: both roles, migrations, user management.
    roles = {argv[argv.index("--role") + 1] for argv in commands.values()
             if argv[:1] == ["serve"]}
    assert {"api", "agent"} <= roles
    assert {"serve", "db upgrade", "users add", "models fetch"} <= set(parsed.values())
    assert parsed["permanence-migrate.service"] == "db upgrade"
    assert parsed["compose migrate"] == "db upgrade"


@pytest.mark.parametrize("bad", [["serve", "--role", "api", "--workers", "2"],
                                 ["db", "migrate"], ["serve", "--prot", "80"]])
def test_the_cli_check_refuses_what_the_cli_refuses(bad):
    with pytest.raises(CliRefused):
        _parse(bad)


def test_every_permanence_name_in_deploy_is_a_real_setting():
    names: set[str] = set()
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            names |= set(re.findall(r"\bPERMANENCE_[A-Z0-9_]*[A-Z0-9]", path.read_text()))
    assert {"PERMANENCE_DATABASE_URL", "PERMANENCE_REDIS_URL", "PERMANENCE_ROLE",
            "PERMANENCE_PRACTICES_FILE", "PERMANENCE_ESCALATION_LEASE_S"} <= names
    unknown = sorted(n for n in names if not _setting_exists(n))
    assert not unknown, f"deploy/ sets names Settings does not read: {unknown}"
    assert not _setting_exists("PERMANENCE_NO_SUCH_THING")
    assert _setting_exists("PERMANENCE_AGENDA__POLL_S")


def test_the_compose_file_holds_together():
    compose = _compose()
    assert set(compose) <= {"name", "services", "volumes", "networks", "secrets", "configs"} | {
        k for k in compose if k.startswith("x-")}
    services: dict[str, Any] = compose["services"]
    assert {"postgres", "redis", "migrate", "api", "agent", "lb"} <= set(services)
    volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        depends = service.get("depends_on") or {}
        for dependency, rule in (depends.items() if isinstance(depends, dict)
                                 else ((d, {}) for d in depends)):
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule.get("condition", "service_started") in {
                "service_started", "service_healthy", "service_completed_successfully"}
            if rule.get("condition") == "service_healthy":
                check = services[dependency].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), (
                    f"{name} waits for {dependency} to be healthy; it has no health check")
        for mount in service.get("volumes") or []:
            source = str(mount).split(":")[0]
            if not source.startswith(("/", ".")):
                assert source in volumes, f"{name} mounts undeclared volume {source}"
            elif source.startswith("./"):
                assert (DEPLOY / source).resolve().parent.exists(), (name, source)
        for key in service.get("environment") or {}:
            if key.startswith("PERMANENCE_"):
                assert _setting_exists(key), f"{name}: {key}"
    # The servers: PostgreSQL and Redis of the compose file, migrations first, readiness as
    # the health check (it waits for the engines of an agent).
    for role in ("api", "agent"):
        service = services[role]
        env = service["environment"]
        assert env["PERMANENCE_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in env["PERMANENCE_DATABASE_URL"]
        assert env["PERMANENCE_REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
        assert "--port" in service["command"] and "8000" in service["command"]
        # One journal per replica (never shared between processes).
        assert any(str(v) == "/var/lib/permanence/journal" for v in service["volumes"])
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "server api:8000" in nginx and "server agent:8000" in nginx
