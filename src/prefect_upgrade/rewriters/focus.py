"""Show a codemod only the top-level statements it could change.

A libcst pass costs about as much as parsing the whole module, and a codemod makes several, so a
codemod that cares about four statements of a 2,000-line module should not walk the other
1,996. Before a codemod runs, the module (read once with CPython's ``ast``, which is ten times
faster than libcst) is cut into top-level statements, each with the comments and blank lines
above it. A statement stays in the codemod's view when it

- is the first one, or holds the word ``import`` (every import stays: codemods check which
  names are taken and where new imports go);
- holds one of the codemod's markers (the words without which it has nothing to do);
- uses a name bound by a statement that stays for the reasons above (``client = Client()``
  keeps every statement that mentions ``client``), and so on until nothing more is added;
- assigns a name that a statement in view uses (so a codemod reading ``REQS`` in
  ``setup(install_requires=REQS)`` sees ``REQS = [...]``).

Each run of other statements becomes one placeholder line that binds the same module-level
names (``name = other = __prefect_upgrade_hidden_3__``), so that scopes and the check "is this
name taken" answer as on the whole module. The codemod runs on that shorter module; afterwards
every placeholder line is replaced by the statements it stood for, byte for byte, and the
positions of findings are moved back to the lines they belong to.

Whether this changes anything a codemod does is checked by ``tests/test_focus.py``: every
Python input of the test suite and of the benchmark corpus is rewritten with and without focus,
and the texts and findings must be equal. A codemod that needs the whole module sets
``PythonCodemod.sees_whole_module``.
"""

from __future__ import annotations

import ast
import bisect
import re
import symtable
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

#: Every line with its ending; the same line breaks as CPython's tokenizer (not str.splitlines,
#: which also breaks at form feeds and other separators that ``ast`` line numbers ignore).
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_PLACEHOLDER_MARK = "__prefect_upgrade_hidden_"
_PLACEHOLDER = _PLACEHOLDER_MARK + "{}__"

#: Below this many lines hidden, cutting a module up costs more than it saves.
MIN_HIDDEN_LINES = 8


@dataclass
class _Span:
    """One top-level statement (or a few on one line), with the lines above it."""

    first: int  # 0-based index of its first line (comments above included)
    start: int  # 0-based index of the line where its code starts
    last: int  # 0-based index of its last line
    text: str
    refs: frozenset[str]  # module-level names it reads or binds (not locals of its functions)
    binds: frozenset[str]  # module-level names it binds
    assigns: frozenset[str]  # the names it binds by assignment (not def/class/import)
    mutates: frozenset[str]  # names whose attributes or items it sets (``flow.executor = ...``)
    has_import: bool
    star_import: bool
    classes: frozenset[str] = frozenset()  # the module-level classes it defines


class Outline:
    """A module cut into top-level statements; computed once per text, shared by codemods."""

    def __init__(self, lines: list[str], spans: list[_Span], star_import: bool) -> None:
        self.lines = lines
        self.spans = spans
        self.star_import = star_import

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Outline) and (self.lines, self.spans, self.star_import) == (
            other.lines,
            other.spans,
            other.star_import,
        )

    @classmethod
    def of(cls, text: str, *, view: bool = False) -> Optional["Outline"]:
        """The outline of ``text``, or None when it cannot be cut up safely (``view``: a
        focused view, whose placeholders are expected)."""
        if "\r" in text.replace("\r\n", "") or (not view and _PLACEHOLDER_MARK in text):
            return None  # lone carriage returns break lines for CPython, not for this cut
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        if len(tree.body) < 2:
            return None
        try:
            scopes = symtable.symtable(text, "<focus>", "exec").get_children()
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        lines = _LINE.findall(text)
        groups: list[list[ast.stmt]] = []
        starts: list[int] = []
        ends: list[int] = []
        for node in tree.body:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())]) - 1
            end = node.end_lineno - 1
            if groups and start <= ends[-1]:
                groups[-1].append(node)
                ends[-1] = max(ends[-1], end)
            else:
                groups.append([node])
                starts.append(start)
                ends.append(end)
        spans = []
        first = 0
        # Names that functions, classes, lambdas and comprehensions read from the module, by the
        # span they are in: a task's local ``records`` is not the module's ``records``.
        global_reads: list[set[str]] = [set() for _ in groups]
        for scope in scopes:
            index = bisect.bisect_right(starts, scope.get_lineno() - 1) - 1
            global_reads[max(index, 0)] |= _module_names_read(scope)
        for nodes, start, last, reads in zip(groups, starts, ends, global_reads):
            text_of_span = "".join(lines[first : last + 1])
            binds, assigns, mutates, classes = _bindings(nodes)
            spans.append(
                _Span(
                    first,
                    start,
                    last,
                    text_of_span,
                    frozenset(_module_level_names(nodes) | reads | binds),
                    binds,
                    assigns,
                    mutates,
                    "import" in text_of_span,
                    any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in nodes),
                    classes,
                )
            )
            first = last + 1
        return cls(lines, spans, any(span.star_import for span in spans))

    def pieces(self) -> list[str]:
        """The module's text cut at its top-level statements (what ``pieces.StatementTrees`` parses)."""
        pieces = [span.text for span in self.spans]
        pieces[-1] += "".join(self.lines[self.spans[-1].last + 1 :])
        return pieces

    def focus(self, markers: Sequence[str], follow_classes: bool = False) -> Optional["Focus"]:
        """The view of a codemod with these markers, or None when it should see everything
        (``follow_classes``: a class used by a statement in view is shown too, with its bases)."""
        spans = self.spans
        marker_found = _marker_search(tuple(markers))
        has_marker = [bool(marker_found(span.text)) for span in spans]
        if self.star_import and any(s.has_import and has for s, has in zip(spans, has_marker)):
            return None  # names from a star import cannot be followed statement by statement
        # ``__all__`` names what the module exports: codemods renaming a name update it.
        shown = [
            i == 0 or has or span.has_import or "__all__" in span.refs
            for i, (span, has) in enumerate(zip(spans, has_marker))
        ]
        # Names bound where a marker is, and names used where something is shown, until stable.
        followed: set[str] = set()
        changed = True
        while changed:
            changed = False
            for i, span in enumerate(spans):
                if shown[i] and (has_marker[i] or span.refs & followed):
                    if not (span.binds | span.mutates) <= followed:
                        followed |= span.binds | span.mutates
                        changed = True
            used: set[str] = set()
            for i, span in enumerate(spans):
                if shown[i]:
                    used |= span.refs
            for i, span in enumerate(spans):
                if not shown[i] and (span.refs & followed or span.assigns & used or (follow_classes and span.classes & used)):
                    shown[i] = True
                    changed = True
        hidden_lines = sum(s.last - s.first + 1 for s, keep in zip(spans, shown) if not keep)
        if hidden_lines < MIN_HIDDEN_LINES:
            return None
        return Focus(self, shown)


@lru_cache(maxsize=256)
def _marker_search(markers: tuple[str, ...]):
    if not markers:
        return lambda text: None
    return re.compile("|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))).search


def _module_level_names(nodes: Iterable[ast.stmt]) -> set[str]:
    """Names read or bound in module scope by ``nodes``: everything but function, class and
    lambda bodies and comprehensions (their reads come from ``symtable``)."""
    names: set[str] = set()
    pending: list[ast.AST] = list(nodes)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            names.add(node.id)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending.extend(node.decorator_list)
            pending.extend(node.args.defaults)
            pending.extend(d for d in node.args.kw_defaults if d is not None)
            pending.extend(_annotations(node))
            continue
        if isinstance(node, ast.ClassDef):
            pending.extend(node.decorator_list)
            pending.extend(node.bases)
            pending.extend(k.value for k in node.keywords)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            if not isinstance(node, ast.Lambda):
                pending.append(node.generators[0].iter)  # evaluated in the enclosing scope
            else:
                pending.extend(node.args.defaults)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return names


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    found = [a.annotation for a in every if a is not None and a.annotation is not None]
    return found + ([node.returns] if node.returns is not None else [])


def _module_names_read(scope: symtable.SymbolTable) -> set[str]:
    """Names a function, class, lambda or comprehension (and what it holds) takes from the module."""
    names: set[str] = set()
    pending = [scope]
    while pending:
        table = pending.pop()
        for symbol in table.get_symbols():
            if symbol.is_global() or symbol.is_declared_global():
                names.add(symbol.get_name())
        pending.extend(table.get_children())
    return names


def _bindings(nodes: Iterable[ast.stmt]) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Module-level names bound by ``nodes``; those bound by assignment; those whose
    attributes or items are set; and the classes defined."""
    classes: set[str] = set()
    binds: set[str] = set()
    assigns: set[str] = set()
    mutates: set[str] = set()
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
            if isinstance(node, ast.ClassDef):
                classes.add(node.name)
            # Decorators and defaults run at module level, e.g. ``@(x := deco)``: walk only them.
            pending.extend(getattr(node, "decorator_list", ()))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    binds.add(alias.asname or alias.name.split(".")[0])
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            binds.add(node.id)
            assigns.add(node.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript, ast.Call)):
                base = base.func if isinstance(base, ast.Call) else base.value
            if isinstance(base, ast.Name):
                mutates.add(base.id)
        elif isinstance(node, ast.Global):
            pass
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            binds.add(node.name)
            assigns.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            binds.add(node.name)
            assigns.add(node.name)
        pending.extend(ast.iter_child_nodes(node))
    return frozenset(binds), frozenset(assigns), frozenset(mutates), frozenset(classes)


class Focus:
    """A codemod's view of a module: some statements as they are, the rest as placeholders."""

    def __init__(self, outline: Outline, shown: list[bool]) -> None:
        self._outline = outline
        #: The view's text cut at its top-level statements (a shown statement, or the comments
        #: above a hidden run with its placeholder line); the lines after the last go with it.
        self.pieces: list[str] = []
        #: For each line of the view, the 0-based line of the module it shows.
        self._line_of: list[int] = []
        #: placeholder number -> the text it stands for, and its spans
        self._hidden: list[str] = []
        self._hidden_spans: list[list[_Span]] = []
        self._placeholders: list[str] = []
        run: list[_Span] = []

        def close_run() -> None:
            if not run:
                return
            # The blank lines and comments above the first hidden statement stay in view: what
            # a codemod inserts after the imports depends on them.
            head = run[0]
            above = "".join(outline.lines[head.first : head.start])
            self._line_of.extend(range(head.first, head.start))
            names = sorted(set().union(*(s.binds for s in run)))
            text = "".join(outline.lines[head.start : head.last + 1]) + "".join(s.text for s in run[1:])
            placeholder = _PLACEHOLDER.format(len(self._hidden))
            line = "".join(f"{name} = " for name in names) + placeholder + _ending(text)
            self.pieces.append(above + line)
            self._line_of.append(head.start)
            self._hidden.append(text)
            self._hidden_spans.append(list(run))
            self._placeholders.append(line)
            run.clear()

        for span, keep in zip(outline.spans, shown):
            if keep:
                close_run()
                self.pieces.append(span.text)
                self._line_of.extend(range(span.first, span.last + 1))
            else:
                run.append(span)
        close_run()
        tail_start = outline.spans[-1].last + 1
        self.pieces[-1] += "".join(outline.lines[tail_start:])
        self._line_of.extend(range(tail_start, len(outline.lines) + 1))
        self.text = "".join(self.pieces)

    def original_line(self, line: int) -> int:
        """The 1-based line of the module shown at 1-based ``line`` of the view."""
        if 1 <= line <= len(self._line_of):
            return self._line_of[line - 1] + 1
        return line - len(self._line_of) + len(self._outline.lines) + 1

    def restore(self, rewritten: str) -> Optional[str]:
        """The whole module for the codemod's rewritten view; None if a placeholder was touched."""
        if rewritten == self.text:
            return "".join(self._outline.lines)
        out: list[str] = []
        expected = 0
        for line in _LINE.findall(rewritten):
            if _PLACEHOLDER_MARK in line:
                if expected >= len(self._placeholders) or line != self._placeholders[expected]:
                    return None
                out.append(self._hidden[expected])
                expected += 1
            else:
                out.append(line)
        if expected != len(self._hidden):
            return None
        return "".join(out)

    def outline_after(self, rewritten: str, restored: str) -> Optional[Outline]:
        """The outline of ``restored`` (what ``restore(rewritten)`` gave), from an outline of
        the rewritten view only: the hidden statements did not change, and what the outline
        holds of a statement depends on that statement alone. None: compute it afresh."""
        seen = Outline.of(rewritten, view=True)
        if seen is None:
            return None
        lines = _LINE.findall(restored)
        spans: list[_Span] = []
        shift = 0  # lines of the module before the current view line, minus those of the view
        hidden = 0
        for span in seen.spans:
            first, start, last = span.first + shift, span.start + shift, span.last + shift
            if _PLACEHOLDER_MARK not in seen.lines[span.start]:
                spans.append(_Span(first, start, last, *_rest(span, lines, first, last)))
                continue
            if span.start != span.last or hidden >= len(self._hidden_spans):
                return None
            run = self._hidden_spans[hidden]
            hidden += 1
            # The run's lines in the module: the first span keeps the view's lines above it.
            moved = start - run[0].start
            for index, old in enumerate(run):
                new_first = first if index == 0 else old.first + moved
                spans.append(_Span(new_first, old.start + moved, old.last + moved, *_rest(old, lines, new_first, old.last + moved)))
            shift += run[-1].last - run[0].start
        if hidden != len(self._hidden_spans):
            return None
        return Outline(lines, spans, any(span.star_import for span in spans))


def _rest(span: _Span, lines: list[str], first: int, last: int) -> tuple:
    """The fields of ``span`` after its lines, for the same statement at lines ``first..last``."""
    text = "".join(lines[first : last + 1])
    return (text, span.refs, span.binds, span.assigns, span.mutates, "import" in text, span.star_import, span.classes)


def _ending(text: str) -> str:
    return "\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else ""
