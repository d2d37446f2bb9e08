"""Killing a --write run at any moment leaves every file entirely old or entirely new."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prefect_upgrade.files import TEMP_SUFFIX

OLD = "from prefect.engine.executors import DaskExecutor, LocalExecutor\n" + "x = 1\n" * 2000
NEW = "from prefect.executors import DaskExecutor, LocalExecutor\n" + "x = 1\n" * 2000
ITERATIONS = int(os.environ.get("PREFECT_UPGRADE_KILL_ITERATIONS", "12"))


def _tree(root: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        path = root / f"pkg{index % 5}" / f"flow_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(OLD)
        os.chmod(path, 0o640 if index % 2 else 0o755)
        paths.append(path)
    return paths


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_runs_leave_files_old_or_new(tmp_path, sig):
    rng = random.Random(1234 + int(sig))
    for iteration in range(ITERATIONS):
        root = tmp_path / f"run{iteration}"
        paths = _tree(root, 60)
        modes = {p: stat.S_IMODE(p.stat().st_mode) for p in paths}
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect_upgrade", "--write", "--jobs", str(1 + iteration % 2), str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.2, 2.5))
        try:
            os.killpg(process.pid, sig)  # the whole group: workers too, as a terminal's Ctrl-C does
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("the run did not stop after the signal")
        for path in paths:
            assert path.read_text() in (OLD, NEW), f"{path} is half-written"
            assert stat.S_IMODE(path.stat().st_mode) == modes[path]
        leftovers = [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]
        assert not leftovers, leftovers
