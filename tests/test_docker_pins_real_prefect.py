"""Real-Prefect tier for PFU509/PFU510: ``Docker`` storage built by Prefect 1.0.0 from the
rewritten code puts Prefect 1.x in the image.

The storage object is built and its Dockerfile written (no Docker daemon needed); its
``RUN pip install`` line of ``python_dependencies`` is run by bash with ``pip`` replaced by a
function that prints its arguments, in an empty folder: the words pip would get are checked and
no redirection may create a file.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from casefiles import upgrade
from real_prefect import run_python

pytestmark = pytest.mark.real_prefect

BEFORE = textwrap.dedent(
    """\
    from prefect.environments.storage import Docker

    storage = Docker(
        image_name="etl",
        python_dependencies=["pandas", "prefect[aws]>=0.14,<0.15"],
        prefect_version="0.14.13",
    )
    """
)

BUILD = textwrap.dedent(
    """\
    import json, tempfile
    namespace = {}
    exec(compile(open("flow.py").read(), "flow.py", "exec"), namespace)
    storage = namespace["storage"]
    path = storage.create_dockerfile_object(directory=tempfile.mkdtemp())
    print(json.dumps({
        "base_image": storage.base_image,
        "installs": storage.installation_commands,
        "dockerfile": open(path).read(),
    }))
    """
)


def build(code: str, folder: Path) -> dict:
    (folder / "flow.py").write_text(code)
    done = run_python("1.0.0", BUILD, folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def pip_words(dockerfile: str, folder: Path) -> list[str]:
    """The words the ``python_dependencies`` line hands pip, as bash splits them."""
    [line] = [
        line.strip()[len("RUN "):]
        for line in dockerfile.splitlines()
        if line.strip().startswith("RUN pip install ") and "--upgrade" not in line
    ]
    shell = folder / "shell"
    shell.mkdir()
    done = subprocess.run(
        ["bash", "-c", 'pip() { printf "%s\\n" "$@"; }; ' + line],
        cwd=shell, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert list(shell.iterdir()) == [], "the pip line redirected output into a file"
    return done.stdout.split()


def test_rewritten_docker_storage_builds_a_prefect_1_image(tmp_path):
    after = upgrade(BEFORE).text
    assert "from prefect.storage import Docker" in after  # PFU105 moved the import first
    built = build(after, tmp_path)
    assert built["base_image"].startswith("prefecthq/prefect:1.4.1-python3."), built["base_image"]
    assert any("prefect.git@1.4.1#egg=prefect" in command for command in built["installs"])
    words = pip_words(built["dockerfile"], tmp_path)
    assert words[:2] == ["install", "pandas"]
    [requirement] = [w for w in words if w.startswith("prefect")]
    assert requirement == "prefect[aws]~=1.0"
    spec = SpecifierSet(requirement[len("prefect[aws]"):])
    assert "1.4.1" in spec and "1.0.0" in spec and "0.15.13" not in spec and "2.0.0" not in spec


def test_the_check_sees_the_old_prefect(tmp_path):
    """The same check on the code before the rewrite (import path already moved) finds 0.x."""
    built = build(BEFORE.replace("prefect.environments.storage", "prefect.storage"), tmp_path)
    assert built["base_image"].startswith("prefecthq/prefect:0.14.13-python3.")
    with pytest.raises(AssertionError, match="redirect|No such file"):
        pip_words(built["dockerfile"], tmp_path)  # '<0.15' is read by the shell


def test_the_pep440_spelling_would_break_the_pip_line(tmp_path):
    """Why PFU509 writes ~=1.0: the >=1.0,<2 of PFU501/PFU506 breaks the unquoted line."""
    code = BEFORE.replace("prefect.environments.storage", "prefect.storage").replace(">=0.14,<0.15", ">=1.0,<2")
    built = build(code, tmp_path)
    with pytest.raises(AssertionError):
        pip_words(built["dockerfile"], tmp_path)


@pytest.mark.parametrize(
    "code",
    [
        # the pins in a module-level dict passed with **
        'DOCKER_KWARGS = {"python_dependencies": ["pandas", "prefect[aws]>=0.14,<0.15"], "prefect_version": "0.14.13"}\n'
        'storage = Docker(image_name="etl", **DOCKER_KWARGS)\n',
        # a subclass of the module
        "class TeamDocker(Docker):\n    pass\n\n\n"
        'storage = TeamDocker(image_name="etl", python_dependencies=["pandas", "prefect[aws]>=0.14,<0.15"], prefect_version="0.14.13")\n',
    ],
    ids=["kwargs-dict", "subclass"],
)
def test_dicts_and_subclasses_build_a_prefect_1_image(code, tmp_path):
    before = "from prefect.environments.storage import Docker\n\n" + code
    after = upgrade(before).text
    assert after != before.replace("prefect.environments.storage", "prefect.storage")
    built = build(after, tmp_path)
    assert built["base_image"].startswith("prefecthq/prefect:1.4.1-python3."), built["base_image"]
    words = pip_words(built["dockerfile"], tmp_path)
    assert [w for w in words if w.startswith("prefect")] == ["prefect[aws]~=1.0"]
