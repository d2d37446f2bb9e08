"""Where findings land when a step removes or splits lines, in particular around an import written
twice in a file (``suppressions.line_mapper`` / ``suppressions.moved``).

* A finding on a line the step removed points at where the line stood: the start of the code now
  standing there, not at a word of that other line that looks like it (a use of the same name).
* A finding on a rewritten line whose code went to another line of the rewritten block (an import
  split in two) points at it there, unless the same word stood on another line of the block too.
* A rewritten line that became equal to a line further down does not pull that line's place.
"""

from __future__ import annotations

import pytest

from casefiles import upgrade


def positions(text: str, kind: str = "python") -> list[tuple[int, int, str]]:
    result = upgrade(text, kind)
    lines = result.text.splitlines()
    out = []
    for f in result.findings:
        line = lines[f.line - 1] if 0 < f.line <= len(lines) else ""
        out.append((f.line, f.col, line[f.col - 1 :][:20]))
    return sorted(out)


CASES = [
    # stays as it was: one import, rewritten in place
    (
        "from prefect.engine.executors import LocalExecutor\n\ny = LocalExecutor()\n",
        [(1, 31, "LocalExecutor")],
    ),
    # the same import twice: the second merges into the first (it went to the import that now
    # gives the name), not to the use below it
    (
        "from prefect.engine.executors import LocalExecutor\nfrom prefect.engine.executors import LocalExecutor\n"
        "\ny = LocalExecutor()\n",
        [(1, 31, "LocalExecutor"), (1, 31, "LocalExecutor")],
    ),
    # the new import written first, the old one removed the second time: where it stood, not at
    # `LocalExecutor` of the use that now stands there
    (
        "from prefect.executors import LocalExecutor\n\nfrom prefect.engine.executors import LocalExecutor\n"
        "\ny = LocalExecutor()\n",
        [(3, 1, "y = LocalExecutor()")],
    ),
    (
        "import os\nfrom prefect.engine.executors import LocalExecutor\nimport sys\n"
        "from prefect.engine.executors import LocalExecutor\nimport re\n\ny = LocalExecutor()\n",
        [(2, 31, "LocalExecutor"), (4, 1, "import re")],
    ),
    # a name of a duplicated import that stays, on the line it went to (it was on the line above)
    (
        "from prefect.engine.executors import LocalExecutor\nfrom prefect.engine.executors import DaskExecutor, LocalExecutor\n"
        "\ny = LocalExecutor(), DaskExecutor()\n",
        [(1, 31, "LocalExecutor"), (1, 31, "LocalExecutor"), (2, 31, "DaskExecutor")],
    ),
    # an unused removed import written twice, in two functions: each where it stood
    (
        "def f():\n    from prefect.schedules import OneTimeSchedule\n    return 1\n\n\n"
        "def g():\n    from prefect.schedules import OneTimeSchedule\n    return 2\n",
        [(2, 5, "return 1"), (6, 5, "return 2")],
    ),
    # PFU201 deletes both imports of a name nothing used: a finding for each, not one for the last
    (
        "def f():\n    from prefect.environments import LocalEnvironment\n    return 1\n\n\n"
        "def g():\n    from prefect.environments import LocalEnvironment\n    return 2\n",
        [(2, 5, "return 1"), (6, 5, "return 2")],
    ),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_findings_around_a_duplicated_import(text, expected):
    assert positions(text) == expected


def test_a_line_rewritten_into_a_copy_of_a_later_line_keeps_its_place():
    # the first command becomes equal to the last line: difflib matched the last line to it and
    # took the lines between for deleted, so the second finding went to line 2
    text = '# entrypoint\nprefect execute cloud-flow\nexec prefect execute cloud-flow "$@"\nprefect execute flow-run\n'
    assert positions(text, "shell") == [(2, 17, "flow-run"), (3, 22, "flow-run \"$@\"")]


def test_line_mapper_pairs_lines_from_the_end_when_that_leaves_fewer_unpaired():
    from prefect_upgrade.suppressions import line_mapper

    old = "c\nA\nB\nX\n"
    new = "c\nX\nB2\nX\n"
    mapped = line_mapper(old, new)
    assert [mapped(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert not mapped.deleted
    # a plain deletion stays one
    mapped = line_mapper("a\nb\nc\n", "a\nc\n")
    assert mapped(2) == 2 and mapped.deleted == {2}
