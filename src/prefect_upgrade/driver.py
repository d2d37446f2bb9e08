"""One run of the tool: settings from the command line and pyproject, files, results, output."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, TextIO

from prefect_upgrade import report as reporting
from prefect_upgrade.codemods.options import SOURCE_VERSIONS, CodemodOptions
from prefect_upgrade.config import ConfigError, FileConfig, find_pyproject, load_config
from prefect_upgrade.diff import colorize, unified_diff
from prefect_upgrade.runner import FileResult, RunSettings


@dataclass
class Request:
    paths: list[Path]
    write: bool = False
    check: bool = False
    interactive: bool = False
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    unsafe_fixes: Optional[bool] = None
    output_format: str = "text"
    jobs: Optional[int] = None
    exclude: list[str] = field(default_factory=list)
    stdin_filename: Optional[str] = None
    report: Optional[Path] = None
    from_version: Optional[str] = None
    color: Optional[bool] = None
    #: Apply ``exclude`` patterns to files named on the command line too (the pre-commit hooks).
    force_exclude: bool = False


def _say(stream: TextIO, text: str) -> None:
    text = text if text.endswith("\n") else text + "\n"
    try:
        stream.write(text)
    except UnicodeEncodeError:
        # A file name that is not valid UTF-8 (kept by Python as surrogates) must not end the run.
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def _resolve_source_version(request: Request, config: FileConfig) -> tuple[Optional[str], str]:
    """(version, reason) set by the command line or the configuration; (None, "auto") when
    each file's is read from the pins nearest to it (``source_version.PerFileVersions``)."""
    wanted = request.from_version or config.from_version or "auto"
    if wanted in SOURCE_VERSIONS:
        origin = "--from-version" if request.from_version else f"from-version in {config.path}"
        return wanted, f"set by {origin}"
    if wanted != "auto":
        raise ConfigError(f"from-version must be one of {', '.join(SOURCE_VERSIONS)} or auto, not {wanted!r}")
    return None, "auto"


def _given_paths(request: Request) -> list[Path]:
    return [p for p in request.paths if str(p) != "-"] or [Path.cwd()]


def build_settings(request: Request) -> tuple[RunSettings, FileConfig, tuple[Optional[str], str]]:
    """The run's settings, its configuration, and its source version with the reason (the
    version is None with ``auto``: ``settings.versions`` decides it for each file)."""
    # Answered from the registry's index: no codemod module (nor libcst) is imported here.
    from prefect_upgrade.codemods import known_codes, selected_codes

    config = load_config(find_pyproject(request.paths))
    select = request.select or config.select
    ignore = request.ignore or config.ignore
    known = known_codes()
    for code in [*select, *ignore, *(c for codes in config.per_file_ignores.values() for c in codes)]:
        if not any(k.startswith(code) for k in known):
            raise ConfigError(f"unknown code or prefix {code!r} (see --list-codemods)")
    version, reason = _resolve_source_version(request, config)
    versions = None
    if version is None:
        from prefect_upgrade.source_version import PerFileVersions

        versions = PerFileVersions(_given_paths(request))
    unsafe = request.unsafe_fixes if request.unsafe_fixes is not None else bool(config.unsafe_fixes)
    options = CodemodOptions(
        unsafe_fixes=unsafe, from_version=version or "0.15", select=tuple(select), ignore=tuple(ignore)
    )
    settings = RunSettings(
        codemods=(),
        codes=selected_codes(select, ignore),
        options=options,
        write=request.write,
        per_file_ignores=tuple((glob, tuple(codes)) for glob, codes in config.per_file_ignores.items()),
        base=str(config.path.parent) if config.path else None,
        versions=versions,
    )
    return settings, config, (version, reason)


INTERRUPTED = 130


def run(request: Request, stdout: TextIO = None, stderr: TextIO = None, stdin=None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        return _run(request, stdout, stderr, stdin)
    except KeyboardInterrupt:
        _say(stderr, "prefect-upgrade: interrupted; every file is either as it was or fully upgraded")
        return INTERRUPTED


def _run(request: Request, stdout: TextIO, stderr: TextIO, stdin) -> int:
    try:
        settings, config, (version, reason) = build_settings(request)
    except ConfigError as error:
        _say(stderr, f"prefect-upgrade: error: {error}")
        return 2
    summary = reporting.Summary(source_version=version, source_version_reason=reason if version else None)
    versions = _Versions(settings, version, reason, request)
    keep_results = request.output_format == "json" or request.report is not None
    color = _color(request, stdout)
    err_color = _color(request, stderr)

    if request.paths == [Path("-")]:
        return _run_stdin(request, settings, summary, stdout, stderr, stdin, versions)

    from prefect_upgrade.discovery import discover
    from prefect_upgrade.rewriters import has_rewriter
    from prefect_upgrade.runner import run_files

    missing = [p for p in request.paths if not p.exists() and not p.is_symlink()]
    for path in missing:
        result = FileResult(path=str(path), kind=None, error="no such file or directory")
        _emit(result, request, summary, stdout, stderr, color, keep_results, err_color)  # read as no version
    candidates = [
        c
        for c in discover([p for p in request.paths if p not in missing], [*config.exclude, *request.exclude])
        if has_rewriter(c.kind) or (c.explicit and c.kind is None and c.path.is_dir())
    ]
    if request.force_exclude:
        candidates = _force_exclude(candidates, [*config.exclude, *request.exclude], config)
    stopped: tuple = ()
    if request.interactive:
        from prefect_upgrade.review import ReviewStopped, review_files

        stopped = (ReviewStopped,)
        results = review_files(candidates, settings.loaded(), stdout, stderr, color, stdin=stdin)
    else:
        results = run_files(((c.path, c.kind) for c in candidates), settings, request.jobs or config.jobs)
    from prefect_upgrade import progress

    show_progress = not request.interactive and progress.wanted(request.output_format, stderr, len(candidates))
    try:
        with (progress.bar(len(candidates), stdout, stderr, err_color) if show_progress else progress.quiet(stdout, stderr)) as (out, err, tick):
            for result in results:
                _emit(result, request, summary, out, err, color, keep_results, err_color, versions)
                tick()
    except stopped as stop:
        _say(stderr, stop.message)
        if summary.files_seen:
            _finish(request, summary, stdout, stderr, versions)
        return stop.status
    _finish(request, summary, stdout, stderr, versions)
    return summary.exit_code


class _Versions:
    """The source version each file was read as, for the summary: the one set for the run, or
    (``auto``) the one ``settings.versions`` decided for the file (the same answer, from the
    same cache, as the runner's)."""

    def __init__(self, settings: RunSettings, version: Optional[str], reason: str, request: Request) -> None:
        self.per_file = settings.versions
        self.fixed = (version, reason) if version else None
        self.request = request

    def of(self, path: str) -> tuple[str, str]:
        if self.per_file is None:
            return self.fixed
        return tuple(self.per_file.for_file(path))

    def settle(self, summary: reporting.Summary) -> None:
        """The summary's ``source_version``/``source_version_reason`` from the files' versions;
        with no file (paths that do not exist), what the given paths' pins say."""
        if summary.source_versions:
            summary.settle_source_version()
        elif self.per_file is not None:
            from prefect_upgrade.source_version import detect_source_version

            summary.source_version, summary.source_version_reason = detect_source_version(_given_paths(self.request))


def _run_stdin(request, settings, summary, stdout, stderr, stdin, versions: _Versions) -> int:
    from prefect_upgrade.discovery import kind_of
    from prefect_upgrade.runner import process_stdin

    name = request.stdin_filename or "-"
    kind = kind_of(Path(name), sniff=False) if request.stdin_filename else "python"
    data = (stdin or sys.stdin.buffer).read()
    # The text is read as the file it names would be (without a name: a file in the working folder).
    version = versions.of(name if request.stdin_filename else os.path.join(os.getcwd(), "-"))
    result = process_stdin(data, kind, name, settings.with_from_version(version[0]))
    summary.add(result, version)
    if request.output_format == "json":
        summary.results.append(result)
    elif request.output_format == "github":
        for line in reporting.github_lines(result):
            _say(stdout, line)
    if result.error:
        _say(stderr, reporting.error_line(name, result.error))
    else:
        if request.output_format == "text" and not request.check:
            stdout.write(result.text)
            stdout.flush()
        if request.output_format == "text":
            for finding in result.findings:
                _say(stderr, reporting.finding_line(name, finding))
    _finish(request, summary, stdout, stderr, versions)
    return summary.exit_code


def _color(request: Request, stream: TextIO) -> bool:
    """``--color/--no-color``, else colour on a terminal unless ``NO_COLOR`` is set (no-color.org)."""
    if request.color is not None:
        return request.color
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _force_exclude(candidates, patterns, config: FileConfig):
    """Drop files named on the command line that an exclude pattern matches (for pre-commit)."""
    import fnmatch

    base = config.path.parent if config.path else Path.cwd()
    kept = []
    for candidate in candidates:
        if candidate.explicit and patterns:
            absolute = Path(os.path.abspath(candidate.path))
            try:
                relative = absolute.relative_to(base.resolve()).as_posix()
            except ValueError:
                relative = candidate.path.as_posix()
            parts = relative.split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(
                fnmatch.fnmatch(name, pattern.rstrip("/")) for pattern in patterns for name in [*parts, *prefixes]
            ):
                continue
        kept.append(candidate)
    return kept


def _emit(
    result: FileResult,
    request,
    summary,
    stdout,
    stderr,
    color: bool,
    keep_results: bool,
    err_color: bool = False,
    versions: Optional[_Versions] = None,
) -> None:
    summary.add(result, versions.of(result.path) if versions is not None else None)
    if keep_results:
        summary.results.append(result)
    if request.output_format == "github":
        for line in reporting.github_lines(result):
            _say(stdout, line)
    if result.error:
        _say(stderr, reporting.error_line(result.path, result.error))
    if request.output_format == "json":
        return
    if result.changed and not request.write and not request.interactive:
        if request.check:
            _say(stdout, f"would change: {result.path}")
        elif request.output_format == "text":
            diff = unified_diff(result.original, result.text, result.path)
            stdout.write(colorize(diff) if color else diff)
            stdout.flush()
    if request.output_format == "text":
        for finding in result.findings:
            _say(stderr, reporting.finding_line(result.path, finding, err_color))


def _finish(request: Request, summary: reporting.Summary, stdout, stderr, versions: Optional[_Versions] = None) -> None:
    if versions is not None:
        versions.settle(summary)
    if request.output_format == "json":
        _say(stdout, reporting.json_document(summary))
    else:
        mixed = reporting.version_line(summary)
        if mixed:
            _say(stderr, mixed)
        _say(stderr, reporting.Summary.line(summary, request.write or request.interactive))
    if request.report is not None:
        try:
            request.report.write_text(reporting.markdown_checklist(summary), encoding="utf-8")
        except OSError as error:
            _say(stderr, f"prefect-upgrade: error: cannot write report {request.report}: {error.strerror}")
            summary.errors += 1
