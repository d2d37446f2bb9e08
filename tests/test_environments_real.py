"""Real-Prefect tier for PFU2xx: build each fixture under 0.x and its rewrite under 1.0.0.

For every fixture below, ``real_prefect_extract.py`` prints what the agent would use (run-config
type, labels, image, job template, env, ECS task definition/run kwargs; executor class and its
address / cluster class / cluster, adapt and client kwargs) -- under Prefect 0.15.13 (0.13.19
where the code needs ``prefect.environments.storage`` or the Remote environments) for the
*before*, and under 1.0.0 for the *after*. Any difference that the spec does not document fails.

The rewrite is PFU2 only; the import moves of other families (PFU101 executors, PFU105 storage)
are emulated with a plain text replacement so that the *after* imports under 1.0.
dask-kubernetes / dask-cloudprovider / dask-saturn are stubbed (see the extract script).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from casefiles import FIXTURES, upgrade
from real_prefect import run_python

pytestmark = pytest.mark.real_prefect

EXTRACT = Path(__file__).with_name("real_prefect_extract.py")

JOB_YAML = """apiVersion: batch/v1
kind: Job
metadata:
  name: prefect-job
spec:
  template:
    spec:
      containers:
        - name: flow
          image: org/flows:latest
          resources:
            requests: {cpu: "500m"}
      restartPolicy: Never
"""
WORKER_YAML = """kind: Pod
spec:
  containers:
    - name: dask-worker
      image: daskdev/dask:latest
      args: [dask-worker, --nthreads, "2"]
"""

#: fixture stem -> {"<flow key>/<run_config|executor>/<field>": "where the spec documents it"}
DOCUMENTED = {
    "pair03_localenvironment_carrying_only_metadata_": {
        "flow:example/run_config/image": "§5.1/§5.2: metadata image of LocalEnvironment needs the agent type (TODO + PFU204)",
    },
    "shape_base_environment_hooks": {
        "flow:hooks/run_config/image": "§5.1: image of an agent-agnostic environment (TODO + PFU204)",
    },
    "shape_executor_precedence": {
        "three:rule-2/executor/type": "§4.3 rule 2: the flow's own executor takes effect in 1.0 (PFU208)",
        "three:rule-2/executor/scheduler": "§4.3 rule 2 (PFU208)",
    },
}

CASES = {
    # stem prefix -> version of the before
    "pair01": "0.15.13",
    "pair02": "0.13.19",
    "pair03": "0.13.19",
    "pair04": "0.15.13",
    "pair05": "0.13.19",
    "pair06": "0.15.13",
    "pair07": "0.15.13",
    "pair08": "0.13.19",
    "pair09": "0.13.19",
    "pair10": "0.13.19",
    "pair11": "0.15.13",
    "pair12": "0.13.19",
    "pair13": "0.15.13",
    "pair14": "0.15.13",
    "pair15": "0.15.13",
    "pair16": "0.13.19",
    "pair17": "0.13.19",
    "pair18": "0.13.19",
    "pair19": "0.15.13",
    "pair20": "0.13.19",
    "pair21": "0.13.19",
    "shape_env_variable_shared": "0.15.13",
    "shape_env_variable_named_executor": "0.15.13",
    "shape_new_variable_names": "0.15.13",
    "shape_environment_none_and_empty": "0.15.13",
    "shape_executor_precedence": "0.15.13",
    "shape_fargate_credentials": "0.15.13",
    "shape_base_environment_hooks": "0.15.13",
    "shape_image_with_docker_storage": "0.15.13",
    "shape_import_forms": "0.15.13",
    "shape_legacy_dask_executor": "0.13.19",
}


def _fixture(prefix: str) -> Path:
    matches = sorted(p for p in (FIXTURES / "environments").iterdir() if p.stem.startswith(prefix))
    assert len(matches) == 1, prefix
    return matches[0]


def _emulate_other_families(text: str) -> str:
    # PFU101 / PFU105 belong to other codemods; emulate their import moves for this tier.
    return text.replace("prefect.environments.storage", "prefect.storage").replace(
        "prefect.engine.executors", "prefect.executors"
    )


def _extract(version: str, mode: str, source: str, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("job_spec.yaml", JOB_YAML), ("scheduler.yaml", JOB_YAML), ("worker.yaml", WORKER_YAML)):
        (folder / name).write_text(text)
    (folder / "flow_module.py").write_text(source)
    shutil.copy(EXTRACT, folder / "extract.py")
    code = (
        "import sys, runpy; sys.argv = ['extract.py', %r, 'flow_module.py']; "
        "runpy.run_path('extract.py', run_name='__main__')" % mode
    )
    proc = run_python(version, code, folder)
    assert proc.returncode == 0, f"{mode} under {version} failed:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout[proc.stdout.index("{"):])


def _diff(before, after, path=""):
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            out += _diff(before.get(key), after.get(key), f"{path}/{key}" if path else key)
        return out
    return [] if before == after else [path]


@pytest.mark.parametrize("prefix", sorted(CASES))
def test_before_and_after_configure_the_same_run(prefix, tmp_path):
    path = _fixture(prefix)
    before_text = path.read_text()
    after_text = upgrade(before_text, select=("PFU2",)).text
    before = _extract(CASES[prefix], "before", before_text, tmp_path / "before")
    after = _extract("1.0.0", "after", _emulate_other_families(after_text), tmp_path / "after")
    assert before["flows"], "the fixture defines no flow"
    assert sorted(before["flows"]) == sorted(after["flows"])
    documented = DOCUMENTED.get(path.stem, {})
    problems = []
    for key in before["flows"]:
        for diff in _diff(before["flows"][key], after["flows"][key]):
            where = f"{key}/{diff}"
            if where not in documented:
                problems.append(where)
    assert before["flow_run_executors"] == after["flow_run_executors"]
    assert not problems, (
        f"undocumented differences {problems}\nbefore={json.dumps(before, indent=1)}\n"
        f"after={json.dumps(after, indent=1)}"
    )
    # a documented difference must still be a difference (else the table is stale)
    for where in documented:
        key, rest = where.split("/", 1)
        assert where in [f"{key}/{d}" for d in _diff(before["flows"][key], after["flows"][key])], where
