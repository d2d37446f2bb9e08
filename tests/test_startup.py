"""Start-up (issue 8): the registry's marker index, and what a run imports.

A run over files that hold no codemod's marker must not import libcst nor any codemod module;
a file that holds a few markers imports only the codemods they belong to, and is rewritten as
with every codemod.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prefect_upgrade import codemods as registry
from prefect_upgrade import runner
from prefect_upgrade.codemods import all_codemods, render_index
from prefect_upgrade.codemods.options import CodemodOptions

INDEX = Path(registry.__file__).with_name("_marker_index.py")

# Runs the command line in a fresh interpreter, then prints the modules it imported.
_RUN = r"""
import json, sys
from prefect_upgrade.cli import main
sys.argv = ["prefect-upgrade", *sys.argv[1:]]
try:
    main()
except SystemExit as stop:
    status = stop.code
heavy = ("libcst", "typer", "pydantic", "pathspec", "packaging")
mods = sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + "." for h in heavy) + ("prefect_upgrade.codemods.pfu",)))
print(json.dumps({"status": status, "modules": mods}), file=sys.stderr)
"""


def _run(tmp_path: Path, *args: str) -> tuple[dict, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    *messages, last = done.stderr.strip().splitlines()
    return json.loads(last), done.stdout, "\n".join(messages)


def test_committed_index_matches_the_classes():
    assert INDEX.read_text(encoding="utf-8") == render_index(), (
        "codemods/_marker_index.py is stale: run `python -m prefect_upgrade.codemods` and commit it"
    )


def test_index_answers_like_the_classes():
    entries = registry.index_entries()
    assert list(entries) == [c.code for c in all_codemods()]
    for cls in all_codemods():
        entry = entries[cls.code]
        assert entry.codes == tuple(cls.codes()) and entry.markers == tuple(cls.markers)
        assert f"prefect_upgrade.codemods.{entry.module}" == cls.__module__
    assert registry.known_codes() == frozenset(registry.all_codes())


def test_may_apply_is_never_looser_than_the_markers():
    # The index pre-filters by markers alone: a codemod's own ``may_apply`` may only narrow.
    for cls in all_codemods():
        for example in cls.examples:
            for text in (example.before, example.after or ""):
                if cls.may_apply(text):
                    assert any(m in text for m in cls.markers), (cls.code, text)


def test_a_file_without_markers_imports_no_libcst(tmp_path):
    (tmp_path / "plain.py").write_text("import os\nprint(os.getcwd())\n")
    (tmp_path / "notes.md").write_text("# Notes\n\nNothing to see.\n")
    outcome, stdout, stderr = _run(tmp_path, "plain.py", "notes.md")
    assert outcome == {"status": 0, "modules": []}
    assert "2 files seen, 0 would change" in stderr


def test_select_and_ignore_are_checked_without_the_codemods(tmp_path):
    (tmp_path / "plain.py").write_text("x = 1\n")
    # Typer reads these options (and imports pydantic); no codemod is imported.
    outcome, _, stderr = _run(tmp_path, "--select", "PFU1", "--ignore", "PFU107,PFU202", "plain.py")
    assert outcome["status"] == 0 and "typer" in outcome["modules"]
    assert not [m for m in outcome["modules"] if m.startswith(("libcst", "prefect_upgrade"))]
    outcome, _, stderr = _run(tmp_path, "--select", "PFU9", "plain.py")
    assert outcome["status"] == 2
    assert not [m for m in outcome["modules"] if m.startswith(("libcst", "prefect_upgrade"))]
    assert "unknown code or prefix 'PFU9'" in stderr


def test_a_file_imports_only_the_codemods_whose_markers_it_holds(tmp_path):
    (tmp_path / "flow.py").write_text("from prefect.engine.executors import LocalExecutor\n")
    outcome, stdout, stderr = _run(tmp_path, "flow.py")
    assert "typer" not in outcome["modules"]
    imported = {m.rsplit(".", 1)[-1] for m in outcome["modules"] if ".codemods." in m}
    holds = {
        entry.module
        for code, entry in registry.index_entries().items()
        if code in registry.handled_codes("python")
        and any(m in "from prefect.engine.executors import LocalExecutor\n" for m in entry.markers)
    }
    assert imported == holds and "pfu101_executors" in imported and "pfu201_environments" not in imported
    assert outcome["status"] == 1
    assert "+from prefect.executors import LocalExecutor" in stdout


def test_narrowed_codemods_rewrite_like_all_of_them(tmp_path, monkeypatch):
    # Fixture files of every topic: the per-file narrowing (codes → only the matching codemods)
    # gives the same text and findings as every codemod at once.
    fixtures = Path(__file__).parent / "fixtures"
    files = sorted(p for p in fixtures.rglob("*.py") if p.stat().st_size < 1500)[::4][:12]
    assert len(files) >= 6
    options = CodemodOptions(unsafe_fixes=True)
    everything = runner.RunSettings(codemods=tuple(all_codemods()), options=options)
    by_codes = runner.RunSettings(codemods=(), options=options, codes=registry.selected_codes())
    narrowed = []
    real_load = registry.load
    monkeypatch.setattr(registry, "load", lambda codes: narrowed.append(len(codes)) or real_load(codes))
    for path in files:
        expected = runner.process_file(path, "python", everything)
        monkeypatch.setattr(registry, "_loaded", False)  # as at start-up: the index answers
        got = runner.process_file(path, "python", by_codes)
        monkeypatch.setattr(registry, "_loaded", True)
        assert (got.text, got.findings, got.error) == (expected.text, expected.findings, expected.error), path
    assert narrowed and max(narrowed) < len(registry.handled_codes("python"))  # it did narrow


@pytest.mark.parametrize("kind", sorted(registry.compute_index()[1]))
def test_handled_codes_by_kind_come_from_the_index(kind, monkeypatch):
    expected = registry.compute_index()[1][kind]
    monkeypatch.setattr(registry, "_loaded", False)  # as at start-up: the committed index answers
    assert registry.handled_codes(kind) == expected


def test_two_jobs_print_what_one_job_prints(tmp_path, monkeypatch):
    import io

    from prefect_upgrade import driver

    fixtures = Path(__file__).parent / "fixtures"
    sources = sorted(p for p in fixtures.rglob("*.py") if 300 < p.stat().st_size < 2500)[::5][:5]
    for index, source in enumerate(sources):
        (tmp_path / f"flow_{index}.py").write_bytes(source.read_bytes())
    (tmp_path / "plain.py").write_text("x = 1\n")
    started = []
    real_pool = runner._pool
    monkeypatch.setattr(runner, "_pool", lambda workers, settings: started.append(workers) or real_pool(workers, settings))
    monkeypatch.setattr(runner, "POOL_MIN_WORK", 1)  # a real pool, even for these small files

    def run(jobs: int) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        request = driver.Request(paths=[tmp_path], jobs=jobs, from_version="0.15", color=False)
        status = driver.run(request, stdout=out, stderr=err)
        return status, out.getvalue(), err.getvalue()

    alone = run(1)
    assert started == []
    pooled = run(2)
    assert started == [2]
    assert pooled == alone
    assert alone[0] == 1 and alone[1].count("+++ ") >= 2  # several files changed


# -- the command line without typer -------------------------------------------------------------

PLAIN_COMMAND_LINES = [
    ["a.py"],
    ["--write", "--force-exclude", "a.py", "b/c.yaml"],
    ["--check", "--force-exclude", "a.py"],
    ["a.py", "-w", "--no-color", "--unsafe-fixes"],
    ["--color", "--no-unsafe-fixes", "folder", "--check"],
]


@pytest.mark.parametrize("args", PLAIN_COMMAND_LINES)
def test_plain_command_lines_build_the_request_typer_builds(args, monkeypatch):
    from prefect_upgrade import cli, cli_app, driver

    seen = []
    monkeypatch.setattr(driver, "run", lambda request: seen.append(request) or 0)
    with pytest.raises(SystemExit) as stop:
        cli_app.app(args=args, prog_name="prefect-upgrade")
    assert stop.value.code == 0
    assert cli._plain_request(args) == seen[0]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-"],
        ["--", "a.py"],
        [""],
        ["--write", "--check", "a.py"],  # a usage error: typer says so
        ["--write", "--write", "a.py"],
        ["--color", "--no-color", "a.py"],
        ["--select", "PFU1", "a.py"],
        ["--jobs=2", "a.py"],
        ["-wj2", "a.py"],
        ["--interactive", "a.py"],
        ["--help"],
        ["--version"],
        ["--list-codemods"],
        ["--explain", "PFU101"],
        ["a.py", "--format", "json"],
    ],
)
def test_other_command_lines_go_to_typer(args, monkeypatch):
    from prefect_upgrade import cli

    assert cli._plain_request(args) is None
    called = []
    monkeypatch.setattr("prefect_upgrade.cli_app.app", lambda **kwargs: called.append(kwargs))
    cli.main(args)
    assert called == [{"args": args, "prog_name": "prefect-upgrade"}]


def test_plain_command_line_exit_status_and_output(tmp_path, monkeypatch, capsys):
    from prefect_upgrade import cli

    (tmp_path / "flow.py").write_text("from prefect.engine.executors import LocalExecutor\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(["--check", "flow.py"])
    assert stop.value.code == 1
    assert capsys.readouterr().out == "would change: flow.py\n"


def test_a_codemod_module_missing_from_the_index_loads_everything(monkeypatch):
    from prefect_upgrade.codemods import _marker_index as data

    missing = dict(data.CODEMODS)
    del missing["PFU101"]
    monkeypatch.setattr(data, "CODEMODS", missing)
    monkeypatch.setattr(registry, "_index_checked", False)
    monkeypatch.setattr(registry, "_loaded", False)
    loads = []
    real_load_all = registry._load_all
    monkeypatch.setattr(registry, "_load_all", lambda: loads.append(1) or real_load_all())
    assert "PFU101" in registry.selected_codes()
    assert loads == [1]


def test_bytes_that_cannot_tell_keep_every_handled_codemod(monkeypatch):
    import base64

    # UTF-7 may spell "environment" (PFU201's marker) in base64: absent from the bytes, present
    # in the text. Another marker in plain sight must not narrow the codemods to its own.
    hidden = "+" + base64.b64encode("environment".encode("utf-16-be")).decode().rstrip("=") + "-"
    raw = f"# coding: utf-7\nfrom prefect.engine.executors import LocalExecutor\nx = '{hidden}'\n".encode()
    assert b"environment" not in raw and raw.decode("utf-7").count("environment") == 1
    settings = runner.RunSettings(codemods=(), options=CodemodOptions(), codes=registry.selected_codes())
    monkeypatch.setattr(registry, "_loaded", False)
    work = runner._work_for(raw, "python", settings)
    assert [c.code for c in work[0].codemods] == list(registry.handled_codes("python"))
    plain = raw.replace(b"utf-7", b"utf-8")
    narrowed = runner._work_for(plain, "python", settings)[0].codemods
    assert "PFU101" in [c.code for c in narrowed] and "PFU201" not in [c.code for c in narrowed]
