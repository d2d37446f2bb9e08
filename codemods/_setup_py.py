"""Helpers for the Python-side PFU5xx codemods (setup.py pins, image strings)."""

from __future__ import annotations

import os
from typing import Optional

import libcst as cst
import libcst.matchers as m


def is_setup_module(filename: Optional[str], module: cst.Module) -> bool:
    """A ``setup.py``, or (when the file has no real name: stdin, tests) a module that calls
    ``setup(...)``/``setuptools.setup(...)`` after importing setuptools or distutils."""
    name = os.path.basename(filename or "")
    if name == "setup.py":
        return True
    if name.endswith(".py"):
        return False
    imports_setuptools = bool(
        m.findall(
            module,
            m.Import(names=[m.ZeroOrMore(), m.ImportAlias(name=m.Name("setuptools")), m.ZeroOrMore()])
            | m.ImportFrom(module=m.Name("setuptools") | m.Attribute(value=m.Name("distutils"), attr=m.Name("core"))),
        )
    )
    calls_setup = bool(
        m.findall(module, m.Call(func=m.Name("setup") | m.Attribute(value=m.Name("setuptools"), attr=m.Name("setup"))))
    )
    return imports_setuptools and calls_setup


def plain_raw_value(node: cst.SimpleString) -> Optional[str]:
    """The text between the quotes when it means exactly what it says (no escapes, not bytes)."""
    if "b" in node.prefix.lower():
        return None
    raw = node.raw_value
    try:
        value = node.evaluated_value
    except Exception:  # pragma: no cover - libcst evaluates every valid literal
        return None
    if not isinstance(value, str) or value != raw:
        return None
    return raw


def with_raw_value(node: cst.SimpleString, raw: str) -> cst.SimpleString:
    return node.with_changes(value=f"{node.prefix}{node.quote}{raw}{node.quote}")
