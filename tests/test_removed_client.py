"""PFU302 and sub-codes: the token-era Client API."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "import prefect\nc = prefect.Client(api_key=K)\nc.switch_tenant(tenant_id=T)\nc.tenant_id\n",
    # receivers that are not (known to be) a Prefect Client
    "class S:\n    def login_to_tenant(self): ...\ns = S()\ns.login_to_tenant()\n",
    "def f(c):\n    return c.login_to_tenant(tenant_slug='x'), c.active_tenant_id\n",
    "from mylib import Client\nc = Client(api_token=T)\nc.login_to_tenant()\n",
    "import requests\nrequests.get(url, token=T)\n",
    "from prefect import Client\nc = Client()\nc = object()\nc.login_to_tenant()\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text
    assert result.findings == []


@pytest.mark.parametrize(
    "setup",
    [
        "import prefect\nc = prefect.Client()\n",
        "from prefect import Client as C\nc = C()\n",
        "from prefect.client import Client\nc: Client = make()\n",
        "from prefect.client.client import Client\n",  # with a parameter annotation below
    ],
)
def test_known_receivers_are_renamed(setup):
    if setup.endswith("client import Client\n"):
        text = setup + "def f(c: Client):\n    return c.login_to_tenant(tenant_slug='x'), c.active_tenant_id\n"
    else:
        text = setup + "c.login_to_tenant(tenant_slug='x')\nc.active_tenant_id\n"
    result = run(text)
    assert "switch_tenant(tenant_slug='x')" in result.text
    assert "c.tenant_id" in result.text and "login_to_tenant" not in result.text
    assert {f.code for f in result.findings} == {"PFU321", "PFU322"}


def test_chained_constructor_receiver():
    text = "from prefect import Client\ntoken = Client().get_auth_token()\n"
    assert run(text).text == "from prefect import Client\ntoken = Client().api_key\n"


def test_self_attribute_receiver():
    text = (
        "from prefect import Client\n"
        "class S:\n"
        "    def __init__(self):\n"
        "        self.client = Client()\n"
        "    def t(self):\n"
        "        return self.client.active_tenant_id\n"
    )
    assert "self.client.tenant_id" in run(text).text


def test_api_token_is_unsafe_with_a_todo():
    text = "import prefect\nclient = prefect.Client(api_token=TOKEN)\n"
    default = run(text)
    assert default.text == text
    (finding,) = default.findings
    assert (finding.code, finding.fix_class, finding.applied) == ("PFU302", FixClass.UNSAFE, False)
    assert finding.message.endswith("(fix available with --unsafe-fixes)")
    unsafe = run(text, unsafe=True)
    assert unsafe.text == (
        "import prefect\n"
        "# TODO(prefect-upgrade PFU302): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key\n"
        "client = prefect.Client(api_key=TOKEN)\n"
    )


def test_save_api_token_and_logout_are_manual():
    text = "from prefect import Client\nc = Client()\nc.save_api_token()\nc.logout_from_tenant()\n"
    result = run(text, unsafe=True)
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [
        ("PFU324", FixClass.MANUAL),
        ("PFU325", FixClass.MANUAL),
    ]
    assert "save_auth_to_disk()" in result.findings[1].message


def test_positional_token_is_reported_for_old_sources_only():
    text = "from prefect import Client\nClient('https://api.prefect.io', TOKEN)\n"
    assert run(text, from_version="0.15").findings == []
    (finding,) = run(text, from_version="0.13").findings
    assert finding.fix_class is FixClass.MANUAL and "api_token" in finding.message


@pytest.mark.parametrize("path", fixture_cases("removed_client"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")
