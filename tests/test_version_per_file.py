"""``--from-version auto`` decides each file's source version from the pins nearest to it.

A monorepo of a 0.13 project and a 0.15 project: the ``PrefectError`` rename (PFU102) is a
safe fix for the 0.15 code and needs a human (an unsafe fix) in the 0.13 code
(spec/prefect-api-diff.md §2), whichever project sorts first.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prefect_upgrade import driver, runner, source_version
from prefect_upgrade.cli import app
from prefect_upgrade.source_version import PerFileVersions
from test_source_version import make

CODE = """\
from prefect.utilities.exceptions import PrefectError

try:
    run()
except PrefectError:
    pass
"""
FIXED = CODE.replace("prefect.utilities.exceptions import PrefectError", "prefect.exceptions import PrefectException").replace(
    "except PrefectError", "except PrefectException"
)
PIN = {"0.13": "prefect==0.13.19\n", "0.15": "prefect==0.15.13\n"}


def monorepo(root: Path, a: str, b: str, **more: str) -> Path:
    """``mono/a`` pinned to ``a``, ``mono/b`` to ``b``, the same code in each."""
    files = {
        "mono/a/requirements.txt": PIN[a],
        "mono/a/x.py": CODE,
        "mono/b/requirements.txt": PIN[b],
        "mono/b/x.py": CODE,
    }
    files.update({f"mono/{name}": text for name, text in more.items()})
    return make(root, files) / "mono"


def run(*paths, **options) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    request = driver.Request(paths=[Path(p) for p in paths], output_format="json", color=False, **options)
    status = driver.run(request, stdout=out, stderr=err)
    return status, json.loads(out.getvalue())


def rename(document: dict, path: str) -> dict:
    """The PFU102 PrefectError finding of ``path``."""
    (found,) = [
        f
        for entry in document["files"]
        if entry["path"] == path
        for f in entry["findings"]
        if f["code"] == "PFU102" and "PrefectError" in f["message"]
    ]
    return found


@pytest.mark.parametrize("a, b", [("0.15", "0.13"), ("0.13", "0.15")])
def test_each_project_of_a_monorepo_is_read_with_its_own_pins(tmp_path, monkeypatch, a, b):
    monorepo(tmp_path, a, b)
    monkeypatch.chdir(tmp_path)
    status, document = run("mono")
    assert status == 1
    for project, version in (("a", a), ("b", b)):
        finding = rename(document, f"mono/{project}/x.py")
        if version == "0.15":
            assert finding["applied"] is True and finding["class"] == "safe"
        else:
            assert finding["applied"] is False and finding["class"] == "unsafe"
            assert "subclassed PrefectError" in finding["message"]
    summary = document["summary"]
    assert summary["source_version"] == "per project"
    assert summary["source_version_reason"] == (
        f"0.13 for 2 files, read from prefect==0.13.19 in mono/{'a' if a == '0.13' else 'b'}/requirements.txt; "
        f"0.15 for 2 files, read from prefect==0.15.13 in mono/{'a' if a == '0.15' else 'b'}/requirements.txt"
    )
    assert summary["source_versions"] == [
        {"version": "0.13", "files": 2, "reason": f"read from {PIN['0.13'].strip()} in mono/{'a' if a == '0.13' else 'b'}/requirements.txt"},
        {"version": "0.15", "files": 2, "reason": f"read from {PIN['0.15'].strip()} in mono/{'a' if a == '0.15' else 'b'}/requirements.txt"},
    ]


def test_when_every_file_agrees_the_summary_is_one_version(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.15", "0.15")
    monkeypatch.chdir(tmp_path)
    _, document = run("mono")
    summary = document["summary"]
    assert summary["source_version"] == "0.15"
    assert summary["source_version_reason"] == (
        "read from prefect==0.15.13 in mono/a/requirements.txt (2 files); "
        "read from prefect==0.15.13 in mono/b/requirements.txt (2 files)"
    )
    assert [g["files"] for g in summary["source_versions"]] == [2, 2]
    assert rename(document, "mono/b/x.py")["applied"] is True


def test_one_project_keeps_the_old_single_version_reason(tmp_path, monkeypatch):
    make(tmp_path, {"p/requirements.txt": PIN["0.13"], "p/flows/x.py": CODE})
    monkeypatch.chdir(tmp_path)
    _, document = run("p")
    summary = document["summary"]
    assert (summary["source_version"], summary["source_version_reason"]) == (
        "0.13",
        "read from prefect==0.13.19 in p/requirements.txt",
    )
    assert summary["source_versions"] == [
        {"version": "0.13", "files": 2, "reason": "read from prefect==0.13.19 in p/requirements.txt"}
    ]


# -- through the command line -------------------------------------------------------------------


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": ""}, catch_exceptions=False)


def test_a_folder_pinned_to_1x_does_not_borrow_a_siblings_pins(tmp_path, monkeypatch):
    make(tmp_path, {".git/HEAD": "", "a/requirements.txt": "prefect>=1.0,<2\n", "a/x.py": CODE,
                    "b/requirements.txt": "prefect>=0.14\n", "b/y.py": "import prefect\n"})
    decision = PerFileVersions([tmp_path]).for_file(tmp_path / "a" / "x.py")
    assert decision.version == "0.13" and "already admits Prefect 1.x" in decision.reason


@pytest.mark.parametrize("sibling", ["prefect>=0.14\n", "prefect==0.15.13\n"])
def test_a_second_run_after_write_changes_nothing_next_to_a_sibling_project(tmp_path, monkeypatch, sibling):
    make(tmp_path, {".git/HEAD": "", "a/requirements.txt": PIN["0.13"], "a/x.py": CODE,
                    "b/requirements.txt": sibling, "b/y.py": "import prefect\n"})
    monkeypatch.chdir(tmp_path)
    cli("--write", ".")
    written = (tmp_path / "a" / "x.py").read_text()
    assert written == CODE  # 0.13: the rename is left for a person
    cli("--write", ".")
    assert (tmp_path / "a" / "x.py").read_text() == written


def test_a_second_run_after_write_changes_nothing(tmp_path, monkeypatch):
    # the first run rewrote the pins to 1.x: the second must not read the 0.13 project as 0.15
    # and apply the fix the first run left for a person
    mono = monorepo(tmp_path, "0.15", "0.13")
    monkeypatch.chdir(tmp_path)
    assert cli("--write", "mono").exit_code == 1
    written = {p: p.read_text() for p in sorted(mono.rglob("*")) if p.is_file()}
    second = cli("--write", "mono")
    assert {p: p.read_text() for p in sorted(mono.rglob("*")) if p.is_file()} == written
    assert "4 files seen, 0 changed, 1 finding to review" in second.stderr
    assert "mono/b/x.py:1:42: PFU102 " in second.stderr  # still left for a person, still said


@pytest.mark.parametrize("a, b", [("0.15", "0.13"), ("0.13", "0.15")])
def test_command_line_writes_each_project_as_its_pins_say(tmp_path, monkeypatch, a, b):
    mono = monorepo(tmp_path, a, b)
    monkeypatch.chdir(tmp_path)
    result = cli("--write", "mono")
    assert result.exit_code == 1
    # Each folder's pins were read before the run rewrote them (requirements.txt sorts first).
    assert "prefect>=1.0" in (mono / "a" / "requirements.txt").read_text()
    for project, version in (("a", a), ("b", b)):
        assert (mono / project / "x.py").read_text() == (FIXED if version == "0.15" else CODE)
    old = "a" if a == "0.13" else "b"
    assert f"mono/{old}/x.py:1:42: PFU102 " in result.stderr and "(fix available with --unsafe-fixes) [unsafe]" in result.stderr
    new = "b" if old == "a" else "a"
    assert (
        "source version: per project (0.13 for 2 files, read from prefect==0.13.19 in "
        f"mono/{old}/requirements.txt; 0.15 for 2 files, read from prefect==0.15.13 in mono/{new}/requirements.txt)"
    ) in result.stderr.splitlines()


def test_command_line_text_says_nothing_more_when_versions_agree(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.13", "0.13")
    monkeypatch.chdir(tmp_path)
    result = cli("mono")
    assert "source version" not in result.stderr
    assert result.stderr.splitlines()[-1] == "4 files seen, 2 would change (2 fixes), 2 findings to review"


def test_from_version_on_the_command_line_applies_to_every_file(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.15", "0.13")
    monkeypatch.chdir(tmp_path)
    _, document = run("mono", from_version="0.15")
    assert rename(document, "mono/a/x.py")["applied"] and rename(document, "mono/b/x.py")["applied"]
    summary = document["summary"]
    assert (summary["source_version"], summary["source_version_reason"]) == ("0.15", "set by --from-version")
    assert summary["source_versions"] == [{"version": "0.15", "files": 4, "reason": "set by --from-version"}]
    result = cli("--from-version", "0.13", "mono")
    assert "source version" not in result.stderr
    assert "mono/a/x.py:1:42: PFU102 " in result.stderr and "mono/b/x.py:1:42: PFU102 " in result.stderr
    assert "+from prefect.exceptions import PrefectException" not in result.stdout


def test_from_version_in_the_configuration_applies_to_every_file(tmp_path, monkeypatch):
    mono = monorepo(tmp_path, "0.15", "0.13")
    (mono / "pyproject.toml").write_text('[tool.prefect-upgrade]\nfrom-version = "0.13"\n')
    monkeypatch.chdir(mono)
    _, document = run(".")
    assert not rename(document, "a/x.py")["applied"] and not rename(document, "b/x.py")["applied"]
    assert document["summary"]["source_version"] == "0.13"
    assert document["summary"]["source_version_reason"].startswith("set by from-version in ")


def test_stdin_is_read_as_the_file_it_names(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.15", "0.13")
    monkeypatch.chdir(tmp_path)
    for name, fixed in (("mono/a/x.py", True), ("mono/b/x.py", False)):
        result = CliRunner().invoke(app, ["--stdin-filename", name, "-"], input=CODE, catch_exceptions=False)
        assert (result.stdout == FIXED) is fixed
        assert ("[unsafe]" in result.stderr) is not fixed


# -- files under no pinned folder ------------------------------------------------------------------


def test_a_file_under_no_pinned_folder_reads_the_nearest_pins_below_the_given_folder(tmp_path, monkeypatch):
    # The oldest of the nearest level that has pins: a file next to both projects is read the
    # careful way, whichever project sorts first.
    monorepo(tmp_path, "0.15", "0.13", **{"tools/x.py": CODE, "deploy/deep/er/requirements.txt": "prefect==0.14.0\n"})
    monkeypatch.chdir(tmp_path)
    _, document = run("mono")
    assert not rename(document, "mono/tools/x.py")["applied"]
    decision = PerFileVersions(["mono"]).for_file("mono/tools/x.py")
    assert decision == (
        "0.13",
        "no Prefect pin in the file's folder or above; below mono, read from prefect==0.13.19 in "
        "mono/b/requirements.txt; other pins admit 0.15, the oldest wins",
    )
    groups = {(g["version"], g["files"]) for g in document["summary"]["source_versions"]}
    assert groups == {("0.13", 2), ("0.13", 1), ("0.14", 1), ("0.15", 2)}


def test_a_repository_with_no_pins_does_not_borrow_a_sibling_repositorys(tmp_path, monkeypatch):
    # A folder of several repositories (as a trial run met it): each is read on its own.
    make(tmp_path, {
        "repos/one/.git/HEAD": "", "repos/one/Pipfile": '[packages]\nprefect = "==0.14.22"\n', "repos/one/x.py": CODE,
        "repos/two/.git/HEAD": "", "repos/two/flows/x.py": CODE,
    })
    monkeypatch.chdir(tmp_path)
    _, document = run("repos")
    assert not rename(document, "repos/one/x.py")["applied"]
    assert rename(document, "repos/two/flows/x.py")["applied"]
    assert document["summary"]["source_versions"] == [
        {"version": "0.14", "files": 2, "reason": 'read from prefect = "==0.14.22" in repos/one/Pipfile'},
        {"version": "0.15", "files": 1, "reason": "no Prefect pin found near the given paths; assumed 0.15"},
    ]


def test_a_repositorys_subproject_pins_serve_its_other_files(tmp_path, monkeypatch):
    make(tmp_path, {".git/HEAD": "", "flows/requirements.txt": PIN["0.13"], "scripts/x.py": CODE, "deploy.py": CODE})
    monkeypatch.chdir(tmp_path)
    # However the files are named (a folder, or one by one as pre-commit does): the same answer.
    for paths in (["."], ["scripts/x.py", "deploy.py"], ["scripts"]):
        _, document = run(*paths)
        checked = [entry for entry in document["files"] if entry["path"].endswith(".py")]
        assert len(checked) == (2 if paths != ["scripts"] else 1)
        for entry in checked:
            assert not rename(document, entry["path"])["applied"], (paths, entry["path"])


def test_a_file_with_no_pin_anywhere_gets_the_default(tmp_path, monkeypatch):
    make(tmp_path, {"lone/x.py": CODE, "lone/requirements.txt": "pandas==1.0\n"})
    monkeypatch.chdir(tmp_path)
    _, document = run("lone/x.py")
    assert rename(document, "lone/x.py")["applied"]
    assert (document["summary"]["source_version"], document["summary"]["source_version_reason"]) == (
        "0.15",
        "no Prefect pin found near the given paths; assumed 0.15",
    )


def test_without_a_repository_nothing_above_the_given_folder_is_read(tmp_path):
    make(tmp_path, {"requirements.txt": PIN["0.13"], "project/flows/x.py": CODE, "project/requirements.txt": PIN["0.15"]})
    versions = PerFileVersions([tmp_path / "project" / "flows"])
    assert versions.for_file(tmp_path / "project" / "flows" / "x.py").version == "0.15"  # below, not above
    versions = PerFileVersions([tmp_path / "project"])
    assert versions.for_file(tmp_path / "project" / "flows" / "x.py").version == "0.15"  # project/, not tmp
    versions = PerFileVersions([tmp_path])
    assert versions.for_file(tmp_path / "project" / "flows" / "x.py").version == "0.15"  # the nearest wins
    assert versions.for_file(tmp_path / "other" / "x.py").version == "0.13"


def test_a_pin_already_on_1x_nearest_the_file(tmp_path):
    make(tmp_path, {".git/HEAD": "", "requirements.txt": "prefect>=1.0,<2\n", "x.py": ""})
    decision = PerFileVersions([tmp_path]).for_file(tmp_path / "x.py")
    assert decision.version == "0.13" and "already admits Prefect 1.x" in decision.reason


def test_missing_paths_alone_keep_a_summary_version(tmp_path, monkeypatch):
    make(tmp_path, {"requirements.txt": PIN["0.13"]})
    monkeypatch.chdir(tmp_path)
    status, document = run("gone.py")
    assert status == 2
    assert document["summary"]["source_version"] == "0.13" and document["summary"]["source_versions"] == []


# -- the cache -------------------------------------------------------------------------------------


def test_each_folders_pins_are_read_once(tmp_path, monkeypatch):
    files = {".git/HEAD": "", "requirements.txt": PIN["0.13"], "svc/requirements.txt": PIN["0.15"]}
    for folder in ("svc", "svc/flows", "jobs", "jobs/daily"):
        files.update({f"{folder}/f{n}.py": CODE for n in range(12)})
    make(tmp_path, files)
    reads: dict[str, int] = {}
    real = source_version._folder_evidence

    def counting(folder):
        reads[folder] = reads.get(folder, 0) + 1
        return real(folder)

    monkeypatch.setattr(source_version, "_folder_evidence", counting)
    monkeypatch.chdir(tmp_path)
    _, document = run(".")
    assert document["summary"]["files_seen"] == 4 * 12 + 2
    assert reads and set(reads.values()) == {1}, reads
    assert set(reads) == {str(tmp_path / f) for f in ("", "svc", "svc/flows", "jobs", "jobs/daily")} | {str(tmp_path)}
    versions = {entry["path"]: entry for entry in document["files"]}
    assert not rename(document, "jobs/daily/f3.py")["applied"]  # the root's 0.13
    assert rename(document, "svc/flows/f3.py")["applied"]  # svc's 0.15
    assert len(versions) == 50


# -- pool workers ----------------------------------------------------------------------------------


def test_pool_workers_read_each_file_as_the_main_process_does(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.15", "0.13", **{f"a/m{n}.py": CODE for n in range(3)}, **{f"b/m{n}.py": CODE for n in range(3)})
    monkeypatch.chdir(tmp_path)
    started = []
    real_pool = runner._pool
    monkeypatch.setattr(runner, "_pool", lambda workers, settings: started.append(workers) or real_pool(workers, settings))
    monkeypatch.setattr(runner, "POOL_MIN_WORK", 1)  # a real (forked) pool even for these small files

    alone = run("mono", jobs=1)
    assert started == []
    pooled = run("mono", jobs=2)
    assert started == [2]
    assert pooled == alone
    document = pooled[1]
    for n in range(3):
        assert rename(document, f"mono/a/m{n}.py")["applied"]
        assert not rename(document, f"mono/b/m{n}.py")["applied"]
    assert document["summary"]["source_version"] == "per project"


def test_a_worker_uses_the_version_it_is_handed_not_its_own_search(tmp_path):
    # The worker's settings carry no per-file search: the version comes with the file.
    path = make(tmp_path, {"requirements.txt": PIN["0.15"], "x.py": CODE}) / "x.py"
    from prefect_upgrade.codemods import selected_codes
    from prefect_upgrade.codemods.options import CodemodOptions

    settings = runner.RunSettings(
        codemods=(), codes=selected_codes(["PFU102"], []), options=CodemodOptions(), versions=PerFileVersions([tmp_path])
    )
    assert settings.for_path(str(path)).options.from_version == "0.15"
    runner._init_worker(runner.replace(settings, versions=None))
    raw = path.read_bytes()
    as_013 = runner._work((str(path), "python", raw, None, "0.13"))
    as_015 = runner._work((str(path), "python", raw, None, "0.15"))
    assert not as_013.changed and as_015.changed


# -- the report ------------------------------------------------------------------------------------


def test_report_lists_the_versions_per_project(tmp_path, monkeypatch, snapshot):
    monorepo(tmp_path, "0.15", "0.13", **{"tools/x.py": CODE})
    monkeypatch.chdir(tmp_path)
    result = cli("--report", "TODO.md", "mono")
    assert result.exit_code == 1
    text = (tmp_path / "TODO.md").read_text()
    snapshot.assert_match(text, "report.md")
    assert "Code read as written for different Prefect versions, per project:" in text
    assert "- Prefect 0.15 for 2 files (read from prefect==0.15.13 in mono/a/requirements.txt)" in text


def test_report_with_one_version_is_unchanged(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.13", "0.13")
    monkeypatch.chdir(tmp_path)
    cli("--report", "TODO.md", "mono")
    text = (tmp_path / "TODO.md").read_text()
    assert "per project" not in text
    assert (
        "Code read as written for Prefect 0.13 (read from prefect==0.13.19 in mono/a/requirements.txt (2 files); "
        "read from prefect==0.13.19 in mono/b/requirements.txt (2 files))." in text
    )


def test_the_summary_names_at_most_five_groups():
    from prefect_upgrade.report import Summary, json_document, version_line
    from prefect_upgrade.runner import FileResult

    summary = Summary()
    for n in range(7):
        for _ in range(n + 1):
            summary.add(FileResult(path=f"p{n}/x.py", kind="python"), ("0.13" if n < 3 else "0.14", f"read from pin {n}"))
    summary.settle_source_version()
    assert summary.source_version == "per project"
    assert summary.source_version_reason == (
        "0.13 for 3 files, read from pin 2; 0.13 for 2 files, read from pin 1; 0.13 for 1 file, read from pin 0; "
        "0.14 for 7 files, read from pin 6; 0.14 for 6 files, read from pin 5; and 2 more (see --format json)"
    )
    assert version_line(summary).startswith("source version: per project (0.13 for 3 files, read from pin 2; ")
    assert len(json.loads(json_document(summary))["summary"]["source_versions"]) == 7


def test_the_search_below_reads_through_the_same_cache(tmp_path, monkeypatch):
    monorepo(tmp_path, "0.15", "0.13", **{f"tools/t{n}.py": CODE for n in range(5)}, **{f"zz/t{n}.py": CODE for n in range(5)})
    reads: list[str] = []
    real = source_version._folder_evidence
    monkeypatch.setattr(source_version, "_folder_evidence", lambda folder: reads.append(folder) or real(folder))
    monkeypatch.chdir(tmp_path)
    _, document = run("mono")
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 5  # mono, a, b, tools, zz: once each
    assert not any(rename(document, f"mono/{folder}/t{n}.py")["applied"] for folder in ("tools", "zz") for n in range(5))
