"""PFU3xx under real Prefect 1.0.0: each fixture fails as written and runs once rewritten.

Each fixture in ``tests/fixtures/removed_real/`` is old code. It is run twice under Prefect
1.0.0, after a prelude that replaces the calls that would need a server (a Docker daemon, the
Prefect API) with stand-ins that bind the real signature (``inspect.signature(...).bind``,
so an unknown keyword still raises ``TypeError``) and record the arguments:

- as written, it must fail with the error named in ``CASES``;
- rewritten by the PFU3xx codemods (with ``--unsafe-fixes`` where the case says so), it must
  run, and then the case's check (plain asserts on what the code built) must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casefiles import FIXTURES
from real_prefect import run_python
from removed_cases import run

pytestmark = pytest.mark.real_prefect

PRELUDE = r'''
import inspect, sys, types

CALLS = []

def _stub(owner, name, result=None):
    real = inspect.getattr_static(owner, name)
    is_static = isinstance(real, staticmethod)
    func = real.__func__ if is_static else real
    signature = inspect.signature(func)

    def fake(*args, **kwargs):
        # TypeError for an unknown keyword, as the real call (defaults_from_attrs may fill the rest)
        bound = signature.bind_partial(*args, **kwargs)
        CALLS.append((owner.__name__, name, {k: v for k, v in bound.arguments.items() if k != "self"}))
        return result(bound.arguments) if callable(result) else result

    setattr(owner, name, staticmethod(fake) if is_static else fake)


def calls(owner, name):
    return [arguments for o, n, arguments in CALLS if (o, n) == (owner, name)]


# pyarrow is not installed: a stand-in good enough to import prefect.tasks.dremio
pyarrow = types.ModuleType("pyarrow")
flight = types.ModuleType("pyarrow.flight")
for _name in ("ClientMiddlewareFactory", "ClientMiddleware", "FlightClient", "FlightCallOptions", "FlightDescriptor"):
    setattr(flight, _name, type(_name, (), {"__init__": lambda self, *a, **k: None}))
pyarrow.flight = flight
sys.modules.setdefault("pyarrow", pyarrow)
sys.modules.setdefault("pyarrow.flight", flight)

# the kubernetes client is not installed either: stand-in modules for prefect.tasks.kubernetes
from unittest.mock import MagicMock
for _name in ("kubernetes", "kubernetes.client", "kubernetes.client.rest", "kubernetes.config",
              "kubernetes.config.config_exception", "kubernetes.stream", "kubernetes.watch"):
    sys.modules.setdefault(_name, MagicMock(name=_name))
for _name in ("psycopg2", "snowflake", "snowflake.connector", "snowflake.connector.cursor"):
    sys.modules.setdefault(_name, MagicMock(name=_name))
sys.modules["snowflake.connector"].cursor = sys.modules["snowflake.connector.cursor"]
sys.modules["snowflake"].connector = sys.modules["snowflake.connector"]
sys.modules["kubernetes.client.rest"].ApiException = type("ApiException", (Exception,), {})
sys.modules["kubernetes.config.config_exception"].ConfigException = type("ConfigException", (Exception,), {})

import prefect
from prefect.agent.docker import DockerAgent
from prefect.tasks.dremio import DremioFetch
from prefect.tasks.kubernetes import RunNamespacedJob
from prefect.tasks.postgres import PostgresExecute, PostgresFetch
from prefect.tasks.snowflake import SnowflakeQuery

_stub(DockerAgent, "__init__")  # needs a Docker daemon
_stub(prefect.Client, "graphql", result=lambda a: {"data": {}})
_stub(prefect.Client, "switch_tenant", result=lambda a: setattr(a["self"], "_tenant_id", a["tenant_id"]) or a["tenant_id"])
_stub(prefect.Client, "get_cloud_url", result="https://cloud.prefect.io/acme/flow-run/run-id")
_stub(prefect.Client, "get_default_tenant_slug", result="acme")
_stub(prefect.Flow, "run_agent")
_stub(DremioFetch, "run", result=lambda a: {"rows": 1})
_stub(RunNamespacedJob, "run")  # needs a cluster
_stub(PostgresExecute, "run")  # needs a database
_stub(PostgresFetch, "run", result=[(1,)])
_stub(SnowflakeQuery, "run")
'''

RUNNER = r'''
import os, runpy
calls = None
if os.path.getsize("prelude.py"):
    exec(compile(open("prelude.py").read(), "prelude.py", "exec"))
namespace = runpy.run_path("fixture.py", run_name="fixture")
namespace.update(calls=calls)
exec(compile(open("check.py").read(), "check.py", "exec"), namespace)
print("CHECKED")
'''

# fixture -> (needs --unsafe-fixes, error raised as written, check run after the fixture)
CASES = {
    "agents": (
        False,
        "TypeError",
        "assert calls('DockerAgent', '__init__')[-1]['networks'] == ['etl-net']\n"
        "assert 'docker_interface' not in calls('DockerAgent', '__init__')[-1]\n"
        "assert 'etl' in local.labels\n",
    ),
    "agent_tokens": (
        True,
        "TypeError",
        "assert 'prefect' in yaml_text and 'RUNNER-TOKEN' in yaml_text\n"
        "assert 'RUNNER-TOKEN' in supervisor\n",
    ),
    "fargate": (False, "ModuleNotFoundError", "assert callable(start_fargate) and callable(start_local)\n"),
    "client": (
        True,
        "TypeError",
        "assert client.api_key == 'USER-TOKEN'\n"
        "assert tenant == TENANT\n"
        "assert calls('Client', 'switch_tenant') == [{'tenant_id': TENANT}]\n"
        "assert calls('Client', 'graphql')[0]['api_key'] == 'USER-TOKEN'\n"
        "assert url.endswith('run-id') and slug == 'acme'\n",
    ),
    "schedules": (
        False,
        "ImportError",
        "import pendulum\n"
        "assert once.next(1, after=pendulum.datetime(2029, 1, 1)) == [pendulum.datetime(2030, 1, 1)]\n"
        "assert len(combined.clocks) == 2\n"
        "assert combined.next(2, after=pendulum.datetime(2029, 1, 1)) == "
        "[pendulum.datetime(2030, 1, 1), pendulum.datetime(2030, 1, 1, 0, 30)]\n",
    ),
    "result_handlers": (
        True,
        "ModuleNotFoundError",
        "from prefect.engine.results import LocalResult, PrefectResult, S3Result\n"
        "assert isinstance(extract.result, LocalResult) and extract.result.dir.endswith('results')\n"
        "assert isinstance(load.result, S3Result) and load.result.bucket == 'my-bucket'\n"
        "assert isinstance(flow.result, PrefectResult)\n",
    ),
    "result_handler_imports": (
        True,
        "ModuleNotFoundError",
        "from prefect.engine.results import LocalResult\n"
        "assert isinstance(add.result, LocalResult) and add.result.dir.endswith('results')\n",
    ),
    "dremio": (
        False,
        "TypeError",
        "assert (fetch.username, fetch.hostname, fetch.flightport) == ('analyst', 'dremio.internal', 32010)\n"
        "assert calls('DremioFetch', 'run')[0]['username'] == 'analyst'\n"
        "assert calls('DremioFetch', 'run')[0]['query'] == 'select 1'\n",
    ),
    "kubernetes_job": (
        False,
        "TypeError",
        "assert job.job_status_poll_interval == 30\n"
        "assert calls('RunNamespacedJob', 'run')[0]['job_status_poll_interval'] == 1\n",
    ),
    "positional_runs": (
        False,
        "AssertionError",
        "assert calls('PostgresExecute', 'run')[0].get('query') == 'insert into t values (1)'\n"
        "assert 'db_name' not in calls('PostgresExecute', 'run')[0]\n"
        "assert calls('PostgresFetch', 'run')[0]['fetch'] == 'all' and calls('PostgresFetch', 'run')[0]['query'] == 'select 1'\n"
        "assert calls('SnowflakeQuery', 'run')[0]['query'] == 'select 2'\n",
    ),
    "settings": (
        False,
        "AssertionError",
        "import prefect\n"
        "from prefect.storage import S3, get_default_storage_class\n"
        "assert send_logs is False and inside is True\n"
        "assert prefect.config.cloud.send_flow_run_logs is False\n"
        "assert get_default_storage_class() is S3\n",
    ),
    "run_agent": (True, "AssertionError", "assert calls('Flow', 'run_agent')[0].get('api_key') == 'RUNNER-TOKEN'\n"),
}


#: cases written for another Prefect than 0.15 (the default)
FROM_VERSION = {"positional_runs": "0.14"}

#: cases whose code must import Prefect itself (the prelude imports it first)
NO_PRELUDE = {"settings"}


def _run(code: str, check: str, folder: Path, prelude: bool = True):
    (folder / "prelude.py").write_text(PRELUDE if prelude else "")
    (folder / "check.py").write_text(check)
    (folder / "fixture.py").write_text(code)
    return run_python("1.0.0", RUNNER, folder)


def test_every_real_fixture_has_a_case():
    assert sorted(p.stem for p in (FIXTURES / "removed_real").glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fails_as_written_and_runs_rewritten(name, tmp_path):
    unsafe, error, check = CASES[name]
    original = (FIXTURES / "removed_real" / f"{name}.py").read_text()
    rewritten = run(original, unsafe=unsafe, from_version=FROM_VERSION.get(name, "0.15")).text
    assert rewritten != original

    prelude = name not in NO_PRELUDE
    before = _run(original, check, tmp_path, prelude)
    assert before.returncode != 0 and error in before.stderr, before.stderr[-2000:]

    after = _run(rewritten, check, tmp_path, prelude)
    assert after.returncode == 0 and "CHECKED" in after.stdout, (
        f"rewritten code failed under Prefect 1.0.0:\n{rewritten}\n{after.stderr[-3000:]}"
    )


def test_prelude_stubs_still_reject_unknown_keywords(tmp_path):
    """The stand-ins must keep the real signature, or the cases above prove nothing."""
    code = "from prefect.agent.docker import DockerAgent\nDockerAgent(docker_interface=False)\n"
    result = _run(code, "", tmp_path)
    assert result.returncode != 0 and "TypeError" in result.stderr
    result = _run("from prefect.agent.docker import DockerAgent\nDockerAgent(networks=['n'])\n", "", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
