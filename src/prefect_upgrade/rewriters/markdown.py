"""Markdown: fenced code blocks (```` ``` ```` or ``~~~``) by their language.

- ``bash``, ``sh``, ``shell``, ``zsh`` …: the block is a shell script (but when some of its lines
  start with ``$ ``, it is a transcript, read as ``console``);
- ``console``, ``shell-session`` …: only lines starting with ``$ `` (and their ``\\``
  continuations) are commands; the rest is output and stays;
- ``python``, ``py``, ``python3`` …: Python, through the Python codemods; a block that does not
  parse (a sketch, ``>>>`` prompts) stays as it is;
- ``yaml``, ``toml``, ``ini``, ``dockerfile``, ``makefile``, ``env`` …: the block is a file of that
  kind, rewritten by that kind's rewriter (its setting renames, and the shell commands in it: a
  GitHub workflow in a README gets its ``run:`` commands rewritten).

MyST's ```` ```{code-block} bash ```` counts as ``bash``. A fence without a language is a
transcript when a line starts with ``$ ``, a shell script when a line is a ``prefect`` command or
sets a ``PREFECT__`` setting, and left alone otherwise. Indented code blocks and prose are left
alone, also when they mention a command. Fences indented inside list items keep their
indentation.
"""

from __future__ import annotations

import re

from prefect_upgrade.rewriters.embedded import (
    CONSOLE_LANGUAGES,
    PYTHON_LANGUAGES,
    SHELL_LANGUAGES,
    CodeBlockRewriter,
    Fragment,
    Lines,
    block_fragments,
)

_FENCE = re.compile(r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")


def language_of(info: str) -> str:
    """``shell``, ``console``, ``python`` or ``""`` for a fence's info string."""
    info = info.strip()
    myst = re.match(r"^\{(?:code-block|code|sourcecode|code-cell)\}\s*(\S*)", info)
    word = myst.group(1) if myst else re.split(r"[\s{,]", info, maxsplit=1)[0] if info else ""
    word = word.lstrip(".").lower()
    if word.startswith("language-"):
        word = word[len("language-") :]
    return classify(word)


#: Fence languages of other kinds: their blocks go to that kind's rewriter (settings in a
#: ```yaml or ```toml example, a Dockerfile ...).
OTHER_LANGUAGES = {
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
    "ini": "ini",
    "cfg": "ini",
    "dosini": "ini",
    "dockerfile": "dockerfile",
    "docker": "dockerfile",
    "makefile": "makefile",
    "make": "makefile",
    "dotenv": "dotenv",
    "env": "dotenv",
}
BLOCK_KINDS = frozenset(OTHER_LANGUAGES.values())


def classify(word: str) -> str:
    if word in OTHER_LANGUAGES:
        return "kind:" + OTHER_LANGUAGES[word]
    if word in SHELL_LANGUAGES:
        return "shell"
    if word in CONSOLE_LANGUAGES:
        return "console"
    if word in PYTHON_LANGUAGES:
        return "python"
    return ""


#: A line of an untagged fence that makes it shell: a ``prefect`` command, a Prefect setting.
_SHELL_LINE = re.compile(r"^\s*(?:(?:sudo\s+)?prefect\s|(?:export\s+)?PREFECT__\w+=)")
_PROMPT_LINE = re.compile(r"^\s*\$\s")


def _untagged_language(lines: Lines, start: int, end: int) -> str:
    """An untagged fence (READMEs write shell commands in them more often than not): a console
    transcript when a line starts with ``$ ``, a shell script when a line is a ``prefect``
    command or sets a Prefect setting, else nothing (it could be Python, output or anything)."""
    contents = [lines.content(i) for i in range(start, min(end, len(lines)))]
    if any(_PROMPT_LINE.match(line) for line in contents):
        return "console"
    if any(_SHELL_LINE.match(line) for line in contents):
        return "shell"
    return ""


class MarkdownRewriter(CodeBlockRewriter):
    kind = "markdown"
    block_kinds = BLOCK_KINDS

    def blocks(self, text: str) -> list[tuple[str, Fragment]]:
        lines = Lines(text)
        found: list[tuple[str, Fragment]] = []
        index = 0
        while index < len(lines):
            match = _FENCE.match(lines.content(index))
            if match is None:
                index += 1
                continue
            fence = match.group("fence")
            if fence[0] == "`" and "`" in match.group("info"):
                index += 1
                continue
            closing = re.compile(r"^[ ]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
            end = index + 1
            while end < len(lines) and not closing.match(lines.content(end)):
                end += 1
            language = language_of(match.group("info"))
            if not match.group("info").strip():
                language = _untagged_language(lines, index + 1, end)
            if language and end < len(lines):
                found.extend(block_fragments(lines, index + 1, end - 1, len(match.group("indent")), language))
            index = end + 1
        return found
