"""PFU509/PFU510: the Prefect that ``Docker`` storage installs (``python_dependencies``,
``prefect_version``).

Code that must stay next to code that must change; manual findings; ``--select``/``--ignore``
of each code; the unsafe half; PFU105 moving the import first; snapshot tests over
``tests/fixtures/docker_pins/``; idempotence.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from casefiles import fixture_cases, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions

SELECT = ("PFU509", "PFU510")
UNSAFE = CodemodOptions(unsafe_fixes=True)


def run(text: str, select=SELECT, options: CodemodOptions = CodemodOptions()):
    return upgrade(textwrap.dedent(text), "python", select=select, options=options)


def codes(result) -> list[tuple[str, str, bool]]:
    return [(f.code, f.fix_class.value, f.applied) for f in result.findings]


# ---- code that must stay ----------------------------------------------------------------------

STAY = [
    # pins that admit 1.x, other packages, unpinned prefect, 1.x versions
    """
    from prefect.storage import Docker
    s = Docker(python_dependencies=["prefect[aws]>=0.14", "prefect>=1.0,<2", "prefect~=1.0"])
    """,
    """
    from prefect.storage import Docker
    s = Docker(python_dependencies=["prefect-aws==0.1.0", "prefect_dbt==0.2", "prefect", "prefect[aws]"])
    """,
    """
    from prefect.storage import Docker
    s = Docker(python_dependencies=["pandas==1.3.5", "dask[dataframe]==2021.1.0"])
    """,
    """
    from prefect.storage import Docker
    s = Docker(prefect_version="1.0.0")
    t = Docker(prefect_version="1.4.1", python_dependencies=None)
    u = Docker(prefect_version="2.7.1")
    """,
    """
    import prefect
    from prefect.storage import Docker
    s = Docker(prefect_version=prefect.__version__)
    t = Docker(prefect_version=None)
    """,
    # other Docker classes and keyword look-alikes
    """
    import docker
    client = docker.from_env(version="auto")
    client.images.build(path=".", buildargs={"prefect_version": "0.14.13"})
    """,
    """
    import prefect
    versions = dict(prefect_version="0.14.13", python_dependencies=["prefect==0.14.13"])
    config = prefect.context.get("python_dependencies")
    """,
    """
    from dockerfiles import Docker
    import prefect
    s = Docker(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")
    """,
    # a local class shadowing the import
    """
    from prefect.storage import Docker

    def build():
        class Docker:
            def __init__(self, **kwargs):
                pass
        return Docker(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")
    """,
    """
    from prefect.storage import Docker

    def build(Docker):
        return Docker(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")
    """,
    # comments and strings that merely mention it
    """
    import prefect
    # Docker(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")
    DOC = 'Docker(prefect_version="0.14.13", python_dependencies=["prefect==0.14.13"])'
    """,
    # positional arguments are not read (their order changed between 0.14 and 0.15)
    """
    from prefect.storage import Docker
    s = Docker("registry", None, None, None, ["prefect==0.14.13"])
    """,
    # **kwargs that are not a module-level dict literal; module dicts not passed to Docker storage
    """
    from prefect.storage import Docker
    def storage(**kwargs):
        return Docker(**kwargs)
    SETTINGS = {"python_dependencies": ["prefect==0.14.13"], "prefect_version": "0.14.13"}
    print(**SETTINGS)
    """,
    # a class built on another Docker
    """
    from dockerfiles import Docker
    class Team(Docker):
        pass
    s = Team(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")
    """,
    # a subclass's __init__ passing on None, 1.x values and what its callers pass
    """
    from prefect.storage import Docker
    class Team(Docker):
        def __init__(self, python_dependencies=None, prefect_version="1.0.0", **kwargs):
            kwargs.setdefault("registry_url", "registry.example.com")
            super().__init__(python_dependencies=python_dependencies, prefect_version=prefect_version, **kwargs)
        def describe(self):
            return self.prefect_version
    """,
    # the parent's __init__ of a class that is not Docker storage; another method's super call
    """
    from dockerfiles import Docker
    class Team(Docker):
        def __init__(self, prefect_version="0.14.13", **kwargs):
            kwargs.setdefault("python_dependencies", ["prefect==0.14.13"])
            super().__init__(prefect_version=prefect_version, **kwargs)
            self.prefect_version = "0.14.13"
    """,
    """
    from prefect.storage import Docker
    class Team(Docker):
        def build(self, prefect_version="0.14.13", **kwargs):
            kwargs.setdefault("python_dependencies", ["prefect==0.14.13"])
            return super().build(prefect_version=prefect_version, **kwargs)
    """,
]


@pytest.mark.parametrize("text", STAY)
def test_stays(text):
    result = run(text, options=UNSAFE)
    assert result.text == textwrap.dedent(text)
    assert codes(result) == []


# ---- code that must change --------------------------------------------------------------------

CHANGE = [
    (  # the two 0.x import paths, before PFU105 moves them
        'from prefect.environments.storage import Docker\ns = Docker(python_dependencies=["pandas", "prefect[aws]==0.14.13"])\n',
        'from prefect.environments.storage import Docker\ns = Docker(python_dependencies=["pandas", "prefect[aws]~=1.0"])\n',
    ),
    (
        'from prefect.environments.storage.docker import Docker\ns = Docker(prefect_version="0.13.19")\n',
        'from prefect.environments.storage.docker import Docker\ns = Docker(prefect_version="1.4.1")\n',
    ),
    (  # 1.x paths (what PFU105 leaves), aliases, module imports, attribute chains
        'from prefect.storage.docker import Docker as D\ns = D(prefect_version=\'0.15.13\')\n',
        'from prefect.storage.docker import Docker as D\ns = D(prefect_version=\'1.4.1\')\n',
    ),
    (
        'from prefect import storage\ns = storage.Docker(python_dependencies=("prefect>=0.14,<0.15",))\n',
        'from prefect import storage\ns = storage.Docker(python_dependencies=("prefect~=1.0",))\n',
    ),
    (
        'import prefect\ns = prefect.environments.storage.Docker(python_dependencies=["prefect==0.13.4"], prefect_version="0.13.4")\n',
        'import prefect\ns = prefect.environments.storage.Docker(python_dependencies=["prefect~=1.0"], prefect_version="1.4.1")\n',
    ),
    (
        'import prefect.storage as ps\ns = ps.Docker(python_dependencies=["prefect[aws, kubernetes]<1"])\n',
        'import prefect.storage as ps\ns = ps.Docker(python_dependencies=["prefect[aws, kubernetes]~=1.0"])\n',
    ),
    (  # markers and comments around a pin stay; literal parts of a sum are fixed
        'from prefect.storage import Docker\nBASE = ["pandas"]\ns = Docker(python_dependencies=BASE + [\n    "prefect==0.15.13; python_version >= \'3.7\'",  # pinned\n])\n',
        'from prefect.storage import Docker\nBASE = ["pandas"]\ns = Docker(python_dependencies=BASE + [\n    "prefect~=1.0; python_version >= \'3.7\'",  # pinned\n])\n',
    ),
    (  # inside a flow's keyword and a function
        'import prefect\nfrom prefect import Flow\n\ndef build():\n    with Flow("f", storage=prefect.storage.Docker(prefect_version="0.14.22")) as flow:\n        pass\n    return flow\n',
        'import prefect\nfrom prefect import Flow\n\ndef build():\n    with Flow("f", storage=prefect.storage.Docker(prefect_version="1.4.1")) as flow:\n        pass\n    return flow\n',
    ),
    (  # a module-level dict of keyword arguments passed with ** (literal or builtin dict(...))
        'from prefect.storage import Docker\nKW = {"python_dependencies": ["prefect==0.14.13"], "prefect_version": "0.14.13"}\ns = Docker(**KW)\n',
        'from prefect.storage import Docker\nKW = {"python_dependencies": ["prefect~=1.0"], "prefect_version": "1.4.1"}\ns = Docker(**KW)\n',
    ),
    (
        'from prefect.storage import Docker\n\ndef build():\n    return Docker(image_name="x", **KW)\n\nKW = dict(python_dependencies=["prefect<1"])\n',
        'from prefect.storage import Docker\n\ndef build():\n    return Docker(image_name="x", **KW)\n\nKW = dict(python_dependencies=["prefect~=1.0"])\n',
    ),
    (  # a class of the module built on Docker storage
        'from prefect.storage import Docker\nclass Team(Docker):\n    pass\nclass Gpu(Team):\n    pass\ns = Gpu(python_dependencies=["prefect==0.15.13"], prefect_version="0.15.13")\n',
        'from prefect.storage import Docker\nclass Team(Docker):\n    pass\nclass Gpu(Team):\n    pass\ns = Gpu(python_dependencies=["prefect~=1.0"], prefect_version="1.4.1")\n',
    ),
    (  # a subclass's own __init__: parameter defaults passed on to super().__init__
        'from prefect.storage import Docker\nclass Team(Docker):\n'
        '    def __init__(self, python_dependencies=("prefect==0.14.13",), prefect_version="0.14.13"):\n'
        '        super().__init__(python_dependencies=python_dependencies, prefect_version=prefect_version)\n',
        'from prefect.storage import Docker\nclass Team(Docker):\n'
        '    def __init__(self, python_dependencies=("prefect~=1.0",), prefect_version="1.4.1"):\n'
        '        super().__init__(python_dependencies=python_dependencies, prefect_version=prefect_version)\n',
    ),
    (  # a name bound in __init__, a literal in the call, Team.__init__ by name, in a deeper subclass
        'from prefect.storage import Docker\nclass Team(Docker):\n    pass\nclass Gpu(Team):\n'
        '    def __init__(self, python_dependencies=None, **kwargs):\n'
        '        deps = (python_dependencies or []) + ["prefect<0.15"]\n'
        '        Team.__init__(self, python_dependencies=deps, prefect_version="0.14.13", **kwargs)\n',
        'from prefect.storage import Docker\nclass Team(Docker):\n    pass\nclass Gpu(Team):\n'
        '    def __init__(self, python_dependencies=None, **kwargs):\n'
        '        deps = (python_dependencies or []) + ["prefect~=1.0"]\n'
        '        Team.__init__(self, python_dependencies=deps, prefect_version="1.4.1", **kwargs)\n',
    ),
    (  # defaults put into the **kwargs passed on; the attribute set after the parent's __init__
        'from prefect.storage import Docker\nclass Team(Docker):\n    def __init__(self, **kwargs):\n'
        '        kwargs.setdefault("prefect_version", "0.15.13")\n'
        '        kwargs.update(python_dependencies=kwargs.get("python_dependencies", ["prefect==0.15.13"]))\n'
        '        super(Team, self).__init__(**kwargs)\n'
        '        self.python_dependencies += ["prefect[aws]==0.15.13"]\n',
        'from prefect.storage import Docker\nclass Team(Docker):\n    def __init__(self, **kwargs):\n'
        '        kwargs.setdefault("prefect_version", "1.4.1")\n'
        '        kwargs.update(python_dependencies=kwargs.get("python_dependencies", ["prefect~=1.0"]))\n'
        '        super(Team, self).__init__(**kwargs)\n'
        '        self.python_dependencies += ["prefect[aws]~=1.0"]\n',
    ),
]


@pytest.mark.parametrize("before, after", CHANGE)
def test_changes(before, after):
    result = run(before)
    assert result.text == after
    applied = [f for f in result.findings if f.applied]
    assert applied and all(f.fix_class.value == "safe" for f in applied)
    assert all(f.fix_class.value == "manual" for f in result.findings if not f.applied)
    assert run(result.text).text == after  # idempotent


def test_new_pin_has_no_shell_redirection():
    """Docker storage writes the dependencies unquoted into ``RUN pip install``."""
    result = run('from prefect.storage import Docker\ns = Docker(python_dependencies=["prefect==0.15.13"])\n')
    assert '"prefect~=1.0"' in result.text
    assert "<" not in result.text and ">" not in result.text


def test_pin_finding_says_what_changed():
    result = run('from prefect.storage import Docker\ns = Docker(python_dependencies=["prefect[aws]==0.14.13"])\n')
    (finding,) = result.findings
    assert finding.code == "PFU509" and (finding.line, finding.col) == (2, 33)
    assert "'prefect[aws]==0.14.13'" in finding.message and "'prefect[aws]~=1.0'" in finding.message


# ---- prefect_version: safe, unsafe and manual -------------------------------------------------


def test_other_0x_refs_are_unsafe():
    text = 'from prefect.storage import Docker\ns = Docker(prefect_version="0.15")\nt = Docker(prefect_version="v0.14.0")\n'
    result = run(text)
    assert result.text == text
    assert codes(result) == [("PFU510", "unsafe", False)] * 2
    assert "python:X.Y-slim" in result.findings[0].message
    fixed = run(text, options=UNSAFE)
    assert fixed.text == text.replace('"0.15"', '"1.4.1"').replace('"v0.14.0"', '"1.4.1"')
    assert codes(fixed) == [("PFU510", "unsafe", True)] * 2


@pytest.mark.parametrize(
    "value, evidence",
    [
        ("PREFECT_VERSION", "not a literal"),
        ('f"{PREFECT_VERSION}"', "not a literal"),
        ("config.prefect_version", "not a literal"),
        ('"5b3a2c1"', "git commit"),
        ('"master"', "branch"),
        ('"test_branch"', "git branch or ref"),  # a 0.x-era branch, pip-installed from git
    ],
)
def test_prefect_version_reported_as_manual(value, evidence):
    text = f"from prefect.storage import Docker\ns = Docker(prefect_version={value})\n"
    result = run(text, options=UNSAFE)
    assert result.text == text
    assert codes(result) == [("PFU510", "manual", False)]
    assert evidence in result.findings[0].message and "'1.4.1'" in result.findings[0].message


# ---- python_dependencies: manual --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        ("REQUIREMENTS", "REQUIREMENTS"),
        ('open("requirements.txt").read().split()', "open("),
        ('[r for r in REQUIREMENTS if r]', "[r for r in"),
        ('["pandas", *REQUIREMENTS]', "REQUIREMENTS"),
        ('["pandas", PREFECT_REQUIREMENT]', "PREFECT_REQUIREMENT"),
        ('[f"prefect=={V}"]', 'f"prefect=={V}"'),
        ('["prefect" "==0.14.13"]', '"prefect" "==0.14.13"'),
        ('["prefect\\x3d=0.14.13"]', "prefect\\x3d"),
        ('[b"prefect==0.14.13"]', 'b"prefect'),
    ],
)
def test_dependencies_reported_as_manual(value, shown):
    text = f"from prefect.storage import Docker\ns = Docker(python_dependencies={value})\n"
    result = run(text)
    assert result.text == text
    assert codes(result) == [("PFU509", "manual", False)]
    assert shown in result.findings[0].message and '"prefect~=1.0"' in result.findings[0].message


def test_strings_that_do_not_name_prefect_are_not_reported():
    text = 'from prefect.storage import Docker\ns = Docker(python_dependencies=[f"pandas=={V}", "dask" "==2021.1"])\n'
    assert codes(run(text)) == []


@pytest.mark.parametrize(
    "requirement",
    [
        "prefect @ git+https://github.com/PrefectHQ/prefect.git@0.15.13",
        "git+https://github.com/PrefectHQ/prefect.git@0.14.13#egg=prefect[aws]",
    ],
)
def test_direct_references_to_0x_are_manual(requirement):
    text = f'from prefect.storage import Docker\ns = Docker(python_dependencies=["{requirement}"])\n'
    result = run(text)
    assert result.text == text
    assert codes(result) == [("PFU509", "manual", False)]


# ---- --select / --ignore ----------------------------------------------------------------------

BOTH = 'from prefect.storage import Docker\ns = Docker(python_dependencies=["prefect==0.14.13"], prefect_version="0.14.13")\n'


@pytest.mark.parametrize(
    "select, ignore, after",
    [
        ((), ("PFU510",), BOTH.replace("prefect==0.14.13", "prefect~=1.0")),
        ((), ("PFU509",), BOTH.replace('"0.14.13"', '"1.4.1"')),
        (("PFU510",), (), BOTH.replace('"0.14.13"', '"1.4.1"')),
        ((), ("PFU509", "PFU510"), BOTH),
    ],
)
def test_each_code_can_be_ignored(select, ignore, after):
    options = CodemodOptions(select=select, ignore=ignore)
    result = upgrade(BOTH, "python", select=select, options=options)
    assert result.text == after
    assert all(f.code not in ignore for f in result.findings)


# ---- with every codemod: PFU105 moves the import first ----------------------------------------


def test_with_the_import_move_and_the_image():
    before = textwrap.dedent(
        """\
        from prefect.environments.storage import Docker

        storage = Docker(
            base_image="prefecthq/prefect:0.14.13-python3.8",
            python_dependencies=["pandas", "prefect[aws]==0.14.13"],
            prefect_version="0.14.13",
        )
        """
    )
    result = upgrade(before)
    assert result.text == textwrap.dedent(
        """\
        from prefect.storage import Docker

        storage = Docker(
            base_image="prefecthq/prefect:1.4.1-python3.8",
            python_dependencies=["pandas", "prefect[aws]~=1.0"],
            prefect_version="1.4.1",
        )
        """
    )
    assert sorted({f.code for f in result.findings}) == ["PFU105", "PFU507", "PFU509", "PFU510"]
    assert upgrade(result.text).text == result.text


def test_docker_storage_names_match_the_environment_codemods():
    from prefect_upgrade.codemods.environments import DOCKER_QNAMES
    from prefect_upgrade.codemods.pfu509_docker_storage_pins import DOCKER_STORAGE

    assert DOCKER_STORAGE == DOCKER_QNAMES


# ---- snapshots --------------------------------------------------------------------------------

CASES = fixture_cases("docker_pins")


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture(path: Path, snapshot):
    before = path.read_text()
    result = upgrade(before)
    snapshot.assert_match(render_case(before, result), "case.txt")
    assert upgrade(result.text).text == result.text, "a second run changed the output"


def test_fixture_that_stays_stays():
    before = (CASES[0].parent / "stays.py").read_text()
    result = upgrade(before, select=SELECT, options=UNSAFE)
    assert result.text == before and not result.findings


@pytest.mark.parametrize(
    "text",
    [
        # bound twice: which one reaches the storage?
        'from prefect.storage import Docker\nKW = {"python_dependencies": ["prefect==0.14.13"]}\n'
        'KW = {"python_dependencies": ["prefect==0.15.13"]}\ns = Docker(**KW)\n',
        # not the builtin dict
        'from prefect.storage import Docker\ndef dict(**kwargs):\n    return {}\n'
        'KW = dict(python_dependencies=["prefect==0.14.13"])\ns = Docker(**KW)\n',
    ],
)
def test_module_dicts_that_cannot_be_read_are_reported_at_the_call(text):
    result = run(text)
    assert result.text == text
    [finding] = result.findings
    assert (finding.code, finding.fix_class.value, finding.applied) == ("PFU509", "manual", False)
    assert finding.line == text.count("\n") and "**KW" in finding.message


@pytest.mark.parametrize(
    "init, evidence",
    [
        # the parameter's callers spell another name: their values are not read
        ("def __init__(self, version=None):\n        super().__init__(prefect_version=version)",
         "Team(version=...)"),
        # a name bound in a branch, not once at the top of __init__
        ("def __init__(self, gpu=False):\n        if gpu:\n            v = '0.14.13'\n"
         "        super().__init__(prefect_version=v)", "prefect_version=v is not a literal"),
        # the keyword set in a way that is not read
        ("def __init__(self, **kwargs):\n        options = {**kwargs, 'prefect_version': '0.14.13'}\n"
         "        super().__init__(**options)", "Team.__init__ handles prefect_version"),
    ],
)
def test_subclass_init_that_cannot_be_read_is_manual(init, evidence):
    text = f"from prefect.storage import Docker\nclass Team(Docker):\n    {init}\n"
    result = run(text)
    assert result.text == text
    assert codes(result) == [("PFU510", "manual", False)]
    assert evidence in result.findings[0].message and "'1.4.1'" in result.findings[0].message
