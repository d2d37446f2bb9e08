"""PFU505: ``prefect.tasks.databricks`` needs the ``databricks`` extra in Prefect 1.0 (manual)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.findings import FixClass

_MODULES = ("prefect.tasks.databricks", "prefect.contrib.tasks.databricks")

MESSAGE = (
    "Prefect 1.0's prefect.tasks.databricks raises ImportError without the databricks extra: "
    "add it to your Prefect pin (prefect[databricks]>=1.0,<2)"
)


def _is_databricks(module: Optional[str]) -> bool:
    return module is not None and any(module == m or module.startswith(m + ".") for m in _MODULES)


@register
class DatabricksExtra(PythonCodemod):
    """An import of ``prefect.tasks.databricks`` is reported: 1.0 needs ``prefect[databricks]``.

    In Prefect 1.0 ``import prefect.tasks.databricks`` raises ``ImportError`` unless the
    ``databricks`` extra (pydantic) is installed (api-diff §0 item 6, §3); in 0.15 it imported
    without it. The extra belongs in the project's Prefect pin, which may live in any file
    (requirements, pyproject, setup.py, an image), so a codemod cannot see whether it is there.

    Decision: the import is the one place that proves the extra is needed, so the finding is put
    on every import of ``prefect.tasks.databricks`` (also ``from prefect.tasks import
    databricks`` and 0.13's ``prefect.contrib.tasks.databricks``), as a manual finding whose
    message says to add the extra. Nothing is rewritten, and PFU501/PFU506 do not add the extra
    to pins. Once the pin says ``prefect[databricks]``, silence the finding with
    ``--ignore PFU505`` (or a per-file ignore).

    Before::

        from prefect.tasks.databricks import DatabricksRunNow

    After (unchanged, reported)::

        from prefect.tasks.databricks import DatabricksRunNow  # PFU505: pin prefect[databricks]
    """

    code = "PFU505"
    summary = "prefect.tasks.databricks needs the databricks extra in 1.0: pin prefect[databricks]"
    fix_class = FixClass.MANUAL
    markers = ("databricks",)
    examples = (
        Example("from prefect.tasks.snowflake import SnowflakeQuery\nimport databricks\n"),
        Example(
            "from prefect.tasks.databricks import DatabricksRunNow\n",
            "from prefect.tasks.databricks import DatabricksRunNow\n",
        ),  # reported (a manual finding): after == before
    )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if _is_databricks(get_full_name_for_node(alias.name)):
                self.report(node, MESSAGE, applied=False)
                return

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = get_full_name_for_node(node.module)
        if _is_databricks(module):
            self.report(node, MESSAGE, applied=False)
            return
        if module in ("prefect.tasks", "prefect.contrib.tasks") and not isinstance(node.names, cst.ImportStar):
            if any(get_full_name_for_node(a.name) == "databricks" for a in node.names):
                self.report(node, MESSAGE, applied=False)
