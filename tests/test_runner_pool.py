"""A few small files (what pre-commit passes in a batch) never start a process pool; much work does."""

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
            # One thread: CPython 3.11's ast.parse may fail in two threads at once
            # ("AST constructor recursion depth mismatch"); the real pool uses processes.
            super().__init__(max_workers=1, initializer=initializer, initargs=initargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    return started


LINE = "from prefect.engine.executors import LocalExecutor\n"


def _files(tmp_path, count, lines=1):
    paths = []
    for index in range(count):
        path = tmp_path / f"f{index}.py"
        path.write_text(LINE * lines)
        paths.append((path, "python"))
    return paths


def _settings():
    return runner.RunSettings(codemods=FAKES, options=CodemodOptions())


def test_a_pre_commit_batch_runs_in_process(tmp_path, pools):
    # 15 one-line files: each holds two fakes' markers, ~100 bytes of estimated work apiece.
    results = list(runner.run_files(_files(tmp_path, 15), _settings(), jobs=8))
    assert pools == []
    assert all(r.changed for r in results)


def test_a_big_run_uses_the_pool(tmp_path, pools):
    # Three files of 200 lines: together over POOL_MIN_WORK.
    assert 3 * 200 * len(LINE) >= runner.POOL_MIN_WORK
    results = list(runner.run_files(_files(tmp_path, 3, lines=200), _settings(), jobs=2))
    assert pools == [2]
    assert len(results) == 3 and all(r.changed for r in results)
    assert [r.path for r in results] == sorted((r.path for r in results), key=lambda p: int(p.rsplit("f", 1)[1][:-3]))
