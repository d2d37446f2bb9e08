"""PFU201: the variables and helpers a conversion adds take the plainest name free where they go.

``executor`` (``run_config``, ``make_cluster`` ...) is taken only where it is really in use: bound
in the scope the new statement goes to or around it (the module, an enclosing function, a
parameter), read there or in a scope inside it, or bound in a scope inside it where the added code
reads it (a sink). Met only as an attribute (``flow.executor``), a keyword (``executor=``) or a
local of another function, it is free (see ``ScopedNamer``).
"""

from __future__ import annotations

import re

import pytest

from casefiles import assert_idempotent, upgrade

SELECT = ("PFU2",)
HEAD = (
    "from prefect import Flow\n"
    "from prefect.environments import LocalEnvironment\n"
    "from prefect.executors import DaskExecutor\n\n"
)
ENV = 'env = LocalEnvironment(labels=["x"], executor=DaskExecutor(address="tcp://x:8786"))\n'


def _indent(text: str) -> str:
    return "".join("    " + line if line.strip() else line for line in text.splitlines(True))


#: (source after HEAD, the executor variable it must get, the run config variable it must get)
CASES = {
    # the name is free: plain names
    "module, attribute and keyword only": (
        ENV + 'flow = Flow("x", environment=env)\nflow.executor.address\nFlow("y", executor=None)\n',
        "executor",
        "run_config",
    ),
    "function, a sibling binds both": (
        "def other():\n    executor = run_config = 1\n    return executor, run_config\n\n\n"
        "def build():\n" + _indent(ENV + 'return Flow("x", environment=env)\n'),
        "executor",
        "run_config",
    ),
    "method, self.executor is an attribute": (
        "class Flows:\n    def build(self):\n"
        + _indent(_indent(ENV + 'self.executor = self.run_config = None\nreturn Flow("x", environment=env)\n')),
        "executor",
        "run_config",
    ),
    # the name is taken: numbered names
    "module binds executor, env in a function": (
        "executor = None\n\n\ndef build():\n" + _indent(ENV + 'return Flow("x", environment=env)\n'),
        "executor_2",
        "run_config",
    ),
    "module binds it after the function": (
        "def build():\n" + _indent(ENV + 'return Flow("x", environment=env)\n') + "\n\nexecutor = run_config = None\n",
        "executor_2",
        "run_config_2",
    ),
    "a parameter": (
        "def build(executor=None):\n" + _indent(ENV + 'return Flow("x", environment=env), executor\n'),
        "executor_2",
        "run_config",
    ),
    "bound later in the same function": (
        "def build():\n" + _indent(ENV + 'flow = Flow("x", environment=env)\nexecutor = flow.executor\nreturn flow\n'),
        "executor_2",
        "run_config",
    ),
    "read by a nested function (a star import provides it)": (
        "from settings import *\n\n\ndef build():\n"
        + _indent(ENV + "def show():\n    return executor\n\n" + 'return Flow("x", environment=env), show\n'),
        "executor_2",
        "run_config",
    ),
    "env at module level, the executor built inside a function": (
        ENV + "\n\ndef make():\n    executor = DaskExecutor()\n    return executor\n\n\n"
        + 'flow = Flow("x", environment=env)\n',
        "executor",
        "run_config",
    ),
    "env at module level, its sink in a function that binds executor": (
        ENV + "\n\ndef build():\n    executor = None\n" + '    return Flow("x", environment=env), executor\n',
        "executor_2",
        "run_config",
    ),
    "imported": (
        "from config import run_config\n\n" + ENV + 'flow = Flow("x", environment=env)\n',
        "executor",
        "run_config_2",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_new_variable_names(name):
    body, executor, run_config = CASES[name]
    result = upgrade(HEAD + body, select=SELECT)
    assert f'{executor} = DaskExecutor(address="tcp://x:8786")' in result.text, result.text
    assert f'{run_config} = UniversalRun(labels=["x"])' in result.text, result.text
    assert re.search(rf"run_config={run_config}, executor={executor}\)", result.text), result.text
    assert_idempotent(result, select=SELECT)
    compile(result.text, name, "exec")


CLOUD = (
    "from prefect import Flow\n"
    "from prefect.environments import DaskCloudProviderEnvironment\n"
    "from dask_cloudprovider.aws import FargateCluster\n\n"
)
CLOUD_ENV = 'environment=DaskCloudProviderEnvironment(provider_class=FargateCluster, n_workers=2)'


@pytest.mark.parametrize(
    "body, factory",
    [
        # a helper function the conversion adds: a sibling function's local does not take its name
        (f'def other():\n    make_cluster = 1\n    return make_cluster\n\n\nflow = Flow("x", {CLOUD_ENV})\n', "make_cluster"),
        (f'def make_cluster():\n    pass\n\n\nflow = Flow("x", {CLOUD_ENV})\n', "make_cluster_2"),
        # in a comprehension the helper goes above the statement: the statement's scope decides
        (
            f'def build(names):\n    make_cluster = None\n    return [Flow(n, {CLOUD_ENV}) for n in names]\n',
            "make_cluster_2",
        ),
    ],
)
def test_helper_names(body, factory):
    result = upgrade(CLOUD + body, select=SELECT)
    assert f"def {factory}(**kwargs):" in result.text, result.text
    assert f"cluster_class={factory}," in result.text or f"cluster_class={factory})" in result.text, result.text
    assert_idempotent(result, select=SELECT)
