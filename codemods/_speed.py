"""Speed helpers for the PFU2xx/PFU3xx codemods (issue #8); not a codemod (no ``pfu`` prefix).

Every helper here gives the same tree (hence byte-identical text) as the libcst machinery it
short-cuts, and falls back to that machinery whenever it cannot prove it:

* ``PlainVisits``: libcst's matcher-decoratable transformers test every node and attribute
  against ``@m.visit``/``@m.call_if_inside`` matchers; a class without any (checked per
  instance) is walked like a plain ``CSTTransformer``.
* ``ImportFixes.transform_module``: the transform, then the imports the codemod scheduled with
  ``AddImportsVisitor``/``RemoveImportsVisitor``:

  - ``AddImportsVisitor`` only reads and edits the imports at the top of the module (and the
    leading lines of the first statement after them): it runs on a module made of that head
    only instead of on the whole tree (two whole-tree passes saved).
  - ``RemoveImportsVisitor`` removes an import only when scope analysis of the new tree
    (a deep copy, scopes and qualified names: about ten passes) finds it unused, not exported
    and not named in a string annotation. When no ``Name`` outside import statements and no
    string literal of the new tree carries the name, that analysis cannot find a use: the
    import is removed by libcst's own ``leave_Import``/``leave_ImportFrom`` without it, on a
    walk that skips expressions. Otherwise libcst's visitor runs as before.
  - A transform that changed nothing (same text) hands back the tree it was given, so the
    next codemod keeps the parse and the metadata already resolved on it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional

import libcst as cst
from libcst.codemod import Codemod as LibcstCodemod
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.codemod.visitors._add_imports import _skip_first
from libcst.codemod.visitors._gather_unused_imports import MODULES_IGNORED_BY_DEFAULT


class PlainVisits:
    """Walk like a plain ``CSTTransformer`` when the instance has no matcher decorators."""

    def _plain(self) -> bool:
        plain = self.__dict__.get("_plain_visits")
        if plain is None:
            plain = not (self._matchers or self._extra_visit_funcs or self._extra_leave_funcs)
            self.__dict__["_plain_visits"] = plain
        return plain

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._plain():
            return cst.CSTTransformer.on_visit(self, node)
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        if self._plain():
            return cst.CSTTransformer.on_leave(self, original_node, updated_node)
        return super().on_leave(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self._plain():
            return cst.CSTTransformer.on_visit_attribute(self, node, attribute)
        return super().on_visit_attribute(node, attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self._plain():
            return cst.CSTTransformer.on_leave_attribute(self, original_node, attribute)
        return super().on_leave_attribute(original_node, attribute)


# -- imports ------------------------------------------------------------------------------


def _is_import_line(statement: cst.CSTNode) -> bool:
    # m.SimpleStatementLine(body=[m.ImportFrom() | m.Import()]), as AddImportsVisitor tests it
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


class _HeadAddImports(PlainVisits, AddImportsVisitor):
    pass


def add_imports(tree: cst.Module, context, items: list) -> cst.Module:
    """``AddImportsVisitor(context with items)`` on ``tree``, visiting only the module's head."""
    body = list(tree.body)
    start = 1 if _skip_first(tree) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    head = body[:end]
    first_after = body[end] if end < len(body) else None
    if first_after is not None:
        # only its leading lines can change (the blank line before the first non-import)
        head.append(cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=first_after.leading_lines))
    visitor = _HeadAddImports(replace(context, scratch={AddImportsVisitor.CONTEXT_KEY: list(items)}))
    new_head = list(tree.with_changes(body=head).visit(visitor).body)
    if first_after is None:
        return tree.with_changes(body=new_head)
    placeholder = new_head.pop()
    if placeholder.leading_lines is not first_after.leading_lines:
        first_after = first_after.with_changes(leading_lines=placeholder.leading_lines)
    return tree.with_changes(body=[*new_head, first_after, *body[end + 1 :]])


class _NamesAndStrings(cst.CSTVisitor):
    """Every ``Name`` outside import statements and every string literal's text."""

    def __init__(self) -> None:
        self.names: set = set()
        self.strings: list = []
        self.unsure = False

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings.append(node.value)
        if "\\" in node.value:
            self._evaluated(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._evaluated(node)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.strings.append(node.value)

    def _evaluated(self, node) -> None:
        try:
            value = node.evaluated_value
        except Exception:
            self.unsure = True
            return
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if value is not None:
            self.strings.append(value)


def names_and_strings(tree: cst.Module) -> _NamesAndStrings:
    found = _NamesAndStrings()
    tree.visit(found)
    return found


class _PrunedRemoveImports(PlainVisits, RemoveImportsVisitor):
    """libcst's import removal, told which local names are unused instead of finding out."""

    METADATA_DEPENDENCIES = ()

    def __init__(self, context, unused_locals: set) -> None:
        super().__init__(context)
        self._unused_locals = unused_locals

    def visit_Module(self, node: cst.Module) -> None:
        self._unused_imports = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseExpression):
            return False  # no statement (hence no import) below an expression
        return super().on_visit(node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._candidate(alias, node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        # what GatherUnusedImportsVisitor considers at all
        module = node.module
        if isinstance(node.names, cst.ImportStar) or module is None or module.value in MODULES_IGNORED_BY_DEFAULT:
            return
        for alias in node.names:
            self._candidate(alias, node)

    def _candidate(self, alias: cst.ImportAlias, node) -> None:
        local = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(local, cst.Name) and local.value in self._unused_locals:
            self._unused_imports[alias] = node


def _local_of(module: str, obj: Optional[str], asname: Optional[str]) -> Optional[str]:
    """The simple name a removal request binds, or None when it is dotted."""
    local = asname or obj or module
    return local if local.isidentifier() else None


def remove_imports(codemod, tree: cst.Module, items: list, found: Optional[_NamesAndStrings] = None) -> cst.Module:
    """What ``RemoveImportsVisitor`` scheduled with ``items`` does to ``tree``, cheaply when exact.

    ``found``: ``names_and_strings(tree)`` when the caller already knows it (every ``Name``
    outside import statements and every string of ``tree``, or more).
    """
    wanted = set()
    for module, obj, asname in items:
        local = _local_of(module, obj, asname)
        if local is None or module == "__future__":
            wanted = None
            break
        wanted.add(local)
    if wanted is not None:
        found = found or names_and_strings(tree)
        if found.unsure or wanted & found.names or any(w in s for s in found.strings for w in wanted):
            wanted = None
    context = replace(codemod.context, scratch={RemoveImportsVisitor.CONTEXT_KEY: list(items)})
    if wanted is None:
        saved = codemod.context
        codemod.context = context
        try:
            return codemod._instantiate_and_run(RemoveImportsVisitor, tree)
        finally:
            codemod.context = saved
    return tree.visit(_PrunedRemoveImports(context, wanted))


class ImportFixes(PlainVisits):
    """``transform_module`` of a ``PythonCodemod``, with the cheap import fixes above."""

    def transform_module(self, tree: cst.Module) -> cst.Module:
        new = LibcstCodemod.transform_module(self, tree)
        scratch = self.context.scratch
        adds = scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
        removes = scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
        if adds:
            new = add_imports(new, self.context, adds)
        if removes:
            new = remove_imports(self, new, removes, self.__dict__.pop("_known_uses", None))
        unchanged = self._unchanged()
        if unchanged is None:
            unchanged = new is not tree and new.code == tree.code
        # unchanged: the next codemod keeps this parse and its metadata
        return tree if unchanged else new

    def _unchanged(self) -> Optional[bool]:
        """After the transform: True when it surely changed nothing, False when it surely
        changed something, None to compare the texts."""
        return None


def prune(nodes: Iterable[cst.CSTNode], parent_of) -> set:
    """``nodes`` and all their ancestors (``parent_of(node)`` is None at the top)."""
    keep: set = set()
    for node in nodes:
        while node is not None and node not in keep:
            keep.add(node)
            node = parent_of(node)
    return keep
