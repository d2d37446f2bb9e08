"""The pre-commit hooks, run for real by pre-commit on a temporary git repository.

pre-commit installs the hook from a git repository at a commit, into a virtualenv of its own
(``pip install .``: needs PyPI the first time). ``pre-commit try-repo`` would commit the working
tree anew, and so install anew, on every call (~40 s each); so the test commits a snapshot of
this checkout itself, with fixed dates so that an unchanged tree gives the same commit, under the
git-ignored ``.pre-commit-cache/``, and pins it in the project's ``.pre-commit-config.yaml``.
The hook environment is then built once and reused by later runs.

The Python file is upgraded by the real codemods (PFU101 at least). The snapshot also carries
two test codemods of its own (``codemods/pfu99x_hooktest.py``, codes PFU99x): one for a CI YAML
command, one that reports a manual finding, so that what the hook must do does not depend on
which other real codemods have landed. The expected texts are computed in-process with the
same codemods.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".pre-commit-cache"
FIXED = {
    "GIT_AUTHOR_NAME": "prefect-upgrade tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "prefect-upgrade tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}

HOOKTEST_CODEMODS = '''\
"""Codemods for tests/test_precommit.py only (this file exists in its snapshot, never in the product)."""
import re

import libcst as cst
import libcst.matchers as m

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods.base import Example, PythonCodemod, TextCodemod
from prefect_upgrade.findings import FixClass


@register
class HookManual(PythonCodemod):
    """flow.environment: manual (before/after)"""
    code = "PFU991"
    summary = "test: reads of flow.environment"
    markers = (".environment",)
    examples = ()

    def visit_Attribute(self, node):
        if node.attr.value == "environment":
            self.report(node, "read flow.run_config instead", applied=False, fix_class=FixClass.MANUAL)


@register
class HookRegister(TextCodemod):
    """prefect register flow --file -> prefect register --path (before/after)"""
    code = "PFU992"
    summary = "test: prefect register flow"
    file_kinds = frozenset({"shell", "yaml"})
    markers = ("prefect register flow",)
    examples = ()

    def rewrite_text(self, text, kind):
        if "prefect register flow --file" in text:
            self.report(1, 1, "prefect register flow is now prefect register", applied=True)
        return text.replace("prefect register flow --file", "prefect register --path")
'''

ETL = "from prefect import Flow\nfrom prefect.engine.executors import LocalExecutor\n\nflow = Flow('etl')\n"
CI = (
    "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: |\n          pip install prefect==1.0.0\n"
    "          prefect register flow --file etl.py --project etl\n"
)


def _git(args, cwd, **kwargs):
    env = {**os.environ, **FIXED}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, **kwargs)


def _snapshot() -> tuple[Path, str]:
    """This checkout's files (tracked and untracked, not ignored) plus the test codemods, committed."""
    repo = CACHE / "snapshot"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    listed = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith("codemods/pfu99"):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, repo / name)
    (repo / "codemods" / "pfu99x_hooktest.py").write_text(HOOKTEST_CODEMODS)
    _git(["init", "-q"], repo)
    _git(["add", "-A"], repo)
    _git(["commit", "-q", "--no-gpg-sign", "-m", "snapshot"], repo)
    return repo, _git(["rev-parse", "HEAD"], repo).stdout.strip()


def _pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    command = [sys.executable, "-m", "pre_commit"]
    # drop hook environments of earlier snapshots whose test projects are gone
    subprocess.run([*command, "gc"], env={**os.environ, "PRE_COMMIT_HOME": str(CACHE / "home")}, capture_output=True)
    return command


def _expected(text: str, kind: str) -> str:
    """``text`` upgraded in-process by the real codemods plus the snapshot's test codemods."""
    from prefect_upgrade.codemods import all_codemods
    from prefect_upgrade.runner import rewrite_text

    namespace: dict = {}
    import prefect_upgrade.codemods as registry_module

    original = registry_module.register
    registry_module.register = lambda cls: cls
    try:
        exec(compile(HOOKTEST_CODEMODS, "pfu99x_hooktest.py", "exec"), namespace)
    finally:
        registry_module.register = original
    fakes = [namespace["HookManual"], namespace["HookRegister"]]
    codemods = sorted([*all_codemods(), *fakes], key=lambda c: c.code)
    result = rewrite_text(text, kind, codemods)
    assert not [f for f in result.findings if not f.applied], result.findings
    return result.text


@pytest.mark.precommit
def test_hook_fixes_then_passes_and_manual_findings_block_until_suppressed(tmp_path):
    command = _pre_commit()
    hooks, rev = _snapshot()
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / "etl.py").write_text(ETL)
    (project / ".github" / "workflows" / "deploy.yml").write_text(CI)
    (project / "notes.bin").write_bytes(b"\0\1prefect.engine.executors")  # not text: never passed
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: prefect-upgrade\n"
    )
    _git(["init", "-q"], project)
    _git(["add", "-A"], project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(CACHE / "home"), "NO_COLOR": "1"}
    env.pop("PREFECT_UPGRADE_ANSWERS", None)

    def hook(*files):
        return subprocess.run(
            [*command, "run", "--color", "never", "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )

    expected_etl, expected_ci = _expected(ETL, "python"), _expected(CI, "yaml")
    assert "from prefect.executors import LocalExecutor" in expected_etl
    assert "prefect register flow" not in expected_ci
    files = ["etl.py", ".github/workflows/deploy.yml", "notes.bin"]
    first = hook(*files)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (project / "etl.py").read_text() == expected_etl
    assert (project / ".github/workflows/deploy.yml").read_text() == expected_ci
    assert re.search(r"2 files seen, 2 changed \(\d+ fix(es)?\), 0 findings", first.stdout), first.stdout

    second = hook(*files)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout

    # an old API with no automatic fix stops the commit until someone acts on it
    # (the test codemod PFU991 flags any `.environment`; the real PFU206 leaves `settings` alone)
    (project / "etl.py").write_text((project / "etl.py").read_text() + "print(settings.environment)\n")
    blocked = hook("etl.py")
    assert blocked.returncode == 1 and "read flow.run_config instead [manual]" in blocked.stdout
    assert "files were modified" not in blocked.stdout
    (project / "etl.py").write_text(
        (project / "etl.py").read_text().replace(
            "print(settings.environment)", "print(settings.environment)  # prefect-upgrade: ignore"
        )
    )
    assert hook("etl.py").returncode == 0


@pytest.mark.precommit
def test_check_only_hook_changes_nothing(tmp_path):
    command = _pre_commit()
    hooks, rev = _snapshot()
    project = tmp_path / "project"
    project.mkdir()
    (project / "etl.py").write_text(ETL)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: prefect-upgrade-check\n"
    )
    _git(["init", "-q"], project)
    _git(["add", "-A"], project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(CACHE / "home")}
    run = subprocess.run(
        [*command, "run", "--color", "never", "--files", "etl.py"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 1 and "would change: etl.py" in run.stdout
    assert (project / "etl.py").read_text() == ETL
