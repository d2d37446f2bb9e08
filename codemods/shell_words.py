"""A small shell word splitter that keeps where every word is (``shlex`` does not).

``split_commands(text)`` returns the simple commands of a shell text, each a list of ``Word``s
with their spans in ``text``, so that a codemod can rewrite one word in place and leave every
other byte alone: quoting, line continuations, variables (``$X``, ``${X}``, ``$(...)``,
GitHub's ``${{ secrets.X }}``, Jinja's ``{{ x }}``, documentation's ``<TOKEN>``), comments, redirections and the operators
between commands (``&&``, ``||``, ``;``, ``|``, ``&``, newlines, parentheses).

A ``Word`` has a ``value`` (the text the program receives) only when it is static; a word with
any expansion in it has ``value = None`` and is treated as opaque. Heredoc bodies are skipped.
This is not a full shell parser: it is exactly enough to find and rewrite command lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

_BREAK = set(" \t\n;&|()<>")
_OPERATORS = ("&&", "||", ";;", "|&", ";", "&", "|", "(", ")", "\n")
_REDIRECT = re.compile(r"[0-9]*(?:>>|>&|<&|<<<|<<-|<<|<>|>\||&>>|&>|>|<)")
_DOC_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_.-]*>(?=[\s;|&)]|$)")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


@dataclass
class Word:
    start: int
    end: int
    raw: str
    #: The unquoted text the program receives, or None when the word holds an expansion.
    value: Optional[str]

    @property
    def static(self) -> bool:
        return self.value is not None


@dataclass
class Command:
    """One simple command: its words (redirections left out), in order."""

    words: list[Word] = field(default_factory=list)


def _skip_balanced(text: str, i: int, open_: str, close: str) -> int:
    """``text[i]`` is just after an opening ``open_``; return the index after its ``close``."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and open_ == "(":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i = _skip_double(text, i + 1)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _skip_double(text: str, i: int) -> int:
    """``text[i]`` is just after an opening ``"``; return the index after the closing one."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and i + 1 < n and text[i + 1] in "({":
            i = _skip_balanced(text, i + 2, text[i + 1], ")" if text[i + 1] == "(" else "}")
            continue
        i += 1
    return n


def _read_expansion(text: str, i: int) -> int:
    """``text[i] == "$"``: return the index after the expansion that starts there."""
    n = len(text)
    nxt = text[i + 1] if i + 1 < n else ""
    if nxt == "(":
        return _skip_balanced(text, i + 2, "(", ")")
    if nxt == "{":
        return _skip_balanced(text, i + 2, "{", "}")
    if nxt == "'":
        j = i + 2
        while j < n and text[j] != "'":
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, n)
    if nxt and (nxt.isalnum() or nxt == "_"):
        j = i + 1
        if nxt.isdigit():
            return j + 1
        while j < n and (text[j].isalnum() or text[j] == "_"):
            j += 1
        return j
    if nxt and nxt in "@*#?$!-":
        return i + 2
    return i + 1  # a lone "$"


def _skip_substitution(text: str, i: int, inner: list) -> int:
    """``text[i]`` is ``$`` or a backquote: return the index after the expansion that starts
    there; the span of a command substitution (``$(...)``, backquotes) goes to ``inner``."""
    n = len(text)
    if text[i] == "`":
        k = text.find("`", i + 1)
        inner.append((i + 1, n if k < 0 else k))
        return n if k < 0 else k + 1
    end = _read_expansion(text, i)
    if text.startswith("$(", i) and not text.startswith("$((", i):
        inner.append((i + 2, end - 1))
    return end


def _read_word(text: str, i: int, inner: Optional[list] = None) -> tuple[int, Optional[str]]:
    """Read the word starting at ``i``; return (end, value or None if dynamic).

    The spans of the command substitutions met (``$(...)``, backticks) go to ``inner``.
    """
    if inner is None:
        inner = []
    n = len(text)
    value: list[str] = []
    dynamic = False
    while i < n:
        c = text[i]
        if c == "<" and value and _DOC_PLACEHOLDER.match(text, i):
            # `--project=<PROJECT>` in documentation: a value to fill in
            i = _DOC_PLACEHOLDER.match(text, i).end()
            dynamic = True
            continue
        if c in _BREAK:
            break
        if c == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2  # a line continuation inside a word joins it
                continue
            if i + 1 < n:
                value.append(text[i + 1])
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            j = n if j < 0 else j
            value.append(text[i + 1 : j])
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                d = text[j]
                if d == "\\" and j + 1 < n:
                    if text[j + 1] in '$`"\\':
                        value.append(text[j + 1])
                    elif text[j + 1] != "\n":
                        value.append(text[j : j + 2])
                    j += 2
                    continue
                if d == "`" or (d == "$" and j + 1 < n and (text[j + 1].isalnum() or text[j + 1] in "_{(@*#?$!-")):
                    dynamic = True
                    j = _skip_substitution(text, j, inner)
                    continue
                value.append(d)
                j += 1
            i = min(j + 1, n)
            continue
        if c in "$`":
            end = _skip_substitution(text, i, inner)
            if c == "$" and end == i + 1:
                value.append("$")
            else:
                dynamic = True
            i = end
            continue
        if c == "{" and text.startswith("{{", i):
            k = text.find("}}", i + 2)
            dynamic = True
            i = n if k < 0 else k + 2
            continue
        value.append(c)
        i += 1
    return i, (None if dynamic else "".join(value))


def split_commands(text: str, _depth: int = 0) -> list[Command]:
    """The simple commands of ``text``, in order; those inside ``$(...)`` and backticks too."""
    commands: list[Command] = []
    inner: list[tuple[int, int]] = []
    current = Command()
    pending_heredocs: list[tuple[str, bool]] = []
    redirect_target = False
    i = 0
    n = len(text)

    def finish() -> None:
        nonlocal current
        if current.words:
            commands.append(current)
        current = Command()

    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "\\" and text.startswith("\\\r\n", i):
            i += 3
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "\n":
            finish()
            i += 1
            redirect_target = False
            if pending_heredocs:
                for delimiter, strip in pending_heredocs:
                    while i < n:
                        j = text.find("\n", i)
                        line = text[i : n if j < 0 else j]
                        i = n if j < 0 else j + 1
                        if (line.lstrip("\t") if strip else line) == delimiter:
                            break
                pending_heredocs = []
            continue
        placeholder = _DOC_PLACEHOLDER.match(text, i)
        if placeholder and (i == 0 or text[i - 1] in " \t\n"):
            # `<TOKEN>` in documentation is a value to fill in, not two redirections
            current.words.append(Word(i, placeholder.end(), placeholder.group(0), None))
            i = placeholder.end()
            continue
        match = _REDIRECT.match(text, i)
        if match and (c in "<>&" or c.isdigit()):
            if c == "&" and not text.startswith(("&>", "&>>"), i):
                match = None
            elif c.isdigit() and not match.group(0).lstrip("0123456789"):
                match = None
        if match:
            heredoc = _HEREDOC.match(text, i + len(match.group(0)) - len(match.group(0).lstrip("0123456789")))
            if heredoc and match.group(0).lstrip("0123456789").startswith("<<") and not match.group(0).endswith("<<<"):
                pending_heredocs.append((heredoc.group(2), match.group(0).endswith("-")))
                i = heredoc.end()
                continue
            i = match.end()
            if match.group(0).endswith("&") and i < n and (text[i].isdigit() or text[i] == "-"):
                i += 1
            else:
                redirect_target = True
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            finish()
            redirect_target = False
            i += len(op)
            continue
        end, value = _read_word(text, i, inner)
        if end == i:  # defensive: never loop forever
            i += 1
            continue
        if redirect_target:
            redirect_target = False
        else:
            current.words.append(Word(i, end, text[i:end], value))
        i = end
    finish()
    if _depth < 8:
        for start, end in inner:
            for command in split_commands(text[start:end], _depth + 1):
                for word in command.words:
                    word.start += start
                    word.end += start
                commands.append(command)
    return commands


_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def quote(value: str, style: str = "'") -> str:
    """``value`` as one shell word; plain when it needs no quotes, else in ``style`` quotes."""
    if value and _SAFE.fullmatch(value):
        return value
    if style == '"' and not any(ch in value for ch in '$`"\\!'):
        return f'"{value}"'
    return "'" + value.replace("'", "'\"'\"'") + "'"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
