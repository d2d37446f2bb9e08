"""The argument-dropping helper shared by the PFU3xx codemods keeps layout and comments."""

from __future__ import annotations

import libcst as cst
import pytest

from prefect_upgrade.findings import FixClass

from prefect_upgrade.codemods._removed_common import drop_arg, keyword, without_comments


def dropped(code: str, name: str = "x") -> str:
    call = cst.parse_expression(code)
    assert isinstance(call, cst.Call)
    return cst.Module(body=[]).code_for_node(drop_arg(call, keyword(call, name)))


@pytest.mark.parametrize(
    "before, after",
    [
        ("f(x=1)", "f()"),
        ("f(a, x=1)", "f(a)"),
        ("f(x=1, a=2)", "f(a=2)"),
        ("f(a, x=1, b=2)", "f(a, b=2)"),
        ("f(a, x=1,)", "f(a,)"),
        ("f(\n    a=1,\n    x=2,\n)", "f(\n    a=1,\n)"),
        ("f(\n    a=1,  # keep me\n    x=2,  # drop me\n)", "f(\n    a=1,  # keep me\n)"),
        ("f(\n    a=1,\n    x=2  # drop me\n)", "f(\n    a=1\n)"),
        ("f(\n    a=1,  # keep me\n    x=2\n)", "f(\n    a=1  # keep me\n)"),
        ("f(\n    x=1,  # drop me\n    a=2,\n)", "f(\n    a=2,\n)"),
    ],
)
def test_drop_arg(before, after):
    assert dropped(before) == after
    compile(after, "<drop>", "eval")


def test_without_comments_keeps_code_only():
    call = cst.parse_expression("f(\n    x={  # a\n        'k': 1,\n    },  # b\n)")
    assert without_comments(keyword(call, "x")) == "x={ 'k': 1, }"


def test_sub_code_classes_name_known_codes():
    from prefect_upgrade.codemods import all_codemods

    for codemod in all_codemods():
        assert set(codemod.code_classes) <= set(codemod.codes()), codemod.code
        for code in codemod.codes():
            assert codemod.class_of_code(code) in FixClass


def test_reported_classes_match_the_listed_class_for_manual_sub_codes():
    """A sub-code listed as manual is never reported as an applied fix of another class."""
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from removed_cases import run

    text = (
        "from prefect import Client\nc = Client()\nc.save_api_token()\n"
        "from prefect.tasks.sendgrid import SendEmail\nSendEmail(sendgrid_secret='S')\n"
    )
    from prefect_upgrade.codemods import owner_of

    for finding in run(text, unsafe=True).findings:
        assert finding.fix_class is owner_of(finding.code).class_of_code(finding.code)
