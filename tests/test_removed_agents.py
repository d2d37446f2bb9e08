"""PFU301 and sub-codes: agent arguments and classes removed in Prefect 1.0."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import findings, render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "from prefect.agent.docker import DockerAgent\nDockerAgent(networks=['n'], labels=['a'])\n",
    "from mylib import DockerAgent\nDockerAgent(docker_interface=False, network='n')\n",
    "class DockerAgent:\n    def __init__(self, **kw): pass\nDockerAgent(docker_interface=True)\n",
    "from prefect.agent.local import LocalAgent\nLocalAgent(labels=['x'])\n",
    "import prefect\n# from prefect.agent.fargate import FargateAgent\nx = 'FargateAgent'\n",
    "from prefect.agent.kubernetes import KubernetesAgent\nKubernetesAgent.generate_deployment_yaml(key=K)\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text
    assert result.findings == []


def test_docker_interface_is_dropped_with_a_comment():
    text = "from prefect.agent.docker import DockerAgent as DA\nDA(docker_interface=False, labels=['a'])\n"
    result = run(text)
    assert result.text == (
        "from prefect.agent.docker import DockerAgent as DA\n"
        "# prefect-upgrade PFU301: dropped `docker_interface=False` (no effect since Prefect 0.14.18; removed in 1.0)\n"
        "DA(labels=['a'])\n"
    )
    assert [(f.code, f.fix_class, f.applied) for f in result.findings] == [("PFU301", FixClass.SAFE, True)]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("'etl'", "networks=['etl']"),
        ("NET", "networks=[NET] if NET else None"),
        ("cfg.net", "networks=[cfg.net] if cfg.net else None"),
        ("os.getenv('N')", "networks=list(filter(None, [os.getenv('N')]))"),
    ],
)
def test_network_becomes_networks(value, expected):
    text = f"import os\nimport prefect\nprefect.agent.docker.DockerAgent(network={value})\n"
    assert run(text).text == f"import os\nimport prefect\nprefect.agent.docker.DockerAgent({expected})\n"


def test_network_and_networks_together_is_manual():
    text = "from prefect.agent.docker import DockerAgent\nDockerAgent(network='a', networks=['b'])\n"
    result = run(text)
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [("PFU310", FixClass.MANUAL)]


def test_spread_kwargs_are_reported():
    text = "from prefect.agent.docker import DockerAgent\nDockerAgent(**opts)\n"
    result = run(text)
    assert result.text == text
    (finding,) = result.findings
    assert finding.code == "PFU314" and finding.fix_class is FixClass.MANUAL
    assert "opts" in finding.message


def test_fargate_import_goes_and_every_use_is_reported():
    text = (
        "from prefect.agent.fargate import FargateAgent\n"
        "def start():\n"
        "    FargateAgent(labels=['a']).start()\n"
    )
    result = run(text)
    code_lines = [line for line in result.text.splitlines() if not line.lstrip().startswith("#")]
    assert not any("fargate" in line for line in code_lines)
    assert result.text.startswith("# prefect-upgrade PFU312: removed `from prefect.agent.fargate import FargateAgent`")
    manual = [f for f in findings(result, "PFU312") if f.fix_class is FixClass.MANUAL]
    assert len(manual) == 1
    lines = result.text.splitlines()
    assert "FargateAgent(labels" in lines[manual[0].line - 1]
    # the use is marked in the code too: once the import is gone, a second run cannot tell this
    # name is Prefect's, and the NameError it raises under 1.0 would come unannounced
    assert lines[manual[0].line - 2].lstrip().startswith("# TODO(prefect-upgrade PFU312): FargateAgent was removed")
    assert run(result.text).text == result.text
    assert "ECSAgent" in manual[0].message and "ECSRun" in manual[0].message
    compile(result.text, "<fixture>", "exec")


def test_fargate_import_in_a_guard_stays():
    text = "try:\n    from prefect.agent.fargate import FargateAgent\nexcept ImportError:\n    FargateAgent = None\n"
    assert run(text).text == text


def test_a_fargate_name_still_in_all_is_reported():
    # adversarial review: the import went as "fixed" while ``__all__`` still listed the name
    # (``from module import *`` then fails under 1.0)
    text = "from prefect.agent.fargate import FargateAgent as FA\n__all__ = ['FA']\n"
    result = run(text)
    assert result.text.splitlines()[0].startswith("# prefect-upgrade PFU312: removed")
    assert result.text.splitlines()[1] == "__all__ = ['FA']"
    assert [(f.code, f.fix_class) for f in result.findings] == [
        ("PFU312", FixClass.SAFE),
        ("PFU312", FixClass.MANUAL),
    ]
    assert "`FA`" in result.findings[1].message and "__all__" in result.findings[1].message
    plain = run('from prefect.agent.fargate import FargateAgent\n"""FargateAgent docs"""\n')
    assert [f.fix_class for f in plain.findings] == [FixClass.SAFE]


def test_deployment_yaml_token_is_unsafe():
    text = "from prefect.agent.kubernetes import KubernetesAgent\nKubernetesAgent.generate_deployment_yaml(token=T)\n"
    default = run(text)
    assert default.text == text
    (finding,) = default.findings
    assert finding.fix_class is FixClass.UNSAFE and not finding.applied
    assert "--unsafe-fixes" in finding.message
    unsafe = run(text, unsafe=True)
    assert "generate_deployment_yaml(key=T)" in unsafe.text
    assert "needs a new Prefect Cloud API key" in unsafe.text


@pytest.mark.parametrize("path", fixture_cases("removed_agents"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")


def test_fargate_import_finding_points_at_the_note_that_replaced_it():
    # the import line becomes a note quoting it, a blank line follows, and a TODO goes above the
    # use: the fixed finding belongs on the note, where the import stood (it was on the blank
    # line once blank lines stopped anchoring the line mapper's blocks)
    text = (
        'if __name__ == "__main__":\n'
        "\tfrom prefect.agent.fargate import FargateAgent\n"
        "\n"
        "\tAGENT = FargateAgent(labels=['a'],\n"
        "\t\tcpu='256')\n"
    )
    result = run(text)
    lines = result.text.splitlines()
    (fixed,) = [f for f in findings(result, "PFU312") if f.applied]
    assert lines[fixed.line - 1].lstrip().startswith("# prefect-upgrade PFU312: removed `from prefect.agent.fargate")
    assert lines[fixed.line - 1][fixed.col - 1 :].startswith("from prefect.agent.fargate import FargateAgent")
