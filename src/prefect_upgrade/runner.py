"""The per-file pipeline: read, pre-filter, rewrite (one codemod at a time), verify, write."""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
import sys
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

from prefect_upgrade import suppressions
from prefect_upgrade.codemods.base import Codemod, CodemodOptions
from prefect_upgrade.findings import Finding, Reporter
from prefect_upgrade.files import FileError, SourceFile, decode, read_bytes, write_atomically
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
    guard = suppressions.Guard(kind)
    for codemod in candidates:
        reporter = Reporter()
        new_state = rewriter.apply(state, codemod, options, reporter, path)
        new_text = rewriter.render(new_state)
        findings = [f for f in reporter.findings if options.code_enabled(f.code)]
        # Findings are positioned in the text the step was given (``result.text``).
        if new_text != result.text:
            blocking, change = guard.blocking(result.text, new_text, list(codemod.codes()), findings)
            if not options.code_enabled(codemod.code) and not any(f.applied for f in findings):
                # Its own code is ignored and no selected sub-code claims the change: not made.
                findings = [_refused(f) for f in guard.visible(findings, result.text)]
            elif blocking:
                findings = [_refused(f) for f in guard.visible(findings, result.text)]
                note = suppressions.refusal_finding(codemod.code, change, blocking)
                findings += [note] if note else []
            else:
                findings = guard.visible(findings, result.text)
                if decide is not None and not decide(codemod, path, result.text, new_text, findings):
                    findings = [_refused(f) for f in findings]
                else:
                    # Keep every finding so far pointing at the same code in the new text.
                    if result.findings or findings:
                        mapper = suppressions.line_mapper(result.text, new_text)
                        result.findings = suppressions.moved(result.findings, mapper, result.text, new_text)
                        findings = suppressions.moved(findings, mapper, result.text, new_text)
                    state, result.text = new_state, new_text
                    result.applied.append(codemod.code)
        else:
            findings = guard.visible(findings, result.text)
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
    """Read, rewrite and (with ``write``) write one file. Never raises for a bad file.

    A file whose bytes hold no marker of any codemod that could apply to it is neither decoded
    nor parsed; its result carries no texts (it cannot change).
    """
    shown = str(path)
    settings = settings.for_path(shown)
    try:
        raw, mtime_ns = read_bytes(path)
    except FileError as error:
        return FileResult(path=shown, kind=kind, error=str(error))
    if kind is not None and rewriter_for(kind) is not None and not needs_work(raw, kind, settings.codemods):
        return FileResult(path=shown, kind=kind)
    return _process_raw(path, kind, raw, mtime_ns, settings, decide)


def _process_raw(
    path: Path,
    kind: Optional[str],
    raw: bytes,
    mtime_ns: Optional[int],
    settings: RunSettings,
    decide: Optional[Decide] = None,
) -> FileResult:
    shown = str(path)
    try:
        source = decode(raw, python=kind in ("python", None))
    except FileError as error:
        return FileResult(path=shown, kind=kind, error=str(error))
    source = SourceFile(source.text, source.encoding, raw, mtime_ns)
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


def _without_texts_if_unchanged(result: FileResult) -> FileResult:
    # Unchanged files need no texts in the parent; this keeps memory flat on big trees.
    if not result.changed:
        result.original = result.text = None
    return result


# -- the pre-filter ---------------------------------------------------------------------------

#: Codecs that write every ASCII character as that character's byte, so that a marker found in
#: the text is found in the bytes (UTF-7 is left out on purpose: it may spell ASCII in base64).
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


@dataclass(frozen=True)
class _Filter:
    """For one kind and one set of codemods: which may apply, and the bytes that must appear."""

    codemods: tuple[type[Codemod], ...]
    #: Markers as UTF-8 bytes, with every marker that contains another one dropped (a text that
    #: holds ``prefect.engine`` holds ``prefect``), shortest first.
    markers: tuple[bytes, ...]
    text_markers: tuple[str, ...]

    def search(self, raw: bytes) -> bool:
        for marker in self.markers:
            if marker in raw:
                return True
        return False


_filters: dict[tuple[str, tuple[type[Codemod], ...]], _Filter] = {}


def _filter_for(kind: str, codemods: tuple[type[Codemod], ...]) -> _Filter:
    key = (kind, codemods)
    found = _filters.get(key)
    if found is None:
        rewriter = rewriter_for(kind)
        handled = tuple(c for c in codemods if rewriter is not None and rewriter.handles(c))
        texts = sorted({m for c in handled for m in c.markers}, key=lambda m: (len(m), m))
        kept: list[str] = []
        for marker in texts:
            if not any(shorter in marker for shorter in kept):
                kept.append(marker)
        found = _Filter(handled, tuple(m.encode("utf-8") for m in kept), tuple(kept))
        _filters[key] = found
    return found


def _bytes_show_text(raw: bytes, kind: str, markers: Sequence[str]) -> bool:
    """Whether a marker absent from ``raw`` is surely absent from the decoded text too."""
    if kind != "python":
        return True  # decoded as UTF-8 (with or without BOM)
    if b"coding" not in raw[:400]:
        return True  # no PEP 263 cookie: UTF-8
    head = b"\n".join(raw.split(b"\n", 2)[:2])
    match = _COOKIE.search(head)
    if match is None:
        return True
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return False  # decoding reports the bad cookie
    if codec == "utf-7":
        return False
    try:
        return all(m.encode(codec) == m.encode("utf-8") for m in markers)
    except UnicodeError:
        return False


def needs_work(raw: bytes, kind: str, codemods: Sequence[type[Codemod]]) -> bool:
    """False when no codemod of ``codemods`` can change a ``kind`` file holding ``raw``.

    One cheap test of the bytes, before decoding: the markers of every codemod that handles the
    kind (``Codemod.markers``: text without any of them cannot need the codemod).
    """
    found = _filter_for(kind, tuple(codemods))
    if not found.codemods:
        return False
    if found.search(raw):
        return True
    return not _bytes_show_text(raw, kind, found.text_markers)


# -- many files -------------------------------------------------------------------------------

#: Below this many files that need parsing, a process pool costs more than it saves.
POOL_THRESHOLD = 16
#: At most this many files per worker wait for or are in work at any time.
_IN_FLIGHT_PER_WORKER = 8
#: At most this many results (most of them small: files the pre-filter skipped) wait to be
#: handed back in order behind a file still in work.
_MAX_WINDOW = 4096

_worker_settings: Optional[RunSettings] = None


def _init_worker(settings: RunSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def _work(item: tuple[str, Optional[str], bytes, Optional[int]]) -> FileResult:
    path, kind, raw, mtime_ns = item
    assert _worker_settings is not None
    settings = _worker_settings.for_path(path)
    return _without_texts_if_unchanged(_process_raw(Path(path), kind, raw, mtime_ns, settings))


def _pool(workers: int, settings: RunSettings):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forking shares the modules (libcst, the codemods) the parent already imported.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(settings,))


def run_files(
    files: Iterable[tuple[Path, Optional[str]]], settings: RunSettings, jobs: Optional[int] = None
) -> Iterator[FileResult]:
    """Process ``files``; yields one result per file, in order.

    Files are read and pre-filtered here, as they come; only the files that need parsing go to
    work. They are worked on in this process until ``POOL_THRESHOLD`` of them are waiting, and
    only then in a pool of ``jobs`` processes (default: all cores). At most a few files per
    worker are in flight, so memory stays flat however big the tree is.
    """
    workers = jobs or os.cpu_count() or 1
    #: In order: finished results, futures, or ("wait", item) not yet handed to any worker.
    window: deque = deque()
    waiting = 0  # files waiting for work while no pool runs
    pending = 0  # files waiting or in work
    pool = None
    in_flight = max(POOL_THRESHOLD, workers * _IN_FLIGHT_PER_WORKER)
    try:
        for path, kind in files:
            shown = str(path)
            file_settings = settings.for_path(shown)
            if kind is None or rewriter_for(kind) is None:
                window.append(_without_texts_if_unchanged(_process_raw_from_disk(path, kind, file_settings)))
            else:
                try:
                    raw, mtime_ns = read_bytes(path)
                except FileError as error:
                    window.append(FileResult(path=shown, kind=kind, error=str(error)))
                else:
                    if not needs_work(raw, kind, file_settings.codemods):
                        window.append(FileResult(path=shown, kind=kind))
                    else:
                        item = (shown, kind, raw, mtime_ns)
                        if workers <= 1:
                            window.append(_result(_Waiting(item), settings))
                        elif pool is not None:
                            window.append(pool.submit(_work, item))
                            pending += 1
                        else:
                            pending += 1
                            window.append(_Waiting(item))
                            waiting += 1
                            if workers > 1 and waiting >= POOL_THRESHOLD:
                                pool = _pool(workers, settings)
                                _submit_waiting(window, pool)
                                waiting = 0
            # Hand back what is done at the front; bound what is held.
            while window and (_done(window[0]) or pending >= in_flight or len(window) > _MAX_WINDOW):
                entry = window.popleft()
                if not isinstance(entry, FileResult):
                    pending -= 1
                if isinstance(entry, _Waiting):
                    waiting -= 1
                yield _result(entry, settings)
        while window:
            yield _result(window.popleft(), settings)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Waiting:
    item: tuple[str, Optional[str], bytes, Optional[int]]


def _done(entry) -> bool:
    if isinstance(entry, FileResult):
        return True
    if isinstance(entry, _Waiting):
        return False
    return entry.done()


def _submit_waiting(window: deque, pool) -> None:
    for index, entry in enumerate(window):
        if isinstance(entry, _Waiting):
            window[index] = pool.submit(_work, entry.item)


def _result(entry, settings: RunSettings) -> FileResult:
    if isinstance(entry, FileResult):
        return entry
    if isinstance(entry, _Waiting):
        path, kind, raw, mtime_ns = entry.item
        return _without_texts_if_unchanged(
            _process_raw(Path(path), kind, raw, mtime_ns, settings.for_path(path))
        )
    return entry.result()


def _process_raw_from_disk(path: Path, kind: Optional[str], settings: RunSettings) -> FileResult:
    try:
        raw, mtime_ns = read_bytes(path)
    except FileError as error:
        return FileResult(path=str(path), kind=kind, error=str(error))
    return _process_raw(path, kind, raw, mtime_ns, settings)


def process_stdin(data: bytes, kind: Optional[str], name: str, settings: RunSettings) -> FileResult:
    try:
        source = decode(data, python=kind == "python")
    except FileError as error:
        return FileResult(path=name, kind=kind, error=str(error))
    return process_source(name, kind, source, settings)
