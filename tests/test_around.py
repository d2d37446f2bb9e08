"""PFU5xx: pins, images, Python 3.6, server exposure and the databricks extra.

Code that must stay next to code that must change, per file kind; snapshot tests over
``tests/fixtures/around/``; byte-identity outside the edits; idempotence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prefect_upgrade.rewriters import SourceError

from casefiles import FIXTURES, fixture_cases, render_case
from prefect_upgrade.codemods import selected_codemods
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.discovery import kind_of
from prefect_upgrade.runner import rewrite_text

SELECT = ("PFU5",)


def run(text: str, kind: str, path: str = "<string>", select=SELECT):
    options = CodemodOptions(select=tuple(select))
    return rewrite_text(text, kind, selected_codemods(select), options, path=path)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


# ---- snapshots ------------------------------------------------------------------------------

CASES = fixture_cases("around")


def _kind(path: Path) -> str:
    if path.name == "poetry-pyproject.toml":
        return "toml"
    kind = kind_of(path)
    assert kind is not None, path
    return kind


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture(path: Path, snapshot):
    before = path.read_text()
    kind = _kind(path)
    result = run(before, kind, path=path.name)
    snapshot.assert_match(render_case(before, result), "case.txt")
    again = run(result.text, kind, path=path.name)
    assert again.text == result.text, "a second run changed the output"


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture_changes_only_the_edited_spans(path: Path):
    """Every line that differs differs only inside a version constraint or an image tag."""
    import difflib

    before = path.read_text()
    after = run(before, _kind(path), path=path.name).text
    before_lines, after_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(before_lines) == len(after_lines)
    for old, new in zip(before_lines, after_lines):
        if old == new:
            continue
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            removed, added = old[i1:i2], new[j1:j2]
            assert set(removed) <= set("0123456789.=<>~^ ,-python"), (old, new)
            assert set(added) <= set("0123456789.=<>~^ ,"), (old, new)


# ---- PFU501: pins ---------------------------------------------------------------------------

STAY = [
    ("prefect>=1.0,<2\n", "requirements"),
    ("prefect>=0.14\n", "requirements"),  # already admits 1.x
    ("prefect!=0.15.0\n", "requirements"),
    ("prefect==2.7.1\n", "requirements"),
    ("prefect>=2,<3\n", "requirements"),
    ("prefect~=3.0\n", "requirements"),
    ("prefect\n", "requirements"),
    ("prefect[aws]\n", "requirements"),
    ("prefect-aws==0.1.0\nprefect_gcp==0.1.0\nprefect.something==0.1\n", "requirements"),
    ("# prefect==0.15.13\n", "requirements"),
    ("-e git+https://github.com/PrefectHQ/prefect.git#egg=prefect\n", "requirements"),
    ('[tool.poetry.dependencies]\nprefect = "*"\nprefect-aws = "^0.1"\n', "toml"),
    ('[tool.poetry.dependencies]\nprefect = "^1.2"\n', "toml"),
    ('[tool.poetry.dependencies]\nprefect = ">=2.0"\n', "toml"),
    ('[project]\ndescription = "flows for prefect"\n', "toml"),
    ('[tool.black]\n# prefect==0.15.13\n', "toml"),
    ("[options]\ninstall_requires =\n    prefect>=1.0\n", "ini"),
    ("[flake8]\nignore = prefect==0.15.13\n", "ini"),  # not a requirements key
    ("dependencies:\n  - prefect>=1.0\n  - pip:\n    - prefect-aws==0.1.0\n", "yaml"),
    ("pip install prefect\npip install prefect-aws==0.1.0\necho prefect==0.15.13\n", "shell"),
    ("pip install 'prefect>=1.0,<2'\npip download prefect==0.15.13\n", "shell"),
    ('run: "pip install \\"prefect==0.15.13\\""\n', "yaml"),  # escaped quotes: left alone, not broken
    ("RUN pip install -r requirements.txt prefect-gcp==0.1.0\n", "dockerfile"),
]


@pytest.mark.parametrize("text, kind", STAY)
def test_pins_that_stay(text, kind):
    result = run(text, kind, select=("PFU501",))
    assert result.text == text
    assert result.findings == []


CHANGE = [
    ("prefect==0.15.13\n", "requirements", "prefect>=1.0,<2\n"),
    ("prefect>=0.14,<0.16\n", "requirements", "prefect>=1.0,<2\n"),
    ("prefect~=0.15\n", "requirements", "prefect>=1.0,<2\n"),
    ("prefect<1\n", "requirements", "prefect>=1.0,<2\n"),
    ("prefect==0.15.*\n", "requirements", "prefect>=1.0,<2\n"),
    ("Prefect===0.13.19\n", "requirements", "Prefect>=1.0,<2\n"),
    ("prefect (==0.15.13)\n", "requirements", "prefect >=1.0,<2\n"),
    (
        "prefect[aws, kubernetes] == 0.15.13;python_version>='3.7' # keep\r\n",
        "requirements",
        "prefect[aws, kubernetes] >=1.0,<2;python_version>='3.7' # keep\r\n",
    ),
    ('[project]\ndependencies = ["prefect==0.15.13"]\n', "toml", '[project]\ndependencies = ["prefect>=1.0,<2"]\n'),
    ('[tool.poetry.dependencies]\nprefect = "~0.15"\n', "toml", '[tool.poetry.dependencies]\nprefect = ">=1.0,<2"\n'),
    ('[tool.poetry.dependencies]\nprefect = "0.15.13"\n', "toml", '[tool.poetry.dependencies]\nprefect = ">=1.0,<2"\n'),
    (
        '[tool.poetry.dependencies.prefect]\nversion = "^0.14.0"\nextras = ["aws"]\n',
        "toml",
        '[tool.poetry.dependencies.prefect]\nversion = "^1.0"\nextras = ["aws"]\n',
    ),
    ('[packages]\nprefect = "==0.15.13"\n', "toml", '[packages]\nprefect = ">=1.0,<2"\n'),
    ("[testenv]\ndeps = prefect==0.15.13\n", "ini", "[testenv]\ndeps = prefect>=1.0,<2\n"),
    ("dependencies:\n  - prefect==0.15.13\n", "yaml", "dependencies:\n  - prefect>=1.0,<2\n"),
    ("dependencies:\n  - prefect 0.15.13\n", "yaml", "dependencies:\n  - prefect>=1.0,<2\n"),
    ("pip install prefect==0.15.13 dask\n", "shell", "pip install prefect~=1.0 dask\n"),
    ('pip install "prefect[aws]>=0.14,<0.16"\n', "shell", 'pip install "prefect[aws]>=1.0,<2"\n'),
    ("uv pip install prefect==0.15.13\n", "shell", "uv pip install prefect~=1.0\n"),
    ("pipenv install prefect==0.15.13\n", "shell", "pipenv install prefect~=1.0\n"),
    ("mamba install -y prefect=0.15.13\n", "shell", "mamba install -y prefect=1\n"),
    ("poetry add prefect@^0.15\n", "shell", "poetry add prefect@^1.0\n"),
    ("\tpip install prefect==0.15.7 \\\n\t    dask\n", "makefile", "\tpip install prefect~=1.0 \\\n\t    dask\n"),
    (
        "RUN pip install -U \\\n    prefect==0.15.13 && echo done\n",
        "dockerfile",
        "RUN pip install -U \\\n    prefect~=1.0 && echo done\n",
    ),
    ("- run: pip install prefect==0.15.13\n", "yaml", "- run: pip install prefect~=1.0\n"),
    ("[testenv]\ncommands = pip install prefect==0.15.13\n", "ini", "[testenv]\ncommands = pip install prefect~=1.0\n"),
    (
        '[tool.taskipy.tasks]\nsetup = "pip install prefect==0.15.13"\n',
        "toml",
        '[tool.taskipy.tasks]\nsetup = "pip install prefect~=1.0"\n',
    ),
]


@pytest.mark.parametrize("text, kind, expected", CHANGE)
def test_pins_that_change(text, kind, expected):
    result = run(text, kind, select=("PFU501",))
    assert result.text == expected
    assert codes(result) == ["PFU501"]
    finding = result.findings[0]
    assert finding.applied and finding.fix_class.value == "safe"
    # the finding points at the new constraint
    line = expected.splitlines()[finding.line - 1]
    assert line[finding.col - 1 :].startswith((">=1.0", "~=1.0", "^1.0", "=1", " >=1.0"))
    assert run(result.text, kind, select=("PFU501",)).text == result.text


def test_hashed_pin_is_reported_not_rewritten():
    text = "prefect==0.15.13 \\\n    --hash=sha256:abc\n"
    result = run(text, "requirements", select=("PFU501",))
    assert result.text == text
    [finding] = result.findings
    assert finding.fix_class.value == "manual" and not finding.applied
    assert "regenerate the hashes" in finding.message


def test_direct_reference_to_an_old_release_is_reported():
    text = "prefect @ git+https://github.com/PrefectHQ/prefect@0.15.13\n"
    result = run(text, "requirements", select=("PFU501",))
    assert result.text == text
    assert [f.fix_class.value for f in result.findings] == ["manual"]


def test_ignore_pfu501_keeps_pins():
    text = "prefect==0.15.13\n"
    options = CodemodOptions(ignore=("PFU501",))
    result = rewrite_text(text, "requirements", selected_codemods((), ("PFU501",)), options)
    assert result.text == text


# ---- PFU506: setup.py -----------------------------------------------------------------------


def test_setup_py_pins_only_in_setup_py():
    text = 'from setuptools import setup\nsetup(install_requires=["prefect==0.15.13"])\n'
    assert run(text, "python", path="pkg/setup.py").text.endswith('["prefect>=1.0,<2"])\n')
    assert run(text, "python", path="pkg/flows.py").text == text
    assert codes(run(text, "python", path="setup.py")) == ["PFU506"]


def test_setup_py_strings_with_escapes_or_other_packages_stay():
    text = (
        "from setuptools import setup\n"
        'setup(install_requires=["prefect-aws==0.1", "prefect\\x3d=0.15.13", f"prefect=={V}", b"prefect==0.15.13"])\n'
    )
    assert run(text, "python", path="setup.py").text == text


# ---- PFU502 / PFU507: images ----------------------------------------------------------------

IMAGE_STAY = [
    "FROM prefecthq/prefect:latest\n",
    "FROM prefecthq/prefect:latest-python3.8\n",
    "FROM prefecthq/prefect:master\n",
    "FROM prefecthq/prefect:1.0.0-python3.8\n",
    "FROM prefecthq/prefect:2.7.1-python3.10\n",
    "FROM prefecthq/prefect:2-python3.11\n",
    "FROM myorg/prefecthq/prefect-flows:0.15.13\n",
    "FROM prefecthq/prefect-agent:0.15.13\n",
]


@pytest.mark.parametrize("text", IMAGE_STAY)
def test_images_that_stay(text):
    result = run(text, "dockerfile", select=("PFU502",))
    assert result.text == text and result.findings == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("FROM prefecthq/prefect:0.15.13-python3.8\n", "FROM prefecthq/prefect:1.4.1-python3.8\n"),
        ("FROM prefecthq/prefect:0.14.22-python3.7 AS b\n", "FROM prefecthq/prefect:1.4.1-python3.7 AS b\n"),
        ("FROM prefecthq/prefect:0.13.19\n", "FROM prefecthq/prefect:1.4.1\n"),
        ("FROM docker.io/prefecthq/prefect:0.15.13-python3.9\n", "FROM docker.io/prefecthq/prefect:1.4.1-python3.9\n"),
        ("docker run --rm prefecthq/prefect:0.15.13 prefect version\n", "docker run --rm prefecthq/prefect:1.4.1 prefect version\n"),
    ],
)
def test_images_that_change(before, after):
    result = run(before, "shell" if before.startswith("docker") else "dockerfile", select=("PFU502",))
    assert result.text == after
    assert codes(result) == ["PFU502"] and result.findings[0].applied


@pytest.mark.parametrize("tag", ["0.15.13-python3.6", "all_extras-0.14.0"])
def test_images_reported_as_manual(tag):
    text = f"FROM prefecthq/prefect:{tag}\n"
    result = run(text, "dockerfile", select=("PFU502",))
    assert result.text == text
    assert [(f.code, f.fix_class.value) for f in result.findings] == [("PFU502", "manual")]


def test_python_image_strings():
    text = (
        'a = DockerRun(image="prefecthq/prefect:0.15.13-python3.8")\n'
        "b = KubernetesRun(image='prefecthq/prefect:0.15.13')\n"
        'c = DockerRun(image="prefecthq/prefect:latest")\n'
        '"""Docs: use prefecthq/prefect:0.15.13."""\n'
        '# DockerRun(image="prefecthq/prefect:0.15.13")\n'
    )
    result = run(text, "python", select=("PFU507",))
    assert result.text.splitlines()[:2] == [
        'a = DockerRun(image="prefecthq/prefect:1.4.1-python3.8")',
        "b = KubernetesRun(image='prefecthq/prefect:1.4.1')",
    ]
    assert result.text.splitlines()[2:] == text.splitlines()[2:]
    assert codes(result) == ["PFU507", "PFU507"]


# ---- PFU503 / PFU508: Python 3.6 ------------------------------------------------------------

PY36_STAY = [
    ('[project]\nrequires-python = ">=3.7"\n', "toml"),
    ('[tool.poetry.dependencies]\npython = "^3.7"\n', "toml"),
    ('[project]\nversion = "3.6.0"\n', "toml"),
    ("[options]\npython_requires = >=3.7\n", "ini"),
    ("[tox]\nenvlist = py37, py38, py310\n", "ini"),
    ("strategy:\n  matrix:\n    python-version: [3.7, 3.8, '3.10']\n", "yaml"),
    ("version: 3.6\n", "yaml"),
    ("FROM python:3.7-slim\nRUN echo 3.6\n", "dockerfile"),
    ("FROM prefecthq/prefect:0.15.13-python3.6\n", "dockerfile"),  # PFU502's, not reported twice
    ("python3.60 -V\npip install pandas==3.6.1\n", "shell"),
]


@pytest.mark.parametrize("text, kind", PY36_STAY)
def test_python36_not_reported(text, kind):
    result = run(text, kind, select=("PFU503",))
    assert result.text == text and result.findings == []


PY36_REPORTED = [
    ('[project]\nrequires-python = ">=3.6"\n', "toml", 2),
    ('[tool.poetry.dependencies]\npython = "^3.6.1"\n', "toml", 2),
    ('[requires]\npython_version = "3.6"\n', "toml", 2),
    ("[options]\npython_requires = >=3.6, <4\n", "ini", 2),
    ("[tox]\nenvlist = py37,py36\n", "ini", 2),
    ("[tox]\nenvlist = py{36,37}\n", "ini", 2),
    ("strategy:\n  matrix:\n    python-version: [3.6, 3.7]\n", "yaml", 3),
    ("matrix:\n  python-version:\n    - '3.8'\n    - '3.6'\n", "yaml", 4),
    ("with:\n  python-version: '3.6'\n", "yaml", 2),
    ("python:\n  - \"3.6\"\n", "yaml", 2),
    ("container:\n  image: python:3.6-slim\n", "yaml", 2),
    ("dependencies:\n  - python=3.6\n", "yaml", 2),
    ("FROM python:3.6\n", "dockerfile", 1),
    ("conda create -n flows python=3.6\n", "shell", 1),
    ("pyenv install 3.6.15\n", "shell", 1),
    ("python3.6 -m pip install -r requirements.txt\n", "shell", 1),
]


@pytest.mark.parametrize("text, kind, line", PY36_REPORTED)
def test_python36_reported(text, kind, line):
    result = run(text, kind, select=("PFU503",))
    assert result.text == text
    assert [(f.code, f.line, f.fix_class.value, f.applied) for f in result.findings] == [
        ("PFU503", line, "manual", False)
    ]
    assert "Prefect 1.0 needs Python 3.7 or newer" in result.findings[0].message


def test_setup_py_python_requires():
    text = 'from setuptools import setup\nsetup(name="x", python_requires=">=3.6")\n'
    result = run(text, "python", path="setup.py", select=("PFU508",))
    assert result.text == text
    assert [(f.code, f.line, f.fix_class.value) for f in result.findings] == [("PFU508", 2, "manual")]
    ok = text.replace(">=3.6", ">=3.7")
    assert run(ok, "python", path="setup.py", select=("PFU508",)).findings == []
    assert run(text, "python", path="other.py", select=("PFU508",)).findings == []


# ---- PFU504: server exposure ----------------------------------------------------------------

EXPOSE_STAY = [
    "prefect server start\n",
    "prefect server start --detach\nprefect agent local start --api http://127.0.0.1:4200\n",
    "prefect server start --expose\nprefect agent local start --api http://10.0.0.5:4200\n",
    "prefect server config --expose\nprefect server start\ncurl http://10.0.0.5:4200\n",
    "export PREFECT__SERVER__HOST_IP=0.0.0.0\nprefect server start\n",
    "git clone https://github.com/PrefectHQ/server\nprefect server start\n",
    "prefect agent local start --api http://10.0.0.5:4200\n",  # no server started here
    # Prefect 2/3's server command and settings are not Prefect 1's
    "prefect server start --host 0.0.0.0 --port 4200\n",
    "export PREFECT_API_URL=http://10.0.0.5:4200/api\nprefect server start\n",
    "docker run -p 127.0.0.1:4200:4200 img prefect server start\n",
]


@pytest.mark.parametrize("text", EXPOSE_STAY)
def test_server_not_reported(text):
    result = run(text, "shell", select=("PFU504",))
    assert result.findings == [] and result.text == text


@pytest.mark.parametrize(
    "text, kind, evidence",
    [
        ("prefect server start -d\nprefect agent local start --api http://10.0.0.5:4200\n", "shell", "10.0.0.5"),
        ("export PREFECT__SERVER__ENDPOINT=http://prefect.internal:4200/graphql\nprefect server start\n", "shell", "prefect.internal"),
        ("prefect server start\n# UI: http://0.0.0.0:8080\n", "shell", "0.0.0.0"),
        ("prefect server config > compose.yml\ndocker-compose -f compose.yml up -d\n"
         "ssh etl prefect agent local start --api http://build-01.corp:4200\n", "shell", "build-01.corp"),
        ('CMD ["prefect", "server", "start"]\nEXPOSE 8080\n', "dockerfile", None),
        ("services:\n  server:\n    command: prefect server start\n    ports:\n      - \"8080:8080\"\n", "yaml", "8080:8080"),
    ],
)
def test_server_reported(text, kind, evidence):
    result = run(text, kind, select=("PFU504",))
    assert result.text == text
    if evidence is None:
        assert result.findings == []  # EXPOSE alone publishes nothing
        return
    [finding] = result.findings
    assert (finding.code, finding.fix_class.value, finding.applied) == ("PFU504", "manual", False)
    assert evidence in finding.message and "--expose" in finding.message


# ---- PFU505: databricks extra ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, reported",
    [
        ("from prefect.tasks.databricks import DatabricksRunNow\n", True),
        ("from prefect.tasks.databricks.databricks_submitjob import DatabricksSubmitRun\n", True),
        ("import prefect.tasks.databricks as dbx\n", True),
        ("from prefect.tasks import databricks, shell\n", True),
        ("from prefect.contrib.tasks.databricks import DatabricksRunNow\n", True),
        ("import databricks\nfrom databricks import sql\n", False),
        ("from prefect.tasks import shell\n# from prefect.tasks.databricks import X\n", False),
        ('"""prefect.tasks.databricks needs an extra."""\n', False),
    ],
)
def test_databricks_extra(text, reported):
    result = run(text, "python", select=("PFU505",))
    assert result.text == text
    assert codes(result) == (["PFU505"] if reported else [])
    if reported:
        assert "prefect[databricks]" in result.findings[0].message


def test_fixture_folder_is_complete():
    kinds = {_kind(p) for p in CASES}
    assert {"requirements", "toml", "ini", "yaml", "dockerfile", "shell", "makefile", "python"} <= kinds
    assert (FIXTURES / "around" / "setup.py").exists()


# ---- version variables ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, kind, after",
    [
        ("ARG PREFECT_VERSION=0.15.9\nRUN pip install \"prefect==$PREFECT_VERSION\"\n", "dockerfile",
         "ARG PREFECT_VERSION=1.4.1\nRUN pip install \"prefect==$PREFECT_VERSION\"\n"),
        ("ENV PREFECT_VERSION 0.14.22\n", "dockerfile", "ENV PREFECT_VERSION 1.4.1\n"),
        ("PREFECT_VERSION=0.15.13\n", "dotenv", "PREFECT_VERSION=1.4.1\n"),
        ("PREFECT_VERSION ?= 0.15.13\n", "makefile", "PREFECT_VERSION ?= 1.4.1\n"),
        ("env:\n  PREFECT_VERSION: \"0.15.13\"\n", "yaml", "env:\n  PREFECT_VERSION: \"1.4.1\"\n"),
    ],
)
def test_prefect_version_variables(before, kind, after):
    result = run(before, kind, select=("PFU501",))
    assert result.text == after
    assert codes(result) == ["PFU501"]


@pytest.mark.parametrize(
    "text",
    ["ARG PREFECT_VERSION=1.2.0\n", "ARG PREFECT_VERSION\n", "ARG OTHER_PREFECT_VERSION=0.15.9\n", "ARG PREFECT_VERSION=0.15.9-rc1\n"],
)
def test_prefect_version_variables_that_stay(text):
    assert run(text, "dockerfile", select=("PFU501",)).text == text


def test_python_version_variable_is_reported():
    text = "ARG PYTHON_VERSION=3.6-slim\nFROM python:${PYTHON_VERSION}\n"
    result = run(text, "dockerfile", select=("PFU503",))
    assert [(f.code, f.line) for f in result.findings] == [("PFU503", 1)]
    assert run("ARG PYTHON_VERSION=3.9-slim\n", "dockerfile", select=("PFU503",)).findings == []


def test_requirement_with_per_line_options():
    text = "prefect==0.15.13 --no-binary :all:\n"
    assert run(text, "requirements", select=("PFU501",)).text == "prefect>=1.0,<2 --no-binary :all:\n"


# ---- properties -----------------------------------------------------------------------------

from hypothesis import given, settings
from hypothesis import strategies as st

_OLD = st.sampled_from(["==0.15.13", ">=0.14,<0.16", "~=0.15", "<1", "==0.13.*", " == 0.14.22", ">=0.14.0, <0.16.0"])
_KEEP = st.sampled_from(["", ">=1.0", ">=0.14", "==2.7.1", ">=1.0,<2", "~=1.4"])
_NAME = st.sampled_from(["prefect", "Prefect", "PREFECT"])
_EXTRAS = st.sampled_from(["", "[aws]", "[aws,kubernetes]", "[ dask ]"])
_TAIL = st.sampled_from(["", " ; python_version >= '3.7'", ';sys_platform!="win32"', "  # pinned", " ; os_name == 'posix'  # x"])


@settings(max_examples=60, deadline=None)
@given(_NAME, _EXTRAS, st.one_of(_OLD, _KEEP), _TAIL, st.sampled_from(["\n", "\r\n", ""]))
def test_requirement_lines_change_only_their_constraint(name, extras, spec, tail, newline):
    text = f"{name}{extras}{spec}{tail}{newline}"
    result = run(text, "requirements", select=("PFU501",))
    upgraded = spec.strip() and spec not in (">=1.0", ">=0.14", "==2.7.1", ">=1.0,<2", "~=1.4")
    expected = f"{name}{extras}{' ' if spec.startswith(' ') else ''}>=1.0,<2{tail}{newline}" if upgraded else text
    assert result.text == expected
    assert run(result.text, "requirements", select=("PFU501",)).text == result.text


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["prefect-aws", "prefect_gcp", "prefect.io", "prefectx", "my-prefect"]), _EXTRAS, _OLD, _TAIL)
def test_other_packages_never_change(name, extras, spec, tail):
    text = f"{name}{extras}{spec}{tail}\n"
    for kind in ("requirements", "shell"):
        source = text if kind == "requirements" else f"pip install '{name}{extras}{spec}'\n"
        assert run(source, kind, select=("PFU501",)).text == source


@pytest.mark.parametrize(
    "text",
    [
        "image:\n  name: prefecthq/prefect\n  tag: latest\n",
        "image:\n  name: prefecthq/server\n  tag: 0.15.13\n",
        "a:\n  image:\n    name: prefecthq/prefect\nb:\n  tag: 0.15.13\n",  # the tag of another mapping
        "prefectVersionTag: \"1.2.0\"\n",
    ],
)
def test_split_image_tags_that_stay(text):
    assert run(text, "yaml", select=("PFU502",)).text == text


# ---- the rewritten files still parse, and say what the edit meant ---------------------------


def _parsed(path: Path, text: str):
    import ast
    import configparser
    import tomllib

    import yaml

    kind = _kind(path)
    if kind == "toml":
        return tomllib.loads(text)
    if kind == "yaml":
        return list(yaml.safe_load_all(text))
    if kind == "ini":
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        return {s: dict(parser[s]) for s in parser.sections()}
    if kind == "python":
        return ast.dump(ast.parse(text))
    return None


PARSEABLE = [p for p in CASES if _kind(p) in ("toml", "yaml", "ini", "python")]


@pytest.mark.parametrize("path", PARSEABLE, ids=[p.name for p in PARSEABLE])
def test_rewritten_fixture_still_parses(path: Path):
    before = path.read_text()
    after = run(before, _kind(path), path=path.name).text
    assert _parsed(path, before) is not None
    _parsed(path, after)  # raises when the edit broke the file's syntax


def test_rewritten_pyproject_means_prefect_1():
    import tomllib

    from packaging.requirements import Requirement

    path = FIXTURES / "around" / "pyproject.toml"
    data = tomllib.loads(run(path.read_text(), "toml", path=path.name).text)
    requirements = [Requirement(r) for r in data["project"]["dependencies"]]
    requirements += [Requirement(r) for group in data["project"]["optional-dependencies"].values() for r in group]
    prefect = [r for r in requirements if r.name == "prefect"]
    assert len(prefect) == 3
    for requirement in prefect:
        assert requirement.specifier.contains("1.4.1") and not requirement.specifier.contains("0.15.13")
    assert {tuple(sorted(r.extras)) for r in prefect} == {("aws",), ("dask",), ()}
    assert str(prefect[1].marker) == 'sys_platform != "win32"'


_PIECES = st.sampled_from([
    "prefect", "Prefect", "==", ">=", "<", "0.15.13", "0.14", "1.0", "[aws]", " ", "\n", "\t", "\\\n", '"', "'",
    "#", ";", "-", "pip install ", "conda install ", "poetry add ", "@", "^", "~", "=", ",", "prefecthq/prefect:",
    "-python3.6", "-python3.8", "python:3.6", "3.6", "py36", "[project]\n", "dependencies = [", "]", "{", "}",
    "[tool.poetry.dependencies]\n", "version = ", "- ", "  ", "pip:\n", "prefect server start", "--api http://10.0.0.5",
    "python-version: ", "envlist = ", "install_requires =\n", "ARG PREFECT_VERSION=", "image:\n  name: ", "tag: ",
])


@settings(max_examples=40, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join), st.sampled_from(
    ["requirements", "toml", "ini", "yaml", "dockerfile", "shell", "makefile", "dotenv"]))
def test_text_codemods_never_crash_and_are_idempotent(text, kind):
    try:
        result = run(text, kind)
    except SourceError:
        return  # input its rewriter cannot read (e.g. not YAML): reported in one line, never rewritten
    again = run(result.text, kind)
    assert again.text == result.text
    assert result.text.count("\n") == text.count("\n")  # edits never add or remove lines
