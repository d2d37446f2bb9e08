"""Find the files to upgrade under the given paths and tell each one's kind.

Folders are walked with ``.gitignore`` files (nested ones too), default excludes and
``--exclude`` globs respected; a file named explicitly is always taken. Symlinked folders are not
followed, so a walk never leaves the given paths nor loops.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

if TYPE_CHECKING:  # imported when a .gitignore is met (see _IgnoreRules.load)
    import pathspec


DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",  # a folder named .env is a virtualenv; a file named .env is still read
    "env",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "build",
    "dist",
    "site-packages",
    ".prefect-venvs",
)

_SHELL_SHEBANG = re.compile(rb"^#![^\n]*\b(?:ba|z|da|k)?sh\b")
_PYTHON_SHEBANG = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")


@dataclass(frozen=True)
class Candidate:
    path: Path
    kind: Optional[str]
    explicit: bool


def kind_of(path: Path, sniff: bool = True) -> Optional[str]:
    """The kind of content ``path`` holds, by its name (and shebang), or None."""
    name = path.name
    lower = name.lower()
    suffix = path.suffix.lower()
    if suffix in (".py", ".pyi"):
        return "python"
    if suffix == ".ipynb":
        return "notebook"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".rst":
        return "rst"
    if suffix in (".sh", ".bash", ".zsh") or lower == ".envrc":
        return "shell"
    if suffix in (".tpl", ".tftpl") and lower[: -len(suffix)].endswith((".sh", ".bash")):
        return "shell"  # a Terraform templatefile() of a script: an instance's user data
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile.")) or suffix == ".dockerfile" or lower.endswith(".dockerfile"):
        return "dockerfile"
    if lower == "jenkinsfile" or lower.startswith("jenkinsfile.") or lower.endswith(".jenkinsfile"):
        return "jenkinsfile"
    if lower in ("makefile", "gnumakefile") or suffix == ".mk":
        return "makefile"
    if lower == ".env" or lower.startswith(".env.") or suffix == ".env":
        return "dotenv"
    if suffix == ".toml" or name == "Pipfile":
        return "toml"
    if suffix in (".ini", ".cfg", ".service") or (suffix == ".conf" and "supervisor" in path.as_posix().lower()):
        return "ini"
    if suffix in (".txt", ".in") and (
        lower.startswith(("requirements", "constraints")) or path.parent.name.lower() == "requirements"
    ):
        return "requirements"
    if sniff and not suffix:
        try:
            with open(path, "rb") as handle:
                head = handle.read(128)
        except OSError:
            return None
        if _SHELL_SHEBANG.match(head):
            return "shell"
        if _PYTHON_SHEBANG.match(head):
            return "python"
    return None


class _IgnoreRules:
    """``.gitignore`` files met on the way down, each applying below its own folder."""

    def __init__(self) -> None:
        self._specs: list[tuple[Path, pathspec.PathSpec]] = []

    def load(self, folder: Path) -> None:
        ignore_file = folder / ".gitignore"
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        import pathspec  # only where a .gitignore is met (not for files named one by one)

        self._specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))

    def leave(self, folder: Path) -> None:
        self._specs = [(base, spec) for base, spec in self._specs if base != folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        # As git does: the deepest .gitignore that says anything about the path decides, so a
        # nested "!pattern" can take back what a parent folder ignored.
        ignored = False
        for base, spec in self._specs:
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            verdict = spec.check_file(relative + "/" if is_dir else relative).include
            if verdict is not None:
                ignored = verdict
        return ignored


def _excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    name = path.name
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    for pattern in patterns:
        stripped = pattern.rstrip("/")
        if fnmatch.fnmatch(name, stripped) or fnmatch.fnmatch(relative, stripped):
            return True
        if fnmatch.fnmatch(relative, stripped + "/*"):
            return True
    return False


def _walk(root: Path, excludes: Sequence[str], rules: _IgnoreRules) -> Iterator[Path]:
    rules.load(root)
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        entries = []
    try:
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if is_link:
                # Never followed in a walk: a link may loop, or lead outside the given paths,
                # and the file it points to is reached on its own when it is inside them.
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDES or any(
                    fnmatch.fnmatch(entry.name, pattern) for pattern in DEFAULT_EXCLUDES if "*" in pattern
                ):
                    continue
                if _excluded(path, root, excludes) or rules.ignored(path, True):
                    continue
                yield from _walk(path, excludes, rules)
            else:
                if _excluded(path, root, excludes) or rules.ignored(path, False):
                    continue
                yield path
    finally:
        rules.leave(root)


def _repository_rules(folder: Path) -> _IgnoreRules:
    """The ``.gitignore`` files of the folders above ``folder``, up to the repository root."""
    rules = _IgnoreRules()
    parents = []
    for parent in folder.parents:
        parents.append(parent)
        if (parent / ".git").exists():
            break
    else:
        parents = []
    for parent in reversed(parents):
        rules.load(parent)
    return rules


def discover(paths: Sequence[Path], excludes: Sequence[str] = ()) -> Iterator[Candidate]:
    """Every file under ``paths`` worth looking at, each once, in a stable order."""
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            absolute = Path(os.path.abspath(given))
            rules = _repository_rules(absolute)
            for path in _walk(absolute, excludes, rules):
                kind = kind_of(path)
                if kind is None:
                    continue
                key = path.resolve()
                if key not in seen:
                    seen.add(key)
                    yield Candidate(given / path.relative_to(absolute), kind, explicit=False)
        else:
            key = given.resolve() if given.exists() else given
            if key not in seen:
                seen.add(key)
                yield Candidate(given, kind_of(given), explicit=True)
