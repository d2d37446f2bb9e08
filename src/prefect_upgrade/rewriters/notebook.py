"""Jupyter notebooks (``.ipynb``, nbformat 4).

Code cells of a Python notebook go through the codemods:

- Python: the cell's source, with IPython syntax masked first (``%magic`` lines, ``!command``
  lines, ``x = !command``, ``obj?`` help lines become ``pass  # PFU_MAGIC_<n>`` at the same
  indentation, and are put back after the rewrite), through the Python codemods; a cell that
  still does not parse stays as it is; ``%%time``/``%%timeit``/``%%capture`` cells are Python after
  their first line, and so is ``%%writefile NAME.py``;
- shell: ``!command``, ``!!command``, ``x = !command``, ``%sx``/``%system`` lines, ``%env NAME=value``
  lines (for setting renames), and the body of
  ``%%bash``/``%%sh``/``%%script bash`` cells (and ``%%writefile NAME.sh``), through the shell
  codemods. A ``!`` line that a codemod turns into several commands gets a ``!`` on each; a
  comment line it adds stays a comment.

The code cells that parse are rewritten together, as one module (each after a
``pass  # PFU_CELL_<n>`` line), since they share one namespace: a name imported in one cell and
used in a later one is renamed in both, and an import is not "unused" when a later cell uses it.
Imports a codemod adds go to the top of the first code cell that imports something. If the joined
module does not parse or the cell lines do not come back in order, each cell is rewritten alone.

Markdown cells: their fenced ``bash``/``console``/``python`` blocks, as in a Markdown file (prose
stays).

Only the ``source`` of the cells that changed is rewritten, in place: every other byte of the
file (indentation, key order, outputs, metadata, ``\\uXXXX`` escapes, the final newline) stays as
it was, and the new source keeps the layout of the old one (a list of lines, or one string).
Findings point at the line and column of the file that hold the cell's source line (for a list
of lines; for one string, its line in the file and the column inside it).

Codemods that declare the ``notebook`` kind get the whole JSON text. A notebook that is not
valid JSON is reported as an error (and not touched); ``verify`` checks that the result is JSON
with the same cells, cell types, outputs and metadata.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from prefect_upgrade.codemods.base import Codemod, CodemodOptions, PythonCodemod, TextCodemod
from prefect_upgrade.findings import Finding, Reporter
from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.rewriters.embedded import (
    PYTHON,
    SHELL,
    EmbeddingRewriter,
    Fragment,
    apply_fragments,
    rewrite_python,
    rewrite_shell,
)

# -- a JSON reader that remembers where every value is --------------------------------------------


@dataclass
class Node:
    value: Any
    start: int
    end: int
    #: for objects: key -> Node; for arrays: [Node]
    children: Any = None


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


class _JsonError(Exception):
    pass


_decoder = json.JSONDecoder()

#: The paths whose positions are needed (cells, their sources, the source lines); the rest
#: (outputs, metadata …) is decoded by ``json`` in one go.
_TRACKED = {(), ("cells",), ("cells", "*"), ("cells", "*", "source"), ("cells", "*", "source", "*")}


def read_json(text: str) -> Node:
    position = _WHITESPACE.match(text, 0).end()
    node, position = _value(text, position, ())
    if _WHITESPACE.match(text, position).end() != len(text):
        raise _JsonError("extra data after the notebook")
    return node


def _value(text: str, position: int, path: tuple = ()) -> tuple[Node, int]:
    if position >= len(text):
        raise _JsonError("unexpected end")
    if path not in _TRACKED:
        value, end = _decoder.raw_decode(text, position)
        return Node(value, position, end), end
    char = text[position]
    if char == '"':
        value, end = _scanstring(text, position + 1, True)
        return Node(value, position, end), end
    if char == "{":
        children: dict[str, Node] = {}
        values: dict[str, Any] = {}
        position = _WHITESPACE.match(text, position + 1).end()
        start = position - 1
        if text[position : position + 1] == "}":
            return Node(values, start, position + 1, children), position + 1
        while True:
            if text[position : position + 1] != '"':
                raise _JsonError(f"expected a key at offset {position}")
            key, position = _scanstring(text, position + 1, True)
            position = _WHITESPACE.match(text, position).end()
            if text[position : position + 1] != ":":
                raise _JsonError(f"expected ':' at offset {position}")
            position = _WHITESPACE.match(text, position + 1).end()
            child, position = _value(text, position, path + (key,))
            children[key] = child
            values[key] = child.value
            position = _WHITESPACE.match(text, position).end()
            if text[position : position + 1] == ",":
                position = _WHITESPACE.match(text, position + 1).end()
                continue
            if text[position : position + 1] == "}":
                return Node(values, start, position + 1, children), position + 1
            raise _JsonError(f"expected ',' or '}}' at offset {position}")
    if char == "[":
        items: list[Node] = []
        start = position
        position = _WHITESPACE.match(text, position + 1).end()
        if text[position : position + 1] == "]":
            return Node([], start, position + 1, items), position + 1
        while True:
            child, position = _value(text, position, path + ("*",))
            items.append(child)
            position = _WHITESPACE.match(text, position).end()
            if text[position : position + 1] == ",":
                position = _WHITESPACE.match(text, position + 1).end()
                continue
            if text[position : position + 1] == "]":
                return Node([item.value for item in items], start, position + 1, items), position + 1
            raise _JsonError(f"expected ',' or ']' at offset {position}")
    for literal, value in (("true", True), ("false", False), ("null", None)):
        if text.startswith(literal, position):
            return Node(value, position, position + len(literal)), position + len(literal)
    match = _NUMBER.match(text, position)
    if match:
        return Node(json.loads(match.group()), position, match.end()), match.end()
    raise _JsonError(f"unexpected character at offset {position}")


def _load(text: str) -> Node:
    try:
        root = read_json(text)
    except (_JsonError, ValueError, RecursionError) as error:
        message = str(error).splitlines()[0] if str(error) else "invalid JSON"
        raise SourceError(f"not a valid notebook (invalid JSON: {message})") from None
    if not isinstance(root.value, dict):
        raise SourceError("not a valid notebook (the JSON is not an object)")
    return root


# -- IPython syntax ------------------------------------------------------------------------------

_SHELL_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*)?"
    r"(?:!!?(?!=)|%sx[ \t]+|%system[ \t]+)|[ \t]*%(?:set_)?env[ \t]+)(?P<command>.*)$"
)
#: ``%magic``, ``%%magic``, ``!command`` (not ``!=``), ``?name``, ``name?`` lines.
_MAGIC_LINE = re.compile(r"^[ \t]*(?:%%?[A-Za-z]|!(?!=)|\?)|^[^#'\"]*\?\??[ \t]*$")
_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)pass  # PFU_MAGIC_(?P<number>\d+)$")
_SHELL_CELLS = re.compile(r"^%%(?:bash|sh|script[ \t]+(?:ba|z)?sh|system)\b")
_PYTHON_CELLS = re.compile(r"^%%(?:time|timeit|capture|prun)\b")
_WRITEFILE = re.compile(r"^%%writefile(?:[ \t]+-a)?[ \t]+(?P<name>\S+)")


def mask_magics(text: str) -> tuple[str, list[str]]:
    """IPython lines as ``pass`` placeholders, so that the cell parses as Python."""
    lines = text.split("\n")
    masked: list[str] = []
    originals: list[str] = []
    for line in lines:
        if _MAGIC_LINE.match(line) or _SHELL_LINE.match(line) and "!" in line.split("#", 1)[0]:
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            masked.append(f"{indent}pass  # PFU_MAGIC_{len(originals)}")
            originals.append(line)
        else:
            masked.append(line)
    return "\n".join(masked), originals


def unmask_magics(text: str, originals: list[str]) -> Optional[str]:
    seen: set[int] = set()
    out = []
    for line in text.split("\n"):
        match = _PLACEHOLDER.match(line)
        if match:
            number = int(match.group("number"))
            if number >= len(originals) or number in seen:
                return None
            seen.add(number)
            out.append(originals[number])
        else:
            out.append(line)
    if len(seen) != len(originals) or "PFU_MAGIC_" in "\n".join(out):
        return None
    return "\n".join(out)


def cell_fragments(text: str) -> list[tuple[str, Fragment]]:
    """The shell and Python fragments of one code cell's source."""
    first, _, rest = text.partition("\n")
    if first.startswith("%%"):
        writefile = _WRITEFILE.match(first)
        if _SHELL_CELLS.match(first) or (writefile and writefile.group("name").endswith((".sh", ".bash"))):
            kind = SHELL
        elif _PYTHON_CELLS.match(first) or (writefile and writefile.group("name").endswith(".py")):
            kind = PYTHON
        else:
            return []
        if not rest.strip():
            return []
        start = len(first) + 1
        if kind == SHELL:
            return [(SHELL, Fragment(start, len(text), rest, 2, 0))]
        masked, originals = mask_magics(rest)
        return [(PYTHON, Fragment(start, len(text), masked, 2, 0, encode=lambda new: unmask_magics(new, originals)))]
    found: list[tuple[str, Fragment]] = []
    masked, originals = mask_magics(text)
    found.append((PYTHON, Fragment(0, len(text), masked, 1, 0, encode=lambda new: unmask_magics(new, originals))))
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        match = _SHELL_LINE.match(line)
        if match and ("!" in match.group("lead") or "%" in match.group("lead")):
            lead = match.group("lead")
            command = match.group("command")
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            # more commands from one line: ``!`` each, but a ``%env`` line holds one setting
            bang = None if "env" in lead else lead.strip() if lead.strip() in ("!", "!!") else "!"

            def encode(new: str, lead=lead, indent=indent, bang=bang) -> Optional[str]:
                new_lines = new.split("\n")
                above = []
                while len(new_lines) > 1 and new_lines[0].lstrip().startswith("#"):
                    above.append(indent + new_lines.pop(0).lstrip())  # a comment goes above the line
                out = above + [lead + new_lines[0]]
                for previous, new_line in zip(new_lines, new_lines[1:]):
                    if previous.rstrip().endswith("\\") or not new_line.strip():
                        out.append(new_line)
                    elif new_line.lstrip().startswith("#"):
                        out.append(indent + new_line.lstrip())
                    elif bang is None:
                        return None
                    else:
                        out.append(indent + bang + new_line.lstrip())
                return "\n".join(out)

            if command.strip():
                found.append((SHELL, Fragment(offset, offset + len(line), command, number, len(lead), encode=encode)))
        offset += len(line) + 1
    return found


# -- the rewriter --------------------------------------------------------------------------------


def _split_source(text: str) -> list[str]:
    """A cell's text as nbformat's list of lines (every line but the last ends with a newline)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


class NotebookRewriter(EmbeddingRewriter):
    kind = "notebook"
    embeds_shell = True
    embeds_python = True

    def parse(self, text: str, path: str) -> str:
        _load(text)
        return text

    def apply(
        self, state: str, codemod: type[Codemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        if issubclass(codemod, TextCodemod) and self.kind in codemod.file_kinds:
            return codemod(options, reporter).rewrite_text(state, self.kind)
        if issubclass(codemod, TextCodemod) and SHELL in codemod.file_kinds:
            wanted = SHELL

            def rewrite(fragment: Fragment, sub: Reporter) -> Optional[str]:
                return rewrite_shell(codemod, fragment.text, options, sub)  # type: ignore[arg-type]

        elif issubclass(codemod, PythonCodemod):
            wanted = PYTHON
            together = _code_cells_together(self, state, codemod, options, path)  # type: ignore[arg-type]

            def rewrite(fragment: Fragment, sub: Reporter) -> Optional[str]:
                if together is not None and fragment.text in together.texts:
                    new_text, findings = together.result(fragment.text)
                    sub.findings.extend(findings)
                    return new_text
                return rewrite_python(codemod, fragment.text, options, sub, path)  # type: ignore[arg-type]

        else:
            return state
        root = _load(state)
        if not _is_python(root.value):
            return state
        cells = root.children.get("cells")
        if cells is None or not isinstance(cells.children, list):
            return state
        ascii_only = _writes_ascii(state)
        edits: list[tuple[int, int, str]] = []
        cell_findings: list[tuple[int, list[Finding]]] = []
        for number, cell in enumerate(cells.children):
            cell_type = cell.value.get("cell_type") if isinstance(cell.value, dict) else None
            if cell_type not in ("code", "markdown"):
                continue
            source = cell.children.get("source")
            if source is None:
                continue
            if isinstance(source.value, list) and all(isinstance(line, str) for line in source.value):
                text = "".join(source.value)
            elif isinstance(source.value, str):
                text = source.value
            else:
                continue
            if cell_type == "markdown":  # its fenced code blocks, as in a Markdown file
                fragments = _markdown_fragments(text, wanted)
            else:
                fragments = [fragment for kind, fragment in cell_fragments(text) if kind == wanted]
            if not fragments:
                continue
            sub = Reporter()
            new_text = apply_fragments(text, fragments, rewrite, sub)
            cell_findings.append((number, sub.findings))
            if new_text != text:
                edits.append((source.start, source.end, _render_source(state, source, new_text, ascii_only)))
        if edits:
            pieces = []
            position = 0
            for start, end, replacement in edits:
                pieces.append(state[position:start])
                pieces.append(replacement)
                position = end
            pieces.append(state[position:])
            state = "".join(pieces)
            root = _load(state)
            cells = root.children["cells"]
        newlines = [match.start() for match in re.finditer("\n", state)] if cell_findings else []
        for number, findings in cell_findings:
            source = cells.children[number].children["source"]
            for finding in findings:
                reporter.findings.append(_placed(state, source, finding, ascii_only, newlines))
        return state

    def verify(self, original: str, rewritten: str, path: str) -> None:
        try:
            before = json.loads(original)
        except ValueError:
            return
        try:
            after = json.loads(rewritten)
        except ValueError as error:
            raise SourceError(
                f"the rewritten notebook is not valid JSON ({str(error).splitlines()[0]}); nothing was written (please report this)"
            ) from None
        if _without_sources(before) != _without_sources(after):
            raise SourceError("the rewritten notebook changed more than cell sources; nothing was written (please report this)")


# -- code cells as one module ---------------------------------------------------------------------

#: Stands between two code cells in the module the cells are rewritten as.
_CELL_MARK = "pass  # PFU_CELL_{}"
_CELL_MARK_LINE = re.compile(r"^pass  # PFU_CELL_(\d+)$", re.M)
_IMPORT_LINE = re.compile(r"^(?:import|from)[ \t]", re.M)


@dataclass
class _Together:
    """Every parsing Python code cell of a notebook rewritten as one module.

    A notebook runs its cells in one namespace: names imported in one cell are used in later
    ones (``from prefect.tasks.prefect import FlowRunTask`` in the first cell, ``FlowRunTask(...)``
    in the third). Rewritten one by one, the import would be renamed and its uses left behind (a
    NameError in 1.0), and an import "nothing used" would be deleted. So the code cells that parse
    are joined, in order, each after a ``pass  # PFU_CELL_<n>`` line, rewritten once, and split
    back; imports a codemod adds at the top of the module go to the top of the first such cell.
    """

    #: the Python text of each joined cell (masked IPython syntax), in order
    texts: dict[str, int]
    new_texts: list[str]
    findings: list[list[Finding]]

    def result(self, text: str) -> tuple[str, list[Finding]]:
        index = self.texts[text]
        return self.new_texts[index], self.findings[index]


def _code_cells_together(
    rewriter: "NotebookRewriter", state: str, codemod: type[PythonCodemod], options: CodemodOptions, path: str
) -> Optional[_Together]:
    """The code cells rewritten as one module, or None (one cell, or the joined module fails)."""
    from prefect_upgrade.rewriters.python import parse_python

    root = _load(state)
    if not _is_python(root.value) or not isinstance(root.value.get("cells"), list):
        return None
    texts: list[str] = []
    for cell in root.value["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        text = "".join(source) if isinstance(source, list) and all(isinstance(x, str) for x in source) else source
        if not isinstance(text, str):
            continue
        for kind, fragment in cell_fragments(text):
            if kind != PYTHON or fragment.text in texts or _CELL_MARK_LINE.search(fragment.text):
                continue
            try:
                parse_python(fragment.text)
            except SourceError:
                continue
            texts.append(fragment.text)
    if len(texts) < 2:
        return None
    pieces = []
    starts = []  # the 1-based line of each cell's first line in the joined module
    line = 1
    for number, text in enumerate(texts):
        body = text if text.endswith("\n") else text + "\n"
        pieces.append(_CELL_MARK.format(number) + "\n" + body)
        starts.append(line + 1)
        line += 1 + body.count("\n")
    joined = "".join(pieces)
    sub = Reporter()
    try:
        new_joined = rewrite_python(codemod, joined, options, sub, path)
    except SourceError:
        return None
    if new_joined is None:
        return None
    marks = list(_CELL_MARK_LINE.finditer(new_joined))
    if [int(mark.group(1)) for mark in marks] != list(range(len(texts))):
        return None
    new_texts = []
    for number, mark in enumerate(marks):
        end = marks[number + 1].start() if number + 1 < len(marks) else len(new_joined)
        body = new_joined[mark.end() + 1 : end]
        if not texts[number].endswith("\n") and body.endswith("\n"):
            body = body[:-1]
        new_texts.append(body)
    added = new_joined[: marks[0].start()]  # imports a codemod added at the top of the module
    if added:
        # to the first cell that imports something (not above a `!pip install` cell), else the first
        home = next((n for n, text in enumerate(texts) if _IMPORT_LINE.search(text)), 0)
        if not new_texts[home].strip() or _IMPORT_LINE.match(new_texts[home]):
            added = added.rstrip("\n") + "\n"
        new_texts[home] = added + new_texts[home]
    findings: list[list[Finding]] = [[] for _ in texts]
    for finding in sub.findings:
        number = max(bisect.bisect_right(starts, finding.line) - 1, 0)
        line_in_cell = max(finding.line - starts[number] + 1, 1)
        findings[number].append(dataclasses.replace(finding, line=line_in_cell))
    return _Together({text: number for number, text in enumerate(texts)}, new_texts, findings)


def _markdown_fragments(text: str, wanted: str) -> list[Fragment]:
    from prefect_upgrade.rewriters.markdown import MarkdownRewriter

    rewriter = MarkdownRewriter()
    return rewriter.shell_fragments(text) if wanted == SHELL else rewriter.python_fragments(text)


def _is_python(notebook: dict) -> bool:
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    for key in ("kernelspec", "language_info"):
        section = metadata.get(key)
        if isinstance(section, dict):
            language = section.get("language") or section.get("name")
            if isinstance(language, str):
                return language.lower().startswith(("python", "ipython"))
    return True


def _without_sources(notebook: Any) -> Any:
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return notebook
    copy = dict(notebook)
    copy["cells"] = [
        {key: value for key, value in cell.items() if key != "source"} if isinstance(cell, dict) else cell
        for cell in notebook["cells"]
    ]
    return copy


def _writes_ascii(text: str) -> bool:
    """Whether the notebook escapes non-ASCII characters (``ensure_ascii=True``)."""
    return text.isascii() and re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", text) is not None


def _render_source(text: str, source: Node, new_text: str, ascii_only: bool) -> str:
    if isinstance(source.value, str):
        return json.dumps(new_text, ensure_ascii=ascii_only)
    old_lines = source.value
    raws = [text[child.start : child.end] for child in source.children]
    new_lines = _split_source(new_text)
    rendered = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            rendered.extend(raws[a0:a1])
        else:
            rendered.extend(json.dumps(line, ensure_ascii=ascii_only) for line in new_lines[b0:b1])
    if source.children:
        opening = text[source.start + 1 : source.children[0].start]
        closing = text[source.children[-1].end : source.end - 1]
        if len(source.children) > 1:
            separator = text[source.children[0].end : source.children[1].start]
        else:
            separator = "," + opening if "\n" in opening else ", "
    else:
        opening = closing = ""
        separator = ", "
    if not rendered:
        return "[]"
    return "[" + opening + separator.join(rendered) + closing + "]"


def _placed(text: str, source: Node, finding: Finding, ascii_only: bool, newlines: list[int]) -> Finding:
    """A finding at a line and column of a cell, moved to that place in the notebook file."""
    if isinstance(source.value, list) and source.children:
        index = min(max(finding.line - 1, 0), len(source.children) - 1)
        node = source.children[index]
        prefix = source.value[index][: max(finding.col - 1, 0)]
    else:
        node = source
        cell_lines = _split_source(source.value) if isinstance(source.value, str) else []
        prefix = "".join(cell_lines[: max(finding.line - 1, 0)])
        if finding.line - 1 < len(cell_lines):
            prefix += cell_lines[finding.line - 1][: max(finding.col - 1, 0)]
    before = bisect.bisect_left(newlines, node.start)  # the newlines before the node
    line = before + 1
    column = node.start - (newlines[before - 1] + 1 if before else 0)
    escaped = json.dumps(prefix, ensure_ascii=ascii_only)[1:-1]
    return dataclasses.replace(finding, line=line, col=column + 1 + len(escaped) + 1)
