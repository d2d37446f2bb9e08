"""Comments of an import line that a transformer removes whole; not a codemod (no ``pfu`` prefix).

libcst drops a ``SimpleStatementLine`` whose statements were all removed, and its comments with
it. ``RemoveImportsVisitor`` removes an unused ``from prefect.environments import X`` that way, so
a comment above it that explained the block below (a real shape, trial 7)::

    # Environment configuration to dynamically spawn Dask clusters on Kubernetes
    from prefect.environments import DaskKubernetesEnvironment

    environment = DaskKubernetesEnvironment(...)

vanished with the import. ``KeepRemovedLineComments`` (a mixin for such a transformer) moves the
lines above a removed line, when one of them is a comment, to the next statement of the same
block, or to the block's footer when nothing follows (above the ``pass`` that an emptied block
gets; blank lines right under the comments go there). Where the carried lines meet the next
statement's, the blank lines on both sides of the removed line count once (as many as the larger
run): one blank line where there was one, not two. Its end-of-line comment goes along too,
on a line of its own, unless it is a tool pragma about that line only (``# noqa``,
``# type: ignore``, ``# pylint: …``, ``# isort: …``, ``# pragma: …``, ``# fmt: …``,
``# nosec``), which would mean nothing elsewhere. Lines without a comment are removed as
before, so output that kept nothing is unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

_PRAGMA = re.compile(r"#\s*(noqa\b|type:|pylint:|isort:|pragma:|fmt:|nosec\b)", re.IGNORECASE)


def _carried_lines(line: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """The lines a removed ``line`` leaves behind: nothing unless it carries a comment."""
    lines = list(line.leading_lines)
    trailing = line.trailing_whitespace.comment
    if trailing is not None and not _PRAGMA.match(trailing.value):
        lines.append(cst.EmptyLine(comment=trailing))
    if not any(item.comment is not None for item in lines):
        return []
    return lines


class KeepRemovedLineComments:
    """Mixin for a ``CSTTransformer`` that may empty whole statement lines (see the module)."""

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node: Any) -> Any:
        hook = getattr(super(), "leave_SimpleStatementLine", None)
        if hook is not None:
            updated_node = hook(original_node, updated_node)
        if isinstance(updated_node, cst.SimpleStatementLine) and not updated_node.body:
            emptied = self.__dict__.setdefault("_emptied_lines", {})
            emptied[id(original_node)] = (original_node, _carried_lines(original_node))
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: Any) -> Any:
        hook = getattr(super(), "leave_IndentedBlock", None)
        if hook is not None:
            updated_node = hook(original_node, updated_node)
        return self._carry_comments(original_node, updated_node)

    def leave_Module(self, original_node: cst.Module, updated_node: Any) -> Any:
        hook = getattr(super(), "leave_Module", None)
        if hook is not None:
            updated_node = hook(original_node, updated_node)
        updated_node = self._carry_comments(original_node, updated_node)
        self.__dict__.pop("_emptied_lines", None)  # a codemod object may see another module
        return updated_node

    def _carry_comments(self, original: Any, updated: Any) -> Any:
        emptied = self.__dict__.get("_emptied_lines")
        if not emptied or not isinstance(updated, type(original)):
            return updated
        gone = [child for child in original.body if emptied.get(id(child), (None,))[0] is child]
        if not any(emptied[id(child)][1] for child in gone):
            return updated
        if len(original.body) - len(gone) != len(updated.body):
            return updated  # not one kept statement per original one: leave it as libcst made it
        kept = iter(updated.body)
        body: list[cst.BaseStatement] = []
        pending: list[cst.EmptyLine] = []
        for child in original.body:
            if emptied.get(id(child), (None,))[0] is child:
                pending = joined_blank_lines(pending, emptied[id(child)][1])
                continue
            new = next(kept)
            if pending:
                new = new.with_changes(leading_lines=joined_blank_lines(pending, new.leading_lines))
                pending = []
            body.append(new)
        if pending and not body and isinstance(updated, cst.IndentedBlock):
            # the block is empty now: the `pass` libcst would print anyway, right under the comments
            while pending and pending[-1].comment is None:
                pending.pop()
            body.append(cst.SimpleStatementLine([cst.Pass()], leading_lines=pending))
            pending = []
        changes: dict[str, Any] = {"body": body}
        if pending:
            changes["footer"] = joined_blank_lines(pending, updated.footer)
        return updated.with_changes(**changes)


def joined_blank_lines(first: list, second: Any) -> list:
    """``first`` then ``second`` (lists of ``EmptyLine``) where a removed line stood between them:
    the blank lines that met there (those below the line's comment and those above the next
    statement) count once, as many as the larger run, not both
    (``# c`` / blank / removed line / blank / ``x = 1`` keeps one blank line above ``x = 1``)."""
    second = list(second)
    tail = 0
    while tail < len(first) and first[len(first) - 1 - tail].comment is None:
        tail += 1
    head = 0
    while head < len(second) and second[head].comment is None:
        head += 1
    drop = min(tail, head)
    return [*first[: len(first) - drop], *second]
