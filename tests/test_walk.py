"""The faster tree walk (``codemods/_walk.py``) against libcst's own ``CSTNode.visit``.

Visitors must see the same hooks in the same order, transformers must give the same tree (or
the same error), and the whole tool must give the same output, findings and applied codes.
"""

from __future__ import annotations

import sys
import sysconfig
import textwrap
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest

from prefect_upgrade.codemods import _walk, all_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.runner import rewrite_text
from test_focus import _codemod_examples, _python_inputs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

SYNTAX = textwrap.dedent(
    '''\
    """Module docstring."""
    from __future__ import annotations
    import os.path as osp, sys ; import json
    from . import sibling
    from ..pkg import (a as b,
        c,)
    from lib import *

    x: int = 1
    y = z = [i for i in range(3) if i] + list({k: v for k, v in {}.items()})
    w = {s async for s in t} if False else (lambda p, /, q=1, *r, s, **t: p)
    del x
    assert y, "message"
    global_name = f"{y!r:>{10}} {'nested'}" "implicit" \\
        "concatenation"

    @decorator(arg)
    @other
    async def function(a: int = 1, *args: str, key=None, **kwargs) -> "Returns":
        global global_name
        async with open(a) as (b, c), other() as d:
            pass
        async for item in items:
            continue
        await thing
        yield from gen()
        return (yield)

    class Klass(Base, metaclass=Meta):
        attr: list[int]
        def method(self):
            nonlocal_thing = 1
            def inner():
                nonlocal nonlocal_thing
                nonlocal_thing += 1
            return inner

    try:
        pass
    except* (ValueError, TypeError) as error:
        raise RuntimeError() from error
    else:
        pass
    finally:
        pass

    while (n := next(it)) is not None:
        break
    else:
        pass

    for a, *rest in pairs:
        if a: pass
        elif rest: print(*rest, sep="", **options)
        else: ...

    match command.split():
        case [action, *objects] if action:
            pass
        case {"key": value, **others}:
            pass
        case Point(x=0, y=0) | None:
            pass
        case _:
            pass

    with (open(a) as f, open(b) as g):
        data = f.read()[1:2, ::3]
    print(not a, -b, ~c, a @ b, a ** -b, a if b else c, a < b <= c, a is not b, a not in b)
    '''
)


@lru_cache(maxsize=1)
def _inputs() -> tuple[str, ...]:
    """Every syntax we can think of, three standard library modules, and every fixture."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    texts = [SYNTAX] + [(stdlib / name).read_text() for name in ("ast.py", "dataclasses.py", "asyncio/tasks.py")]
    return tuple(texts + [p.read_text() for p in _python_inputs()])


@lru_cache(maxsize=None)
def _parsed(text: str) -> cst.Module:
    return cst.parse_module(text)  # trees are immutable: one parse serves every test


@contextmanager
def libcst_walk():
    """libcst's own ``CSTNode.visit`` for the duration."""
    _walk.uninstall()
    try:
        yield
    finally:
        _walk.install()


def _both_walks(run):
    """``run()`` with this tool's walk and with libcst's; each outcome, or the error it raised."""
    outcomes = []
    for ours in (True, False):
        try:
            if ours:
                outcomes.append(run())
            else:
                with libcst_walk():
                    outcomes.append(run())
        except Exception as error:  # noqa: BLE001 - the same error both ways is what is asked
            outcomes.append((type(error).__name__, str(error)))
    return outcomes


def test_the_walk_is_installed_and_can_be_switched_off():
    assert cst.CSTNode.visit is _walk._visit
    with libcst_walk():
        assert cst.CSTNode.visit is _walk._LIBCST_VISIT
    assert cst.CSTNode.visit is _walk._visit


def test_every_node_class_met_is_walked_by_the_tools_walk():
    # a class whose fields could not be learned falls back to libcst's walk: correct, but slow
    for text in _inputs():
        _parsed(text).visit(cst.CSTVisitor())
    assert len(_walk._fields_of) > 100
    assert [cls.__name__ for cls, fields in _walk._fields_of.items() if fields is None] == []


def test_a_method_source_is_read_with_its_multi_line_signature():
    source = _walk._source_of(cst.SimpleStatementLine._visit_and_replace_children)
    assert source.lstrip().startswith("def _visit_and_replace_children(")
    assert 'visit_sequence(self, "body"' in source.replace("\n", " ").replace("  ", "")
    assert "def _codegen_impl" not in source


# -- visitors -------------------------------------------------------------------------------------


def _node_classes() -> list[type]:
    return [v for v in vars(cst).values() if isinstance(v, type) and issubclass(v, cst.CSTNode) and not v.__subclasses__()]


def _hook_visitor_class() -> type:
    """A visitor with every ``visit_<Node>``/``leave_<Node>`` and every attribute hook."""
    namespace: dict = {}

    def hook(event, name, field=None, stop=False):
        def record(self, node, *rest):
            self.events.append((event, name, field, type(node).__name__))
            return False if stop else None

        return record

    for cls in _node_classes():
        name = cls.__name__
        namespace[f"visit_{name}"] = hook("visit", name, stop=name in ("Lambda", "Decorator"))
        namespace[f"leave_{name}"] = hook("leave", name)
        for field in cls.__dataclass_fields__:
            namespace[f"visit_{name}_{field}"] = hook("visit_field", name, field)
            namespace[f"leave_{name}_{field}"] = hook("leave_field", name, field)

    def __init__(self):
        self.events = []

    namespace["__init__"] = __init__
    return type("EveryHook", (cst.CSTVisitor,), namespace)


class OwnHooks(cst.CSTVisitor):
    """A visitor with its own ``on_*`` methods (as libcst's batched and matcher visitors)."""

    def __init__(self):
        self.events = []

    def on_visit(self, node):
        self.events.append(("visit", type(node).__name__))
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node):
        self.events.append(("leave", type(original_node).__name__))

    def on_visit_attribute(self, node, attribute):
        self.events.append(("visit_field", type(node).__name__, attribute))

    def on_leave_attribute(self, original_node, attribute):
        self.events.append(("leave_field", type(original_node).__name__, attribute))


class OwnVisitAndLeave(cst.CSTVisitor):
    """Its own ``on_visit``/``on_leave`` (as the PFU3xx codemods), attribute hooks by name."""

    def __init__(self):
        self.events = []

    def on_visit(self, node):
        self.events.append(("visit", type(node).__name__))
        return super().on_visit(node)

    def on_leave(self, original_node):
        self.events.append(("leave", type(original_node).__name__))
        super().on_leave(original_node)

    def visit_Call_args(self, node):
        self.events.append(("visit_field", "Call", "args"))

    def leave_Arg_value(self, node):
        self.events.append(("leave_field", "Arg", "value"))

    def visit_Lambda(self, node):
        return False


class NamesInsideFunctions(m.MatcherDecoratableVisitor):
    """A matcher visitor with a ``call_if_inside`` hook: walked through libcst's matcher hooks."""

    def __init__(self):
        super().__init__()
        self.events = []

    @m.call_if_inside(m.FunctionDef())
    def visit_Name(self, node):
        self.events.append(node.value)


@pytest.mark.parametrize("visitor_class", [_hook_visitor_class(), OwnHooks, OwnVisitAndLeave, NamesInsideFunctions], ids=lambda c: c.__name__)
def test_visitors_see_the_same_hooks_in_the_same_order(visitor_class):
    seen = 0
    # matchers are slow whichever walk runs them: the syntax module and the stdlib are enough
    for text in _inputs()[:4] if visitor_class is NamesInsideFunctions else _inputs():
        module = _parsed(text)

        def run():
            visitor = visitor_class()
            assert module.visit(visitor) is module
            return visitor.events

        ours, libcsts = _both_walks(run)
        assert ours == libcsts
        seen += len(ours)
    assert seen > 1000


def test_a_visitor_that_stops_at_a_node_does_not_see_its_children():
    module = cst.parse_module("f = lambda a: a + 1\n")
    visitor = OwnHooks()
    module.visit(visitor)
    assert ("visit", "Lambda") in visitor.events and ("visit", "BinaryOperation") not in visitor.events


# -- transformers ---------------------------------------------------------------------------------


class Edits(cst.CSTTransformer):
    """Renames, removals from every kind of field, flattening, and new nodes."""

    def leave_Name(self, original_node, updated_node):
        return updated_node.with_changes(value="this") if updated_node.value == "self" else updated_node

    def leave_Pass(self, original_node, updated_node):
        return cst.RemoveFromParent()  # from a statement line: the line goes too

    def leave_Import(self, original_node, updated_node):
        return cst.FlattenSentinel([updated_node, updated_node.with_changes(names=[cst.ImportAlias(cst.Name("extra"))])])

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if m.matches(updated_node, m.SimpleStatementLine(body=[m.Expr(m.Ellipsis())])):
            return cst.FlattenSentinel([updated_node, updated_node])
        return updated_node

    def leave_Decorator(self, original_node, updated_node):
        return cst.RemoveFromParent()

    def leave_Annotation(self, original_node, updated_node):
        return updated_node.with_changes(annotation=cst.Name("Any"))

    def leave_Param(self, original_node, updated_node):
        if updated_node.default is None:
            return updated_node
        return updated_node.with_changes(default=None, equal=cst.MaybeSentinel.DEFAULT)

    def leave_Arg(self, original_node, updated_node):
        return cst.RemoveFromParent() if updated_node.keyword is not None and updated_node.keyword.value == "sep" else updated_node

    in_arg_comma = False

    def visit_Arg_comma(self, node):
        self.in_arg_comma = True

    def leave_Arg_comma(self, node):
        self.in_arg_comma = False

    def leave_Comma(self, original_node, updated_node):
        # Arg.comma is a sentinel field: it becomes MaybeSentinel.DEFAULT
        return cst.RemoveFromParent() if self.in_arg_comma else updated_node


class RemovesRequired(cst.CSTTransformer):
    def leave_Annotation(self, original_node, updated_node):
        return cst.RemoveFromParent()  # AnnAssign.annotation is required: libcst refuses


class FlattensRequired(cst.CSTTransformer):
    def leave_Integer(self, original_node, updated_node):
        return cst.FlattenSentinel([updated_node])


class ReturnsNonsense(cst.CSTTransformer):
    def leave_Integer(self, original_node, updated_node):
        return 42


class OwnLeave(cst.CSTTransformer):
    """Its own ``on_leave`` around hooks called by name."""

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        if isinstance(result, cst.SimpleStatementLine) and len(result.body) > 1:
            return cst.FlattenSentinel([result.with_changes(body=[statement]) for statement in result.body])
        return result

    def leave_Integer(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value + "0")

    def leave_Call_args(self, original_node):
        pass


class SkipsBodies(cst.CSTTransformer):
    def visit_FunctionDef(self, node):
        return False

    def leave_Name(self, original_node, updated_node):
        if updated_node.value in ("True", "False", "None"):
            return updated_node
        return updated_node.with_changes(value=updated_node.value.upper())


@pytest.mark.parametrize("transformer", [Edits, OwnLeave, RemovesRequired, FlattensRequired, ReturnsNonsense, SkipsBodies], ids=lambda c: c.__name__)
def test_transformers_give_the_same_tree_or_the_same_error(transformer):
    errors = 0
    for text in _inputs():
        module = _parsed(text)
        ours, libcsts = _both_walks(lambda: module.visit(transformer()).code)
        assert ours == libcsts
        errors += isinstance(ours, tuple)
    if transformer in (RemovesRequired, FlattensRequired, ReturnsNonsense):
        assert errors  # the error paths were really taken
    else:
        assert not errors


def test_a_transformer_that_changes_nothing_gets_back_the_same_objects():
    module = cst.parse_module(SYNTAX)
    assert module.visit(cst.CSTTransformer()) is module
    changed = module.visit(SkipsBodies())
    assert changed is not module
    # the unchanged function definitions are the very same nodes
    assert [s for s in changed.body if isinstance(s, cst.FunctionDef)] == [s for s in module.body if isinstance(s, cst.FunctionDef)]


def preorder(tree: cst.CSTNode) -> list:
    """Every node of ``tree``, parents before children."""
    nodes = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            nodes.append(node)
            return True

    tree.visit(Collect())
    return nodes


class _HooksByName(cst.CSTTransformer):
    def visit_FunctionDef(self, node):
        return False

    def visit_Name(self, node):
        return None

    def leave_Name(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value.upper())

    def leave_Pass(self, original_node, updated_node):
        return cst.RemovalSentinel.REMOVE


def test_hooks_called_by_name_as_libcst_calls_them():
    # ``transformer_on_visit``/``_on_leave`` stand for libcst's ``CSTTransformer.on_visit``/
    # ``on_leave`` in codemods that wrap them (``_speed.PlainVisits``)
    nodes = preorder(cst.parse_module(SYNTAX))
    plain, own = _HooksByName(), _HooksByName()
    own.visit_Attribute = lambda node: False  # an instance attribute wins, as with ``getattr``
    own.leave_Integer = lambda original_node, updated_node: cst.Integer("0")
    for transformer in (plain, own):
        for node in nodes:
            assert _walk.transformer_on_visit(transformer, node) == cst.CSTTransformer.on_visit(transformer, node)
            ours = _walk.transformer_on_leave(transformer, node, node)
            theirs = cst.CSTTransformer.on_leave(transformer, node, node)
            assert ours is theirs or ours.deep_equals(theirs), node
    assert not _walk.transformer_on_visit(own, next(n for n in nodes if isinstance(n, cst.Attribute)))
    assert _walk.transformer_on_leave(plain, nodes[0], nodes[0]) is nodes[0]  # a no-op stub


def test_positions_cost_no_walk_of_the_tree(monkeypatch):
    # libcst ran an empty batch of visitors over the whole tree after computing positions
    from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

    walks = []
    original = MetadataWrapper.visit_batched
    monkeypatch.setattr(MetadataWrapper, "visit_batched", lambda self, *a: walks.append(a) or original(self, *a))
    wrapper = MetadataWrapper(cst.parse_module(SYNTAX))
    positions = wrapper.resolve(PositionProvider)
    assert not walks and len(positions) > 100
    wrapper.resolve(ParentNodeProvider)
    assert len(walks) == 1


# -- the tool -------------------------------------------------------------------------------------


def _tool_outcome(text, codemods=None):
    result = rewrite_text(text, "python", codemods or all_codemods(), CodemodOptions(unsafe_fixes=True))
    return result.text, result.findings, result.applied


@pytest.mark.parametrize("path", _python_inputs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixtures_come_out_the_same_with_either_walk(path):
    text = path.read_text()
    ours, libcsts = _both_walks(lambda: _tool_outcome(text))
    assert ours == libcsts


def test_codemod_examples_and_benchmark_flows_come_out_the_same_with_either_walk():
    cases = [(before, [codemod]) for codemod, before in _codemod_examples()]
    cases += [(text, None) for text in corpus.dense_texts(count=2, seed=5)]
    for text, codemods in cases:
        ours, libcsts = _both_walks(lambda: _tool_outcome(text, codemods))
        assert ours == libcsts
