"""Unified diffs of one file's change."""

from __future__ import annotations

import difflib


def unified_diff(original: str, rewritten: str, path: str) -> str:
    """A ``git diff``-style unified diff; line endings are shown as they are in the file."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        rewritten.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def colorize(diff: str) -> str:
    """ANSI colours for a terminal: additions green, removals red, hunks cyan."""
    coloured = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            coloured.append(f"\x1b[1m{line.rstrip(chr(10))}\x1b[0m\n")
        elif line.startswith("+"):
            coloured.append(f"\x1b[32m{line.rstrip(chr(10))}\x1b[0m\n")
        elif line.startswith("-"):
            coloured.append(f"\x1b[31m{line.rstrip(chr(10))}\x1b[0m\n")
        elif line.startswith("@@"):
            coloured.append(f"\x1b[36m{line.rstrip(chr(10))}\x1b[0m\n")
        else:
            coloured.append(line)
    return "".join(coloured)
