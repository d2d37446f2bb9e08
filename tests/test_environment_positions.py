"""PFU201/PFU202: a conversion's findings point at the line of its first part.

The environment argument (or assignment) becomes ``run_config=`` and ``executor=`` (or two
assignments), often on two lines; the findings of the conversion (converted, re-register ...)
go to the ``run_config`` line, or to the ``executor`` line when there is no run config, and not
to whichever rewritten line looks most like the environment's old line.
"""

from __future__ import annotations

import pytest

from casefiles import fixture_cases, upgrade

CASES = fixture_cases("environments")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_conversion_findings_are_on_the_line_of_the_first_part(path):
    result = upgrade(path.read_text(), select=("PFU2",))
    lines = result.text.splitlines()
    converted = [f for f in result.findings if f.code in ("PFU201", "PFU202") and " converted to " in f.message]
    for f in converted:
        first = f.message.split(" converted to ")[1].split(" ")[0]
        if first not in ("run_config", "executor"):
            continue  # nothing left to set: the argument is gone
        line = lines[f.line - 1]
        expected = f"{first}=" if f.code == "PFU201" else f".{first} ="
        assert expected in line[f.col - 1 :], (f, line)
        reregister = [g for g in result.findings if g.code == "PFU207" and (g.line, g.col) == (f.line, f.col)]
        assert reregister, f"no PFU207 next to {f}"


def test_one_line_that_becomes_two_keeps_its_findings_on_the_first():
    # without the anchors (Finding.anchor) these land on the executor= line, which the line
    # mapper finds more like the environment's line
    path = next(p for p in CASES if p.stem == "shape_multiline_arg_positions")
    result = upgrade(path.read_text(), select=("PFU2",))
    lines = result.text.splitlines()
    at = [lines[f.line - 1].strip() for f in result.findings if f.code in ("PFU201", "PFU202")]
    assert 'run_config=UniversalRun(labels=["c"]),' in at
    assert 'assigned.run_config = UniversalRun(labels=["e"])' in at
    assert not any(text.startswith("executor=DaskExecutor(address=\"tcp://c") for text in at)
    assert not any(text.startswith("assigned.executor") for text in at)
