"""Shared helpers for snapshot tests: run codemods over a fixture and render before/after."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from prefect_upgrade.codemods import all_codemods, selected_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.runner import rewrite_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def upgrade(
    text: str,
    kind: str = "python",
    select: Sequence[str] = (),
    options: Optional[CodemodOptions] = None,
):
    """Run the selected codemods (all by default) over ``text``; return the TextResult."""
    options = options or CodemodOptions()
    codemods = selected_codemods(select) if select else all_codemods()
    if select and not options.select:
        options = CodemodOptions(
            unsafe_fixes=options.unsafe_fixes, from_version=options.from_version, select=tuple(select)
        )
    return rewrite_text(text, kind, codemods, options)


def render_case(before: str, result) -> str:
    """The snapshot text: the input, the output and the findings, for a person to read."""
    findings = "\n".join(
        f"{f.line}:{f.col} {f.code} [{f.fix_class.value}{', applied' if f.applied else ''}] {f.message}"
        for f in result.findings
    )
    unchanged = " (unchanged)" if result.text == before else ""
    return (
        f"===== before =====\n{before}"
        f"===== after{unchanged} =====\n{result.text}"
        f"===== findings =====\n{findings or '(none)'}\n"
    )


def fixture_cases(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).iterdir() if p.is_file())


def assert_idempotent(result, kind: str = "python", select: Sequence[str] = (), options=None) -> None:
    again = upgrade(result.text, kind, select, options)
    assert again.text == result.text, "a second run changed the output"
