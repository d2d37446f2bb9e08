"""PFU101: executors moved from ``prefect.engine.executors`` to ``prefect.executors``."""

from __future__ import annotations

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.codemods.moves_table import markers_for
from prefect_upgrade.findings import FixClass


@register
class MovedExecutors(MovesCodemod):
    """Executors moved from ``prefect.engine.executors`` (and ``.dask``, ``.local``, ``.base``)
    to ``prefect.executors``; ``SynchronousExecutor`` (removed in 0.12.1) becomes
    ``LocalDaskExecutor(scheduler="synchronous")``.

    The old path still imports in Prefect 1.0 (and warns when an executor is created), but the
    1.0 notes announce its removal: every real reference is moved (imports, aliases, attribute
    chains after ``import prefect``; ``import prefect.executors`` is added when needed).
    A ``SynchronousExecutor`` that is not called (passed around as a class) is a manual finding.

    Before::

        from prefect.engine.executors import DaskExecutor, SynchronousExecutor
        import prefect
        flow.run(executor=SynchronousExecutor())
        local = prefect.engine.executors.LocalExecutor()

    After::

        from prefect.executors import DaskExecutor, LocalDaskExecutor
        import prefect
        flow.run(executor=LocalDaskExecutor(scheduler="synchronous"))
        local = prefect.executors.LocalExecutor()
    """

    code = "PFU101"
    summary = "prefect.engine.executors moved to prefect.executors"
    fix_class = FixClass.SAFE
    move_codes = ("PFU101",)
    markers = markers_for("PFU101")
    examples = (
        Example("from prefect.executors import DaskExecutor\n"),
        Example("# from prefect.engine.executors import DaskExecutor\nx = 'prefect.engine.executors'\n"),
        Example(
            "from prefect.engine.executors import DaskExecutor\n",
            "from prefect.executors import DaskExecutor\n",
        ),
        Example(
            "import prefect.engine.executors as ex\nex.LocalDaskExecutor()\n",
            "import prefect.executors as ex\nex.LocalDaskExecutor()\n",
        ),
        Example(
            "from prefect.engine.executors import SynchronousExecutor\nflow.run(executor=SynchronousExecutor())\n",
            "from prefect.executors import LocalDaskExecutor\n"
            'flow.run(executor=LocalDaskExecutor(scheduler="synchronous"))\n',
        ),
    )
