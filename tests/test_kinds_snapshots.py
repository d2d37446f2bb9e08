"""Snapshots of every kind of file outside Python, run through all the registered codemods.

Files named ``stays-*`` must come out byte-identical, without an applied fix.
"""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.discovery import kind_of

CASES = fixture_cases("kinds")


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_kind_snapshot(path, snapshot):
    kind = kind_of(path)
    assert kind is not None, f"{path.name}: no kind"
    before = path.read_text(encoding="utf-8")
    result = upgrade(before, kind)
    snapshot.assert_match(render_case(before, result), f"{path.name}.txt")
    assert_idempotent(result, kind)
    if path.name.startswith("stays-"):
        assert result.text == before
        # no applied change; a manual note is the CLI codemods' call (the snapshot shows it)
        assert not any(f.applied for f in result.findings)
    else:
        assert result.text != before or result.findings


def test_every_kind_has_a_fixture():
    kinds = {kind_of(path) for path in CASES}
    assert {"yaml", "dockerfile", "makefile", "shell", "dotenv", "toml", "ini", "markdown", "rst", "notebook", "jenkinsfile"} <= kinds
