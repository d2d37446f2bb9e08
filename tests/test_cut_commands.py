"""A ``prefect`` command cut by a ``(``/``)`` that the shell rejects there gets a manual finding
for the words after the cut (``prefect_cli._cut_tail``): they were not read as the command's."""

from __future__ import annotations

import pytest

from casefiles import upgrade

STAYS = [
    # a subshell and a command substitution close with the shell's own `)`
    "(cd flows && prefect register --path a.py --project p)\n",
    "echo $(prefect register --path a.py --project p)\n",
    'echo "$(prefect run --name a --project p)" done\n',
    # a case pattern before the command; a `)` with nothing after it; a quoted `)` in a word
    "case $1 in\n  go) prefect run --name a --project p;;\nesac\n",
    "prefect run --name a --project p )\n",
    "prefect agent kubernetes start --label 'a)b' --key K\n",
    # not a prefect command
    "echo a)b --token T\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_commands_that_are_not_cut_get_no_finding(text):
    result = upgrade(text, "shell")
    assert result.text == text
    assert not [f for f in result.findings if "rejects" in f.message]


CUT = [
    ("prefect agent kubernetes start --label a)b --token T\n", "PFU404", ")", "b --token T"),
    ("prefect agent kubernetes start --label x(y) --token T\n", "PFU404", "(", "y) --token T"),
    ("prefect register --project p --path a.py )x --force\n", "PFU401", ")", "x --force"),
    # a `(` opened in a quoted word does not make a later `)` the shell's own
    ("echo 'a (b' && prefect run --name a --project p ) more\n", "PFU402", ")", "more"),
]


@pytest.mark.parametrize("text, code, operator, tail", CUT)
def test_a_cut_command_gets_a_manual_finding_at_the_cut(text, code, operator, tail):
    result = upgrade(text, "shell")
    [finding] = [f for f in result.findings if "rejects" in f.message]
    assert (finding.code, finding.fix_class.value, finding.applied) == (code, "manual", False)
    assert (finding.line, finding.col) == (1, text.rindex(operator, 0, text.index(tail)) + 1)
    assert f"`{operator}`" in finding.message and f"`{tail}`" in finding.message


def test_the_head_of_a_cut_command_is_still_rewritten():
    result = upgrade("prefect agent start kubernetes --label a)b --token T\n", "shell")
    assert result.text == "prefect agent kubernetes start --label a)b --token T\n"
    assert [f.fix_class.value for f in result.findings] == ["safe", "manual"]


def test_in_a_yaml_run_block():
    text = "jobs:\n  a:\n    steps:\n      - run: prefect agent kubernetes start --label a)b --token T\n"
    result = upgrade(text, "yaml")
    [finding] = [f for f in result.findings if "rejects" in f.message]
    assert (finding.line, finding.col) == (4, text.splitlines()[3].index(")") + 1)
