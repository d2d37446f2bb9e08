"""PFU503: Python 3.6 in project metadata, CI, images and environments (manual)."""

from __future__ import annotations

import re
from typing import Iterator

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._pins import (
    admits_python36,
    ini_values,
    line_col,
    line_starts,
    poetry_to_pep440,
    toml_strings,
)
from prefect_upgrade.codemods.base import Example, TextCodemod
from prefect_upgrade.findings import FixClass

NEEDS = "Prefect 1.0 needs Python 3.7 or newer"

_PY36 = re.compile(r"(?<![\d.])3\.6(?:\.\d+|\.\*)?(?![\d])")
_DOCKER_PYTHON = re.compile(r"(?<![\w.-])(?:[\w.-]+/)*python:3\.6(?![\d])[\w.-]*")
_EXECUTABLE = re.compile(r"(?<![\w.-])python3\.6(?![\d.])")
_CONDA_PYTHON = re.compile(r"(?<![\w.-])python\s*={1,2}\s*3\.6(?![\d])[\w.*]*")
_PYENV = re.compile(r"\bpyenv\s+(?:install|global|local|shell)\s+(?:-\S+\s+)*(3\.6(?:\.\d+)?)(?![\d])")
_PYTHON_VARIABLE = re.compile(
    r"(?<![\w$])PY(?:THON)?_?VERSION(?:\s*(?::=|\?=|=|:)\s*|[ \t]+)[\"']?(3\.6(?:\.\d+)?)(?![\d])", re.IGNORECASE
)
_TOX_ENV = re.compile(r"(?<![\w])py36(?![\d])|py\{[^}]*\b36\b[^}]*\}")
_YAML_KEY = re.compile(
    r"^(?P<indent>\s*)(?:-\s+)?(?P<quote>[\"']?)(?P<key>python[-_]?versions?|python|PYTHON_VERSION|toxenv|TOXENV|envlist)(?P=quote)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)


@register
class Python36(TextCodemod):
    """Python 3.6 is reported where the project still asks for it (manual).

    Prefect 1.0 dropped Python 3.6 ("Drop support for Python 3.6" in the upgrade guide;
    ``python_requires=">=3.7"``). Nothing is rewritten, because moving a project to a newer
    Python is a decision to take by hand; each place is reported:

    - ``requires-python``/``python_requires`` (pyproject.toml, setup.cfg) and Poetry's
      ``python = "^3.6"`` when they admit 3.6; Pipfile ``python_version = "3.6"``;
      ``setup.py`` is PFU508;
    - CI: ``python-version: [3.6, 3.7]`` matrices, ``setup-python`` steps, Travis ``python:``,
      ``toxenv``; tox ``envlist`` entries ``py36`` / ``py{36,37}`` and ``python3.6`` executables;
    - images ``python:3.6…`` (Dockerfile ``FROM``, compose, CI ``image:``); conda
      ``python=3.6``; ``pyenv install 3.6.x``; ``ARG PYTHON_VERSION=3.6-slim`` and other
      ``PYTHON_VERSION``/``PY_VERSION`` variables set to 3.6.

    Decision: a codemod sees one file, so these are reported in every file given to the tool,
    whether or not the file itself mentions Prefect: the tool is run on a Prefect project, and
    any Python 3.6 left in it blocks the move to 1.0. Ignore the code (``--ignore PFU503``) or
    the file if a 3.6 environment there does not run Prefect.

    Before::

        requires-python = ">=3.6"

    After (unchanged, reported)::

        requires-python = ">=3.6"   # PFU503: raise it to >=3.7
    """

    code = "PFU503"
    summary = "Python 3.6 still admitted or used (Prefect 1.0 needs Python 3.7+)"
    fix_class = FixClass.MANUAL
    file_kinds = frozenset({"toml", "ini", "yaml", "dockerfile", "shell", "makefile", "dotenv"})
    markers = ("3.6", "py36", "{36")
    examples = (
        Example('[project]\nrequires-python = ">=3.7"\n', kind="toml"),
        Example("FROM python:3.8-slim\n", kind="dockerfile"),
        Example('[project]\nrequires-python = ">=3.6"\n', '[project]\nrequires-python = ">=3.6"\n', kind="toml"),  # reported (a manual finding): after == before
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        seen: set[int] = set()
        for offset, message in self._findings(text, kind):
            if offset in seen:
                continue
            seen.add(offset)
            line, col = line_col(text, offset)
            self.report(line, col, message, applied=False)
        return text

    def _findings(self, text: str, kind: str) -> Iterator[tuple[int, str]]:
        if kind == "toml":
            yield from self._toml(text)
        if kind == "ini":
            yield from self._ini(text)
        if kind == "yaml":
            yield from self._yaml(text)
        for match in _DOCKER_PYTHON.finditer(text):
            yield match.start(), f"{NEEDS}, and image {match.group(0)} is Python 3.6: use a Python 3.7+ image"
        if kind in ("yaml", "dockerfile", "shell", "makefile", "ini"):
            for match in _EXECUTABLE.finditer(text):
                yield match.start(), f"{NEEDS}, and this runs python3.6: use Python 3.7 or newer"
        if kind in ("yaml", "dockerfile", "shell", "makefile", "dotenv"):
            for match in _CONDA_PYTHON.finditer(text):
                yield match.start(), f"{NEEDS}, and this asks for {match.group(0)}: ask for Python 3.7 or newer"
            for match in _PYTHON_VARIABLE.finditer(text):
                yield match.start(1), f"{NEEDS}, and {match.group(0).split()[0].split('=')[0]} is {match.group(1)} here: use 3.7 or newer"
            for match in _PYENV.finditer(text):
                yield match.start(1), f"{NEEDS}, and pyenv installs {match.group(1)} here: use Python 3.7 or newer"

    def _toml(self, text: str) -> Iterator[tuple[int, str]]:
        for table, start, end, _quote, key in toml_strings(text):
            value = text[start:end]
            if key == "requires-python" and admits_python36([value]):
                yield start - 1, f"{NEEDS}, and requires-python {value!r} admits 3.6: raise it to >=3.7"
            elif key == "python" and table.startswith("tool.poetry") and admits_python36(poetry_to_pep440(value)):
                yield start - 1, f"{NEEDS}, and Poetry's python {value!r} admits 3.6: raise it to ^3.7 or newer"
            elif key in ("python_version", "python_full_version") and table == "requires" and _PY36.match(value):
                yield start - 1, f"{NEEDS}, and the Pipfile asks for Python {value}: ask for 3.7 or newer"

    def _ini(self, text: str) -> Iterator[tuple[int, str]]:
        for section, key, start, end in ini_values(text):
            value = text[start:end]
            if key == "python_requires" and admits_python36([value.split("#")[0].strip()]):
                yield start, f"{NEEDS}, and python_requires {value.strip()!r} admits 3.6: raise it to >=3.7"
            elif key == "envlist":
                for match in _TOX_ENV.finditer(value):
                    yield start + match.start(), f"{NEEDS}, and tox env {match.group(0)} runs Python 3.6: drop it"
            elif key == "basepython" and _PY36.search(value) and not _EXECUTABLE.search(value):
                yield start, f"{NEEDS}, and basepython is {value.strip()}: use Python 3.7 or newer"
        for match in re.finditer(r"^\[testenv:([^\]]*)\]", text, re.MULTILINE):
            env = _TOX_ENV.search(match.group(1))
            if env:
                yield match.start(1) + env.start(), f"{NEEDS}, and tox env {match.group(1)} runs Python 3.6: drop it"

    def _yaml(self, text: str) -> Iterator[tuple[int, str]]:
        lines = text.splitlines(keepends=True)
        offsets = line_starts(lines)
        for index, line in enumerate(lines):
            match = _YAML_KEY.match(line.rstrip("\r\n"))
            if not match:
                continue
            key = match.group("key").lower()
            value = re.sub(r"\s#.*$", "", match.group("value"))
            tox = key in ("toxenv", "envlist")
            pattern = _TOX_ENV if tox else _PY36
            what = "tox env" if tox else f"{match.group('key')}"
            if value.strip():
                for hit in pattern.finditer(value):
                    yield offsets[index] + match.start("value") + hit.start(), (
                        f"{NEEDS}, and {what} here asks for {hit.group(0)}: use Python 3.7 or newer"
                    )
                continue
            indent = len(match.group("indent"))
            for follow in range(index + 1, len(lines)):
                body = lines[follow].rstrip("\r\n")
                if not body.strip() or body.lstrip().startswith("#"):
                    continue
                item = re.match(r"^(\s*)-\s*(.*)$", body)
                if not item or len(item.group(1)) < indent:
                    break
                hit = pattern.search(re.sub(r"\s#.*$", "", item.group(2)))
                if hit:
                    yield offsets[follow] + item.start(2) + hit.start(), (
                        f"{NEEDS}, and {what} here lists {hit.group(0)}: use Python 3.7 or newer"
                    )
