from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "snapshots"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def snapshot(snapshot, request):
    """pytest-snapshot, storing under the top-level ``snapshots/<test module>/<test name>/``."""
    module = Path(str(request.node.fspath)).stem
    name = request.node.name
    for bad in "/[]\\:*?\"<>| ":
        name = name.replace(bad, "_")
    snapshot.snapshot_dir = SNAPSHOTS / module / name.strip("_")
    return snapshot
