"""Real-Prefect tier for PFU5xx: rewritten pins resolve to a Prefect 1.x release with pip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from casefiles import FIXTURES
from prefect_upgrade.codemods import selected_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.runner import rewrite_text

pytestmark = pytest.mark.real_prefect


def resolve(requirements: str, folder: Path) -> str:
    """The Prefect version pip picks for ``requirements`` (a dry run; nothing is installed)."""
    path = folder / "requirements.txt"
    path.write_text(requirements)
    report = folder / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps",
         "--quiet", "--disable-pip-version-check", "--report", str(report), "-r", str(path)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    installs = json.loads(report.read_text())["install"]
    [prefect] = [i for i in installs if i["metadata"]["name"].lower() == "prefect"]
    return prefect["metadata"]["version"]


def upgrade(text: str, kind: str) -> str:
    options = CodemodOptions(select=("PFU501",))
    return rewrite_text(text, kind, selected_codemods(("PFU501",)), options).text


def test_rewritten_requirements_resolve_to_prefect_1(tmp_path):
    before = 'prefect[aws]==0.15.13 ; python_version >= "3.7"  # pinned for the agent\n'
    assert resolve(before, tmp_path) == "0.15.13"  # the check can fail: the old pin is really 0.x
    after = upgrade(before, "requirements")
    assert after != before
    version = resolve(after, tmp_path)
    assert version.startswith("1."), version


def test_rewritten_fixture_requirements_resolve_to_prefect_1(tmp_path):
    text = (FIXTURES / "around" / "requirements.txt").read_text()
    from prefect_upgrade.codemods._pins import pins_in_requirements

    after = upgrade(text, "requirements")
    pins = [line for line in after.splitlines() if any(p.constraint for p in pins_in_requirements(line + "\n"))]
    assert len(pins) == 2
    for pin in pins:
        assert resolve(pin + "\n", tmp_path).startswith("1.")


def test_shell_spelling_resolves_to_prefect_1(tmp_path):
    command = upgrade("pip install prefect==0.14.22\n", "shell")
    requirement = command.split()[-1]
    assert requirement == "prefect~=1.0"
    assert resolve(requirement + "\n", tmp_path).startswith("1.")


def test_databricks_needs_the_extra_in_1_0(tmp_path):
    """The fact PFU505 reports: without the extra, 1.0's prefect.tasks.databricks does not import."""
    from real_prefect import run_python

    result = run_python("1.0.0", "import prefect.tasks.databricks", tmp_path)
    if result.returncode == 0:  # pydantic came in through another dependency
        pytest.skip("pydantic is installed in the 1.0.0 venv")
    assert "ImportError" in result.stderr and "databricks" in result.stderr


def test_rewritten_pyproject_resolves_to_prefect_1(tmp_path):
    """The PEP 621 fixture, rewritten and built by pip: its Prefect requirements pick Prefect 1.x.

    pip builds the project's metadata (a dry run, without its dependencies: a full resolve of
    every extra takes minutes), then each Prefect requirement pip read from it is resolved.
    """
    from packaging.requirements import Requirement

    source = (FIXTURES / "around" / "pyproject.toml").read_text()
    after = upgrade(source, "toml")
    project = tmp_path / "project"
    (project / "etl_flows").mkdir(parents=True)
    (project / "etl_flows" / "__init__.py").write_text("")
    # keep the rewritten dependencies; drop requires-python (3.6 is PFU503's, not this test's)
    (project / "pyproject.toml").write_text(after.replace('requires-python = ">=3.6"\n', ""))
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps", "--quiet",
         "--disable-pip-version-check", "--report", str(report), str(project)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    [built] = json.loads(report.read_text())["install"]
    requirements = [Requirement(r) for r in built["metadata"]["requires_dist"]]
    # the rewritten ones ("prefect>=1.0" of the fixture's "latest" extra was already 1.x+ and stays)
    prefect = [r for r in requirements if r.name == "prefect" and str(r.specifier) != ">=1.0"]
    assert len(prefect) == 2, built["metadata"]["requires_dist"]
    folder = tmp_path / "resolve"
    folder.mkdir()
    for requirement in prefect:
        plain = Requirement(str(requirement))
        plain.marker = None  # markers name extras of etl-flows; the constraint is what is checked
        assert resolve(f"{plain}\n", folder).startswith("1."), plain
