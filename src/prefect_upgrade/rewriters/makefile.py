"""Makefiles: recipe lines (tab-indented lines under a rule), with their ``\\`` continuations.

The ``@``/``-``/``+`` prefixes and the tab stay; the rest of the logical line is handed to the
shell codemods with make's ``$(VAR)``/``${VAR}``/``$X`` references shown as shell variables
(``${PFU_MAKE_0}``, so a codemod sees a value it cannot know) and ``$$`` as the shell's ``$``;
both are put back after the rewrite. Variable assignments, ``define`` blocks and directives are
left to codemods that take the whole Makefile.
"""

from __future__ import annotations

import re
from typing import Optional

from prefect_upgrade.rewriters.embedded import (
    EditedText,
    EmbeddingRewriter,
    Fragment,
    Lines,
    columns_back,
    placeholders_shown,
)

_RULE = re.compile(r"^(?![\t#])(?:[^:=#\t]|\$\([^)]*\)|\$\{[^}]*\})+?::?(?![=:])")
_ASSIGNMENT = re.compile(r"^[^:#=\t]*?(?:[:?+!]|::)?=")
_CONDITIONAL = re.compile(r"(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_PREFIX = re.compile(r"[@+\- \t]*")
_PLACEHOLDER = "PFU_MAKE_{}"
_SHOWN = re.compile(r"\$\{PFU_MAKE_(\d+)\}")


def mask_make(text: str) -> tuple[str, list[str]]:
    """Make references as shell variables; ``$$`` as ``$``."""
    masked, refs, _ = mask_make_edits(text)
    return masked, refs


def mask_make_edits(text: str) -> tuple[str, list[str], list[tuple[int, int, int]]]:
    """``mask_make``, and where it made the text shorter or longer (for ``columns_back``)."""
    out = EditedText()
    put = out.put
    refs: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            put(char, char)
            index += 1
            continue
        following = text[index + 1]
        if following == "$":
            put("$", "$$")
            index += 2
            continue
        if following in "({":
            closing = ")" if following == "(" else "}"
            depth = 0
            end = index + 1
            while end < len(text):
                if text[end] == following:
                    depth += 1
                elif text[end] == closing:
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            if end >= len(text):
                put(text[index:], text[index:])
                break
            reference = text[index : end + 1]
            index = end + 1
        else:
            reference = text[index : index + 2]
            index += 2
        put("${" + _PLACEHOLDER.format(len(refs)) + "}", reference)
        refs.append(reference)
    return out.text, refs, out.edits


def unmask_make(text: str, refs: list[str]) -> Optional[str]:
    text = text.replace("$", "$$")
    for number, reference in enumerate(refs):
        text = text.replace("$${" + _PLACEHOLDER.format(number) + "}", reference)
    if "PFU_MAKE_" in text:
        return None
    return text


def recipe_lines(text: str, prefix: str) -> str:
    """A rewritten recipe: a line that does not continue the one before becomes a recipe line."""
    lines = text.split("\n")
    out = lines[:1]
    for previous, line in zip(lines, lines[1:]):
        if previous.endswith("\\") or not line.strip():
            out.append(line)
        else:
            out.append(prefix + line.lstrip(" \t"))
    return "\n".join(out)


class MakefileRewriter(EmbeddingRewriter):
    kind = "makefile"
    embeds_shell = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        table = Lines(text)
        lines, starts = table.lines, table.starts
        fragments = []
        in_rule = False
        in_define = False
        index = 0
        while index < len(lines):
            content = lines[index].rstrip("\r\n")
            stripped = content.strip()
            if in_define:
                in_define = stripped != "endef"
                index += 1
                continue
            if content.startswith("\t") and in_rule:
                first = index
                while index < len(lines) and lines[index].rstrip("\r\n").endswith("\\"):
                    index += 1
                last = min(index, len(lines) - 1)
                index += 1
                column = 1 + _PREFIX.match(content, 1).end() - 1
                start = starts[first] + column
                end = starts[last] + len(lines[last].rstrip("\r\n"))
                raw = text[start:end]
                if not raw.strip():
                    continue
                masked, refs, edits = mask_make_edits(raw)

                prefix = "\t" + content[1:column].strip(" \t")

                def encode(new_text: str, refs=refs, prefix=prefix) -> Optional[str]:
                    unmasked = unmask_make(new_text, refs)
                    return None if unmasked is None else recipe_lines(unmasked, prefix)

                fragments.append(
                    Fragment(start, end, masked, first + 1, column, encode=encode,
                             unmask=columns_back(edits, placeholders_shown(_SHOWN, refs)))
                )
                continue
            if not stripped or stripped.startswith("#"):
                index += 1
                continue
            if _CONDITIONAL.match(stripped):
                pass  # ``ifeq``/``else``/``endif`` inside a rule keep its recipe going
            elif re.match(r"(?:override[ \t]+)?define\b", stripped):
                in_define = True
                in_rule = False
            elif _ASSIGNMENT.match(content) and not _RULE.match(content):
                in_rule = False
            else:
                # a rule (``target: prerequisites``; a recipe after ``;`` on that line is left alone)
                in_rule = bool(_RULE.match(content))
            # a rule line may go on over continuation lines
            while index < len(lines) and lines[index].rstrip("\r\n").endswith("\\"):
                index += 1
            index += 1
        return fragments
