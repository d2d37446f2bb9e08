"""INI files (``tox.ini``, ``setup.cfg`` …): codemods for the ``ini`` kind get the whole text, and
the commands of tox environments go to the shell codemods.

In sections ``[testenv]``, ``[testenv:NAME]`` (and ``[testenv…]`` in ``setup.cfg``/``[tox:…]``),
the values of ``commands``, ``commands_pre`` and ``commands_post`` hold one command per line (the
first after ``=``, the rest on indented continuation lines); each command, with its ``\\``
continuations, is handed over on its own, without tox's ``-``/``!`` prefix. tox substitutions
(``{posargs}``, ``{envpython}``) reach the codemods as they are. A command that a codemod turns
into several lines keeps tox's layout: the new lines get the continuation's indentation.

The ``ExecStart=``/``ExecStartPre=`` … commands of systemd units (``*.service``) and the
``command=`` of supervisor programs (``[program:NAME]``) are shell commands too (the agent
started as a service); a rewrite that needs a second command there is not written.

``verify``: when the original reads with ``configparser``, the result must read too, with the
same sections and keys.
"""

from __future__ import annotations

import configparser
import re
from typing import Optional

from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.rewriters.embedded import EmbeddingRewriter, Fragment, Lines

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]")
_COMMANDS = re.compile(r"^(?P<key>commands(?:_pre|_post)?)[ \t]*[=:][ \t]*")
_PREFIX = re.compile(r"[-!][ \t]*")
#: systemd units (``[Service] ExecStart=-/usr/bin/prefect agent local start``), after the
#: ``-@:+!`` prefixes; supervisor programs (``[program:agent] command=prefect agent …``).
_SERVICE_COMMAND = re.compile(r"^Exec(?:Start|StartPre|StartPost|Reload|Stop|StopPost|Condition)[ \t]*=[ \t]*[-@:+!]*")
_PROGRAM_COMMAND = re.compile(r"^command[ \t]*=[ \t]*")


class IniRewriter(EmbeddingRewriter):
    kind = "ini"
    embeds_shell = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        lines = Lines(text)
        fragments: list[Fragment] = []
        section = ""
        index = 0
        while index < len(lines):
            content = lines.content(index)
            header = _SECTION.match(content)
            if header:
                section = header.group("name").strip()
                index += 1
                continue
            service = _SERVICE_COMMAND.match(content) if section in ("Service", "Socket") else None
            if service is None and section.startswith("program:"):
                service = _PROGRAM_COMMAND.match(content)
            if service is not None:
                fragment, index = self._one_command(lines, index, service.end())
                if fragment is not None:
                    fragments.append(fragment)
                continue
            match = _COMMANDS.match(content)
            is_tox = section.startswith("testenv") or section.startswith("tox:testenv")
            if match is None or not is_tox:
                index += 1
                continue
            # the value: this line's rest and the indented lines after it
            physical = [(index, match.end())]
            index += 1
            while index < len(lines):
                following = lines.content(index)
                if following.strip() and not following[:1] in (" ", "\t"):
                    break
                if following.strip():
                    physical.append((index, len(following) - len(following.lstrip(" \t"))))
                index += 1
            fragments.extend(self._commands(lines, physical))
        return fragments

    def _one_command(self, lines: Lines, index: int, column: int) -> tuple[Optional[Fragment], int]:
        """A systemd ``ExecStart=`` or supervisor ``command=`` value, with ``\\`` continuations."""
        first = index
        while index < len(lines) - 1 and lines.content(index).rstrip().endswith("\\"):
            index += 1
        start = lines.starts[first] + column
        end = lines.end_of_content(index)
        raw = lines.text[start:end]
        if not raw.strip():
            return None, index + 1
        return Fragment(start, end, raw, first + 1, column, encode=_single_command), index + 1

    def _commands(self, lines: Lines, physical: list[tuple[int, int]]) -> list[Fragment]:
        fragments = []
        if len(physical) > 1:
            following = lines.content(physical[1][0])
            indent = following[: len(following) - len(following.lstrip(" \t"))]
        else:
            indent = "    "
        position = 0
        while position < len(physical):
            number, column = physical[position]
            content = lines.content(number)
            if not content[column:].strip() or content[column:].lstrip().startswith("#"):
                position += 1
                continue
            prefix = _PREFIX.match(content, column)
            if prefix:
                column = prefix.end()
            while position < len(physical) - 1 and lines.content(physical[position][0]).rstrip().endswith("\\"):
                position += 1
            last_line = physical[position][0]
            start = lines.starts[number] + column
            end = lines.end_of_content(last_line)
            raw = lines.text[start:end]
            fragments.append(
                Fragment(start, end, raw, number + 1, column, encode=lambda new: _tox_lines(new, indent))
            )
            position += 1
        return fragments

    def verify(self, original: str, rewritten: str, path: str) -> None:
        before = _read(original)
        if before is None:
            return
        after = _read(rewritten)
        if after is None:
            raise SourceError("the rewritten INI file does not read; nothing was written (please report this)")
        if [(s, len(k)) for s, k in before] != [(s, len(k)) for s, k in after]:
            raise SourceError("the rewritten INI file has other sections; nothing was written (please report this)")


def _single_command(text: str) -> Optional[str]:
    """One command (``\\`` continuations allowed): the value of a single setting."""
    lines = text.split("\n")
    if any(not previous.rstrip().endswith("\\") for previous in lines[:-1]):
        return None
    return text


def _tox_lines(text: str, indent: str) -> Optional[str]:
    lines = text.split("\n")
    out = lines[:1]
    for previous, line in zip(lines, lines[1:]):
        if not line.strip():
            return None  # an empty line would end the value
        if previous.rstrip().endswith("\\"):
            out.append(line if line[:1] in (" ", "\t") else indent + line)
        else:
            out.append(indent + line.lstrip(" \t"))
    return "\n".join(out)


def _read(text: str) -> Optional[list[tuple[str, list[str]]]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return [(name, list(parser[name])) for name in parser.sections()]
