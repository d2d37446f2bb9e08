"""``--interactive``: one question per codemod per file, answers piped (or typed in tmux)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_codemods import registry
from prefect_upgrade.cli import app
from prefect_upgrade.driver import Request, run

ETL = """\
from prefect.engine.executors import LocalExecutor
from prefect.environments import LocalEnvironment
flow = Flow("x", environment=LocalEnvironment())
"""
DEPLOY = "prefect register flow --file etl.py\n"
PIPE = {"PREFECT_UPGRADE_ANSWERS": "stdin", "NO_COLOR": "1"}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "deploy.sh").write_text(DEPLOY)
    (tmp_path / "etl.py").write_text(ETL)
    return tmp_path


def review(paths, answers, env=PIPE, extra=()):
    with registry():
        return CliRunner().invoke(app, ["-i", *extra, *map(str, paths)], input=answers, env=env)


def test_yes_and_no_write_exactly_the_accepted_codemods(project):
    # files in order: deploy.sh (PFU904), etl.py (PFU901, then PFU902)
    result = review([project], "y\nn\ny\n")
    assert (project / "deploy.sh").read_text() == "prefect register --path etl.py\n"
    etl = (project / "etl.py").read_text()
    assert etl.startswith("from prefect.engine.executors import LocalExecutor\n")  # refused
    assert "from prefect.run_configs import LocalRun\n" in etl and 'environment=LocalRun())' in etl
    compile(etl, "etl.py", "exec")
    assert result.stdout.count("Apply PFU") == 3
    assert "Apply PFU901 to " in result.stdout and "[y]es [n]o [a]ll in this file" in result.stdout
    assert "review: 2 changes accepted, 1 refused (0 marked ignore), 2 files written" in result.stderr
    assert result.exit_code == 1


def test_enter_means_no(project):
    result = review([project], "\n\n\n")
    assert (project / "deploy.sh").read_text() == DEPLOY
    assert (project / "etl.py").read_text() == ETL
    assert "3 refused" in result.stderr


def test_all_in_this_file_and_skip_file(project):
    review([project], "s\na\n")
    assert (project / "deploy.sh").read_text() == DEPLOY
    etl = (project / "etl.py").read_text()
    assert "prefect.executors" in etl and "LocalRun()" in etl


def test_all_of_this_code_applies_to_later_files_without_asking(tmp_path):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("from prefect.engine.executors import LocalExecutor\n")
    result = review([tmp_path], "r\n")
    assert result.stdout.count("Apply PFU901") == 1
    assert all("prefect.executors" in (tmp_path / n).read_text() for n in ("a.py", "b.py"))


def test_quit_keeps_what_was_accepted_in_this_file_and_touches_no_later_file(project):
    (project / "zz.py").write_text(ETL)
    result = review([project], "n\ny\nq\n")
    assert (project / "deploy.sh").read_text() == DEPLOY
    etl = (project / "etl.py").read_text()
    assert "prefect.executors" in etl and "LocalEnvironment()" in etl
    assert (project / "zz.py").read_text() == ETL
    assert result.stdout.count("Apply PFU") == 3
    assert result.exit_code == 1


def test_end_of_input_stops_like_quit(project):
    result = review([project], "y\n")
    assert "no more answers (end of input)" in result.stdout
    assert (project / "etl.py").read_text() == ETL
    assert result.exit_code == 1


def test_help_and_unknown_answers_ask_again(project):
    result = review([project / "deploy.sh"], "?\nwhat\ny\n")
    assert result.stdout.count("Apply PFU904") == 3
    assert "r - apply this code's changes to every file" in result.stdout
    assert (project / "deploy.sh").read_text() == "prefect register --path etl.py\n"


def test_ignore_forever_adds_a_comment_that_later_runs_respect(project):
    result = review([project / "etl.py"], "i\ny\n")
    etl = (project / "etl.py").read_text()
    assert etl.startswith("# prefect-upgrade: ignore[PFU901]\nfrom prefect.engine.executors import LocalExecutor\n")
    assert "LocalRun()" in etl
    assert "1 marked ignore" in result.stderr
    # nothing is asked, changed or reported again for PFU901 there
    with registry():
        check = CliRunner().invoke(app, ["--check", "--format", "json", str(project / "etl.py")])
    assert check.exit_code == 0, check.stdout
    assert '"findings": []' in check.stdout


def test_ignore_is_not_offered_where_a_comment_cannot_go(tmp_path):
    (tmp_path / "README.md").write_text("```sh\nprefect register flow --file a.py\n```\n")
    result = review([tmp_path], "i\nn\n")
    assert "[i]gnore" not in result.stdout
    assert "a comment cannot be added to a markdown file" in result.stdout


def test_refuses_to_run_without_a_terminal(project):
    result = review([project], "y\ny\ny\n", env={"NO_COLOR": "1"})
    assert result.exit_code == 2
    assert "--interactive needs a terminal" in result.stderr
    assert (project / "deploy.sh").read_text() == DEPLOY


class _InterruptingInput(io.StringIO):
    """Answers ``y`` once, then Ctrl-C."""

    def __init__(self):
        super().__init__()
        self.asked = 0

    def readline(self, *args):
        self.asked += 1
        if self.asked > 1:
            raise KeyboardInterrupt
        return "y\n"


def test_ctrl_c_leaves_the_current_file_untouched_and_exits_130(project, monkeypatch):
    monkeypatch.setenv("PREFECT_UPGRADE_ANSWERS", "stdin")
    out, err = io.StringIO(), io.StringIO()
    with registry():
        status = run(Request(paths=[project], interactive=True), out, err, _InterruptingInput())
    assert status == 130
    assert (project / "deploy.sh").read_text() == "prefect register --path etl.py\n"  # done before
    assert (project / "etl.py").read_text() == ETL  # being reviewed: all old
    assert "interrupted: " in err.getvalue() and "etl.py was left unchanged" in err.getvalue()
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_a_real_terminal(project, tmp_path_factory):
    """Drive the real command in tmux: a terminal, colours, keys typed one by one."""
    runner = tmp_path_factory.mktemp("runner") / "run.py"
    tests = Path(__file__).resolve().parent
    runner.write_text(
        f"import sys\nsys.path.insert(0, {str(tests)!r})\n"
        "from fake_codemods import registry\nfrom prefect_upgrade.cli import main\n"
        "with registry():\n    main()\n"
    )
    session = f"pfu-review-{os.getpid()}"
    done = tmp_path_factory.mktemp("done") / "status"
    command = f"{sys.executable} {runner} -i {project}; echo $? > {done}"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PREFECT_UPGRADE_ANSWERS", "TMUX")}
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True, env=env
    )
    try:
        def screen():
            return subprocess.run(
                ["tmux", "capture-pane", "-p", "-e", "-t", session], capture_output=True, text=True
            ).stdout

        def wait_for(text, timeout=30.0):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if text in screen():
                    return screen()
                time.sleep(0.1)
            raise AssertionError(f"{text!r} never appeared:\n{screen()}")

        first = wait_for("Apply PFU904")
        assert "\x1b[31m-prefect register flow" in first  # removals in red on a terminal
        subprocess.run(["tmux", "send-keys", "-t", session, "y", "Enter"], check=True)
        wait_for("Apply PFU901")
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)  # default: no
        wait_for("Apply PFU902")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True)
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "130"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert (project / "deploy.sh").read_text() == "prefect register --path etl.py\n"
    assert (project / "etl.py").read_text() == ETL


def test_ignore_forever_in_a_shell_script(project):
    review([project / "deploy.sh"], "i\n")
    assert (project / "deploy.sh").read_text() == "# prefect-upgrade: ignore[PFU904]\n" + DEPLOY
    with registry():
        check = CliRunner().invoke(app, ["--check", str(project / "deploy.sh")])
    assert check.exit_code == 0 and check.stdout == ""


def test_interactive_and_json_do_not_mix(project):
    result = review([project], "y\n", extra=("--format", "json"))
    assert result.exit_code == 2 and "--format json" in result.stderr


def test_with_the_real_registry(tmp_path):
    """The review over a real codemod (PFU101), not only the test doubles."""
    from prefect_upgrade.codemods import owner_of

    if owner_of("PFU101") is None:
        pytest.skip("PFU101 is not on this branch")
    flows = tmp_path / "flows"
    flows.mkdir()
    source = "from prefect.engine.executors import (\n    DaskExecutor,\n    LocalExecutor,\n)\n\nexecutor = LocalExecutor()\n"
    (flows / "a.py").write_text(source)
    (flows / "b.py").write_text(source)
    result = CliRunner().invoke(app, ["-i", str(flows)], input="y\ni\n", env=PIPE)
    a, b = (flows / "a.py").read_text(), (flows / "b.py").read_text()
    assert a.startswith("from prefect.executors import (\n") and compile(a, "a.py", "exec")
    assert b == "# prefect-upgrade: ignore[PFU101]\n" + source
    assert result.exit_code == 1
    again = CliRunner().invoke(app, ["--check", str(flows)], env={"NO_COLOR": "1"})
    assert again.exit_code == 0 and again.stdout == "", again.stdout + again.stderr
