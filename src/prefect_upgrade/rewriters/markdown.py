"""Markdown: fenced code blocks (```` ``` ```` or ``~~~``) by their language.

- ``bash``, ``sh``, ``shell``, ``zsh`` …: the block is a shell script (but when some of its lines
  start with a prompt, ``$ `` or zsh's ``❯ ``, it is a transcript, read as ``console``);
- ``console``, ``shell-session`` …: only lines starting with a prompt (and their ``\\``
  continuations) are commands; the rest is output and stays;
- ``python``, ``py``, ``python3`` …: Python, through the Python codemods; a block that does not
  parse (a sketch, ``>>>`` prompts) stays as it is;
- ``yaml``, ``toml``, ``ini``, ``dockerfile``, ``makefile``, ``env`` …: the block is a file of that
  kind, rewritten by that kind's rewriter (its setting renames, and the shell commands in it: a
  GitHub workflow in a README gets its ``run:`` commands rewritten).

MyST's ```` ```{code-block} bash ```` counts as ``bash``. A fence without a language is a
transcript when a line starts with ``$ ``, a shell script when a line is a ``prefect`` command or
sets a ``PREFECT__`` setting, a ``config.toml`` when a line is ``[cloud]`` or ``[cloud.agent]``,
and left alone otherwise.

Indented code blocks (four columns deeper than the text they stand in) are read like a fence
without a language, and keep their indentation, blank lines included. CommonMark's rules, read
conservatively: an indented block only starts after a blank line (it cannot interrupt a
paragraph); inside a list item it must be four columns deeper than the item's content (``1. x``
then ``    y`` is a paragraph of the item, not code; a GitHub footnote's content counts as four
columns deep); blocks with tabs in their indentation, inside HTML comments or ``<pre>``, or in
YAML front matter are left alone. A fence four columns deep is still read as a fence.

Prose is left alone, also when it mentions a command. Fences indented inside list items keep
their indentation.
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
_PROMPT_LINE = re.compile(r"^\s*(?:\$|\u276f)\s")
#: A line of an untagged fence that makes it a Prefect ``config.toml``: its ``[cloud]`` tables.
_CLOUD_TABLE = re.compile(r"^\s*\[cloud(?:\.agent)?\]\s*(?:#.*)?$")


def _untagged_language(lines: Lines, start: int, end: int) -> str:
    """An untagged fence (READMEs write shell commands in them more often than not): a console
    transcript when a line starts with ``$ ``, a shell script when a line is a ``prefect``
    command or sets a Prefect setting, a ``config.toml`` when a line opens its ``[cloud]`` or
    ``[cloud.agent]`` table (left alone when it is not TOML), else nothing (it could be Python,
    output or anything)."""
    contents = [lines.content(i) for i in range(start, min(end, len(lines)))]
    if any(_PROMPT_LINE.match(line) for line in contents):
        return "console"
    if any(_SHELL_LINE.match(line) for line in contents):
        return "shell"
    if any(_CLOUD_TABLE.match(line) for line in contents):
        return "kind:toml"
    return ""


#: A list item's first line: its marker and the spaces after it (CommonMark 5.2).
_LIST_ITEM = re.compile(r"^(?P<indent>[ ]*)(?P<marker>[-+*]|\d{1,9}[.)])(?P<space>[ ]+|$)")
_FOOTNOTE = re.compile(r"^[ ]{0,3}\[\^[^\]]+\]:")
_THEMATIC_BREAK = re.compile(r"^[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
#: HTML blocks that go on across blank lines (CommonMark 4.6, types 1-5), with what ends them;
#: an indented block inside one (a commented-out example) is no code block.
_HTML_BLOCKS = (
    (
        re.compile(r"^[ ]{0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I),
        re.compile(r"</(?:script|pre|style|textarea)>", re.I),
    ),
    (re.compile(r"^[ ]{0,3}<!--"), re.compile(r"-->")),
    (re.compile(r"^[ ]{0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r"^[ ]{0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"^[ ]{0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)


def _columns(line: str) -> int:
    """The columns of a line's indentation (a tab goes on to the next multiple of 4)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _item_content(match: "re.Match[str]") -> int:
    """The column where a list item's content starts (1 to 4 spaces after the marker; more
    means the content is an indented code block, and the item's content column is marker + 1)."""
    space = len(match.group("space"))
    lead = len(match.group("indent")) + len(match.group("marker"))
    return lead + (space if 1 <= space <= 4 else 1)


class MarkdownRewriter(CodeBlockRewriter):
    kind = "markdown"
    block_kinds = BLOCK_KINDS

    def blocks(self, text: str) -> list[tuple[str, Fragment]]:
        lines = Lines(text)
        found: list[tuple[str, Fragment]] = []
        #: Content columns of the list items the current line may belong to, outermost first.
        items: list[int] = []
        after_blank = True  # the start of the document counts as a blank line
        index = _front_matter_end(lines)
        while index < len(lines):
            content = lines.content(index)
            if not content.strip():
                after_blank = True
                index += 1
                continue
            columns = _columns(content)
            if after_blank:
                while items and columns < items[-1]:
                    items.pop()  # less indented than the item's content after a blank line: it ended
            base = items[-1] if items else 0
            match = _FENCE.match(content)
            if match is not None:
                # first, as before indented blocks were read: a fence 4 columns deep (which
                # CommonMark would show as code) is still read as a fence
                index = self._fence(lines, index, match, found)
                after_blank = False
                continue
            if after_blank and columns >= base + 4:
                index = self._indented(lines, index, base + 4, found)
                after_blank = False
                continue
            html = next((end for begin, end in _HTML_BLOCKS if begin.match(content)), None)
            if html is not None and columns < base + 4:
                while index < len(lines) and not html.search(lines.content(index)):
                    index += 1
                index += 1
                after_blank = False
                continue
            item = _LIST_ITEM.match(content)
            if item is not None and not _THEMATIC_BREAK.match(content) and columns < base + 4:
                while items and columns < items[-1]:
                    items.pop()  # less indented than the open item's content: a sibling or outer item
                items.append(_item_content(item))
            elif _FOOTNOTE.match(content) and columns < base + 4:
                # GitHub footnotes go on in lines indented by 4: like a list item's content
                while items and columns < items[-1]:
                    items.pop()
                items.append(columns + 4)
            after_blank = False
            index += 1
        return found

    def _fence(self, lines: Lines, index: int, match: "re.Match[str]", found: list) -> int:
        """A fenced block opened at line ``index``; returns the line after its closing fence."""
        fence = match.group("fence")
        if fence[0] == "`" and "`" in match.group("info"):
            return index + 1
        closing = re.compile(r"^[ ]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines.content(end)):
            end += 1
        language = language_of(match.group("info"))
        if not match.group("info").strip():
            language = _untagged_language(lines, index + 1, end)
        if language and end < len(lines):
            found.extend(block_fragments(lines, index + 1, end - 1, len(match.group("indent")), language))
        return end + 1

    def _indented(self, lines: Lines, index: int, depth: int, found: list) -> int:
        """An indented code block starting at line ``index`` (its lines at least ``depth`` columns
        deep, blank lines inside it); returns the line after it. Read like an untagged fence."""
        last = index
        end = index
        while end < len(lines):
            content = lines.content(end)
            if content.strip():
                if _columns(content) < depth:
                    break
                last = end
            end += 1
        body = [lines.content(i) for i in range(index, last + 1)]
        if any(line.strip() and "\t" in line[: len(line) - len(line.lstrip())] for line in body):
            return last + 1  # tabs in the indentation: leave the block as it is
        language = _untagged_language(lines, index, last + 1)
        if language:
            width = min(_columns(line) for line in body if line.strip())
            found.extend(block_fragments(lines, index, last, width, language))
        return last + 1


def _front_matter_end(lines: Lines) -> int:
    """The first line after a YAML front matter block (``---`` ... ``---``), or 0."""
    if len(lines) and lines.content(0).rstrip() == "---":
        for index in range(1, len(lines)):
            if lines.content(index).rstrip() in ("---", "..."):
                return index + 1
    return 0
