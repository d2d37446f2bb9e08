"""Scopes and qualified names with fewer tree passes than libcst's batched providers.

Shared by every codemod (``base._LazyMetadata``) and the move engine. Each function gives what
libcst's provider gives, or asks libcst's provider where its private pieces have moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Iterator, Optional

import libcst as cst
from libcst.metadata import QualifiedName, Scope, ScopeProvider
from libcst.metadata.wrapper import MetadataWrapper

try:  # libcst's own scope analysis, run without its batching (see ``scopes_of``)
    from libcst.metadata.expression_context_provider import (
        ExpressionContext,
        ExpressionContextProvider,
        ExpressionContextVisitor,
    )
    from libcst.metadata.scope_provider import _ASSIGNMENT_LIKE_NODES, ScopeVisitor
except ImportError:  # pragma: no cover - a libcst that moved them
    ScopeVisitor = None  # type: ignore[assignment,misc]
else:

    class _ScopeVisitor(ScopeVisitor):
        """libcst's scope visitor that finds the stored names itself, with its ``on_leave``
        answered from a per-class cache.

        libcst's runs at every node: an ``isinstance`` against some twenty node classes (each an
        ABC check, as ``CSTNode`` is abstract) and a ``leave_<Node>`` hook looked up by a name
        built with an f-string. Both depend only on the node's class.
        """

        _leaving: dict[type, tuple[bool, Optional[str]]] = {}

        def __init__(self, provider: ScopeProvider) -> None:
            super().__init__(provider)
            #: The names in the STORE context (what ``ExpressionContextVisitor`` would find).
            self.stored: set[cst.Name] = set()

        # -- the names stored to, found as the scope visitor goes (no context pass) ----------
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                self._store(target.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            self._store(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            self._store(node.target)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            self._store(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            self._store(node.name)

        def visit_For(self, node: cst.For) -> Optional[bool]:
            self._store(node.target)
            return super().visit_For(node)

        def _visit_comp_alike(self, node) -> bool:
            for_in = node.for_in
            while for_in is not None:
                self._store(for_in.target)
                for_in = for_in.inner_for_in
            return super()._visit_comp_alike(node)

        def _store(self, target: cst.CSTNode) -> None:
            """Mark the names ``ExpressionContextVisitor`` would give the STORE context in an
            assignment target (attributes and subscripts store nothing into a name)."""
            kind = type(target)
            if kind is cst.Name:
                self.stored.add(target)
            elif kind is cst.Tuple or kind is cst.List:
                for element in target.elements:
                    self._store(element.value)
            elif kind is cst.StarredElement:
                self._store(target.value)
            elif kind is not cst.Attribute and kind is not cst.Subscript:
                # Not a target CPython accepts; ask libcst's own visitor.
                contexts = ExpressionContextProvider()
                contexts._computed = {}
                target.visit(ExpressionContextVisitor(contexts, ExpressionContext.STORE))
                self.stored.update(
                    node
                    for node, context in contexts._computed.items()
                    if type(node) is cst.Name and context is ExpressionContext.STORE
                )

        def on_leave(self, original_node: cst.CSTNode) -> None:
            cls = type(original_node)
            known = self._leaving.get(cls)
            if known is None:
                hook = f"leave_{cls.__name__}"
                known = self._leaving[cls] = (
                    isinstance(original_node, _ASSIGNMENT_LIKE_NODES),
                    hook if callable(getattr(ScopeVisitor, hook, None)) else None,
                )
            self.provider.set_metadata(original_node, self.scope)
            if known[0]:
                self.scope._assignment_count += 1
            if known[1] is not None:
                getattr(self, known[1])(original_node)


class _StoreContexts(Mapping):
    """What the scope visitor asks of ``ExpressionContextProvider``: whether a name is stored to.

    It treats the LOAD and DEL contexts and no context alike, so the STORE names, marked as it
    reaches the targets that hold them, are all it needs to know.
    """

    def __init__(self, stored: set) -> None:
        self._stored = stored

    def __getitem__(self, node: cst.CSTNode) -> ExpressionContext:
        if node in self._stored:
            return ExpressionContext.STORE
        raise KeyError(node)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)


def scopes_of(wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, Optional[Scope]]:
    """``wrapper.resolve(ScopeProvider)``, computed in one pass over the tree instead of four.

    libcst resolves ``ExpressionContextProvider`` and then ``ScopeProvider`` as batchable
    providers: each runs its own visitor over the whole tree from ``visit_Module`` and is then
    walked over the whole tree a second time for methods neither has. The scope visitor only
    asks the contexts whether a name is stored to; here it marks those names itself as it
    reaches the assignment targets that hold them (``_ScopeVisitor._store``), so only the scope
    visitor walks the tree. The scopes are left in the wrapper for later users. Where a libcst
    release moves these (private) pieces, libcst resolves the provider itself.
    """
    known = getattr(wrapper, "_metadata", None)
    if isinstance(known, dict) and ScopeProvider in known:
        return known[ScopeProvider]
    if ScopeVisitor is None or not isinstance(known, dict) or ExpressionContextProvider in known:
        return wrapper.resolve(ScopeProvider)
    try:
        scopes = ScopeProvider()
        scopes._computed = {}
        visitor = _ScopeVisitor(scopes)
        scopes.metadata = {ExpressionContextProvider: _StoreContexts(visitor.stored)}
        wrapper.module.visit(visitor)
        visitor.infer_accesses()
    except (AttributeError, TypeError):  # pragma: no cover - a libcst that changed them
        return wrapper.resolve(ScopeProvider)
    known[ScopeProvider] = result = MappingProxyType(dict(scopes._computed))
    return result


class QualifiedNames(Mapping):
    """What ``QualifiedNameProvider`` resolves, computed for a node when it is asked for.

    libcst's provider walks the whole tree to attach, to every node, a lazy
    ``scope.get_qualified_names_for(node)`` (an empty set where the node has no scope); this
    mapping answers the same for the nodes a codemod asks about, without the walk. (A node
    outside the tree also gets the empty set, where libcst would raise ``KeyError``.)
    """

    def __init__(self, scopes: Mapping[cst.CSTNode, Optional[Scope]]) -> None:
        self._scopes = scopes
        self._found: dict[cst.CSTNode, set[QualifiedName]] = {}  # once a node, as libcst's LazyValue

    def __getitem__(self, node: cst.CSTNode) -> set[QualifiedName]:
        found = self._found.get(node)
        if found is None:
            scope = self._scopes.get(node)
            found = self._found[node] = scope.get_qualified_names_for(node) if scope else set()
        return found

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._scopes)

    def __len__(self) -> int:
        return len(self._scopes)
