"""PFU305 and sub-codes: task-library keyword arguments renamed or removed."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "from prefect.tasks.dremio import DremioFetch\nDremioFetch(username='u', hostname='h', flightport=1)\n",
    "from mylib import DremioFetch\nDremioFetch(user='u', host='h', port=1)\n",
    "from prefect.tasks.exasol import ExasolFetch\nExasolFetch(dsn='d', user_secret='U')\n",
    "from prefect.tasks.sendgrid import SendEmail\nSendEmail(sendgrid_api_key=key)\n",
    "def fetch(user=None, host=None):\n    pass\nfetch(user='u', host='h')\n",
    "from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob(body=b, job_status_poll_interval=10)\n",
    "from mylib import RunNamespacedJob\nRunNamespacedJob(body=b, job_status_pool_interval=10)\n",
    "def run(job_status_pool_interval=5):\n    pass\nrun(job_status_pool_interval=1)\n",
    "from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob(b, 'ns', None, 'KEY', 15)\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text and result.findings == []


def test_dremio_keywords_are_renamed():
    text = "from prefect.tasks.dremio import DremioFetch as DF\nf = DF(user='u', password='p', host='h', port=1)\n"
    result = run(text)
    assert result.text.endswith("f = DF(username='u', password='p', hostname='h', flightport=1)\n")
    assert [(f.code, f.fix_class, f.applied) for f in result.findings] == [("PFU305", FixClass.SAFE, True)]


def test_dremio_run_time_keywords_on_a_known_instance():
    text = (
        "from prefect.tasks.dremio import DremioFetch\n"
        "fetch = DremioFetch()\n"
        "fetch(user='u', password='p', host='h', port=1, query='q')\n"
    )
    assert run(text).text.endswith("fetch(username='u', password='p', hostname='h', flightport=1, query='q')\n")


def test_dremio_fifth_positional_becomes_query():
    text = "from prefect.tasks.dremio import DremioFetch\nDremioFetch('u', 'p', 'h', 1, 'select 1')\n"
    assert run(text).text.endswith("DremioFetch('u', 'p', 'h', 1, query='select 1')\n")


@pytest.mark.parametrize(
    "setup, call, code, hint",
    [
        ("from prefect.tasks.dropbox import DropboxDownload", "DropboxDownload(access_token_secret='T')", "PFU350",
         "access_token=PrefectSecret('T')"),
        ("from prefect.tasks.gcp import GCSUpload", "GCSUpload(bucket='b', encryption_key_secret='K')", "PFU351",
         "encryption_key=PrefectSecret('K')"),
        ("from prefect.tasks.sendgrid import SendEmail", "SendEmail(sendgrid_secret='S')", "PFU352",
         "sendgrid_api_key=PrefectSecret('S')"),
        ("from prefect.tasks.exasol import ExasolExecute", "ExasolExecute(user='u')", "PFU353", "user_secret="),
    ],
)
def test_removed_secret_arguments_are_manual(setup, call, code, hint):
    text = f"{setup}\nt = {call}\n"
    result = run(text, unsafe=True)
    assert result.text == text
    (finding,) = result.findings
    assert (finding.code, finding.fix_class) == (code, FixClass.MANUAL)
    assert hint in finding.message


@pytest.mark.parametrize("path", fixture_cases("removed_task_arguments"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "from prefect.tasks.kubernetes import RunNamespacedJob\n"
            "job = RunNamespacedJob(body=b, job_status_pool_interval=10)\n",
            "job = RunNamespacedJob(body=b, job_status_poll_interval=10)\n",
        ),
        (
            "import prefect.tasks.kubernetes.job as j\nj.RunNamespacedJob(job_status_pool_interval=10)\n",
            "j.RunNamespacedJob(job_status_poll_interval=10)\n",
        ),
        (
            "from prefect.tasks.kubernetes import RunNamespacedJob\n"
            "job = RunNamespacedJob()\njob.run(body=b, job_status_pool_interval=1)\n",
            "job.run(body=b, job_status_poll_interval=1)\n",
        ),
        (
            "from prefect.tasks.kubernetes import RunNamespacedJob\n"
            "job = RunNamespacedJob()\njob(body=b, job_status_pool_interval=1)\n",
            "job(body=b, job_status_poll_interval=1)\n",
        ),
    ],
)
def test_kubernetes_job_pool_interval_is_renamed(text, expected):
    result = run(text)
    assert result.text.endswith(expected)
    assert [(f.code, f.fix_class, f.applied) for f in result.findings] == [("PFU305", FixClass.SAFE, True)]
    assert run(result.text).text == result.text


def test_kubernetes_job_both_spellings_is_manual():
    text = (
        "from prefect.tasks.kubernetes import RunNamespacedJob\n"
        "RunNamespacedJob(job_status_pool_interval=5, job_status_poll_interval=10)\n"
    )
    result = run(text, unsafe=True)
    assert result.text == text
    (finding,) = result.findings
    assert (finding.code, finding.fix_class) == ("PFU305", FixClass.MANUAL)
    assert "delete `job_status_pool_interval=`" in finding.message


POSITIONAL_STAYS = [
    # 0.15 code already uses 1.0's order
    ("0.15", "from prefect.tasks.postgres import PostgresExecute\nt = PostgresExecute()\nt('etl', 'u', 'h')\n"),
    # keywords only
    ("0.14", "from prefect.tasks.postgres import PostgresExecute\nt = PostgresExecute()\nt(query='select 1')\n"),
    # __init__ kept its order
    ("0.14", "from prefect.tasks.postgres import PostgresFetch\nPostgresFetch('etl', 'u', 'h', 5432, 'all')\n"),
    # MySQL changed in 0.14, so 0.14 code is fine
    ("0.14", "from prefect.tasks.mysql import MySQLExecute\nt = MySQLExecute()\nt('etl', 'u', 'p', 'h')\n"),
    # StartFlowRun's first three places did not move
    ("0.13", "from prefect.tasks.prefect import StartFlowRun\nStartFlowRun('child', 'etl', {'a': 1})\n"),
    # another library's task
    ("0.14", "from mylib import SnowflakeQuery\nt = SnowflakeQuery()\nt('select 1')\n"),
]


@pytest.mark.parametrize("version, text", POSITIONAL_STAYS)
def test_positional_arguments_left_alone(version, text):
    result = run(text, unsafe=True, from_version=version)
    assert result.text == text and result.findings == []


@pytest.mark.parametrize(
    "version, text, expected",
    [
        ("0.14", "from prefect.tasks.snowflake import SnowflakeQuery\nt = SnowflakeQuery()\nt('select 1')\n",
         "t(query='select 1')\n"),
        ("0.13", "from prefect.tasks.postgres import PostgresFetch\nPostgresFetch().run('one', None, 'select 1')\n",
         "PostgresFetch().run(fetch='one', fetch_count=None, query='select 1')\n"),
        ("0.13", "from prefect.tasks.mysql import MySQLExecute\nt = MySQLExecute()\nt.run('delete', True)\n",
         "t.run(query='delete', commit=True)\n"),
        ("0.13", "from prefect.tasks.prefect import StartFlowRun\nStartFlowRun('child', 'etl', {}, True)\n",
         "StartFlowRun('child', 'etl', {}, wait=True)\n"),
        ("0.13", "from prefect.tasks.jupyter import ExecuteNotebook\nExecuteNotebook('nb.ipynb', {}, 'html')\n",
         "ExecuteNotebook('nb.ipynb', {}, output_format='html')\n"),
        ("0.15", "from prefect.tasks.great_expectations import RunGreatExpectationsValidation as V\nV('cp', ctx)\n",
         "V('cp', context=ctx)\n"),
    ],
)
def test_moved_positional_arguments_go_by_keyword(version, text, expected):
    result = run(text, from_version=version)
    assert result.text.endswith(expected)
    assert [(f.code, f.fix_class, f.applied) for f in result.findings] == [("PFU305", FixClass.SAFE, True)]


def test_moved_positional_arguments_after_a_star_are_reported():
    text = "from prefect.tasks.postgres import PostgresExecute\nt = PostgresExecute()\nt(*args)\nt('q', *rest)\n"
    result = run(text, from_version="0.14")
    assert result.text == text
    (finding,) = result.findings
    assert (finding.line, finding.fix_class) == (4, FixClass.MANUAL)
    assert "`query`" in finding.message
