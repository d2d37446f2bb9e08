"""codemods/_speed.py: the cheap import fixes give exactly what libcst's visitors give."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from prefect_upgrade.codemods import _speed

ADD_CASES = [
    "",
    "x = 1\n",
    '"""Doc."""\n\nx = 1\n',
    '"""Doc."""\nimport os\nfrom prefect import Flow\n\n\ndef f():\n    from prefect import task\n    return task\n',
    "__strict__ = True\nimport os\n# a comment\nx = 1\n",
    "import os\nfrom prefect.run_configs import KubernetesRun\n",
    "from prefect.run_configs import (\n    KubernetesRun,  # k8s\n)\nimport os\n\nflow = 1\n",
    "import os\n# leading comment\n\nclass A:\n    pass\n",
    "from __future__ import annotations\nimport os\nx = 1\n",
    "try:\n    import yaml\nexcept ImportError:\n    yaml = None\nfrom prefect import Flow\n",
]
ADD_ITEMS = [
    [("prefect.run_configs", "UniversalRun", None)],
    [("prefect.run_configs", "KubernetesRun", None), ("prefect.executors", "DaskExecutor", None), ("yaml", None, None)],
    [("warnings", None, None), ("prefect", "Flow", None), ("copy", None, None)],
    [("prefect.run_configs", "ECSRun", "Run")],
]


def _scheduled_adds(items) -> list:
    context = CodemodContext()
    for module, obj, asname in items:
        AddImportsVisitor.add_needed_import(context, module, obj, asname)
    return context.scratch[AddImportsVisitor.CONTEXT_KEY]


@pytest.mark.parametrize("source", ADD_CASES)
@pytest.mark.parametrize("items", ADD_ITEMS)
def test_add_imports_matches_libcst(source, items):
    tree = cst.parse_module(source)
    # what libcst adds, except an import that a later module-level statement already makes
    # before any use (libcst reads only the imports at the top: it would add it twice)
    wanted = [item for item in _scheduled_adds(items) if not _speed._imported_before_use(tree, item)]
    expected = AddImportsVisitor(CodemodContext(), wanted).transform_module(tree).code if wanted else source
    got = _speed.add_imports(tree, CodemodContext(), _scheduled_adds(items)).code
    assert got == expected
    assert got != source or not wanted


class _Holder:
    """What remove_imports needs of a codemod; records whether libcst's full visitor ran."""

    def __init__(self) -> None:
        self.context = CodemodContext()
        self.full_runs = 0

    def _instantiate_and_run(self, transform, tree):
        self.full_runs += 1
        return transform(self.context).transform_module(tree)


REMOVE_CASES = [
    # (source, removals, libcst's full analysis needed?)
    ("from prefect.environments import LocalEnvironment\nx = 1\n", [("prefect.environments", "LocalEnvironment", None)], False),
    ("from prefect.environments import LocalEnvironment, RemoteEnvironment\nRemoteEnvironment()\n",
     [("prefect.environments", "LocalEnvironment", None), ("prefect.environments", "RemoteEnvironment", None)], True),
    ("from prefect.environments import (\n    LocalEnvironment,  # one\n    RemoteEnvironment,  # two\n)\nx = 1\n",
     [("prefect.environments", "RemoteEnvironment", None)], False),
    ("from prefect.environments import LocalEnvironment as LE, Environment\nx = Environment\n",
     [("prefect.environments", "LocalEnvironment", "LE")], False),
    ("def f():\n    from prefect.environments import LocalEnvironment\n    return 1\n",
     [("prefect.environments", "LocalEnvironment", None)], False),
    ("from prefect.environments import LocalEnvironment\n__all__ = ['LocalEnvironment']\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
    ("from prefect.environments import LocalEnvironment\nx: 'LocalEnvironment' = None\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
    ("from prefect.environments import LocalEnvironment\n__all__ = ['Local' 'Environment']\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
    ("from prefect.environments import LocalEnvironment\n__all__ = ['\\x4cocalEnvironment']\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
    ("import prefect\nimport os\nos.getcwd()\n", [("prefect", None, None)], False),
    ("import prefect.environments\nx = 1\n", [("prefect.environments", None, None)], True),
    ("from __future__ import annotations\nx = 1\n", [("__future__", "annotations", None)], True),
    ("from prefect.environments import *\nx = 1\n", [("prefect.environments", "LocalEnvironment", None)], False),
    ("from . import LocalEnvironment\nx = 1\n", [("prefect.environments", "LocalEnvironment", None)], False),
    ("# LocalEnvironment in a comment only\nfrom prefect.environments import LocalEnvironment\nx = f'{y}LocalEnvironment'\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
    ("# LocalEnvironment in a comment only\nfrom prefect.environments import LocalEnvironment\nx = 1\n",
     [("prefect.environments", "LocalEnvironment", None)], False),
    ("class A:\n    from prefect.environments import LocalEnvironment\n    env = LocalEnvironment\n",
     [("prefect.environments", "LocalEnvironment", None)], True),
]


@pytest.mark.parametrize("source,items,full", REMOVE_CASES)
def test_remove_imports_matches_libcst(source, items, full):
    tree = cst.parse_module(source)
    expected = RemoveImportsVisitor(CodemodContext(), items).transform_module(tree).code
    holder = _Holder()
    got = _speed.remove_imports(holder, tree, items).code
    assert got == expected
    assert holder.full_runs == (1 if full else 0)


def test_remove_imports_removes_what_is_unused():
    # guards the comparison above against two visitors that both do nothing
    source = "from prefect.environments import LocalEnvironment, RemoteEnvironment\nRemoteEnvironment()\n"
    tree = cst.parse_module("from prefect.environments import LocalEnvironment\nx = 1\n")
    assert _speed.remove_imports(_Holder(), tree, [("prefect.environments", "LocalEnvironment", None)]).code == "x = 1\n"
    tree = cst.parse_module(source)
    holder = _Holder()
    got = _speed.remove_imports(holder, tree, [("prefect.environments", "LocalEnvironment", None)]).code
    assert got == "from prefect.environments import RemoteEnvironment\nRemoteEnvironment()\n"


def test_plain_visits_only_without_matchers():
    import libcst.matchers as m

    class Plain(_speed.PlainVisits, cst.matchers.MatcherDecoratableTransformer):
        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value=updated_node.value.upper())

    class Decorated(_speed.PlainVisits, cst.matchers.MatcherDecoratableTransformer):
        @m.call_if_inside(m.Call())
        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value=updated_node.value.upper())

    tree = cst.parse_module("a = f(b)\n")
    assert tree.visit(Plain()).code == "A = F(B)\n"
    assert tree.visit(Decorated()).code == "a = F(B)\n"


MODULES = [
    "import prefect.environments\nx = prefect.environments.LocalEnvironment()\n",
    "import prefect\nx = prefect.environments.storage.Docker()\n",
    "import prefect\nx = (prefect).environments.LocalEnvironment\n",
    "import prefect\nx = prefect .environments\n",
    "import prefect\nx = prefect.environmentsX.y\n",
    "import prefect\nx = prefect.environments.X(a=1).labels[0].y\n",
    "import prefect\nx = f(prefect).environments\ny = prefect.executors.LocalExecutor()\n",
    "from prefect import environments as envs\nclass A(envs.Environment):\n    env = envs.LocalEnvironment(labels=['a'])\n",
    "import prefect\nx = [prefect.environments][0]\n",
    "def f(prefect):\n    return prefect.environments.LocalEnvironment\n",
    "from prefect.environments import LocalEnvironment\nflow.environment = LocalEnvironment()\n__all__ = ['x' 'y']\n",
    "'LocalEnvironment'\nx: 'LocalEnvironment' = f'{a.b}'\n",
]


@pytest.mark.parametrize("source", MODULES)
def test_module_uses_walk_equals_the_three_walks(source):
    from prefect_upgrade.codemods import pfu201_environments as env

    tree = cst.parse_module(source)
    uses = env._ModuleUses()
    tree.visit(uses)
    assert uses.used == env._used_names(tree)
    assert uses.dotted == env._dotted_env_uses(tree)
    reference = _speed.names_and_strings(tree)
    assert (uses.names, uses.strings, uses.unsure) == (reference.names, reference.strings, reference.unsure)


def test_module_uses_sees_dotted_uses():
    from prefect_upgrade.codemods import pfu201_environments as env

    dotted = [env._dotted_env_uses(cst.parse_module(source)) for source in MODULES]
    assert True in dotted and False in dotted  # the cases above exercise both answers


def _run(codemod_cls, source: str, options=None):
    from libcst.codemod import CodemodContext
    from libcst.metadata import MetadataWrapper

    from prefect_upgrade.codemods.base import CodemodOptions
    from prefect_upgrade.findings import Reporter

    tree = cst.parse_module(source)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    codemod = codemod_cls(CodemodContext(), options or CodemodOptions(), Reporter())
    codemod.shared_wrapper = wrapper
    return tree, codemod, codemod.transform_module(tree)


def test_walked_parents_equal_parent_node_provider():
    from libcst.metadata import ParentNodeProvider

    from prefect_upgrade.codemods._removed_common import RemovedCodemod

    seen = []

    class Probe(RemovedCodemod):
        code = "PFU399"
        summary = "test probe"

        def leave_Name(self, original, updated):
            provider = self.metadata[ParentNodeProvider]
            current = original
            while current is not None:  # every ancestor, and the module (no parent)
                seen.append((self.get_metadata(ParentNodeProvider, current, None), provider.get(current)))
                current = provider.get(current)
            return updated

    source = "import prefect\n\nclass A:\n    def f(self, x):\n        return [y for y in x if prefect.context.get(y)]\n"
    _run(Probe, source)
    assert len(seen) > 20
    assert all(walked is expected for walked, expected in seen)


def test_unchanged_run_hands_back_its_tree():
    from prefect_upgrade.codemods.pfu201_environments import Environments
    from prefect_upgrade.codemods.pfu210_dask_executor_args import LegacyDaskExecutorArgs
    from prefect_upgrade.codemods.pfu302_client import RemovedClientTokenApi

    cases = [
        (LegacyDaskExecutorArgs, "from prefect.executors import DaskExecutor\nDaskExecutor(address=a)\n"),
        (Environments, "from prefect import Flow\nsettings.environment = 'prod'\nFlow('x', run_config=rc)\n"),
        (RemovedClientTokenApi, "from prefect import Client\nclient = Client(api_token=TOKEN)\n"),  # reported only
    ]
    for codemod, source in cases:
        tree, _, new = _run(codemod, source)
        assert new is tree, codemod
    # and a run that changes something does not
    tree, _, new = _run(LegacyDaskExecutorArgs, "from prefect.executors import DaskExecutor\nDaskExecutor(address='local')\n")
    assert new is not tree and new.code != tree.code


def test_module_code_generates_each_trees_text_once(monkeypatch):
    generated = []
    original = _speed._generate
    monkeypatch.setattr(_speed, "_generate", lambda module: generated.append(module) or original(module))
    first, second = cst.parse_module("import os\nx = 1\n"), cst.parse_module("y = 2\n")
    assert [_speed.module_code(t) for t in (first, second, first, second)] == ["import os\nx = 1\n", "y = 2\n"] * 2
    assert generated == [first, second]
    # an equal tree that is another object is generated anew (trees are told apart by identity)
    assert _speed.module_code(first.deep_clone()) == first.code
