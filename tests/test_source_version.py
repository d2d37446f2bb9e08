"""``detect_source_version``: the Prefect 0.x a tree is written for, read from its pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefect_upgrade.source_version import detect_source_version


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    "files, version, in_reason",
    [
        ({"requirements.txt": "prefect==0.14.22\n"}, "0.14", "prefect==0.14.22 in"),
        ({"requirements.txt": "prefect[aws]==0.13.19 ; python_version>'3'\n"}, "0.13", "prefect[aws]==0.13.19"),
        ({"requirements.txt": "prefect>=0.14,<0.16\n"}, "0.15", "admits up to 0.15"),
        ({"requirements.txt": "prefect<0.15\n"}, "0.14", "prefect<0.15"),
        ({"requirements.txt": "prefect==0.12.6\n"}, "0.13", "older than 0.13"),
        ({"pyproject.toml": '[tool.poetry.dependencies]\nprefect = "^0.14.0"\n'}, "0.14", "pyproject.toml"),
        ({"pyproject.toml": '[project]\ndependencies = ["prefect==0.13.5"]\n'}, "0.13", "pyproject.toml"),
        ({"Pipfile": '[packages]\nprefect = {version = "==0.14.1"}\n'}, "0.14", "Pipfile"),
        ({"setup.py": 'setup(install_requires=["prefect==0.14.3"])\n'}, "0.14", "setup.py"),
        ({"setup.cfg": "[options]\ninstall_requires =\n    prefect==0.13.0\n"}, "0.13", "setup.cfg"),
        ({"environment.yml": "dependencies:\n  - prefect=0.14.10\n"}, "0.14", "environment.yml"),
        ({"Dockerfile": "FROM prefecthq/prefect:0.13.19-python3.8\n"}, "0.13", "image prefecthq/prefect:0.13.19"),
        ({"Dockerfile": "FROM python:3.8\nRUN pip install prefect==0.14.22\n"}, "0.14", "Dockerfile"),
    ],
)
def test_reads_the_pin(tmp_path, files, version, in_reason):
    make(tmp_path, files)
    got, reason = detect_source_version([tmp_path])
    assert got == version
    assert in_reason in reason


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"requirements.txt": "prefect\nprefect-aws==0.1.0\n"},
        {"README.md": "pip install prefect==0.13.0\n"},  # not a dependency file
        {"requirements.txt": "# prefect==0.13.0\n"},
    ],
)
def test_default_when_nothing_is_found(tmp_path, files):
    make(tmp_path, files)
    assert detect_source_version([tmp_path]) == ("0.15", "no Prefect pin found near the given paths; assumed 0.15")


def test_pin_already_on_1x_is_read_the_careful_way_and_says_why(tmp_path):
    make(tmp_path, {"requirements.txt": "prefect>=1.0,<2\n"})
    version, reason = detect_source_version([tmp_path])
    assert version == "0.13" and "already admits Prefect 1.x" in reason and "careful" in reason


def test_nearest_folder_wins_over_repository_root(tmp_path):
    make(tmp_path, {".git/HEAD": "", "requirements.txt": "prefect==0.13.19\n", "flows/requirements.txt": "prefect==0.15.13\n"})
    assert detect_source_version([tmp_path / "flows"])[0] == "0.15"
    assert detect_source_version([tmp_path / "flows" / "etl.py"])[0] == "0.15"


def test_repository_root_above_a_subfolder(tmp_path):
    make(tmp_path, {".git/HEAD": "", "pyproject.toml": '[project]\ndependencies = ["prefect==0.14.22"]\n', "src/flows/etl.py": ""})
    version, reason = detect_source_version([tmp_path / "src" / "flows"])
    assert version == "0.14" and "pyproject.toml" in reason


def test_nothing_above_without_a_repository(tmp_path):
    make(tmp_path, {"requirements.txt": "prefect==0.13.19\n", "project/flows/etl.py": ""})
    assert detect_source_version([tmp_path / "project"])[0] == "0.15"


def test_folders_below_a_given_folder(tmp_path):
    make(tmp_path, {"services/etl/requirements.txt": "prefect==0.14.22\n", "services/etl/flow.py": ""})
    assert detect_source_version([tmp_path])[0] == "0.14"


def test_virtualenvs_below_are_skipped(tmp_path):
    make(tmp_path, {".venv/lib/requirements.txt": "prefect==0.13.0\n", "node_modules/x/requirements.txt": "prefect==0.13.0\n"})
    assert detect_source_version([tmp_path])[0] == "0.15"


def test_the_oldest_pin_wins_and_the_reason_says_so(tmp_path):
    make(tmp_path, {"requirements.txt": "prefect==0.15.13\n", "Dockerfile": "FROM prefecthq/prefect:0.14.22\n"})
    version, reason = detect_source_version([tmp_path])
    assert version == "0.14"
    assert "0.15" in reason and "oldest" in reason


def test_several_paths(tmp_path):
    make(tmp_path, {"a/requirements.txt": "prefect==0.15.13\n", "b/requirements.txt": "prefect==0.13.19\n"})
    assert detect_source_version([tmp_path / "a", tmp_path / "b"])[0] == "0.13"
    assert detect_source_version([tmp_path / "a"])[0] == "0.15"


def test_accepts_strings_and_missing_paths(tmp_path):
    make(tmp_path, {"requirements.txt": "prefect==0.14.0\n"})
    assert detect_source_version([str(tmp_path / "not-there.py")])[0] == "0.14"


def test_the_root_above_wins_over_a_subfolder_below(tmp_path):
    make(tmp_path, {
        ".git/HEAD": "",
        "requirements.txt": "prefect==0.14.22\n",
        "src/flows/etl.py": "",
        "src/flows/examples/requirements.txt": "prefect==0.13.0\n",
    })
    assert detect_source_version([tmp_path / "src" / "flows"])[0] == "0.14"


def test_below_every_folder_of_the_nearest_level_counts(tmp_path):
    # Not whichever subproject sorts first: the oldest of the nearest level that holds pins.
    make(tmp_path, {"a/requirements.txt": "prefect==0.15.13\n", "b/requirements.txt": "prefect==0.13.19\n"})
    version, reason = detect_source_version([tmp_path])
    assert version == "0.13"
    assert "b/requirements.txt" in reason and "other pins admit 0.15, the oldest wins" in reason
    make(tmp_path, {"c/requirements.txt": "prefect==0.14.1\n", "a/requirements.txt": "prefect==0.15.13\n", "b/requirements.txt": ""})
    make(tmp_path, {"b/deeper/requirements.txt": "prefect==0.13.19\n"})
    assert detect_source_version([tmp_path])[0] == "0.14"  # the nearer level decides
