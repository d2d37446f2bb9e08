"""Names an import keeps although no ``Name`` reads them: exported in ``__all__`` or named in a
string annotation.

libcst's ``RemoveImportsVisitor`` (which the codemods use to delete imports) keeps an imported
name that ``__all__`` lists or that a string annotation names (``GatherUnusedImportsVisitor``).
A codemod that decides from ``Name`` nodes alone that an import is unused would ask for its
removal, report "import deleted", and find the import still there: a module that fails to import
under Prefect 1.0 next to a finding saying it was fixed. ``kept_names`` tells those names apart
with libcst's own visitors, and only when one of the names appears in a string at all (the
common case costs nothing).
"""

from __future__ import annotations

from typing import Iterable

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import GatherExportsVisitor
from libcst.codemod.visitors._gather_string_annotation_names import GatherNamesFromStringAnnotationsVisitor
from libcst.metadata import MetadataWrapper


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
    context = CodemodContext()
    exports = GatherExportsVisitor(context)
    tree.visit(exports)
    kept = wanted & exports.explicit_exported_objects
    rest = wanted - kept
    if rest and any(name in text for text in strings for name in rest):
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        wrapper.resolve_many(GatherNamesFromStringAnnotationsVisitor.METADATA_DEPENDENCIES)
        annotations = GatherNamesFromStringAnnotationsVisitor(CodemodContext(wrapper=wrapper))
        wrapper.module.visit(annotations)
        used = {dotted.split(".")[0] for dotted in annotations.names}
        kept |= rest & used
    return kept

