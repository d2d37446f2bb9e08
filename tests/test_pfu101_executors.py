"""PFU101: code that must stay next to code that must change (exact outputs)."""

from __future__ import annotations

import pytest

from casefiles import upgrade

STAYS = [
    "from prefect.executors import DaskExecutor\nDaskExecutor()\n",
    "import prefect\nprefect.executors.LocalExecutor()\n",
    "# prefect.engine.executors.DaskExecutor\nx = 'prefect.engine.executors.DaskExecutor is old'\n",
    "try:\n    from prefect.executors import DaskExecutor\nexcept ImportError:\n"
    "    from prefect.engine.executors import DaskExecutor\n",
    "from prefect.engine.executors import SynchronousExecutor\nCLS = SynchronousExecutor\n",
    "from .engine.executors import DaskExecutor\n",  # relative: not Prefect's
    "def f(DaskExecutor):\n    return DaskExecutor()\n",
]

CHANGES = [
    (
        "from prefect.engine.executors import DaskExecutor, LocalExecutor as L\n",
        "from prefect.executors import DaskExecutor, LocalExecutor as L\n",
    ),
    (
        "import prefect\nprefect.engine.executors.DaskExecutor(address='x')\n",
        "import prefect\nprefect.executors.DaskExecutor(address='x')\n",
    ),
    (
        "import prefect.engine.executors as ex\nex.DaskExecutor()\n",
        "import prefect.executors as ex\nex.DaskExecutor()\n",
    ),
    (
        "from prefect.engine import executors, signals\nexecutors.DaskExecutor()\n",
        "from prefect.engine import signals\nfrom prefect import executors\nexecutors.DaskExecutor()\n",
    ),
    (
        "from prefect.executors import DaskExecutor\nfrom prefect.engine.executors import DaskExecutor\n",
        "from prefect.executors import DaskExecutor\n",
    ),
    (
        "def f():\n    from prefect.engine.executors.dask import DaskExecutor\n    return DaskExecutor()\n",
        "def f():\n    from prefect.executors import DaskExecutor\n    return DaskExecutor()\n",
    ),
    (
        "from prefect.engine.executors import SynchronousExecutor\nSynchronousExecutor(**kw)\n",
        'from prefect.executors import LocalDaskExecutor\nLocalDaskExecutor(scheduler="synchronous", **kw)\n',
    ),
    (
        "from prefect.engine.executors import SynchronousExecutor\n"
        "LocalDaskExecutor = 1\nSynchronousExecutor()\n",
        "from prefect.executors import LocalDaskExecutor as SynchronousExecutor\n"
        'LocalDaskExecutor = 1\nSynchronousExecutor(scheduler="synchronous")\n',
    ),
]


@pytest.mark.parametrize("code", STAYS)
def test_stays(code):
    assert upgrade(code, select=("PFU101",)).text == code


@pytest.mark.parametrize("before, after", CHANGES)
def test_changes(before, after):
    result = upgrade(before, select=("PFU101",))
    assert result.text == after
    assert upgrade(after, select=("PFU101",)).text == after
    assert result.findings and all(f.code == "PFU101" for f in result.findings)


def test_manual_finding_for_synchronous_executor_passed_as_class():
    result = upgrade("from prefect.engine.executors import SynchronousExecutor\nCLS = SynchronousExecutor\n",
                     select=("PFU101",))
    (finding,) = result.findings
    assert finding.fix_class.value == "manual" and not finding.applied
    assert 'LocalDaskExecutor(scheduler="synchronous")' in finding.message
