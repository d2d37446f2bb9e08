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
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Sequence

from prefect_upgrade import codemods as registry
from prefect_upgrade import suppressions
from prefect_upgrade.codemods.options import CodemodOptions
from prefect_upgrade.findings import Finding, Reporter
from prefect_upgrade.files import FileError, SourceFile, decode, read_bytes, write_atomically
from prefect_upgrade.rewriters import SourceError, has_rewriter, rewriter_for

if TYPE_CHECKING:  # the codemods' base imports libcst: only for files that need a codemod
    from prefect_upgrade.codemods.base import Codemod
    from prefect_upgrade.source_version import PerFileVersions

#: Asked before a codemod's change to a file is kept: (codemod, path, before, after, findings).
Decide = Callable[["type[Codemod]", str, str, str, Sequence[Finding]], bool]


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


#: Whether codemods that may run as one (``Codemod.fuses_as``) do so; tests turn it off to
#: check that it changes nothing.
FUSE = True


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
    candidates = [c for c in codemods if rewriter.handles(c) and c.applies_to(text)]
    if not candidates:
        return TextResult(text)
    state = rewriter.parse(text, path)
    result = TextResult(text)
    guard = suppressions.Guard(kind)
    for members in _steps(candidates, fuse=FUSE and decide is None):
        if result.text is not text:
            # An earlier step may have taken away every marker a later codemod needs (the
            # environments it reads were converted): then it has nothing to do.
            members = tuple(c for c in members if c.applies_to(result.text))
        if len(members) > 1:
            fused = _apply_fused(rewriter, state, members, options, path, result, guard)
            if fused is not None:
                state = fused
                continue
        for codemod in members:
            state = _apply_one(rewriter, state, codemod, options, path, result, guard, decide)
    if result.text != text:
        rewriter.verify(text, result.text, path)
    result.findings.sort(key=lambda f: (f.line, f.col, f.code))
    return result


def _steps(candidates: Sequence[type[Codemod]], fuse: bool) -> list[tuple[type[Codemod], ...]]:
    """The candidates in order, those next to each other with the same ``fuses_as`` together."""
    steps: list[tuple[type[Codemod], ...]] = []
    for codemod in candidates:
        key = codemod.fuses_as if fuse else None
        if key is not None and steps and steps[-1][0].fuses_as == key:
            steps[-1] += (codemod,)
        else:
            steps.append((codemod,))
    return steps


def _run(rewriter, state, codemod, options, path):
    """``codemod`` applied to ``state``: the new state, its text and the selected findings
    (positioned in the text the step was given)."""
    reporter = Reporter()
    new_state = rewriter.apply(state, codemod, options, reporter, path)
    findings = [f for f in reporter.findings if options.code_enabled(f.code)]
    return new_state, rewriter.render(new_state), findings


def _apply_one(rewriter, state, codemod, options, path, result: TextResult, guard, decide):
    """One codemod's step: its change is kept unless suppressed, ignored or refused."""
    new_state, new_text, findings = _run(rewriter, state, codemod, options, path)
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
                _keep(result, new_text, findings, [codemod.code])
                state = new_state
    else:
        findings = guard.visible(findings, result.text)
    result.findings.extend(findings)
    return state


def _apply_fused(rewriter, state, members, options, path, result: TextResult, guard):
    """``members`` run as one codemod; None (nothing recorded) when the one-by-one steps could
    keep less than the whole change: a suppression covers it, or a member's code is ignored."""
    if not all(options.code_enabled(codemod.code) for codemod in members):
        return None
    new_state, new_text, findings = _run(rewriter, state, members[0].fused(members), options, path)
    if new_text != result.text:
        codes = [code for codemod in members for code in codemod.codes()]
        if guard.blocking(result.text, new_text, codes, findings)[0]:
            return None
        findings = guard.visible(findings, result.text)
        applied = {f.code for f in findings if f.applied}
        _keep(result, new_text, findings, [c.code for c in members if applied & set(c.codes())])
        state = new_state
    else:
        findings = guard.visible(findings, result.text)
    result.findings.extend(findings)
    return state


def _keep(result: TextResult, new_text: str, findings: list[Finding], codes: list[str]) -> None:
    """Keep a step's change: every finding so far follows the code into the new text."""
    if result.findings or findings:
        mapper = suppressions.line_mapper(result.text, new_text)
        # earlier steps' fixes follow their code, or go with it (a fix is reported on the written file)
        result.findings = suppressions.moved(result.findings, mapper, result.text, new_text, follow_fixes=True)
        findings[:] = suppressions.moved(findings, mapper, result.text, new_text)
    result.text = new_text
    result.applied.extend(codes)


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
    #: When set, the selected codemods by main code (``codemods`` is then empty): each file gets
    #: the classes of those whose markers its bytes hold, imported only then (see ``_work_for``).
    codes: Optional[tuple[str, ...]] = None
    #: ``--from-version auto``: the source version is decided for each file (``for_path``);
    #: ``options.from_version`` holds it once decided. None: ``options.from_version`` for all.
    versions: Optional["PerFileVersions"] = None
    #: ``with_from_version``'s answers, made once per version (not once per file).
    _by_version: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def for_path(self, path: str) -> "RunSettings":
        """These settings for the file ``path``: its source version decided (with
        ``versions``), and the per-file ignores that match it applied."""
        settings = self
        if self.versions is not None:
            settings = self.with_from_version(self.versions.for_file(path).version)
        extra = _per_file_codes(path, settings.per_file_ignores, settings.base)
        if not extra:
            return settings
        options = replace(settings.options, ignore=settings.options.ignore + extra)
        if settings.codes is not None:
            entries = registry.index_entries()
            codes = tuple(
                c for c in settings.codes if any(options.code_enabled(code) for code in entries[c].codes)
            )
            return replace(settings, codes=codes, options=options, per_file_ignores=())
        codemods = tuple(
            c for c in settings.codemods if any(options.code_enabled(code) for code in c.codes())
        )
        return replace(settings, codemods=codemods, options=options, per_file_ignores=())

    def with_from_version(self, version: str) -> "RunSettings":
        """These settings with the source version ``version`` for every file."""
        if self.versions is None and self.options.from_version == version:
            return self
        found = self._by_version.get(version)
        if found is None:
            found = self._by_version[version] = replace(
                self, versions=None, options=replace(self.options, from_version=version)
            )
        return found

    def loaded(self) -> "RunSettings":
        """These settings with every selected codemod imported (``codemods`` filled)."""
        if self.codes is None:
            return self
        return replace(self, codemods=registry.load(self.codes), codes=None)


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
    if kind is not None and has_rewriter(kind):
        work = _work_for(raw, kind, settings)
        if work is None:
            return FileResult(path=shown, kind=kind)
        settings = work[0]
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
    if kind is None or not has_rewriter(kind):
        return FileResult(path=shown, kind=kind, original=source.text, text=source.text)
    if settings.codes is not None:
        work = _work_for(raw, kind, settings)
        settings = work[0] if work is not None else settings.loaded()
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

    #: The codemods that handle the kind: classes, or main codes (read from the index).
    codemods: tuple
    #: Markers as UTF-8 bytes, with every marker that contains another one dropped (a text that
    #: holds ``prefect.engine`` holds ``prefect``), shortest first.
    markers: tuple[bytes, ...]
    text_markers: tuple[str, ...]
    #: Each codemod's own markers as UTF-8 bytes, in the order of ``codemods``.
    each: tuple[tuple[bytes, ...], ...] = ()

    def search(self, raw: bytes) -> bool:
        for marker in self.markers:
            if marker in raw:
                return True
        return False

    def matching(self, raw: bytes) -> tuple:
        """The codemods (of ``codemods``) whose markers ``raw`` holds."""
        return tuple(c for c, markers in zip(self.codemods, self.each) if any(m in raw for m in markers))


_filters: dict[tuple, _Filter] = {}


def _make_filter(handled: tuple, markers_of: Sequence[Sequence[str]]) -> _Filter:
    texts = sorted({m for markers in markers_of for m in markers}, key=lambda m: (len(m), m))
    kept: list[str] = []
    for marker in texts:
        if not any(shorter in marker for shorter in kept):
            kept.append(marker)
    each = tuple(tuple(m.encode("utf-8") for m in markers) for markers in markers_of)
    return _Filter(handled, tuple(m.encode("utf-8") for m in kept), tuple(kept), each)


def _filter_for(kind: str, codemods: tuple[type[Codemod], ...]) -> _Filter:
    key = (kind, codemods)
    found = _filters.get(key)
    if found is None:
        rewriter = rewriter_for(kind)
        handled = tuple(c for c in codemods if rewriter is not None and rewriter.handles(c))
        found = _filters[key] = _make_filter(handled, [c.markers for c in handled])
    return found


def _filter_for_codes(kind: str, codes: tuple[str, ...]) -> _Filter:
    """``_filter_for`` from the registry's index: no codemod module is imported."""
    key = ("codes", kind, codes)
    found = _filters.get(key)
    if found is None:
        handles = set(registry.handled_codes(kind))
        entries = registry.index_entries()
        handled = tuple(c for c in codes if c in handles)
        found = _filters[key] = _make_filter(handled, [entries[c].markers for c in handled])
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


def _present(found: _Filter, raw: bytes, kind: str) -> Optional[tuple]:
    """The codemods of ``found`` whose markers ``raw`` holds (all of them when the encoding
    hides what the bytes say); None when there are none."""
    if not found.codemods:
        return None
    if not _bytes_show_text(raw, kind, found.text_markers):
        return found.codemods  # an unusual encoding: the bytes cannot tell
    if found.search(raw):
        return found.matching(raw)
    return None


def needs_work(raw: bytes, kind: str, codemods: Sequence[type[Codemod]]) -> bool:
    """False when no codemod of ``codemods`` can change a ``kind`` file holding ``raw``.

    One cheap test of the bytes, before decoding: the markers of every codemod that handles the
    kind (``Codemod.markers``: text without any of them cannot need the codemod).
    """
    return _present(_filter_for(kind, tuple(codemods)), raw, kind) is not None


def _work_for(raw: bytes, kind: str, settings: RunSettings) -> Optional[tuple[RunSettings, int]]:
    """None when no selected codemod can change a ``kind`` file holding ``raw``; else the
    settings to rewrite it with and an estimate of the work (see ``POOL_MIN_WORK``).

    With ``settings.codes`` (the command line), the index answers, and the settings returned
    carry only the codemods whose markers the bytes hold, imported now: a codemod whose markers
    are absent cannot apply (its ``may_apply`` is never looser than its markers), so the
    rewrite is the same as with every selected codemod. With classes (``settings.codemods``),
    they are kept as given.
    """
    if settings.codes is not None and registry._loaded:
        settings = settings.loaded()  # every class is imported (or a test swapped the registry)
    if settings.codes is None:
        found = _filter_for(kind, tuple(settings.codemods))
    else:
        found = _filter_for_codes(kind, settings.codes)
    matched = _present(found, raw, kind)
    if matched is None:
        return None
    if settings.codes is not None:
        settings = replace(settings, codemods=registry.load(matched), codes=None)
    return settings, len(raw) * max(1, len(matched))


# -- many files -------------------------------------------------------------------------------

#: Estimated work (bytes of a file that needs parsing × the codemods whose markers it holds)
#: below which a process pool costs more than it saves. Measured on one core: ~50 µs a unit for
#: Prefect-dense flows (a 6 kB flow holding 20 codemods' markers: ~6 s; a 200-byte one: ~0.1 s),
#: less for files that merely mention a marker; a pool costs ~0.1-0.3 s to start. So ~1 s.
POOL_MIN_WORK = 20_000
#: A pool needs at least this many files that need parsing to share out.
POOL_MIN_FILES = 2
#: At most this many files per worker wait for or are in work at any time (at least 16 in all).
_IN_FLIGHT_PER_WORKER = 8
_MIN_IN_FLIGHT = 16
#: At most this many results (most of them small: files the pre-filter skipped) wait to be
#: handed back in order behind a file still in work.
_MAX_WINDOW = 4096


def wants_pool(workers: int, files: int, work: int) -> bool:
    """Whether ``files`` that need parsing, of estimated ``work`` in all, are worth a pool."""
    return workers > 1 and files >= POOL_MIN_FILES and work >= POOL_MIN_WORK


_worker_settings: Optional[RunSettings] = None


def _init_worker(settings: RunSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def _work(item: tuple[str, Optional[str], bytes, Optional[int], str]) -> FileResult:
    """One file in a pool worker. Its source version comes with it (``_Waiting.job``): it was
    decided in the main process, before the run could rewrite the pins it reads."""
    path, kind, raw, mtime_ns, from_version = item
    assert _worker_settings is not None
    settings = _worker_settings.with_from_version(from_version).for_path(path)
    return _without_texts_if_unchanged(_process_raw(Path(path), kind, raw, mtime_ns, settings))


def _pool(workers: int, settings: RunSettings):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forking shares the modules (libcst, the codemods) the parent already imported.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    # Without the per-file versions: each file's comes with it (``_work``).
    settings = replace(settings, versions=None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(settings,))


def _preload(settings: RunSettings, kinds: Iterable[str]) -> None:
    """Import the selected codemods and the rewriters of ``kinds`` once, before workers fork."""
    if settings.codes is not None:
        registry.load(settings.codes)
    for kind in kinds:
        rewriter_for(kind)


def run_files(
    files: Iterable[tuple[Path, Optional[str]]], settings: RunSettings, jobs: Optional[int] = None
) -> Iterator[FileResult]:
    """Process ``files``; yields one result per file, in order.

    Files are read and pre-filtered here, as they come; only the files that need parsing go to
    work. They wait (and, when too many wait, are worked on in this process, front first) until
    the work known so far is worth a pool of ``jobs`` processes (default: all cores,
    ``wants_pool``), or the files run out: then what still waits is worked on here. At most a
    few files per worker are in flight, so memory stays flat however big the tree is.
    """
    workers = jobs or os.cpu_count() or 1
    #: In order: finished results, futures, or ("wait", item) not yet handed to any worker.
    window: deque = deque()
    pending = 0  # files waiting or in work
    pool = None
    needing = known_work = 0  # files that need parsing and their estimated work, so far
    kinds: set[str] = set()
    in_flight = max(_MIN_IN_FLIGHT, workers * _IN_FLIGHT_PER_WORKER)
    try:
        for path, kind in files:
            shown = str(path)
            file_settings = settings.for_path(shown)
            if kind is None or not has_rewriter(kind):
                window.append(_without_texts_if_unchanged(_process_raw_from_disk(path, kind, file_settings)))
            else:
                try:
                    raw, mtime_ns = read_bytes(path)
                except FileError as error:
                    window.append(FileResult(path=shown, kind=kind, error=str(error)))
                else:
                    work = _work_for(raw, kind, file_settings)
                    if work is None:
                        window.append(FileResult(path=shown, kind=kind))
                    else:
                        waiting = _Waiting((shown, kind, raw, mtime_ns), work[0])
                        if workers <= 1:
                            window.append(_result(waiting))
                        elif pool is not None:
                            window.append(pool.submit(_work, waiting.job))
                            pending += 1
                        else:
                            pending += 1
                            window.append(waiting)
                            needing += 1
                            known_work += work[1]
                            kinds.add(kind)
                            if wants_pool(workers, needing, known_work):
                                _preload(settings, kinds)
                                pool = _pool(workers, settings)
                                _submit_waiting(window, pool)
            # Hand back what is done at the front; bound what is held.
            while window and (_done(window[0]) or pending >= in_flight or len(window) > _MAX_WINDOW):
                entry = window.popleft()
                if not isinstance(entry, FileResult):
                    pending -= 1
                yield _result(entry)
        while window:
            yield _result(window.popleft())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Waiting:
    item: tuple[str, Optional[str], bytes, Optional[int]]
    #: The file's settings as ``_work_for`` narrowed them, for work in this process.
    settings: RunSettings

    @property
    def job(self) -> tuple[str, Optional[str], bytes, Optional[int], str]:
        """What a pool worker is given (``_work``): the file and its source version."""
        return (*self.item, self.settings.options.from_version)


def _done(entry) -> bool:
    if isinstance(entry, FileResult):
        return True
    if isinstance(entry, _Waiting):
        return False
    return entry.done()


def _submit_waiting(window: deque, pool) -> None:
    for index, entry in enumerate(window):
        if isinstance(entry, _Waiting):
            window[index] = pool.submit(_work, entry.job)


def _result(entry) -> FileResult:
    if isinstance(entry, FileResult):
        return entry
    if isinstance(entry, _Waiting):
        path, kind, raw, mtime_ns = entry.item
        return _without_texts_if_unchanged(_process_raw(Path(path), kind, raw, mtime_ns, entry.settings))
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
    if settings.codes is not None:
        work = _work_for(data, kind, settings) if has_rewriter(kind) else None
        settings = work[0] if work is not None else replace(settings, codes=None)
    return process_source(name, kind, source, settings)
