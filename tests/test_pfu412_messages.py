"""PFU412 (auth-token settings that 1.0 ignores), trial 11. Reported once a line (a deploy
script's ``echo "PREFECT__CLOUD__AGENT__AUTH_TOKEN is set to ${PREFECT__CLOUD__AGENT__AUTH_TOKEN}"``
gave two identical findings on one line)."""

from __future__ import annotations

import pytest

from casefiles import upgrade

A = "PREFECT__CLOUD__AGENT__AUTH_TOKEN"
C = "PREFECT__CLOUD__AUTH_TOKEN"


def places(text: str, kind: str = "shell") -> list[tuple[int, int]]:
    result = upgrade(text, kind, select=("PFU412",))
    assert result.text == text
    return [(f.line, f.col) for f in result.findings if f.code == "PFU412"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # the same setting twice on a line: one finding, at the first
        (f'echo "{A} is set to ${{{A}}}"\n', [(1, 7)]),
        (f'if [ -z "${{{A}}}" ]; then export {A}=$KEY; fi\n', [(1, 12)]),
        # two settings on a line: one each
        (f"docker run -e {C} -e {A} image\n", [(1, 15), (1, 45)]),
        # one a line, on each line
        (f"export {A}=$T\nexport {A}=$T\n", [(1, 8), (2, 8)]),
        # a CI secret's own name first, the setting after it: the setting is reported
        (f"{A}: ${{{{ secrets.{A} }}}} ${A}\n", [(1, 1)]),
    ],
)
def test_a_token_setting_is_reported_once_a_line(text, expected):
    assert places(text, "yaml" if text.startswith(A + ":") else "shell") == expected


def test_a_secret_name_before_the_setting_does_not_hide_it():
    text = f"env:\n  X: ${{{{ secrets.{A} }}}} and {A}\n"
    assert places(text, "yaml") == [(2, 59)]


MANIFEST_015 = f"""\
spec:
  containers:
    - name: agent
      env:
        - name: {A}
          value: ''
        - name: PREFECT__CLOUD__API_KEY
          value: MY_KEY
"""


def test_next_to_an_api_key_the_finding_says_to_remove_the_old_setting():
    # the shape `prefect agent kubernetes install -k KEY` printed in 0.15: both settings
    result = upgrade(MANIFEST_015, "yaml", select=("PFU412",))
    assert result.text == MANIFEST_015
    (finding,) = result.findings
    assert (finding.line, finding.col) == (5, 17)
    assert f"remove {A} once PREFECT__CLOUD__API_KEY holds the API key" in finding.message
    assert "set PREFECT__CLOUD__API_KEY instead" not in finding.message


@pytest.mark.parametrize(
    "text",
    [
        MANIFEST_015.replace("PREFECT__CLOUD__API_KEY", "PREFECT__CLOUD__TENANT_ID"),
        MANIFEST_015.replace("PREFECT__CLOUD__API_KEY", "MY_PREFECT__CLOUD__API_KEY_X"),
    ],
)
def test_without_an_api_key_the_finding_says_to_set_one(text):
    (finding,) = upgrade(text, "yaml", select=("PFU412",)).findings
    assert "set PREFECT__CLOUD__API_KEY instead" in finding.message


ENVSUBST = f"""\
env:
  - name: {A}
    value: ${{{A}}}
  - name: PREFECT__CLOUD__API
    value: https://api.prefect.io
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        # envsubst passes the host's variable on: the `name:` line's finding covers the value
        (ENVSUBST, [(2, 11)]),
        (ENVSUBST.replace(f"${{{A}}}", f"'${A}'"), [(2, 11)]),
        # a value naming another token variable, or more than the variable, is reported
        (ENVSUBST.replace(f"value: ${{{A}}}", f"value: ${{{C}}}"), [(2, 11), (3, 14)]),
        (ENVSUBST.replace(f"value: ${{{A}}}", f"value: Bearer ${{{A}}}"), [(2, 11), (3, 21)]),
        # a value that is not under its name line is reported
        (f"env:\n  - name: OTHER\n    value: ${{{A}}}\n", [(3, 14)]),
    ],
)
def test_an_envsubst_value_under_its_name_is_one_finding(text, expected):
    assert places(text, "yaml") == expected
