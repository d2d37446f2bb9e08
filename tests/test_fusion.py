"""Codemods run as one (``Codemod.fuses_as``, ``runner.FUSE``): the move codemods PFU101–PFU106.

Fusing them must change nothing a user sees: every Python input of the test suite, every move
codemod's examples and generated flows are rewritten fused and one by one, and the texts, the
findings (codes, positions, classes, messages) and the applied codes must be equal. Where a
suppression comment or an ignored code would keep only part of the change, the runner runs
them one by one instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from prefect_upgrade import runner
from prefect_upgrade.codemods import all_codemods
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.runner import rewrite_text
from test_focus import _codemod_examples, _python_inputs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

MOVES = [c for c in all_codemods() if issubclass(c, MovesCodemod)]


def _outcome(text, options, codemods=None, decide=None):
    try:
        result = rewrite_text(text, "python", codemods or all_codemods(), options, decide=decide)
    except Exception as error:  # noqa: BLE001 - the same error both ways is fine
        return ("error", str(error))
    return result.text, result.findings, result.applied


def _both_ways(text, monkeypatch, options=CodemodOptions(unsafe_fixes=True), codemods=None):
    outcomes = []
    for fuse in (True, False):
        monkeypatch.setattr(runner, "FUSE", fuse)
        outcomes.append(_outcome(text, options, codemods))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def test_the_move_codemods_are_fused_and_each_finding_keeps_its_code(monkeypatch):
    fused = []
    original = runner._apply_fused

    def recording(rewriter, state, members, *rest):
        fused.append(tuple(c.code for c in members))
        return original(rewriter, state, members, *rest)

    monkeypatch.setattr(runner, "_apply_fused", recording)
    text = (
        "from prefect.engine.executors import DaskExecutor\n"
        "from prefect.environments.storage import S3, Azure\n"
        "from prefect.utilities.exceptions import PrefectError\n"
        "import prefect.environments.storage.gcs as gcs_storage\n"
        "from prefect.tasks.google import *\n"
        "flow.executor = DaskExecutor()\n"
        "flow.storage = Azure(connection_string='x')\n"
    )
    # PFU354 not selected: PFU105 reports ``Azure(connection_string=)`` itself (``check_calls``)
    options = CodemodOptions(unsafe_fixes=True, ignore=("PFU354",))
    text_, findings, applied = _both_ways(text, monkeypatch, options=options, codemods=MOVES)
    assert fused == [("PFU101", "PFU102", "PFU105", "PFU106")]
    assert "from prefect.executors import DaskExecutor" in text_ and "from prefect.storage import" in text_
    codes_by_line = {}
    for finding in findings:
        codes_by_line.setdefault(finding.line, set()).add(finding.code)
    assert codes_by_line == {
        1: {"PFU101"},
        2: {"PFU105"},
        3: {"PFU102"},
        4: {"PFU105"},  # a module import
        5: {"PFU106"},  # a star import
        7: {"PFU105"},  # Azure(connection_string=), from PFU105's own check
    }
    assert applied == ["PFU101", "PFU102", "PFU105", "PFU106"]


@pytest.mark.parametrize("path", _python_inputs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixtures_come_out_the_same_fused_and_one_by_one(path, monkeypatch):
    _both_ways(path.read_text(), monkeypatch)


@pytest.mark.parametrize("from_version", ["0.13", "0.14", "0.15"])
def test_examples_and_flows_come_out_the_same_fused_and_one_by_one(from_version, monkeypatch):
    options = CodemodOptions(unsafe_fixes=from_version == "0.14", from_version=from_version)
    examples = "\n".join(before for codemod, before in _codemod_examples() if codemod in MOVES)
    for text in [examples, *corpus.dense_texts(count=2, seed=7)]:
        _both_ways(text, monkeypatch, options)
    for codemod, before in _codemod_examples():
        if codemod in MOVES:
            _both_ways(before, monkeypatch, options, MOVES)


SUPPRESSED = (
    "from prefect.engine.executors import DaskExecutor\n"
    "from prefect.environments.storage import S3  # prefect-upgrade: ignore[PFU105]\n"
    "flow.executor = DaskExecutor()\n"
    "flow.storage = S3()\n"
)


def test_a_suppression_of_one_member_keeps_the_others_changes(monkeypatch):
    text, findings, applied = _both_ways(SUPPRESSED, monkeypatch)
    assert "from prefect.executors import DaskExecutor" in text
    assert "from prefect.environments.storage import S3" in text
    assert applied == ["PFU101"]


def test_an_ignored_member_is_not_applied(monkeypatch):
    options = CodemodOptions(ignore=("PFU105",))
    text, _, applied = _both_ways(SUPPRESSED.replace("  # prefect-upgrade: ignore[PFU105]", ""), monkeypatch, options, MOVES)
    assert "from prefect.environments.storage import S3" in text and applied == ["PFU101"]


def test_a_review_sees_each_member_on_its_own(monkeypatch):
    asked = []

    def decide(codemod, path, before, after, findings):
        asked.append(codemod.code)
        return codemod.code != "PFU105"

    text, _, applied = _outcome(SUPPRESSED.replace("  # prefect-upgrade: ignore[PFU105]", ""), CodemodOptions(), MOVES, decide)
    assert asked == ["PFU101", "PFU105"] and applied == ["PFU101"]
    assert "from prefect.environments.storage import S3" in text
