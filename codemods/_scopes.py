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
        """libcst's scope visitor with its ``on_leave`` answered from a per-class cache.

        libcst's runs at every node: an ``isinstance`` against some twenty node classes (each an
        ABC check, as ``CSTNode`` is abstract) and a ``leave_<Node>`` hook looked up by a name
        built with an f-string. Both depend only on the node's class.
        """

        _leaving: dict[type, tuple[bool, Optional[str]]] = {}

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


def scopes_of(wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, Optional[Scope]]:
    """``wrapper.resolve(ScopeProvider)``, computed in two passes over the tree instead of four.

    libcst resolves ``ExpressionContextProvider`` and then ``ScopeProvider`` as batchable
    providers: each runs its own visitor over the whole tree from ``visit_Module`` and is then
    walked over the whole tree a second time for methods neither has. Here the same two
    visitors run once each, and the results are left in the wrapper for later users. Where a
    libcst release moves these (private) pieces, libcst resolves the provider itself.
    """
    known = getattr(wrapper, "_metadata", None)
    if isinstance(known, dict) and ScopeProvider in known:
        return known[ScopeProvider]
    if ScopeVisitor is None or not isinstance(known, dict) or ExpressionContextProvider in known:
        return wrapper.resolve(ScopeProvider)
    try:
        contexts = ExpressionContextProvider()
        contexts._computed = {}
        wrapper.module.visit(ExpressionContextVisitor(contexts, ExpressionContext.LOAD))
        scopes = ScopeProvider()
        scopes._computed = {}
        scopes.metadata = {ExpressionContextProvider: contexts._computed}
        visitor = _ScopeVisitor(scopes)
        wrapper.module.visit(visitor)
        visitor.infer_accesses()
    except (AttributeError, TypeError):  # pragma: no cover - a libcst that changed them
        return wrapper.resolve(ScopeProvider)
    known[ExpressionContextProvider] = MappingProxyType(dict(contexts._computed))
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
