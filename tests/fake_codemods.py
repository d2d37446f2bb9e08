"""Small codemods for the driver's tests (not registered: the driver must not depend on real ones).

``registry`` swaps the registry for these, so that the command line, ``--select`` and
``--explain`` see them as if they were real.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import libcst as cst
import libcst.matchers as m
from libcst.codemod.visitors import AddImportsVisitor

from prefect_upgrade.codemods.base import Example, PythonCodemod, TextCodemod
from prefect_upgrade.findings import FixClass


class FakeMove(PythonCodemod):
    """``from prefect.engine.executors import X`` → ``from prefect.executors import X``.

    Before: ``from prefect.engine.executors import LocalExecutor``
    """

    code = "PFU901"
    summary = "fake: executors moved"
    markers = ("prefect.engine.executors",)
    examples = (
        Example("from prefect.executors import LocalExecutor\n"),
        Example("from prefect.engine.executors import LocalExecutor\n", "from prefect.executors import LocalExecutor\n"),
    )

    def leave_ImportFrom(self, original, updated):
        if updated.module is not None and m.matches(
            updated.module, m.Attribute(m.Attribute(m.Name("prefect"), m.Name("engine")), m.Name("executors"))
        ):
            self.report(original, "prefect.engine.executors is now prefect.executors", applied=True)
            return updated.with_changes(module=cst.parse_expression("prefect.executors"))
        return updated


class FakeRun(PythonCodemod):
    """``LocalEnvironment()`` → ``LocalRun()`` with its import added (a change in two places).

    Before: ``flow = Flow("x", environment=LocalEnvironment())``
    """

    code = "PFU902"
    summary = "fake: environment to run config"
    extra_codes = {"PFU903": "fake: reads of flow.environment"}
    markers = ("LocalEnvironment", "environment")
    examples = (
        Example("x = 1\n"),
        Example("e = LocalEnvironment()\n", "from prefect.run_configs import LocalRun\n\ne = LocalRun()\n"),
    )

    def leave_Call(self, original, updated):
        if m.matches(updated.func, m.Name("LocalEnvironment")):
            self.report(original, "LocalEnvironment() is now LocalRun()", applied=True)
            AddImportsVisitor.add_needed_import(self.context, "prefect.run_configs", "LocalRun")
            return updated.with_changes(func=cst.Name("LocalRun"))
        return updated

    def visit_Attribute(self, node):
        if node.attr.value == "environment" and self.enabled("PFU903"):
            self.report(node, "flow.environment no longer exists; read flow.run_config", applied=False,
                        fix_class=FixClass.MANUAL, code="PFU903")


class FakeRegister(TextCodemod):
    """``prefect register flow`` → ``prefect register`` in shell commands.

    Before: ``prefect register flow --file f.py``
    """

    code = "PFU904"
    summary = "fake: prefect register flow"
    file_kinds = frozenset({"shell", "yaml", "dockerfile", "makefile", "markdown"})
    markers = ("prefect register flow",)
    examples = (
        Example("prefect register\n", kind="shell"),
        Example("prefect register flow --file f.py\n", "prefect register --path f.py\n", kind="shell"),
    )

    def rewrite_text(self, text, kind):
        out = []
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            match = re.search(r"prefect register flow --file", line)
            if match:
                self.report(number, match.start() + 1, "`prefect register flow` is now `prefect register`", applied=True)
                line = line.replace("prefect register flow --file", "prefect register --path")
            out.append(line)
        return "".join(out)


class FakeUnsafe(PythonCodemod):
    """``PrefectError`` → ``PrefectException``, an unsafe fix.

    Before: ``except PrefectError:``
    """

    code = "PFU905"
    summary = "fake: PrefectError renamed"
    fix_class = FixClass.UNSAFE
    markers = ("PrefectError",)
    examples = (
        Example("x = 1\n"),
        Example("PrefectError\n", "PrefectException\n"),
    )

    def leave_Name(self, original, updated):
        if updated.value == "PrefectError":
            self.report(original, "PrefectError is PrefectException in 1.0", applied=self.allows(FixClass.UNSAFE))
            if self.allows(FixClass.UNSAFE):
                return updated.with_changes(value="PrefectException")
        return updated


FAKES = (FakeMove, FakeRun, FakeRegister, FakeUnsafe)


@contextmanager
def registry(*codemods):
    """Make ``codemods`` (the fakes by default) the whole registry for a while."""
    import prefect_upgrade.codemods as registry_module

    saved = dict(registry_module._REGISTRY), registry_module._loaded
    registry_module._REGISTRY.clear()
    registry_module._REGISTRY.update({c.code: c for c in (codemods or FAKES)})
    registry_module._loaded = True
    try:
        yield
    finally:
        registry_module._REGISTRY.clear()
        registry_module._REGISTRY.update(saved[0])
        registry_module._loaded = saved[1]
