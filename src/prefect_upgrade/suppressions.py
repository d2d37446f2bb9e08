"""``# prefect-upgrade: ignore`` comments: lines where no fix is applied and no finding is shown.

Forms (codes are comma-separated codes or prefixes, as for ``--ignore``)::

    flow = Flow("etl", environment=env)  # prefect-upgrade: ignore
    # prefect-upgrade: ignore[PFU201, PFU3]
    flow = Flow("etl", environment=env)

What a comment covers:

- **Python** (read with ``tokenize`` so that ``#`` inside strings is not a comment; the statements
  with libcst positions): a comment alone on its line covers the *statement* that follows it
  (skipping blank and comment lines): a simple statement whole, however many lines it spans; a
  compound statement (``def``, ``class``, ``with``, ``if`` …) from its first decorator to the
  colon of its header, not its body. A comment at the end of a line covers the innermost
  statement (or compound header) that contains that line.
- **Other kinds** (line based): a comment alone on its line covers the next non-blank line that
  is not itself a comment; a comment at the end of a line covers that line. ``#``, ``<!--``
  (Markdown), ``..`` (reStructuredText), ``;`` and ``//`` all introduce a comment, and a line of a
  notebook's JSON source list (``"# prefect-upgrade: ignore\\n",``) counts as standing alone.

How the runner uses them (generically: it knows no codemod), after each codemod step:

- a finding on a covered line whose code the comment names is dropped;
- when the step's change touches a covered line (a line replaced or removed, or a line inserted
  inside a covered range) and the comment names the codemod's code, or the code of one of the
  step's findings on that line, the **whole step is refused**: the codemod's change to the file is
  not applied at all. A codemod's change is one unit because half of it can leave a name without
  its import; so one suppressed line can keep the codemod from the rest of the file. The other
  places it would have changed are then reported (manual, not applied) so nothing is lost silently.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from prefect_upgrade.findings import Finding, FixClass

#: Cheap pre-filter: a text without it has no suppression.
MARKER = "prefect-upgrade:"

_MARK = re.compile(r"prefect-upgrade:\s*ignore\b(?:\[([^\]]*)\])?")
_INTRODUCER = re.compile(r"(#|<!--|\.\.|//|;)\s*$")
_STANDALONE_PREFIX = re.compile(r"^\s*\"?\s*$")
_COMMENT_LINE = re.compile(r"^\s*\"?\s*(#|<!--|//|;)")


@dataclass(frozen=True)
class Suppression:
    """Lines ``first``..``last`` (1-based, inclusive) where ``codes`` (all codes if empty) are ignored."""

    first: int
    last: int
    codes: tuple[str, ...]
    comment_line: int

    def matches(self, code: str) -> bool:
        return not self.codes or any(code.startswith(prefix) for prefix in self.codes)

    def covers(self, line: int) -> bool:
        return self.first <= line <= self.last


class Suppressions:
    def __init__(self, items: Iterable[Suppression] = ()) -> None:
        self.items = tuple(items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)

    def suppressed(self, line: int, code: str) -> bool:
        return any(s.covers(line) and s.matches(code) for s in self.items)

    def covering(self, line: int) -> list[Suppression]:
        return [s for s in self.items if s.covers(line)]


def parse_codes(inside: Optional[str]) -> tuple[str, ...]:
    if inside is None:
        return ()
    return tuple(part.strip().upper() for part in inside.split(",") if part.strip())


def scan(text: str, kind: str) -> Suppressions:
    """Every suppression comment in ``text`` of the given kind, with the lines it covers."""
    if MARKER not in text:
        return Suppressions()
    if kind == "python":
        found = _scan_python(text)
        if found is not None:
            return found
    return _scan_lines(text)


def _marks_in_line(line: str) -> Optional[tuple[tuple[str, ...], bool]]:
    """(codes, standalone) for a suppression comment in ``line``, or None."""
    match = _MARK.search(line)
    if match is None:
        return None
    before = line[: match.start()]
    introducer = _INTRODUCER.search(before)
    if introducer is None:
        return None
    standalone = bool(_STANDALONE_PREFIX.match(before[: introducer.start()]))
    return parse_codes(match.group(1)), standalone


def _scan_lines(text: str) -> Suppressions:
    lines = text.splitlines()
    items = []
    for index, line in enumerate(lines, start=1):
        mark = _marks_in_line(line)
        if mark is None:
            continue
        codes, standalone = mark
        if not standalone:
            items.append(Suppression(index, index, codes, index))
            continue
        target = index + 1
        while target <= len(lines) and (not lines[target - 1].strip() or _COMMENT_LINE.match(lines[target - 1])):
            target += 1
        if target <= len(lines):
            last = target
            while last < len(lines) and lines[last - 1].rstrip().endswith("\\"):
                last += 1  # a command continued with backslashes is one line
            items.append(Suppression(target, last, codes, index))
    return Suppressions(items)


def _python_comments(text: str) -> Optional[list[tuple[int, tuple[str, ...], bool]]]:
    comments = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT or MARKER not in token.string:
                continue
            match = _MARK.search(token.string)
            if match is None or not token.string[: match.start()].rstrip().endswith("#"):
                continue
            standalone = not token.line[: token.start[1]].strip()
            comments.append((token.start[0], parse_codes(match.group(1)), standalone))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return comments


def statement_spans(text: str) -> Optional[list[tuple[int, int, int]]]:
    """(first line, last line, indent column) of every Python statement or compound header.

    A simple statement spans all its lines; a compound statement spans its decorators and its
    header up to the colon. None when the text does not parse.
    """
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except Exception:  # noqa: BLE001 - a file that does not parse is handled line by line
        return None
    spans = []
    for node, position in positions.items():
        if isinstance(node, cst.SimpleStatementLine):
            spans.append((position.start.line, position.end.line, position.start.column))
        elif isinstance(node, cst.BaseCompoundStatement):
            first = position.start.line
            column = position.start.column
            decorators = getattr(node, "decorators", ())
            if decorators:
                first = positions[decorators[0]].start.line
            body = getattr(node, "body", None)
            if isinstance(body, cst.IndentedBlock) and body.body:
                first_statement = body.body[0]
                last = positions[first_statement].start.line - len(first_statement.leading_lines) - 1
            else:
                last = position.end.line if body is None else positions[body].start.line
            spans.append((first, max(first, last), column))
    return spans


def _scan_python(text: str) -> Optional[Suppressions]:
    comments = _python_comments(text)
    if comments is None:
        return None
    if not comments:
        return Suppressions()
    spans = statement_spans(text)
    if spans is None:
        return None
    lines = text.splitlines()
    items = []
    for line, codes, standalone in comments:
        if standalone:
            target = line + 1
            while target <= len(lines) and (not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")):
                target += 1
            starting = [s for s in spans if s[0] == target]
            if starting:
                first, last, _ = max(starting, key=lambda s: s[1] - s[0])
                items.append(Suppression(first, last, codes, line))
            elif target <= len(lines):
                items.append(Suppression(target, target, codes, line))
        else:
            containing = [s for s in spans if s[0] <= line <= s[1]]
            if containing:
                first, last, _ = min(containing, key=lambda s: s[1] - s[0])
                items.append(Suppression(first, last, codes, line))
            else:
                items.append(Suppression(line, line, codes, line))
    return Suppressions(items)


# ---------------------------------------------------------------------------------------------
# Lines of a change


@dataclass(frozen=True)
class Change:
    """Which lines of the old text a change touches."""

    #: Old lines (1-based) replaced or removed.
    lines: frozenset[int]
    #: Insertions: new lines inserted after old line ``g`` (0 = before the first line).
    gaps: frozenset[int]

    def touches(self, suppression: Suppression) -> bool:
        if any(suppression.covers(line) for line in self.lines):
            return True
        return any(suppression.first <= gap < suppression.last for gap in self.gaps)

    def first_line(self) -> int:
        candidates = list(self.lines) + [gap + 1 for gap in self.gaps]
        return min(candidates) if candidates else 1


def _opcodes(old: str, new: str, junk=None) -> list:
    """``difflib.SequenceMatcher``'s opcodes for the lines of ``old`` and ``new``.

    difflib's search for the longest matching block, without its popularity heuristic (a line
    that repeats is still a line), costs about the number of changed places times the occurrences
    of each line: cubic on a big file of repeated lines with hundreds of changes (a test module of
    ``mock.patch("prefect.engine.executors...")`` lines: 2,400 lines, a minute). Above
    ``_DIRECT_CELLS``, the lines found once in both texts anchor the diff first, in order (as
    patience diff does), and difflib compares the runs between anchors.
    """
    return _line_opcodes(old.splitlines(), new.splitlines(), junk)


def _line_opcodes(a: list, b: list, junk=None) -> list:
    return _opcodes_of(a, b, junk, 0, len(a), 0, len(b))


#: up to this many line pairs (lines of old times lines of new), difflib compares the texts whole
_DIRECT_CELLS = 250_000


def _opcodes_of(a: list, b: list, junk, i1: int, i2: int, j1: int, j2: int) -> list:
    if (i2 - i1) * (j2 - j1) <= _DIRECT_CELLS:
        return _difflib_opcodes(a, b, junk, i1, i2, j1, j2)
    anchors = _unique_anchors(a, b, junk, i1, i2, j1, j2)
    if not anchors:
        return _difflib_opcodes(a, b, junk, i1, i2, j1, j2)
    codes: list = []
    for i, j in [*anchors, (i2, j2)]:
        if i > i1 or j > j1:
            codes.extend(_opcodes_of(a, b, junk, i1, i, j1, j))
        if i < i2:
            codes.append(("equal", i, i + 1, j, j + 1))
        i1, j1 = i + 1, j + 1
    return _joined(codes)


def _difflib_opcodes(a: list, b: list, junk, i1: int, i2: int, j1: int, j2: int) -> list:
    matcher = difflib.SequenceMatcher(junk, a[i1:i2], b[j1:j2], autojunk=False)
    return [(tag, x1 + i1, x2 + i1, y1 + j1, y2 + j1) for tag, x1, x2, y1, y2 in matcher.get_opcodes()]


def _unique_anchors(a: list, b: list, junk, i1: int, i2: int, j1: int, j2: int) -> list:
    """Pairs (old index, new index) of the lines found once in each range: the longest run of
    them in the same order in both."""
    both = _once(a[i1:i2]) & _once(b[j1:j2])
    if junk is not None:
        both = {line for line in both if not junk(line)}
    where = {line: j1 + k for k, line in enumerate(b[j1:j2]) if line in both}
    return _increasing([(i1 + k, where[line]) for k, line in enumerate(a[i1:i2]) if line in both])


def _once(lines: list) -> set:
    seen: set = set()
    repeated: set = set()
    for line in lines:
        (repeated if line in seen else seen).add(line)
    return seen - repeated


def _increasing(pairs: list) -> list:
    """The longest subsequence of ``pairs`` (in old order) whose new indexes increase."""
    ends: list = []  # ends[n]: the smallest new index that ends an increasing run of n + 1 pairs
    tails: list = []  # ... and the pair it is
    links: list = []  # per pair: the pair before it in its run
    for index, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(ends, j)
        links.append(tails[n - 1] if n else -1)
        if n == len(ends):
            ends.append(j)
            tails.append(index)
        else:
            ends[n] = j
            tails[n] = index
    run = []
    at = tails[-1] if tails else -1
    while at != -1:
        run.append(pairs[at])
        at = links[at]
    return run[::-1]


def _joined(codes: list) -> list:
    """Adjacent opcodes of the same kind as one, as difflib gives them (a change next to a change
    is one ``replace``)."""
    out: list = []
    for tag, i1, i2, j1, j2 in codes:
        if i1 == i2 and j1 == j2:
            continue
        if out:
            last = out[-1]
            if (tag == "equal") == (last[0] == "equal"):
                i1, j1 = last[1], last[3]
                out.pop()
                if tag != "equal":
                    tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
        out.append((tag, i1, i2, j1, j2))
    return out


@functools.lru_cache(maxsize=4)  # a step's findings and its earlier findings move over the same texts
def _paired_opcodes(old: str, new: str, junk=None) -> tuple:
    """``_opcodes``, or the opcodes of the reversed texts when those leave fewer lines unpaired.

    difflib matches a line to its first equal in ``new``: when a rewritten line becomes equal to
    a later line (``prefect execute cloud-flow`` rewritten to the ``prefect execute flow-run``
    written further down), the later line is matched to the rewritten one and the lines between
    come out deleted and inserted, so their findings land on the wrong lines. Matching from the
    end pairs them as the replaced lines they are."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    forward = _line_opcodes(old_lines, new_lines, junk)
    unpaired = _unpaired(forward)
    if not unpaired:
        return tuple(forward)
    n, m = len(old_lines), len(new_lines)
    backward = [
        (tag, n - i2, n - i1, m - j2, m - j1)
        for tag, i1, i2, j1, j2 in reversed(_line_opcodes(old_lines[::-1], new_lines[::-1], junk))
    ]
    return tuple(backward if _unpaired(backward) < unpaired else forward)


def _unpaired(codes) -> int:
    """How many lines of either text ``codes`` leave without a counterpart (deleted, inserted)."""
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in codes if tag in ("delete", "insert"))


def _no_anchor(line: str) -> bool:
    """A line that cannot tell where code went: blank, or brackets and commas only (``)``, ``),``):
    the closing line of one call is not evidence that it stands where another call's did."""
    return not line.strip(" \t()[]{},:")


def change_between(old: str, new: str) -> Change:
    lines: set[int] = set()
    gaps: set[int] = set()
    for tag, i1, i2, _j1, _j2 in _opcodes(old, new):
        if tag in ("replace", "delete"):
            lines.update(range(i1 + 1, i2 + 1))
        elif tag == "insert":
            gaps.add(i1)
    return Change(frozenset(lines), frozenset(gaps))


def line_mapper(old: str, new: str) -> Callable[[int], int]:
    """A function from a line of ``old`` to the matching line of ``new`` (1-based).

    Inside a replaced block each old line goes to a new line most like it, in order (``_aligned``),
    so a line that gained an import above it still maps to itself; a removed line maps to the
    line that now stands where it was. Blank lines and lines of brackets only (``),``) do not
    anchor the blocks (``_no_anchor``).
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    table: dict[int, int] = {}
    deleted: set[int] = set()  # 1-based old lines that no new line replaced
    for tag, i1, i2, j1, j2 in _paired_opcodes(old, new, _no_anchor):
        if tag == "equal":
            for offset in range(i2 - i1):
                table[i1 + offset] = j1 + offset
        elif tag == "insert":
            continue  # no old line in it
        elif tag == "delete" or j2 == j1:
            for index in range(i1, i2):
                table[index] = j1
                deleted.add(index + 1)
        elif (i2 - i1) * (j2 - j1) > 2500:
            for index in range(i1, i2):
                table[index] = j1 + min(index - i1, j2 - j1 - 1)
        else:
            table.update(_aligned(old_lines, new_lines, i1, i2, j1, j2))
    count = max(len(new_lines), 1)

    def mapped(line: int) -> int:
        index = line - 1
        if index in table:
            return min(table[index] + 1, count)
        return max(1, min(line + len(new_lines) - len(old_lines), count))

    mapped.deleted = frozenset(deleted)  # type: ignore[attr-defined]
    return mapped


def _aligned(old_lines: list, new_lines: list, i1: int, i2: int, j1: int, j2: int) -> dict:
    """Old lines ``i1:i2`` to new lines ``j1:j2``, in order (a later old line never goes above an
    earlier one's), with the greatest total likeness: one old line that looks most like a new line
    far below (an argument quoted again further down) does not drag the lines after it there."""
    width = j2 - j1
    rows = []  # per old line: the new line the line before it goes to, for each new line
    previous = [0.0] * width  # best totals so far, ending at each new line
    for index in range(i1, i2):
        scores = [_likeness(old_lines[index], new_lines[j1 + k]) for k in range(width)]
        totals, links = [], []
        below, below_at = float("-inf"), 0  # the best total ending above new line k
        for k in range(width):
            # the same new line as the line before, or one below it (a hair better: lines that
            # read alike, such as a list's items, go one to one)
            here, at = previous[k], k
            if below + _ONWARD >= here:
                here, at = below + _ONWARD, below_at
            totals.append(here + scores[k])
            links.append(at)
            if previous[k] > below:
                below, below_at = previous[k], k
        rows.append(links)
        previous = totals
    k = max(range(width), key=lambda k: previous[k])
    out = {}
    for index in range(i2 - 1, i1 - 1, -1):
        out[index] = j1 + k
        k = rows[index - i1][k]
    return out


def _likeness(old_line: str, new_line: str) -> float:
    """How alike two lines of code are: difflib's ratio, plus the share of the old line that the
    new one starts with, plus a bonus for the same first word. A rewritten statement keeps its
    start: ``flow2 = Flow("b", ...)`` is more like ``flow2 = Flow("b", storage=s)`` than like a
    longer rewritten ``flow = Flow(...)`` above it, and a call split over lines is most like
    its first line."""
    shared = 0
    for a, b in zip(old_line, new_line):
        if a != b:
            break
        shared += 1
    while shared and (_in_word(old_line, shared) or _in_word(new_line, shared)):
        shared -= 1  # whole words only: ``artifacts`` is not the start of ``artifacts_api``
    old_start, new_start = _FIRST_WORD.match(old_line), _FIRST_WORD.match(new_line)
    same_start = old_start is not None and new_start is not None and old_start[1] == new_start[1]
    # a line of code goes to a line of code when there is one: not to a comment the rewrite added
    # above it that quotes it (``# family="x" dropped: ...``)
    added_comment = new_line.lstrip().startswith("#") and not old_line.lstrip().startswith("#")
    # ... unless the comment quotes the whole line: a note that replaced it (PFU312's
    # ``# ... removed `from prefect.agent.fargate import FargateAgent` ...``); blank lines do not
    # anchor a block, so the blank line after such a note stood in the block and beat it
    if added_comment and len(old_line.strip()) >= _QUOTED_LINE and old_line.strip() in new_line:
        added_comment = False
    return (
        difflib.SequenceMatcher(None, old_line, new_line).ratio()
        + _SHARED_START * shared / max(len(old_line), 1)
        + (_SAME_START if same_start else 0.0)
        - (1.0 if added_comment else 0.0)
    )


def _in_word(line: str, end: int) -> bool:
    """Whether ``line[:end]`` ends inside a word that goes on after it."""
    return 0 < end < len(line) and (line[end - 1].isalnum() or line[end - 1] == "_") and (
        line[end].isalnum() or line[end] == "_"
    )


_SAME_START = 0.25
_QUOTED_LINE = 10
_ONWARD = 0.001
_SHARED_START = 0.5
_FIRST_WORD = re.compile(r"\s*([A-Za-z_]\w*)")


def moved(
    findings: Sequence[Finding],
    mapper: Callable[[int], int],
    old: str = "",
    new: str = "",
    follow_fixes: bool = False,
) -> list[Finding]:
    """``findings`` with their lines mapped; with both texts, columns follow edits on the line too.

    ``follow_fixes`` (the findings of earlier steps, positioned in ``old`` as written after their
    fix): an applied fix whose code a later step changed follows that code (``_followed``), and
    is dropped when the later step removed it: a fix is only reported on the written file.
    """
    old_lines, new_lines = (old.splitlines(), new.splitlines()) if old and new else ([], [])
    follow = _Follow(old, new, old_lines, new_lines) if old_lines else None
    deleted = getattr(mapper, "deleted", frozenset())
    out = []
    for f in findings:
        line = mapper(f.line)
        col = f.col
        if old_lines and 0 < f.line <= len(old_lines) and 0 < line <= len(new_lines):
            old_line, new_line = old_lines[f.line - 1], new_lines[line - 1]
            if f.anchor and f.anchor not in new_line and old_line != new_line:
                found = follow.anchored(f.line, f.anchor, line)
                if found is not None:
                    out.append(Finding(f.code, found[0], found[1], f.fix_class, f.message, f.applied))
                    continue
            if follow_fixes and f.applied and old_line != new_line:
                place = follow.place(f.line, f.col, line)
                if place is None:
                    continue  # the fixed code is gone
                if place != (line, None):
                    out.append(Finding(f.code, place[0], place[1], f.fix_class, f.message, f.applied))
                    continue
            elif f.line in deleted:
                # the step removed the line (an import deleted, a duplicate merged into an earlier
                # one): the finding is where it stood, the start of the code now there, not at a
                # word of that other line that looks like it (a use of the same name)
                start = len(new_line) - len(new_line.lstrip(" \t")) + 1
                out.append(Finding(f.code, line, start if new_line.strip() else 1, f.fix_class, f.message, f.applied))
                continue
            elif old_line != new_line:
                # the step's own finding on a rewritten line: where its code went in the lines
                # that replaced it (an import split in two, names moved between lines)
                place = follow.place(f.line, f.col, line)
                if place is not None and place[1] is not None and not follow.shared(f.line, f.col):
                    out.append(Finding(f.code, place[0], place[1], f.fix_class, f.message, f.applied))
                    continue
            col = _column(old_line, new_line, f.col)
        out.append(Finding(f.code, line, col, f.fix_class, f.message, f.applied))
    return out


#: What a fix's finding points at, from its column on: a string literal, or a (dotted) name.
_ANCHOR = re.compile(r"""[rRbBuUfF]{0,2}(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|[A-Za-z_][\w.]*""")


class _Follow:
    """Where the code an applied fix points at (its *anchor*: the string or name at its column)
    stands after a later step changed its line.

    * still on the line the line mapper gives: there, as before (``(line, None)``);
    * elsewhere among the lines that replaced it (a call laid out again, an argument moved into
      another call): that line and column;
    * found in fewer code lines of the new text than of the old (comment lines, such as a
      ``REMOVED(prefect-1.0)`` note quoting the code, do not count): gone, ``None``;
    * else (moved further away, or no anchor): the line mapper's line, as before.
    """

    def __init__(self, old: str, new: str, old_lines: list, new_lines: list) -> None:
        self.old, self.new = old, new
        self.old_lines, self.new_lines = old_lines, new_lines
        self._code: dict = {}  # new? -> the text's lines that are not comments, joined

    def _count(self, anchor: str, new: bool) -> int:
        """How often ``anchor`` stands in the new or the old lines that are not comments (over
        their text joined once: a search per line and finding cost a fifth of a flow's steps)."""
        code = self._code.get(new)
        if code is None:
            lines = self.new_lines if new else self.old_lines
            code = self._code[new] = "\n".join(line for line in lines if not _COMMENT_LINE.match(line))
        return len(_occurrences(anchor, code))

    def place(self, line: int, col: int, mapped: int) -> Optional[tuple]:
        found = _ANCHOR.match(self.old_lines[line - 1], col - 1)
        anchor = found.group(0) if found else ""
        if len(anchor.lstrip("rRbBuUfF")[1:-1] if anchor[-1:] in "\"'" else anchor) < 3:
            return (mapped, None)  # nothing to follow: an operator, a short name, an empty string
        if _occurrences(anchor, self.new_lines[mapped - 1]):
            return (mapped, None)
        start, end = self._block_of(line - 1)
        hits = [
            (abs(j + 1 - mapped), j + 1, index + 1)
            for j in range(start, end)
            if not _COMMENT_LINE.match(self.new_lines[j])
            for index in _occurrences(anchor, self.new_lines[j])[:1]
        ]
        if hits:
            _, new_line, new_col = min(hits)
            return (new_line, new_col)
        if self._count(anchor, new=True) < self._count(anchor, new=False):
            return None
        return (mapped, None)

    def anchored(self, line: int, anchor: str, mapped: int) -> Optional[tuple]:
        """The line and column of ``anchor`` (a finding's, see ``Finding.anchor``) among the
        lines that replaced old line ``line``, nearest to ``mapped``; None if none holds it."""
        start, end = self._block_of(line - 1)
        hits = [(abs(j + 1 - mapped), j + 1, self.new_lines[j].index(anchor) + 1)
                for j in range(start, end) if anchor in self.new_lines[j]]
        return min(hits)[1:] if hits else None

    def shared(self, line: int, col: int) -> bool:
        """Whether the anchor at ``line``/``col`` also stands on another old line of the block
        that was rewritten with it (then a hit among the new lines may be that line's own)."""
        found = _ANCHOR.match(self.old_lines[line - 1], col - 1)
        if not found:
            return True
        for tag, i1, i2, j1, j2 in self._blocks():
            if i1 <= line - 1 < i2:
                return any(_occurrences(found.group(0), self.old_lines[i]) for i in range(i1, i2) if i != line - 1)
        return True

    def _blocks(self) -> tuple:
        """The opcodes pairing the old lines with the new (``_paired_opcodes`` keeps them)."""
        return _paired_opcodes(self.old, self.new)

    def _block_of(self, index: int) -> tuple:
        """The new lines that replaced old line ``index`` (an empty range when it was deleted)."""
        for tag, i1, i2, j1, j2 in self._blocks():
            if i1 <= index < i2:
                return (j1, j2) if tag != "equal" else (j1 + index - i1, j1 + index - i1 + 1)
        return (0, 0)


def _occurrences(anchor: str, line: str) -> list:
    """Indexes where ``anchor`` stands in ``line`` (a name: not as part of a longer name)."""
    if anchor[-1:] in "\"'":
        return [m.start() for m in re.finditer(re.escape(anchor), line)]
    return [m.start() for m in re.finditer(r"(?<![\w.])" + re.escape(anchor) + r"(?![\w.])", line)]


def _column(old_line: str, new_line: str, col: int) -> int:
    """1-based column ``col`` of ``old_line`` in ``new_line``.

    Text before the edited span keeps its column, text after it moves with the edit, and a
    column inside the edited span points at the start of what replaced it (or stays where it is,
    when the replacement is long enough).
    """
    if old_line == new_line:
        return col
    index = col - 1
    prefix = 0
    limit = min(len(old_line), len(new_line))
    while prefix < limit and old_line[prefix] == new_line[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and old_line[len(old_line) - 1 - suffix] == new_line[len(new_line) - 1 - suffix]
    ):
        suffix += 1
    if index < prefix:
        return col
    if index >= len(old_line) - suffix:
        return index + len(new_line) - len(old_line) + 1
    # Inside the edited span: a word that survived the edit (4 characters or more, so that a
    # lone "<" or "," is not taken for one) keeps pointing at itself.
    old_middle = old_line[prefix : len(old_line) - suffix]
    new_middle = new_line[prefix : len(new_line) - suffix]
    for block in difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=False).get_matching_blocks():
        if block.size >= 4 and block.a <= index - prefix < block.a + block.size:
            return prefix + block.b + (index - prefix - block.a) + 1
    return min(index, max(prefix, len(new_line) - suffix - 1)) + 1


# ---------------------------------------------------------------------------------------------
# The runner's side


class Guard:
    """Applies the suppressions of one file's text to each codemod step of ``rewrite_text``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._text: Optional[str] = None
        self._marks = Suppressions()

    def marks(self, text: str) -> Suppressions:
        if text is not self._text:
            self._text, self._marks = text, scan(text, self.kind)
        return self._marks

    def visible(self, findings: Sequence[Finding], text: str) -> list[Finding]:
        """``findings`` (lines of ``text``) less those a suppression in ``text`` covers."""
        marks = self.marks(text) if MARKER in text else Suppressions()
        if not marks:
            return list(findings)
        return [f for f in findings if not marks.suppressed(f.line, f.code)]

    def blocking(
        self, before: str, after: str, codes: Sequence[str], findings: Sequence[Finding]
    ) -> tuple[list[Suppression], Change]:
        """The suppressions in ``before`` that refuse this step (empty: the step may go ahead).

        ``codes``: the codemod's own code first; ``findings``: the step's, in lines of ``before``.
        """
        if MARKER not in before:
            return [], Change(frozenset(), frozenset())
        marks = self.marks(before)
        if not marks:
            return [], Change(frozenset(), frozenset())
        change = change_between(before, after)
        blocking = []
        for suppression in marks:
            if not change.touches(suppression):
                continue
            named = [codes[0]] + [f.code for f in findings if suppression.covers(f.line)]
            if any(suppression.matches(code) for code in named):
                blocking.append(suppression)
        return blocking, change


def refusal_finding(code: str, change: Change, blocking: Sequence[Suppression]) -> Optional[Finding]:
    """A manual finding where a refused step would have changed a line no suppression covers."""
    # Lines only inserted (an import the change needed) hold no old code: not reported.
    outside = sorted(line for line in change.lines if not any(s.covers(line) for s in blocking))
    if not outside:
        return None
    lines = ", ".join(str(s.comment_line) for s in blocking)
    return Finding(
        code,
        outside[0],
        1,
        FixClass.MANUAL,
        f"{code} was not applied to this file because its change also touches the code that "
        f"`prefect-upgrade: ignore` on line {lines} covers; upgrade the rest by hand or mark it too",
        False,
    )


# ---------------------------------------------------------------------------------------------
# Writing comments (the interactive review's "ignore forever")

#: Kinds where a line of its own starting with ``#`` is a comment wherever a change can be.
COMMENTABLE_KINDS = frozenset({"python", "shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini", "requirements"})


def comment_text(codes: Iterable[str]) -> str:
    codes = sorted(set(codes))
    return f"# prefect-upgrade: ignore[{','.join(codes)}]" if codes else "# prefect-upgrade: ignore"


def add_comments(text: str, kind: str, targets: dict[int, set[str]]) -> str:
    """``text`` with a suppression comment of its own above each target line (1-based).

    Python: above the statement (or compound header) holding the line, at its indentation, so
    that it covers the whole statement. Other kinds: above the line, or above the first line of
    the backslash-continued command it belongs to; at the line's indentation (column 0 in a
    Makefile, where an indented ``#`` line would be part of a recipe). An existing suppression
    comment right above gains the codes instead.
    """
    if kind not in COMMENTABLE_KINDS:
        raise ValueError(f"cannot add a comment to a {kind} file")
    lines = text.splitlines(keepends=True)
    spans = statement_spans(text) if kind == "python" else None
    anchors: dict[int, tuple[str, set[str]]] = {}
    for line, codes in targets.items():
        line = max(1, min(line, len(lines)))
        indent_from = line
        if spans:
            containing = [s for s in spans if s[0] <= line <= s[1]]
            if containing:
                first, _last, _column = min(containing, key=lambda s: s[1] - s[0])
                line = indent_from = first
        elif kind != "python":
            while line > 1 and lines[line - 2].rstrip("\r\n").endswith("\\"):
                line -= 1
            indent_from = line
        current = lines[indent_from - 1]
        indent = "" if kind == "makefile" else current[: len(current) - len(current.lstrip(" \t"))]
        entry = anchors.setdefault(line, (indent, set()))
        entry[1].update(codes)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for line in sorted(anchors, reverse=True):
        indent, codes = anchors[line]
        above = lines[line - 2] if line >= 2 else ""
        match = _MARK.search(above)
        if match and above.strip().startswith("#") and match.group(1) is not None:
            merged = set(parse_codes(match.group(1))) | codes
            ending = above[len(above.rstrip("\r\n")):]
            lines[line - 2] = above[: above.index("#")] + comment_text(merged) + ending
            continue
        if match and above.strip().startswith("#"):
            continue  # a bare ignore above already covers every code
        lines.insert(line - 1, f"{indent}{comment_text(codes)}{newline}")
    return "".join(lines)
