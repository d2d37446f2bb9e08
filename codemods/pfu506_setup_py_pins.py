"""PFU506: Prefect pins in ``setup.py`` that admit no Prefect 1.x."""

from __future__ import annotations

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._pins import NEW_SPEC, parse_requirement
from prefect_upgrade.codemods._setup_py import is_setup_module, plain_raw_value, with_raw_value
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.findings import FixClass


@register
class SetupPyPins(PythonCodemod):
    """Prefect requirement strings in ``setup.py`` that admit only 0.x move to ``>=1.0,<2``.

    The ``setup.py`` side of PFU501: every string literal in a ``setup.py`` that is a whole
    requirement for ``prefect`` (in ``install_requires``, ``extras_require``, a list assigned
    first and passed later ...) is judged as PFU501 judges pins, and only its constraint is
    replaced; quotes, extras, markers and everything around stay. Only files named
    ``setup.py`` are touched (or, for stdin, a module that imports setuptools and calls
    ``setup()``). Strings with escapes, f-strings and ``prefect-*`` packages are left alone.
    Ignore all pin changes with ``--ignore PFU501,PFU506``.

    Before::

        install_requires=["prefect[aws]==0.15.13", "prefect-aws==0.1"]

    After::

        install_requires=["prefect[aws]>=1.0,<2", "prefect-aws==0.1"]
    """

    code = "PFU506"
    summary = "Prefect pin in setup.py admits no 1.x: constraint changed to >=1.0,<2"
    fix_class = FixClass.SAFE
    # a requirement string only matters in setup.py when it reaches one of these keywords
    markers = ("install_requires", "extras_require", "setup_requires", "tests_require")
    examples = (
        Example('from setuptools import setup\nsetup(install_requires=["prefect>=1.0", "prefect-aws==0.1.0"])\n'),
        Example('x = ["prefect==0.15.13"]\n'),  # not a setup module
        Example(
            'from setuptools import setup\nsetup(install_requires=["prefect[aws]==0.15.13"])\n',
            'from setuptools import setup\nsetup(install_requires=["prefect[aws]>=1.0,<2"])\n',
        ),
    )

    def visit_Module(self, node: cst.Module) -> bool:
        return is_setup_module(self.context.filename, node)

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.BaseExpression:
        raw = plain_raw_value(original_node)
        if raw is None or "prefect" not in raw.lower():
            return updated_node
        pin = parse_requirement(raw)
        if pin is None or pin.blocker or not pin.constraint or pin.verdict != "upgrade":
            return updated_node
        new_raw = raw[: pin.start] + NEW_SPEC + raw[pin.end :]
        self.report(
            original_node,
            f"Prefect pin {raw.strip()!r} admits no Prefect 1.x: changed to {NEW_SPEC!r}",
            applied=True,
        )
        return with_raw_value(updated_node, new_raw)
