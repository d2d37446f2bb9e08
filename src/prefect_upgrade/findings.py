"""The Finding record: what a codemod did, or could not do, at one place in one file."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class FixClass(str, enum.Enum):
    """How far a fix can be trusted (see the spec's "Fix classes")."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    MANUAL = "manual"


UNSAFE_HINT = "fix available with --unsafe-fixes"


@dataclass(frozen=True)
class Finding:
    """One finding. ``line`` is 1-based, ``col`` is 1-based, both in the rewritten text."""

    code: str
    line: int
    col: int
    fix_class: FixClass
    message: str
    applied: bool
    #: Text the rewritten code holds where this finding belongs (``run_config=``), given by the
    #: codemod that made the change: the runner moves the finding to the rewritten line that
    #: holds it when the line it maps to does not (``suppressions.moved``). Not kept afterwards.
    anchor: str = field(default="", compare=False, repr=False)

    def shifted(self, lines: int) -> "Finding":
        """The same finding ``lines`` further down (for code blocks inside a bigger file)."""
        return Finding(self.code, self.line + lines, self.col, self.fix_class, self.message, self.applied)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "line": self.line,
            "col": self.col,
            "class": self.fix_class.value,
            "applied": self.applied,
            "message": self.message,
        }


class Reporter:
    """Collects the findings of one codemod applied to one file."""

    def __init__(self, line_offset: int = 0) -> None:
        self.findings: list[Finding] = []
        self.line_offset = line_offset

    def add(
        self,
        code: str,
        line: int,
        col: int,
        fix_class: FixClass,
        message: str,
        applied: bool,
        anchor: str = "",
    ) -> None:
        if fix_class is FixClass.UNSAFE and not applied and UNSAFE_HINT not in message:
            message = f"{message} ({UNSAFE_HINT})"
        self.findings.append(Finding(code, line + self.line_offset, col, fix_class, message, applied, anchor))
