"""PFU420: prefect command lines run from Python (subprocess lists, shell strings, f-strings)."""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions

SELECT = ("PFU420",)

STAYS = [
    'subprocess.run(["prefect", "register", "--project", "P", "--path", "flows/"])\n',
    'subprocess.run(["prefect", "run", "--name", "n", "--project", "P", "--watch"])\n',
    'print("prefect register flow -f x.py")\n',
    'logger.info("prefect run flow --name %s", name)\n',
    'subprocess.run(["echo", "prefect", "run", "flow"])\n',
    'words = ["prefect register flow", "--file"]\n',
    'os.system("echo prefect run flow")\n',
    'subprocess.run(["prefect", "server", "start"])\n',
    'subprocess.run(b"prefect run flow --name x", shell=True)\n',
]


@pytest.mark.parametrize("code", STAYS)
def test_stays(code):
    result = upgrade("import os, subprocess\n" + code, select=SELECT)
    assert result.text == "import os, subprocess\n" + code
    assert result.findings == []


CHANGES = [
    (
        'subprocess.run(["prefect", "register", "flow", "-f", path, "-p", "P"])\n',
        'subprocess.run(["prefect", "register", "--path", path, "--project", "P", "--force"])\n',
    ),
    (  # quotes follow the list's own style
        "subprocess.run(['prefect', 'run', 'flow', '--name', 'n', '-p', 'P', '-w'])\n",
        "subprocess.run(['prefect', 'run', '--name', 'n', '--project', 'P', '--watch', '--no-logs'])\n",
    ),
    (
        'subprocess.run([sys.executable, "-m", "prefect", "execute", "cloud-flow"])\n',
        'subprocess.run([sys.executable, "-m", "prefect", "execute", "flow-run"])\n',
    ),
    (  # an attached f-string value keeps its expression
        'subprocess.run(["prefect", "register", "flow", f"--file={path}", "--project", p])\n',
        'subprocess.run(["prefect", "register", f"--path={path}", "--project", p, "--force"])\n',
    ),
    (
        'os.system(f"prefect run flow --name {name!r} -p {project}")\n',
        'os.system(f"prefect run --name {name!r} --project {project}")\n',
    ),
    (
        "subprocess.run('prefect run flow --name n -p P -ps \\'{\"a\": 1}\\'', shell=True)\n",
        "subprocess.run('prefect run --name n --project P --param a=1', shell=True)\n",
    ),
    (
        'c.run("prefect agent start docker --no-docker-interface")\n',
        'c.run("prefect agent docker start")\n',
    ),
    (  # a multi-line list keeps one word per line
        'subprocess.run(\n    [\n        "prefect",\n        "register",\n        "flow",\n        "-f",\n        path,\n'
        '        "--skip-if-flow-metadata-unchanged",\n    ]\n)\n',
        'subprocess.run(\n    [\n        "prefect",\n        "register",\n        "--path",\n        path,\n    ]\n)\n',
    ),
]


@pytest.mark.parametrize("before, after", CHANGES)
def test_changes(before, after):
    head = "import os, subprocess, sys\n"
    result = upgrade(head + before, select=SELECT)
    assert result.text == head + after
    assert result.findings
    assert_idempotent(result, select=SELECT)


def test_unsafe_token_rename_in_a_list():
    code = 'import subprocess\nsubprocess.run(["prefect", "auth", "login", "-t", token])\n'
    assert upgrade(code, select=SELECT).text == code
    unsafe = upgrade(code, select=SELECT, options=CodemodOptions(unsafe_fixes=True))
    assert unsafe.text == 'import subprocess\nsubprocess.run(["prefect", "auth", "login", "--key", token])\n'


@pytest.mark.parametrize("path", fixture_cases("cli_python"), ids=lambda p: p.name)
def test_fixture(path, snapshot):
    text = path.read_text()
    result = upgrade(text)
    snapshot.assert_match(render_case(text, result), path.name + ".txt")
    assert_idempotent(result)
    compile(result.text, str(path), "exec")
