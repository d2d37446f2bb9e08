"""``--from-version auto``: read the Prefect the code is written for from the project's pins.

The source version is decided **for each file** (``PerFileVersions``), from the Prefect pins
(and ``prefecthq/prefect`` image tags) in the dependency files nearest to it:

1. the file's folder;
2. the folders above it, up to the repository root (the nearest folder with ``.git``); with
   no repository above, up to the folder given on the command line that holds the file (for a
   file given by name: its own folder): the files that govern a folder's code are in it or in
   the project root above it, and a folder of several projects must not lend one project's pins
   to another;
3. only when nothing was found in 1-2 (a file under no pinned folder): the folders below that
   repository root (without one: below that given folder), nearest level first (at most three
   levels, skipping the folders discovery skips: virtualenvs, ``node_modules``, ``build`` ...),
   for a repository whose pins live in a subproject (``flows/requirements.txt``). Every folder
   of the nearest level holding a pin counts, so a file shared by a 0.13 and a 0.15 project
   of a monorepo is read the careful way (0.13), not by whichever project sorts first;
4. else the default, 0.15 (as with no pin at all).

The first folder (in that order) with a Prefect pin that has a constraint decides for that
file; so in a monorepo each project's files are read with that project's pins. A pin that
already admits Prefect 1.x (or 2.x) says nothing about 0.x: the search goes on up past it, and
when nothing older is found there the code is read as 0.13, the careful way (a folder pinned to
1.x does not borrow the pins of a sibling project below the repository root). Such a pin is most often
this tool's own rewrite, and a second run after ``--write`` must not apply a fix that the first
run (reading the old pin) left for a person: rows whose safety depends on the version are only
ever safer the newer the version. The answer (and the pins it read) is cached per
folder, so a run over thousands of files reads each folder's pins once, before any file of that
folder is rewritten. ``--from-version X`` (or ``from-version`` in the configuration) applies to
every file instead.

``detect_source_version(paths)`` gives one answer for some paths (a file's folder and the
folders above it as in 1-2; for a folder, also the folders below it as in 3): the oldest of what
each path gives. The run's summary names the version each group of files got, and where it was
read.

Files read: ``requirements*.txt``/``constraints*.txt`` (and ``.in``), ``pyproject.toml``,
``Pipfile``, ``setup.py``, ``setup.cfg``, ``tox.ini``, ``environment.y[a]ml``, Dockerfiles and
``docker-compose*.y[a]ml``.

Each pin gives the newest of 0.13/0.14/0.15 it admits (``==0.14.22`` -> 0.14,
``>=0.14,<0.16`` -> 0.15: that is what pip installs today); an image tag gives its own version.
When several pins in the deciding folder (or level) disagree, the oldest wins: rows whose safety
depends on the source version are then judged the careful way. Pins older than 0.13 give 0.13.
Default, when nothing is found: 0.15, with a reason saying so.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Optional, Sequence, Union


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


Evidence = tuple[str, str]

#: The reason given when no pin at all is found.
NO_PIN = f"no Prefect pin found near the given paths; assumed {DEFAULT}"


def _folder_evidence(folder: str) -> list[Evidence]:
    """Every Prefect pin or image (see ``_evidence_in_file``) in one folder's dependency files."""
    return [e for f in _files_in(Path(folder)) for e in _evidence_in_file(f)]


def _levels_below(folder: str) -> Iterator[list[str]]:
    """The folders below ``folder``, one level (sorted by name) at a time, at most ``_DEPTH``."""
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
                    following.append(entry.path)
        if not following:
            return
        yield following
        level = following


def _folders_above(folder: Path) -> list[Path]:
    above = []
    for parent in [folder, *folder.parents]:
        if parent != folder:
            above.append(parent)
        if (parent / ".git").exists():
            return above
    return []


def _old(evidence: list[Evidence]) -> list[Evidence]:
    return [e for e in evidence if e[0] != "1.x+"]


def _search(
    up: Iterable[str], below: Optional[str], evidence_of: Callable[[str], list[Evidence]]
) -> list[Evidence]:
    """The evidence that decides: the first folder of ``up`` holding a 0.x pin, else the first 1.x
    pin met there (a folder pinned to 1.x does not borrow a sibling's pins), else the nearest
    level below ``below`` holding a 0.x pin (all of that level), else the first 1.x pin there,
    else []."""
    fallback: list[Evidence] = []
    for folder in up:
        evidence = evidence_of(folder)
        old = _old(evidence)
        if old:
            return old
        if evidence and not fallback:
            fallback = evidence
    if fallback:
        return fallback
    if below is not None:
        old, first = _below(below, evidence_of)
        if old:
            return old
        fallback = fallback or first
    return fallback


def _below(anchor: str, evidence_of: Callable[[str], list[Evidence]]) -> tuple[list[Evidence], list[Evidence]]:
    """(the 0.x evidence of the nearest level below ``anchor`` holding any, the first 1.x evidence)."""
    fallback: list[Evidence] = []
    for level in _levels_below(anchor):
        evidence = [e for folder in level for e in evidence_of(folder)]
        old = _old(evidence)
        if old:
            return old, fallback
        if evidence and not fallback:
            fallback = evidence
    return [], fallback


def _verdict(evidence: list[Evidence]) -> tuple[str, str]:
    """The version that ``evidence`` (distinct items) gives, and a one-line reason."""
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
        # Most often this tool's own rewrite of the pins (a second run after --write): the 0.x
        # the code was written for is unknown, and the careful reading keeps the second run from
        # applying a fix that the first run left for a person.
        return _ORDER[0], (
            f"{evidence[0][1]} already admits Prefect 1.x or newer: the 0.x the code was written "
            f"for is unknown, read as {_ORDER[0]} (the careful way)"
        )
    return DEFAULT, NO_PIN


def _nearest_evidence(path: Path) -> list[Evidence]:
    path = Path(os.path.abspath(path))
    is_dir = path.is_dir()
    start = path if is_dir else path.parent
    up = [str(folder) for folder in [start, *_folders_above(start)]]
    return _search(up, str(start) if is_dir else None, _folder_evidence)


def detect_source_version(paths: Sequence[Union[str, Path]]) -> tuple[str, str]:
    """The Prefect version ("0.13", "0.14" or "0.15") the code under ``paths`` is written for,
    and a one-line reason naming the pin it was read from (one answer for all the paths)."""
    evidence: list[Evidence] = []
    for given in paths or [Path.cwd()]:
        for item in _nearest_evidence(Path(given)):
            if item not in evidence:
                evidence.append(item)
    return _verdict(evidence)


class Decision(NamedTuple):
    """The source version one file is read as, and why (a one-line reason)."""

    version: str
    reason: str


class PerFileVersions:
    """``--from-version auto`` for each file of a run over ``roots`` (the paths given on the
    command line): see the module docstring. ``for_file(path)`` answers from a cache per folder;
    the pins of a folder are read once, the first time a file of that folder (or below it, or
    one that looks below the same root) is asked about.

    The driver asks about every file before it is read (``RunSettings.for_path``), in the main
    process: a folder's pins are thus read before the run rewrites them (PFU501 does), and pool
    workers are handed the version with the file.
    """

    def __init__(self, roots: Sequence[Union[str, Path]]) -> None:
        self._roots: set[str] = set()
        for root in roots:
            absolute = os.path.abspath(root)
            self._roots.add(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
        self._evidence: dict[str, list[Evidence]] = {}
        self._below: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
        self._decided: dict[str, Decision] = {}
        self._repository: dict[str, bool] = {}

    def for_file(self, path: Union[str, Path]) -> Decision:
        absolute = os.path.abspath(path)
        folder = absolute if absolute in self._roots and os.path.isdir(absolute) else os.path.dirname(absolute)
        found = self._decided.get(folder)
        if found is None:
            found = self._decided[folder] = self._decide(folder)
        return found

    def _evidence_of(self, folder: str) -> list[Evidence]:
        found = self._evidence.get(folder)
        if found is None:
            found = self._evidence[folder] = _folder_evidence(folder)
        return found

    def _is_repository(self, folder: str) -> bool:
        found = self._repository.get(folder)
        if found is None:
            found = self._repository[folder] = os.path.exists(os.path.join(folder, ".git"))
        return found

    def _decide(self, folder: str) -> Decision:
        up: list[str] = []
        given: Optional[int] = None
        current = folder
        while True:
            up.append(current)
            if self._is_repository(current):
                break  # the repository root bounds the search
            if given is None and current in self._roots:
                given = len(up)
            parent = os.path.dirname(current)
            if parent == current:  # no repository above: the given folder bounds it
                up = up[:given] if given is not None else [folder]
                break
            current = parent
        anchor = up[-1]
        found = _search(up, None, self._evidence_of)
        if found:
            return Decision(*_verdict(found))
        below = self._below.get(anchor)
        if below is None:
            below = self._below[anchor] = _below(anchor, self._evidence_of)
        old, first = below
        if old:
            version, reason = _verdict(old)
            where = _shown(Path(anchor))
            where = "the working folder" if where == "." else where
            return Decision(version, f"no Prefect pin in the file's folder or above; below {where}, {reason}")
        return Decision(*_verdict(first))
