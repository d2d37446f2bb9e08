"""Kinds whose text embeds shell commands or Python code (YAML, Dockerfiles, Markdown ...).

An ``EmbeddingRewriter`` keeps the file's text as its state, like ``TextRewriter``, and applies a
codemod in one of three ways:

- a ``TextCodemod`` whose ``file_kinds`` names this kind gets the whole text;
- a ``TextCodemod`` whose ``file_kinds`` names ``shell`` (and not this kind) gets every shell
  fragment that ``shell_fragments`` finds, one at a time, called as ``rewrite_text(fragment,
  "shell")``; only the fragment is replaced, and the findings are moved to the fragment's place;
- a ``PythonCodemod`` gets every Python fragment that ``python_fragments`` finds, through the
  Python rewriter (parse, apply, render); a fragment that does not parse is left untouched.

A fragment carries the text handed to the codemod (``text``: the command or code as the shell
or Python sees it, without the YAML indentation, quotes ...) and ``encode``, which turns a
rewritten ``text`` back into what goes into the file (``None`` when that is impossible, and then
the fragment is left as it was and its findings are reported as not applied).

What a shell codemod sees, and what it may return (for codemod authors):

- a fragment is shell text with ``\n`` line ends (CRLF files are converted and back), starting at
  the command: a YAML ``run: |`` block dedented, a quoted YAML scalar unquoted, a Dockerfile
  ``RUN`` after the keyword (continuation lines included as they are), a Makefile recipe after
  the tab and ``@-+``, a tox command after ``-``/``!``, a Markdown console line after ``$ ``, a
  notebook line after ``!``;
- an exec-form argument list (``CMD ["prefect", …]``, a Kubernetes ``command:`` list) arrives as
  one line joined with ``shlex.join`` and is split back with ``shlex``; a result that is no
  longer one simple command (two commands, an added comment) cannot be written there;
- values the shell cannot know arrive as shell variables: Makefile references as
  ``${PFU_MAKE_<n>}``, CI/template expressions (``${{ secrets.X }}``, ``{{ .Values.x }}``) as
  ``${PFU_EXPR_<n>}``; keep them as words, they are put back;
- the result may have more lines than the fragment (a comment line above a rewritten command is
  fine almost everywhere: Dockerfiles move it into the continuation, Makefiles and tox give the
  new line the recipe/continuation prefix, notebooks keep ``#`` lines as Python comments and put
  ``!`` before other new commands, a one-line YAML scalar becomes a ``|-`` block); where the
  file's syntax cannot hold the result, the fragment stays and the findings say "not rewritten
  here";
- findings are reported at lines and columns of the fragment; the rewriter moves them to the
  file.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from prefect_upgrade.codemods.base import Codemod, CodemodOptions, PythonCodemod, TextCodemod
from prefect_upgrade.findings import Finding, Reporter
from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.rewriters.text import TextRewriter

SHELL = "shell"
PYTHON = "python"

NOT_WRITTEN = "not rewritten here: the result could not be written back in this file's syntax"


@dataclass
class Fragment:
    """A piece of a file that is shell or Python."""

    #: Offsets of the raw piece in the file's text (``text[start:end]`` is replaced).
    start: int
    end: int
    #: What is handed to the codemod.
    text: str
    #: 1-based line, and 0-based column, where ``text`` begins in the file.
    line: int
    col: int
    #: Columns to add to findings on the fragment's later lines (the indentation removed).
    indent: int = 0
    #: Rewritten ``text`` -> the raw replacement of ``file[start:end]``; None: cannot be written.
    encode: Optional[Callable[[str], Optional[str]]] = None
    #: For fragments whose lines map to file lines in another way (see ``place``).
    line_map: Optional[Callable[[int], int]] = None
    #: The kind of a block of another kind (``yaml`` for a Markdown ```yaml fence ...).
    kind: str = ""
    #: A finding on ``text`` -> the same finding on the text before placeholders (``${PFU_EXPR_0}``
    #: ...) were put in: its message quoting what the file writes (``{{ .Values.x }}`` ...), its
    #: column moved past the longer or shorter original (see ``substituted``).
    unmask: Optional[Callable[[Finding], Finding]] = None

    def raw_for(self, new_text: str) -> Optional[str]:
        if self.encode is None:
            return new_text
        return self.encode(new_text)

    def place(self, finding: Finding, line_delta: int) -> Finding:
        """``finding`` (at a line of ``text``) moved to its line and column in the file, its
        message quoting the file's own text where the codemod saw a placeholder."""
        if self.unmask is not None:
            finding = self.unmask(finding)
        if self.line_map is not None:
            line = self.line_map(finding.line) + line_delta
        else:
            line = self.line + finding.line - 1 + line_delta
        col = finding.col + (self.col if finding.line == 1 else self.indent)
        return dataclasses.replace(finding, line=line, col=col)


def placeholders_shown(shown: "re.Pattern[str]", originals: list[str]) -> Callable[[Finding], Finding]:
    """An ``unmask`` that only shows the placeholders that ``shown`` matches (group 1: their
    number) in a finding's message as ``originals`` (the column is left as it is)."""

    def unmask(finding: Finding) -> Finding:
        message = shown.sub(
            lambda m: originals[int(m.group(1))] if int(m.group(1)) < len(originals) else m.group(0), finding.message
        )
        return dataclasses.replace(finding, message=message)

    return unmask


def substituted(
    text: str, pattern: "re.Pattern[str]", replace: Callable[["re.Match[str]"], str], shown: "re.Pattern[str]",
    inner: Optional[Callable[[Finding], Finding]] = None,
) -> tuple[str, Callable[[Finding], Finding]]:
    """``pattern.sub(replace, text)`` (matches within one line), and the ``unmask`` that takes a
    finding on the new text back to ``text``: the placeholders that ``shown`` matches in its
    message (group 1: their number, in the order of the matches that became placeholders) are
    shown as the originals, and its column moves by what the substitutions before it on its
    line added or took away. ``inner`` then takes it further back (an earlier masking)."""
    pieces: list[str] = []
    edits: list[tuple[int, int, int]] = []  # (line, new column (0-based) of the replacement, length delta)
    originals: list[str] = []
    position = 0
    new_length = 0
    for match in pattern.finditer(text):
        before = text[position : match.start()]
        pieces.append(before)
        new_length += len(before)
        replacement = replace(match)
        if shown.fullmatch(replacement):
            originals.append(match.group(0))
        done = "".join(pieces)
        line = done.count("\n") + 1
        column = len(done) - (done.rfind("\n") + 1)
        edits.append((line, column, len(match.group(0)) - len(replacement)))
        pieces.append(replacement)
        new_length += len(replacement)
        position = match.end()
    pieces.append(text[position:])
    new_text = "".join(pieces)

    def unmask(finding: Finding) -> Finding:
        message = shown.sub(
            lambda m: originals[int(m.group(1))] if int(m.group(1)) < len(originals) else m.group(0), finding.message
        )
        # finding.col is 1-based: a substitution that starts before it moves it
        shift = sum(delta for line, column, delta in edits if line == finding.line and column < finding.col - 1)
        back = dataclasses.replace(finding, message=message, col=finding.col + shift)
        return back if inner is None else inner(back)

    return new_text, unmask


class EditedText:
    """A text built piece by piece from an original, remembering where a piece is shorter or
    longer than the original text it stands for: the ``edits`` that ``columns_back`` takes."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.edits: list[tuple[int, int, int]] = []
        self._line, self._column = 1, 0  # where the next piece goes

    def put(self, piece: str, original: str) -> None:
        if len(piece) != len(original):
            self.edits.append((self._line, self._column, len(original) - len(piece)))
        self.pieces.append(piece)
        if "\n" in piece:
            self._line += piece.count("\n")
            self._column = len(piece) - piece.rfind("\n") - 1
        else:
            self._column += len(piece)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def columns_back(
    edits: list[tuple[int, int, int]], inner: Optional[Callable[[Finding], Finding]] = None
) -> Callable[[Finding], Finding]:
    """An ``unmask`` that moves a finding's column back over substitutions made on its line (as
    ``substituted`` does for a pattern): ``edits`` holds, per substitution, its 1-based line and
    0-based column in the new text and how much longer the original was than what replaced it.
    A substitution that starts before the finding's column moves it; ``inner`` then takes it
    further back (its message, an earlier masking)."""

    def unmask(finding: Finding) -> Finding:
        shift = sum(delta for line, column, delta in edits if line == finding.line and column < finding.col - 1)
        back = dataclasses.replace(finding, col=finding.col + shift) if shift else finding
        return back if inner is None else inner(back)

    return unmask


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def column_of(text: str, offset: int) -> int:
    """The 0-based column of ``offset`` in ``text``."""
    return offset - (text.rfind("\n", 0, offset) + 1)


def not_applied(finding: Finding) -> Finding:
    if not finding.applied:
        return finding
    return dataclasses.replace(finding, applied=False, message=f"{finding.message} ({NOT_WRITTEN})")


def rewrite_shell(codemod: type[TextCodemod], text: str, options: CodemodOptions, reporter: Reporter) -> str:
    """One shell fragment through one shell codemod."""
    if not codemod.applies_to(text):
        return text
    return codemod(options, reporter).rewrite_text(text, SHELL)


def rewrite_python(
    codemod: type[PythonCodemod], text: str, options: CodemodOptions, reporter: Reporter, path: str
) -> Optional[str]:
    """One Python fragment through one Python codemod; None when the fragment does not parse."""
    from prefect_upgrade.rewriters.python import PythonRewriter, parse_python

    if not codemod.applies_to(text):
        return text
    try:
        module = parse_python(text)
    except SourceError:
        return None
    rewriter = PythonRewriter()
    new_text = rewriter.render(rewriter.apply(module, codemod, options, reporter, path))
    if new_text != text:
        rewriter.verify(text, new_text, path)
    return new_text


def apply_fragments(
    text: str,
    fragments: Iterable[Fragment],
    rewrite: Callable[[Fragment, Reporter], Optional[str]],
    reporter: Reporter,
) -> str:
    """Rewrite each fragment (in file order) with ``rewrite`` and splice the results into ``text``."""
    pieces: list[str] = []
    position = 0
    line_delta = 0
    for fragment in sorted(fragments, key=lambda f: f.start):
        if fragment.start < position:
            continue  # overlapping fragments: the first one wins
        sub = Reporter()
        new_text = rewrite(fragment, sub)
        findings = list(sub.findings)
        raw = text[fragment.start : fragment.end]
        new_raw = None
        if new_text is not None and new_text != fragment.text:
            new_raw = fragment.raw_for(new_text)
            if new_raw is None:
                findings = [not_applied(f) for f in findings]
        for finding in findings:
            # In the text this step was given, as the runner expects (it maps them onward).
            reporter.findings.append(fragment.place(finding, 0))
        if new_raw is not None and new_raw != raw:
            pieces.append(text[position : fragment.start])
            pieces.append(new_raw)
            position = fragment.end
            line_delta += new_raw.count("\n") - raw.count("\n")
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


class EmbeddingRewriter(TextRewriter):
    """A kind whose files hold shell commands and/or Python code; subclasses find them."""

    kind = "text"
    embeds_shell = False
    embeds_python = False
    #: Other kinds whose blocks this kind holds (Markdown's ```yaml fences ...), see ``blocks``.
    block_kinds: frozenset[str] = frozenset()

    def __init__(self, kind: Optional[str] = None) -> None:
        super().__init__(kind or type(self).kind)

    def handles(self, codemod: type[Codemod]) -> bool:
        if issubclass(codemod, TextCodemod):
            return (
                self.kind in codemod.file_kinds
                or (self.embeds_shell and SHELL in codemod.file_kinds)
                or any(_rewriter(kind).handles(codemod) for kind in self.block_kinds)
            )
        if issubclass(codemod, PythonCodemod):
            return self.embeds_python
        return False

    # -- what subclasses provide -------------------------------------------------------------
    def shell_fragments(self, text: str) -> list[Fragment]:
        return []

    def python_fragments(self, text: str) -> list[Fragment]:
        return []

    def blocks(self, text: str) -> list[tuple[str, Fragment]]:
        """Blocks of other kinds (``block_kinds``), each with its kind."""
        return []

    # -- applying ----------------------------------------------------------------------------
    def apply(
        self, state: str, codemod: type[Codemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        if issubclass(codemod, TextCodemod):
            if self.kind in codemod.file_kinds:
                return codemod(options, reporter).rewrite_text(state, self.kind)
            if self.block_kinds:
                return self.apply_blocks(state, codemod, options, reporter, path)
            if self.embeds_shell and SHELL in codemod.file_kinds:
                return self.apply_shell(state, codemod, options, reporter, path)
            return state
        if issubclass(codemod, PythonCodemod) and self.embeds_python:
            return self.apply_python(state, codemod, options, reporter, path)
        return state

    def found(self, method: str, text: str) -> list:
        """``self.<method>(text)``, remembered for the last text (codemods run one after another
        on the same text, and most change nothing)."""
        key = (method, text)
        cache = self.__dict__.setdefault("_found", {})
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = getattr(self, method)(text)
        return cache[key]

    def apply_shell(
        self, state: str, codemod: type[TextCodemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        text, restore = _lf(state)
        return restore(
            apply_fragments(
                text,
                self.found("shell_fragments", text),
                lambda fragment, sub: rewrite_shell(codemod, fragment.text, options, sub),
                reporter,
            )
        )

    def apply_python(
        self, state: str, codemod: type[PythonCodemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        text, restore = _lf(state)
        return restore(
            apply_fragments(
                text,
                self.found("python_fragments", text),
                lambda fragment, sub: rewrite_python(codemod, fragment.text, options, sub, path),
                reporter,
            )
        )

    def apply_blocks(
        self, state: str, codemod: type[TextCodemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        """Shell fragments and blocks of other kinds, each through the rewriter of its kind."""
        text, restore = _lf(state)
        pairs: list[tuple[str, Fragment]] = []
        if self.embeds_shell and SHELL in codemod.file_kinds:
            pairs.extend((SHELL, fragment) for fragment in self.found("shell_fragments", text))
        pairs.extend(
            (kind, fragment)
            for kind, fragment in self.found("blocks", text)
            if kind in self.block_kinds and _rewriter(kind).handles(codemod)
        )
        fragments = [dataclasses.replace(fragment, kind=kind) for kind, fragment in pairs]

        def rewrite(fragment: Fragment, sub: Reporter) -> Optional[str]:
            if fragment.kind == SHELL:
                return rewrite_shell(codemod, fragment.text, options, sub)
            return rewrite_as(fragment.kind, codemod, fragment.text, options, sub, path)

        return restore(apply_fragments(text, fragments, rewrite, reporter))



class CodeBlockRewriter(EmbeddingRewriter):
    """A kind whose shell and Python stand in blocks tagged with their language (Markdown
    fences, reST ``code-block`` directives): ``blocks`` finds them all."""

    embeds_shell = True
    embeds_python = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        return [fragment for kind, fragment in self.blocks(text) if kind == SHELL]

    def python_fragments(self, text: str) -> list[Fragment]:
        return [fragment for kind, fragment in self.blocks(text) if kind == PYTHON]

def _rewriter(kind: str):
    from prefect_upgrade.rewriters import rewriter_for

    return rewriter_for(kind)


def rewrite_as(
    kind: str, codemod: type[Codemod], text: str, options: CodemodOptions, reporter: Reporter, path: str
) -> Optional[str]:
    """A block of another kind (a ```yaml fence in Markdown ...) through that kind's rewriter.

    None when the block does not parse as that kind (a YAML block is read all the same).
    """
    if not codemod.applies_to(text):
        return text
    rewriter = _rewriter(kind)
    try:
        state = rewriter.parse(text, path)
    except SourceError:
        if kind != "yaml":
            return None
        # A YAML example in documentation that does not load (a sketch: a step list pasted
        # under the wrong key, `<placeholders>`): the YAML rewriter reads lines and never loads
        # the text, so the commands under its `run:` keys are still rewritten; its verify has
        # nothing to compare with and lets it pass.
        state = text
    new_text = rewriter.render(rewriter.apply(state, codemod, options, reporter, path))
    if new_text != text:
        rewriter.verify(text, new_text, path)
    return new_text


def _lf(text: str) -> tuple[str, Callable[[str], str]]:
    """A CRLF file as LF for the fragments (codemods see ``\\n`` line ends), and the way back.

    A file with mixed line ends is left as it is.
    """
    if "\r\n" not in text or text.count("\r\n") != text.count("\n"):
        return text, lambda new: new
    return text.replace("\r\n", "\n"), lambda new: new.replace("\n", "\r\n")


# -- helpers shared by several kinds -------------------------------------------------------------


def argv_to_shell(words: list[str]) -> str:
    """An exec-form argument list as one shell command line."""
    return shlex.join(words)


def shell_to_argv(command: str) -> Optional[list[str]]:
    """A rewritten shell command line back into an argument list.

    None when it is no longer one simple command (several lines, operators, a comment).
    """
    command = command.strip()
    if not command or "\n" in command:
        return None
    try:
        lexer = shlex.shlex(command, posix=False, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
        if any(token and all(char in "();<>|&" for char in token) for token in tokens):
            return None
        if any(token.startswith("#") for token in tokens):
            return None
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return None


class Lines:
    """A text's lines (with their line ends) and where each starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line)

    def content(self, index: int) -> str:
        return self.lines[index].rstrip("\r\n")

    def end_of_content(self, index: int) -> int:
        return self.starts[index] + len(self.content(index))

    def __len__(self) -> int:
        return len(self.lines)


SHELL_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "zsh", "shell-script", "shellscript", "ksh", "dash", "posix"}
)
CONSOLE_LANGUAGES = frozenset(
    {"console", "shell-session", "sh-session", "shellsession", "bash-session", "terminal", "shell_session"}
)
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3", "ipython", "ipython3", "python3.8"})
#: A prompt in a transcript: ``$ ``, or the ``❯ `` of zsh themes (pure, starship), with the
#: spaces after it.
_PROMPT = re.compile(r"^(?:\$|\u276f) +")


def block_fragments(lines: Lines, first: int, last: int, width: int, language: str) -> list[tuple[str, Fragment]]:
    """The shell or Python fragments of a code block: lines ``first``..``last``, ``width`` columns deep.

    ``language`` is "shell", "console" (only ``$ `` lines, and their ``\\`` continuations, are
    commands) or "python". Returns (``shell``|``python``, fragment) pairs.
    """
    if last < first:
        return []
    body = [lines.content(index) for index in range(first, last + 1)]
    if any(line.strip() and (len(line) - len(line.lstrip(" "))) < width for line in body):
        return []  # a line less indented than the block: not ours to re-indent
    texts = [line[width:] if line.strip() else "" for line in body]
    pad = " " * width
    if language == "shell" and any(_PROMPT.match(text) for text in texts):
        language = "console"
    if language in ("shell", "python") or language.startswith("kind:"):
        # a block of another kind is handed over as a file, ending with a newline
        final = "\n" if language.startswith("kind:") else ""

        def encode(new_text: str) -> str:
            if final and new_text.endswith(final):
                new_text = new_text[: -len(final)]
            new_lines = new_text.split("\n")
            if len(new_lines) != len(body):
                return "\n".join(pad + line if line.strip() else "" for line in new_lines)
            # as many lines as before: a blank line that was a blank line keeps its whitespace
            # (a blank line where a line of code was, when lines came and went, is empty)
            return "\n".join(
                pad + line if line.strip() else old if not old.strip() else "" for line, old in zip(new_lines, body)
            )

        kind = SHELL if language == "shell" else PYTHON if language == "python" else language[len("kind:") :]
        text = "\n".join(texts) + final
        fragment = Fragment(lines.starts[first], lines.end_of_content(last), text, first + 1, width, width, encode)
        return [(kind, fragment)]
    fragments = []
    position = 0
    while position < len(texts):
        if not _PROMPT.match(texts[position]):
            position += 1
            continue
        start = position
        prompt = _PROMPT.match(texts[start]).group(0)
        while position < len(texts) - 1 and texts[position].rstrip().endswith("\\"):
            position += 1
        command = [texts[start][len(prompt) :]] + texts[start + 1 : position + 1]

        def encode_console(new_text: str, prompt: str = prompt) -> str:
            out = []
            new_lines = new_text.split("\n")
            for index, line in enumerate(new_lines):
                if index == 0:
                    out.append(line)
                elif new_lines[index - 1].rstrip().endswith("\\"):
                    out.append(pad + line if line.strip() else line)
                else:
                    out.append(pad + prompt + line.lstrip())
            return "\n".join(out)

        fragments.append(
            (
                SHELL,
                Fragment(
                    lines.starts[first + start] + width + len(prompt),
                    lines.end_of_content(first + position),
                    "\n".join(command),
                    first + start + 1,
                    width + len(prompt),
                    width,
                    encode_console,
                ),
            )
        )
        position += 1
    return fragments


def masked(fragment: Fragment, pattern: "re.Pattern[str]", name: str) -> Fragment:
    """``fragment`` with every match of ``pattern`` shown to the codemods as ``${<name>_<n>}``.

    For template expressions (``${{ secrets.X }}``, ``{{ .Values.x }}``) that are replaced before
    the shell runs: the codemod sees one word whose value it cannot know, as it should. They are
    put back after the rewrite, and in the findings' messages.
    """
    count = [0]

    def replace(match: "re.Match[str]") -> str:
        count[0] += 1
        return "${" + f"{name}_{count[0] - 1}" + "}"

    placeholder = re.compile(r"\$\{" + re.escape(name) + r"_(\d+)\}")
    text, unmask = substituted(fragment.text, pattern, replace, placeholder, fragment.unmask)
    if not count[0]:
        return fragment
    originals = [match.group(0) for match in pattern.finditer(fragment.text)]
    inner = fragment.encode

    def encode(new_text: str) -> Optional[str]:
        restored = placeholder.sub(
            lambda match: originals[int(match.group(1))] if int(match.group(1)) < len(originals) else match.group(0),
            new_text,
        )
        if name in restored:
            return None
        return restored if inner is None else inner(restored)

    return dataclasses.replace(fragment, text=text, encode=encode, unmask=unmask)
