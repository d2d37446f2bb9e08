"""A few files (what pre-commit passes in a batch) never start a process pool; many do."""

from __future__ import annotations

import concurrent.futures

import pytest

from fake_codemods import FAKES
from prefect_upgrade import runner
from prefect_upgrade.codemods.base import CodemodOptions


@pytest.fixture
def pools(monkeypatch):
    started = []

    class Recording(concurrent.futures.ThreadPoolExecutor):  # a thread pool: same interface, no fork
        def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=()):
            started.append(max_workers)
            super().__init__(max_workers=max_workers, initializer=initializer, initargs=initargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    return started


def _files(tmp_path, count):
    paths = []
    for index in range(count):
        path = tmp_path / f"f{index}.py"
        path.write_text("from prefect.engine.executors import LocalExecutor\n")
        paths.append((path, "python"))
    return paths


def _settings():
    return runner.RunSettings(codemods=FAKES, options=CodemodOptions())


def test_a_pre_commit_batch_runs_in_process(tmp_path, pools):
    results = list(runner.run_files(_files(tmp_path, runner.POOL_THRESHOLD - 1), _settings(), jobs=8))
    assert pools == []
    assert all(r.changed for r in results)


def test_a_big_run_uses_the_pool(tmp_path, pools):
    results = list(runner.run_files(_files(tmp_path, runner.POOL_THRESHOLD), _settings(), jobs=2))
    assert pools == [2]
    assert len(results) == runner.POOL_THRESHOLD and all(r.changed for r in results)
    assert [r.path for r in results] == sorted((r.path for r in results), key=lambda p: int(p.rsplit("f", 1)[1][:-3]))
