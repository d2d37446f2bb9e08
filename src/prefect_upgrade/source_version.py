"""``--from-version auto``: read the Prefect the code is written for from the project's pins.

``detect_source_version(paths)`` looks for Prefect pins (and ``prefecthq/prefect`` image tags)
in the dependency files nearest to each given path:

1. the folder itself (for a file: the folder holding it);
2. the folders above it, up to the repository root (the first folder with ``.git``); with no
   repository above, nothing above is read: the files that govern a folder's code are in it
   or in the project root above it;
3. for a folder, only when nothing was found in 1-2: the folders below it, nearest first (at
   most three levels, skipping the folders discovery skips: virtualenvs, ``node_modules``,
   ``build`` ...), for a repository whose pins live in a subproject (``flows/requirements.txt``).

The first folder (in that order) with a Prefect pin that has a constraint decides for that path.
Files read: ``requirements*.txt``/``constraints*.txt`` (and ``.in``), ``pyproject.toml``,
``Pipfile``, ``setup.py``, ``setup.cfg``, ``tox.ini``, ``environment.y[a]ml``, Dockerfiles and
``docker-compose*.y[a]ml``.

Each pin gives the newest of 0.13/0.14/0.15 it admits (``==0.14.22`` -> 0.14,
``>=0.14,<0.16`` -> 0.15: that is what pip installs today); an image tag gives its own version.
When several pins (or several paths) disagree, the oldest wins: rows whose safety depends on
the source version are then judged the careful way. Pins older than 0.13 give 0.13. Pins that
already admit 1.x (or 2.x) say nothing about 0.x and give the default. Default, when nothing
is found: 0.15, with a reason saying so.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union


DEFAULT = "0.15"
_ORDER = ("0.13", "0.14", "0.15")
_MAX_BYTES = 1_000_000
_DEPTH = 3
_SKIP_DIRS = {
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", ".tox", ".nox", ".eggs", "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "build", "dist",
    "site-packages", ".prefect-venvs",
}


def _kind(path: Path) -> Optional[str]:
    name = path.name
    lower = name.lower()
    if re.match(r"^(requirements|constraints)[\w.-]*\.(txt|in)$", lower):
        return "requirements"
    if name in ("pyproject.toml", "Pipfile"):
        return "toml"
    if name == "setup.py":
        return "setup.py"
    if name in ("setup.cfg", "tox.ini"):
        return "ini"
    if re.match(r"^(environment|conda|docker-compose|compose)[\w.-]*\.ya?ml$", lower):
        return "yaml"
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return "dockerfile"
    return None


_PY_STRING = re.compile(r"""(?P<q>["'])(?P<value>[^"'\\\n]*)(?P=q)""")


def _evidence_in_file(path: Path) -> list[tuple[str, str]]:
    """(source version or "1.x+", description) for every Prefect pin or image in one file."""
    kind = _kind(path)
    if kind is None:
        return []
    try:
        if path.stat().st_size > _MAX_BYTES:
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    # Imported here, for the first file that may hold a pin (start-up stays light without one).
    from prefect_upgrade.codemods._images import image_refs
    from prefect_upgrade.codemods._pins import admitted_minors, find_pins, parse_requirement

    found: list[tuple[str, str]] = []
    if kind == "setup.py":
        pins = []
        for match in _PY_STRING.finditer(text):
            pin = parse_requirement(match.group("value"))
            if pin is not None:
                pins.append(pin)
    else:
        pins = find_pins(text, kind)
    for pin in pins:
        if pin.blocker or not pin.constraint.strip():
            continue
        minors = admitted_minors(pin.alternatives)
        described = f"{pin.requirement.strip()} in {_shown(path)}"
        if not minors:
            if pin.verdict == "keep":
                found.append(("1.x+", described))
            continue
        newest = [m for m in minors if m in _ORDER]
        if newest:
            version = newest[-1]
            if len(minors) > 1:
                described += f" (admits up to {version})"
            found.append((version, described))
        else:
            found.append(("0.13", described + " (older than 0.13; using 0.13)"))
    if kind in ("dockerfile", "yaml"):
        for ref in image_refs(text):
            if ref.old_version:
                minor = ".".join(ref.old_version.split(".")[:2])
                version = minor if minor in _ORDER else ("0.13" if minor < "0.13" else DEFAULT)
                found.append((version, f"image {ref.image} in {_shown(path)}"))
    return found


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _files_in(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [Path(e.path) for e in entries if e.is_file(follow_symlinks=False) and _kind(Path(e.name))]


def _folders_below(folder: Path) -> Iterable[Path]:
    level = [folder]
    for _ in range(_DEPTH):
        following = []
        for parent in level:
            try:
                entries = sorted(os.scandir(parent), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name not in _SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    following.append(Path(entry.path))
        yield from following
        level = following


def _folders_above(folder: Path) -> list[Path]:
    above = []
    for parent in [folder, *folder.parents]:
        if parent != folder:
            above.append(parent)
        if (parent / ".git").exists():
            return above
    return []


def _nearest_evidence(path: Path) -> list[tuple[str, str]]:
    path = Path(os.path.abspath(path))
    is_dir = path.is_dir()
    start = path if is_dir else path.parent
    order: list[Path] = [start, *_folders_above(start)]
    if is_dir:
        order.extend(_folders_below(start))
    fallback: list[tuple[str, str]] = []
    for folder in order:
        evidence = [e for f in _files_in(folder) for e in _evidence_in_file(f)]
        old = [e for e in evidence if e[0] != "1.x+"]
        if old:
            return old
        if evidence and not fallback:
            fallback = evidence
    return fallback


def detect_source_version(paths: Sequence[Union[str, Path]]) -> tuple[str, str]:
    """The Prefect version ("0.13", "0.14" or "0.15") the code under ``paths`` is written for,
    and a one-line reason naming the pin it was read from."""
    evidence: list[tuple[str, str]] = []
    for given in paths or [Path.cwd()]:
        for item in _nearest_evidence(Path(given)):
            if item not in evidence:
                evidence.append(item)
    old = [e for e in evidence if e[0] in _ORDER]
    if old:
        version = min(old, key=lambda e: _ORDER.index(e[0]))[0]
        sources = [d for v, d in old if v == version]
        others = sorted({v for v, _ in old if v != version})
        reason = f"read from {sources[0]}"
        if len(sources) > 1:
            reason += f" (and {len(sources) - 1} more)"
        if others:
            reason += f"; other pins admit {', '.join(others)}, the oldest wins"
        return version, reason
    if evidence:
        return DEFAULT, f"{evidence[0][1]} already admits Prefect 1.x or newer; assumed {DEFAULT}"
    return DEFAULT, f"no Prefect pin found near the given paths; assumed {DEFAULT}"
