"""TOML files (``config.toml``, ``pyproject.toml``, ``Pipfile``): codemods of the ``toml`` kind get
the whole text; the commands of task runners go to the shell codemods.

Task tables whose string values are shell commands: ``[tool.taskipy.tasks]``, ``[tool.poe.tasks]``,
``[tool.pdm.scripts]``, ``[tool.rye.scripts]``, ``[tool.hatch.envs.NAME.scripts]``, Pipfile's
``[scripts]``. A value may be a string (``register = "prefect register flow --file f.py"``), an
inline table's ``cmd``/``shell`` string, or a one-line array of strings (one command each). Only
single-line strings are handed over (a basic string with escapes other than ``\\"``/``\\\\``, and
multi-line strings, are left alone); the rewritten command keeps its quotes.

``verify``: when ``tomllib`` (or ``tomli``) is available and the original parses, the result
must parse.
"""

from __future__ import annotations

import re
from typing import Optional

from prefect_upgrade.rewriters.embedded import EmbeddingRewriter, Fragment, Lines
from prefect_upgrade.rewriters.plain import verify_toml
from prefect_upgrade.rewriters.yaml import _scan_quoted

_TABLE = re.compile(r"^[ \t]*\[(?P<name>[^\[\]]+)\][ \t]*(?:#.*)?$")
_TASK_TABLES = re.compile(
    r"^(?:tool\.(?:taskipy\.tasks|poe\.tasks|pdm\.scripts|rye\.scripts|hatch\.envs\.[\w\"'.-]+\.scripts)|scripts)$"
)
_ENTRY = re.compile(r"^[ \t]*(?P<key>[\w\"'.-]+)[ \t]*=[ \t]*")
_INLINE_KEY = re.compile(r"(?:^|[{,])[ \t]*(?:cmd|shell)[ \t]*=[ \t]*")


def _basic(value: str) -> Optional[str]:
    if "\n" in value or any(ord(c) < 32 and c != "\t" for c in value):
        return None
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(value: str) -> Optional[str]:
    if "\n" in value or "'" in value:
        return None
    return "'" + value + "'"


class TomlRewriter(EmbeddingRewriter):
    kind = "toml"
    embeds_shell = True

    def verify(self, original: str, rewritten: str, path: str) -> None:
        verify_toml(original, rewritten)

    def shell_fragments(self, text: str) -> list[Fragment]:
        lines = Lines(text)
        fragments: list[Fragment] = []
        in_tasks = False
        for index in range(len(lines)):
            content = lines.content(index)
            table = _TABLE.match(content)
            if table:
                in_tasks = bool(_TASK_TABLES.match(table.group("name").strip().replace(" ", "")))
                continue
            if not in_tasks:
                continue
            entry = _ENTRY.match(content)
            if entry is None:
                continue
            column = entry.end()
            rest = content[column:]
            if rest.startswith(("'''", '"""')):
                continue
            if rest.startswith(("'", '"')):
                fragments.extend(self._string(lines, index, column))
            elif rest.startswith("{"):
                for match in _INLINE_KEY.finditer(content, column):
                    if content[match.end() : match.end() + 1] in ("'", '"'):
                        fragments.extend(self._string(lines, index, match.end()))
            elif rest.startswith("["):
                position = column + 1
                while position < len(content):
                    char = content[position]
                    if char in ("'", '"'):
                        found = self._string(lines, index, position)
                        if not found:
                            break
                        fragments.extend(found)
                        position = found[0].end - lines.starts[index]
                    elif char == "]" or char == "#":
                        break
                    else:
                        position += 1
        return fragments

    def _string(self, lines: Lines, index: int, column: int) -> list[Fragment]:
        content = lines.content(index)
        rest = content[column:]
        if rest.startswith(("'''", '"""')):
            return []
        scanned = _scan_quoted(rest)
        if scanned is None:
            return []
        length, value = scanned
        if rest[0] == "'" and "''" in rest[:length]:
            return []
        start = lines.starts[index] + column
        encode = _literal if rest[0] == "'" else _basic
        return [Fragment(start, start + length, value, index + 1, column + 1, encode=encode)]
