"""PFU107: dotted paths of moved classes inside string literals."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import is_compat_try
from prefect_upgrade.codemods._speed import PlainVisits, WalkedParents, module_code
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.codemods.moves_table import MOVES, MoveIndex
from prefect_upgrade.findings import FixClass

_PATH = re.compile(r"prefect(\.[A-Za-z_][A-Za-z0-9_]*)+")
_INDEX = MoveIndex(MOVES)
_MODULE_ROWS = frozenset(m.old for m in MOVES if m.kind == "module")
#: A path between quotes anywhere in the text: every string ``_new_path`` acts on spells its
#: value verbatim between its quotes (escapes are left alone), so a module without such a
#: path of a moved name is returned as it is, without a pass over its tree.
_QUOTED_PATH = re.compile(r"(?<=['\"])prefect(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?=['\"])")


def _may_hold_path(text: str) -> bool:
    return any(
        _INDEX.lookup(found) is not None and found not in _MODULE_ROWS
        for found in (match.group(0) for match in _QUOTED_PATH.finditer(text))
    )


def _markers() -> tuple[str, ...]:
    found = {m.old if m.kind == "module" else m.old.rpartition(".")[0] for m in MOVES}
    return tuple(sorted(found))


@register
class MovedStringPaths(WalkedParents, PlainVisits, PythonCodemod):
    """A string whose *whole* value is the dotted path of a moved class or function is rewritten
    to the new path, e.g. ``default_class`` settings or ``mock.patch`` targets:
    ``"prefect.engine.executors.DaskExecutor"`` → ``"prefect.executors.DaskExecutor"``,
    ``"prefect.environments.storage.S3"`` → ``"prefect.storage.S3"`` (left unrewritten, 1.0
    silently falls back to ``Local`` storage).

    Never touched: prose that merely mentions a path, docstrings and other bare string
    statements, parts of implicitly concatenated strings, f-strings and bytes, and a string that is
    just a module path (``"prefect.engine.executors"``, which may be combined with ``getattr``).
    Paths of names without a successor are manual findings; unsafe renames (``PrefectError``
    in 0.13/0.14 code) follow ``--unsafe-fixes``; ``"…SynchronousExecutor"`` is a manual finding
    (the class cannot carry ``scheduler="synchronous"`` in a string).

    Before::

        os.environ["PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS"] = "prefect.engine.executors.DaskExecutor"

    After::

        os.environ["PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS"] = "prefect.executors.DaskExecutor"
    """

    also_needs = ("prefect",)
    code = "PFU107"
    summary = "dotted paths of moved Prefect classes inside string literals"
    fix_class = FixClass.SAFE
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)
    markers = _markers()
    examples = (
        Example('HELP = "DaskExecutor moved from prefect.engine.executors.DaskExecutor"\n'),
        Example('x = "prefect.engine.executors"\n'),
        Example(
            'config = {"default_class": "prefect.engine.executors.DaskExecutor"}\n',
            'config = {"default_class": "prefect.executors.DaskExecutor"}\n',
        ),
        Example(
            "mock.patch('prefect.environments.storage.S3.build')\n",
            "mock.patch('prefect.storage.S3.build')\n",
        ),
    )

    def transform_module(self, tree: cst.Module) -> cst.Module:
        if not _may_hold_path(module_code(tree)):
            return tree
        return super().transform_module(tree)

    def visit_Try(self, node: cst.Try) -> Optional[bool]:
        return not is_compat_try(node)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        new = self._new_path(original_node)
        if new is None:
            return updated_node
        quote = original_node.quote
        return updated_node.with_changes(value=f"{original_node.prefix}{quote}{new}{quote}")

    def _new_path(self, node: cst.SimpleString) -> Optional[str]:
        if node.prefix.lower() not in ("", "r", "u"):
            return None
        try:
            value = node.evaluated_value
        except Exception:  # pragma: no cover - odd literal
            return None
        if not isinstance(value, str) or not _PATH.fullmatch(value) or value in _MODULE_ROWS:
            return None
        if node.raw_value != value:
            return None  # escapes inside: leave it
        found = _INDEX.lookup(value)
        if found is None:
            return None
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, (cst.Expr, cst.ConcatenatedString)):
            return None
        row, new = found
        if new is None:
            self.report(node, f'"{value}": {row.message}', applied=False, fix_class=FixClass.MANUAL)
            return None
        if row.add_kwargs:
            self.report(node, f'"{value}": {row.message}', applied=False, fix_class=FixClass.MANUAL)
            return None
        fix = row.fix_for(self.options.from_version)
        message = f'"{value}" → "{new}"' + (f": {row.message}" if fix is not FixClass.SAFE and row.message else "")
        if fix is FixClass.UNSAFE and not self.allows(fix):
            self.report(node, message, applied=False, fix_class=fix)
            return None
        self.report(node, message, applied=True, fix_class=fix)
        return new
