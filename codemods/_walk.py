"""Faster tree walks for every libcst visitor and transformer (issue #8); not a codemod.

libcst's ``CSTNode.visit`` rebuilds every node it walks, also for a read-only ``CSTVisitor``
(which throws the copies away), and builds the name of each ``visit_<Node>`` and
``visit_<Node>_<field>`` hook with an f-string at every node. A walk that changes nothing costs
more than parsing the file with libcst's native parser; the codemods walk each tree several
times (scopes, gathering, transforming).

``install()`` replaces ``CSTNode.visit`` with a walk that does the same thing faster:

* children are visited in the order, and with the attribute hooks, of the node class's own
  ``_visit_and_replace_children`` (learned once per class by running it with a recording
  visitor; the kind of each field, from its source);
* a visitor that keeps libcst's dispatching ``on_visit``/``on_leave``/``on_visit_attribute``/
  ``on_leave_attribute`` (or a matcher-decoratable one without any matcher) has its hooks looked
  up once per visitor class and node class; any other visitor has its own methods called;
* a transformer gets a new node only where a child changed, built from the same fields as
  libcst builds it; an unchanged subtree comes back as the same object (libcst returns an
  equal copy). Removal and flattening follow libcst's rules, errors included.

Where a node class does not fit (a libcst release that visits differently), that class is
walked by libcst's own ``visit``. ``tests/test_walk.py`` checks hook order, results and the
whole tool's output against libcst's walk.
"""

from __future__ import annotations

import linecache
import re
from typing import Any, Optional

import libcst as cst
from libcst import CSTNode, CSTTransformer, CSTVisitor, FlattenSentinel, MaybeSentinel, RemovalSentinel
from libcst import matchers as m

_LIBCST_VISIT = CSTNode.visit

# field kinds, as in libcst._nodes.internal
_REQUIRED, _OPTIONAL, _SENTINEL, _SEQUENCE, _BODY = range(5)
_IF_PRESENT = 8  # a flag on the kind: no hooks at all when the field is None
_KIND_OF_HELPER = {
    "required": _REQUIRED,
    "optional": _OPTIONAL,
    "sentinel": _SENTINEL,
    "sequence": _SEQUENCE,
    "iterable": _SEQUENCE,
    "body_sequence": _BODY,
    "body_iterable": _BODY,
}
_HELPER_CALL = re.compile(r'\bvisit_(%s)\(\s*self\s*,\s*"(\w+)"' % "|".join(_KIND_OF_HELPER))
_IF_NOT_NONE = re.compile(r"\bif (?:self\.)?(\w+) is not None")


def _source_of(function: Any) -> str:
    """A method's source: its signature and the lines indented under it. (``inspect.getsource``
    tokenizes them, about a millisecond per node class when a run starts; what is read here is
    checked against a recording of the walk anyway.)"""
    code = function.__code__
    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    if not lines[start:]:
        raise OSError("no source")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        # blank, indented under the ``def``, or the ``) -> ...:`` closing a multi-line signature
        if stripped and len(line) - len(line.lstrip()) <= indent and not stripped.startswith(")"):
            break
        end += 1
    return "".join(lines[start:end])


class _FieldRecorder(CSTVisitor):
    """Records which fields a node's ``_visit_and_replace_children`` visits, in order."""

    def __init__(self, parent: CSTNode) -> None:
        self.parent = parent
        self.fields: list[str] = []

    def on_visit(self, node: CSTNode) -> bool:
        return False

    def on_leave(self, original_node: CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
        if node is self.parent:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: CSTNode, attribute: str) -> None:
        pass


#: node class -> ((field, kind), ...), or None where libcst's own walk is used
_fields_of: dict[type, Optional[tuple[tuple[str, int], ...]]] = {}


def _learn_fields(node: CSTNode) -> Optional[tuple[tuple[str, int], ...]]:
    """The fields in the order libcst visits them, each with its kind (from the source of the
    class's ``_visit_and_replace_children``), checked by running it with a recording visitor."""
    cls = type(node)
    _fields_of[cls] = None  # until proven: libcst walks it
    try:
        source = _source_of(cls._visit_and_replace_children)
        kinds: dict[str, int] = {}
        for helper, field in _HELPER_CALL.findall(source):
            kinds.setdefault(field, _KIND_OF_HELPER[helper])
        # e.g. f-string ``format_spec``: visited (hooks and all) only when it is there
        for field in set(_IF_NOT_NONE.findall(source)) & kinds.keys():
            kinds[field] |= _IF_PRESENT
        recorder = _FieldRecorder(node)
        node._visit_and_replace_children(recorder)
    except Exception:  # no source, or a node that cannot be rebuilt as it is
        return None
    expected = [f for f, kind in kinds.items() if not (kind & _IF_PRESENT and getattr(node, f) is None)]
    if recorder.fields != expected:
        return None
    found = _fields_of[cls] = tuple(kinds.items())
    return found


# -- how each visitor is called -----------------------------------------------------------

_HOOK_NAMES = ("on_visit", "on_leave", "on_visit_attribute", "on_leave_attribute")
_BY_NAME = tuple({getattr(cls, name) for cls in (CSTVisitor, CSTTransformer)} for name in _HOOK_NAMES)
_MATCHERS = tuple(
    {getattr(cls, name) for cls in (m.MatcherDecoratableVisitor, m.MatcherDecoratableTransformer)} for name in _HOOK_NAMES
)
_CUSTOM = (False, False, False, False)


def _resolved_hook(cls: type, name: str) -> Any:
    """The hook as the class resolves it, skipping ``_speed.PlainVisits``, which only forwards."""
    for klass in cls.__mro__:
        if name in vars(klass) and klass.__name__ != "PlainVisits":
            return vars(klass)[name]
    return None


def _dispatch(visitor: Any) -> tuple[bool, bool, bool, bool]:
    """For each of ``on_visit``, ``on_leave``, ``on_visit_attribute``, ``on_leave_attribute``:
    whether the visitor's own does no more than call ``visit_<Node>`` (etc.) by name."""
    if any(callable(value) for value in getattr(visitor, "__dict__", {}).values()):
        return _CUSTOM  # an instance attribute could be a hook of its own
    kinds = _hook_kinds.get(type(visitor))
    if kinds is None:
        kinds = _hook_kinds[type(visitor)] = _kinds_of_hooks(type(visitor))
    if _MATCHER_HOOK in kinds:  # by name too, when no matcher decorator is there to check
        plain = not (visitor._matchers or visitor._extra_visit_funcs or visitor._extra_leave_funcs)
        return tuple(kind is _NAMED_HOOK or (kind is _MATCHER_HOOK and plain) for kind in kinds)
    return tuple(kind is _NAMED_HOOK for kind in kinds)


_NAMED_HOOK, _MATCHER_HOOK, _OWN_HOOK = "named", "matcher", "own"
#: visitor class -> for each of the four hooks, which of the three it is
_hook_kinds: dict[type, tuple[str, ...]] = {}


def _kinds_of_hooks(cls: type) -> tuple[str, ...]:
    kinds = []
    for name, by_name, matchers in zip(_HOOK_NAMES, _BY_NAME, _MATCHERS):
        hook = _resolved_hook(cls, name)
        kinds.append(_NAMED_HOOK if hook in by_name else _MATCHER_HOOK if hook in matchers else _OWN_HOOK)
    return tuple(kinds)


def _hook(vcls: type, by_name: bool, name: str) -> Any:
    """True: call the visitor's own ``on_*``; a name: call that hook; None: nothing to call
    (libcst's no-op stub)."""
    if not by_name:
        return True
    found = getattr(vcls, name, None)
    return None if found is None or getattr(found, "_is_no_op", False) else name


def _calls_for(vcls: type, dispatch: tuple, node: CSTNode, plans: dict) -> Optional[tuple]:
    ncls = type(node)
    fields = _fields_of[ncls] if ncls in _fields_of else _learn_fields(node)
    if fields is None:
        plan = None
    else:
        name = ncls.__name__
        visit, leave, visit_field, leave_field = dispatch
        plan = (
            issubclass(vcls, CSTVisitor),
            _hook(vcls, visit, f"visit_{name}"),
            _hook(vcls, leave, f"leave_{name}"),
            tuple(
                (field, kind, _hook(vcls, visit_field, f"visit_{name}_{field}"), _hook(vcls, leave_field, f"leave_{name}_{field}"))
                for field, kind in fields
            ),
        )
    plans[ncls] = plan
    return plan


class _Plans(dict):
    """{node class: how to call the visitor on that node}, for one visitor class and dispatch."""

    __slots__ = ("dispatch",)

    def __init__(self, dispatch: tuple) -> None:
        super().__init__()
        self.dispatch = dispatch


#: (visitor class, its dispatch) -> its plans
_plans: dict[tuple[type, tuple], _Plans] = {}


def _plans_of(visitor: Any) -> _Plans:
    """The visitor's table of plans, kept on the instance (its dispatch can depend on it)."""
    dispatch = _dispatch(visitor)
    plans = _plans.get((type(visitor), dispatch))
    if plans is None:
        plans = _plans[(type(visitor), dispatch)] = _Plans(dispatch)
    try:
        visitor.__dict__["_walk_plans"] = plans
    except (AttributeError, TypeError):  # pragma: no cover - a visitor without a __dict__
        pass
    return plans


_UNKNOWN: Any = object()


# -- the walk -----------------------------------------------------------------------------


def _visit(self: CSTNode, visitor: Any) -> Any:
    try:
        plans = visitor.__dict__["_walk_plans"]
    except (KeyError, AttributeError):
        if type(visitor) is _FieldRecorder:
            return self  # only the parent's fields are recorded
        plans = _plans_of(visitor)
    plan = plans.get(type(self), _UNKNOWN)
    if plan is _UNKNOWN:
        plan = _calls_for(type(visitor), plans.dispatch, self, plans)
    if plan is None:
        return _LIBCST_VISIT(self, visitor)
    is_visitor, visit_hook, leave_hook, fields = plan
    if visit_hook is True:
        go = visitor.on_visit(self)
    elif visit_hook is not None:
        go = getattr(visitor, visit_hook)(self) is not False
    else:
        go = True
    if is_visitor:
        # A visitor's children come back as themselves: nothing to collect or rebuild. (The
        # hook calls repeat the transformer's below, inline: this runs at every node.)
        if go:
            for field, kind, visit_field, leave_field in fields:
                value = getattr(self, field)
                if kind & _IF_PRESENT and value is None:
                    continue
                if visit_field is True:
                    visitor.on_visit_attribute(self, field)
                elif visit_field is not None:
                    getattr(visitor, visit_field)(self)
                if type(value) is tuple or type(value) is list:
                    for child in value:
                        child.visit(visitor)
                elif value is not None and value is not MaybeSentinel.DEFAULT:
                    value.visit(visitor)
                if leave_field is True:
                    visitor.on_leave_attribute(self, field)
                elif leave_field is not None:
                    getattr(visitor, leave_field)(self)
        if leave_hook is True:
            visitor.on_leave(self)
        elif leave_hook is not None:
            getattr(visitor, leave_hook)(self)
        return self
    updated = self
    if go:
        changes = None
        for field, kind, visit_field, leave_field in fields:
            value = getattr(self, field)
            if kind & _IF_PRESENT and value is None:
                continue
            if visit_field is True:
                visitor.on_visit_attribute(self, field)
            elif visit_field is not None:
                getattr(visitor, visit_field)(self)
            if value is None or value is MaybeSentinel.DEFAULT:
                pass  # an absent optional field: only its hooks
            elif type(value) is tuple or type(value) is list:
                new_items = _children(value, kind & 7 == _BODY, visitor)
                if new_items is not None:
                    if changes is None:
                        changes = {}
                    changes[field] = new_items
            else:  # a node (``isinstance`` on libcst's abstract classes is slow)
                new = value.visit(visitor)
                if new is not value:
                    new = _replacement(kind & 7, value, new)
                    if changes is None:
                        changes = {}
                    changes[field] = new
            if leave_field is True:
                visitor.on_leave_attribute(self, field)
            elif leave_field is not None:
                getattr(visitor, leave_field)(self)
        if changes is not None:
            updated = self.with_changes(**changes)
    if leave_hook is True:
        result = visitor.on_leave(self, updated)
    elif leave_hook is not None:
        result = getattr(visitor, leave_hook)(self, updated)
    else:
        result = updated
    if result is not updated and not isinstance(result, (CSTNode, RemovalSentinel, FlattenSentinel)):
        raise cst.CSTValidationError(
            "Expected a node of type CSTNode or a RemovalSentinel, "
            + f"but got a return value of {type(result).__name__}"
        )
    return result


def _replacement(kind: int, value: CSTNode, new: Any) -> Any:
    """What a field holding ``value`` gets when the visitor gave back ``new`` (libcst's rules)."""
    if isinstance(new, RemovalSentinel):
        if kind == _OPTIONAL:
            return None
        if kind == _SENTINEL:
            return MaybeSentinel.DEFAULT
        raise TypeError(
            f"We got a RemovalSentinel while visiting a {type(value).__name__}. This "
            + "node's parent does not allow it to be removed."
        )
    if isinstance(new, FlattenSentinel):
        raise TypeError(
            f"We got a FlattenSentinel while visiting a {type(value).__name__}. This "
            + "node's parent does not allow for it to be it to be replaced with a "
            + "sequence."
        )
    return new


def _children(items: Any, body: bool, visitor: Any) -> Optional[tuple]:
    """The visited items as libcst's ``visit_sequence``/``visit_body_sequence`` gives them, or
    None when every item came back as itself."""
    new_items: Optional[list] = None
    for index, child in enumerate(items):
        new = child.visit(visitor)
        if new is child:
            if new_items is not None:
                new_items.append(child)
            continue
        if new_items is None:
            new_items = list(items[:index])
        if isinstance(new, RemovalSentinel):
            continue
        if isinstance(new, FlattenSentinel):
            for flattened in new:
                if body and not child._is_removable() and flattened._is_removable():
                    continue
                new_items.append(flattened)
        elif body and not child._is_removable() and new._is_removable():
            continue
        else:
            new_items.append(new)
    return None if new_items is None else tuple(new_items)


# -- hooks by name, for a visitor whose own ``on_visit``/``on_leave`` ends in libcst's ---------

#: (transformer class, node class) -> (name of its visit_<Node> hook, whether that is a no-op stub)
_visit_hooks: dict[tuple[type, type], tuple[str, bool]] = {}
_leave_hooks: dict[tuple[type, type], tuple[str, bool]] = {}


def _hook_of(table: dict, prefix: str, vcls: type, ncls: type) -> tuple[str, bool]:
    name = f"{prefix}{ncls.__name__}"
    found = table[(vcls, ncls)] = (name, _hook(vcls, True, name) is None)
    return found


def transformer_on_visit(visitor: Any, node: CSTNode) -> bool:
    """``CSTTransformer.on_visit(visitor, node)``, with the hook's name found once per class."""
    key = (type(visitor), type(node))
    name, no_op = _visit_hooks[key] if key in _visit_hooks else _hook_of(_visit_hooks, "visit_", *key)
    own = visitor.__dict__
    if name in own:  # an instance attribute wins, as with ``getattr``
        return own[name](node) is not False
    if no_op:
        return True
    return getattr(visitor, name)(node) is not False


def transformer_on_leave(visitor: Any, original_node: CSTNode, updated_node: CSTNode) -> Any:
    """``CSTTransformer.on_leave(visitor, original_node, updated_node)``, likewise."""
    key = (type(visitor), type(original_node))
    name, no_op = _leave_hooks[key] if key in _leave_hooks else _hook_of(_leave_hooks, "leave_", *key)
    own = visitor.__dict__
    if name in own:
        return own[name](original_node, updated_node)
    if no_op:
        return updated_node
    return getattr(visitor, name)(original_node, updated_node)


def install() -> None:
    CSTNode.visit = _visit  # type: ignore[method-assign]


def uninstall() -> None:
    """libcst's own walk again (the tests compare the two)."""
    CSTNode.visit = _LIBCST_VISIT  # type: ignore[method-assign]
