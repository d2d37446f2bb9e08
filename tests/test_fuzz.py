"""Property-based tests: whatever the input, the tool never corrupts, crashes or loops.

The budget is small by default; set PREFECT_UPGRADE_FUZZ=N for N examples per property.
"""

from __future__ import annotations

import os
import re

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prefect_upgrade.codemods import all_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.files import FileError, decode
from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.runner import RunSettings, process_source, rewrite_text

EXAMPLES = int(os.environ.get("PREFECT_UPGRADE_FUZZ", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
CODEMODS = all_codemods()
KINDS = ["python", "shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini", "requirements", "markdown", "rst", "notebook"]

#: Prefect 0.x statements spliced into generated programs; each must be upgraded away.
OLD_SNIPPETS = [
    "from prefect.engine.executors import DaskExecutor, LocalExecutor\n",
    "import prefect.engine.executors as ex\nexecutor = ex.LocalDaskExecutor()\n",
    "from prefect.utilities.exceptions import StorageError, ClientError\n",
    "from prefect.environments.storage import S3, Docker\n",
    "from prefect.artifacts import create_link\n",
    "from prefect.core.task import Parameter\n",
    "from prefect.tasks.secrets import Secret\n",
]
#: Names that must not survive the upgrade of the snippets above.
GONE = re.compile(r"prefect\.engine\.executors|prefect\.utilities\.exceptions|prefect\.environments\.storage|prefect\.artifacts|prefect\.core\.task\b")


def _all(text: str, kind: str = "python"):
    return rewrite_text(text, kind, CODEMODS, CodemodOptions())


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True


@FUZZ
@given(hypothesmith.from_grammar())
def test_programs_without_old_prefect_apis_stay_byte_identical(program):
    if not _parses(program):
        return
    text = "import prefect\n" + program
    try:
        result = _all(text)
    except SourceError:
        return  # e.g. nesting too deep to parse safely: reported, never rewritten
    assert result.text == text


@FUZZ
@given(hypothesmith.from_grammar(), st.lists(st.sampled_from(OLD_SNIPPETS), min_size=1, max_size=3, unique=True))
def test_spliced_old_apis_come_out_parseable_idempotent_and_gone(program, snippets):
    if not _parses(program):
        return
    text = "".join(snippets) + program
    try:
        result = _all(text)
    except SourceError:
        return
    assert _parses(result.text)
    assert _all(result.text).text == result.text
    head = result.text[: len(result.text) - len(program)] if result.text.endswith(program) else result.text
    assert not GONE.search(head), head


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(KINDS))
def test_random_bytes_never_crash(data, kind):
    try:
        source = decode(data, python=kind == "python")
    except FileError:
        return
    settings_ = RunSettings(codemods=tuple(CODEMODS), options=CodemodOptions())
    result = process_source("fuzz", kind, source, settings_)
    assert result.error is None or "\n" not in result.error


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("prefect registerflowrun-_ \n\t\\\"'$#|&;{}()[]=:.")), max_size=400), st.sampled_from(KINDS))
def test_prefect_flavoured_text_never_crashes_and_is_stable(text, kind):
    try:
        result = _all(text, kind)
    except SourceError:
        return
    try:
        again = _all(result.text, kind)
    except SourceError:
        pytest.fail("the tool's own output does not parse")
    assert again.text == result.text
