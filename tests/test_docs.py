"""The documentation keeps up with the registry."""

from __future__ import annotations

from pathlib import Path

from prefect_upgrade.codemods import all_codemods

ROOT = Path(__file__).resolve().parent.parent


def test_readme_lists_every_code_with_its_class():
    readme = (ROOT / "README.md").read_text()
    for codemod in all_codemods():
        for code in codemod.codes():
            row = next((line for line in readme.splitlines() if line.startswith(f"| {code} |")), None)
            assert row is not None, f"README has no row for {code}"
            assert f"| {codemod.class_of_code(code).value} |" in row, f"README gives {code} the wrong class"


def test_readme_set_up_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = '-m venv .venv && .venv/bin/pip install ".[test]" && .venv/bin/python -m pytest'
    assert test_command in readme
    assert test_command.replace('install ".[test]"', 'install --quiet ".[test]"') in ci
    assert "prefect-upgrade examples/etl-project" in readme
    assert (ROOT / "examples" / "etl-project" / "flows" / "etl.py").exists()


def test_the_pre_commit_hooks_are_documented():
    readme = (ROOT / "README.md").read_text()
    assert "id: prefect-upgrade" in readme and (ROOT / ".pre-commit-hooks.yaml").exists()
