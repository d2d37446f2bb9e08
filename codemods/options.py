"""What a run asks of the codemods, importable without libcst (start-up stays light).

``base.py`` re-exports every name here; import them from either module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from prefect_upgrade.findings import FixClass

PYTHON = "python"

#: Every kind of content a codemod may declare in ``file_kinds``.
CONTENT_KINDS = frozenset(
    {
        PYTHON,
        "shell",  # shell scripts, and shell commands found inside other files
        "yaml",
        "dockerfile",
        "makefile",
        "dotenv",
        "toml",
        "ini",
        "requirements",
        "markdown",
        "rst",
        "notebook",
    }
)

SOURCE_VERSIONS = ("0.13", "0.14", "0.15")


def code_selected(code: str, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> bool:
    """``--select``/``--ignore`` semantics for one code: prefixes; ignore wins."""
    if select and not any(code.startswith(prefix) for prefix in select):
        return False
    return not any(code.startswith(prefix) for prefix in ignore)


@dataclass(frozen=True)
class CodemodOptions:
    """What the user asked for that changes what a codemod may do."""

    unsafe_fixes: bool = False
    #: The Prefect the code was written for: "0.13", "0.14" or "0.15".
    from_version: str = "0.15"
    #: ``--select`` / ``--ignore``: code prefixes.
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def code_enabled(self, code: str) -> bool:
        return code_selected(code, self.select, self.ignore)

    def allows(self, fix_class: FixClass) -> bool:
        if fix_class is FixClass.SAFE:
            return True
        if fix_class is FixClass.UNSAFE:
            return self.unsafe_fixes
        return False
