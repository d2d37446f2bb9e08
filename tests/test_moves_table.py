"""The moves table (``codemods/moves_table.py``): its shape, and its facts checked in real Prefect."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from prefect_upgrade.codemods.moves_table import MOVES, REACHABLE_FROM_IMPORT_PREFECT, MoveIndex
from prefect_upgrade.findings import FixClass
from real_prefect import PINS, prefect_python

HERE = Path(__file__).resolve().parent


def test_rows_are_unique_and_in_range():
    olds = [m.old for m in MOVES]
    assert len(olds) == len(set(olds))
    for m in MOVES:
        assert re.fullmatch(r"PFU10[1-7]", m.code), m
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
