"""Notebooks: code cells share one namespace, so they are rewritten as one module.

Names imported in one cell and used in a later one must be renamed together (the import alone
would leave a NameError under 1.0), and an import used only in a later cell is used.
"""

from __future__ import annotations

import json

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell}
                for cell in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 4,
        },
        indent=1,
    )


def sources(text: str) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in json.loads(text)["cells"]]


STAYS = [
    # already Prefect 1.0, split over cells
    ("from prefect.tasks.prefect import StartFlowRun\n", "run = StartFlowRun(flow_name='x')\n"),
    # a local name that happens to be an old Prefect name, in another cell than any Prefect import
    ("from prefect import Flow\n", "def FlowRunTask(**kw):\n    return kw\nFlowRunTask(flow_name='x')\n"),
    # an old name from another library
    ("from mylib import FlowRunTask\n", "FlowRunTask(flow_name='x')\n"),
    # a cell that does not parse next to cells that do
    ("from prefect import Flow\n", "**not python\n", "flow = Flow('x')\n"),
]


@pytest.mark.parametrize("cells", STAYS)
def test_left_alone(cells):
    text = notebook(*cells)
    result = upgrade(text, "notebook")
    assert result.text == text
    assert not any(f.applied for f in result.findings)


def test_a_name_imported_in_one_cell_is_renamed_where_a_later_cell_uses_it():
    text = notebook(
        "from prefect.tasks.prefect import FlowRunTask\n",
        "run = FlowRunTask(flow_name='x')\n",
    )
    result = upgrade(text, "notebook")
    assert sources(result.text) == [
        "from prefect.tasks.prefect import StartFlowRun\n",
        "run = StartFlowRun(flow_name='x')\n",
    ]
    assert_idempotent(result, "notebook")


def test_an_import_used_only_in_a_later_cell_is_not_deleted_as_unused():
    text = notebook("from prefect.schedules import UnionSchedule\n", "s = UnionSchedule([a, b])\n")
    result = upgrade(text, "notebook")
    first, second = sources(result.text)
    assert first == "from prefect.schedules import Schedule\n"
    assert second == "s = Schedule(clocks=[*a.clocks, *b.clocks])\n"
    assert not any("nothing used it" in f.message for f in result.findings)


def test_attribute_chains_on_a_module_imported_in_an_earlier_cell():
    text = notebook("import prefect\n", "c = prefect.Client()\nc.login_to_tenant(tenant_slug='t')\n")
    result = upgrade(text, "notebook")
    assert sources(result.text)[1] == "c = prefect.Client()\nc.switch_tenant(tenant_slug='t')\n"
    (finding,) = [f for f in result.findings if f.code == "PFU321"]
    # the finding is on the notebook line that holds the call (the cell's second source line)
    line = result.text.splitlines()[finding.line - 1]
    assert "switch_tenant" in line


def test_added_imports_go_to_the_first_cell_that_imports_not_above_pip_install():
    text = notebook(
        "!pip install prefect==0.14.22\n",
        "from prefect.schedules import UnionSchedule\nimport pandas\n",
        "s = UnionSchedule([a, b])\n",
    )
    first, second, third = sources(upgrade(text, "notebook").text)
    assert first.startswith("!pip install prefect")
    assert "from prefect.schedules import Schedule\n" in second
    assert third == "s = Schedule(clocks=[*a.clocks, *b.clocks])\n"


@pytest.mark.parametrize("path", fixture_cases("notebook_cells"), ids=lambda p: p.name)
def test_fixture(path, snapshot):
    before = path.read_text(encoding="utf-8")
    result = upgrade(before, "notebook")
    snapshot.assert_match(render_case(before, result), f"{path.name}.txt")
    assert_idempotent(result, "notebook")
    if path.name.startswith("stays-"):
        assert result.text == before and not any(f.applied for f in result.findings)


REAL_NOTEBOOK = notebook(
    "!pip install prefect==0.14.22\n",
    "import datetime\n"
    "from prefect import Flow, task\n"
    "from prefect.engine.executors import LocalDaskExecutor\n"
    "from prefect.tasks.prefect import FlowRunTask\n"
    "from prefect.schedules import Schedule, UnionSchedule\n"
    "from prefect.schedules.clocks import IntervalClock\n"
    "from prefect.utilities.tasks import unmapped\n",
    "daily = Schedule(clocks=[IntervalClock(datetime.timedelta(days=1))])\n"
    "hourly = Schedule(clocks=[IntervalClock(datetime.timedelta(hours=1))])\n"
    "schedule = UnionSchedule([daily, hourly])\n"
    "child = FlowRunTask(flow_name='child', project_name='etl')\n",
    "%%time\n"
    "@task\n"
    "def add(x, y):\n"
    "    return x + y\n"
    "\n"
    "with Flow('load', schedule=schedule) as flow:\n"
    "    total = add.map([1, 2], unmapped(3))\n"
    "state = flow.run(executor=LocalDaskExecutor(), run_on_schedule=False)\n",
)

CHECK = (
    "assert state.is_successful() and state.result[total].result == [4, 5]\n"
    "assert len(schedule.clocks) == 2 and type(child).__name__ == 'StartFlowRun'\n"
    "print('CHECKED')\n"
)


def _cells_as_script(text: str) -> str:
    """The code cells in order, as Jupyter would run them (no magics: `!pip` and `%%time` lines dropped)."""
    lines = []
    for source in sources(text):
        lines.extend(line for line in source.splitlines() if not line.startswith(("!", "%")))
    return "\n".join(lines) + "\n"


@pytest.mark.real_prefect
def test_rewritten_cells_run_under_prefect_1(tmp_path):
    from real_prefect import run_python

    before = run_python("1.0.0", _cells_as_script(REAL_NOTEBOOK) + CHECK, tmp_path)
    assert before.returncode != 0 and "ImportError" in before.stderr, before.stderr[-2000:]

    rewritten = upgrade(REAL_NOTEBOOK, "notebook").text
    after = run_python("1.0.0", _cells_as_script(rewritten) + CHECK, tmp_path)
    assert after.returncode == 0 and "CHECKED" in after.stdout, (
        f"{_cells_as_script(rewritten)}\n{after.stderr[-3000:]}"
    )
