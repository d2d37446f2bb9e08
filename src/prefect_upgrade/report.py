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


@dataclass
class Summary:
    files_seen: int = 0
    files_changed: int = 0
    manual: int = 0
    errors: int = 0
    fixes: int = 0
    source_version: Optional[str] = None
    source_version_reason: Optional[str] = None
    results: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.files_seen += 1
        if result.error:
            self.errors += 1
        if result.changed:
            self.files_changed += 1
        self.manual += sum(1 for f in result.findings if needs_attention(f))
        self.fixes += sum(1 for f in result.findings if f.applied)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        if self.files_changed or self.manual:
            return 1
        return 0

    def line(self, write: bool) -> str:
        verb = "changed" if write else "would change"
        parts = [
            f"{self.files_seen} file{'s' if self.files_seen != 1 else ''} seen",
            f"{self.files_changed} {verb}",
            f"{self.manual} finding{'s' if self.manual != 1 else ''} to review",
        ]
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        return ", ".join(parts)


_STATUS = {FixClass.SAFE: "safe", FixClass.UNSAFE: "unsafe", FixClass.MANUAL: "manual"}


def finding_line(path: str, finding: Finding) -> str:
    status = "fixed" if finding.applied else _STATUS[finding.fix_class]
    return f"{path}:{finding.line}:{finding.col}: {finding.code} {finding.message} [{status}]"


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
            "manual": summary.manual,
            "errors": summary.errors,
            "source_version": summary.source_version,
            "source_version_reason": summary.source_version_reason,
        },
    }
    return json.dumps(document, indent=2)


def markdown_checklist(summary: Summary) -> str:
    """Every finding a person must still act on, as a Markdown task list grouped by file."""
    lines = ["# prefect-upgrade: what is left to do by hand", ""]
    open_items = 0
    for result in summary.results:
        items = [f for f in result.findings if needs_attention(f)]
        if result.error:
            items_text = [f"- [ ] could not be upgraded: {result.error}"]
        else:
            items_text = []
        items_text += [
            f"- [ ] line {f.line}, col {f.col}: **{f.code}** ({f.fix_class.value}) {f.message}" for f in items
        ]
        if items_text:
            open_items += len(items_text)
            lines += [f"## `{result.path}`", "", *items_text, ""]
    if not open_items:
        lines += ["Nothing is left to do by hand.", ""]
    return "\n".join(lines)
