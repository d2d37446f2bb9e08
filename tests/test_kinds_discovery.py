from pathlib import Path

import pytest

from prefect_upgrade.discovery import kind_of


@pytest.mark.parametrize(
    "name, kind",
    [
        (".github/workflows/deploy.yml", "yaml"),
        (".gitlab-ci.yml", "yaml"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.agent", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Makefile", "makefile"),
        (".env", "dotenv"),
        (".envrc", "shell"),
        ("tox.ini", "ini"),
        ("setup.cfg", "ini"),
        ("config.toml", "toml"),
        ("Pipfile", "toml"),
        ("requirements-dev.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("deploy/prefect-agent.service", "ini"),
        ("deploy/supervisor/agent.conf", "ini"),
        ("nginx/site.conf", None),
        ("docs/notes.txt", None),
        ("README.md", "markdown"),
        ("docs/index.rst", "rst"),
        ("flows.ipynb", "notebook"),
        ("deploy.sh", "shell"),
        # Terraform templatefile() scripts: an EC2 agent's user data (trial 11)
        ("aws/prefect-agent.sh.tpl", "shell"),
        ("user-data.bash.tftpl", "shell"),
        ("values.yaml.tpl", None),
        ("main.tf", None),
        ("page.tpl", None),
        ("Jenkinsfile", "jenkinsfile"),
        ("ci/deploy.jenkinsfile", "jenkinsfile"),
    ],
)
def test_kind_of(name, kind):
    assert kind_of(Path(name), sniff=False) == kind
