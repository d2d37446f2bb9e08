"""The argument-dropping helper shared by the PFU3xx codemods keeps layout and comments."""

from __future__ import annotations

import libcst as cst
import pytest

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
