"""Helpers for the PFU3xx tests: render a fixture with and without --unsafe-fixes."""

from __future__ import annotations

from pathlib import Path

from casefiles import assert_idempotent, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions

SELECT = ("PFU3",)


def run(text: str, unsafe: bool = False, from_version: str = "0.15"):
    options = CodemodOptions(unsafe_fixes=unsafe, from_version=from_version, select=SELECT)
    result = upgrade(text, select=SELECT, options=options)
    assert_idempotent(result, select=SELECT, options=options)
    return result


def render_fixture(path: Path) -> str:
    """Both runs of a fixture, for a snapshot: the default and the one with --unsafe-fixes."""
    text = path.read_text()
    version = "0.15"
    if text.startswith("# from-version "):
        version = text.split()[2].rstrip(":")
    default = run(text, from_version=version)
    unsafe = run(text, unsafe=True, from_version=version)
    out = render_case(text, default)
    if unsafe.text != default.text:
        out += "\n##### with --unsafe-fixes #####\n" + render_case(text, unsafe).split("===== after", 1)[1].join(
            ["===== after", ""]
        )
    return out


def findings(result, code: str | None = None):
    return [f for f in result.findings if code is None or f.code == code]
