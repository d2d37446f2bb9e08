"""The per-file pipeline, with small codemods written here (not registered)."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest

from prefect_upgrade.codemods.base import CodemodOptions, PythonCodemod, TextCodemod
from prefect_upgrade.findings import FixClass
from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.runner import RunSettings, process_file, rewrite_text, run_files


class RenameOld(PythonCodemod):
    """Before: old. After: new."""

    code = "PFU991"
    summary = "rename old to new"
    markers = ("old",)

    def leave_Name(self, original, updated):
        if updated.value == "old":
            self.report(original, "old is now new", applied=True)
            return updated.with_changes(value="new")
        return updated


class FlagNew(PythonCodemod):
    """Reports every ``new`` (it runs after RenameOld and sees its result)."""

    code = "PFU992"
    summary = "flag new"
    fix_class = FixClass.MANUAL
    markers = ("old", "new")

    def visit_Name(self, node):
        if node.value == "new":
            self.report(node, "look at new", applied=False)


class BreakSyntax(PythonCodemod):
    """Produces code that does not compile (a codemod bug the runner must catch)."""

    code = "PFU993"
    summary = "broken"
    markers = ("old",)

    def leave_Module(self, original, updated):
        return updated.with_changes(body=[*updated.body, cst.parse_statement("return 1\n")])


class UpperShell(TextCodemod):
    """Before: prefect run flow. After: PREFECT RUN FLOW."""

    code = "PFU994"
    summary = "shout"
    file_kinds = frozenset({"shell"})

    def rewrite_text(self, text, kind):
        if "prefect" in text:
            self.report(1, 1, "shouted", applied=True)
        return text.replace("prefect", "PREFECT")


def test_codemods_run_in_order_each_on_the_result_of_the_last():
    result = rewrite_text("x = old\n", "python", [RenameOld, FlagNew])
    assert result.text == "x = new\n"
    assert [(f.code, f.line, f.col, f.applied) for f in result.findings] == [
        ("PFU991", 1, 5, True),
        ("PFU992", 1, 5, False),
    ]
    assert result.applied == ["PFU991"]


def test_text_without_markers_is_not_even_parsed():
    result = rewrite_text("this is not python (\n", "python", [RenameOld])
    assert result.text == "this is not python (\n" and result.findings == []


def test_syntax_error_is_a_source_error():
    with pytest.raises(SourceError, match="line"):
        rewrite_text("old = (\n", "python", [RenameOld])


def test_output_that_does_not_compile_is_refused():
    with pytest.raises(SourceError, match="does not compile"):
        rewrite_text("x = old\n", "python", [BreakSyntax])


def test_a_refused_codemod_leaves_no_trace_and_its_findings_are_not_applied():
    asked = []

    def decide(codemod, path, before, after, findings):
        asked.append((codemod.code, before, after))
        return False

    result = rewrite_text("x = old\n", "python", [RenameOld], decide=decide)
    assert asked == [("PFU991", "x = old\n", "x = new\n")]
    assert result.text == "x = old\n"
    assert [f.applied for f in result.findings] == [False]


def test_ignored_sub_codes_drop_their_findings():
    options = CodemodOptions(ignore=("PFU992",))
    result = rewrite_text("x = old\n", "python", [RenameOld, FlagNew], options)
    assert [f.code for f in result.findings] == ["PFU991"]


def test_text_kinds_go_through_text_codemods_only():
    result = rewrite_text("prefect run flow\n", "shell", [RenameOld, UpperShell])
    assert result.text == "PREFECT run flow\n"
    assert rewrite_text("prefect run flow\n", "yaml", [UpperShell]).text == "prefect run flow\n"


def test_crlf_and_comments_survive():
    text = "x = old  # keep me\r\ny = 1\r\n"
    assert rewrite_text(text, "python", [RenameOld]).text == "x = new  # keep me\r\ny = 1\r\n"


def _settings(*codemods, write=False, **kwargs):
    return RunSettings(codemods=codemods, options=CodemodOptions(), write=write, **kwargs)


def test_unchanged_file_keeps_bytes_and_mtime(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\r\n")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    result = process_file(path, "python", _settings(RenameOld, write=True))
    assert not result.changed and not result.written
    assert path.read_bytes() == b"x = 1\r\n"
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_dry_run_writes_nothing_and_write_writes(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = old\n")
    assert process_file(path, "python", _settings(RenameOld)).changed
    assert path.read_text() == "x = old\n"
    assert process_file(path, "python", _settings(RenameOld, write=True)).written
    assert path.read_text() == "x = new\n"


def test_a_bad_file_is_reported_not_raised(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"old = (\n")
    result = process_file(path, "python", _settings(RenameOld, write=True))
    assert result.error and "syntax error" in result.error
    assert path.read_bytes() == b"old = (\n"


@pytest.mark.parametrize("around", ["{}", "import os\n" + "x = 1\n" * 20 + "{}" + "y = old\n" * 20])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path, around):
    # (with other statements around it, focus is tried first: its views skip the nesting check)
    path = tmp_path / "deep.py"
    path.write_text(around.format("old = " + "(" * 5000 + "1" + ")" * 5000 + "\n"))
    result = process_file(path, "python", _settings(RenameOld))
    assert result.error and ("nested" in result.error or "too many" in result.error)


def test_per_file_ignores(tmp_path):
    (tmp_path / "legacy").mkdir()
    kept = tmp_path / "legacy" / "a.py"
    kept.write_text("x = old\n")
    changed = tmp_path / "b.py"
    changed.write_text("x = old\n")
    settings = _settings(RenameOld, per_file_ignores=(("legacy/*", ("PFU991",)),), base=str(tmp_path))
    assert not process_file(kept, "python", settings).changed
    assert process_file(changed, "python", settings).changed


def test_results_come_back_in_order_through_the_pool(tmp_path):
    paths = []
    for index in range(40):
        path = tmp_path / f"f{index:02}.py"
        path.write_text("x = old\n" if index % 2 else "x = 1\n")
        paths.append(path)
    results = list(run_files(((p, "python") for p in paths), _settings(RenameOld), jobs=2))
    assert [Path(r.path).name for r in results] == [p.name for p in paths]
    assert [r.changed for r in results] == [bool(i % 2) for i in range(40)]


def test_a_codemod_whose_markers_an_earlier_step_took_away_is_not_run(monkeypatch):
    from fake_codemods import FakeMove

    class ReadsOldPath(PythonCodemod):
        """Would report any module it is run on (it trusts its markers)."""

        code = "PFU906"
        summary = "test: reads prefect.engine.executors"
        markers = ("prefect.engine.executors",)

        def visit_Module(self, node):
            self.report(node, "ran", applied=False, fix_class=FixClass.MANUAL)

    text = "from prefect.engine.executors import LocalExecutor\n"
    moved = rewrite_text(text, "python", [FakeMove, ReadsOldPath])
    assert moved.text == "from prefect.executors import LocalExecutor\n"
    assert [f.code for f in moved.findings] == ["PFU901"]
    # without the earlier step, its markers are there and it runs
    assert [f.code for f in rewrite_text(text, "python", [ReadsOldPath]).findings] == ["PFU906"]
