"""CloudFormation templates (trial 11): an ECS task's ``Command``/``EntryPoint`` lists and an EC2
``UserData`` script are commands, like a Kubernetes ``command`` or a CI ``script``.

Before this, a template's image was bumped to 1.x while its ``Command: [prefect, agent, start,
fargate]`` or its user-data ``prefect agent start local -v`` was left as it was, unreported.
"""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, upgrade
from kinds_fakes import FakeRegister, findings, run
from prefect_upgrade.rewriters.yaml import YamlRewriter

TASK = """\
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: agent
          Image: !Ref PrefectImage
          Command:
          - prefect
          - register
          - flow
          - --file
          - !Ref FlowFile
"""

USER_DATA = """\
Resources:
  Agent:
    Type: AWS::EC2::Instance
    Properties:
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash -xe
          pip3 install prefect
          prefect register flow --file /opt/${FlowFile}
"""


def shell_texts(text: str) -> list[str]:
    return [fragment.text for fragment in YamlRewriter().shell_fragments(text)]


@pytest.mark.parametrize(
    "text",
    [
        # a user-data script in each CloudFormation spelling
        USER_DATA,
        USER_DATA.replace("Fn::Base64: !Sub |", "Fn::Base64:\n          Fn::Sub: |").replace("\n          #", "\n            #")
        .replace("\n          pip3", "\n            pip3").replace("\n          prefect", "\n            prefect"),
        USER_DATA.replace("UserData:\n        Fn::Base64: !Sub |", "UserData: !Base64 |").replace("          ", "        "),
        "Resources:\n  Agent:\n    Properties:\n      UserData: !Base64 \"prefect register flow --file a.py\"\n",
    ],
)
def test_cloudformation_commands_are_rewritten(text):
    result = run(text, "yaml", [FakeRegister])
    assert result.text == text.replace("register flow --file", "register --path")
    assert result.text != text
    assert [code for _, _, code in findings(result)] == ["PFU498"]


def test_a_tagged_item_of_an_argument_list_is_one_word_kept_as_written():
    (shown,) = shell_texts(TASK)
    assert shown == "prefect register flow --file '!Ref FlowFile'"
    # (the fake codemods' markers are whole phrases, which a list split over lines never holds)
    result = upgrade(TASK, "yaml")
    assert result.text == TASK.replace("- flow\n          - --file\n", "- --path\n").replace(
        "!Ref FlowFile\n", "!Ref FlowFile\n          - --force\n"
    )
    assert [code for _, _, code in findings(result)] == ["PFU401", "PFU401"]
    assert_idempotent(result, "yaml")


@pytest.mark.parametrize(
    "text",
    [
        # Fn::Base64 / Fn::Sub elsewhere than under UserData are not scripts
        "Outputs:\n  Url:\n    Value:\n      Fn::Sub: prefect register flow --file ${Bucket}\n",
        "Resources:\n  Fn:\n    Properties:\n      Code:\n        ZipFile:\n          Fn::Sub: |\n            prefect register flow --file a.py\n",
        # a key that only looks like UserData
        "Resources:\n  A:\n    Properties:\n      UserDataNote: prefect register flow --file a.py\n",
        # a description that names a command
        "Description: >\n  prefect register flow --file a.py runs on this instance\n",
        # the capitalised keys are argument lists, not scripts: a scalar Command is left alone
        "Resources:\n  T:\n    Properties:\n      ContainerDefinitions:\n        - Command: prefect register flow --file a.py\n",
    ],
)
def test_cloudformation_text_that_is_not_a_command_stays(text):
    assert shell_texts(text) == []
    assert run(text, "yaml", [FakeRegister]).text == text


def test_a_real_prefect_1_task_definition_stays():
    # the shape of PrefectHQ/prefect-recipes' ECS agent template (a 1.0 command, `!Ref` values)
    text = (
        "Resources:\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n"
        "        - Name: prefect-ecs-agent\n          Image: !Ref PrefectImage\n          Command:\n"
        "          - prefect \n          - agent \n          - ecs \n          - start \n          - -a \n"
        "          - !Ref PrefectAPIURL \n          - --label\n          - ecs\n"
        "          Environment:\n          - Name: PREFECT__CLOUD__API_KEY\n            Value: !Ref PrefectCloudAPIKey\n"
    )
    result = upgrade(text, "yaml")
    assert result.text == text
    assert result.findings == []


def test_real_codemods_on_a_user_data_script_and_an_ecs_command():
    text = (
        "Resources:\n  Task:\n    Properties:\n      ContainerDefinitions:\n        - Name: agent\n"
        "          Image: prefecthq/prefect:0.14.22-python3.8\n"
        "          Command: [prefect, agent, start, local, -v, --no-docker-interface]\n"
        "  Instance:\n    Properties:\n      UserData:\n        Fn::Base64: !Sub |\n          #!/bin/bash\n"
        "          pip3 install prefect==0.14.22\n          prefect agent start docker -l ${Label} -v\n"
    )
    result = upgrade(text, "yaml")
    assert result.text == (
        text.replace("0.14.22-python3.8", "1.4.1-python3.8")
        .replace("[prefect, agent, start, local, -v, --no-docker-interface]", "[prefect, agent, local, start, --log-level, DEBUG]")
        .replace("prefect==0.14.22", "prefect~=1.0")
        .replace("prefect agent start docker -l ${Label} -v", "prefect agent docker start -l ${Label} --log-level DEBUG")
    )
    codes = sorted(code for _, _, code in findings(result))
    assert codes == ["PFU404", "PFU404", "PFU501", "PFU502"]
    assert_idempotent(result, "yaml")


@pytest.mark.parametrize(
    "text, expected",
    [
        # a Kubernetes container's block list: the token finding on the `-t` item (it was on the
        # first item's line, at the column the word has in the joined command: past the line's end)
        (
            "spec:\n  containers:\n    - name: agent\n      args:\n        - prefect\n        - agent\n"
            "        - local\n        - start\n        - -t\n        - $(TOKEN)\n",
            [(9, 11, "PFU404")],
        ),
        # an ECS container's list, with a `!Ref` item
        (
            "ContainerDefinitions:\n  - Command:\n      - prefect\n      - agent\n      - local\n      - start\n"
            "      - --token\n      - !Ref Token\n",
            [(7, 9, "PFU404")],
        ),
        # a list on one line keeps its columns
        ('args: ["prefect", "agent", "local", "start", "-t", "X"]\n', [(1, 46, "PFU404")]),
    ],
)
def test_a_finding_in_a_block_argument_list_points_at_its_item(text, expected):
    result = upgrade(text, "yaml")
    assert result.text == text
    assert findings(result) == expected
    line, col, _ = expected[0]
    assert text.splitlines()[line - 1][col - 1 :].lstrip("\"").startswith(("-t", "--token"))
