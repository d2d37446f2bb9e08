"""The rewriters of the kinds outside Python, with small fake codemods (tests/kinds_fakes.py).

Each kind: what must change (only the command, byte for byte), what must stay (prose, other
keys, output lines), where the findings land, and what happens with broken input.
"""

from __future__ import annotations

import json

import pytest

from casefiles import upgrade
from kinds_fakes import (
    ALL,
    FakeEnvName,
    FakeExecutors,
    FakeFargate,
    FakeRegister,
    findings,
    run,
)
from prefect_upgrade.codemods.base import CodemodOptions, TextCodemod
from prefect_upgrade.rewriters import SourceError, rewriter_for
from prefect_upgrade.rewriters.embedded import shell_to_argv, argv_to_shell
from prefect_upgrade.rewriters.makefile import mask_make, unmask_make
from prefect_upgrade.runner import rewrite_text


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]


def test_every_kind_has_a_rewriter_that_takes_the_codemods_of_its_kind():
    for kind in ("shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini", "requirements", "markdown", "rst", "notebook"):
        rewriter = rewriter_for(kind)
        assert rewriter is not None and rewriter.kind == kind
        assert rewriter.handles(YamlOnly) == (kind in ("yaml", "markdown", "rst"))  # ```yaml blocks


class YamlOnly(TextCodemod):
    code = "PFU499"
    summary = "a codemod of one kind"
    file_kinds = frozenset({"yaml"})


@pytest.mark.parametrize("kind, takes_shell, takes_python", [
    ("yaml", True, False), ("dockerfile", True, False), ("makefile", True, False), ("ini", True, False),
    ("markdown", True, True), ("rst", True, True), ("notebook", True, True),
    ("dotenv", False, False), ("toml", True, False), ("requirements", False, False), ("shell", True, False),
    ("jenkinsfile", True, False),
])
def test_which_codemods_a_kind_takes(kind, takes_shell, takes_python):
    rewriter = rewriter_for(kind)
    assert rewriter.handles(FakeRegister) is takes_shell
    assert rewriter.handles(FakeExecutors) is takes_python


# -- shell ----------------------------------------------------------------------------------------


def test_shell_script_is_rewritten_whole():
    text = "#!/bin/bash\nset -e\nprefect register flow --file a.py \\\n  --project P\n"
    result = run(text, "shell")
    assert result.text == "#!/bin/bash\nset -e\nprefect register --path a.py \\\n  --project P\n"
    assert findings(result) == [(3, 1, "PFU498")]


def test_shell_verify_refuses_a_result_that_bash_rejects():
    class Breaks(TextCodemod):
        code = "PFU499"
        summary = "breaks"
        file_kinds = frozenset({"shell"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            return text.replace("prefect", "prefect (")

    with pytest.raises(SourceError, match="bash -n"):
        rewrite_text("prefect run\n", "shell", [Breaks])


# -- YAML -----------------------------------------------------------------------------------------

GITHUB = """\
name: deploy   # keep
on: push
env:
  PREFECT__LOGGING__LOG_TO_CLOUD: "true"
jobs:
  register:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v2
      - name: Register
        run: prefect register flow --file flows/etl.py --project "${{ secrets.PROJECT }}"  # comment
      - name: Many
        run: |
          pip install prefect   # pins
          prefect agent fargate start --label x

          prefect register flow --file flows/b.py \\
            --project P
      - run: >-
          prefect register flow --file flows/c.py
          --project P
      - run: 'prefect register flow --file ''x y.py'''
      - run: "prefect register flow --file \\"x.py\\""
      - name: prefect register flow --file not-a-command.py
  description: |
    run: prefect register flow --file not-me.py
"""


def test_github_workflow():
    result = run(GITHUB, "yaml")
    assert changed_lines(GITHUB, result.text)[:3] == [
        ('  PREFECT__LOGGING__LOG_TO_CLOUD: "true"', '  PREFECT__CLOUD__SEND_FLOW_RUN_LOGS: "true"'),
        (
            '        run: prefect register flow --file flows/etl.py --project "${{ secrets.PROJECT }}"  # comment',
            '        run: prefect register --path flows/etl.py --project "${{ secrets.PROJECT }}"  # comment',
        ),
        ("          prefect agent fargate start --label x", "          # was: fargate"),
    ]
    lines = result.text.splitlines()
    assert lines[13:19] == [
        "          pip install prefect   # pins",
        "          # was: fargate",
        "          prefect agent ecs start --label x",
        "",
        "          prefect register --path flows/b.py \\",
        "            --project P",
    ]
    assert lines[19:24] == [
        "      - run: >-",
        "          prefect register --path flows/c.py",
        "          --project P",
        "      - run: 'prefect register --path ''x y.py'''",
        '      - run: "prefect register --path \\"x.py\\""',
    ]
    assert lines[24:] == GITHUB.splitlines()[23:]  # a name and a block of another key stay
    assert result.text.endswith("not-me.py\n")
    assert findings(result) == [
        (4, 3, "PFU496"),
        (11, 14, "PFU498"),
        (16, 11, "PFU497"),  # the rewritten command, below the line the codemod added
        (18, 11, "PFU498"),
        (21, 11, "PFU498"),
        (23, 15, "PFU498"),
        (24, 15, "PFU498"),
    ]
    assert run(result.text, "yaml").text == result.text


GITLAB = """\
stages: [deploy]
register:
  image: prefecthq/prefect:0.15.13
  before_script:
    - pip install -r requirements.txt
  script:
    - prefect register flow --file a.py
    - |
      prefect register flow --file b.py
    - >
      prefect register flow
      --file c.py
    # a comment
    - prefect agent fargate start
  after_script: [prefect register flow --file d.py, "echo done"]
"""


def test_gitlab_ci_lists_of_commands():
    result = run(GITLAB, "yaml", [FakeRegister, FakeFargate])
    assert result.text == GITLAB.replace("flow --file a.py", "--path a.py").replace(
        "flow --file b.py", "--path b.py"
    ).replace("flow --file d.py", "--path d.py").replace(
        "    - prefect agent fargate start\n", "    - |-\n      # was: fargate\n      prefect agent ecs start\n"
    )
    # the folded item: "prefect register flow --file c.py" is split over two lines; the fake
    # codemod matches one line only, so it stays (a real codemod sees the continuation)
    assert "      prefect register flow\n      --file c.py\n" in result.text


def test_plain_scalar_that_needs_quotes_gets_single_quotes():
    class Colon(TextCodemod):
        code = "PFU499"
        summary = "adds a colon"
        file_kinds = frozenset({"shell"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            return text.replace("--label x", "--label 'a: b'")

    text = "steps:\n  - run: prefect agent local start --label x\n"
    result = rewrite_text(text, "yaml", [Colon])
    assert result.text == "steps:\n  - run: 'prefect agent local start --label ''a: b'''\n"


KUBERNETES = """\
spec:
  containers:
    - name: agent
      image: prefecthq/prefect:0.15.13
      command: ["prefect", "register", "flow", "--file", "a b.py"]
      args: ["prefect register flow --file d.py"]
    - name: sh
      command:
        - /bin/sh
        - -c
        - prefect register flow --file e.py
    - name: exec
      command:
      - prefect
      - register
      - flow
      - '--file'
      - f.py   # trailing
    - name: helm
      command: ["prefect", "agent", "kubernetes", "start", "--label", "{{ .Values.label }}"]
      args: ["prefect agent fargate start"]
"""


def test_kubernetes_argument_lists():
    result = run(KUBERNETES, "yaml")
    assert result.text.splitlines()[4:17] == [
        '      command: ["prefect", "register", "--path", "a b.py"]',
        '      args: ["prefect register --path d.py"]',
        "    - name: sh",
        "      command:",
        "        - /bin/sh",
        "        - -c",
        "        - prefect register --path e.py",
        "    - name: exec",
        "      command:",
        "      - prefect",
        "      - register",
        "      - --path",
        "      - f.py   # trailing",
    ]
    # a result that no longer fits in one argument (a comment line) is not written
    assert 'args: ["prefect agent fargate start"]' in result.text
    fargate = [f for f in result.findings if f.code == "PFU497"]
    assert len(fargate) == 1 and not fargate[0].applied and "could not be written back" in fargate[0].message


def test_helm_template_that_is_not_yaml_is_still_rewritten():
    text = (
        "{{- if .Values.agent }}\n"
        "command:\n"
        "  - /bin/bash\n"
        "  - -c\n"
        "  - prefect register flow --file {{ .Values.flow }}\n"
        "{{- end }}\n"
    )
    result = run(text, "yaml")
    assert result.text == text.replace("register flow --file", "register --path")


def test_yaml_verify_refuses_a_broken_document():
    class Breaks(TextCodemod):
        code = "PFU499"
        summary = "breaks"
        file_kinds = frozenset({"yaml"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            return text.replace("run: prefect", "run: [prefect")

    with pytest.raises(SourceError, match="YAML"):
        rewrite_text("steps:\n  - run: prefect x\n", "yaml", [Breaks])


def test_yaml_that_mentions_commands_elsewhere_stays():
    text = (
        "description: prefect register flow --file a.py\n"
        "notes:\n"
        "  - prefect register flow --file b.py\n"
        "doc: |\n"
        "  script: prefect register flow --file c.py\n"
        "# run: prefect register flow --file d.py\n"
    )
    assert run(text, "yaml").text == text


# -- Dockerfile ----------------------------------------------------------------------------------

DOCKERFILE = """\
FROM prefecthq/prefect:0.15.13-python3.8
ENV PREFECT__LOGGING__LOG_TO_CLOUD=true
RUN pip install -r requirements.txt && \\
    prefect register flow --file /flows/etl.py \\
        --project "Prod"
RUN --mount=type=cache,target=/root/.cache prefect register flow --file a.py
CMD ["prefect","register","flow","--file","b.py"]
ENTRYPOINT ["/bin/sh", "-c", "prefect register flow --file c.py"]
RUN prefect agent fargate start --label a
CMD ["prefect", "agent", "fargate", "start"]
# RUN prefect register flow --file comment.py
LABEL x="prefect register flow --file label.py"
"""


def test_dockerfile():
    result = run(DOCKERFILE, "dockerfile")
    assert result.text == (
        "FROM prefecthq/prefect:0.15.13-python3.8\n"
        "ENV PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true\n"
        "RUN pip install -r requirements.txt && \\\n"
        "    prefect register --path /flows/etl.py \\\n"
        '        --project "Prod"\n'
        "RUN --mount=type=cache,target=/root/.cache prefect register --path a.py\n"
        'CMD ["prefect","register","--path","b.py"]\n'
        'ENTRYPOINT ["/bin/sh", "-c", "prefect register --path c.py"]\n'
        "RUN \\\n"
        "    # was: fargate\n"
        "    prefect agent ecs start --label a\n"
        'CMD ["prefect", "agent", "fargate", "start"]\n'
        "# RUN prefect register flow --file comment.py\n"
        'LABEL x="prefect register flow --file label.py"\n'
    )
    assert findings(result) == [
        (2, 5, "PFU496"),
        (4, 5, "PFU498"),
        (6, 44, "PFU498"),
        (7, 6, "PFU498"),
        (8, 31, "PFU498"),
        (11, 5, "PFU497"),
        (12, 6, "PFU497"),
    ]
    assert not result.findings[-1].applied
    assert run(result.text, "dockerfile").text == result.text


def test_dockerfile_two_commands_on_two_lines_cannot_be_one_instruction():
    class Split(TextCodemod):
        code = "PFU499"
        summary = "splits"
        file_kinds = frozenset({"shell"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            self.report(1, 1, "split", applied=True)
            return text.replace("prefect a", "prefect b\nprefect c")

    result = rewrite_text("FROM x\nRUN prefect a\n", "dockerfile", [Split])
    assert result.text == "FROM x\nRUN prefect a\n"
    assert [f.applied for f in result.findings] == [False]


# -- Makefile ------------------------------------------------------------------------------------

MAKEFILE = """\
PROJECT ?= prod
FLOW := flows/etl.py
REGISTER = prefect register flow --file x.py

.PHONY: register
register: deps
\t@prefect register flow --file $(FLOW) --project ${PROJECT} --label $$USER
\t-prefect agent fargate start \\
\t\t--label $(shell whoami)

define SCRIPT
\tprefect register flow --file defined.py
endef
"""


def test_makefile_recipes():
    result = run(MAKEFILE, "makefile")
    assert result.text == MAKEFILE.replace(
        "\t@prefect register flow --file $(FLOW)", "\t@prefect register --path $(FLOW)"
    ).replace("\t-prefect agent fargate start", "\t-# was: fargate\n\t-prefect agent ecs start")
    assert findings(result) == [(7, 3, "PFU498"), (9, 3, "PFU497")]


def test_make_references_are_shell_variables_for_the_codemods():
    masked, refs = mask_make("a $(X) ${Y} $@ $$HOME $(call f,$(Z))")
    assert masked == "a ${PFU_MAKE_0} ${PFU_MAKE_1} ${PFU_MAKE_2} $HOME ${PFU_MAKE_3}"
    assert unmask_make(masked, refs) == "a $(X) ${Y} $@ $$HOME $(call f,$(Z))"


# -- dotenv, toml, requirements, ini ---------------------------------------------------------------


def test_whole_text_kinds():
    assert run("PREFECT__LOGGING__LOG_TO_CLOUD=true\n", "dotenv").text == "PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true\n"
    text = '[logging]\nlevel = "INFO"\n'
    assert run(text, "toml").text == text


def test_toml_verify():
    class Breaks(TextCodemod):
        code = "PFU499"
        summary = "breaks"
        file_kinds = frozenset({"toml"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            return text.replace("prefect", "prefect\"")

    with pytest.raises(SourceError, match="TOML"):
        rewrite_text('[a]\nb = "prefect"\n', "toml", [Breaks])


TOX = """\
[tox]
envlist = py38

[testenv]
deps = prefect==0.15.13
commands =
    pytest {posargs}
    - prefect register flow --file flows/a.py \\
        --project P
    prefect agent fargate start
commands_pre = prefect register flow --file b.py

[flake8]
commands = prefect register flow --file not-tox.py
"""


def test_tox_commands():
    result = run(TOX, "ini")
    assert result.text == (
        TOX.replace("- prefect register flow --file flows/a.py", "- prefect register --path flows/a.py")
        .replace("    prefect agent fargate start\n", "    # was: fargate\n    prefect agent ecs start\n")
        .replace("commands_pre = prefect register flow --file b.py", "commands_pre = prefect register --path b.py")
    )
    assert findings(result) == [(8, 7, "PFU498"), (11, 5, "PFU497"), (12, 16, "PFU498")]


# -- Markdown and reStructuredText ----------------------------------------------------------------

MARKDOWN = """\
# Deploying

Run `prefect register flow --file flows/etl.py` to register (prose stays):
prefect register flow --file prose.py

```bash
prefect register flow --file flows/etl.py --project P
prefect agent fargate start
```

```console
$ prefect register flow --file a.py \\
    --project P
Registering...
prefect register flow --file output-line.py
$ prefect agent fargate start
```

- a list item:

  ```sh
  prefect register flow --file b.py
  ```

```python
from prefect.engine.executors import DaskExecutor
```

```python
from prefect.engine.executors import DaskExecutor
this is ( not python
```

```text
prefect register flow --file text.py
```

An indented line that continues a paragraph is no code block:
    prefect register flow --file lazy.py

    prefect register flow --file indented.py
"""


def test_markdown():
    result = run(MARKDOWN, "markdown")
    assert result.text == (
        MARKDOWN.replace("```bash\nprefect register flow --file flows/etl.py", "```bash\nprefect register --path flows/etl.py")
        .replace("prefect agent fargate start\n```\n\n```console", "# was: fargate\nprefect agent ecs start\n```\n\n```console")
        .replace("$ prefect register flow --file a.py", "$ prefect register --path a.py")
        .replace("$ prefect agent fargate start", "$ # was: fargate\n$ prefect agent ecs start")
        .replace("  prefect register flow --file b.py", "  prefect register --path b.py")
        .replace("    prefect register flow --file indented.py", "    prefect register --path indented.py")
        .replace(
            "```python\nfrom prefect.engine.executors import DaskExecutor\n```",
            "```python\nfrom prefect.executors import DaskExecutor\n```",
        )
    )
    assert "this is ( not python" in result.text and "prefect.engine.executors import DaskExecutor\nthis" in result.text
    assert findings(result) == [
        (7, 1, "PFU498"),
        (9, 1, "PFU497"),
        (13, 3, "PFU498"),
        (18, 3, "PFU497"),
        (24, 3, "PFU498"),
        (28, 1, "PFU495"),  # positions refer to the final text (after the fargate lines were added)
        (43, 5, "PFU498"),  # the indented block
    ]


# Markdown indented code blocks (CommonMark 4.4): `R` marks the register line of each case.
R = "prefect register flow --file x.py"
INDENTED_STAYS = [
    f"A paragraph\n    {R}\n",  # cannot interrupt a paragraph
    f"# Title\n    {R}\n",  # conservative: only after a blank line
    f"1. A list item\n\n    {R}\n",  # a paragraph of the item (content at column 3)
    f"- item\n\n     {R}\n",  # 5 columns: still less than 2 + 4
    f"- item\n  lazy\n\n    {R}\n",
    f"1. item\n\n   - nested\n\n     {R}\n",  # nested item's content at column 5
    f"text\n\n\t{R}\n",  # a tab in the indentation: left alone
    f"<!--\n\n    {R}\n\n-->\n",  # commented out
    f"<pre>\n\n    {R}\n\n</pre>\n",
    f"Text[^1].\n\n[^1]: A footnote.\n\n    {R}\n",  # the footnote's second paragraph (GitHub)
    f"---\ntitle: x\n\nsteps:\n    {R}\n---\n",  # YAML front matter
    "text\n\n    print('prefect register flow --file x.py')\n",  # not a prefect command line
    "text\n\n    Registering prefect register flow --file x.py\n",
]
INDENTED_CHANGES = [
    f"    {R}\n",  # the start of the document counts as a blank line
    f"text\n\n    {R}\n",
    f"text\n\n      {R}\n",  # deeper than needed: the extra columns stay
    f"1. A list item\n\n       {R}\n",  # 3 + 4
    f"- item\n\n      {R}\n",  # 2 + 4
    f"- item\n\nBack out of the list.\n\n    {R}\n",
    f"<!-- a comment -->\n\n    {R}\n",  # a one-line HTML comment is over
    f"[^1]: A footnote.\n\n        {R}\n",  # code inside the footnote: 4 + 4
    f"text\n\n    $ {R}\n    Registering...\n",  # a transcript
    f"text\n\n    cd flows\n    \n    {R}\n",  # a blank line (with its spaces) inside the block
    f"```\nnot closed before the indented block?\n```\n\n    {R}\n",
]


@pytest.mark.parametrize("text", INDENTED_STAYS)
def test_markdown_indented_block_that_is_no_code_stays(text):
    result = run(text, "markdown")
    assert result.text == text
    assert findings(result) == []


@pytest.mark.parametrize("text", INDENTED_CHANGES)
def test_markdown_indented_code_block_is_read_like_an_untagged_fence(text):
    result = run(text, "markdown")
    assert result.text == text.replace(R, "prefect register --path x.py")
    (line,) = [i for i, l in enumerate(text.splitlines(), 1) if R in l]
    assert [(f[0], f[2]) for f in findings(result)] == [(line, "PFU498")]
    column = text.splitlines()[line - 1].index("prefect") + 1
    assert findings(result)[0][1] == column


def test_markdown_indented_block_keeps_its_blank_lines_and_indentation_byte_for_byte():
    text = f"text\n\n    cd flows\n    \n      # deeper\n    {R}\n\t\nafter\n"
    result = run(text, "markdown")
    assert result.text == f"text\n\n    cd flows\n    \n      # deeper\n    prefect register --path x.py\n\t\nafter\n"


RST = """\
Deploying
=========

Run ``prefect register flow --file x.py`` (prose stays). Example::

    from prefect.engine.executors import LocalDaskExecutor

.. code-block:: bash
   :caption: register

   prefect register flow --file flows/etl.py

.. code-block:: console

   $ prefect agent fargate start
   output

::

    prefect register flow --file default-is-python.py

.. highlight:: bash

::

    prefect register flow --file literal.py

.. code-block:: python

    from prefect.engine.executors import DaskExecutor

.. note::

   prefect register flow --file note.py
"""


def test_rst():
    result = run(RST, "rst")
    assert result.text == (
        RST.replace("from prefect.engine.executors import LocalDaskExecutor", "from prefect.executors import LocalDaskExecutor")
        .replace("prefect register flow --file flows/etl.py", "prefect register --path flows/etl.py")
        .replace("   $ prefect agent fargate start", "   $ # was: fargate\n   $ prefect agent ecs start")
        .replace("prefect register flow --file literal.py", "prefect register --path literal.py")
        .replace("from prefect.engine.executors import DaskExecutor", "from prefect.executors import DaskExecutor")
    )
    assert "default-is-python.py" in result.text and "note.py" in result.text


# -- notebooks ------------------------------------------------------------------------------------


def notebook(cells, indent=1, **metadata) -> str:
    document = {
        "cells": cells,
        "metadata": metadata or {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"


def code(source, outputs=()):
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": list(outputs), "source": source}


OUTPUT = {"name": "stdout", "output_type": "stream", "text": ["héllo prefect register flow --file out.py\n"]}


def test_notebook_cells():
    text = notebook(
        [
            {"cell_type": "markdown", "metadata": {}, "source": ["prefect register flow --file md.py\n", "from prefect.engine.executors import A"]},
            code(["%time\n", "from prefect.engine.executors import DaskExecutor\n", "!pip install prefect\n", "for i in x:\n", "    !echo {i}\n", "len?"], [OUTPUT]),
            code(["!prefect register flow --file flows/a.py\n", "x = !prefect agent fargate start\n", "print('ü')"]),
            code(["%%bash\n", "prefect register flow --file b.py\n", "prefect agent fargate start"]),
            code("from prefect.engine.executors import LocalExecutor\n"),
            code(["from prefect.engine.executors import LocalExecutor\n", "this is ( broken"]),
        ]
    )
    result = run(text, "notebook")
    after = json.loads(result.text)
    sources = [cell["source"] for cell in after["cells"]]
    assert sources == [
        ["prefect register flow --file md.py\n", "from prefect.engine.executors import A"],
        ["%time\n", "from prefect.executors import DaskExecutor\n", "!pip install prefect\n", "for i in x:\n", "    !echo {i}\n", "len?"],
        ["!prefect register --path flows/a.py\n", "# was: fargate\n", "x = !prefect agent ecs start\n", "print('ü')"],
        ["%%bash\n", "prefect register --path b.py\n", "# was: fargate\n", "prefect agent ecs start"],
        "from prefect.executors import LocalExecutor\n",
        ["from prefect.executors import LocalExecutor\n", "this is ( broken"] if False else ["from prefect.engine.executors import LocalExecutor\n", "this is ( broken"],
    ]
    assert after["cells"][1]["outputs"] == [OUTPUT]
    # the layout of the file stays: only the changed source lines differ
    before_lines, after_lines = text.splitlines(), result.text.splitlines()
    assert len(after_lines) == len(before_lines) + 2
    assert [line for line in after_lines if line not in before_lines] == [
        '    "from prefect.executors import DaskExecutor\\n",',
        '    "!prefect register --path flows/a.py\\n",',
        '    "# was: fargate\\n",',
        '    "x = !prefect agent ecs start\\n",',
        '    "prefect register --path b.py\\n",',
        '    "# was: fargate\\n",',
        '    "prefect agent ecs start"',
        '   "source": "from prefect.executors import LocalExecutor\\n"',
    ]
    lines = {f.code: [] for f in result.findings}
    for f in result.findings:
        lines[f.code].append(f.line)
    assert after_lines[lines["PFU495"][0] - 1].strip().startswith('"from prefect.executors import DaskExecutor')
    assert run(result.text, "notebook").text == result.text


def test_notebook_keeps_its_own_json_style():
    text = notebook([code(["from prefect.engine.executors import DaskExecutor\n", "x = 'é'"])], indent=2).replace("é", "\\u00e9")
    text = text.rstrip("\n")  # no final newline
    result = run(text, "notebook", [FakeExecutors])
    assert result.text == text.replace("prefect.engine.executors", "prefect.executors")


def test_notebook_of_another_language_is_left_alone():
    text = notebook([code(["!prefect register flow --file a.py"])], kernelspec={"language": "R", "name": "ir"})
    assert run(text, "notebook").text == text


def test_broken_notebook_is_a_one_line_error():
    with pytest.raises(SourceError) as error:
        run('{"cells": [prefect register flow --file x.py', "notebook")
    assert "\n" not in str(error.value) and "not a valid notebook" in str(error.value)


# -- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("words", [["prefect", "run", "--param", "a=1 b"], ["sh", "-c", "a | b"], ["x", "it's"]])
def test_argument_lists_round_trip(words):
    assert shell_to_argv(argv_to_shell(words)) == words


def test_a_command_line_that_is_not_one_command_is_no_argument_list():
    assert shell_to_argv("a && b") is None
    assert shell_to_argv("# note\na") is None
    assert shell_to_argv("a # note") is None


@pytest.mark.parametrize("kind", ["yaml", "dockerfile", "makefile", "ini", "markdown", "rst", "notebook", "shell"])
def test_nothing_to_do_leaves_text_identical(kind):
    texts = {
        "notebook": notebook([code(["prefect_version = 1\n", "!prefect register --path a.py"])]),
    }
    text = texts.get(kind, "prefect register --path a.py\nprefect server start\nprefect run --name x\n")
    assert run(text, kind, ALL).text == text


def test_dockerfile_onbuild_and_healthcheck():
    text = "FROM x\nHEALTHCHECK --interval=5m CMD prefect register flow --file a.py\nONBUILD RUN prefect register flow --file b.py\n"
    result = run(text, "dockerfile")
    assert result.text == text.replace("register flow --file", "register --path")
    assert findings(result) == [(2, 31, "PFU498"), (3, 13, "PFU498")]


PYPROJECT = """\
[project]
name = "flows"
description = "prefect register flow --file not-a-task.py"

[tool.taskipy.tasks]
register = "prefect register flow --file flows/etl.py --project \\"ETL\\""
agent = { cmd = "prefect agent fargate start", help = "start it" }
both = ['prefect register flow --file a.py', "pytest"]

[tool.poe.tasks]
reg = 'prefect register flow --file b.py'
"""


def test_toml_task_runner_commands():
    result = run(PYPROJECT, "toml")
    assert result.text == PYPROJECT.replace("--file not-a-task", "--FILE").replace(
        "register flow --file", "register --path"
    ).replace("--FILE", "--file not-a-task")
    assert findings(result) == [(6, 13, "PFU498"), (7, 18, "PFU497"), (8, 10, "PFU498"), (11, 8, "PFU498")]
    assert not result.findings[1].applied  # a comment line cannot go into a one-line string


def test_makefile_conditionals_inside_a_rule():
    text = "deploy:\nifeq ($(ENV),prod)\n\tprefect register flow --file a.py\nelse\n\techo skip\nendif\n"
    assert run(text, "makefile").text == text.replace("register flow --file", "register --path")


def test_yaml_template_expressions_are_one_unknown_word():
    seen = []

    class Spy(TextCodemod):
        code = "PFU499"
        summary = "spy"
        file_kinds = frozenset({"shell"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            seen.append(text)
            return text.replace("--file", "--path")

    text = "steps:\n  - run: prefect register flow --file ${{ matrix.flow }} --label {{ .Values.label }}\n"
    result = rewrite_text(text, "yaml", [Spy])
    assert seen == ["prefect register flow --file ${PFU_EXPR_0} --label ${PFU_EXPR_1}"]
    assert result.text == text.replace("--file", "--path")


def test_notebook_env_magic_and_columns():
    text = notebook([code(["%env PREFECT__LOGGING__LOG_TO_CLOUD=true\n", "  !prefect register flow --file \"é.py\""])])
    result = run(text, "notebook", [FakeEnvName, FakeRegister])
    assert json.loads(result.text)["cells"][0]["source"] == [
        "%env PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true\n",
        "  !prefect register --path \"é.py\"",
    ]
    lines = result.text.splitlines()
    for finding, needle in zip(result.findings, ("PREFECT__CLOUD", "prefect register")):
        assert lines[finding.line - 1][finding.col - 1 :].startswith(needle)


@pytest.mark.parametrize("kind, text", [
    ("yaml", "steps:\n  - run: |\n      prefect register flow --file a.py\n      prefect agent fargate start\n"),
    ("dockerfile", "FROM x\nRUN prefect register flow --file a.py && \\\n    prefect agent fargate start --label a\n"),
    ("markdown", "# x\n\n```bash\nprefect register flow --file a.py\n```\n"),
])
def test_crlf_files_keep_crlf(kind, text):
    expected = run(text, kind).text
    assert expected != text
    result = run(text.replace("\n", "\r\n"), kind)
    assert result.text == expected.replace("\n", "\r\n")


def test_markdown_and_rst_blocks_of_other_kinds_go_to_their_rewriters():
    text = (
        "# Config\n\n"
        "```yaml\n"
        "env:\n"
        "  PREFECT__LOGGING__LOG_TO_CLOUD: 'true'\n"
        "steps:\n"
        "  - run: prefect register flow --file a.py\n"
        "```\n\n"
        "```dockerfile\n"
        "RUN prefect register flow --file b.py\n"
        "```\n\n"
        "Prose: PREFECT__LOGGING__LOG_TO_CLOUD and yaml: prefect register flow --file c.py\n"
    )
    yaml_only = type("YamlEnv", (FakeEnvName,), {"file_kinds": frozenset({"yaml"})})
    result = rewrite_text(text, "markdown", [yaml_only, FakeRegister])
    assert result.text == text.replace(
        "  PREFECT__LOGGING__LOG_TO_CLOUD: 'true'", "  PREFECT__CLOUD__SEND_FLOW_RUN_LOGS: 'true'"
    ).replace("register flow --file a.py", "register --path a.py").replace("register flow --file b.py", "register --path b.py")
    assert findings(result) == [(5, 3, "PFU496"), (7, 10, "PFU498"), (11, 5, "PFU498")]
    rst = ".. code-block:: yaml\n\n   env:\n     PREFECT__LOGGING__LOG_TO_CLOUD: 'true'\n"
    assert rewrite_text(rst, "rst", [yaml_only]).text == rst.replace("LOGGING__LOG_TO_CLOUD", "CLOUD__SEND_FLOW_RUN_LOGS")


def test_a_yaml_example_that_does_not_load_still_has_its_commands_rewritten():
    # a README's sketch of a workflow: the steps pasted under `container:`'s sibling, not under steps:
    text = (
        "```yaml\n"
        "jobs:\n"
        "  deploy:\n"
        "    env:\n"
        "      KEY: ${{ secrets.KEY }}\n"
        "    - name: Register flow\n"
        "      run: prefect register flow --file a.py\n"
        "```\n"
    )
    result = rewrite_text(text, "markdown", [FakeRegister])
    assert result.text == text.replace("register flow --file a.py", "register --path a.py")
    assert findings(result) == [(7, 12, "PFU498")]
    # a TOML block that does not load stays as it was
    toml = "```toml\n[cloud\nx = \"prefect register flow --file a.py\"\n```\n"
    assert rewrite_text(toml, "markdown", [FakeRegister]).text == toml


def test_dockerfile_shell_form_that_starts_with_a_bracket():
    text = "FROM x\nRUN [ -f flows/a.py ] && prefect register flow --file flows/a.py\n"
    assert run(text, "dockerfile").text == text.replace("register flow --file", "register --path")


def test_yaml_anchors_and_tags_before_a_script():
    text = "a:\n  script: &register |\n    prefect register flow --file a.py\nb:\n  run: !!str prefect register flow --file b.py\n"
    assert run(text, "yaml").text == text.replace("register flow --file", "register --path")


def test_yaml_verify_reads_custom_tags():
    class Breaks(TextCodemod):
        code = "PFU499"
        summary = "breaks"
        file_kinds = frozenset({"yaml"})
        markers = ("prefect",)

        def rewrite_text(self, text, kind):
            return text.replace("  - prefect x", "  - prefect x\n - y")

    with pytest.raises(SourceError, match="YAML"):
        rewrite_text("job:\n  script:\n  - !reference [.setup, script]\n  - prefect x\n", "yaml", [Breaks])


def test_notebook_python_that_only_looks_like_magic_stays_python():
    source = ["from prefect.engine.executors import LocalExecutor\n", "ok = (1\n", "!= 2)\n", "s = ('%s'\n", "% 3)"]
    text = notebook([code(source)])
    result = run(text, "notebook", [FakeExecutors])
    assert json.loads(result.text)["cells"][0]["source"] == ["from prefect.executors import LocalExecutor\n"] + source[1:]


def test_systemd_and_supervisor_commands():
    unit = (
        "[Unit]\nDescription=Prefect agent\n\n[Service]\nEnvironment=PREFECT__LOGGING__LOG_TO_CLOUD=true\n"
        "ExecStartPre=-/usr/bin/prefect register flow --file /srv/a.py \\\n    --project P\n"
        "ExecStart=/usr/local/bin/prefect agent fargate start\nRestart=always\n"
    )
    result = run(unit, "ini")
    assert result.text == unit.replace("LOGGING__LOG_TO_CLOUD", "CLOUD__SEND_FLOW_RUN_LOGS").replace(
        "register flow --file", "register --path"
    )
    assert [(f.code, f.applied) for f in result.findings] == [("PFU496", True), ("PFU498", True), ("PFU497", False)]
    program = "[program:agent]\ncommand=prefect register flow --file a.py\n[other]\ncommand=prefect register flow --file b.py\n"
    assert run(program, "ini").text == program.replace("flow --file a.py", "--path a.py")


JENKINSFILE = r"""pipeline {
  stages {
    stage('Register') {
      steps {
        sh 'prefect register flow --file flows/etl.py --project \'ETL\''
        sh "prefect register flow --file ${env.FLOW} --label \$HOME --label $LABEL"
        sh '''
          prefect register flow --file b.py \\
            --project ETL
          prefect agent fargate start
        '''
        // sh 'prefect register flow --file commented.py'
        script {
          def out = sh(returnStdout: true, script: "prefect register flow --file c.py").trim()
        }
        sh 'prefect register flow --file ' + flowPath
        echo 'prefect register flow --file not-a-step.py'
      }
    }
  }
}
"""


def test_jenkinsfile_sh_steps():
    seen = []

    class Spy(FakeRegister):
        def rewrite_text(self, text, kind):
            seen.append(text)
            return super().rewrite_text(text, kind)

    result = rewrite_text(JENKINSFILE, "jenkinsfile", [Spy, FakeFargate])
    assert seen == [
        "prefect register flow --file flows/etl.py --project 'ETL'",
        "prefect register flow --file ${PFU_EXPR_0} --label $HOME --label ${PFU_EXPR_1}",
        "\n          prefect register flow --file b.py \\\n            --project ETL\n          prefect agent fargate start\n        ",
        "prefect register flow --file c.py",
    ]
    expected = JENKINSFILE
    for old in ("flows/etl.py", "${env.FLOW}", "b.py", "c.py"):
        expected = expected.replace(f"register flow --file {old}", f"register --path {old}")
    expected = expected.replace(
        "          prefect agent fargate start\n", "          # was: fargate\n          prefect agent ecs start\n"
    )
    assert result.text == expected
    assert run(result.text, "jenkinsfile").text == result.text


def test_broken_yaml_is_a_one_line_error_but_templates_are_rewritten():
    with pytest.raises(SourceError) as error:
        run("steps:\n  - run: prefect register flow --file a.py\n  bad: [unclosed\n", "yaml")
    assert "\n" not in str(error.value) and "not valid YAML" in str(error.value) and "line" in str(error.value)
    template = "{{- if .Values.x }}\nsteps:\n  - run: prefect register flow --file a.py\n{{- end }}\n"
    assert "register --path" in run(template, "yaml").text
    tagged = "nav: !!python/name:x.y\nsteps:\n  - run: prefect register flow --file a.py\n"
    assert "register --path" in run(tagged, "yaml").text


def test_notebook_markdown_cells_have_code_blocks():
    cell = {"cell_type": "markdown", "metadata": {}, "source": [
        "Run `prefect register flow --file a.py`, or:\n", "```bash\n", "prefect register flow --file b.py\n", "```"]}
    text = notebook([cell])
    result = run(text, "notebook")
    assert json.loads(result.text)["cells"][0]["source"] == [
        "Run `prefect register flow --file a.py`, or:\n", "```bash\n", "prefect register --path b.py\n", "```"]


def test_kubernetes_args_next_to_a_command_are_one_command_line():
    seen = []

    class Spy(FakeRegister):
        markers = ("register",)

        def rewrite_text(self, text, kind):
            seen.append(text)
            return super().rewrite_text(text, kind)

    text = (
        "containers:\n"
        "  - name: register\n"
        "    image: prefecthq/prefect:0.15.13\n"
        '    command: ["prefect"]\n'
        "    args:\n"
        "      - register\n"
        "      - flow\n"
        "      - --file\n"
        "      - /flows/a.py\n"
        "  - name: other\n"
        '    args: ["register", "flow", "--file", "b.py"]\n'
        "  - command:\n"
        "      - prefect\n"
        "      - register\n"
        '    args: ["flow", "--file", "c.py"]\n'
    )
    result = rewrite_text(text, "yaml", [Spy])
    assert "prefect register flow --file /flows/a.py" in seen
    assert "register flow --file b.py" in seen  # no command next to it: no prefix
    assert "prefect register flow --file c.py" in seen
    assert result.text == text.replace("      - flow\n      - --file\n", "      - --path\n").replace(
        '["flow", "--file", "c.py"]', '["--path", "c.py"]'
    )


@pytest.mark.parametrize(
    "text, compose",
    [
        ("version: '3'\nservices:\n  agent:\n    image: x\n", True),
        ("services:\n\n  # the agent\n  agent:\n    image: x\n", True),
        ("services: # all of them\n  agent: {image: x}\n", True),
        ("image: python:3.8\nservices:\n  - docker:dind\nbuild:\n  script: [echo]\n", False),  # GitLab CI
        ("apiVersion: v1\nkind: Service\nspec:\n  services:\n    a: 1\n", False),  # not top-level
        ("jobs:\n  a:\n    runs-on: ubuntu-latest\n", False),
    ],
)
def test_compose_files_are_told_from_other_yaml(text, compose):
    from prefect_upgrade.rewriters.yaml import is_compose

    assert is_compose(text) is compose


def test_compose_dollars_are_what_the_container_shell_sees():
    from prefect_upgrade.rewriters.yaml import YamlRewriter

    compose = "services:\n  a:\n    command: sh -c \"prefect run flow --name $$(cat n) --label $$L -p ${P:-x} $HOME\"\n"
    (fragment,) = YamlRewriter().shell_fragments(compose)
    # compose's $$ is the container shell's $; the host's variables are words of unknown value
    assert fragment.text == 'sh -c "prefect run flow --name $(cat n) --label $L -p ${PFU_COMPOSE_0} ${PFU_COMPOSE_1}"'
    # and back: every $ doubled again, the host's variables as they were
    assert fragment.raw_for(fragment.text.replace("run flow", "run")) == (
        'sh -c "prefect run --name $$(cat n) --label $$L -p ${P:-x} $HOME"'
    )
    # outside docker-compose files, `$$` is the shell's own
    gitlab = "build:\n  script:\n    - prefect run flow --name $$(cat n)\n"
    (fragment,) = YamlRewriter().shell_fragments(gitlab)
    assert fragment.text == "prefect run flow --name $$(cat n)"



@pytest.mark.parametrize(
    "text, kubernetes",
    [
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n", True),
        ("# agent\n---\nkind: Job\napiVersion: batch/v1\n", True),
        ("apiVersion: v1\nmetadata:\n  kind: Pod\n", False),  # kind not top-level
        ("jobs:\n  a:\n    kind: x\n    apiVersion: y\n", False),
    ],
)
def test_kubernetes_manifests_are_told_from_other_yaml(text, kubernetes):
    from prefect_upgrade.rewriters.yaml import is_kubernetes

    assert is_kubernetes(text) is kubernetes


K8S = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n"


def test_kubernetes_dollars_are_what_the_container_sees():
    from prefect_upgrade.rewriters.yaml import YamlRewriter

    text = K8S + '      args: ["sh", "-c", "echo $$(date) $HOME $$$$ && prefect run flow --name $(FLOW) -l $$L"]\n'
    (fragment,) = YamlRewriter().shell_fragments(text)
    # Kubernetes' $$ is a $; $(VAR), the container's variable, a word of unknown value; a lone $ stays
    assert fragment.text == "echo $(date) $HOME $$ && prefect run flow --name ${PFU_K8S_0} -l $L"
    # and back: what the codemod left is written as the file wrote it, $(VAR) put back
    assert fragment.raw_for(fragment.text.replace("run flow", "run")) == (
        '"echo $$(date) $HOME $$$$ && prefect run --name $(FLOW) -l $$L"'
    )
    # a $ the codemod writes is written in the escaped form
    assert fragment.raw_for(fragment.text + " -p x=$Y") == (
        '"echo $$(date) $HOME $$$$ && prefect run flow --name $(FLOW) -l $$L -p x=$$Y"'
    )
    # exec form: each item is one word; $$ and $(VAR) there too
    (fragment,) = YamlRewriter().shell_fragments(K8S + '      command: ["prefect", "run", "--label", "$(NS)", "$$x"]\n')
    assert fragment.text == "prefect run --label '${PFU_K8S_0}' '$x'"


@pytest.mark.parametrize(
    "text",
    [
        # not a Kubernetes manifest: $$ is the shell's own
        "build:\n  script:\n    - prefect run flow --name $$(cat n)\n",
        # a Kubernetes manifest, but a key Kubernetes does not expand (a ConfigMap's script)
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  script: |\n    prefect run flow --name $$(cat n)\n",
    ],
)
def test_dollars_outside_kubernetes_commands_stay_the_shells(text):
    from prefect_upgrade.rewriters.yaml import YamlRewriter

    (fragment,) = YamlRewriter().shell_fragments(text)
    assert fragment.text == "prefect run flow --name $$(cat n)"


def test_kubernetes_command_with_dollars_is_rewritten_whole_with_exact_columns():
    line = '        - echo at $$(date +%s) && prefect agent start kubernetes --label $(NS) --label $$HOSTNAME\n'
    text = K8S + "      command: [/bin/sh, -c]\n      args:\n" + line
    result = upgrade(text, "yaml")
    assert result.text == text.replace("agent start kubernetes", "agent kubernetes start")
    (finding,) = result.findings
    assert finding.code == "PFU404" and finding.applied
    assert (finding.line, finding.col) == (8, line.index("start kubernetes") + 1)
    assert upgrade(result.text, "yaml").text == result.text
    # a fix that moves words keeps the escaped form around them
    unsafe = upgrade(K8S + "      args: [sh, -c, 'prefect auth login -t $$(cat /t) && echo $(NS)']\n", "yaml",
                     options=CodemodOptions(unsafe_fixes=True))
    assert "[sh, -c, 'prefect auth login --key $$(cat /t) && echo $(NS)']" in unsafe.text


def test_a_rewritten_block_with_as_many_lines_but_moved_blank_lines_copies_no_code():
    from prefect_upgrade.rewriters.markdown import MarkdownRewriter

    text = "intro\n\n    a = 1\n    b = 2\n      \n    prefect run flow\n"
    ((_, fragment),) = MarkdownRewriter().blocks(text)
    assert fragment.text == "a = 1\nb = 2\n\nprefect run flow"
    # the same number of lines, but a blank line now falls where `b = 2` was (a real docs page
    # had its blank lines replaced by the code lines they fell on)
    assert fragment.raw_for("a = 1\n\n# note\nprefect run") == "    a = 1\n\n    # note\n    prefect run"
    # a blank line that stays a blank line keeps its spaces
    assert fragment.raw_for("a = 1\nb = 2\n\nprefect run") == "    a = 1\n    b = 2\n      \n    prefect run"


# -- finding columns after references (Makefile $(VAR)/${VAR}/$$, Jenkinsfile escapes/interpolations)


@pytest.mark.parametrize(
    "recipe",
    [
        # stays: nothing before the option is masked
        "\tprefect agent kubernetes start --token T --label $(LABEL)",
        # after make references longer and shorter than the placeholder, and $$
        "\tprefect agent kubernetes start --label $(LABEL) --token T",
        "\t@prefect agent kubernetes start --label ${ENV}-$$HOSTNAME --label $(L) --token T",
        "\t-prefect agent kubernetes start --label $(shell hostname) --label $@ \\\n\t  --label $(A) --token T",
    ],
)
def test_makefile_finding_columns_after_references_are_exact(recipe):
    text = "agent:\n" + recipe + "\n"
    result = upgrade(text, "makefile")
    [finding] = [f for f in result.findings if "--token" in f.message]
    lines = text.splitlines()
    line = next(n for n, content in enumerate(lines, 1) if "--token" in content)
    assert (finding.line, finding.col) == (line, lines[line - 1].index("--token T") + 1)


@pytest.mark.parametrize(
    "step",
    [
        # stays: nothing before the option is decoded
        'sh "prefect agent kubernetes start --token T --label ${env.LABEL}"',
        # after Groovy escapes and interpolations that do not add up to the placeholder's length
        'sh "prefect agent kubernetes start --label ${env.AGENT_LABEL} --token T"',
        'sh "prefect agent kubernetes start --label $LABEL --label \\"x y\\" --token T"',
        "sh 'prefect agent kubernetes start --label \\'x y\\' --token T'",
        "sh '''prefect agent kubernetes start --label \\\\\n    \\'a\\' --token T'''",
    ],
)
def test_jenkinsfile_finding_columns_after_escapes_and_interpolations_are_exact(step):
    text = "node {\n    " + step + "\n}\n"
    result = upgrade(text, "jenkinsfile")
    [finding] = [f for f in result.findings if "--token" in f.message]
    lines = text.splitlines()
    line = next(n for n, content in enumerate(lines, 1) if "--token" in content)
    assert (finding.line, finding.col) == (line, lines[line - 1].index("--token T") + 1)
