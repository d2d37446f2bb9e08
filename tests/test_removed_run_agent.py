"""PFU307: Flow.run_agent(token=)."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "from prefect import Flow\nflow = Flow('x')\nflow.run_agent(api_key=K)\n",
    "class R:\n    def run_agent(self, token=None): ...\nR().run_agent(token='t')\n",
    "agent.run_agent(token='t')\n",  # no Prefect in the module at all
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text and result.findings == []


@pytest.mark.parametrize(
    "setup",
    ["from prefect import Flow\nflow = Flow('x')\n", "import prefect\nwith prefect.Flow('x') as flow:\n    pass\n"],
)
def test_known_flow_is_unsafe(setup):
    text = setup + "flow.run_agent(token=T)\n"
    default = run(text)
    assert default.text == text
    assert [(f.code, f.fix_class, f.applied) for f in default.findings] == [("PFU307", FixClass.UNSAFE, False)]
    assert run(text, unsafe=True).text.endswith("flow.run_agent(api_key=T)\n")


def test_unknown_receiver_is_reported_only():
    text = "import prefect\nfrom flows import flow\nflow.run_agent(token=T)\n"
    result = run(text, unsafe=True)
    assert result.text == text
    (finding,) = result.findings
    assert finding.fix_class is FixClass.MANUAL and "if `flow` is a Prefect Flow" in finding.message


@pytest.mark.parametrize("path", fixture_cases("removed_run_agent"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")
