"""The moves table (``codemods/moves_table.py``): its shape, and its facts checked in real Prefect."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from prefect_upgrade.codemods import all_codes, owner_of
from prefect_upgrade.codemods.moves_table import MOVES, REACHABLE_FROM_IMPORT_PREFECT, MoveIndex
from prefect_upgrade.findings import FixClass
from real_prefect import PINS, prefect_python

HERE = Path(__file__).resolve().parent


def test_rows_are_unique_and_in_range():
    olds = [m.old for m in MOVES]
    assert len(olds) == len(set(olds))
    for m in MOVES:
        assert re.fullmatch(r"PFU10[1-6]", m.code) and m.code in all_codes(), m
        assert m.old.startswith("prefect.") and (m.new is None or m.new.startswith("prefect."))
        assert m.kind in ("name", "module")
        if m.new is None or m.fix is not FixClass.SAFE or m.fix_by_version or m.add_kwargs:
            assert m.message, f"{m.old}: unsafe/manual rows must say what to do"


def test_longest_row_wins():
    index = MoveIndex(MOVES)
    assert index.lookup("prefect.engine.executors.dask.DaskExecutor")[1] == "prefect.executors.DaskExecutor"
    assert index.lookup("prefect.engine.executors.dask.Other")[1] == "prefect.executors.dask.Other"
    assert index.lookup("prefect.utilities.exceptions.StorageError")[1] == "prefect.exceptions.FlowStorageError"
    assert index.lookup("prefect.utilities.exceptions.ContextError")[1] is None
    assert index.lookup("prefect.executors.DaskExecutor") is None
    assert index.lookup("prefect.client.Secret") is None  # not the task prefect.tasks.secrets.Secret


def test_removed_modules_are_named_by_version():
    # the 0.13-only rows claim 0.13.19, the 0.15 rows 0.15.13
    index = {m.old: m for m in MOVES}
    assert index["prefect.contrib.tasks.databricks"].since == "0.13.19"
    assert index["prefect.engine.executors.DaskExecutor"].since == "0.15.13"


def _missing(version: str, names: list[str]) -> list[str]:
    python = prefect_python(version)
    out = subprocess.run(
        [str(python), str(HERE / "prefect_names.py"), "names", *names],
        capture_output=True, text=True, check=True, cwd=HERE,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["missing"]


@pytest.mark.real_prefect
@pytest.mark.parametrize("version", sorted({m.since for m in MOVES if m.since in PINS}))
def test_every_old_name_existed_in_its_version(version):
    names = [m.old for m in MOVES if m.since == version]
    assert _missing(version, names) == []


@pytest.mark.real_prefect
def test_every_new_name_exists_in_1_0():
    names = sorted({m.new for m in MOVES if m.new})
    assert _missing("1.0.0", names) == []


@pytest.mark.real_prefect
def test_removed_names_are_gone_in_1_0():
    # Rows without a successor, and the modules removed before 1.0, really are gone.
    gone = [m.old for m in MOVES if m.new is None] + [
        "prefect.utilities.exceptions",
        "prefect.environments.storage",
        "prefect.tasks.google",
        "prefect.contrib.tasks.mysql",
        "prefect.core.task.Parameter",
        "prefect.exceptions.PrefectError",
        "prefect.exceptions.StorageError",
        "prefect.tasks.secrets.Secret",
        "prefect.tasks.prefect.FlowRunTask",
        "prefect.utilities.tasks.unmapped",
    ]
    assert sorted(_missing("1.0.0", gone)) == sorted(gone)


@pytest.mark.real_prefect
def test_reachable_from_import_prefect():
    python = prefect_python("1.0.0")
    out = subprocess.run(
        [str(python), "-W", "ignore", "-c", "import sys, prefect; print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=HERE,
    )
    loaded = set(out.stdout.split())
    assert REACHABLE_FROM_IMPORT_PREFECT <= loaded
    # and the modules the engine must add an import for are really not loaded
    for module in ("prefect.tasks.gcp", "prefect.tasks.prefect", "prefect.tasks.databricks", "prefect.tasks.mysql"):
        assert module not in loaded


def test_every_code_has_its_codemod():
    for code in ("PFU101", "PFU102", "PFU103", "PFU104", "PFU105", "PFU106", "PFU107"):
        assert owner_of(code) is not None and owner_of(code).code == code
        assert owner_of(code).markers, code


def test_each_move_codemod_applies_its_rows_only():
    from casefiles import upgrade

    # a file with one row of each code: each codemod changes only its own line
    text = (
        "from prefect.engine.executors import DaskExecutor\n"
        "from prefect.utilities.exceptions import ClientError\n"
        "from prefect.artifacts import create_link\n"
        "from prefect.core.task import Parameter\n"
        "from prefect.environments.storage import S3\n"
        "from prefect.tasks.secrets import Secret\n"
    )
    for line, code in enumerate(("PFU101", "PFU102", "PFU103", "PFU104", "PFU105", "PFU106")):
        result = upgrade(text, select=(code,))
        changed = [i for i, (a, b) in enumerate(zip(text.splitlines(), result.text.splitlines())) if a != b]
        assert changed == [line], code
    assert "prefect.engine" not in upgrade(text).text


def test_every_row_has_a_fixture():
    from casefiles import FIXTURES

    texts = {}
    for m in MOVES:
        folder = FIXTURES / f"moves_{m.code.lower()}"
        text = texts.setdefault(m.code, "\n".join(p.read_text() for p in folder.glob("*.py")))
        parent, _, leaf = m.old.rpartition(".")
        assert m.old in text or f"from {parent} import" in text and leaf in text, m.old
        strings = texts.setdefault("PFU107", "\n".join(p.read_text() for p in (FIXTURES / "moves_pfu107").glob("*.py")))
        if m.kind == "name":
            assert f'"{m.old}"' in strings, m.old
