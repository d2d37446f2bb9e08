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


@pytest.mark.parametrize(
    "text",
    [
        "from prefect.engine.result import Result\nr = Result(value=1, result_handler=h)\n",
        "import prefect\nr = prefect.engine.result.Result(1, result_handler=h)\n",
        "from prefect.engine.results import S3Result\nr = S3Result(bucket='b', result_handler=h)\n",
        "from prefect.engine.result import SafeResult\nr = SafeResult(1, result_handler=h)\n",
    ],
)
def test_result_handler_on_a_result_is_manual(text):
    # trial 10: `Result(value=data, result_handler=...)` became `Result(value=data, result=...)`,
    # a TypeError under 1.0 (Result.__init__ takes value, location, serializer)
    result = run(text, unsafe=True, from_version="0.13")
    assert result.text == text
    pfu340 = [f for f in result.findings if f.code == "PFU340"]
    assert [(f.fix_class, f.applied) for f in pfu340] == [(FixClass.MANUAL, False)]
    assert "a Result takes no `result=`" in pfu340[0].message


@pytest.mark.parametrize(
    "text",
    [
        # a task, a flow, a task-library class: still renamed
        "from prefect import Task\nt = Task(result_handler=h)\n",
        "from prefect import Flow\nf = Flow('f', result_handler=h)\n",
        # a result-like class of another library: renamed as before (unsafe, with its check)
        "import prefect\nfrom mylib.engine.result import Result\nr = Result(1, result_handler=h)\n",
    ],
)
def test_result_handler_elsewhere_is_still_renamed(text):
    result = run(text, unsafe=True, from_version="0.13")
    assert "result=h" in result.text and "result_handler" not in result.text


@pytest.mark.parametrize(
    "text, name",
    [
        ("from prefect.engine.result import SafeResult\n", "SafeResult"),
        ("from prefect.engine.result.base import SafeResult as S\n", "SafeResult"),
        ("from prefect.engine.result import ResultInterface\n", "ResultInterface"),
        ("from prefect.engine.results import ResultHandlerResult\n", "ResultHandlerResult"),
        ("import prefect\nx = prefect.engine.result.SafeResult(1, None)\n", "SafeResult"),
        ("import prefect.engine.result as r\nclass P(r.SafeResult):\n    pass\n", "SafeResult"),
    ],
)
def test_removed_result_classes_are_reported(text, name):
    # trial 10: `class PurgedResultType(SafeResult)` gave no finding and the module failed to
    # import under 1.0 (SafeResult, ResultInterface, ResultHandlerResult: removed in 0.14)
    result = run(text, unsafe=True, from_version="0.13")
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [("PFU304", FixClass.MANUAL)]
    assert result.findings[0].message.startswith(f"`{name}` was removed in Prefect 0.14")


@pytest.mark.parametrize(
    "text",
    [
        "import prefect\nfrom mylib.engine.result import SafeResult\n",
        "import prefect\nx = other.SafeResult(1)\n",
        "import prefect\n# SafeResult, ResultInterface\ns = 'SafeResult'\n",
        "from prefect.engine.result import Result, NoResult\nclass P(Result):\n    pass\n",
    ],
)
def test_lookalikes_of_removed_result_classes_stay(text):
    result = run(text, unsafe=True, from_version="0.13")
    assert result.text == text and result.findings == []


def test_super_init_with_result_handler_in_a_result_subclass_is_manual():
    text = (
        "from prefect.engine.results import LocalResult\n"
        "class Kept(LocalResult):\n"
        "    def __init__(self):\n"
        "        super().__init__(dir='x', result_handler=None)\n"
        "class Plain:\n"
        "    def __init__(self):\n"
        "        super().__init__(result_handler=None)\n"
    )
    result = run(text, unsafe=True, from_version="0.13")
    # the Result subclass keeps its call (manual); the plain class is renamed as any call is
    assert "super().__init__(dir='x', result_handler=None)" in result.text
    assert "super().__init__(result=None)" in result.text
    assert [(f.line, f.fix_class) for f in result.findings] == [(4, FixClass.MANUAL), (7, FixClass.UNSAFE)]


@pytest.mark.parametrize(
    "text, names",
    [
        ("from prefect.engine.result import Result\nr = Result(1, validators=[check])\n", ["validators"]),
        (
            "from prefect.engine.results import LocalResult\nr = LocalResult(dir='d', validators=v, run_validators=False)\n",
            ["validators", "run_validators"],
        ),
        ("import prefect\nr = prefect.engine.result.Result(1, run_validators=True)\n", ["run_validators"]),
    ],
)
def test_result_validators_are_manual(text, names):
    # spec row "Result(validators=, run_validators=)": removed after 0.14.22, a TypeError under 1.0
    result = run(text, unsafe=True, from_version="0.14")
    assert result.text == text
    assert [(f.code, f.fix_class) for f in result.findings] == [("PFU304", FixClass.MANUAL)] * len(names)
    assert [f.message.split("=")[0].strip("`") for f in result.findings] == names


@pytest.mark.parametrize(
    "text",
    [
        "import prefect\nfrom pydantic import validator\nm = Model(validators=[v])\n",
        "from prefect import Task\nt = Task(name='t')\nrun(validators=[v])\n",
        "import prefect\n# Result(validators=[...]) is gone\n",
    ],
)
def test_validators_of_other_calls_stay(text):
    result = run(text, unsafe=True, from_version="0.14")
    assert result.text == text and result.findings == []
