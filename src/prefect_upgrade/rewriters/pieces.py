"""A module's libcst tree assembled from trees of its top-level statements, each parsed once.

Every codemod reads the file again: its own focused view (``focus.py``), or the module as the
previous codemod left it. Most of the statements in those texts are the same statements, byte
for byte: a codemod that rewrites three imports leaves the other two hundred statements as they
were. So the text is cut at its top-level statements (the cut ``focus.Outline`` makes with
``ast``), each piece is parsed by libcst once per file, and a module's tree is put together from
the trees of its pieces. That is what libcst would give for the whole text:

- the comment and blank lines above the first statement are the module's ``header``; above any
  other statement they are that statement's ``leading_lines``;
- the lines after the last statement are the module's ``footer``;
- the module's default indentation and line break are those its pieces agree on.

Where libcst would attach lines differently, the pieces are not used and the whole text is
parsed: an indented comment or blank line above a statement (libcst gives it,
and the lines before it, to the block of the function above), pieces that disagree on the indentation or the line break, a piece
that does not parse alone. ``tests/test_pieces.py`` compares the assembled trees with libcst's
own on every Python text of the test suite and of the benchmark corpus.

The same statement trees then appear in several modules (a view and the next codemod's module);
libcst trees are immutable and metadata is kept per ``MetadataWrapper``, so that is safe, and
the code of a module is generated statement by statement, once per statement
(``_speed.module_code``): a codemod's output costs the code of the statements it replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from prefect_upgrade.codemods._speed import forget_statement_codes

#: A comment or blank line that starts with blanks: libcst may hand it (and the lines before it)
#: to the indented block of the statement above, which a piece parsed alone cannot know.
_INDENTED_LINE = re.compile(r"[ \t\f]+(#|\Z)")


@dataclass(frozen=True)
class _Piece:
    header: tuple[cst.EmptyLine, ...]
    body: tuple[cst.BaseStatement, ...]
    footer: tuple[cst.EmptyLine, ...]
    indent: Optional[str]  # None: no compound statement, so no block depends on it
    newline: str
    has_trailing_newline: bool


class StatementTrees:
    """The trees of one file's pieces, each parsed once (one instance per file)."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, bool], Optional[_Piece]] = {}
        forget_statement_codes()

    def module(self, pieces: Sequence[str]) -> Optional[cst.Module]:
        """The tree libcst would parse from ``"".join(pieces)``; None: parse the text instead."""
        parsed = []
        seen: set[str] = set()
        for index, text in enumerate(pieces):
            # A text met twice (``flow.run()`` at two places) is parsed again: no node may
            # stand at two places of one tree (positions and scopes are kept by node).
            piece = self._piece(text, index == 0) if text not in seen else self._parse(text, index == 0)
            seen.add(text)
            if piece is None or (piece.footer and index != len(pieces) - 1):
                return None
            parsed.append(piece)
        newline = parsed[0].newline
        indents = {piece.indent for piece in parsed if piece.indent is not None}
        if len(indents) > 1 or any(piece.newline != newline for piece in parsed):
            return None
        first, last = parsed[0], parsed[-1]
        body = tuple(statement for piece in parsed for statement in piece.body)
        return cst.Module(
            body=body,
            header=first.header,
            footer=last.footer,
            default_indent=indents.pop() if indents else _DEFAULT_INDENT,
            default_newline=newline,
            has_trailing_newline=last.has_trailing_newline,
        )

    def _piece(self, text: str, first: bool) -> Optional[_Piece]:
        key = (text, first)
        if key in self._parsed:
            return self._parsed[key]
        piece = self._parsed[key] = self._parse(text, first)
        return piece

    def _parse(self, text: str, first: bool) -> Optional[_Piece]:
        if not first and _indented_line_above(text):
            return None
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError):
            return None
        if not module.body:
            return None
        body = module.body
        header = module.header
        if not first and header:
            body = (body[0].with_changes(leading_lines=(*header, *body[0].leading_lines)), *body[1:])
            header = ()
        compound = any(isinstance(statement, cst.BaseCompoundStatement) for statement in body)
        return _Piece(
            header=tuple(header),
            body=tuple(body),
            footer=tuple(module.footer),
            indent=module.default_indent if compound else None,
            newline=module.default_newline,
            has_trailing_newline=module.has_trailing_newline,
        )


_DEFAULT_INDENT = cst.Module(body=()).default_indent


def _indented_line_above(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return False
        if _INDENTED_LINE.match(line):
            return True
    return False
