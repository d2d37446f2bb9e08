"""PFU430/PFU431 against real Prefect: what they report fails under 1.0, and what their message
tells people to use exists there."""

from __future__ import annotations

import pytest

from casefiles import upgrade
from real_prefect import run_python

pytestmark = pytest.mark.real_prefect

#: (the code of a reported one-liner, the last 0.x version where it imported)
ONE_LINERS = [
    ("import prefect; prefect.environments.execution.load_and_run_flow", "0.15.13"),
    ("from prefect.environments.execution import load_and_run_flow", "0.15.13"),
    ("from prefect.environments import LocalEnvironment", "0.15.13"),
    ("from prefect.environments.storage import S3", "0.14.22"),
]


@pytest.mark.parametrize("code, old", ONE_LINERS)
def test_reported_one_liners_ran_on_0x_and_fail_on_1_0(code, old, tmp_path):
    command = f"python -c '{code}'\n"
    assert [f.code for f in upgrade(command, "shell", select=("PFU430",)).findings] == ["PFU430"]
    assert run_python(old, code, tmp_path).returncode == 0
    completed = run_python("1.0.0", code, tmp_path)
    assert completed.returncode != 0
    # `import prefect; prefect.environments...` fails with AttributeError, imports with ModuleNotFoundError
    assert "No module named 'prefect.environments'" in completed.stderr or (
        "module 'prefect' has no attribute 'environments'" in completed.stderr
    ), completed.stderr


def test_what_the_messages_name_exists_in_1_0(tmp_path):
    code = (
        "from prefect.cli import cli\n"
        "assert 'flow-run' in cli.commands['execute'].commands\n"
        "from prefect.run_configs import KubernetesRun, ECSRun\n"
        "KubernetesRun(job_template={'apiVersion': 'batch/v1', 'kind': 'Job'})\n"
        "ECSRun(task_definition={'containerDefinitions': [{'name': 'flow'}]})\n"
        "from prefect.storage import S3\n"
        "import prefect.storage.s3\n"
    )
    completed = run_python("1.0.0", code, tmp_path)
    assert completed.returncode == 0, completed.stderr
