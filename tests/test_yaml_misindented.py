"""A README's CI sketch with a mis-indented key (trial 11, a GitLab example in a Markdown README)::

    before_script:
    - pip install -r requirements.txt
      script:
      - prefect auth login -t $KEY

The block does not load (YAML: "mapping values are not allowed here"), and Markdown ```yaml blocks
are read line by line anyway; ``script:`` was taken as more words of the plain item above it, so
its commands were neither rewritten nor reported. A plain scalar never holds a ``key:``, so such a
line now ends the item; YAML that loads is read as before.
"""

from __future__ import annotations

import pytest

from kinds_fakes import FakeRegister, findings, run
from prefect_upgrade.rewriters.yaml import YamlRewriter


def shell_texts(text: str) -> list[str]:
    return [fragment.text for fragment in YamlRewriter().shell_fragments(text)]


SKETCH = (
    "register:\n"
    "  image: python:3.8\n"
    "  before_script:\n"
    "  - pip install -r requirements.txt\n"
    "    script:\n"
    "    - prefect register flow --file flow.py\n"
)


def test_a_key_under_a_plain_item_starts_a_script_of_its_own():
    assert shell_texts(SKETCH) == ["pip install -r requirements.txt", "prefect register flow --file flow.py"]
    markdown = "# CI\n\n```yaml\n" + SKETCH + "```\n"
    result = run(markdown, "markdown", [FakeRegister])
    assert result.text == markdown.replace("register flow --file", "register --path")
    assert findings(result) == [(9, 7, "PFU498")]


def test_a_key_under_a_plain_value_ends_it():
    text = "job:\n  script: pip install x\n    after_script: prefect register flow --file a.py\n"
    assert shell_texts(text) == ["pip install x", "prefect register flow --file a.py"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a plain item folded over more lines (YAML that loads): one command, as before
        ("script:\n  - prefect register flow\n    --file a.py\n", ["prefect register flow \\\n--file a.py"]),
        # a dash on a continuation line is a word of the item, not an item
        ("script:\n  - echo a\n    - b\n", ["echo a \\\n- b"]),
        # a mapping item's keys belong to it (a GitLab `- if:` rule, a step)
        ("script:\n  - if: $CI\n    when: always\n  - prefect register flow --file a.py\n", ["prefect register flow --file a.py"]),
        # a quoted item may hold `key: value` on its next line
        ("script:\n  - \"echo a\n    b: c\"\n", []),
    ],
)
def test_yaml_that_loads_is_read_as_before(text, expected):
    import yaml

    yaml.safe_load(text)  # these load: the change is only for text that does not
    found = shell_texts(text)
    if expected:
        assert found == expected
    assert run(text, "yaml", [FakeRegister]).text == text.replace("register flow --file", "register --path")
