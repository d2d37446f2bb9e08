"""The shared move engine (``codemods/_moves.py``): exact outputs for import shapes."""

from __future__ import annotations

import pytest

from casefiles import upgrade

CHANGES = [
    # the last name leaves a parenthesised import: the layout stays tidy
    (
        "from prefect.utilities.tasks import (\n    task,\n    unmapped\n)\n",
        "from prefect.utilities.tasks import (\n    task,\n)\nfrom prefect import unmapped\n",
    ),
    (
        "from prefect.utilities.tasks import (\n    task,  # deco\n    unmapped,  # edge\n)\n",
        "from prefect.utilities.tasks import (\n    task,  # deco\n)\nfrom prefect import unmapped  # edge\n",
    ),
    (
        "from prefect.utilities.tasks import (task, unmapped)\n",
        "from prefect.utilities.tasks import (task)\nfrom prefect import unmapped\n",
    ),
    # names that move together keep the parenthesised layout, also when they were not last
    (
        "from prefect.utilities.exceptions import (\n    AuthorizationError,\n    ClientError,\n    VersionLockError,\n)\n",
        "from prefect.utilities.exceptions import (\n    VersionLockError,\n)\n"
        "from prefect.exceptions import (\n    AuthorizationError,\n    ClientError,\n)\n",
    ),
    (
        "from prefect.utilities.exceptions import (\n    AuthorizationError,  # a\n    ClientError,  # b\n"
        "    VersionLockError  # c\n)\n",
        "from prefect.utilities.exceptions import (\n    VersionLockError  # c\n)\n"
        "from prefect.exceptions import (\n    AuthorizationError,  # a\n    ClientError,  # b\n)\n",
    ),
    # several statements on one line
    (
        "import os; from prefect.utilities.tasks import unmapped, task; x = 1\n",
        "import os; from prefect.utilities.tasks import task; from prefect import unmapped; x = 1\n",
    ),
    # dotted import already present: the old one goes
    (
        "import prefect.executors\nimport prefect.engine.executors\nprefect.engine.executors.DaskExecutor()\n",
        "import prefect.executors\nprefect.executors.DaskExecutor()\n",
    ),
    (
        "import prefect.engine.executors, os\n",
        "import prefect.executors, os\n",
    ),
    # a merge that empties a block leaves the block valid
    (
        "if True:\n    from prefect.exceptions import FlowStorageError\n    from prefect.exceptions import StorageError\n"
        "    raise StorageError()\n",
        "if True:\n    from prefect.exceptions import FlowStorageError\n    raise FlowStorageError()\n",
    ),
    # conditional imports in different blocks are both rewritten, never merged away
    (
        "if A:\n    from prefect.executors import DaskExecutor\nelse:\n    from prefect.engine.executors import DaskExecutor\n",
        "if A:\n    from prefect.executors import DaskExecutor\nelse:\n    from prefect.executors import DaskExecutor\n",
    ),
    # the new module is not loaded by ``import prefect`` in 1.0: it gets imported
    (
        "import prefect\nprefect.tasks.google.GCSUpload()\n",
        "import prefect\nimport prefect.tasks.gcp\n\nprefect.tasks.gcp.GCSUpload()\n",
    ),
    # a module alias that cannot reach the new home of a name
    (
        "import prefect.utilities.tasks as ut\nut.unmapped(1)\n",
        "import prefect.utilities.tasks as ut\nimport prefect\n\nprefect.unmapped(1)\n",
    ),
    # a name reassigned at module level keeps its name (imported under the old one)
    (
        "from prefect.utilities.exceptions import StorageError\nStorageError = wrap(StorageError)\n",
        "from prefect.exceptions import FlowStorageError as StorageError\nStorageError = wrap(StorageError)\n",
    ),
]

STAYS = [
    "from prefect.client import Secret\nSecret('x').get()\n",
    "from .utilities.exceptions import StorageError\n",
    "try:\n    import prefect.engine.executors as ex\nexcept ImportError:\n    ex = None\n",
    "def f(StorageError):\n    return StorageError\n",
    "x = prefect.engine.executors.DaskExecutor  # no import: not a reference we can resolve\n",
]


@pytest.mark.parametrize("before, after", CHANGES)
def test_changes(before, after):
    result = upgrade(before)
    assert result.text == after
    assert upgrade(after).text == after


@pytest.mark.parametrize("code", STAYS)
def test_stays(code):
    assert upgrade(code).text == code


def test_imported_paths_sees_imports_in_every_kind_of_block():
    import libcst as cst

    from prefect_upgrade.codemods._moves import _imported_paths

    source = (
        "import a.b\nfrom c import d, e as f\nif x:\n    from g import *\nelif y:\n    import h\nelse:\n    import i\n"
        "try:\n    import j\nexcept ImportError:\n    import k\nelse:\n    import l\nfinally:\n    import m\n"
        "def fn():\n    import n\nclass C:\n    import o\nwith z: import p\nfor q in r:\n    import s\n"
        "while t:\n    import u\nasync def af():\n    async with x:\n        import v\nif a: import w\n"
        "from . import rel\n"
    )
    assert sorted(_imported_paths(cst.parse_module(source).body)) == sorted(
        ["a.b", "c.d", "c.e", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "s", "u", "v", "w"]
    )


def test_files_without_a_relevant_import_skip_the_analysis(monkeypatch):
    from prefect_upgrade.codemods import _moves

    calls = []
    original = _moves.MovesCodemod.visit_Module
    monkeypatch.setattr(_moves.MovesCodemod, "visit_Module", lambda self, node: calls.append(1) or original(self, node))
    text = "from prefect import Flow\n# prefect.engine.executors.DaskExecutor\nexecutors = 1\n"
    assert upgrade(text, select=("PFU101",)).text == text
    assert calls == []
    upgrade("import prefect\n# executors\n", select=("PFU101",))
    assert calls == [1]
