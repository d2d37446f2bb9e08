"""Prefect version pins in the files around the code: find them, judge them, rewrite them.

Shared by the PFU5xx codemods (pins, images, Python 3.6) and by
``prefect_upgrade.source_version``. Nothing here is a codemod.

Every finder works on the text of one file kind and yields :class:`Pin` records: where the
version constraint sits (offsets into the text), what it says, in which syntax (PEP 440, Poetry,
conda) and with which quoting, so that a codemod can replace exactly that span and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet

#: The constraint every rewritten pin gets (PEP 440 / pip / conda / Pipfile syntax).
NEW_SPEC = ">=1.0,<2"
#: Poetry's own spelling of the same range, used where the old constraint was a caret one.
NEW_POETRY_CARET = "^1.0"
#: The same range with no character a shell treats specially (used for unquoted shell words).
NEW_SHELL_SPEC = "~=1.0"
#: conda's fuzzy "1.*", for unquoted conda words on a command line.
NEW_CONDA_SHELL_SPEC = "=1"

#: Every Prefect 1.x release (all of them admit the rewritten range).
PREFECT_1_RELEASES = ("1.0.0", "1.1.0", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.3.0", "1.3.1", "1.4.0", "1.4.1")
#: Probes for "does this constraint admit some Prefect 0.x?".
_ZERO_PROBES = tuple(f"0.{minor}.{patch}" for minor in range(0, 16) for patch in range(0, 31))


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_prefect(name: str) -> bool:
    """``prefect`` itself, never ``prefect-aws``, ``prefect_gcp`` and the like."""
    return canonical_name(name) == "prefect"


# --------------------------------------------------------------------------------------------
# Constraints: PEP 440, Poetry and conda spellings, all judged through PEP 440 specifier sets.
# --------------------------------------------------------------------------------------------


def _caret(version: str) -> str:
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]] or [0]
    while len(parts) < 3:
        parts.append(0)
    major, minor, patch = parts
    given = len(re.findall(r"\d+", version))
    if major > 0 or given == 1:
        upper = f"{major + 1}"
    elif minor > 0 or given == 2:
        upper = f"0.{minor + 1}"
    else:
        upper = f"0.0.{patch + 1}"
    return f">={version},<{upper}"


def _tilde(version: str) -> str:
    nums = re.findall(r"\d+", version)
    if len(nums) == 1:
        return f">={version},<{int(nums[0]) + 1}"
    return f">={version},<{nums[0]}.{int(nums[1]) + 1}"


def poetry_to_pep440(constraint: str) -> list[str]:
    """A Poetry/Pipfile constraint as PEP 440 alternatives (``||`` gives several)."""
    alternatives = []
    for alternative in constraint.split("||"):
        parts = []
        alternative = re.sub(r"([<>=!~^])\s+", r"\1", alternative.strip())  # ">= 0.14" -> ">=0.14"
        for part in re.split(r"[,\s]+(?=[<>=!~^\d*])", alternative):
            part = part.strip().rstrip(",").strip()
            if not part or part == "*":
                continue
            if part.startswith("^"):
                parts.append(_caret(part[1:].strip()))
            elif part.startswith("~") and not part.startswith("~="):
                parts.append(_tilde(part[1:].strip()))
            elif re.match(r"^\d", part):
                parts.append("==" + part)
            else:
                parts.append(part)
        alternatives.append(",".join(parts))
    return alternatives


def conda_to_pep440(constraint: str) -> list[str]:
    """A conda match-spec version (``=0.15``, ``0.15.13``, ``>=0.14,<0.16``, ``1.*|2.*``)."""
    alternatives = []
    for alternative in constraint.split("|"):
        parts = []
        for part in alternative.split(","):
            part = part.strip()
            if not part or part == "*":
                continue
            if re.match(r"^=\d", part):  # fuzzy: =0.15 means 0.15*
                parts.append("==" + part[1:].rstrip(".*") + ".*")
            elif re.match(r"^\d", part):
                parts.append("==" + part)
            else:
                parts.append(part)
        alternatives.append(",".join(parts))
    return alternatives


def _specsets(alternatives: Sequence[str]) -> Optional[list[SpecifierSet]]:
    sets = []
    for alternative in alternatives:
        try:
            sets.append(SpecifierSet(alternative.replace(" ", "")))
        except InvalidSpecifier:
            return None
    return sets


def _admits(sets: Sequence[SpecifierSet], versions: Sequence[str]) -> bool:
    return any(s.contains(v, prereleases=True) for s in sets for v in versions)


def judge(alternatives: Sequence[str]) -> str:
    """``"upgrade"`` (admits some 0.x and no 1.x), ``"keep"`` (unpinned, 1.x, 2.x ...) or ``"unknown"``."""
    if not any(a.strip() for a in alternatives):
        return "keep"  # unpinned
    sets = _specsets(alternatives)
    if sets is None:
        return "unknown"
    if _admits(sets, PREFECT_1_RELEASES):
        return "keep"
    if _admits(sets, _ZERO_PROBES):
        return "upgrade"
    return "keep"  # Prefect 2/3 pins, or nothing at all


def admitted_minors(alternatives: Sequence[str]) -> list[str]:
    """Which of 0.13 / 0.14 / 0.15 (and older, as "0.12-") a constraint admits."""
    sets = _specsets(alternatives)
    if sets is None or not any(a.strip() for a in alternatives):
        return []
    found = []
    if _admits(sets, [f"0.{m}.{p}" for m in range(0, 13) for p in range(0, 31)]):
        found.append("0.12-")
    for minor in ("0.13", "0.14", "0.15"):
        if _admits(sets, [f"{minor}.{p}" for p in range(0, 31)]):
            found.append(minor)
    return found


def admits_python36(alternatives: Sequence[str]) -> bool:
    """Whether a Python-version constraint (``>=3.6``, ``^3.6``, ``3.6.*``) admits 3.6."""
    sets = _specsets(alternatives)
    if sets is None:
        return False
    return _admits(sets, [f"3.6.{p}" for p in range(0, 16)])


# --------------------------------------------------------------------------------------------
# Pins: where a Prefect constraint sits in a text.
# --------------------------------------------------------------------------------------------


@dataclass
class Pin:
    """One Prefect requirement whose constraint spans ``text[start:end]``."""

    start: int  # offset of the constraint (or of the point to insert one)
    end: int
    constraint: str  # as written
    syntax: str  # "pep440" | "poetry" | "conda"
    requirement: str  # the whole requirement as written, for messages
    #: What replaces the constraint when it must be upgraded.
    replacement: str = NEW_SPEC
    #: Set when the pin cannot be rewritten in place; the reason, for a manual finding.
    blocker: Optional[str] = None
    extras: tuple[str, ...] = field(default_factory=tuple)

    @property
    def alternatives(self) -> list[str]:
        if self.syntax == "poetry":
            return poetry_to_pep440(self.constraint)
        if self.syntax == "conda":
            return conda_to_pep440(self.constraint)
        return [self.constraint.strip().strip("()")]

    @property
    def verdict(self) -> str:
        return judge(self.alternatives)


_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_VERSION = r"[A-Za-z0-9.*+!_-]+"
_OP = r"(?:===|==|!=|~=|<=|>=|<|>)"
_PEP508 = re.compile(
    rf"""(?P<name>{_NAME})[ \t]*(?P<extras>\[[^\]\n]*\])?[ \t]*
    (?P<spec>\(?[ \t]*{_OP}[ \t]*{_VERSION}(?:[ \t]*,[ \t]*{_OP}[ \t]*{_VERSION})*[ \t]*\)?)?""",
    re.VERBOSE,
)
_CONDA_OP = r"(?:==|!=|<=|>=|<|>|=|~=)"
_CONDA = re.compile(
    rf"""(?:[\w.-]+::)?(?P<name>{_NAME})(?P<extras>\[[^\]\n]*\])?
    (?:[ \t]*(?P<spec>{_CONDA_OP}[ \t]*{_VERSION}(?:[,|]{_CONDA_OP}?[ \t]*{_VERSION})*)|[ \t]+(?P<bare>\d[\w.*]*))?""",
    re.VERBOSE,
)


def _extras(text: Optional[str]) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(e.strip() for e in text.strip("[]").split(",") if e.strip())


def parse_requirement(text: str, start: int = 0, end: Optional[int] = None) -> Optional[Pin]:
    """A PEP 508 requirement for ``prefect`` filling ``text[start:end]`` (up to ``;``/``#``)."""
    end = len(text) if end is None else end
    match = _PEP508.match(text, start, end)
    if not match or not is_prefect(match.group("name")):
        return None
    rest = text[match.end() : end].strip()
    if rest and rest[0] not in ";#":
        if rest.startswith("@"):
            return Pin(match.end(), match.end(), "", "pep440", text[start:end].strip(),
                       blocker="a direct reference (URL) pin")
        return None
    spec = match.group("spec")
    if spec:
        s, e = match.span("spec")
        stripped_end = s + len(spec.rstrip())
        return Pin(s, stripped_end, spec.rstrip(), "pep440", text[start:stripped_end],
                   extras=_extras(match.group("extras")))
    return Pin(match.end(), match.end(), "", "pep440", text[start : match.end()], extras=_extras(match.group("extras")))


def parse_conda(text: str, start: int = 0, end: Optional[int] = None) -> Optional[Pin]:
    end = len(text) if end is None else end
    match = _CONDA.match(text, start, end)
    if not match or not is_prefect(match.group("name")):
        return None
    rest = text[match.end() : end].strip()
    if rest and rest[0] != "#":
        return None
    if match.group("spec"):
        s, e = match.span("spec")
        return Pin(s, e, match.group("spec"), "conda", text[start:e])
    if match.group("bare"):
        s, e = match.span("bare")
        # "prefect 0.15.13": keep the space-separated form valid by replacing the space too.
        return Pin(match.end("name"), e, match.group("bare"), "conda", text[start:e], replacement=NEW_SPEC)
    return Pin(match.end(), match.end(), "", "conda", text[start : match.end()])


# ---- requirements.txt / constraints.txt ----------------------------------------------------


def pins_in_requirements(text: str) -> Iterator[Pin]:
    lines = text.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines):
        # a logical line: physical lines joined by a trailing backslash
        first = offset
        logical = [lines[index]]
        while logical[-1].rstrip("\r\n").endswith("\\") and index + 1 < len(lines):
            offset += len(lines[index])
            index += 1
            logical.append(lines[index])
        offset += len(lines[index])
        index += 1
        line = lines[index - len(logical)]
        body = line.rstrip("\r\n")
        stripped = body.lstrip()
        if not stripped or stripped.startswith(("#", "-")):
            continue
        lead = len(body) - len(stripped)
        cut = len(body)
        comment = re.search(r"\s#", body)
        if comment:
            cut = comment.start()
        option = re.search(r"\s--?[A-Za-z]", body)  # per-requirement options: --hash=…, --no-binary …
        if option:
            cut = min(cut, option.start())
        if body.rstrip().endswith("\\"):
            cut = min(cut, body.rstrip().rfind("\\"))
        pin = parse_requirement(text, first + lead, first + cut)
        if pin is None:
            continue
        if "--hash" in "".join(logical):
            pin.blocker = pin.blocker or "a pin with --hash values"
        yield pin


# ---- TOML: pyproject.toml (PEP 621, Poetry, PDM, hatch ...) and Pipfile -------------------

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*""")
_NEAR_KEY = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_.-]+)\s*=\s*$""")
_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'""")


def _dependency_table(table: str) -> bool:
    parts = [p.strip().strip('"\'') for p in table.split(".")]
    if parts in (["packages"], ["dev-packages"]):
        return True
    if parts[:2] == ["tool", "poetry"] and parts[-1] in ("dependencies", "dev-dependencies"):
        return True
    return False


def toml_strings(text: str) -> Iterator[tuple[str, int, int, str, Optional[str]]]:
    """(table, start, end, quote, key) for every one-line string in a TOML text.

    ``start``/``end`` delimit the string's content (inside the quotes); ``key`` is the key of
    the line the string sits on when it is the value right after ``key =``.
    """
    table = ""
    offset = 0
    in_multiline: Optional[str] = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if in_multiline:
            if in_multiline in body:
                in_multiline = None
            offset += len(line)
            continue
        header = _TABLE.match(body)
        if header and not _KEY.match(body):
            table = header.group(1)
            offset += len(line)
            continue
        position = 0
        while position < len(body):
            char = body[position]
            if char == "#":
                break
            if body.startswith('"""', position) or body.startswith("'''", position):
                quote = body[position : position + 3]
                close = body.find(quote, position + 3)
                if close == -1:
                    in_multiline = quote
                    break
                position = close + 3
                continue
            if char in "\"'":
                match = _STRING.match(body, position)
                if not match:
                    break
                near = _NEAR_KEY.search(body, 0, match.start())
                yield (
                    table,
                    offset + match.start() + 1,
                    offset + match.end() - 1,
                    char,
                    near.group(1).strip('"\'') if near else None,
                )
                position = match.end()
                continue
            position += 1
        offset += len(line)


def pins_in_toml(text: str) -> Iterator[Pin]:
    for table, start, end, quote, key in toml_strings(text):
        content = text[start:end]
        if quote == '"' and "\\" in content:
            continue
        if key is not None and is_prefect(key) and _dependency_table(table):
            # poetry / Pipfile: prefect = "^0.15.0"
            yield Pin(start, end, content, "poetry", f"prefect = {quote}{content}{quote}",
                      replacement=NEW_POETRY_CARET if content.strip().startswith("^") else NEW_SPEC)
            continue
        if key == "version" and _inline_prefect_table(text, start):
            yield Pin(start, end, content, "poetry", f"prefect = {{version = {quote}{content}{quote}, ...}}",
                      replacement=NEW_POETRY_CARET if content.strip().startswith("^") else NEW_SPEC)
            continue
        if key == "version" and _prefect_subtable(table):
            yield Pin(start, end, content, "poetry", f"[{table}] version = {quote}{content}{quote}",
                      replacement=NEW_POETRY_CARET if content.strip().startswith("^") else NEW_SPEC)
            continue
        if key is None or key not in ("python", "requires-python", "python_version"):
            pin = parse_requirement(text, start, end)
            if pin is not None and (pin.constraint or pin.blocker):
                yield pin


def _prefect_subtable(table: str) -> bool:
    parts = [p.strip().strip('"\'') for p in table.split(".")]
    return len(parts) >= 2 and is_prefect(parts[-1]) and _dependency_table(".".join(parts[:-1]))


def _inline_prefect_table(text: str, start: int) -> bool:
    """Whether the ``version = "..."`` at ``start`` sits in ``prefect = { ... }`` of a dep table."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    match = re.match(r"""^\s*(?P<key>"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*\{""", before)
    if not match or not is_prefect(match.group("key").strip('"\'')):
        return False
    # the table of that line
    table = ""
    for line in text[:line_start].splitlines():
        found = _TABLE.match(line)
        if found and not _KEY.match(line):
            table = found.group(1)
    return _dependency_table(table)


# ---- INI: setup.cfg, tox.ini ---------------------------------------------------------------

_REQUIREMENT_KEYS = {"install_requires", "setup_requires", "tests_require", "deps", "requires"}


def ini_values(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(section, key, start, end) for every value line of an INI text (continuations too)."""
    section = ""
    key = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        line_start = offset
        offset += len(line)
        if not stripped or stripped.startswith(("#", ";")):
            continue
        header = re.match(r"^\[([^\]]+)\]", body)
        if header:
            section, key = header.group(1).strip(), ""
            continue
        if body[:1] in (" ", "\t") and key:
            lead = len(body) - len(body.lstrip())
            yield section, key, line_start + lead, line_start + len(body.rstrip())
            continue
        assignment = re.match(r"^([^=:\s][^=:]*?)\s*[=:]\s*", body)
        if assignment:
            key = assignment.group(1).strip()
            if assignment.end() < len(body.rstrip()):
                yield section, key, line_start + assignment.end(), line_start + len(body.rstrip())
        else:
            key = ""


def pins_in_ini(text: str) -> Iterator[Pin]:
    for section, key, start, end in ini_values(text):
        if key not in _REQUIREMENT_KEYS and section != "options.extras_require":
            continue
        # a trailing "# comment" or "; marker" is left to parse_requirement
        pin = parse_requirement(text, start, end)
        if pin is not None:
            yield pin


# ---- YAML: conda environment.yml (with its pip: list) --------------------------------------

_YAML_ITEM = re.compile(r"""^(?P<indent>\s*)-\s+(?P<q>["']?)(?P<value>[^"'#\n]*?)(?P=q)\s*(?:#.*)?$""")


def pins_in_yaml(text: str) -> Iterator[Pin]:
    pip_indent: Optional[int] = None
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        line_start = offset
        offset += len(line)
        if not body.strip() or body.lstrip().startswith("#"):
            continue
        raw_indent = len(body) - len(body.lstrip())
        if pip_indent is not None and raw_indent <= pip_indent:
            pip_indent = None  # back at (or before) the "- pip:" item's own dash
        if re.match(r"^\s*-\s*pip\s*:\s*(?:#.*)?$", body):
            pip_indent = raw_indent
            continue
        item = _YAML_ITEM.match(body)
        if not item:
            continue
        start = line_start + item.start("value")
        end = line_start + item.end("value")
        if pip_indent is not None and raw_indent > pip_indent:
            pin = parse_requirement(text, start, end)
        else:
            pin = parse_conda(text, start, end)
        if pin is not None and (pin.constraint or pin.blocker):
            yield pin


# ---- Shell: pip / pipenv / poetry / conda commands -----------------------------------------

_INSTALL = re.compile(
    r"""(?:(?<=^)|(?<=[\s;&|(`'"!]))
    (?:[\w./~-]*/)?
    (?P<tool>
        (?:python(?:3(?:\.\d+)?)?|py)\s+-m\s+pip\s+install
      | (?:uv\s+)?pip(?:3(?:\.\d+)?)?\s+install
      | pipenv\s+install
      | poetry\s+add
      | (?:conda|mamba|micromamba)\s+(?:install|create)
    )(?=\s)""",
    re.VERBOSE | re.MULTILINE,
)
_TERMINATORS = set(";&|)`\n")


def _shell_words(text: str, position: int) -> Iterator[tuple[int, int, Optional[str]]]:
    """(start, end, quote) of the words of one command, from ``position`` to its end."""
    length = len(text)
    while position < length:
        char = text[position]
        if text.startswith("\\\n", position):
            position += 2
            continue
        if text.startswith("\\\r\n", position):
            position += 3
            continue
        if char in " \t":
            position += 1
            continue
        if char in _TERMINATORS or char == "#":
            return
        start = position
        quote: Optional[str] = None
        if char in "\"'":
            close = text.find(char, position + 1)
            if close == -1:
                return
            quote = char
            position = close + 1
            if position < length and text[position] not in " \t\n;&|)`\\":
                # quote glued to more text: treat the whole thing as one unquoted word
                quote = None
                while position < length and text[position] not in " \t\n;&|)`":
                    position += 1
            yield start, position, quote
            continue
        while position < length and text[position] not in " \t\n;&|)`":
            if text[position] == "\\" and text.startswith("\\\n", position):
                break
            position += 1
        yield start, position, None


def pins_in_shell(text: str) -> Iterator[Pin]:
    for command in _INSTALL.finditer(text):
        tool = command.group("tool")
        conda = tool.split()[0] in ("conda", "mamba", "micromamba")
        poetry = tool.startswith("poetry")
        skip_next = False
        for start, end, quote in _shell_words(text, command.end()):
            word = text[start:end]
            if skip_next:
                skip_next = False
                continue
            if word.startswith("-"):
                if word in ("-r", "-c", "-e", "--requirement", "--constraint", "--editable", "-i",
                            "--index-url", "--extra-index-url", "-f", "--find-links", "-n", "--name",
                            "-p", "--prefix", "--channel", "--target", "-t", "--group", "-G",
                            "--python", "--platform", "--only-binary", "--no-binary"):
                    skip_next = True
                continue
            inner_start, inner_end = (start + 1, end - 1) if quote else (start, end)
            if poetry:
                pin = _poetry_word(text, inner_start, inner_end, quote)
            elif conda:
                pin = parse_conda(text, inner_start, inner_end)
                if pin is not None and pin.constraint:
                    pin.replacement = NEW_SPEC if quote else NEW_CONDA_SHELL_SPEC
            else:
                pin = parse_requirement(text, inner_start, inner_end)
                if pin is not None and not quote:
                    pin.replacement = NEW_SHELL_SPEC
            if pin is not None and (pin.constraint or pin.blocker):
                yield pin


def _poetry_word(text: str, start: int, end: int, quote: Optional[str]) -> Optional[Pin]:
    match = re.match(rf"(?P<name>{_NAME})(?P<extras>\[[^\]]*\])?@(?P<spec>\S+)$", text[start:end])
    if match:
        if not is_prefect(match.group("name")):
            return None
        s = start + match.start("spec")
        spec = match.group("spec")
        return Pin(s, end, spec, "poetry", text[start:end],
                   replacement=NEW_POETRY_CARET if spec.startswith("^") or not quote else NEW_SPEC)
    return parse_requirement(text, start, end)


# ---- Build variables: ARG PREFECT_VERSION=0.15.9 -------------------------------------------

_VERSION_VARIABLE = re.compile(
    r"""(?<![\w$])(?P<name>PREFECT_VERSION|PREFECT_TAG)(?:\s*(?::=|\?=|\+=|=|:)\s*|[ \t]+)
    (?P<q>["']?)(?P<version>0\.\d+\.\d+)(?P=q)(?![\w.*-])""",
    re.VERBOSE | re.IGNORECASE,
)
#: The exact release a version variable gets (it is often spliced into ``prefect==$V`` and
#: image tags ``prefecthq/prefect:$V-python3.8``, so it must stay one version, not a range).
VARIABLE_TARGET = "1.4.1"


def version_variables(text: str) -> Iterator[Pin]:
    """``ARG PREFECT_VERSION=0.15.9``, ``ENV PREFECT_VERSION 0.15.9``, ``PREFECT_VERSION: "0.15.9"``."""
    for match in _VERSION_VARIABLE.finditer(text):
        s, e = match.span("version")
        yield Pin(s, e, "==" + match.group("version"), "pep440", match.group(0).strip(), replacement=VARIABLE_TARGET)


# ---- Dispatch -------------------------------------------------------------------------------

PIN_FINDERS = {
    "requirements": pins_in_requirements,
    "toml": pins_in_toml,
    "ini": pins_in_ini,
    "yaml": pins_in_yaml,
}


def find_pins(text: str, kind: str) -> list[Pin]:
    """Every Prefect pin in a text of ``kind`` (``pip install …`` commands are looked for in
    every kind that can hold them: shell, dockerfile, makefile, yaml, toml, ini)."""
    pins: list[Pin] = []
    finder = PIN_FINDERS.get(kind)
    if finder is not None:
        pins.extend(finder(text))
    if kind in ("shell", "dockerfile", "makefile", "yaml", "ini"):
        # commands: CI steps, RUN lines, recipes, tox ``commands``
        seen = {(p.start, p.end) for p in pins}
        pins.extend(p for p in pins_in_shell(text) if (p.start, p.end) not in seen)
    if kind == "toml":
        # commands in strings: taskipy, poe, PDM and hatch scripts
        seen = {(p.start, p.end) for p in pins}
        for _table, start, end, quote, _key in toml_strings(text):
            content = text[start:end]
            if ("install" not in content and "add" not in content) or (quote == '"' and "\\" in content):
                continue
            for pin in pins_in_shell(content):
                pin.start += start
                pin.end += start
                if (pin.start, pin.end) not in seen:
                    pins.append(pin)
    if kind in ("shell", "dockerfile", "makefile", "yaml", "dotenv", "toml", "ini"):
        seen = {(p.start, p.end) for p in pins}
        pins.extend(p for p in version_variables(text) if (p.start, p.end) not in seen)
    pins.sort(key=lambda p: p.start)
    return pins


# ---- Python-version constraints -------------------------------------------------------------

_PY36 = re.compile(r"(?<![\d.])3\.6(?:\.\d+)?(?![\d])")


def mentions_python36(value: str) -> bool:
    return bool(_PY36.search(value))


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def line_starts(lines: Sequence[str]) -> list[int]:
    """The offset at which each of ``text.splitlines(keepends=True)`` starts in ``text``."""
    starts = []
    position = 0
    for line in lines:
        starts.append(position)
        position += len(line)
    return starts


def apply_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """Apply non-overlapping ``(start, end, replacement)`` edits; return the text and the new
    start offset of each edit (in the order given)."""
    order = sorted(range(len(edits)), key=lambda i: edits[i][0])
    out: list[str] = []
    new_starts = [0] * len(edits)
    position = 0
    length = 0
    for i in order:
        start, end, replacement = edits[i]
        if start < position:
            continue
        out.append(text[position:start])
        length += start - position
        new_starts[i] = length
        out.append(replacement)
        length += len(replacement)
        position = end
    out.append(text[position:])
    return "".join(out), new_starts
