"""What a run prints: diff, findings (text, JSON, GitHub), colour, progress, summary, report."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_codemods import registry
from prefect_upgrade import progress
from prefect_upgrade.cli import app

ETL = """\
from prefect.engine.executors import LocalExecutor
from prefect.environments import LocalEnvironment
flow = Flow("x", environment=LocalEnvironment())
print(flow.environment)
"""
CLEAN = "from prefect import Flow\n"
TESTS = Path(__file__).resolve().parent


@pytest.fixture
def project(tmp_path):
    (tmp_path / "etl.py").write_text(ETL)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "broken.py").write_text("from prefect.engine.executors import (\n")
    return tmp_path


def cli(*args, env=None, **kwargs):
    with registry():
        return CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "", **(env or {})}, **kwargs)


def test_dry_run_prints_a_diff_findings_and_a_summary_and_touches_nothing(project):
    result = cli(project)
    assert result.exit_code == 2  # broken.py could not be parsed
    assert f"--- a/{project}/etl.py" in result.stdout and "+from prefect.run_configs import LocalRun" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert f"{project}/etl.py:6:7: PFU903 flow.environment no longer exists; read flow.run_config [manual]" in result.stderr
    assert f"{project}/broken.py: error: syntax error" in result.stderr
    assert result.stderr.rstrip().endswith("3 files seen, 1 would change (2 fixes), 1 finding to review, 1 error")
    assert (project / "etl.py").read_text() == ETL


def test_exit_status_0_when_nothing_to_do(project):
    result = cli(project / "clean.py")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "1 file seen, 0 would change, 0 findings to review"


def test_write_summary_says_changed(project):
    result = cli("--write", project / "etl.py")
    assert result.stderr.rstrip().endswith("1 file seen, 1 changed (2 fixes), 1 finding to review")
    assert result.exit_code == 1 and "LocalRun()" in (project / "etl.py").read_text()


def test_check_lists_files(project):
    result = cli("--check", project / "etl.py", project / "clean.py")
    assert result.stdout == f"would change: {project}/etl.py\n"
    assert result.exit_code == 1


def test_json_shape(project):
    result = cli("--format", "json", project)
    document = json.loads(result.stdout)  # the whole of stdout is one document
    assert set(document) == {"files", "summary"}
    by_path = {Path(f["path"]).name: f for f in document["files"]}
    assert set(by_path) == {"etl.py", "clean.py", "broken.py"}
    assert by_path["etl.py"]["changed"] is True and by_path["etl.py"]["error"] is None
    assert by_path["broken.py"]["error"].startswith("syntax error")
    finding = by_path["etl.py"]["findings"][-1]
    assert finding == {
        "code": "PFU903", "line": 6, "col": 7, "class": "manual", "applied": False,
        "message": "flow.environment no longer exists; read flow.run_config",
    }
    assert all(set(f) == {"code", "line", "col", "class", "applied", "message"} for f in by_path["etl.py"]["findings"])
    summary = document["summary"]
    assert {k: summary[k] for k in ("files_seen", "files_changed", "manual", "errors")} == {
        "files_seen": 3, "files_changed": 1, "manual": 1, "errors": 1,
    }
    assert "---" not in result.stdout.split("{", 1)[0]  # no diff before the document
    assert result.exit_code == 2


def test_github_annotations(project):
    result = cli("--format", "github", project)
    lines = [l for l in result.stdout.splitlines() if l.startswith("::")]
    assert f"::error file={project}/broken.py,title=prefect-upgrade::syntax error" in "\n".join(lines)
    assert f"::warning file={project}/etl.py,line=6,col=7,title=PFU903::flow.environment no longer exists; read flow.run_config" in lines
    assert f"::notice file={project}/etl.py,line=1,col=1,title=PFU901::prefect.engine.executors is now prefect.executors" in lines


def test_colour_is_forced_by_the_flag_and_refused_by_no_color(project):
    coloured = cli("--color", project / "etl.py")
    assert "\x1b[31m-from prefect.engine.executors" in coloured.stdout
    assert "\x1b[32m+from prefect.executors" in coloured.stdout
    assert "\x1b[1;31mPFU903\x1b[0m" in coloured.stderr
    plain = cli("--no-color", project / "etl.py")
    assert "\x1b[" not in plain.stdout + plain.stderr


def test_no_color_env_and_terminal_detection(project, monkeypatch):
    from prefect_upgrade.driver import Request, _color

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert _color(Request(paths=[]), Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _color(Request(paths=[]), Tty()) is False
    assert _color(Request(paths=[], color=True), Tty()) is True
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    assert _color(Request(paths=[]), Tty()) is True


def test_progress_only_for_big_runs_on_a_terminal_outside_ci():
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    many = progress.MIN_FILES
    assert progress.wanted("text", Tty(), many, env={})
    assert not progress.wanted("text", Tty(), many - 1, env={})
    assert not progress.wanted("json", Tty(), many, env={})
    assert not progress.wanted("text", Pipe(), many, env={})
    assert not progress.wanted("text", Tty(), many, env={"CI": "true"})
    assert not progress.wanted("text", Tty(), many, env={"TERM": "dumb"})


def _runner_script(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
        "from fake_codemods import registry\nfrom prefect_upgrade.cli import main\n"
        "with registry():\n    main()\n"
    )
    return script


def _run_with_stderr_on_a_terminal(args, cwd, env):
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        stdout = process.stdout.read()
        process.wait(timeout=120)
    finally:
        os.close(master)
    return process.returncode, stdout.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_bar_in_a_real_subprocess(tmp_path_factory):
    tree = tmp_path_factory.mktemp("tree")
    for index in range(progress.MIN_FILES + 10):  # most without a marker: quick to read
        (tree / f"flow_{index:03}.py").write_text("from prefect.engine.executors import LocalExecutor\n" if index % 10 == 0 else "x = 1\n")
    script = _runner_script(tmp_path_factory.mktemp("runner"))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["TERM"] = "xterm"
    status, stdout, stderr = _run_with_stderr_on_a_terminal([str(script), "-j", "1", "--check", str(tree)], tree, env)
    assert status == 1
    assert stdout.count("would change: ") == 6  # stdout is a pipe: untouched
    assert "prefect-upgrade" in stderr and "━" in stderr  # the bar was drawn on the terminal
    assert f"{progress.MIN_FILES + 10} files seen, 6 would change" in stderr
    env["CI"] = "true"
    status, stdout, stderr = _run_with_stderr_on_a_terminal([str(script), "-j", "1", "--check", str(tree)], tree, env)
    assert "━" not in stderr and "files seen" in stderr


def test_real_subprocess_text_and_json(project, tmp_path_factory):
    script = _runner_script(tmp_path_factory.mktemp("runner"))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    done = subprocess.run(
        [sys.executable, str(script), "etl.py"], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stdout.startswith("--- a/etl.py\n+++ b/etl.py\n") and "\x1b[" not in done.stdout
    assert done.stderr.splitlines()[-1] == "1 file seen, 1 would change (2 fixes), 1 finding to review"
    done = subprocess.run(
        [sys.executable, str(script), "--format", "json", "."], cwd=project, env=env, capture_output=True, text=True
    )
    assert json.loads(done.stdout)["summary"]["files_seen"] == 3
    assert done.stderr.splitlines() == ["broken.py: error: syntax error at line 1: parser error: error at 2:0: expected NAME"]


def test_report_is_a_markdown_checklist(project, snapshot):
    (project / "errors.py").write_text("try:\n    pass\nexcept PrefectError:\n    pass  # see *docs* <here>\n")
    report = project / "TODO.md"
    result = cli("--report", report, "--from-version", "0.15", project)
    assert result.exit_code == 2
    text = report.read_text().replace(str(project), "<project>")
    snapshot.assert_match(text, "report.md")
    assert "- [ ] line 6, col 7: **PFU903** (manual) flow.environment no longer exists; read flow.run\\_config" in text
    assert "## Fixes that may change behaviour" in text and "**PFU905**" in text
    assert "## Files that could not be upgraded" in text and "broken.py" in text


def test_report_when_nothing_is_left(project):
    report = project / "TODO.md"
    cli("--write", "--unsafe-fixes", "--report", report, project / "clean.py")
    assert "Nothing is left to do by hand." in report.read_text()
