"""``.pre-commit-hooks.yaml``: the hooks' file pattern agrees with the tool's own file kinds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prefect_upgrade.discovery import kind_of

MANIFEST = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def _hooks():
    yaml = pytest.importorskip("yaml")
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


NAMES = [
    "flows/etl.py", "stubs/x.pyi", "nb/Analysis.ipynb", "README.md", "docs/a.markdown", "docs/index.rst",
    "deploy.sh", "run.bash", "x.zsh", ".github/workflows/ci.yml", "k8s/job.yaml", "pyproject.toml",
    "Pipfile", "setup.cfg", "tox.ini", "requirements.txt", "requirements-dev.in", "constraints.txt",
    ".env", ".env.prod", "prod.env", "Dockerfile", "docker/Dockerfile.dev", "app.dockerfile", "Makefile",
    "GNUmakefile", "rules.mk",
]
NOT_OURS = ["notes.txt", "data.json", "logo.png", "main.go", "styles.css", "LICENSE.txt"]


def test_both_hooks_exist_with_the_same_files():
    hooks = _hooks()
    assert set(hooks) == {"prefect-upgrade", "prefect-upgrade-check"}
    assert hooks["prefect-upgrade"]["entry"].split()[:2] == ["prefect-upgrade", "--write"]
    assert hooks["prefect-upgrade-check"]["entry"].split()[:2] == ["prefect-upgrade", "--check"]
    assert all("--force-exclude" in hook["entry"] for hook in hooks.values())
    assert hooks["prefect-upgrade"]["files"] == hooks["prefect-upgrade-check"]["files"]
    assert all(hook["types"] == ["text"] for hook in hooks.values())


@pytest.mark.parametrize("name", NAMES)
def test_every_kind_the_tool_reads_is_passed(name):
    pattern = re.compile(_hooks()["prefect-upgrade"]["files"])
    assert kind_of(Path(name), sniff=False) is not None, name
    assert pattern.search(name), name


@pytest.mark.parametrize("name", NOT_OURS)
def test_other_files_are_not_passed(name):
    pattern = re.compile(_hooks()["prefect-upgrade"]["files"])
    assert kind_of(Path(name), sniff=False) is None
    assert not pattern.search(name), name


def test_files_without_a_suffix_are_passed_for_their_shebang():
    pattern = re.compile(_hooks()["prefect-upgrade"]["files"])
    assert pattern.search("bin/deploy") and pattern.search("scripts/run-flows")
