"""Shared pieces of the PFU3xx codemods (removed calls, arguments and settings).

Not a codemod itself (the name does not start with ``pfu``). It gives each PFU3xx codemod:

- ``qnames(node)``: the qualified names of a name or attribute chain (QualifiedNameProvider),
  so ``DA`` after ``from prefect.agent.docker import DockerAgent as DA`` is
  ``prefect.agent.docker.DockerAgent`` and ``prefect.Client`` after ``import prefect`` is
  ``prefect.Client``;
- ``class_of(expr)``: the Prefect class an expression is known to be an instance of, when that
  is visible in the code: a constructor call (``Client()``), a name assigned only from such a
  call (or annotated with the class) in a visible scope, ``with Flow(...) as flow``, a function
  parameter annotated with the class, or ``self.attr`` assigned only such instances inside the
  class. Anything else is unknown, and unknown receivers are never rewritten;
- call-argument editing that keeps the layout and the comments of multi-line calls;
- statement comments: ``self.comment_statement(text)`` puts ``# text`` on its own line above
  the statement being transformed (used when a fix drops part of an expression, or when an
  unsafe fix needs a reminder).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import libcst as cst
from libcst import matchers as m
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import (
    Assignment,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from prefect_upgrade.codemods._speed import ImportFixes, WalkedParents
from prefect_upgrade.codemods.base import PythonCodemod

CLIENT = frozenset({"prefect.Client", "prefect.client.Client", "prefect.client.client.Client"})
FLOW = frozenset({"prefect.Flow", "prefect.core.Flow", "prefect.core.flow.Flow"})
DOCKER_AGENT = frozenset({"prefect.agent.docker.DockerAgent", "prefect.agent.docker.agent.DockerAgent"})
LOCAL_AGENT = frozenset({"prefect.agent.local.LocalAgent", "prefect.agent.local.agent.LocalAgent"})
KUBERNETES_AGENT = frozenset(
    {"prefect.agent.kubernetes.KubernetesAgent", "prefect.agent.kubernetes.agent.KubernetesAgent"}
)

TAG = "prefect-upgrade"


def _dotted(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def code_of(node: cst.CSTNode) -> str:
    """The source text of ``node`` (as libcst renders it)."""
    return cst.Module(body=[]).code_for_node(node)


def one_line(text: str) -> str:
    """Source text squeezed onto one line, for a comment."""
    return " ".join(part.strip() for part in text.strip().splitlines() if part.strip())


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.comments: list[str] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(node.value)


def comments_in(node: cst.CSTNode) -> list[str]:
    collector = _CommentCollector()
    node.visit(collector)
    return collector.comments


class _CommentStripper(cst.CSTTransformer):
    def leave_TrailingWhitespace(self, original, updated):
        return updated.with_changes(comment=None)

    def leave_EmptyLine(self, original, updated):
        return cst.RemovalSentinel.REMOVE if updated.comment is not None else updated


def without_comments(node: cst.CSTNode) -> str:
    """``node`` (an argument: without its comma) as one line of code, its comments taken out."""
    if isinstance(node, cst.Arg):
        node = node.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return one_line(code_of(node.visit(_CommentStripper())))


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def star_kwargs(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.star == "**"]


def positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and arg.star == ""]


def drop_arg(call: cst.Call, target: cst.Arg) -> cst.Call:
    """``call`` without ``target``, keeping the layout (and comments) of the other arguments.

    When ``target`` is the last argument, the argument before it takes over what followed
    ``target`` (a trailing comma or not, the line break before ``)``), but keeps its own
    end-of-line comment.
    """
    args = list(call.args)
    index = next(i for i, arg in enumerate(args) if arg is target)
    if index == len(args) - 1 and index > 0:
        previous = args[index - 1]
        prev_ws = previous.comma.whitespace_after if isinstance(previous.comma, cst.Comma) else None
        own_line = prev_ws.first_line if isinstance(prev_ws, cst.ParenthesizedWhitespace) else None

        def keep_own_comment(ws):
            if own_line is not None and isinstance(ws, cst.ParenthesizedWhitespace):
                return ws.with_changes(first_line=own_line)
            return ws

        if isinstance(target.comma, cst.Comma):
            new_comma = target.comma.with_changes(
                whitespace_before=previous.comma.whitespace_before
                if isinstance(previous.comma, cst.Comma)
                else target.comma.whitespace_before,
                whitespace_after=keep_own_comment(target.comma.whitespace_after),
            )
            args[index - 1] = previous.with_changes(comma=new_comma, whitespace_after_arg=target.whitespace_after_arg)
        else:
            args[index - 1] = previous.with_changes(
                comma=cst.MaybeSentinel.DEFAULT,
                whitespace_after_arg=keep_own_comment(target.whitespace_after_arg),
            )
    del args[index]
    return call.with_changes(args=args)


def rename_keyword(arg: cst.Arg, new: str, value: Optional[cst.BaseExpression] = None) -> cst.Arg:
    changes: dict = {"keyword": cst.Name(new)}
    if value is not None:
        changes["value"] = value
    return arg.with_changes(**changes)


def replace_arg(call: cst.Call, old: cst.Arg, new: cst.Arg) -> cst.Call:
    return call.with_changes(args=[new if arg is old else arg for arg in call.args])


def in_import_error_guard(node: cst.CSTNode, parents) -> bool:
    """Whether ``node`` sits in the body of a ``try`` whose handlers catch ImportError."""
    current = node
    while current is not None:
        parent = parents.get(current)
        if isinstance(parent, cst.Try) and current is parent.body:
            for handler in parent.handlers:
                names = code_of(handler.type) if handler.type is not None else "Exception"
                if handler.type is None or any(
                    word in names for word in ("ImportError", "ModuleNotFoundError", "Exception")
                ):
                    return True
        current = parent
    return False


#: node class -> whether it is a statement (an ``isinstance`` on libcst's abstract classes is
#: slow, and these run at every node)
_STATEMENT_CLASSES: dict[type, bool] = {}


def _is_statement(node: cst.CSTNode) -> bool:
    found = _STATEMENT_CLASSES.get(type(node))
    if found is None:
        found = _STATEMENT_CLASSES[type(node)] = isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return found


class RemovedCodemod(WalkedParents, ImportFixes, PythonCodemod):
    """Base of the PFU3xx codemods: metadata, receiver resolution and statement comments."""

    also_needs = ("prefect",)
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider, ParentNodeProvider)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._comment_stack: list[list[str]] = []
        self._self_attrs: dict = {}

    # -- statement comments -------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if _is_statement(node):
            self._comment_stack.append([])
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        if _is_statement(original_node):
            comments = self._comment_stack.pop()
            if comments and isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                existing = {line.comment.value for line in result.leading_lines if line.comment}
                extra = [
                    cst.EmptyLine(comment=cst.Comment(f"# {text}"))
                    for text in dict.fromkeys(comments)
                    if f"# {text}" not in existing
                ]
                result = result.with_changes(leading_lines=[*result.leading_lines, *extra])
        return result

    def comment_statement(self, text: str) -> None:
        """Put ``# text`` above the statement currently being transformed."""
        if self._comment_stack:
            self._comment_stack[-1].append(text)

    def dropped_comment(self, code: str, arg: cst.Arg, why: str) -> str:
        text = f"{TAG} {code}: dropped `{without_comments(arg)}` ({why})"
        extra = [c.lstrip("#").strip() for c in comments_in(arg)]
        if extra:
            text += " -- its comment: " + "; ".join(extra)
        return text

    # -- names ---------------------------------------------------------------------------
    def qnames(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        except KeyError:
            return set()

    def is_one_of(self, node: cst.CSTNode, names: Iterable[str]) -> bool:
        return bool(self.qnames(node) & set(names))

    def call_of(self, node: cst.CSTNode, names: Iterable[str]) -> bool:
        return isinstance(node, cst.Call) and self.is_one_of(node.func, names)

    def reference(self, module: str, name: str) -> cst.BaseExpression:
        """An expression for ``module.name``, adding the import it needs."""
        AddImportsVisitor.add_needed_import(self.context, module, name)
        return cst.Name(name)

    # -- what an expression is an instance of ------------------------------------------
    def class_of(self, expr: cst.CSTNode, depth: int = 0) -> Optional[frozenset[str]]:
        """Qualified names of the Prefect class ``expr`` is known to be an instance of."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Call):
            names = self.qnames(expr.func)
            return frozenset(names) if names else None
        if isinstance(expr, cst.Name):
            return self._class_of_name(expr, depth)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            return self._class_of_self_attr(expr, depth)
        return None

    def _class_of_annotation(self, annotation: cst.BaseExpression) -> Optional[frozenset[str]]:
        if isinstance(annotation, cst.Subscript) and self.is_one_of(annotation.value, {"typing.Optional"}):
            elements = annotation.slice
            if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                annotation = elements[0].slice.value
        names = self.qnames(annotation)
        return frozenset(names) if names else None

    def _class_of_name(self, name: cst.Name, depth: int) -> Optional[frozenset[str]]:
        try:
            scope = self.get_metadata(ScopeProvider, name)
        except KeyError:
            return None
        if scope is None:
            return None
        assignments = scope[name.value]
        found: Optional[frozenset[str]] = None
        for assignment in assignments:
            if not isinstance(assignment, Assignment):
                return None
            kind = self._class_of_assignment(assignment.node, depth)
            if kind is None or (found is not None and kind != found):
                return None
            found = kind
        return found

    def _class_of_assignment(self, node: cst.CSTNode, depth: int) -> Optional[frozenset[str]]:
        if isinstance(node, cst.Param):
            if node.annotation is not None:
                return self._class_of_annotation(node.annotation.annotation)
            return None
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.AssignTarget):
            assign = self.get_metadata(ParentNodeProvider, parent, None)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                return self.class_of(assign.value, depth + 1)
            return None
        if isinstance(parent, cst.AnnAssign) and parent.target is node:
            return self._class_of_annotation(parent.annotation.annotation)
        if isinstance(parent, cst.AsName):
            item = self.get_metadata(ParentNodeProvider, parent, None)
            if isinstance(item, cst.WithItem):
                return self.class_of(item.item, depth + 1)
        return None

    def _class_of_self_attr(self, attr: cst.Attribute, depth: int) -> Optional[frozenset[str]]:
        owner = attr.value.value  # the name before the dot, e.g. "self"
        function = self._enclosing(attr, cst.FunctionDef)
        if function is None or not function.params.params or function.params.params[0].name.value != owner:
            return None
        klass = self._enclosing(function, cst.ClassDef)
        if klass is None:
            return None
        found: Optional[frozenset[str]] = None
        key = (id(klass), attr.attr.value)
        finder = self._self_attrs.get(key)
        if finder is None:
            finder = self._self_attrs[key] = _SelfAttributeAssignments(attr.attr.value)
            klass.visit(finder)
        if not finder.values:
            return None
        for value in finder.values:
            kind = self.class_of(value, depth + 1) if isinstance(value, cst.Call) else None
            if isinstance(value, cst.Annotation):
                kind = self._class_of_annotation(value.annotation)
            if kind is None or (found is not None and kind != found):
                return None
            found = kind
        return found

    def _enclosing(self, node: cst.CSTNode, kind: type) -> Optional[cst.CSTNode]:
        current = self.get_metadata(ParentNodeProvider, node, None)
        while current is not None and not isinstance(current, kind):
            current = self.get_metadata(ParentNodeProvider, current, None)
        return current

    def instance_of(self, expr: cst.CSTNode, names: Iterable[str]) -> bool:
        kind = self.class_of(expr)
        return bool(kind and kind & set(names))


class _SelfAttributeAssignments(cst.CSTVisitor):
    """Every value assigned to ``<first param>.<attr>`` in a class (and its annotations)."""

    def __init__(self, attr: str) -> None:
        self.attr = attr
        self.values: list[cst.CSTNode] = []

    def _matches(self, target: cst.CSTNode) -> bool:
        return (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and target.attr.value == self.attr
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if self._matches(target.target):
                self.values.append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._matches(node.target):
            self.values.append(node.annotation)
            if node.value is not None:
                self.values.append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._matches(node.target):
            self.values.append(node.target)  # unknown kind: makes the attribute unknown


def matches_string(node: cst.CSTNode, values: Sequence[str]) -> Optional[str]:
    """The value of a plain string literal if it is one of ``values``."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # pragma: no cover - odd literals
            return None
        if isinstance(value, str) and value in values:
            return value
    return None


def string_like(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """A string literal with the same prefix and quotes as ``node`` holding ``value``."""
    quote = node.quote
    return node.with_changes(value=f"{node.prefix}{quote}{value}{quote}")


__all__ = [
    "CLIENT",
    "DOCKER_AGENT",
    "FLOW",
    "KUBERNETES_AGENT",
    "LOCAL_AGENT",
    "RemovedCodemod",
    "TAG",
    "code_of",
    "drop_arg",
    "in_import_error_guard",
    "keyword",
    "m",
    "matches_string",
    "one_line",
    "positional",
    "rename_keyword",
    "replace_arg",
    "star_kwargs",
    "string_like",
]
