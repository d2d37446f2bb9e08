"""One rewriter per kind of file.

A rewriter turns a file's text into a state (a libcst tree, a text ...), applies one codemod at a
time to that state, renders it back to text and checks that the result still parses. The runner
applies codemods one by one so that each codemod's change to a file can be reviewed, accepted or
refused on its own.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Optional

if TYPE_CHECKING:  # the codemods' base imports libcst: not at start-up
    from prefect_upgrade.codemods.base import Codemod, CodemodOptions
    from prefect_upgrade.findings import Reporter


class SourceError(Exception):
    """A file (or the rewritten text) cannot be parsed; the message is one line."""


class Rewriter:
    """The interface every rewriter implements."""

    #: The file kind it handles, as told by discovery.
    kind: ClassVar[str]

    def handles(self, codemod: type[Codemod]) -> bool:
        """Whether ``codemod`` can change a file of this kind."""
        return self.kind in codemod.file_kinds

    def parse(self, text: str, path: str) -> Any:
        raise NotImplementedError

    def apply(
        self, state: Any, codemod: type[Codemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> Any:
        raise NotImplementedError

    def render(self, state: Any) -> str:
        raise NotImplementedError

    def verify(self, original: str, rewritten: str, path: str) -> None:
        """Raise ``SourceError`` when ``rewritten`` is not valid where ``original`` was."""


#: kind -> "module:Class", imported on first use so that start-up stays light.
_REWRITERS: dict[str, str] = {
    "python": "prefect_upgrade.rewriters.python:PythonRewriter",
    "yaml": "prefect_upgrade.rewriters.yaml:YamlRewriter",
    "dockerfile": "prefect_upgrade.rewriters.dockerfile:DockerfileRewriter",
    "makefile": "prefect_upgrade.rewriters.makefile:MakefileRewriter",
    "markdown": "prefect_upgrade.rewriters.markdown:MarkdownRewriter",
    "rst": "prefect_upgrade.rewriters.rst:RstRewriter",
    "notebook": "prefect_upgrade.rewriters.notebook:NotebookRewriter",
    "ini": "prefect_upgrade.rewriters.ini:IniRewriter",
    "shell": "prefect_upgrade.rewriters.plain:ShellRewriter",
    "toml": "prefect_upgrade.rewriters.toml:TomlRewriter",
    "jenkinsfile": "prefect_upgrade.rewriters.jenkinsfile:JenkinsfileRewriter",
}
_instances: dict[str, Rewriter] = {}


def register_rewriter(kind: str, target: str) -> None:
    _REWRITERS[kind] = target


def known_kinds() -> frozenset[str]:
    return frozenset(_REWRITERS) | PLAIN_TEXT_KINDS


#: Kinds with no rewriter of their own are read as plain text by ``TextRewriter``.
PLAIN_TEXT_KINDS = frozenset(
    {"shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini", "requirements", "markdown", "rst", "notebook"}
)


def has_rewriter(kind: Optional[str]) -> bool:
    """Whether ``rewriter_for(kind)`` is a rewriter, without importing it."""
    return kind is not None and (kind in _REWRITERS or kind in PLAIN_TEXT_KINDS)


def rewriter_for(kind: Optional[str]) -> Optional[Rewriter]:
    if kind is None or (kind not in _REWRITERS and kind not in PLAIN_TEXT_KINDS):
        return None
    if kind not in _instances:
        if kind in _REWRITERS:
            module_name, class_name = _REWRITERS[kind].split(":")
            _instances[kind] = getattr(importlib.import_module(module_name), class_name)()
        else:
            from prefect_upgrade.rewriters.text import TextRewriter

            _instances[kind] = TextRewriter(kind)
    return _instances[kind]
