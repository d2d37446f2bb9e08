"""An import line removed whole keeps its comments (``codemods/_kept_comments.py``).

Found by trial 7: a comment explaining an environments block sat above
``from prefect.environments import DaskKubernetesEnvironment`` and vanished with the import.
"""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions

UNSAFE = CodemodOptions(unsafe_fixes=True)

#: (input, whether it must stay byte for byte). Lines that hold no comment go as before.
CASES = [
    # stays: nothing to remove, comments untouched
    ("x = 0\n# results\nfrom prefect.engine.results import LocalResult\nr = LocalResult()\n", True),
    # changes: the import goes, its comment stays above the next statement (not the first
    # statement: libcst keeps the comments above that one in the module header anyway)
    (
        "x = 0\n# env\nfrom prefect.environments import LocalEnvironment\nx = 1\n"
        "flow.environment = LocalEnvironment(labels=['a'])\n",
        False,
    ),
]


@pytest.mark.parametrize("text, stays", CASES)
def test_comment_of_removed_import(text, stays):
    result = upgrade(text, options=UNSAFE)
    assert (result.text == text) == stays
    assert "# env" in result.text or "# results" in result.text
    assert_idempotent(result, options=UNSAFE)


def test_blank_only_lines_go_as_before():
    text = "from prefect import Flow\n\nfrom prefect.environments import LocalEnvironment\n\nf = Flow('a', environment=LocalEnvironment())\n"
    assert upgrade(text).text == "from prefect import Flow\n\nf = Flow('a')\n"


def test_pragma_end_of_line_comment_is_not_carried():
    text = "import prefect.environments  # noqa: F401\nx = 1\n"
    out = upgrade(text).text
    assert "noqa" not in out and out.endswith("x = 1\n")


@pytest.mark.parametrize("case", fixture_cases("kept_comments"), ids=lambda p: p.name)
def test_kept_comments_snapshots(case, snapshot):
    before = case.read_text()
    result = upgrade(before, options=UNSAFE)
    assert_idempotent(result, options=UNSAFE)
    snapshot.assert_match(render_case(before, result), case.stem + ".txt")


ENV_USE = "flow.environment = LocalEnvironment(labels=['a'])\n"
RUN_USE = "flow.run_config = UniversalRun(labels=['a'])\n"
HEAD = "from prefect.run_configs import UniversalRun\n\n"


@pytest.mark.parametrize(
    "before, after",
    [
        # stays as it was: one blank line on one side of the removed line only
        (
            "x = 0\n\n# env\nfrom prefect.environments import LocalEnvironment\ny = 1\n" + ENV_USE,
            HEAD + "x = 0\n\n# env\ny = 1\n" + RUN_USE,
        ),
        (
            "x = 0\n# env\nfrom prefect.environments import LocalEnvironment\n\ny = 1\n" + ENV_USE,
            HEAD + "x = 0\n# env\n\ny = 1\n" + RUN_USE,
        ),
        # changes: blank lines below the comment and below the import meet: one, not two
        (
            "x = 0\n# env\n\nfrom prefect.environments import LocalEnvironment\n\ny = 1\n" + ENV_USE,
            HEAD + "x = 0\n# env\n\ny = 1\n" + RUN_USE,
        ),
        # as many as the larger run (two above a def stay two)
        (
            "x = 0\n# env\n\nfrom prefect.environments import LocalEnvironment\n\n\ndef f():\n    pass\n" + ENV_USE,
            HEAD + "x = 0\n# env\n\n\ndef f():\n    pass\n" + RUN_USE,
        ),
        # two removed lines in a row, each with its comment and blank lines
        (
            "x = 0\n# a\n\nfrom prefect.environments import LocalEnvironment\n\n# b\n\n"
            "from prefect.environments import DaskKubernetesEnvironment\n\ny = 1\n" + ENV_USE,
            HEAD + "x = 0\n# a\n\n# b\n\ny = 1\n" + RUN_USE,
        ),
        # at the end of the file: the file's own trailing blank lines, not one more
        (
            "x = 0\n# env module\n\nimport prefect.environments  # noqa: F401\n\n\n",
            "x = 0\n# env module\n\n\n",
        ),
    ],
)
def test_blank_lines_around_a_removed_line_count_once(before, after):
    result = upgrade(before, options=UNSAFE)
    assert result.text == after
    assert_idempotent(result, options=UNSAFE)


def test_comment_above_the_pass_of_an_emptied_block_sits_right_above_it():
    text = "if True:\n    # guarded\n\n    from prefect.schedules import OneTimeSchedule\n"
    assert upgrade(text).text == "if True:\n    # guarded\n    pass\n"


@pytest.mark.parametrize(
    "above, shown",
    [
        ("x = 0\n# env\n\n", "x = 0\n# env\n\n\n# TODO(prefect-1.0)"),  # one blank line + the two: two
        ("x = 0\n\n", "x = 0\n\n\n# TODO(prefect-1.0)"),
        ("x = 0\n# env\n", "x = 0\n# env\n\n\n# TODO(prefect-1.0)"),  # as before
    ],
)
def test_placeholders_replacing_an_import_keep_its_comment_with_two_blank_lines(above, shown):
    """PFU201 puts placeholder classes where an import of prefect.environments stood (a use it
    cannot convert): the import's blank lines and the placeholder's two count once."""
    # used above the import: nothing can be converted
    text = "flow.environment = LocalEnvironment(labels=['a'])\n" + above + "from prefect.environments import LocalEnvironment\n"
    result = upgrade(text, options=UNSAFE)
    assert shown in result.text and "\n\n\n\n" not in result.text
    assert_idempotent(result, options=UNSAFE)
