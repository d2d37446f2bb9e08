"""The command line, through typer's runner and as a real subprocess, end to end with PFU101."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prefect_upgrade.cli import app

OLD = "from prefect.engine.executors import DaskExecutor\n\nexecutor = DaskExecutor()\n"
NEW = "from prefect.executors import DaskExecutor\n\nexecutor = DaskExecutor()\n"
CLEAN = "from prefect.executors import LocalExecutor\n"


def invoke(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "old.py").write_text(OLD)
    (tmp_path / "flows" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_dry_run_prints_a_diff_and_touches_nothing(project):
    result = invoke(project)
    assert result.exit_code == 1
    assert "-from prefect.engine.executors import DaskExecutor" in result.stdout
    assert "+from prefect.executors import DaskExecutor" in result.stdout
    assert f"a/{project}/flows/old.py" in result.stdout
    assert "2 files seen, 1 would change" in result.stderr
    assert (project / "flows" / "old.py").read_text() == OLD


def test_write_rewrites_and_a_second_run_changes_nothing(project):
    first = invoke("--write", project)
    assert first.exit_code == 1
    assert (project / "flows" / "old.py").read_text() == NEW
    assert first.stdout == ""
    second = invoke("--write", project)
    assert second.exit_code == 0
    assert "0 changed" in second.stderr
    assert (project / "flows" / "old.py").read_text() == NEW


def test_check_lists_files_without_a_diff(project):
    result = invoke("--check", project)
    assert result.exit_code == 1
    assert result.stdout.strip() == f"would change: {project / 'flows' / 'old.py'}"
    assert (project / "flows" / "old.py").read_text() == OLD


def test_nothing_to_do_exits_zero(project):
    result = invoke(project / "flows" / "clean.py")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_findings_are_printed_as_path_line_col_code(project):
    result = invoke(project / "flows" / "old.py")
    line = next(l for l in result.stderr.splitlines() if "PFU101" in l)
    assert line.startswith(f"{project / 'flows' / 'old.py'}:1:")
    path, lineno, col, rest = line.split(":", 3)
    assert lineno.isdigit() and col.isdigit() and rest.strip().startswith("PFU101 ")


def test_json_document(project):
    (project / "flows" / "broken.py").write_text("from prefect.engine.executors import (\n")
    result = invoke("--format", "json", project)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    files = {Path(f["path"]).name: f for f in document["files"]}
    assert set(files) == {"old.py", "clean.py", "broken.py"}
    assert files["old.py"]["changed"] is True and files["old.py"]["error"] is None
    finding = files["old.py"]["findings"][0]
    assert set(finding) >= {"code", "line", "col", "class", "applied", "message"}
    assert finding["code"] == "PFU101" and finding["class"] == "safe"
    assert files["broken.py"]["error"] and files["broken.py"]["changed"] is False
    assert document["summary"] == {
        **document["summary"],
        "files_seen": 3,
        "files_changed": 1,
        "errors": 1,
    }
    assert isinstance(document["summary"]["manual"], int)


def test_json_summary_tells_manual_findings_from_fixes_not_applied(tmp_path):
    source = tmp_path / "mixed.py"
    source.write_text(
        "from prefect.agent.fargate import FargateAgent\n"  # the import goes: a fix; its use: manual
        "from prefect import Client\n"
        "FargateAgent(labels=['a'])\n"
        "Client(api_token='t')\n"  # an unsafe fix, not applied without --unsafe-fixes
    )
    result = invoke("--format", "json", str(source))
    summary = json.loads(result.stdout)["summary"]
    assert summary["manual_findings"] == 1
    assert summary["fixes_not_applied"] == 1
    assert summary["to_review"] == summary["manual"] == 2


def test_github_annotations(project):
    result = invoke("--format", "github", project / "flows" / "old.py")
    assert result.stdout.startswith(f"::notice file={project / 'flows' / 'old.py'},line=1,col=")
    assert "title=PFU101::" in result.stdout


def test_stdin_prints_the_rewritten_text():
    result = invoke("-", input=OLD)
    assert result.exit_code == 1
    assert result.stdout == NEW


def test_stdin_filename_decides_the_kind():
    result = invoke("-", "--stdin-filename", "notes.txt", input=OLD)
    assert result.stdout == OLD


def test_a_broken_file_does_not_stop_the_others(project):
    (project / "flows" / "broken.py").write_text("from prefect.engine.executors import (\n")
    (project / "flows" / "latin.py").write_bytes(b"x = '\xff'\nfrom prefect.engine.executors import DaskExecutor\n")
    result = invoke("--write", project)
    assert result.exit_code == 2
    errors = [l for l in result.stderr.splitlines() if ": error: " in l]
    assert sorted(Path(l.split(":")[0]).name for l in errors) == ["broken.py", "latin.py"]
    assert (project / "flows" / "old.py").read_text() == NEW


def test_encodings_and_newlines_are_kept(tmp_path):
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(OLD.replace("\n", "\r\n").encode())
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + OLD.encode())
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n" + OLD.encode())
    assert invoke("--write", tmp_path).exit_code == 1
    assert crlf.read_bytes() == NEW.replace("\n", "\r\n").encode()
    assert bom.read_bytes() == b"\xef\xbb\xbf" + NEW.encode()
    assert latin.read_bytes() == b"# -*- coding: latin-1 -*-\nname = '\xe9'\n" + NEW.encode()


def test_gitignored_folder_is_skipped(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("generated/\n")
    (project / "generated").mkdir()
    (project / "generated" / "old.py").write_text(OLD)
    invoke("--write", project)
    assert (project / "generated" / "old.py").read_text() == OLD
    assert (project / "flows" / "old.py").read_text() == NEW


def test_read_only_file_is_an_error_and_untouched(project):
    path = project / "flows" / "old.py"
    os.chmod(path, 0o444)
    result = invoke("--write", path)
    assert result.exit_code == 2
    assert f"{path}: error: read-only file" in result.stderr
    assert path.read_text() == OLD


def test_missing_path_is_an_error(tmp_path):
    result = invoke(tmp_path / "nope.py")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_select_and_ignore(project):
    assert invoke("--ignore", "PFU101", project).exit_code == 0
    assert invoke("--select", "PFU1", project).exit_code == 1
    assert invoke("--select", "PFU9", project).exit_code == 2  # no such code: bad usage


def test_pyproject_settings_and_command_line_wins(project):
    (project / "pyproject.toml").write_text('[tool.prefect-upgrade]\nignore = ["PFU101"]\n')
    assert invoke(project).exit_code == 0
    assert invoke("--ignore", "PFU999", project).exit_code == 2
    assert invoke("--ignore", "PFU2", project).exit_code == 1


def test_unknown_pyproject_key_is_a_usage_error(project):
    (project / "pyproject.toml").write_text('[tool.prefect-upgrade]\nselekt = ["PFU1"]\n')
    result = invoke(project)
    assert result.exit_code == 2 and "selekt" in result.stderr


def test_list_and_explain():
    listing = invoke("--list-codemods")
    assert listing.exit_code == 0
    assert any(line.startswith("PFU101") for line in listing.stdout.splitlines())
    explained = invoke("--explain", "pfu101")
    assert explained.exit_code == 0
    assert explained.stdout.startswith("PFU101: ")
    assert "prefect.engine.executors" in explained.stdout
    assert invoke("--explain", "PFU000").exit_code == 2


def test_every_listed_code_can_be_explained():
    codes = [line.split()[0] for line in invoke("--list-codemods").stdout.splitlines() if line.strip()]
    assert codes
    for code in codes:
        result = invoke("--explain", code)
        assert result.exit_code == 0 and result.stdout.startswith(f"{code}: ")


def test_report_is_a_markdown_checklist(project, tmp_path):
    (project / "flows" / "broken.py").write_text("from prefect.engine.executors import (\n")
    report = tmp_path / "report.md"
    invoke("--report", report, project)
    text = report.read_text()
    assert text.startswith("# prefect-upgrade")
    assert "broken.py" in text and "- [ ]" in text


def test_bad_usage_exits_two(project):
    assert invoke().exit_code == 2
    assert invoke("--write", "--check", project).exit_code == 2
    assert invoke("-", project).exit_code == 2


def _console_script() -> str:
    script = Path(sys.executable).parent / "prefect-upgrade"
    return str(script) if script.exists() else shutil.which("prefect-upgrade")


def test_installed_console_script_as_a_subprocess(project):
    script = _console_script()
    assert script, "the prefect-upgrade console script is not installed"
    dry = subprocess.run([script, str(project)], capture_output=True, text=True)
    assert dry.returncode == 1
    assert "+from prefect.executors import DaskExecutor" in dry.stdout
    assert "would change" in dry.stderr
    written = subprocess.run([script, "--write", "--jobs", "1", str(project)], capture_output=True, text=True)
    assert written.returncode == 1
    assert (project / "flows" / "old.py").read_text() == NEW
    again = subprocess.run([script, "--check", str(project)], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_python_dash_m_works(project):
    result = subprocess.run(
        [sys.executable, "-m", "prefect_upgrade", "--check", str(project)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "would change" in result.stdout
