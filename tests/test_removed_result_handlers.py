"""PFU304/PFU340/PFU341: result handlers became results."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "from prefect.engine.results import LocalResult\nfrom prefect import Task\nTask(result=LocalResult())\n",
    "from mylib import LocalResultHandler\nLocalResultHandler(dir='x')\n",
    "import prefect\n# result_handler=LocalResultHandler()\n",
    "from mylib.engine.result_handlers import LocalResultHandler\nx = 1\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text, unsafe=True)
    assert result.text == text and result.findings == []


def test_handlers_are_unsafe():
    text = (
        "from prefect import task\n"
        "from prefect.engine.result_handlers import LocalResultHandler\n"
        "@task(result_handler=LocalResultHandler('/tmp/r'))\n"
        "def f():\n    pass\n"
    )
    default = run(text)
    assert default.text == text
    assert {(f.code, f.fix_class, f.applied) for f in default.findings} == {
        ("PFU304", FixClass.UNSAFE, False),
        ("PFU340", FixClass.UNSAFE, False),
    }
    unsafe = run(text, unsafe=True)
    assert "@task(result=LocalResult(dir='/tmp/r'))" in unsafe.text
    assert "result_handlers" not in unsafe.text
    assert "from prefect.engine.results import LocalResult" in unsafe.text


@pytest.mark.parametrize(
    "call, expected",
    [
        ("JSONResultHandler()", "PrefectResult()"),
        ("ConstantResultHandler(5)", "ConstantResult(value=5)"),
        ("S3ResultHandler('b', 'SECRET')", "S3Result(bucket='b')"),
        ("S3ResultHandler(bucket='b', boto3_kwargs=k)", "S3Result(bucket='b', boto3_kwargs=k)"),
        ("GCSResultHandler('b', credentials_secret='C')", "GCSResult(bucket='b')"),
        ("AzureResultHandler('c', 'conn', 'AZ')", "AzureResult(container='c', connection_string='conn')"),
        ("SecretResultHandler(secret_task=s)", "SecretResult(secret_task=s)"),
        ("LocalResultHandler()", "LocalResult()"),
    ],
)
def test_class_mapping(call, expected):
    name = call.split("(")[0]
    text = f"from prefect.engine.result_handlers import {name}\nr = {call}\n"
    out = run(text, unsafe=True).text
    assert out.endswith(f"r = {expected}\n")
    compile(out, "<out>", "exec")


@pytest.mark.parametrize("unsafe", [False, True])
def test_unused_import_of_the_removed_module_goes(unsafe):
    # trial 7: a converted LocalResultHandler next to an unused S3ResultHandler left an import
    # that fails under 1.0, with no finding
    text = (
        "x = 0\n"
        "from prefect.engine.result_handlers import LocalResultHandler, S3ResultHandler\n"
        "import prefect.engine.result_handlers as rh\n"
        "r = LocalResultHandler()\n"
    )
    result = run(text, unsafe=unsafe)
    assert "S3ResultHandler" not in result.text and "as rh" not in result.text
    assert ("result_handlers" in result.text) is not unsafe
    removed = [f for f in result.findings if "nothing uses it" in f.message]
    assert [(f.fix_class, f.applied) for f in removed] == [(FixClass.SAFE, True)] * 2


def test_other_uses_of_an_imported_handler_are_reported_at_the_import():
    text = "from prefect.engine.result_handlers import ResultHandler\ndef f(h: ResultHandler): pass\n"
    result = run(text, unsafe=True)
    assert result.text == text
    assert [(f.line, f.fix_class) for f in result.findings] == [(1, FixClass.MANUAL)]


def test_a_handler_named_in_all_is_reported_not_claimed_deleted():
    # adversarial review: libcst's import removal keeps a name ``__all__`` lists, so the import
    # stayed (and failed under 1.0) under a finding saying "import deleted [fixed]"
    exported = (
        "from prefect.engine.result_handlers import LocalResultHandler, S3ResultHandler\n"
        '__all__ = ["LocalResultHandler"]\n'
    )
    result = run(exported, unsafe=True)
    assert "LocalResultHandler" in result.text.splitlines()[0]
    assert "S3ResultHandler" not in result.text
    by_name = {f.message.split("`")[1]: (f.fix_class, f.applied) for f in result.findings}
    assert by_name == {
        "LocalResultHandler": (FixClass.MANUAL, False),
        "S3ResultHandler": (FixClass.SAFE, True),
    }
    assert "__all__" in next(f.message for f in result.findings if "LocalResultHandler" in f.message)
    # a docstring or comment naming it is no use: the import goes
    mentioned = (
        '"""Wraps LocalResultHandler."""\n'
        "from prefect.engine.result_handlers import LocalResultHandler  # LocalResultHandler\n"
        "x = 1\n"
    )
    result = run(mentioned, unsafe=True)
    assert "import" not in result.text
    assert [(f.fix_class, f.applied) for f in result.findings] == [(FixClass.SAFE, True)]


def test_existing_result_keyword_is_manual():
    text = "from prefect import Task\nTask(result_handler=h, result=r)\n"
    result = run(text, unsafe=True)
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [("PFU340", FixClass.MANUAL)]


@pytest.mark.parametrize("path", fixture_cases("removed_result_handlers"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")
