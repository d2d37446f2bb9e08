"""The move engine's shortcuts give libcst's own answers (``codemods/_moves.py``).

* ``scopes_of``: libcst's scope analysis run without its batching: the same scopes, the same
  qualified names as ``QualifiedNameProvider`` for every node of every move fixture.
* ``positions_of`` (``codemods/_positions.py``, behind every codemod's ``report``):
  ``PositionProvider``'s ranges, computed only for the nodes asked for.
* the engine's passes over a tree: what it costs, so that a change that adds passes shows.

That the rewritten code and the findings did not change is what the snapshot tests over the same
fixtures (``tests/test_moves.py``), the engine cases (``tests/test_moves_engine.py``) and every
codemod's examples check.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider
from libcst.metadata.base_provider import LazyValue

from prefect_upgrade.codemods import all_codemods
from prefect_upgrade.codemods._moves import scopes_of
from prefect_upgrade.codemods._positions import positions_of
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.rewriters.python import PythonRewriter
from prefect_upgrade.findings import Reporter

FIXTURES = sorted(Path(__file__).parent.glob("fixtures/moves_pfu10*/*.py"))
EXTRA = [
    # shapes the fixtures may not hold: nested scopes, class bodies, comprehensions, lambdas,
    # globals, walrus, string annotations, __all__, decorators, compound one-liners
    "import prefect\nfrom prefect.engine.executors import DaskExecutor as D\n"
    "__all__ = ['D']\n"
    "class C(D):\n    x: 'D' = D\n    def m(self, D=D):\n        global prefect\n        return [D for D in range(3)]\n"
    "f = lambda D: D\n"
    "if (y := prefect.engine.executors.LocalExecutor): import prefect.engine.executors as ex; ex.DaskExecutor()\n"
    "@prefect.task\ndef g(): return prefect.engine.executors.DaskExecutor(\n    a=1)\n",
]
SOURCES = [p.read_text() for p in FIXTURES] + EXTRA


def test_fixtures_are_found() -> None:
    assert len(FIXTURES) > 20


def _nodes(node: cst.CSTNode, found: Optional[set] = None) -> set:
    found = set() if found is None else found
    found.add(node)
    for child in node.children:
        _nodes(child, found)
    return found


def _accesses(scope, tree: set) -> Counter:
    """Each access: its node (or, in a parsed string annotation, its text) and its referents."""
    return Counter(
        (
            a.node if a.node in tree else cst.Module([]).code_for_node(a.node),
            frozenset((r.name, getattr(r, "node", None) if getattr(r, "node", None) in tree else None) for r in a.referents),
        )
        for a in scope.accesses
    )


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in FIXTURES] + ["extra"])
def test_scopes_of_gives_libcsts_scopes_and_qualified_names(source: str) -> None:
    module = cst.parse_module(source)
    libcsts = MetadataWrapper(module, unsafe_skip_copy=True)
    expected_scopes = libcsts.resolve(ScopeProvider)
    expected_names = libcsts.resolve(QualifiedNameProvider)
    ours = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = scopes_of(ours)
    # String annotations are parsed afresh by each run: their nodes differ (not their meaning).
    tree = _nodes(module)
    assert {n for n in scopes if n in tree} == {n for n in expected_scopes if n in tree}
    assert len(scopes) == len(expected_scopes)
    compared = 0
    for node in tree:
        scope, other = scopes.get(node), expected_scopes.get(node)
        assert type(scope) is type(other)
        if scope is None:
            continue
        assert {a.name for a in scope.assignments} == {a.name for a in other.assignments}
        assert _accesses(scope, tree) == _accesses(other, tree)
        got = scope.get_qualified_names_for(node)
        want = expected_names[node]
        assert got == (want() if isinstance(want, LazyValue) else want), node
        compared += bool(got)
    if source in EXTRA:
        assert compared > 10
    # the result is left in the wrapper: libcst (and later codemods) reuse it
    assert ours.resolve(ScopeProvider) is scopes


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in FIXTURES] + ["extra"])
def test_positions_of_gives_position_providers_ranges(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    kinds = (cst.Name, cst.Attribute, cst.ImportAlias, cst.Arg, cst.ImportFrom, cst.Import, cst.Call, cst.SimpleString)
    targets = {node for node in expected if isinstance(node, kinds)}
    assert targets
    got = positions_of(module, targets)
    assert got is not None
    assert {node: got[node] for node in targets} == {node: expected[node] for node in targets}


def test_positions_of_statements() -> None:
    # a statement's range ends where a child's does: those are computed along
    source = "if x:\n    from a import (b,\n        c)\nelse: import d; import e\n"
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    wanted = {module.body[0], module.body[0].body.body[0].body[0], module.body[0].orelse.body.body[1]}
    got = positions_of(module, wanted)
    assert got is not None
    assert {n: got[n] for n in wanted} == {n: expected[n] for n in wanted}


DENSE = """\
import prefect
from prefect import Flow, task
from prefect.engine.executors import DaskExecutor, LocalDaskExecutor
from prefect.environments.storage import Docker, S3
from prefect.utilities.exceptions import ClientError


@task
def work(x):
    return prefect.context.get("x", x)


def helper(values):
    return [v * 2 for v in values if v]


class Settings:
    def as_dict(self):
        return {"name": "job"}


with Flow("f", storage=S3(bucket="b")) as flow:
    work(1)

flow.run(executor=DaskExecutor())
"""


def _passes(code: str, source: str) -> tuple[int, str]:
    """How many times the codemod ``code`` walks the whole tree (visits of the module node),
    and its output."""
    codemod = next(c for c in all_codemods() if c.code == code)
    calls = []
    original = cst.Module.visit

    def counting(self, visitor):
        calls.append(type(visitor).__name__)
        return original(self, visitor)

    rewriter = PythonRewriter()
    state = rewriter.parse(source, "flow.py")
    cst.Module.visit = counting
    try:
        state = rewriter.apply(state, codemod, CodemodOptions(), Reporter(), "flow.py")
    finally:
        cst.Module.visit = original
    return len(calls), rewriter.render(state)


@pytest.mark.parametrize(
    "code, most, changes",
    [
        # one pass to collect, two for scopes (names to look up), one to rewrite
        ("PFU101", 4, True),
        ("PFU105", 4, True),
        # the moved names are imported but never used: no scopes
        ("PFU102", 2, True),
        # ``import prefect`` passes the pre-check; the collector finds nothing to look up
        ("PFU106", 1, False),
        # no string holds a moved path: no pass at all
        ("PFU107", 0, False),
    ],
)
def test_passes_over_the_tree(code: str, most: int, changes: bool) -> None:
    passes, output = _passes(code, DENSE)
    assert passes <= most
    assert (output != DENSE) is changes
