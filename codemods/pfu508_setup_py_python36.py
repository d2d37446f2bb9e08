"""PFU508: ``python_requires`` in ``setup.py`` that admits Python 3.6 (manual)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._pins import admits_python36
from prefect_upgrade.codemods._setup_py import is_setup_module
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.findings import FixClass


@register
class SetupPyPython36(PythonCodemod):
    """``setup(python_requires=">=3.6")`` is reported: Prefect 1.0 needs Python 3.7 or newer.

    The ``setup.py`` side of PFU503. Only a string literal passed as ``python_requires=`` in a
    ``setup.py`` is judged; nothing is rewritten (raising the floor is the maintainer's call).

    Before::

        setup(name="flows", python_requires=">=3.6")

    After (unchanged, reported)::

        setup(name="flows", python_requires=">=3.6")  # PFU508: raise it to >=3.7
    """

    code = "PFU508"
    summary = "setup.py python_requires admits Python 3.6 (Prefect 1.0 needs Python 3.7+)"
    fix_class = FixClass.MANUAL
    markers = ("python_requires",)
    examples = (
        Example('from setuptools import setup\nsetup(python_requires=">=3.7")\n'),
        Example(
            'from setuptools import setup\nsetup(python_requires=">=3.6")\n',
            'from setuptools import setup\nsetup(python_requires=">=3.6")\n',
        ),  # reported (a manual finding): after == before
    )

    def visit_Module(self, node: cst.Module) -> bool:
        return is_setup_module(self.context.filename, node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if not m.matches(node, m.Arg(keyword=m.Name("python_requires"), value=m.SimpleString())):
            return
        value = node.value.evaluated_value  # type: ignore[union-attr]
        if isinstance(value, str) and admits_python36([value]):
            self.report(
                node,
                f"Prefect 1.0 needs Python 3.7 or newer, and python_requires {value!r} admits 3.6: "
                "raise it to >=3.7",
                applied=False,
            )
