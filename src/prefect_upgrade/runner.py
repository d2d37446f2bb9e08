"""The per-file pipeline: read, pre-filter, rewrite (one codemod at a time), verify, write."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

from prefect_upgrade.codemods.base import Codemod, CodemodOptions
from prefect_upgrade.findings import Finding, Reporter
from prefect_upgrade.files import FileError, SourceFile, decode, read_source, write_atomically
from prefect_upgrade.rewriters import SourceError, rewriter_for

#: Asked before a codemod's change to a file is kept: (codemod, path, before, after, findings).
Decide = Callable[[type[Codemod], str, str, str, Sequence[Finding]], bool]


@dataclass
class TextResult:
    text: str
    findings: list[Finding] = field(default_factory=list)
    #: Codes of the codemods whose change was kept.
    applied: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    path: str
    kind: Optional[str]
    original: Optional[str] = None
    text: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)
    error: Optional[str] = None
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.error is None and self.text is not None and self.text != self.original


def rewrite_text(
    text: str,
    kind: str,
    codemods: Sequence[type[Codemod]],
    options: CodemodOptions = CodemodOptions(),
    path: str = "<string>",
    decide: Optional[Decide] = None,
) -> TextResult:
    """Apply ``codemods`` in order to ``text`` of the given kind.

    Raises ``SourceError`` when the text (or the result) does not parse.
    """
    rewriter = rewriter_for(kind)
    if rewriter is None:
        return TextResult(text)
    candidates = [c for c in codemods if rewriter.handles(c) and c.may_apply(text)]
    if not candidates:
        return TextResult(text)
    state = rewriter.parse(text, path)
    result = TextResult(text)
    for codemod in candidates:
        reporter = Reporter()
        new_state = rewriter.apply(state, codemod, options, reporter, path)
        new_text = rewriter.render(new_state)
        findings = [f for f in reporter.findings if options.code_enabled(f.code)]
        if new_text != result.text:
            if decide is not None and not decide(codemod, path, result.text, new_text, findings):
                findings = [_refused(f) for f in findings]
            else:
                state, result.text = new_state, new_text
                result.applied.append(codemod.code)
        result.findings.extend(findings)
    if result.text != text:
        rewriter.verify(text, result.text, path)
    result.findings.sort(key=lambda f: (f.line, f.col, f.code))
    return result


def _refused(finding: Finding) -> Finding:
    return Finding(finding.code, finding.line, finding.col, finding.fix_class, finding.message, False)


@dataclass(frozen=True)
class RunSettings:
    codemods: tuple[type[Codemod], ...]
    options: CodemodOptions
    write: bool = False
    #: (glob, codes to ignore) pairs, globs relative to ``base`` (the config file's folder).
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    base: Optional[str] = None

    def for_path(self, path: str) -> "RunSettings":
        """These settings with the per-file ignores that match ``path`` applied."""
        extra = _per_file_codes(path, self.per_file_ignores, self.base)
        if not extra:
            return self
        options = replace(self.options, ignore=self.options.ignore + extra)
        codemods = tuple(
            c for c in self.codemods if any(options.code_enabled(code) for code in c.codes())
        )
        return replace(self, codemods=codemods, options=options, per_file_ignores=())


def _per_file_codes(path: str, rules: Sequence[tuple[str, tuple[str, ...]]], base: Optional[str]) -> tuple[str, ...]:
    if not rules:
        return ()
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, base) if base else path
    relative = relative.replace(os.sep, "/")
    codes: list[str] = []
    for glob, rule_codes in rules:
        if fnmatch.fnmatch(relative, glob) or fnmatch.fnmatch(os.path.basename(path), glob):
            codes.extend(rule_codes)
    return tuple(codes)


def process_source(
    path: str, kind: Optional[str], source: SourceFile, settings: RunSettings, decide: Optional[Decide] = None
) -> FileResult:
    result = FileResult(path=path, kind=kind, original=source.text)
    try:
        outcome = rewrite_text(source.text, kind or "", settings.codemods, settings.options, path, decide)
    except SourceError as error:
        result.error = str(error)
        return result
    except RecursionError:
        result.error = "too deeply nested to rewrite"
        return result
    result.text = outcome.text
    result.findings = outcome.findings
    return result


def process_file(
    path: Path, kind: Optional[str], settings: RunSettings, decide: Optional[Decide] = None
) -> FileResult:
    """Read, rewrite and (with ``write``) write one file. Never raises for a bad file."""
    shown = str(path)
    settings = settings.for_path(shown)
    try:
        source = read_source(path, python=kind in ("python", None))
    except FileError as error:
        return FileResult(path=shown, kind=kind, error=str(error))
    if kind is None or rewriter_for(kind) is None:
        return FileResult(path=shown, kind=kind, original=source.text, text=source.text)
    result = process_source(shown, kind, source, settings, decide)
    if settings.write and result.changed:
        try:
            write_atomically(path, source, result.text)
            result.written = True
        except FileError as error:
            result.error = str(error)
    return result


def _process_in_worker(item: tuple[str, Optional[str], RunSettings]) -> FileResult:
    path, kind, settings = item
    return _without_texts_if_unchanged(process_file(Path(path), kind, settings))


def _without_texts_if_unchanged(result: FileResult) -> FileResult:
    # Unchanged files need no texts in the parent; this keeps memory flat on big trees.
    if not result.changed:
        result.original = result.text = None
    return result


#: Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 24


def run_files(
    files: Iterable[tuple[Path, Optional[str]]], settings: RunSettings, jobs: Optional[int] = None
) -> Iterator[FileResult]:
    """Process ``files``, in a process pool when there are enough of them; yields in order."""
    items = [(str(path), kind, settings) for path, kind in files]
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(items) < POOL_THRESHOLD:
        for item in items:
            yield _process_in_worker(item)
        return
    from concurrent.futures import ProcessPoolExecutor

    chunksize = max(1, min(64, len(items) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_process_in_worker, items, chunksize=chunksize)


def process_stdin(data: bytes, kind: Optional[str], name: str, settings: RunSettings) -> FileResult:
    try:
        source = decode(data, python=kind == "python")
    except FileError as error:
        return FileResult(path=name, kind=kind, error=str(error))
    return process_source(name, kind, source, settings)
