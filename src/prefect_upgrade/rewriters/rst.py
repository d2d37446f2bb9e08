"""reStructuredText: code blocks by their language.

- ``.. code-block:: LANG``, ``.. code:: LANG``, ``.. sourcecode:: LANG`` (after their ``:option:``
  lines): ``bash``/``sh``/``shell`` … are shell scripts, ``console`` … transcripts (only ``$ ``
  lines are commands), ``python`` … Python (left alone when it does not parse), ``yaml``,
  ``toml``, ``ini``, ``dockerfile`` … files of that kind (through that kind's rewriter);
- ``.. prompt:: bash`` (sphinx-prompt): every line is a command;
- ``::`` literal blocks take the language of the last ``.. highlight::`` directive; without
  one, Sphinx highlights them as Python, so they go to the Python codemods, and a literal block
  that does not parse as Python (a shell command, output) stays as it is.

Prose, and directives like ``.. ipython::`` or ``.. doctest::``, are left alone.
"""

from __future__ import annotations

import re

from prefect_upgrade.rewriters.embedded import CodeBlockRewriter, Fragment, Lines, block_fragments
from prefect_upgrade.rewriters.markdown import BLOCK_KINDS, classify

_DIRECTIVE = re.compile(r"^(?P<indent>[ ]*)\.\.[ ]+(?P<name>[\w-]+)::[ \t]*(?P<argument>.*)$")
_OPTION = re.compile(r"^[ ]+:[\w-]+:")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class RstRewriter(CodeBlockRewriter):
    kind = "rst"
    block_kinds = BLOCK_KINDS

    def blocks(self, text: str) -> list[tuple[str, Fragment]]:
        lines = Lines(text)
        found: list[tuple[str, Fragment]] = []
        highlight = "python"
        index = 0
        while index < len(lines):
            line = lines.content(index)
            directive = _DIRECTIVE.match(line)
            if directive:
                name = directive.group("name").lower()
                argument = directive.group("argument").strip().split()
                word = argument[0].lower() if argument else ""
                if name == "highlight":
                    highlight = classify(word)
                    index += 1
                    continue
                if name in ("code-block", "code", "sourcecode"):
                    language = classify(word) if word else highlight
                elif name == "prompt":
                    language = "shell" if classify(word) in ("shell", "console") else ""
                else:
                    language = ""
                index = self._block(lines, index, _indent(line), language, found, options=True)
                continue
            if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
                index = self._block(lines, index, _indent(line), highlight, found, options=False)
                continue
            index += 1
        return found

    def _block(self, lines: Lines, index: int, indent: int, language: str, found, options: bool) -> int:
        """The indented block after line ``index``; returns the line after it."""
        position = index + 1
        if options:
            while position < len(lines) and _OPTION.match(lines.content(position)) and _indent(lines.content(position)) > indent:
                position += 1
        first = None
        last = None
        while position < len(lines):
            content = lines.content(position)
            if content.strip():
                if _indent(content) <= indent:
                    break
                if first is None:
                    first = position
                last = position
            elif first is None and position > index + 1 and not options:
                pass
            position += 1
        if first is None or last is None or not language:
            return position
        width = min(_indent(lines.content(i)) for i in range(first, last + 1) if lines.content(i).strip())
        found.extend(block_fragments(lines, first, last, width, language))
        return position
