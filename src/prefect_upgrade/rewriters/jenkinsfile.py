"""Jenkinsfiles (``Jenkinsfile``, ``Jenkinsfile.*``, ``*.jenkinsfile``): the scripts of ``sh`` steps.

``sh 'cmd'``, ``sh "cmd"``, ``sh`` with a triple-quoted string (single or double quotes),
``sh(script: '…', returnStdout: true)`` and ``sh script: "…"``: the Groovy string is decoded (``\\\\`` ``\\'`` ``\\"`` ``\\$``, and a
``\\`` at a line end inside triple quotes), handed to the shell codemods, and encoded back in
the same quotes. In double-quoted (GString) scripts, Groovy interpolations (``${env.PROJECT}``,
``$FLOW``) reach the codemods as shell variables (``${PFU_EXPR_0}``: values they cannot know)
and are put back. A string with other escapes (``\\n``, ``\\u…``), or a string built with ``+``,
is left alone, and so are ``sh`` steps in ``//`` comments.

Settings in ``environment { … }`` blocks are not rewritten: no codemod declares this kind (it is
not one of the content kinds of ``codemods/base.py``); the shell codemods' findings cover the
commands.
"""

from __future__ import annotations

import re
from typing import Optional

from prefect_upgrade.rewriters.embedded import (
    EditedText,
    EmbeddingRewriter,
    Fragment,
    column_of,
    columns_back,
    line_of,
    placeholders_shown,
)

_SHOWN = re.compile(r"\$\{PFU_EXPR_(\d+)\}")

_STEP = re.compile(
    r"(?<![\w.])sh\b[ \t]*(?:\([ \t]*)?"
    r"(?:(?!script\b)\w+[ \t]*:[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\"|[\w.]+)[ \t]*,[ \t]*)*"  # returnStdout: true, …
    r"(?:script[ \t]*:[ \t]*)?(?=['\"])"
)
_CONTINUATION = re.compile(r"(?<!\\)(?:\\\\)*\\\n")  # an odd number of backslashes before a newline
_INTERPOLATION = re.compile(r"\$(?:\{[^{}]*\}|[A-Za-z_][\w.]*)")
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "$": "$"}


def _scan(text: str, start: int) -> Optional[tuple[int, str]]:
    """The Groovy string literal at ``start``: (end offset, quote); None when it is not closed."""
    for quote in ("'''", '"""', "'", '"'):
        if text.startswith(quote, start):
            break
    index = start + len(quote)
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if len(quote) == 1 and char == "\n":
            return None
        if text.startswith(quote, index):
            return index + len(quote), quote
        index += 1
    return None


def _decode(body: str, quote: str) -> Optional[tuple[str, list[str], list[tuple[int, int, int]]]]:
    """The shell text of a Groovy string body, the GString interpolations it masks, and where the
    shell text is shorter or longer than the body (escapes, interpolations), for ``columns_back``."""
    out = EditedText()
    interpolations: list[str] = []
    index = 0
    double = quote.startswith('"')
    while index < len(body):
        char = body[index]
        if char == "\\":
            following = body[index + 1 : index + 2]
            if following in _ESCAPES:
                out.put(_ESCAPES[following], body[index : index + 2])
                index += 2
                continue
            if following == "\n" and len(quote) == 3:
                out.put("\\\n", "\\\n")  # a continuation: kept as a shell continuation
                index += 2
                continue
            return None
        if double and char == "$":
            match = _INTERPOLATION.match(body, index)
            if match is None:
                return None
            out.put("${PFU_EXPR_%d}" % len(interpolations), match.group())
            interpolations.append(match.group())
            index = match.end()
            continue
        out.put(char, char)
        index += 1
    return out.text, interpolations, out.edits


def _encode(text: str, quote: str, interpolations: list[str], continuations: bool) -> Optional[str]:
    if len(quote) == 1 and "\n" in text:
        return None
    if continuations:
        text = text.replace("\\\n", "\0")
    text = text.replace("\\", "\\\\")
    if quote == "'":
        text = text.replace("'", "\\'")
    elif quote == '"':
        text = text.replace('"', '\\"')
    elif quote in text or text.endswith(quote[0]):
        return None
    if quote.startswith('"'):
        text = text.replace("$", "\\$")
        for number, interpolation in enumerate(interpolations):
            text = text.replace("\\${PFU_EXPR_%d}" % number, interpolation)
        if "PFU_EXPR_" in text:
            return None
    if continuations:
        text = text.replace("\0", "\\\n")
    return text


class JenkinsfileRewriter(EmbeddingRewriter):
    kind = "jenkinsfile"
    embeds_shell = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        fragments = []
        for match in _STEP.finditer(text):
            start = match.end()
            if "//" in text[text.rfind("\n", 0, match.start()) + 1 : match.start()]:
                continue  # in a comment (or after a URL: left alone)
            scanned = _scan(text, start)
            if scanned is None:
                continue
            end, quote = scanned
            following = text[end : end + 40].lstrip(" \t")
            if following.startswith("+"):
                continue  # a string built from pieces
            body = text[start + len(quote) : end - len(quote)]
            decoded = _decode(body, quote)
            if decoded is None:
                continue
            shell, interpolations, edits = decoded
            continuations = len(quote) == 3 and _CONTINUATION.search(body) is not None

            def encode(new_text: str, quote=quote, interpolations=interpolations, continuations=continuations):
                encoded = _encode(new_text, quote, interpolations, continuations)
                return None if encoded is None else quote + encoded + quote

            fragments.append(
                Fragment(start, end, shell, line_of(text, start), column_of(text, start) + len(quote), encode=encode,
                         unmask=columns_back(edits, placeholders_shown(_SHOWN, interpolations)))
            )
        return fragments
