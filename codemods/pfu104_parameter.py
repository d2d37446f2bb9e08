"""PFU104: ``prefect.core.task.Parameter`` → ``prefect.Parameter``."""

from __future__ import annotations

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.codemods.moves_table import markers_for
from prefect_upgrade.findings import FixClass


@register
class MovedParameter(MovesCodemod):
    """``prefect.core.task.Parameter`` (a deprecated subclass in 0.15) is gone in 1.0: use
    ``prefect.Parameter``. (The 1.0 changelog names ``prefect.core.tasks``, a path that never
    existed; ``prefect.core.Parameter`` and ``prefect.core.parameter.Parameter`` still work and
    are left alone.)

    Before::

        from prefect.core.task import Parameter, Task

    After::

        from prefect.core.task import Task
        from prefect import Parameter
    """

    code = "PFU104"
    summary = "prefect.core.task.Parameter moved to prefect.Parameter"
    fix_class = FixClass.SAFE
    move_codes = ("PFU104",)
    markers = markers_for("PFU104")
    examples = (
        Example("from prefect.core.parameter import Parameter\nfrom prefect import Parameter as P\n"),
        Example(
            "from prefect.core.task import Parameter\nx = Parameter('x')\n",
            "from prefect import Parameter\nx = Parameter('x')\n",
        ),
        Example(
            "from prefect.core.task import Parameter, Task\n",
            "from prefect.core.task import Task\nfrom prefect import Parameter\n",
        ),
    )
