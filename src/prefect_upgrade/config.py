"""Settings from ``[tool.prefect-upgrade]`` in the nearest ``pyproject.toml``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

KNOWN_KEYS = {"select", "ignore", "exclude", "per-file-ignores", "unsafe-fixes", "from-version", "jobs"}


class ConfigError(Exception):
    pass


@dataclass
class FileConfig:
    path: Optional[Path] = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    unsafe_fixes: Optional[bool] = None
    from_version: Optional[str] = None
    jobs: Optional[int] = None


def find_pyproject(paths: Sequence[Path]) -> Optional[Path]:
    """The ``pyproject.toml`` nearest above the first given path (or the current folder)."""
    start = Path(paths[0]) if paths and str(paths[0]) != "-" else Path.cwd()
    start = start.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _codes(value: object, key: str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    raise ConfigError(f"[tool.prefect-upgrade] {key} must be a list of strings")


def load_config(pyproject: Optional[Path]) -> FileConfig:
    if pyproject is None:
        return FileConfig()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read settings: {error}") from None
    table = data.get("tool", {}).get("prefect-upgrade")
    if table is None:
        return FileConfig()
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.prefect-upgrade] keys: {', '.join(sorted(unknown))}")
    config = FileConfig(path=pyproject)
    if "select" in table:
        config.select = _codes(table["select"], "select")
    if "ignore" in table:
        config.ignore = _codes(table["ignore"], "ignore")
    if "exclude" in table:
        config.exclude = _codes(table["exclude"], "exclude")
    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise ConfigError(f"{pyproject}: per-file-ignores must be a table of glob = [codes]")
        config.per_file_ignores = {glob: _codes(codes, "per-file-ignores") for glob, codes in value.items()}
    if "unsafe-fixes" in table:
        config.unsafe_fixes = bool(table["unsafe-fixes"])
    if "from-version" in table:
        config.from_version = str(table["from-version"])
    if "jobs" in table:
        config.jobs = int(table["jobs"])
    return config
