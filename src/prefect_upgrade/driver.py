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


def _resolve_source_version(request: Request, config: FileConfig) -> tuple[str, str]:
    wanted = request.from_version or config.from_version or "auto"
    if wanted in SOURCE_VERSIONS:
        origin = "--from-version" if request.from_version else f"from-version in {config.path}"
        return wanted, f"set by {origin}"
    if wanted != "auto":
        raise ConfigError(f"from-version must be one of {', '.join(SOURCE_VERSIONS)} or auto, not {wanted!r}")
    try:
        from prefect_upgrade.source_version import detect_source_version
    except ImportError:
        return "0.15", "no Prefect pin was read; assumed 0.15"
    paths = [p for p in request.paths if str(p) != "-"] or [Path.cwd()]
    return detect_source_version(paths)


def build_settings(request: Request) -> tuple[RunSettings, FileConfig, tuple[str, str]]:
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
    unsafe = request.unsafe_fixes if request.unsafe_fixes is not None else bool(config.unsafe_fixes)
    options = CodemodOptions(
        unsafe_fixes=unsafe, from_version=version, select=tuple(select), ignore=tuple(ignore)
    )
    settings = RunSettings(
        codemods=(),
        codes=selected_codes(select, ignore),
        options=options,
        write=request.write,
        per_file_ignores=tuple((glob, tuple(codes)) for glob, codes in config.per_file_ignores.items()),
        base=str(config.path.parent) if config.path else None,
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
    summary = reporting.Summary(source_version=version, source_version_reason=reason)
    keep_results = request.output_format == "json" or request.report is not None
    color = _color(request, stdout)
    err_color = _color(request, stderr)

    if request.paths == [Path("-")]:
        return _run_stdin(request, settings, summary, stdout, stderr, stdin)

    from prefect_upgrade.discovery import discover
    from prefect_upgrade.rewriters import has_rewriter
    from prefect_upgrade.runner import run_files

    missing = [p for p in request.paths if not p.exists() and not p.is_symlink()]
    for path in missing:
        result = FileResult(path=str(path), kind=None, error="no such file or directory")
        _emit(result, request, summary, stdout, stderr, color, keep_results, err_color)
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
                _emit(result, request, summary, out, err, color, keep_results, err_color)
                tick()
    except stopped as stop:
        _say(stderr, stop.message)
        if summary.files_seen:
            _finish(request, summary, stdout, stderr)
        return stop.status
    _finish(request, summary, stdout, stderr)
    return summary.exit_code


def _run_stdin(request, settings, summary, stdout, stderr, stdin) -> int:
    from prefect_upgrade.discovery import kind_of
    from prefect_upgrade.runner import process_stdin

    name = request.stdin_filename or "-"
    kind = kind_of(Path(name), sniff=False) if request.stdin_filename else "python"
    data = (stdin or sys.stdin.buffer).read()
    result = process_stdin(data, kind, name, settings)
    summary.add(result)
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
    _finish(request, summary, stdout, stderr)
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
    result: FileResult, request, summary, stdout, stderr, color: bool, keep_results: bool, err_color: bool = False
) -> None:
    summary.add(result)
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


def _finish(request: Request, summary: reporting.Summary, stdout, stderr) -> None:
    if request.output_format == "json":
        _say(stdout, reporting.json_document(summary))
    else:
        _say(stderr, reporting.Summary.line(summary, request.write or request.interactive))
    if request.report is not None:
        try:
            request.report.write_text(reporting.markdown_checklist(summary), encoding="utf-8")
        except OSError as error:
            _say(stderr, f"prefect-upgrade: error: cannot write report {request.report}: {error.strerror}")
            summary.errors += 1
