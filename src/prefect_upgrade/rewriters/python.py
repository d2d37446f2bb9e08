"""Python files: parsed once with libcst; each codemod transforms the tree in turn."""

from __future__ import annotations

import ast
import warnings

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from prefect_upgrade.codemods.base import Codemod, CodemodOptions, PythonCodemod
from prefect_upgrade.findings import Reporter
from prefect_upgrade.rewriters import Rewriter, SourceError


def _guard_depth(text: str) -> None:
    """Refuse what would overflow libcst's native parser (it crashes the process, not raises).

    CPython's own parser stops deep nesting with a clean error well before libcst's limit, so it
    is asked first.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (RecursionError, MemoryError):
        raise SourceError("too deeply nested to parse") from None
    except SyntaxError as error:
        if "too many" in str(error.msg):  # "too many nested parentheses", "... levels of indentation"
            raise SourceError(f"syntax error at line {error.lineno}: {error.msg}") from None
    except ValueError:
        pass  # e.g. NUL bytes: let libcst give its own message


def parse_python(text: str) -> cst.Module:
    _guard_depth(text)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message = str(error.message).splitlines()[0] if error.message else "syntax error"
        raise SourceError(f"syntax error at line {error.raw_line}: {message}") from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None


def _compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<rewritten>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class PythonRewriter(Rewriter):
    kind = "python"

    def handles(self, codemod: type[Codemod]) -> bool:
        return issubclass(codemod, PythonCodemod)

    def parse(self, text: str, path: str) -> cst.Module:
        return parse_python(text)

    def apply(
        self,
        state: cst.Module,
        codemod: type[Codemod],
        options: CodemodOptions,
        reporter: Reporter,
        path: str,
    ) -> cst.Module:
        assert issubclass(codemod, PythonCodemod)
        transformer = codemod(CodemodContext(filename=path), options, reporter)
        try:
            return transformer.transform_module(state)
        except SkipFile:
            return state

    def render(self, state: cst.Module) -> str:
        return state.code

    def verify(self, original: str, rewritten: str, path: str) -> None:
        parse_python(rewritten)
        if _compiles(original) and not _compiles(rewritten):
            raise SourceError("the rewritten code does not compile; nothing was written (please report this)")
