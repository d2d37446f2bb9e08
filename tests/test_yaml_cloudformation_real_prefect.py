"""Real-Prefect tier for trial 11's kinds: every prefect command of the upgraded CloudFormation
template and Terraform user-data fixtures (``tests/fixtures/kinds/``) is accepted by Prefect
1.0.0's own CLI, and every original is accepted by 0.14.22 (so the fixtures hold real commands)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casefiles import upgrade
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.discovery import kind_of
from prefect_upgrade.rewriters.yaml import YamlRewriter
from test_prefect_cli_real_prefect import command_lines, judge

pytestmark = pytest.mark.real_prefect

KINDS = Path(__file__).resolve().parent / "fixtures" / "kinds"
FIXTURES = [KINDS / "cloudformation-agent.yaml", KINDS / "ec2-user-data.sh.tpl"]


def argvs(text: str, kind: str) -> list[list[str]]:
    scripts = [f.text for f in YamlRewriter().shell_fragments(text)] if kind == "yaml" else [text]
    found = []
    for script in scripts:
        for argv, _, _ in command_lines(script):
            found.append([word.replace("/flows/", "flows/") for word in argv])
    return found


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_the_upgraded_commands_run_on_prefect_1(path, tmp_path):
    kind = kind_of(path)
    before = path.read_text()
    after = upgrade(before, kind, options=CodemodOptions(unsafe_fixes=True)).text
    old, new = argvs(before, kind), argvs(after, kind)
    assert len(old) == len(new) >= 1
    assert all(accepted for accepted, *_ in judge("0.14.22", old, tmp_path)), old
    verdicts = judge("1.0.0", new, tmp_path)
    assert [message for accepted, message, _ in verdicts if not accepted] == []
    (tmp_path / "old").mkdir()
    assert not all(accepted for accepted, *_ in judge("1.0.0", old, tmp_path / "old"))
