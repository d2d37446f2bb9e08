"""Speed machinery (issue 8), tested for behaviour, not timed.

- the pre-filter: a file without any marker is neither decoded nor parsed;
- no process pool below ``POOL_MIN_WORK`` of estimated work in files that need parsing, and a
  bounded read-ahead;
- codemods share one metadata wrapper over parser output (no deep copy), and a codemod after a
  change sees correct metadata even when the change put one node in two places.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from prefect_upgrade import runner
from prefect_upgrade.codemods.base import CodemodOptions, Example, PythonCodemod
from prefect_upgrade.findings import Reporter
from prefect_upgrade.rewriters import python as python_rewriter
from prefect_upgrade.runner import RunSettings, needs_work, process_file, rewrite_text, run_files


class RenameOldThing(PythonCodemod):
    """Test codemod: ``old_thing`` → ``new_thing`` (the same Name node put in every place)."""

    code = "PFU991"
    summary = "test: rename old_thing"
    markers = ("old_thing",)
    examples = (Example("x = 1\n"), Example("old_thing()\n", "new_thing()\n"))
    SHARED = cst.Name("new_thing")  # one node object, inserted everywhere: duplicates in the tree

    def leave_Name(self, original_node, updated_node):
        if updated_node.value == "old_thing":
            self.report(original_node, "renamed", applied=True)
            return self.SHARED
        return updated_node


class ReportNewThing(PythonCodemod):
    """Test codemod: reports every ``new_thing`` imported from ``lib``, by qualified name."""

    code = "PFU992"
    summary = "test: report lib.new_thing"
    markers = ("thing",)
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)
    examples = ()

    def visit_Name(self, node):
        names = self.get_metadata(QualifiedNameProvider, node, set())
        if any(q.name == "lib.new_thing" for q in names):
            self.report(node, "seen", applied=False)


def _settings(*codemods, write=False) -> RunSettings:
    return RunSettings(codemods=tuple(codemods), options=CodemodOptions(), write=write)


def _fail(*args, **kwargs):
    raise AssertionError("must not be called")


# -- the pre-filter ---------------------------------------------------------------------------


def test_file_without_markers_is_neither_decoded_nor_parsed(tmp_path, monkeypatch):
    plain = tmp_path / "plain.py"
    plain.write_text("import os\nprint(os.getcwd())\n")
    monkeypatch.setattr(runner, "decode", _fail)
    monkeypatch.setattr(python_rewriter, "parse_python", _fail)
    monkeypatch.setattr(cst, "parse_module", _fail)
    result = process_file(plain, "python", _settings(RenameOldThing))
    assert result.error is None and not result.changed


def test_file_with_a_marker_is_parsed(tmp_path, monkeypatch):
    # The counterpart of the test above: the same set-up lets a file with a marker through.
    source = tmp_path / "uses.py"
    source.write_text("old_thing()\n")
    monkeypatch.setattr(python_rewriter, "parse_python", _fail)
    with pytest.raises(AssertionError, match="must not be called"):
        process_file(source, "python", _settings(RenameOldThing))


def test_kind_that_no_codemod_handles_is_not_decoded(tmp_path, monkeypatch):
    notes = tmp_path / ".env"
    notes.write_text("OLD=old_thing\n")
    monkeypatch.setattr(runner, "decode", _fail)
    result = process_file(notes, "dotenv", _settings(RenameOldThing))  # a Python-only codemod
    assert result.error is None and not result.changed


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"x = 1\n", False),
        (b"old_thing()\n", True),
        (b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n", False),  # ASCII-compatible: bytes tell
        # UTF-7 may spell ASCII in base64: "+AG8AbABk-_thing" is "old_thing"; bytes cannot tell.
        (b"# coding: utf-7\nx = '+AG8AbABk-_thing'\n", True),
        (b"# coding: no-such-codec\nx = 1\n", True),  # decoding reports the bad cookie
    ],
)
def test_needs_work(raw, expected):
    assert needs_work(raw, "python", (RenameOldThing,)) is expected


def test_utf7_file_with_hidden_marker_is_still_rewritten(tmp_path):
    source = tmp_path / "seven.py"
    source.write_bytes(b"# coding: utf-7\nold_thing()\nx = '+AG8AbABk-_thing'\n")
    result = process_file(source, "python", _settings(RenameOldThing))
    assert result.changed and "new_thing()" in result.text


def test_markers_contained_in_others_are_checked_once():
    class Broad(RenameOldThing):
        code = "PFU993"
        markers = ("prefect.engine.executors", "prefect", "executors")

    found = runner._filter_for("python", (Broad,))
    assert found.markers == (b"prefect", b"executors")


# -- the pool ---------------------------------------------------------------------------------


def _tree(tmp_path: Path, count: int, text: str = "old_thing()\n") -> list[tuple[Path, str]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = tmp_path / f"f{n:03d}.py"
        path.write_text(text)
        paths.append((path, "python"))
    return paths


def test_no_pool_below_the_threshold(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "_pool", _fail)
    # Many small files that need work, but little work in all (12 bytes each): no pool.
    count = 40
    assert count * len("old_thing()\n") < runner.POOL_MIN_WORK
    items = _tree(tmp_path, count)
    # Files without markers do not count either.
    items += _tree_plain(tmp_path / "plain", 2 * count, "x = 1\n" * 1000)
    results = list(run_files(items, _settings(RenameOldThing), jobs=2))
    assert [r.path for r in results] == [str(p) for p, _ in items]
    assert sum(r.changed for r in results) == count


def _tree_plain(folder: Path, count: int, text: str = "x = 1\n") -> list[tuple[Path, str]]:
    return _tree(folder, count, text)


def _big(text: str = "old_thing()\n") -> str:
    """A file whose estimated work alone reaches ``POOL_MIN_WORK``."""
    return text * (runner.POOL_MIN_WORK // len(text) + 1)


def test_pool_starts_once_the_known_work_is_worth_it(tmp_path, monkeypatch):
    started = []

    def no_pool(workers, settings):
        started.append(workers)
        raise AssertionError("must not be called")

    monkeypatch.setattr(runner, "_pool", no_pool)
    # One big file alone: a pool could not share it out; the second file starts the pool.
    items = _tree(tmp_path / "a", 1, _big()) + _tree(tmp_path / "b", 1)
    with pytest.raises(AssertionError, match="must not be called"):
        list(run_files(items, _settings(RenameOldThing), jobs=2))
    assert started == [2]
    # The same big file alone, or after many files with no marker: no pool.
    items = _tree_plain(tmp_path / "plain", 50) + _tree(tmp_path / "a", 1, _big())
    assert [r.changed for r in run_files(items, _settings(RenameOldThing), jobs=2)] == [False] * 50 + [True]


@pytest.mark.parametrize(
    "workers, files, work, expected",
    [
        (1, 100, 10**9, False),  # one job: never
        (2, 1, 10**9, False),  # one file: nothing to share out
        (2, 2, runner.POOL_MIN_WORK, True),
        (2, 2, runner.POOL_MIN_WORK - 1, False),
        (2, 1000, runner.POOL_MIN_WORK - 1, False),  # many files, little work (a pre-commit run)
        (8, 3, 10**6, True),
    ],
)
def test_pool_policy(workers, files, work, expected):
    assert runner.wants_pool(workers, files, work) is expected


def test_work_estimate_counts_bytes_times_matching_codemods():
    both = _settings(RenameOldThing, ReportNewThing)
    raw = b"old_thing()\n"  # markers of both codemods ("thing" is in "old_thing")
    assert runner._work_for(raw, "python", both)[1] == 2 * len(raw)
    assert runner._work_for(b"x = new_thing\n", "python", _settings(RenameOldThing)) is None
    assert runner._work_for(b"x = thing\n", "python", both)[1] == len(b"x = thing\n")


def test_one_job_never_starts_a_pool(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "_pool", _fail)
    results = list(run_files(_tree(tmp_path, 3, _big()), _settings(RenameOldThing), jobs=1))
    assert all(r.changed for r in results)


def test_pool_results_match_in_process_results_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "POOL_MIN_WORK", 1)
    items = _tree(tmp_path, 17) + _tree_plain(tmp_path / "plain", 3)
    settings = _settings(RenameOldThing)
    pooled = list(run_files(items, settings, jobs=2))
    alone = list(run_files(items, settings, jobs=1))
    assert [(r.path, r.text, r.findings) for r in pooled] == [(r.path, r.text, r.findings) for r in alone]
    assert [r.path for r in pooled] == [str(p) for p, _ in items]


def test_read_ahead_is_bounded(tmp_path, monkeypatch):
    items = _tree_plain(tmp_path, 30) + _tree(tmp_path / "work", 1)
    taken = 0

    def endless():
        nonlocal taken
        for n in range(5000):
            taken += 1
            yield items[n % len(items)]

    # Without a pool, a file that waits for work holds the results behind it: a bounded number.
    monkeypatch.setattr(runner, "POOL_MIN_WORK", 10**9)
    monkeypatch.setattr(runner, "_MAX_WINDOW", 50)
    stream = run_files(endless(), _settings(RenameOldThing), jobs=2)
    for given, _ in enumerate(stream, start=1):
        assert taken - given <= 51
        if given == 100:
            break
    stream.close()
    assert taken < 200


class _LazyFuture:
    """A future that does its work only when its result is asked for (never done before)."""

    def __init__(self, pool, item):
        self.pool, self.item = pool, item

    def done(self):
        return False

    def result(self):
        self.pool.outstanding -= 1
        return runner._work(self.item)


class _FakePool:
    def __init__(self):
        self.outstanding = self.most = 0

    def submit(self, function, item):
        self.outstanding += 1
        self.most = max(self.most, self.outstanding)
        return _LazyFuture(self, item)

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_files_in_work_are_bounded(tmp_path, monkeypatch):
    items = _tree(tmp_path, 3)
    pool = _FakePool()

    def fake_pool(workers, settings):
        runner._init_worker(settings)
        return pool

    monkeypatch.setattr(runner, "_pool", fake_pool)
    monkeypatch.setattr(runner, "POOL_MIN_WORK", 1)
    results = list(run_files((items[n % 3] for n in range(200)), _settings(RenameOldThing), jobs=2))
    assert len(results) == 200 and all(r.changed for r in results)
    assert 0 < pool.most <= max(runner._MIN_IN_FLIGHT, 2 * runner._IN_FLIGHT_PER_WORKER)


# -- shared metadata --------------------------------------------------------------------------


def test_codemods_share_parser_output_without_deep_copy(monkeypatch):
    monkeypatch.setattr(cst.Module, "deep_clone", _fail)
    text = "from lib import new_thing\nnew_thing()\n"
    result = rewrite_text(text, "python", [RenameOldThing, ReportNewThing])
    assert result.text == text
    assert [(f.code, f.line, f.col) for f in result.findings] == [("PFU992", 2, 1)]


def test_metadata_after_a_change_that_repeats_one_node():
    text = "from lib import new_thing\nold_thing()\n\n\nold_thing(old_thing)\n"
    result = rewrite_text(text, "python", [RenameOldThing, ReportNewThing])
    assert result.text == "from lib import new_thing\nnew_thing()\n\n\nnew_thing(new_thing)\n"
    seen = [(f.line, f.col) for f in result.findings if f.code == "PFU992"]
    # Positions in the rewritten text, each place once, although one node object fills them all.
    assert seen == [(2, 1), (5, 1), (5, 11)]


def test_unchanged_tree_resolves_metadata_once(monkeypatch):
    from prefect_upgrade.codemods import _scopes

    computed = []
    visit = _scopes.ScopeVisitor.infer_accesses

    def counting(self):
        computed.append(self)
        return visit(self)

    monkeypatch.setattr(_scopes.ScopeVisitor, "infer_accesses", counting)

    class ReportAgain(ReportNewThing):
        code = "PFU994"

    text = "from lib import new_thing\nnew_thing()\n"
    result = rewrite_text(text, "python", [ReportNewThing, ReportAgain])
    assert [f.code for f in result.findings] == ["PFU992", "PFU994"]
    assert len(computed) == 1  # the scopes of the one tree, shared by both codemods


def test_bare_module_from_elsewhere_is_copied(monkeypatch):
    rewriter = python_rewriter.PythonRewriter()
    module = cst.parse_module("old_thing()\n")
    state = rewriter.apply(module, RenameOldThing, CodemodOptions(), Reporter(), "<t>")
    assert rewriter.render(state) == "new_thing()\n"
    assert module.code == "old_thing()\n"


def test_call_if_inside_matchers_are_gathered_once_per_class_and_kept_per_instance(monkeypatch):
    import libcst.matchers as m
    from libcst.matchers import _visitors

    assert getattr(_visitors._gather_matchers, "_once_per_class", False)

    class InsideCall(m.MatcherDecoratableTransformer):
        def __init__(self):
            super().__init__()
            self.seen = []

        @m.call_if_inside(m.Call(func=m.Name("outer")))
        def visit_Name(self, node):
            self.seen.append(node.value)

    module = cst.parse_module("outer(a)\nb\nouter(c)\n")
    first, second = InsideCall(), InsideCall()
    module.visit(first)
    module.visit(second)
    assert first.seen == second.seen == ["outer", "a", "outer", "c"]
    assert first._matchers is not second._matchers  # each walk keeps its own state


def test_classes_without_matcher_decorators_are_not_searched_attribute_by_attribute():
    import functools

    import libcst.matchers as m
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, GatherImportsVisitor, RemoveImportsVisitor
    from libcst.matchers import _visitors

    from prefect_upgrade.codemods import all_codemods, base

    names = ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs", "_gather_matchers")
    originals = [getattr(_visitors, name).__wrapped__ for name in names]

    class Visits(m.MatcherDecoratableVisitor):
        @m.visit(m.Name("x"))
        def seen(self, node):
            pass

    class Inside(m.MatcherDecoratableTransformer):
        @m.call_if_not_inside(m.Call())
        def visit_Name(self, node):
            pass

    class Cached(m.MatcherDecoratableVisitor):
        @functools.cached_property
        def value(self):
            return 1

    context = CodemodContext()
    plain = [c(context, CodemodOptions(), Reporter()) for c in all_codemods() if issubclass(c, base.PythonCodemod)]
    plain += [AddImportsVisitor(context), RemoveImportsVisitor(context), GatherImportsVisitor(context)]
    for instance in plain:
        assert base._decorated_nowhere(instance), type(instance)
        assert not any(gather(instance) for gather in originals)  # what libcst's own search finds
    for instance in (Visits(), Inside()):
        assert not base._decorated_nowhere(instance)
        assert any(gather(instance) for gather in originals)
    assert not base._decorated_nowhere(Cached())  # a value known only on the instance: searched


#: Every way Python stores to a name (and ways that look alike but do not), for the scope judges.
STORE_SHAPES = """\
import os, os.path as osp
from typing import List
a = b = c, *d = [e, (f, g)] = range(9)
h: int = 1
i: List["h"]
j += 1
obj.attr = k = obj[idx] = 2
for (m, n), *o in pairs:
    del m, obj.attr, obj[n]
else:
    p = 3
async def q(r, s=os, *t, u: "h" = 1, **v) -> "List[h]":
    global w
    w = [x async for x in r if (y := x) for z in x]
    async for aa in r:
        pass
    async with r as (bb, cc), s as dd:
        nonlocal_like = lambda ee, ff=aa: ee + ff + gg
    return {hh: ii for hh, ii in v.items()}, {jj for jj in t}, (kk for kk in t)
try:
    pass
except (ValueError, TypeError) as ll:
    raise ll
class Mm(Base, metaclass=Meta):
    nn = 1
    def oo(self, pp=nn):
        return pp, self.nn
with open(os) as qq, open(osp) as rr[0], open(h) as ss.attr:
    (tt) = (uu := qq)
match command:
    case [vv, *ww] if vv:
        pass
    case {"x": xx, **yy}:
        pass
    case Point(x=zz) | zz:
        pass
    case _ as aaa:
        pass
print(a, b, c, d, e, f, g, h, i, j, k, o, p, w, aa, Mm, tt, uu)
"""


def _parsed_fixtures():
    """(path, libcst tree) of every fixture that parses, and of ``STORE_SHAPES``."""
    yield "STORE_SHAPES", cst.parse_module(STORE_SHAPES)
    for path in sorted((Path(__file__).parent / "fixtures").rglob("*.py")):
        try:
            yield path, cst.parse_module(path.read_text())
        except cst.ParserSyntaxError:
            continue


def test_lazy_qualified_names_equal_libcsts_provider():
    from libcst.metadata.base_provider import LazyValue

    from prefect_upgrade.codemods._scopes import QualifiedNames, scopes_of

    compared = 0
    for path, module in _parsed_fixtures():
        theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
        ours = QualifiedNames(scopes_of(MetadataWrapper(module, unsafe_skip_copy=True)))
        for node, names in theirs.items():
            assert ours[node] == (names() if isinstance(names, LazyValue) else names), (path, node)
            compared += 1
    assert compared > 10_000


def _scope_summary(scopes, module):
    """Each node's scope, described by what it holds: kind, assignments, accesses, counter."""
    from test_walk import preorder

    described = {}
    for index, node in enumerate(preorder(module)):
        scope = scopes.get(node)
        if scope is None:
            described[index] = None
            continue
        assignments = sorted((a.name, type(a.node).__name__) for a in scope.assignments)
        accesses = sorted(
            (a.node.value if isinstance(a.node, cst.Name) else type(a.node).__name__, len(a.referents))
            for a in scope.accesses
        )
        described[index] = (type(scope).__name__, assignments, accesses, scope._assignment_count)
    return described


def test_two_pass_scopes_equal_libcsts_scope_provider():

    from prefect_upgrade.codemods._scopes import scopes_of

    compared = 0
    for path, module in _parsed_fixtures():
        theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
        ours = scopes_of(MetadataWrapper(module, unsafe_skip_copy=True))
        assert _scope_summary(ours, module) == _scope_summary(theirs, module), path
        compared += len(ours)
    assert compared > 10_000


def _resolved_providers(monkeypatch) -> list:
    """The providers ``MetadataWrapper.resolve_many`` is asked for from now on (it grows)."""
    resolved: list = []
    resolve_many = MetadataWrapper.resolve_many

    def counting(self, providers):
        resolved.extend(providers)
        return resolve_many(self, providers)

    monkeypatch.setattr(MetadataWrapper, "resolve_many", counting)
    return resolved


def test_codemods_get_lazy_qualified_names_and_two_pass_scopes(monkeypatch):
    resolved = _resolved_providers(monkeypatch)
    result = rewrite_text("from lib import new_thing\nnew_thing()\n", "python", [ReportNewThing])
    assert [f.code for f in result.findings] == ["PFU992"]
    assert QualifiedNameProvider not in resolved


def test_import_removal_that_must_look_at_every_use_gets_one_pass_scopes(monkeypatch):
    # A removed import whose name a string also mentions is checked by libcst's own
    # RemoveImportsVisitor; libcst's run would deep-copy the tree and resolve the providers
    # (expression contexts, scopes, qualified names) over all of it.
    from libcst.metadata import ExpressionContextProvider

    from prefect_upgrade.codemods import all_codemods

    monkeypatch.setattr(cst.Module, "deep_clone", _fail)
    resolved = _resolved_providers(monkeypatch)
    text = (
        "from prefect import Flow\nfrom prefect.environments import LocalEnvironment\n\n"
        'flow = Flow("etl", environment=LocalEnvironment(labels=["a"]))\n'
        'NOTE = "was LocalEnvironment"\n'
    )
    result = rewrite_text(text, "python", all_codemods())
    assert "from prefect.environments" not in result.text
    assert 'NOTE = "was LocalEnvironment"' in result.text
    assert not {ExpressionContextProvider, ScopeProvider, QualifiedNameProvider} & set(resolved)


def test_codemods_that_follow_prefect_imports_skip_modules_that_never_name_prefect():
    from prefect_upgrade.codemods import all_codemods

    prose = '"""Helpers for the core: exceptions, the environment, a DaskExecutor-like pool."""\n'
    needing = {c.code for c in all_codemods() if c.also_needs}
    assert {"PFU101", "PFU102", "PFU104", "PFU201", "PFU210", "PFU302"} <= needing
    assert "PFU306" not in needing  # it reads PREFECT__… environment variable names
    for codemod in all_codemods():
        if codemod.code in ("PFU102", "PFU104", "PFU201", "PFU210"):
            assert codemod.may_apply(prose)  # the markers alone would let it run
        if codemod.code in needing:
            assert not codemod.applies_to(prose)
            assert codemod.applies_to("import prefect\n" + prose) == codemod.may_apply(prose)


def test_no_codemod_resolves_parents_of_a_whole_prefect_flow(monkeypatch):
    # ParentNodeProvider is a pass over the whole tree; the PFU3xx codemods answer parents from
    # their walk. A codemod that asks for the parent of a node not walked yet (PFU304 once did,
    # at each result-handler import) made a dense flow about 20% dearer.
    import sys

    from libcst.metadata import ParentNodeProvider

    from prefect_upgrade.codemods import all_codemods

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import corpus

    resolved = []
    real_init = ParentNodeProvider.__init__
    monkeypatch.setattr(ParentNodeProvider, "__init__", lambda self, *a, **k: resolved.append(1) or real_init(self, *a, **k))
    for text in corpus.dense_texts(4):
        rewrite_text(text, "python", all_codemods(), CodemodOptions(unsafe_fixes=True))
    assert resolved == []
    # the imports PFU312 and PFU303 drop ask whether a try/except ImportError guards them;
    # PFU431 asks what holds a `prefect.environments` attribute; PFU107 what holds a string
    for text in _PARENTS_ASKED:
        result = rewrite_text(text, "python", all_codemods(), CodemodOptions(unsafe_fixes=True))
        assert result.findings
    assert resolved == []


_PARENTS_ASKED = (
    "import prefect\n\n\ndef test_agent():\n    from prefect.agent.fargate import FargateAgent\n\n"
    "    agent = FargateAgent()\n",
    "try:\n    from prefect.agent.fargate import FargateAgent\nexcept ImportError:\n    FargateAgent = None\n"
    "from prefect.agent.fargate import FargateAgent as Agent\n",
    "try:\n    from prefect.schedules import OneTimeSchedule\nexcept ImportError:\n    pass\n"
    "from prefect.schedules import UnionSchedule, Schedule\n",
    "import prefect\n\n\ndef run():\n    prefect.environments.execution.load_and_run_flow()\n\n\n"
    "KIND = prefect.environments.LocalEnvironment\n",
    # PFU107 asks whether a class path string is a docstring or part of a concatenation
    'import prefect\nfrom unittest import mock\n\n\n@mock.patch("prefect.environments.storage.S3.build")\n'
    "def test_build(build):\n    pass\n",
)
