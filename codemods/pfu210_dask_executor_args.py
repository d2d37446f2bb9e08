"""PFU210: legacy ``DaskExecutor`` arguments (environments-to-runconfig.md §6)."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._speed import ImportFixes, module_code
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.codemods.environments import (
    DASK_EXECUTOR_QNAMES,
    PFU_DASK_ARGS,
    ArgReader,
    convert_dask_args,
    render,
)
from prefect_upgrade.findings import FixClass


@register
class LegacyDaskExecutorArgs(ImportFixes, PythonCodemod):
    """Legacy ``DaskExecutor`` arguments, removed in Prefect 0.14, become 1.0 arguments.

    * ``address="local"`` → dropped (an empty address starts a temporary local cluster);
    * ``local_processes=X`` → ``cluster_kwargs={"processes": X}``;
    * loose ``**kwargs``: without an address, the ``distributed.Client`` keys 0.12–0.13 knew
      (timeout, set_as_default, scheduler_file, security, name, direct_to_workers,
      heartbeat_interval) → ``client_kwargs``, everything else (n_workers, threads_per_worker,
      memory_limit …) → ``cluster_kwargs``; with an address every unknown key → ``client_kwargs``.
      That is exactly what 0.12–0.13 did at run time. Existing literal ``cluster_kwargs``/
      ``client_kwargs`` dicts are extended; other expressions are merged with ``{**x, …}``.

    Works for every import path of ``DaskExecutor`` (``prefect.executors`` and the old
    ``prefect.engine.executors``), so it is correct with or without PFU101 selected.

    Before::

        DaskExecutor(address="local", local_processes=True, n_workers=2, threads_per_worker=1)

    After::

        DaskExecutor(cluster_kwargs={"processes": True, "n_workers": 2, "threads_per_worker": 1})
    """

    also_needs = ("prefect",)
    code = PFU_DASK_ARGS
    summary = "legacy DaskExecutor arguments (address='local', local_processes=, loose **kwargs)"
    fix_class = FixClass.SAFE
    markers = ("DaskExecutor",)
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)
    examples = (
        Example(
            "from prefect.executors import DaskExecutor\n\n"
            'executor = DaskExecutor(cluster_kwargs={"n_workers": 2}, adapt_kwargs={"maximum": 4})\n'
        ),
        Example(
            "from prefect.executors import DaskExecutor\n\n"
            'executor = DaskExecutor(address="local", local_processes=True, n_workers=2)\n',
            "from prefect.executors import DaskExecutor\n\n"
            'executor = DaskExecutor(cluster_kwargs={"processes": True, "n_workers": 2})\n',
        ),
        Example(
            "from prefect.engine.executors import DaskExecutor\n\n"
            'executor = DaskExecutor("tcp://scheduler:8786", timeout=30)\n',
            "from prefect.engine.executors import DaskExecutor\n\n"
            'executor = DaskExecutor("tcp://scheduler:8786", client_kwargs={"timeout": 30})\n',
        ),
    )

    #: How DaskExecutor is spelled in the module (set by the pre-check in transform_module).
    callee_names: frozenset = frozenset({"DaskExecutor"})

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # cheap pre-check before metadata resolution: some DaskExecutor (or an alias) is called
        code = module_code(tree)
        names = {"DaskExecutor"} | set(re.findall(r"DaskExecutor\s+as\s+(\w+)", code))
        if not re.search(r"\b(%s)\s*\(" % "|".join(sorted(names)), code):
            return tree
        self.callee_names = names
        return super().transform_module(tree)

    _converted = 0

    def _unchanged(self) -> bool:
        return not self._converted  # leave_Call is the only change

    def visit_Module(self, node: cst.Module) -> bool:
        self.blocks = [0]
        self.default_indent = len(node.default_indent)
        self.reader = ArgReader(node, lambda n: self.get_metadata(PositionProvider, n), lambda n: self.blocks[-1])
        return True

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        width = len(node.indent) if node.indent is not None else self.default_indent
        self.blocks.append(self.blocks[-1] + width)

    def leave_IndentedBlock(self, original_node, updated_node):
        self.blocks.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        # Cheap checks first: scopes and qualified names are resolved (two tree passes) only
        # for a call spelled like a DaskExecutor that has legacy arguments to convert.
        func = original_node.func
        last = func.attr if isinstance(func, cst.Attribute) else func
        if not isinstance(last, cst.Name) or last.value not in self.callee_names:
            return updated_node
        if any(arg.star == "*" for arg in original_node.args):
            return updated_node
        args = []
        for arg in original_node.args:
            name = "**" if arg.star == "**" else (arg.keyword.value if arg.keyword else None)
            args.append((name, self.reader.value(arg.value).raw))
        new_args, changes = convert_dask_args(args)
        if not changes:
            return updated_node
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node.func, set())}
        if not names & DASK_EXECUTOR_QNAMES:
            return updated_node
        position = self.get_metadata(PositionProvider, original_node).start
        line = self.reader.lines[position.line - 1]
        indent = len(line) - len(line.lstrip(" "))
        func = cst.Module([]).code_for_node(updated_node.func)
        from prefect_upgrade.codemods.environments import CallX

        source = render(CallX(func, new_args), indent - self.blocks[-1], position.column)
        self.report(
            original_node,
            "legacy DaskExecutor arguments converted: " + "; ".join(changes),
            applied=True,
        )
        new = cst.parse_expression(source)
        self._converted += 1
        return updated_node.with_changes(args=new.args, whitespace_before_args=new.whitespace_before_args)
