"""PFU306/PFU360/PFU361: settings read or set in Python code."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "import os\nos.environ['PREFECT__CLOUD__SEND_FLOW_RUN_LOGS'] = 'true'\n",
    "print('export PREFECT__LOGGING__LOG_TO_CLOUD=true')\n",
    "settings.logging.log_to_cloud = True\n",  # not Prefect's config
    "import prefect\nprefect.config.cloud.send_flow_run_logs\n",
    "path = 'prefect.environments.storage.S3'\n",  # not a default_class setting (PFU107's business)
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text and result.findings == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("os.environ['PREFECT__LOGGING__LOG_TO_CLOUD'] = 'true'", "os.environ['PREFECT__CLOUD__SEND_FLOW_RUN_LOGS'] = 'true'"),
        ('os.getenv("PREFECT__LOGGING__LOG_TO_CLOUD")', 'os.getenv("PREFECT__CLOUD__SEND_FLOW_RUN_LOGS")'),
        ("os.environ.get('PREFECT__LOGGING__LOG_TO_CLOUD', '')", "os.environ.get('PREFECT__CLOUD__SEND_FLOW_RUN_LOGS', '')"),
        ("os.environ.setdefault('PREFECT__LOGGING__LOG_TO_CLOUD', '1')", "os.environ.setdefault('PREFECT__CLOUD__SEND_FLOW_RUN_LOGS', '1')"),
        ("run(cmd, env={'PREFECT__LOGGING__LOG_TO_CLOUD': 'true'})", "run(cmd, env={'PREFECT__CLOUD__SEND_FLOW_RUN_LOGS': 'true'})"),
        ("dict(os.environ, PREFECT__LOGGING__LOG_TO_CLOUD='1')", "dict(os.environ, PREFECT__CLOUD__SEND_FLOW_RUN_LOGS='1')"),
        ("prefect.config.logging.log_to_cloud", "prefect.config.cloud.send_flow_run_logs"),
        ("prefect.context.config.logging.log_to_cloud", "prefect.context.config.cloud.send_flow_run_logs"),
        ("prefect.config.logging['log_to_cloud']", "prefect.config.cloud['send_flow_run_logs']"),
        ("prefect.config.logging.get('log_to_cloud', False)", "prefect.config.cloud.get('send_flow_run_logs', False)"),
        ("set_temporary_config({'logging.log_to_cloud': False})", "set_temporary_config({'cloud.send_flow_run_logs': False})"),
    ],
)
def test_log_to_cloud(before, after):
    result = run(f"import os\nimport prefect\n{before}\n")
    assert result.text == f"import os\nimport prefect\n{after}\n"
    assert all(f.code == "PFU306" and f.fix_class is FixClass.SAFE and f.applied for f in result.findings)


def test_config_alias():
    text = "from prefect import config as cfg\ncfg.logging.log_to_cloud = False\n"
    assert run(text).text == "from prefect import config as cfg\ncfg.cloud.send_flow_run_logs = False\n"


@pytest.mark.parametrize(
    "before, after",
    [
        ("os.environ['PREFECT__CLOUD__AUTH_TOKEN'] = t", "os.environ['PREFECT__CLOUD__API_KEY'] = t"),
        ("os.environ['PREFECT__CLOUD__AGENT__AUTH_TOKEN'] = t", "os.environ['PREFECT__CLOUD__API_KEY'] = t"),
        ("t = prefect.config.cloud.auth_token", "t = prefect.config.cloud.api_key"),
        ("t = prefect.config.cloud.agent.auth_token", "t = prefect.config.cloud.api_key"),
        ("t = prefect.config.cloud.agent.get('auth_token')", "t = prefect.config.cloud.get('api_key')"),
        ("t = prefect.config.cloud['auth_token']", "t = prefect.config.cloud['api_key']"),
    ],
)
def test_auth_tokens_are_unsafe(before, after):
    text = f"import os\nimport prefect\n{before}\n"
    default = run(text)
    assert default.text == text
    assert [(f.code, f.fix_class, f.applied) for f in default.findings] == [("PFU360", FixClass.UNSAFE, False)]
    unsafe = run(text, unsafe=True)
    assert unsafe.text == (
        "import os\nimport prefect\n"
        "# TODO(prefect-upgrade PFU360): this setting needs a new Prefect Cloud API key; an API token does not work as a key\n"
        f"{after}\n"
    )


def test_old_key_next_to_the_new_one_is_reported_not_duplicated():
    text = "env = {'PREFECT__LOGGING__LOG_TO_CLOUD': 'true', 'PREFECT__CLOUD__SEND_FLOW_RUN_LOGS': 'true'}\n"
    result = run(text)
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [("PFU306", FixClass.MANUAL)]


@pytest.mark.parametrize(
    "before, after",
    [
        ("prefect.config.flows.defaults.storage.default_class = 'prefect.environments.storage.S3'",
         "prefect.config.flows.defaults.storage.default_class = 'prefect.storage.S3'"),
        ("os.environ['PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS'] = 'prefect.engine.executors.LocalExecutor'",
         "os.environ['PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS'] = 'prefect.executors.LocalExecutor'"),
        ("env = {'PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS': 'prefect.environments.storage.GCS'}",
         "env = {'PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS': 'prefect.storage.GCS'}"),
    ],
)
def test_default_class_strings(before, after):
    assert run(f"import os\nimport prefect\n{before}\n").text == f"import os\nimport prefect\n{after}\n"


@pytest.mark.parametrize("path", fixture_cases("removed_settings"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")
