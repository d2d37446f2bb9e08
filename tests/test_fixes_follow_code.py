"""A fix reported by one codemod follows its code when a later codemod rewrites the same lines,
and is not reported when the later codemod removed that code (``suppressions.moved`` with
``follow_fixes``, called by the runner for the findings of earlier steps).

Decision: such a fix is dropped, not reworded. The later codemod's own finding says what became
of the code (PFU201 "converted", PFU203 "removed" ...), and a fix reported on a line that no
longer holds it sends the reader looking for code that is not in the file.
"""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.findings import Finding, FixClass
from prefect_upgrade.suppressions import line_mapper, moved

CASES = fixture_cases("fixes_follow_code")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_snapshot(path, snapshot):
    before = path.read_text()
    result = upgrade(before)
    snapshot.assert_match(render_case(before, result), path.stem + ".txt")
    assert_idempotent(result)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_reported_move_points_at_its_new_path(path):
    result = upgrade(path.read_text())
    lines = result.text.splitlines()
    moves = [f for f in result.findings if f.code in ("PFU101", "PFU107") and f.applied]
    assert moves
    for f in moves:
        new = f.message.split("→")[-1].split(" moved to ")[-1].strip().strip('"')
        assert lines[f.line - 1][f.col - 1 :].lstrip("\"'").startswith(new), (f, lines[f.line - 1])


def _fix(line: int, col: int, applied: bool = True) -> Finding:
    return Finding("PFU107", line, col, FixClass.SAFE if applied else FixClass.MANUAL, "m", applied)


def _follow(old: str, new: str, finding: Finding, follow: bool = True) -> list:
    return [(f.line, f.col) for f in moved([finding], line_mapper(old, new), old, new, follow_fixes=follow)]


AS_BEFORE = None  # the place the line mapper gives, as without follow_fixes


OLD = 'a = 1\nflow = Flow("x", environment=Remote(executor="prefect.executors.DaskExecutor"))\nb = 2\n'
STRING_COL = OLD.splitlines()[1].index('"prefect') + 1


@pytest.mark.parametrize(
    "new, finding, expected",
    [
        # stays: the line is unchanged (only moved down)
        ("import x\n" + OLD, _fix(2, STRING_COL), [(3, STRING_COL)]),
        # stays: the fixed string is still on the rewritten line (its column follows the edit)
        (
            OLD.replace("environment=Remote(executor=", "executor=Pick(").replace("))", "))"),
            _fix(2, STRING_COL),
            [(2, STRING_COL - len("environment=Remote(executor=") + len("executor=Pick("))],
        ),
        # stays: a finding that is not a fix (manual) is kept even if its code went
        (OLD.replace("environment=Remote(executor=\"prefect.executors.DaskExecutor\")", "executor=D()"), _fix(2, STRING_COL, applied=False), AS_BEFORE),
        # stays: nothing to follow at that column (an operator)
        (OLD.replace("environment=Remote(executor=\"prefect.executors.DaskExecutor\")", "executor=D()"), _fix(2, 5), AS_BEFORE),
        # changes: the string went on another line of the rewritten statement
        (
            'a = 1\nflow = Flow(\n    "x",\n    executor=Pick("prefect.executors.DaskExecutor"),\n)\nb = 2\n',
            _fix(2, STRING_COL),
            [(4, len('    executor=Pick(') + 1)],
        ),
        # changes: the string was removed
        (OLD.replace("environment=Remote(executor=\"prefect.executors.DaskExecutor\")", "executor=D()"), _fix(2, STRING_COL), []),
        # changes: the whole statement was removed
        ("a = 1\nb = 2\n", _fix(2, STRING_COL), []),
        # changes: only a comment quotes it now
        (
            'a = 1\n# REMOVED: environment=Remote(executor="prefect.executors.DaskExecutor")\nflow = Flow("x")\nb = 2\n',
            _fix(2, STRING_COL),
            [],
        ),
    ],
)
def test_fixes_follow_their_code(new, finding, expected):
    if expected is AS_BEFORE:
        expected = _follow(OLD, new, finding, follow=False)
        assert len(expected) == 1
    assert _follow(OLD, new, finding) == expected


def test_a_fix_whose_code_moved_out_of_the_rewritten_lines_is_kept():
    # the same string is found as often as before: it moved (here into a helper above)
    new = 'a = 1\nEXECUTOR = "prefect.executors.DaskExecutor"\n\n\nflow = Flow("x", executor=load(EXECUTOR))\nb = 2\n'
    assert len(_follow(OLD, new, _fix(2, STRING_COL))) == 1


def test_line_mapper_maps_alike_lines_one_to_one():
    # every item rewritten, two of them to the same text: each old item still goes to its own line
    old = 'PATHS = [\n    "a.base.X",\n    "a.X",\n    "a.Y",\n]\n'
    new = 'PATHS = [\n    "b.X",\n    "b.X",\n    "b.Y",\n]\n'
    mapped = line_mapper(old, new)
    assert [mapped(n) for n in (2, 3, 4)] == [2, 3, 4]


def test_line_mapper_is_not_anchored_by_closing_brackets():
    # the "    ),\n)" that ends the first call matches the one that ends the third call; the
    # lines between them must not all be pushed below it
    from casefiles import FIXTURES

    old = (FIXTURES / "environments" / "shape_remote_executor_paths.py").read_text()
    new = upgrade(old, select=("PFU2",)).text
    mapped = line_mapper(old, new)
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, line in enumerate(old_lines, 1):
        if line[:1] in "bcde" and " = Flow(" in line:
            assert new_lines[mapped(number) - 1].startswith(line[:9]), (line, new_lines[mapped(number) - 1])
