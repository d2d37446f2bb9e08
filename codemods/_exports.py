"""Names an import keeps although no ``Name`` reads them: exported in ``__all__`` or named in a
string annotation.

libcst's ``RemoveImportsVisitor`` (which the codemods use to delete imports) keeps an imported
name that ``__all__`` lists or that a string annotation names (``GatherUnusedImportsVisitor``).
A codemod that decides from ``Name`` nodes alone that an import is unused would ask for its
removal, report "import deleted", and find the import still there: a module that fails to import
under Prefect 1.0 next to a finding saying it was fixed. ``kept_names`` tells those names apart,
and only when one of the names appears in a string at all (the common case costs nothing).

``__all__`` is read with libcst's ``GatherExportsVisitor``; string annotations are read here
without metadata (libcst's ``GatherNamesFromStringAnnotationsVisitor`` needs qualified names, a
pass over the whole tree that ``tests/test_speed.py`` keeps out of import removal): the strings
inside annotations (``x: "Env"``, ``-> "Optional[Env]"``), not those of ``typing.cast(...)``.
"""

from __future__ import annotations

from typing import Iterable

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import GatherExportsVisitor


def kept_names(tree: cst.Module, names: Iterable[str], strings: Iterable[str] | None = None) -> set[str]:
    """Those of ``names`` (local names bound by imports) that ``__all__`` lists or a string
    annotation of ``tree`` names. ``strings``: the texts of the module's string literals when the
    caller already has them (``_speed.names_and_strings``)."""
    wanted = set(names)
    if not wanted:
        return set()
    if strings is None:
        from prefect_upgrade.codemods._speed import names_and_strings

        strings = names_and_strings(tree).strings
    strings = list(strings)
    if not any(name in text for text in strings for name in wanted):
        return set()
    exports = GatherExportsVisitor(CodemodContext())
    tree.visit(exports)
    kept = wanted & exports.explicit_exported_objects
    rest = wanted - kept
    if rest and any(name in text for text in strings for name in rest):
        annotations = _AnnotationNames()
        tree.visit(annotations)
        kept |= rest & annotations.names
    return kept


class _AnnotationNames(cst.CSTVisitor):
    """The first part of every name read by a string inside an annotation."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self._depth = 0

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._depth += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._depth -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._depth:
            self._read(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        if self._depth:
            self._read(node)
        return False

    def _read(self, node) -> None:
        try:
            value = node.evaluated_value
            if not isinstance(value, str):
                return
            expression = cst.parse_expression(value.strip())
        except Exception:
            return
        names = self.names

        class Names(cst.CSTVisitor):
            def visit_Name(self, name: cst.Name) -> None:
                names.add(name.value)

            def visit_Attribute(self, attribute: cst.Attribute) -> bool:
                attribute.value.visit(self)  # ``a.b``: ``a`` is read, ``b`` is not a name
                return False

        expression.visit(Names())
