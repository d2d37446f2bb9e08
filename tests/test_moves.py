"""Snapshot tests of the moved-name codemods (PFU101–PFU107) over ``tests/fixtures/moves_*``.

Each fixture folder is named after the code it exercises (``moves_pfu101`` runs PFU101 only).
A fixture's file name may carry options: ``__from013`` / ``__from014`` (``--from-version``),
``__unsafe`` (``--unsafe-fixes``). Every fixture is also run a second time (idempotence).
"""

from __future__ import annotations

import pytest

from casefiles import FIXTURES, assert_idempotent, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions

FOLDERS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("moves_pfu"))
CASES = [
    pytest.param(folder, path, id=f"{folder}-{path.stem}")
    for folder in FOLDERS
    for path in sorted((FIXTURES / folder).glob("*.py"))
]


def options_for(path) -> CodemodOptions:
    stem = path.stem
    version = "0.15"
    for v in ("013", "014"):
        if f"__from{v}" in stem:
            version = f"0.{v[1:]}"
    return CodemodOptions(unsafe_fixes="__unsafe" in stem, from_version=version)


def code_of(folder: str) -> str:
    return folder.replace("moves_pfu", "PFU")


def run_case(folder, path):
    text = path.read_text()
    options = options_for(path)
    code = code_of(folder)
    result = upgrade(text, select=(code,), options=options)
    return text, result, code, options


@pytest.mark.parametrize("folder, path", CASES)
def test_fixture(folder, path, snapshot):
    text, result, code, options = run_case(folder, path)
    snapshot.assert_match(render_case(text, result), f"{path.stem}.txt")
    assert_idempotent(result, select=(code,), options=options)
    compile(result.text, str(path), "exec")
    for finding in result.findings:
        assert finding.code.startswith("PFU1")


@pytest.mark.real_prefect
def test_rewritten_fixtures_resolve_in_prefect_1_0(tmp_path):
    """Every ``prefect`` name each rewritten fixture uses exists in Prefect 1.0.0, and none of
    them goes through a deprecated shim (``prefect.engine.executors``, ``prefect.artifacts``…),
    and ``prefect.x.Y`` chains only use modules ``import prefect`` (or the file) imports.

    Old names that a fixture keeps on purpose (an unapplied finding) are excused, and so are the
    environment classes (``prefect.environments.<Environment>``, PFU2xx's business)."""
    import json
    import subprocess
    from pathlib import Path

    from prefect_upgrade.codemods.moves_table import MOVES, MoveIndex
    from real_prefect import prefect_python

    index = MoveIndex(MOVES)

    def excused(name: str, kept_old: bool) -> bool:
        if name.startswith("prefect.environments") and not name.startswith("prefect.environments.storage"):
            return True
        return kept_old and index.lookup(name) is not None

    paths = {}
    for param in CASES:
        folder, path = param.values
        text, result, code, options = run_case(folder, path)
        out = tmp_path / f"{folder}__{path.name}"
        out.write_text(result.text)
        paths[str(out)] = (folder, path.name, any(not f.applied for f in result.findings))
    python = prefect_python("1.0.0")
    script = Path(__file__).resolve().parent / "prefect_names.py"
    run = subprocess.run([str(python), str(script), "files", *paths], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    problems = {}
    for p, entry in report.items():
        folder, name, kept_old = paths[p]
        bad = {
            key: [n for n in entry[key] if not excused(n, kept_old)]
            for key in ("missing", "deprecated", "unreachable")
        }
        # strings: old paths may stay on purpose (prose, module paths); every other path must exist
        bad["missing_strings"] = [n for n in entry["missing_strings"] if index.lookup(n) is None]
        if entry["error"] or any(bad.values()):
            problems[(folder, name)] = {"error": entry["error"], **bad}
    assert problems == {}
    assert sum(len(e["used"]) for e in report.values()) > len(paths)  # the checker saw names
