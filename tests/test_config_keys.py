"""``[tool.prefect-upgrade]`` in pyproject.toml: every key, and the command line winning."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fake_codemods import registry
from prefect_upgrade.cli import app

CODE = """\
from prefect.engine.executors import LocalExecutor
e = LocalEnvironment()
try:
    pass
except PrefectError:
    pass
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "etl.py").write_text(CODE)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(CODE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_etl.py").write_text(CODE)
    return tmp_path


def configure(project, body):
    (project / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.prefect-upgrade]\n{body}\n")


def upgrade(project, *args):
    with registry():
        result = CliRunner().invoke(app, ["--write", *map(str, args), str(project)], env={"NO_COLOR": "1"})
    texts = {p.relative_to(project).as_posix(): p.read_text() for p in project.rglob("*.py")}
    return result, texts


def changes(text):
    """Which of the fake codemods changed ``text``."""
    return {
        code
        for code, mark in (("PFU901", "prefect.executors"), ("PFU902", "LocalRun()"), ("PFU905", "PrefectException"))
        if mark in text
    }


def test_defaults(project):
    _, texts = upgrade(project)
    assert changes(texts["flows/etl.py"]) == {"PFU901", "PFU902"}  # unsafe fixes stay off


def test_select(project):
    configure(project, 'select = ["PFU901"]')
    _, texts = upgrade(project)
    assert changes(texts["flows/etl.py"]) == {"PFU901"}


def test_select_on_the_command_line_wins(project):
    configure(project, 'select = ["PFU901"]')
    _, texts = upgrade(project, "--select", "PFU902")
    assert changes(texts["flows/etl.py"]) == {"PFU902"}


def test_ignore_and_command_line_ignore_wins(project):
    configure(project, 'ignore = ["PFU902"]')
    _, texts = upgrade(project)
    assert changes(texts["flows/etl.py"]) == {"PFU901"}
    for path in project.rglob("*.py"):
        path.write_text(CODE)
    _, texts = upgrade(project, "--ignore", "PFU901")
    assert changes(texts["flows/etl.py"]) == {"PFU902"}


def test_ignore_accepts_a_comma_separated_string_and_prefixes(project):
    configure(project, 'ignore = "PFU90"')
    result, texts = upgrade(project)
    assert changes(texts["flows/etl.py"]) == set() and result.exit_code == 0


def test_exclude_skips_folders_and_force_exclude_skips_named_files(project):
    configure(project, 'exclude = ["legacy"]')
    _, texts = upgrade(project)
    assert changes(texts["legacy/old.py"]) == set() and changes(texts["flows/etl.py"])
    # a file named on the command line is still read (as ruff does) ...
    with registry():
        CliRunner().invoke(app, ["--write", str(project / "legacy" / "old.py")])
    assert changes((project / "legacy" / "old.py").read_text())
    # ... unless --force-exclude, as the pre-commit hooks pass
    (project / "legacy" / "old.py").write_text(CODE)
    with registry():
        result = CliRunner().invoke(app, ["--write", "--force-exclude", str(project / "legacy" / "old.py")])
    assert (project / "legacy" / "old.py").read_text() == CODE
    assert result.exit_code == 0


def test_per_file_ignores(project):
    configure(project, '[tool.prefect-upgrade.per-file-ignores]\n"tests/*" = ["PFU901"]\n"legacy/**" = ["PFU9"]')
    _, texts = upgrade(project)
    assert changes(texts["tests/test_etl.py"]) == {"PFU902"}
    assert changes(texts["legacy/old.py"]) == set()
    assert changes(texts["flows/etl.py"]) == {"PFU901", "PFU902"}


def test_unsafe_fixes_and_the_command_line_wins(project):
    configure(project, "unsafe-fixes = true")
    _, texts = upgrade(project)
    assert "PFU905" in changes(texts["flows/etl.py"])
    for path in project.rglob("*.py"):
        path.write_text(CODE)
    result, texts = upgrade(project, "--no-unsafe-fixes")
    assert "PFU905" not in changes(texts["flows/etl.py"])
    assert "fix available with --unsafe-fixes" in result.stderr


@pytest.mark.parametrize(
    "body, message",
    [
        ('select = ["PFU999"]', "unknown code or prefix 'PFU999'"),
        ("colour = true", "unknown [tool.prefect-upgrade] keys: colour"),
        ("select = 3", "select must be a list of strings"),
        ('per-file-ignores = ["x"]', "per-file-ignores must be a table"),
    ],
)
def test_bad_settings_are_usage_errors(project, body, message):
    configure(project, body)
    result, texts = upgrade(project)
    assert result.exit_code == 2 and message in result.stderr
    assert texts["flows/etl.py"] == CODE


def test_selecting_only_a_sub_code_keeps_the_findings_but_not_the_main_codes_change(project):
    (project / "flows" / "etl.py").write_text("e = LocalEnvironment()\nprint(flow.environment)\n")
    result, texts = upgrade(project, "--select", "PFU903")
    assert texts["flows/etl.py"] == "e = LocalEnvironment()\nprint(flow.environment)\n"
    assert "etl.py:2:7: PFU903 flow.environment no longer exists" in result.stderr
    assert "PFU902" not in result.stderr
