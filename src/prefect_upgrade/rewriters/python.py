"""Python files: parsed once with libcst; each codemod transforms the tree in turn.

Speed (see ``benchmarks/``): a tree that came from the parser has no node twice, so codemods
share one ``MetadataWrapper`` over it without libcst's defensive deep copy, and metadata
(positions, scopes, qualified names) is resolved on first use and then shared by every codemod
that sees the same tree. Codemods that change nothing leave the tree (and its metadata) to the
next one. After a codemod changes the tree, the next codemod gets the rewritten text parsed
afresh: cheaper than libcst's deep copy, and it proves that the rewritten text parses.
"""

from __future__ import annotations

import ast
import warnings
from typing import Optional

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile
from libcst.metadata import MetadataWrapper

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


class PythonState:
    """A module, its text once rendered, and (for parser output) the shared metadata wrapper."""

    __slots__ = ("module", "_text", "_wrapper")

    def __init__(self, module: cst.Module, text: Optional[str] = None, parsed: bool = False) -> None:
        self.module = module
        self._text = text
        # Only a tree straight from the parser is known to hold no node twice.
        self._wrapper = MetadataWrapper(module, unsafe_skip_copy=True) if parsed else None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.module.code
        return self._text

    @classmethod
    def copied(cls, module: cst.Module) -> "PythonState":
        state = cls(module)
        state._wrapper = MetadataWrapper(module)  # a deep copy: no node twice
        state.module = state._wrapper.module
        return state

    def wrapper(self) -> MetadataWrapper:
        if self._wrapper is None:
            # A codemod's output may hold one node in two places: parse its text afresh.
            fresh = parse_python(self.text)
            self.module = fresh
            self._wrapper = MetadataWrapper(fresh, unsafe_skip_copy=True)
        return self._wrapper


class PythonRewriter(Rewriter):
    kind = "python"

    def __init__(self) -> None:
        #: The last rewritten text known to parse (it was parsed afresh for a later codemod).
        self._parsed_text: Optional[str] = None

    def handles(self, codemod: type[Codemod]) -> bool:
        return issubclass(codemod, PythonCodemod)

    def parse(self, text: str, path: str) -> PythonState:
        module = parse_python(text)
        if module.code != text:
            # libcst loses bytes on a few rare layouts (e.g. a last line of only blanks); a
            # rewrite would silently change the file elsewhere, so it is not rewritten at all.
            raise SourceError("cannot be reproduced exactly by the parser (unusual trailing whitespace?); not rewritten")
        return PythonState(module, text, parsed=True)

    def apply(
        self,
        state: PythonState,
        codemod: type[Codemod],
        options: CodemodOptions,
        reporter: Reporter,
        path: str,
    ) -> PythonState:
        assert issubclass(codemod, PythonCodemod)
        if isinstance(state, cst.Module):  # a tree parsed elsewhere: copied, as libcst would
            state = PythonState.copied(state)
        wrapper = state.wrapper()
        self._parsed_text = state.text
        transformer = codemod(CodemodContext(filename=path), options, reporter)
        transformer.shared_wrapper = wrapper
        try:
            module = transformer.transform_module(wrapper.module)
        except SkipFile:
            return state
        if module is wrapper.module:
            return state
        return PythonState(module)

    def render(self, state: PythonState) -> str:
        return state.code if isinstance(state, cst.Module) else state.text

    def verify(self, original: str, rewritten: str, path: str) -> None:
        if rewritten != self._parsed_text:
            parse_python(rewritten)
        if not _compiles(rewritten) and _compiles(original):
            raise SourceError("the rewritten code does not compile; nothing was written (please report this)")
