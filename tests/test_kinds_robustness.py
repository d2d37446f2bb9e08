"""No input crashes a rewriter: odd or broken files give a one-line SourceError or are left alone."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from kinds_fakes import ALL
from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.runner import rewrite_text

PIECES = [
    "prefect register flow --file a.py", "run:", "script:", "command:", "args:", "- ", "  ", "\t", "\n", "|", ">",
    "'", '"', "[", "]", ",", "#", "\\", "$ ", "```", "```bash", "```python", "~~~", ".. code-block:: bash", "::",
    "RUN ", "CMD ", "ENTRYPOINT ", "[\"prefect\"", "target:", "\t@", "$(X)", "$$", "[testenv]", "commands =",
    "{", "}", "\"cells\"", ":", "!prefect register flow --file b.py", "%%bash", "from prefect.engine.executors import X",
    "-c", "sh", "é", "\r\n", "{{ .Values.x }}",
]

KINDS = ["yaml", "dockerfile", "makefile", "ini", "markdown", "rst", "notebook", "toml", "dotenv"]  # shell: whole text, and `bash -n` is slow to start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), st.lists(st.sampled_from(PIECES), max_size=40))
def test_no_input_crashes_a_rewriter(kind, pieces):
    text = "".join(pieces)
    try:
        result = rewrite_text(text, kind, ALL)
    except SourceError as error:
        assert "\n" not in str(error)
        return
    assert rewrite_text(result.text, kind, ALL).text == result.text  # idempotent


def test_broken_json_notebooks():
    for text in ('{"cells": [', "[]", '{"cells": 3, "x": "prefect register flow --file a"}', "prefect register flow --file"):
        try:
            result = rewrite_text(text, "notebook", ALL)
        except SourceError as error:
            assert "\n" not in str(error)
        else:
            assert result.text == text
