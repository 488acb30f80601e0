"""Every model the application provisions, behind one small protocol, so that
``permanence models fetch|status`` covers them all and each package adds its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelStatus:
    name: str
    present: bool
    path: Path | None
    detail: str
    """Size/hash check result, or what to install when the source package is missing."""


@dataclass(frozen=True)
class Provisioner:
    name: str
    ensure: Callable[[Path], Path]
    """Assemble into the cache dir if needed (idempotent); return the model folder."""
    status: Callable[[Path], ModelStatus]


_PROVISIONERS: dict[str, Provisioner] = {}


def register(provisioner: Provisioner) -> None:
    _PROVISIONERS[provisioner.name] = provisioner


def provisioners() -> list[Provisioner]:
    """All registered provisioners (importing the modules that define them first)."""
    import importlib

    for module in ("models.whisper", "models.e5"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return list(_PROVISIONERS.values())


class ModelPackageMissing(RuntimeError):
    """A model's source package is not installed; the message names the package."""
