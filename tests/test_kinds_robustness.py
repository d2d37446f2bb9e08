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
    "-c", "sh", "é", "\r\n", "{{ .Values.x }}", "sh '", 'sh "', "sh '''", '"""', '${env.X}', "\\\n",
]

KINDS = ["yaml", "dockerfile", "makefile", "ini", "markdown", "rst", "notebook", "toml", "dotenv", "jenkinsfile"]  # shell: whole text, and `bash -n` is slow to start


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


LINES = [
    "!prefect register flow --file a.py", "x = !prefect register flow --file b.py", "%time", "%%bash", "%%time",
    "from prefect.engine.executors import DaskExecutor", "flow.run()", "len?", "  !echo hi", "for i in x:",
    "    pass", "if (a", "!= b): pass", "%env PREFECT__LOGGING__LOG_TO_CLOUD=1", "prefect agent fargate start",
    "'''", "é", "", "    !prefect agent fargate start", "def f(:",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.sampled_from(LINES), max_size=6), min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from([1, 2, None]),
)
def test_any_notebook_cells(cells, as_string, indent):
    import json

    sources = []
    for lines in cells:
        text = "\n".join(lines)
        sources.append(text if as_string else [line + "\n" for line in lines[:-1]] + lines[-1:])
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "stream", "text": ["x"]}], "source": s}
                  for s in sources],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    result = rewrite_text(text, "notebook", ALL)  # verify runs inside: JSON, same cells and outputs
    assert rewrite_text(result.text, "notebook", ALL).text == result.text
    after = json.loads(result.text)
    assert [c["outputs"] for c in after["cells"]] == [c["outputs"] for c in document["cells"]]
