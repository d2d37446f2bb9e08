"""A progress bar on stderr for big runs, only where a person watches a terminal.

Shown when stderr is a terminal, the run has at least ``MIN_FILES`` files, the output is not
JSON, and neither ``CI`` is set nor ``TERM=dumb`` (so never in CI logs nor in pre-commit's
captured output). While it is shown, lines written to stderr (and to stdout when that is the
same kind of terminal) are printed above it, so the bar never cuts through a diff or a finding.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping, TextIO, Tuple

MIN_FILES = 50


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def wanted(output_format: str, stderr: TextIO, files: int, env: Mapping[str, str] = os.environ) -> bool:
    return (
        files >= MIN_FILES
        and output_format != "json"
        and _isatty(stderr)
        and not env.get("CI")
        and env.get("TERM") != "dumb"
    )


class _Above:
    """A text stream whose complete lines go above the live progress bar."""

    def __init__(self, console) -> None:
        self.console = console
        self.pending = ""

    def write(self, text: str) -> int:
        from rich.text import Text

        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.console.print(Text.from_ansi(line), soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def close(self) -> None:
        if self.pending:
            self.write("\n")


Streams = Tuple[TextIO, TextIO, Callable[[], None]]


@contextmanager
def quiet(stdout: TextIO, stderr: TextIO) -> Iterator[Streams]:
    yield stdout, stderr, lambda: None


@contextmanager
def bar(total: int, stdout: TextIO, stderr: TextIO, color: bool) -> Iterator[Streams]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stderr, force_terminal=True, no_color=not color, highlight=False)
    progress = Progress(
        TextColumn("prefect-upgrade"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task("files", total=total)
    err = _Above(console)
    out = _Above(console) if _isatty(stdout) else stdout
    with progress:
        try:
            yield out, err, lambda: progress.advance(task)
        finally:
            err.close()
            if out is not stdout:
                out.close()
