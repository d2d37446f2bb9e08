"""Positions of a few nodes, in one code generation pass (issue #8); not a codemod.

libcst's ``PositionProvider`` records the range of every node of the tree, through a context
manager per node; a codemod needs the ranges of the handful of nodes it reports. This gives the
same ranges for those nodes only, or None where it cannot (then ``PositionProvider`` is asked).

Only the top-level statements that can hold a target are generated with positions: a statement
whose code (generated once per file, ``_speed.statement_code``) lacks the first line of every
target's code cannot hold one, and only moves the line count on by its lines.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Optional

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState

from prefect_upgrade.codemods._speed import statement_code

_NO_RECORD = nullcontext()


class _TargetPositions(PositionProvidingCodegenState):
    """``PositionProvider``'s code generation, recording only the positions of ``targets``.

    The same tokens, the same line/column arithmetic (a token without a line break only moves
    the column), the same recording for the nodes asked for; nothing recorded for the others.
    """

    def _update_position(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            super()._update_position(value)
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.provider.targets:  # type: ignore[attr-defined]
            super().before_codegen(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.provider.targets:  # type: ignore[attr-defined]
            super().after_codegen(node)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):  # type: ignore[override]
        if node not in self.provider.targets:  # type: ignore[attr-defined]
            return _NO_RECORD
        # (a statement's range ends where a child's does: its children are targets too)
        return super().record_syntactic_position(node, start_node=start_node, end_node=end_node)


class _PositionSink:
    def __init__(self, targets: set) -> None:
        self.targets = targets
        self._computed: dict = {}


def positions_of(module: cst.Module, targets: set) -> Optional[dict]:
    """``PositionProvider`` ranges of ``targets`` only (``None``: ask ``PositionProvider``)."""
    wanted = set(targets)
    for target in targets:
        if isinstance(target, (cst.BaseSmallStatement, cst.BaseStatement)):
            _add_subtree(target, wanted)
    sink = _PositionSink(wanted)
    try:
        if not _in_statements_holding_them(module, targets, sink):
            sink._computed.clear()
            module._codegen(_state(module, sink))
    except (KeyError, AttributeError, TypeError):  # a range from a child not computed; a libcst that changed
        return None
    if not targets <= sink._computed.keys():  # pragma: no cover - defensive
        return None
    return sink._computed


def _state(module: cst.Module, sink: _PositionSink) -> "_TargetPositions":
    return _TargetPositions(default_indent=module.default_indent, default_newline=module.default_newline, provider=sink)


def _in_statements_holding_them(module: cst.Module, targets: set, sink: _PositionSink) -> bool:
    """Generates with positions only the statements whose code holds a target's first line;
    False when a target was not found that way."""
    probes = set()
    for target in targets:
        if isinstance(target, (cst.Module, cst.EmptyLine)):
            return False
        probe = next((line.strip() for line in module.code_for_node(target).splitlines() if line.strip()), None)
        if probe is None:
            return False
        probes.add(probe)
    line = len(module.header) + 1  # each of the header's lines is one line
    for statement in module.body:
        code = statement_code(module, statement)
        if "\r" in code:
            return False  # libcst counts its line breaks token by token
        if any(probe in code for probe in probes):
            state = _state(module, sink)
            state.line = line
            statement._codegen(state)
        line += code.count("\n")
    return targets <= sink._computed.keys()


def _add_subtree(node: cst.CSTNode, into: set) -> None:
    node.visit(_Collect(into))


class _Collect(cst.CSTVisitor):
    """Every node of a subtree, in one (fast, ``_walk.py``) walk."""

    def __init__(self, into: set) -> None:
        self.into = into

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.into.add(node)
        return True
