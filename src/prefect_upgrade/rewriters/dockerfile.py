"""Dockerfiles: the commands of ``RUN``, ``CMD`` and ``ENTRYPOINT`` (also after ``ONBUILD``, and
``HEALTHCHECK … CMD``).

- shell form (``RUN prefect register flow --file f.py \\``): the instruction's text after the
  keyword (and ``RUN``'s ``--mount=…``-style flags), continuation lines included, is handed to the
  shell codemods as it is (a ``\\`` continuation means the same to the shell);
- exec form (``CMD ["prefect", "agent", "local", "start"]``, on one line): the JSON array is one
  command line, split back into the array after the rewrite (unchanged items keep their text);
  in ``["sh", "-c", "…"]`` the script item is the shell text.

``ENV`` and ``ARG`` are left to codemods that take the whole Dockerfile (setting names). A
Dockerfile whose escape character is the backtick (``# escape=```), and heredocs
(``RUN <<EOF``), are left to those too.
"""

from __future__ import annotations

import json
import re
from typing import Optional

from prefect_upgrade.rewriters.embedded import EmbeddingRewriter, Fragment, Lines, argv_to_shell, shell_to_argv
from prefect_upgrade.rewriters.yaml import _parse_flow, _render_words, _script_positions

_INSTRUCTION = re.compile(
    r"^(?P<lead>[ \t]*(?:ONBUILD[ \t]+)?(?:HEALTHCHECK[ \t]+(?:--[a-z-]+=\S+[ \t]+)*)?)"
    r"(?P<name>RUN|CMD|ENTRYPOINT)(?=[ \t]|$)[ \t]*",
    re.I,
)
_RUN_FLAG = re.compile(r"--[a-z-]+(?:=(?:\"[^\"]*\"|'[^']*'|\S*))?[ \t]+")
_ESCAPE_DIRECTIVE = re.compile(r"^#[ \t]*escape[ \t]*=[ \t]*(\S)", re.I | re.M)


def _escape_char(text: str) -> str:
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _ESCAPE_DIRECTIVE.match(line)
        if match:
            return match.group(1)
    return "\\"


def continued(text: str, indent: str) -> Optional[str]:
    """A rewritten shell-form command as one instruction.

    Every line break must follow a ``\\`` or a comment line inside a continuation (Docker drops
    those); a comment put on the first line moves below a leading ``\\``. A line break between
    two commands has no Dockerfile form: None.
    """
    lines = text.split("\n")
    lead = False
    for position in range(1, len(lines)):
        previous = lines[position - 1]
        if previous.rstrip().endswith("\\"):
            continue
        if previous.lstrip().startswith("#"):
            lead = lead or position == 1
            continue
        return None
    if lead:
        return "\\\n" + "\n".join(line if line[:1] in (" ", "\t") or not line else indent + line for line in lines)
    return text


def _is_json_array(raw: str) -> bool:
    """Docker's test for the exec form: the arguments are a JSON array (else: shell form)."""
    joined = re.sub(r"\\\r?\n", "", raw)
    try:
        return isinstance(json.loads(joined), list)
    except ValueError:
        return False


class DockerfileRewriter(EmbeddingRewriter):
    kind = "dockerfile"
    embeds_shell = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        if _escape_char(text) != "\\":
            return []
        table = Lines(text)
        lines, starts = table.lines, table.starts
        fragments = []
        index = 0
        while index < len(lines):
            first = index
            # the logical instruction: lines joined by a trailing backslash
            while index < len(lines) and lines[index].rstrip("\r\n").rstrip().endswith("\\"):
                index += 1
            last = min(index, len(lines) - 1)
            index += 1
            content = lines[first].rstrip("\r\n")
            match = _INSTRUCTION.match(content)
            if match is None or content.lstrip().startswith("#"):
                continue
            column = match.end()
            if match.group("name").upper() == "RUN":
                while True:
                    flag = _RUN_FLAG.match(content, column)
                    if flag is None:
                        break
                    column = flag.end()
            start = starts[first] + column
            end = starts[last] + len(lines[last].rstrip("\r\n"))
            raw = text[start:end]
            if not raw.strip() or "<<" in raw.split("\n", 1)[0]:
                continue
            if raw.startswith("[") and _is_json_array(raw):
                if first != last:
                    continue
                fragments.extend(self._exec_form(content, column, starts[first], first + 1, match.group("name")))
                continue
            indent = " " * (len(match.group("lead")) + 4)
            fragments.append(
                Fragment(start, end, raw, first + 1, column, encode=lambda new, indent=indent: continued(new, indent))
            )
        return fragments

    def _exec_form(self, line: str, column: int, base: int, number: int, name: str) -> list[Fragment]:
        parsed = _parse_flow(line, column)
        if parsed is None:
            return []
        items, close = parsed
        raws = [line[start:end] for _, start, end in items]
        if line[close + 1 :].strip() or not all(raw.startswith('"') for raw in raws):
            return []
        try:
            words = json.loads(line[column : close + 1])
        except ValueError:
            return []
        if words != [value for value, _, _ in items]:
            return []

        def quote(value: str) -> Optional[str]:
            return None if "\n" in value else json.dumps(value, ensure_ascii=False)

        scripts = _script_positions(words, "command")
        if scripts:
            return [
                Fragment(base + items[p][1], base + items[p][2], words[p], number, items[p][1] + 1, encode=quote)
                for p in scripts
            ]
        separator = "," if len(items) > 1 and ", " not in line[items[0][1] : items[-1][2]] else ", "

        def encode(new_text: str) -> Optional[str]:
            new_words = shell_to_argv(new_text)
            if new_words is None:
                return None
            rendered = _render_words(words, raws, new_words, quoted=True, flow=True)
            return None if rendered is None else separator.join(rendered)

        start, end = items[0][1], items[-1][2]
        return [Fragment(base + start, base + end, argv_to_shell(words), number, start, encode=encode)]
