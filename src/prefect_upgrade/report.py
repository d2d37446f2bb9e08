"""What a run says: findings as text, JSON or GitHub annotations, and the Markdown checklist."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Optional

from prefect_upgrade.findings import Finding, FixClass
from prefect_upgrade.runner import FileResult


def needs_attention(finding: Finding) -> bool:
    """A finding a person still has to act on: manual, or a fix that was not applied."""
    return not finding.applied


#: ``Summary.source_version`` when the files were not all read as the same version.
PER_PROJECT = "per project"
#: At most this many (version, reason) groups are named in ``source_version_reason``.
_MAX_GROUPS = 5


@dataclass
class Summary:
    files_seen: int = 0
    files_changed: int = 0
    manual: int = 0
    #: Of ``manual``, the findings of the manual fix class (the rest are fixes not applied).
    manual_only: int = 0
    errors: int = 0
    fixes: int = 0
    #: The Prefect version the code was read as ("0.13", "0.14", "0.15"), or ``PER_PROJECT``
    #: when files were read as different versions (``source_versions`` says which).
    source_version: Optional[str] = None
    source_version_reason: Optional[str] = None
    #: How many files were read as each (version, reason).
    source_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    results: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult, source_version: Optional[tuple[str, str]] = None) -> None:
        """Count ``result``, read as ``source_version`` ((version, reason)) when given."""
        if source_version is not None:
            key = (source_version[0], source_version[1])
            self.source_versions[key] = self.source_versions.get(key, 0) + 1
        self.files_seen += 1
        if result.error:
            self.errors += 1
        if result.changed:
            self.files_changed += 1
        self.manual += sum(1 for f in result.findings if needs_attention(f))
        self.manual_only += sum(1 for f in result.findings if needs_attention(f) and f.fix_class is FixClass.MANUAL)
        self.fixes += sum(1 for f in result.findings if f.applied)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        if self.files_changed or self.manual:
            return 1
        return 0

    def version_groups(self) -> list[tuple[str, str, int]]:
        """(version, reason, files) for each way files were read: oldest version first, then
        the reason that covers most files."""
        groups = [(version, reason, files) for (version, reason), files in self.source_versions.items()]
        return sorted(groups, key=lambda g: (g[0], -g[2], g[1]))

    @property
    def mixed_versions(self) -> bool:
        return len({version for version, _ in self.source_versions}) > 1

    def settle_source_version(self) -> None:
        """``source_version`` and its reason from ``source_versions``: the version when every
        file got the same (the reason of the most files, naming the others), else
        ``PER_PROJECT`` with every group in the reason."""
        groups = self.version_groups()
        if not groups:
            return
        if not self.mixed_versions:
            self.source_version = groups[0][0]
            if len(groups) == 1:
                self.source_version_reason = groups[0][1]
            else:
                by_files = sorted(groups, key=lambda g: (-g[2], g[1]))
                self.source_version_reason = "; ".join(
                    f"{reason} ({_files(files)})" for _, reason, files in by_files[:_MAX_GROUPS]
                ) + _more(len(by_files))
            return
        self.source_version = PER_PROJECT
        self.source_version_reason = "; ".join(
            f"{version} for {_files(files)}, {reason}" for version, reason, files in groups[:_MAX_GROUPS]
        ) + _more(len(groups))

    def line(self, write: bool) -> str:
        """The closing line, e.g. ``12 files seen, 3 would change (5 fixes), 1 finding to review``."""
        verb = "changed" if write else "would change"
        changed = f"{self.files_changed} {verb}"
        if self.fixes:
            changed += f" ({self.fixes} fix{'es' if self.fixes != 1 else ''})"
        parts = [
            f"{self.files_seen} file{'s' if self.files_seen != 1 else ''} seen",
            changed,
            f"{self.manual} finding{'s' if self.manual != 1 else ''} to review",
        ]
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        return ", ".join(parts)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def _more(groups: int) -> str:
    left = groups - _MAX_GROUPS
    return f"; and {left} more (see --format json)" if left > 0 else ""


def version_line(summary: Summary) -> Optional[str]:
    """A line naming the versions the files were read as, when they were not all the same."""
    if not summary.mixed_versions:
        return None
    return f"source version: {PER_PROJECT} ({summary.source_version_reason})"


_STATUS = {FixClass.SAFE: "safe", FixClass.UNSAFE: "unsafe", FixClass.MANUAL: "manual"}


_STATUS_COLOR = {"fixed": "32", "safe": "33", "unsafe": "33", "manual": "31"}


def finding_line(path: str, finding: Finding, color: bool = False) -> str:
    status = "fixed" if finding.applied else _STATUS[finding.fix_class]
    if not color:
        return f"{path}:{finding.line}:{finding.col}: {finding.code} {finding.message} [{status}]"
    return (
        f"\x1b[1m{path}:{finding.line}:{finding.col}:\x1b[0m \x1b[1;{_STATUS_COLOR[status]}m{finding.code}\x1b[0m "
        f"{finding.message} \x1b[{_STATUS_COLOR[status]}m[{status}]\x1b[0m"
    )


def error_line(path: str, error: str) -> str:
    return f"{path}: error: {error}"


def _escape_github(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_lines(result: FileResult) -> Iterable[str]:
    path = _escape_github(result.path, property_value=True)
    if result.error:
        yield f"::error file={path},title=prefect-upgrade::{_escape_github(result.error)}"
    for finding in result.findings:
        level = "notice" if finding.applied else "warning"
        title = _escape_github(finding.code, property_value=True)
        yield (
            f"::{level} file={path},line={finding.line},col={finding.col},title={title}::"
            f"{_escape_github(finding.message)}"
        )


def json_document(summary: Summary) -> str:
    document = {
        "files": [
            {
                "path": r.path,
                "changed": r.changed,
                "error": r.error,
                "findings": [f.as_json() for f in r.findings],
            }
            for r in summary.results
        ],
        "summary": {
            "files_seen": summary.files_seen,
            "files_changed": summary.files_changed,
            # ``manual`` counts every finding left to a person (as "findings to review" in the
            # text summary): manual ones and fixes not applied (unsafe or refused); kept for
            # readers of earlier output. The next three say it without ambiguity.
            "manual": summary.manual,
            "to_review": summary.manual,
            "manual_findings": summary.manual_only,
            "fixes_not_applied": summary.manual - summary.manual_only,
            "errors": summary.errors,
            "source_version": summary.source_version,
            "source_version_reason": summary.source_version_reason,
            "source_versions": [
                {"version": version, "files": files, "reason": reason}
                for version, reason, files in summary.version_groups()
            ],
        },
    }
    return json.dumps(document, indent=2)


def _escape_md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _md(text: str) -> str:
    """Text safe inside a Markdown list item (no accidental emphasis, links or HTML);
    spans already in backticks are kept as they are."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: treat it all as text
        return _escape_md(text).replace("`", "\\`")
    return "`".join(_escape_md(part) if index % 2 == 0 else part for index, part in enumerate(parts))


def _code_span(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def markdown_checklist(summary: Summary) -> str:
    """Every finding a person must still act on, as a Markdown task list grouped by file.

    Unsafe fixes that were not applied get their own section (one flag applies them all);
    files that could not be read or parsed come first, since nothing in them was upgraded.
    """
    errors = sorted((r for r in summary.results if r.error), key=lambda r: r.path)
    manual: list[tuple[FileResult, list[Finding]]] = []
    unsafe: list[tuple[FileResult, list[Finding]]] = []
    for result in sorted(summary.results, key=lambda r: r.path):
        if result.error:
            continue
        left = [f for f in result.findings if needs_attention(f)]
        waiting = [f for f in left if f.fix_class is FixClass.UNSAFE]
        others = [f for f in left if f.fix_class is not FixClass.UNSAFE]
        if others:
            manual.append((result, others))
        if waiting:
            unsafe.append((result, waiting))
    items = len(errors) + sum(len(f) for _, f in manual) + sum(len(f) for _, f in unsafe)
    files = len({r.path for r in errors} | {r.path for r, _ in manual} | {r.path for r, _ in unsafe})
    lines = ["# prefect-upgrade: what is left to do by hand", ""]
    overview = (
        f"{summary.files_seen} file{'s' if summary.files_seen != 1 else ''} seen, "
        f"{summary.files_changed} with automatic changes, "
        f"{items} item{'s' if items != 1 else ''} left to do by hand in {files} file{'s' if files != 1 else ''}."
    )
    lines += [overview, ""]
    if summary.mixed_versions:
        lines += ["Code read as written for different Prefect versions, per project:", ""]
        lines += [
            f"- Prefect {version} for {_files(files)} ({_md(reason)})"
            for version, reason, files in summary.version_groups()
        ]
        lines.append("")
    elif summary.source_version:
        reason = f" ({_md(summary.source_version_reason)})" if summary.source_version_reason else ""
        lines += [f"Code read as written for Prefect {summary.source_version}{reason}.", ""]
    if not items:
        lines += ["Nothing is left to do by hand.", ""]
        return "\n".join(lines)
    lines += [
        "Tick each box once done. `prefect-upgrade --explain CODE` tells more about a code; "
        "`# prefect-upgrade: ignore[CODE]` on a line (or the line above) marks one you decided to keep.",
        "",
    ]
    if errors:
        lines += ["## Files that could not be upgraded", ""]
        lines += [f"- [ ] {_code_span(r.path)}: {_md(r.error)}" for r in errors]
        lines.append("")
    if manual:
        lines += ["## To change by hand", ""]
        for result, findings in manual:
            lines += [f"### {_code_span(result.path)}", ""]
            lines += [
                f"- [ ] line {f.line}, col {f.col}: **{f.code}** ({f.fix_class.value}) {_md(f.message)}"
                for f in findings
            ]
            lines.append("")
    if unsafe:
        lines += [
            "## Fixes that may change behaviour",
            "",
            "Review each, then apply them all with `--unsafe-fixes` (or fix them by hand).",
            "",
        ]
        for result, findings in unsafe:
            lines += [f"### {_code_span(result.path)}", ""]
            lines += [f"- [ ] line {f.line}, col {f.col}: **{f.code}** {_md(f.message)}" for f in findings]
            lines.append("")
    return "\n".join(lines)
