"""PFU430/PFU431: ``load_and_run_flow`` and ``prefect.environments`` code in commands, config
files and Python strings: reported (manual), never rewritten."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from casefiles import FIXTURES, assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.cli import app
from prefect_upgrade.codemods import all_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.codemods.pfu430_environment_commands import (
    EnvironmentCommandStrings,
    ENVIRONMENTS_MESSAGE,
    RUN_FLOW_MESSAGE,
)
from prefect_upgrade.discovery import kind_of
from prefect_upgrade.findings import FixClass
from prefect_upgrade.runner import rewrite_text

MINE = ("PFU430", "PFU431")
RUN_FLOW = RUN_FLOW_MESSAGE[:40]
ENVIRONMENTS = "Prefect 1.0 has no `prefect.environments` module"
STORAGE = "`prefect.environments.storage` was removed"


def found(text: str, kind: str, codes=MINE) -> list[tuple[int, int, str, str]]:
    result = upgrade(text, kind, select=codes)
    assert result.text == text, "PFU430/PFU431 never rewrite"
    return [(f.line, f.col, f.code, f.message) for f in result.findings]


# ---------------------------------------------------------------------------------------------
# text that must stay unreported next to text that must be reported

STAYS = [
    ("yaml", "args: ['prefect execute flow-run']\n"),
    ("yaml", "# flow environments were replaced by run configs\nenv:\n  - name: ENVIRONMENTS\n    value: a,b\n"),
    ("yaml", "labels:\n  prefect.environment: prod\n  app.prefect.environments.x: y\n"),
    ("yaml", "run: python -m etl.load_and_run_flow\n"),
    ("yaml", "url: https://docs.prefect.io/orchestration/environments/execution.html\n"),
    ("shell", 'python -c "from myjobs import load_and_run_flow; load_and_run_flow()"\n'),  # no Prefect around
    ("shell", "echo 'the load_and_run_flow step is gone'\n"),
    ("shell", "export MYprefect.environments=1\n"),
    ("dockerfile", 'CMD ["prefect", "execute", "flow-run"]\n'),
    ("makefile", "run:\n\tprefect execute flow-run\n"),
    ("dotenv", "PREFECT__CLOUD__USE_LOCAL_SECRETS=false\n"),
    ("toml", '[tool.poetry]\nname = "flow-environments"\n'),
    ("markdown", "Flows ran with `prefect.environments.execution.load_and_run_flow()`.\n"),  # prose
    ("markdown", "```python\nimport os\n```\n"),
    ("markdown", "```text\npython -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n```\n"),
    ("rst", "Flows ran with ``prefect.environments.execution.load_and_run_flow()``.\n"),
]


@pytest.mark.parametrize("kind, text", STAYS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(STAYS)])
def test_stays_unreported(kind, text):
    assert found(text, kind) == []


REPORTED = [
    # (kind, text, [(line, col, message start)])
    ("yaml", "args: ['python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"']\n",
     [(1, 36, RUN_FLOW)]),
    ("yaml", "command:\n  - python\n  - -c\n  - |\n    from prefect.environments.execution import load_and_run_flow\n"
             "    load_and_run_flow()\n",
     [(5, 10, RUN_FLOW), (6, 5, RUN_FLOW)]),
    ("yaml", "command: >\n  python -c \"from prefect.environments.execution import load_and_run_flow;\n"
             "  load_and_run_flow()\"\n",
     [(2, 19, RUN_FLOW), (3, 3, RUN_FLOW)]),
    ("yaml", "script: python -c 'from prefect.environments import LocalEnvironment'\n", [(1, 25, ENVIRONMENTS)]),
    ("dockerfile", 'CMD python -c "from prefect.environments.execution import load_and_run_flow; load_and_run_flow()"\n',
     [(1, 21, RUN_FLOW)]),
    ("dockerfile", 'CMD ["python", "-c", "import prefect; prefect.environments.execution.load_and_run_flow()"]\n',
     [(1, 39, RUN_FLOW)]),
    ("dockerfile", 'RUN python -c "from prefect.environments.storage import S3"\n', [(1, 21, STORAGE)]),
    ("shell", "#!/bin/sh\nexec python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n",
     [(2, 33, RUN_FLOW)]),
    ("shell", "python -c 'from prefect import environments; environments.execution.load_and_run_flow()'\n",
     [(1, 46, RUN_FLOW)]),
    ("makefile", "run:\n\tpython -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"\n",
     [(2, 29, RUN_FLOW)]),
    ("dotenv", "FLOW_CMD=python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n",
     [(1, 37, RUN_FLOW)]),
    ("toml", '[tool.taskipy.tasks]\nflow = "python -c \'import prefect; prefect.environments.execution.load_and_run_flow()\'"\n',
     [(2, 36, RUN_FLOW)]),
    ("ini", "[testenv]\ncommands =\n    python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"\n",
     [(3, 32, RUN_FLOW)]),
    ("jenkinsfile", "node {\n  sh 'python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"'\n}\n",
     [(2, 34, RUN_FLOW)]),
    ("markdown", "```bash\npython -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n```\n",
     [(2, 28, RUN_FLOW)]),
    ("markdown", "- step:\n\n  ```yaml\n  args: ['python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"']\n  ```\n",
     [(4, 38, RUN_FLOW)]),
    ("markdown", "```console\n$ python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n"
                 "ModuleNotFoundError: No module named 'prefect.environments'\n```\n",
     [(2, 30, RUN_FLOW)]),  # the output line is not a command
    ("rst", ".. code-block:: bash\n\n   python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n",
     [(3, 31, RUN_FLOW)]),
]


@pytest.mark.parametrize("kind, text, expected", REPORTED, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(REPORTED)])
def test_reported_where_it_stands(kind, text, expected):
    got = found(text, kind)
    assert [(line, col) for line, col, _, _ in got] == [(line, col) for line, col, _ in expected]
    for (_, _, _, message), (_, _, start) in zip(got, expected):
        assert start in message, message
    assert {code for _, _, code, _ in got} == {"PFU430"}
    # the column points at the reference itself
    lines = text.splitlines()
    for line, col, _, _ in got:
        rest = lines[line - 1][col - 1 :]
        assert rest.startswith(("prefect.environments", "load_and_run_flow", "environments.execution")), rest


def test_findings_are_manual_and_not_applied():
    result = upgrade("CMD python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n", "dockerfile")
    mine = [f for f in result.findings if f.code == "PFU430"]
    assert len(mine) == 1
    assert mine[0].fix_class is FixClass.MANUAL and not mine[0].applied


def test_storage_paths_name_their_new_place_and_default_class_lines_are_pfu413s():
    text = (
        "RUN python -c 'from prefect.environments.storage.s3 import S3'\n"
        "RUN python -c 'import prefect.environments.storage.Memory'\n"
        "ENV PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS=prefect.environments.storage.Bytes\n"
    )
    got = found(text, "dockerfile")
    assert [(line, col) for line, col, _, _ in got] == [(1, 21), (2, 23)]
    assert "use `prefect.storage.s3`" in got[0][3]
    assert "`Memory` storage has no successor" in got[1][3]
    # with every codemod: PFU413 reports the default_class line, PFU430 does not repeat it
    everything = upgrade(text, "dockerfile")
    assert [(f.line, f.code) for f in everything.findings if f.line == 3] == [(3, "PFU413")]
    yaml = "env:\n  - name: PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS\n    value: prefect.environments.storage.Bytes\n"
    assert found(yaml, "yaml") == []


def test_one_finding_per_line_with_the_most_telling_message():
    text = "python -c 'from prefect.environments.storage import S3; from prefect.environments import LocalEnvironment'\n"
    ((line, col, _, message),) = found(text, "shell")
    assert (line, col) == (1, 17)
    assert message == ENVIRONMENTS_MESSAGE  # the environment, not the storage
    text = "python -c 'import prefect.environments.storage; prefect.environments.execution.load_and_run_flow()'\n"
    ((_, col, _, message),) = found(text, "shell")
    assert col == 19 and message == RUN_FLOW_MESSAGE


def test_messages_cite_the_spec():
    # environments-to-runconfig.md §3: "agents now run `prefect execute flow-run` themselves"
    assert "`prefect execute flow-run` themselves" in RUN_FLOW_MESSAGE
    assert "KubernetesRun(job_template=" in RUN_FLOW_MESSAGE
    assert "run config" in RUN_FLOW_MESSAGE
    assert "\n" not in RUN_FLOW_MESSAGE and RUN_FLOW_MESSAGE.count(". ") == 0  # one sentence


# ---------------------------------------------------------------------------------------------
# Python strings (PFU431)

PY_STAYS = [
    '"""Flows ran with prefect.environments.execution.load_and_run_flow()."""\n',
    'import prefect\n\n\ndef f():\n    "prefect.environments.execution.load_and_run_flow() was the 0.x way"\n',
    'import prefect\nARGS = ["prefect execute flow-run"]\n',
    'import prefect\nHELP = "environments were replaced by run configs"\n',
    'import prefect\nsubprocess.run(["python", "-c", "from app import load_and_run_flow; load_and_run_flow()"])\n',
    'import prefect\nX = b"prefect.environments.execution.load_and_run_flow()"\n',
    'import prefect\n# prefect.environments.execution.load_and_run_flow()\nx = 1\n',
    'import prefect\nSTORAGE = "prefect.environments.storage.S3"\n',  # PFU107's
]


@pytest.mark.parametrize("text", PY_STAYS)
def test_python_stays_unreported(text):
    assert found(text, "python", ("PFU431",)) == []


PY_REPORTED = [
    ('import subprocess\nsubprocess.run(["python", "-c", "import prefect; prefect.environments.execution.load_and_run_flow()"])\n',
     (2, 33, RUN_FLOW)),
    ('import prefect\nARGS = [\'python -c "from prefect.environments.execution import load_and_run_flow; '
     'load_and_run_flow()"\']\n', (2, 9, RUN_FLOW)),
    ('import prefect\ncmd = f"python -c \'import {m}; prefect.environments.execution.load_and_run_flow()\'"\n',
     (2, 7, RUN_FLOW)),
    ('import prefect\nSCRIPT = """\nfrom prefect.environments import LocalEnvironment\n"""\n', (2, 10, ENVIRONMENTS)),
    ('import prefect\nmock.patch("prefect.environments.execution.k8s.job.KubernetesJobEnvironment.execute")\n',
     (2, 12, ENVIRONMENTS)),
    ('import prefect\nimportlib.import_module("prefect.environments.storage")\n', (2, 25, STORAGE)),
]


@pytest.mark.parametrize("text, expected", PY_REPORTED)
def test_python_strings_reported(text, expected):
    got = found(text, "python", ("PFU431",))
    line, col, start = expected
    assert [(f_line, f_col, code) for f_line, f_col, code, _ in got] == [(line, col, "PFU431")]
    assert start in got[0][3], got[0][3]


# ---------------------------------------------------------------------------------------------
# fixtures: snapshots, idempotence, and nothing but findings


@pytest.mark.parametrize("path", fixture_cases("environment_commands"), ids=lambda p: p.name)
def test_fixture(path, snapshot):
    text = path.read_text()
    kind = kind_of(path, sniff=False)
    result = upgrade(text, kind)
    snapshot.assert_match(render_case(text, result), path.name + ".txt")
    assert_idempotent(result, kind)
    # PFU430/PFU431 change nothing: the file comes out as the other codemods leave it
    others = [c for c in all_codemods() if c.code not in MINE]
    without = rewrite_text(text, kind, others, CodemodOptions())
    assert without.text == result.text
    mine = [f for f in result.findings if f.code in MINE]
    if path.name.startswith("untouched"):
        assert mine == []
    else:
        assert mine and all(f.fix_class is FixClass.MANUAL and not f.applied for f in mine)


def test_every_fixture_kind_is_covered():
    kinds = {kind_of(path, sniff=False) for path in fixture_cases("environment_commands")}
    assert {"yaml", "dockerfile", "shell", "makefile", "markdown", "python", "jenkinsfile", "ini"} <= kinds
    assert (FIXTURES / "environment_commands" / "job.yaml").exists()


def test_listed_and_explained():
    runner = CliRunner()
    listing = runner.invoke(app, ["--list-codemods"]).stdout
    assert any(line.startswith("PFU430") for line in listing.splitlines())
    assert any(line.startswith("PFU431") for line in listing.splitlines())
    for code in MINE:
        explained = runner.invoke(app, ["--explain", code])
        assert explained.exit_code == 0
        assert explained.stdout.startswith(f"{code}: ")
        assert "fix class: manual" in explained.stdout
        assert "load_and_run_flow" in explained.stdout and "Before::" in explained.stdout


def test_a_call_counts_only_after_prefect_s_import():
    text = (
        'CMD python -c "from prefect.environments.execution import load_and_run_flow; load_and_run_flow()"\n'
        'RUN python -c "load_and_run_flow()"\n'  # still Prefect's (the last import seen)
        'CMD python -c "from app.jobs import load_and_run_flow; load_and_run_flow()"\n'  # a helper of the project
        'RUN python -c "load_and_run_flow()"\n'  # the helper again
        'RUN python -c "from prefect.environments.execution.base import (load_and_run_flow)"\n'
        'RUN python -c "load_and_run_flow()"\n'
    )
    assert [(line, col) for line, col, _, _ in found(text, "dockerfile")] == [(1, 21), (2, 16), (5, 21), (6, 16)]
    # without any import, a call counts where the text names prefect.environments
    assert found("load_and_run_flow()\n", "shell") == []
    assert [line for line, _, _, _ in found("load_and_run_flow()\n# prefect.environments\n", "shell")] == [1]


@pytest.mark.parametrize(
    "kind, text",
    [
        ("yaml", "# was: prefect.environments.execution.load_and_run_flow\nargs: []\n"),  # a comment runs nothing
        ("yaml", "steps:\n  - name: prefect.environments is gone\n    run: make test\n"),
        ("shell", 'echo "prefect.environments was replaced by run configs"\n# see prefect.environments docs\n'),
        ("makefile", 'note:\n\t@echo "flows used prefect.environments"\n'),
        ("dockerfile", '# ran prefect.environments flows\nLABEL description="formerly ran prefect.environments flows"\n'),
        ("jenkinsfile", "// prefect.environments.execution.load_and_run_flow() is gone\n"),
    ],
)
def test_prose_and_comments_that_mention_it_are_not_reported(kind, text):
    assert found(text, kind) == []


def test_python_prose_strings_stay_and_attribute_uses_are_reported():
    from prefect_upgrade.runner import rewrite_text

    text = (
        "import logging\nimport prefect\n\n"
        'logging.warning("prefect.environments is deprecated")\n'
        "def is_env(x):\n"
        "    return isinstance(x, prefect.environments.LocalEnvironment)\n"
        'ENV_CLASS = "prefect.environments.LocalEnvironment"\n'
    )
    result = rewrite_text(text, "python", [EnvironmentCommandStrings])
    assert [(f.line, f.col, f.code) for f in result.findings] == [(6, 26, "PFU431"), (7, 13, "PFU431")]
    assert result.text == text


def test_an_imported_load_and_run_flow_left_as_a_placeholder_is_reported_once():
    # PFU201 keeps the module importable with a placeholder and PFU205 reports its use; PFU431
    # does not report it again
    text = (
        "from prefect.environments.execution import load_and_run_flow\n\n"
        'if __name__ == "__main__":\n    load_and_run_flow()\n'
    )
    result = upgrade(text, "python")
    assert "def load_and_run_flow(" in result.text
    (finding,) = [f for f in result.findings if "load_and_run_flow" in f.message]
    assert finding.code == "PFU205" and finding.fix_class is FixClass.MANUAL and not finding.applied
    assert "`prefect execute flow-run`" in finding.message
    assert result.text.splitlines()[finding.line - 1].strip() == "load_and_run_flow()"


def test_notebook_shell_lines_and_python_strings():
    import json

    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": [
                "!python -c 'import prefect; prefect.environments.execution.load_and_run_flow()'\n",
                "ARGS = ['python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"']\n",
            ]},
            {"cell_type": "markdown", "metadata": {}, "source": ["Flows ran with prefect.environments.execution.load_and_run_flow()."]},
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(notebook, indent=1) + "\n"
    result = upgrade(text, "notebook", select=MINE)
    assert result.text == text
    assert sorted(f.code for f in result.findings) == ["PFU430", "PFU431"]  # the markdown prose stays


@pytest.mark.parametrize(
    "text, reported",
    [
        ("import prefect\n\nprefect.environments.execution.load_and_run_flow()\n", True),
        ("import prefect as p\n\np.environments.execution.load_and_run_flow()\n", True),
        ("import prefect.environments.execution.base\n\nprefect.environments.execution.base.load_and_run_flow()\n", True),
        ("import prefect\nfrom app import jobs\n\njobs.load_and_run_flow()\n", False),
        ("import prefect\n\ndef f(runner):\n    runner.load_and_run_flow()\n", False),
    ],
)
def test_dotted_calls_in_python_code(text, reported):
    result = upgrade(text, "python")
    mine = [f for f in result.findings if f.code == "PFU431"]
    assert len(mine) == (1 if reported else 0)
    if reported:
        assert "remove this call" in mine[0].message
        assert result.text.splitlines()[mine[0].line - 1].lstrip().startswith(("prefect.", "p."))
