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

from prefect_upgrade.codemods._speed import module_code
from prefect_upgrade.codemods.base import Codemod, CodemodOptions, PythonCodemod
from prefect_upgrade.findings import Reporter
from prefect_upgrade.rewriters import Rewriter, SourceError, focus
from prefect_upgrade.rewriters.pieces import StatementTrees


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


def parse_python(text: str, *, nesting_checked: bool = False) -> cst.Module:
    """libcst's tree of ``text`` (``nesting_checked``: CPython's parser already read a text
    nested at least as deeply)."""
    if not nesting_checked:
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
    """A module's text, with its libcst tree, metadata and outline computed when first needed.

    Codemods that see the same text share one tree and one metadata wrapper; codemods that see
    the same focused view of it (``focus.py``) share that view's tree in the same way. Every
    state of one file shares its ``StatementTrees``: a tree is put together from the trees of
    its statements, each parsed once per file (``pieces.py``).
    """

    __slots__ = ("_module", "_text", "_wrapper", "_outline", "_views", "_nesting_checked", "_trees", "_pieces")

    def __init__(
        self,
        module: Optional[cst.Module] = None,
        text: Optional[str] = None,
        trees: Optional[StatementTrees] = None,
    ) -> None:
        assert module is not None or text is not None
        self._module = module
        self._text = text
        self._trees = trees
        #: The text cut at its top-level statements, when a view's cut is known.
        self._pieces: Optional[list[str]] = None
        # Set once a tree is known to hold no node twice (straight from the parser, or copied).
        self._wrapper: Optional[MetadataWrapper] = None
        self._outline: object = None
        self._views: dict[str, "PythonState"] = {}
        #: A focused view: its statements are the module's (or a rewritten view's, which the
        #: outline read with ``ast``), so CPython's parser has seen nesting as deep.
        self._nesting_checked = False

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = module_code(self._module)
        return self._text

    @classmethod
    def copied(cls, module: cst.Module) -> "PythonState":
        state = cls(module)
        state._wrapper = MetadataWrapper(module)  # a deep copy: no node twice
        state._module = state._wrapper.module
        return state

    def wrapper(self) -> MetadataWrapper:
        if self._wrapper is None:
            # Not parsed yet, or a codemod's output, which may hold one node in two places:
            # parse its text afresh (from the statements' trees where they are known).
            fresh = self._from_pieces() or parse_python(self.text, nesting_checked=self._nesting_checked)
            self._module = fresh
            self._wrapper = MetadataWrapper(fresh, unsafe_skip_copy=True)
        return self._wrapper

    def _from_pieces(self) -> Optional[cst.Module]:
        if self._trees is None:
            return None
        pieces = self._pieces
        if pieces is None and self._outline:
            pieces = self._outline.pieces()
        return self._trees.module(pieces) if pieces is not None else None

    def outline(self) -> Optional[focus.Outline]:
        if self._outline is None:
            self._outline = focus.Outline.of(self.text) or False
            self._nesting_checked = self._nesting_checked or bool(self._outline)  # ``ast`` read it
        return self._outline or None

    def view(self, view: focus.Focus) -> "PythonState":
        found = self._views.get(view.text)
        if found is None:
            found = self._views[view.text] = PythonState(text=view.text, trees=self._trees)
            found._pieces = view.pieces
            found._nesting_checked = True
        return found


_NOT_REPRODUCED = "cannot be reproduced exactly by the parser (unusual trailing whitespace?); not rewritten"

#: Whether codemods see only the statements they could change (``focus.py``); tests turn it off
#: to check that it changes nothing.
FOCUS = True


class PythonRewriter(Rewriter):
    kind = "python"

    def __init__(self) -> None:
        #: The last rewritten text known to parse (it was parsed afresh for a later codemod).
        self._parsed_text: Optional[str] = None

    def handles(self, codemod: type[Codemod]) -> bool:
        return issubclass(codemod, PythonCodemod)

    def parse(self, text: str, path: str) -> PythonState:
        state = PythonState(text=text, trees=StatementTrees())
        if not FOCUS or state.outline() is None:
            # libcst parses the whole text now: its message for a syntax error is the one shown.
            state.wrapper()
        return state

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
        outline = state.outline() if FOCUS and not codemod.sees_whole_module else None
        view = outline.focus(codemod.markers, codemod.follows_classes) if outline is not None else None
        if view is not None:
            focused = self._apply_focused(state, view, codemod, options, reporter, path)
            if focused is not None:
                return focused
        return self._transform(state, codemod, options, reporter, path)

    def _transform(
        self, state: PythonState, codemod: type[PythonCodemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> PythonState:
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
        if module_code(wrapper.module) != state.text:
            # libcst loses bytes on a few rare layouts (e.g. a last line of only blanks); a
            # rewrite would silently change the file elsewhere, so it is not rewritten at all.
            # (Checked only when a codemod changes something: the check costs a code generation.)
            raise SourceError(_NOT_REPRODUCED)
        return PythonState(module, trees=state._trees)

    def _apply_focused(
        self,
        state: PythonState,
        view: focus.Focus,
        codemod: type[PythonCodemod],
        options: CodemodOptions,
        reporter: Reporter,
        path: str,
    ) -> Optional[PythonState]:
        """The codemod run on its focused view; None when the whole module must be used."""
        shown = state.view(view)
        try:
            shown.wrapper()
        except SourceError:
            return None  # the whole module gives the message
        seen = Reporter()
        result = self._transform(shown, codemod, options, seen, path)
        if result is shown:
            whole = state
        else:
            text = view.restore(result.text)
            if text is None:
                return None
            whole = PythonState(text=text, trees=state._trees)
            # The next codemod's outline, from the rewritten view (cheaper than the module).
            whole._outline = view.outline_after(result.text, text)
            whole._nesting_checked = whole._outline is not None
        for finding in seen.findings:
            reporter.add(
                finding.code,
                view.original_line(finding.line),
                finding.col,
                finding.fix_class,
                finding.message,
                finding.applied,
                finding.anchor,
            )
        return whole

    def render(self, state: PythonState) -> str:
        return state.code if isinstance(state, cst.Module) else state.text

    def verify(self, original: str, rewritten: str, path: str) -> None:
        if _compiles(rewritten):
            return
        if rewritten != self._parsed_text:
            parse_python(rewritten)
        if _compiles(original):
            raise SourceError("the rewritten code does not compile; nothing was written (please report this)")
