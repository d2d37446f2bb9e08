"""``--interactive``: review each codemod's change to each file, and accept or refuse it.

One question per codemod per file (never a raw text hunk: half of a codemod's change can leave a
name without its import)::

    Apply PFU201 to flows/etl.py? [y]es [n]o [a]ll in this file [r] all of this code
    [i]gnore here forever [s]kip file [q]uit [?]help

Enter means no. ``runner.rewrite_text`` applies the codemods one at a time and asks; the file is
then written (atomically) with exactly the accepted ones, after the result was parsed again.

Answers are read from standard input, which must be a terminal; set
``PREFECT_UPGRADE_ANSWERS=stdin`` to read them from a pipe on purpose (scripts, tests). When the
answers run out (end of input) the review stops as with ``q``.

Stopping:
- ``q`` — the current file is written with what was accepted so far, later files are not
  touched; the exit status is the usual one (1: changes made or findings left).
- Ctrl-C — the current file is left exactly as it was (nothing of it is written), files already
  written keep their accepted changes (each was replaced in one step); the review stops with a
  message and exit status 130, the shell's status for an interrupt.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, TextIO

from prefect_upgrade import suppressions
from prefect_upgrade.codemods.base import Codemod
from prefect_upgrade.diff import colorize, unified_diff
from prefect_upgrade.files import FileError, read_source, write_atomically
from prefect_upgrade.findings import Finding
from prefect_upgrade.rewriters import SourceError, rewriter_for
from prefect_upgrade.runner import FileResult, RunSettings, process_source

ANSWERS_ENV = "PREFECT_UPGRADE_ANSWERS"

#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130

HELP = """\
y - apply this change
n - do not apply it (the default: Enter)
a - apply this change and every later one to this file
r - apply this code's changes to every file from now on
i - do not apply it, and add a `# prefect-upgrade: ignore[CODE]` comment above the code it
    would change, so that no later run (nor the pre-commit hook) changes or reports it there
s - apply nothing more to this file
q - stop: this file keeps the changes accepted so far; later files are not touched
? - this help"""


class ReviewStopped(Exception):
    """The review ended early; ``status`` is the exit status, ``message`` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Quit(Exception):
    pass


@dataclass
class Tally:
    accepted: int = 0
    refused: int = 0
    ignored: int = 0
    files_written: int = 0
    left: int = 0

    def line(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return (
            f"review: {n(self.accepted, 'change')} accepted, {self.refused} refused"
            f" ({self.ignored} marked ignore), {n(self.files_written, 'file')} written,"
            f" {n(self.left, 'finding')} left to do by hand"
        )


@dataclass
class _FileState:
    path: str
    kind: str
    apply_all: bool = False
    skip: bool = False
    quit: bool = False
    #: line in the text a step was given -> codes, with that text (to map to the final text).
    ignores: list[tuple[str, dict[int, set[str]]]] = field(default_factory=list)


class Reviewer:
    def __init__(self, stdin: TextIO, out: TextIO, err: TextIO, color: bool) -> None:
        self.stdin = stdin
        self.out = out
        self.err = err
        self.color = color
        self.always: set[str] = set()
        self.tally = Tally()
        self.quitting = False

    # -- talking ------------------------------------------------------------------------------

    def _write(self, text: str = "") -> None:
        self.out.write(text if text.endswith("\n") or not text else text + "\n")
        self.out.flush()

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def _ask(self, question: str) -> str:
        self.out.write(question)
        self.out.flush()
        line = self.stdin.readline()
        if line and not self.stdin.isatty():
            self._write(line.strip())  # piped answers: show them, as a terminal would
        if not line:
            self._write()
            self._write("no more answers (end of input): stopping the review")
            return "q"
        return line.strip().lower()

    # -- one step -----------------------------------------------------------------------------

    def decide(
        self,
        state: _FileState,
        codemod: type[Codemod],
        before: str,
        after: str,
        findings: Sequence[Finding],
    ) -> bool:
        if state.quit or state.skip:
            return self._count(False)
        if state.apply_all or codemod.code in self.always:
            return self._count(True)
        header = f"{codemod.code} {codemod.summary} ({codemod.fix_class.value})"
        self._write()
        self._write(self._style(f"── {state.path}: {header}", "1;35"))
        diff = unified_diff(before, after, state.path)
        self._write(colorize(diff) if self.color else diff)
        for finding in findings:
            status = "fixed" if finding.applied else finding.fix_class.value
            self._write(f"  line {finding.line}:{finding.col} {finding.code} {finding.message} [{status}]")
        can_ignore = state.kind in suppressions.COMMENTABLE_KINDS
        choices = "[y]es [n]o [a]ll in this file [r] all of this code "
        choices += "[i]gnore here forever " if can_ignore else ""
        choices += "[s]kip file [q]uit [?]help"
        question = self._style(f"Apply {codemod.code} to {state.path}?", "1") + f" {choices} "
        while True:
            answer = self._ask(question)
            if answer in ("y", "yes"):
                return self._count(True)
            if answer in ("", "n", "no"):
                return self._count(False)
            if answer in ("a", "all"):
                state.apply_all = True
                return self._count(True)
            if answer == "r":
                self.always.add(codemod.code)
                return self._count(True)
            if answer in ("s", "skip"):
                state.skip = True
                return self._count(False)
            if answer in ("q", "quit"):
                state.quit = self.quitting = True
                return self._count(False)
            if answer in ("i", "ignore"):
                if not can_ignore:
                    self._write(
                        f"a comment cannot be added to a {state.kind} file here: add "
                        "`prefect-upgrade: ignore` by hand or use per-file-ignores in pyproject.toml"
                    )
                    continue
                state.ignores.append((before, _ignore_targets(before, after, codemod, findings)))
                self.tally.ignored += 1
                return self._count(False)
            self._write(HELP)

    def _count(self, accepted: bool) -> bool:
        if accepted:
            self.tally.accepted += 1
        else:
            self.tally.refused += 1
        return accepted

    # -- one file -----------------------------------------------------------------------------

    def review(self, path: Path, kind: Optional[str], settings: RunSettings) -> FileResult:
        shown = str(path)
        settings = settings.for_path(shown)
        try:
            source = read_source(path, python=kind in ("python", None))
        except FileError as error:
            return FileResult(path=shown, kind=kind, error=str(error))
        if kind is None or rewriter_for(kind) is None:
            return FileResult(path=shown, kind=kind, original=source.text, text=source.text)
        state = _FileState(shown, kind)
        result = process_source(
            shown,
            kind,
            source,
            settings,
            lambda codemod, _path, before, after, findings: self.decide(state, codemod, before, after, findings),
        )
        if result.error is None and state.ignores:
            self._add_ignores(result, state)
        if result.changed:
            try:
                write_atomically(path, source, result.text)
                result.written = True
                self.tally.files_written += 1
            except FileError as error:
                result.error = str(error)
        self.tally.left += sum(1 for f in result.findings if not f.applied)
        return result

    def _add_ignores(self, result: FileResult, state: _FileState) -> None:
        targets: dict[int, set[str]] = {}
        for before, lines in state.ignores:
            mapped = suppressions.line_mapper(before, result.text)
            for line, codes in lines.items():
                targets.setdefault(mapped(line), set()).update(codes)
        try:
            text = suppressions.add_comments(result.text, state.kind, targets)
            rewriter_for(state.kind).verify(result.original, text, state.path)
        except (ValueError, SourceError) as error:
            self._write(f"{state.path}: could not add the ignore comments ({error}); nothing added")
            return
        marks = suppressions.scan(text, state.kind)
        mapper = suppressions.line_mapper(result.text, text)
        findings = suppressions.moved(result.findings, mapper)
        result.findings = [f for f in findings if not marks.suppressed(f.line, f.code)]
        result.text = text
        self._write(f"{state.path}: added {len(targets)} `prefect-upgrade: ignore` comment(s)")


def _ignore_targets(
    before: str, after: str, codemod: type[Codemod], findings: Sequence[Finding]
) -> dict[int, set[str]]:
    """The lines of ``before`` a comment must cover so that this change is never made again."""
    targets: dict[int, set[str]] = {}
    change = suppressions.change_between(before, after)
    for line in change.lines:
        targets.setdefault(line, set()).add(codemod.code)
    for finding in findings:
        targets.setdefault(finding.line, set()).add(codemod.code)
    if not targets:  # only insertions: cover the line they follow
        targets[max(1, change.first_line() - 1)] = {codemod.code}
    return targets


def _answers_from(stdin: TextIO) -> TextIO:
    if stdin.isatty() or os.environ.get(ANSWERS_ENV) == "stdin":
        return stdin
    raise ReviewStopped(
        2,
        "prefect-upgrade: error: --interactive needs a terminal to ask on (standard input is not one); "
        f"run it in a terminal, use --write or the dry-run diff, or set {ANSWERS_ENV}=stdin "
        "to read the answers from standard input",
    )


def review_files(
    candidates: Iterable,
    settings: RunSettings,
    stdout: TextIO,
    stderr: TextIO,
    color: bool,
    stdin: Optional[TextIO] = None,
) -> Iterator[FileResult]:
    """Review every candidate file in turn; yields each file's result once it is written."""
    answers = _answers_from(stdin if stdin is not None else sys.stdin)
    reviewer = Reviewer(answers, stdout, stderr, color)
    settings = replace(settings, write=False)
    current = None
    try:
        for candidate in candidates:
            if reviewer.quitting:
                break
            current = candidate.path
            yield reviewer.review(candidate.path, candidate.kind, settings)
            current = None
    except KeyboardInterrupt:
        where = f"{current} was left unchanged; " if current is not None else ""
        stderr.write(f"\n{reviewer.tally.line()}\n")
        raise ReviewStopped(
            INTERRUPTED,
            f"prefect-upgrade: interrupted: {where}files already written keep the changes you accepted",
        ) from None
    stderr.write(reviewer.tally.line() + "\n")
    stderr.flush()
