"""YAML files: CI pipelines (GitHub Actions, GitLab CI, Azure, CircleCI, Travis, Drone ...),
Kubernetes manifests, docker-compose files, Helm templates and CloudFormation templates (an ECS
container's ``Command``/``EntryPoint`` list; an EC2 ``UserData`` script, also behind
``Fn::Base64``/``Fn::Sub``; a ``!Ref Name`` list item is one word, kept as written).

The text is never loaded and dumped: Helm templates are not YAML, and a dump would lose
comments and layout. Shell commands are found line by line under the keys that hold them:

- script keys (``run``, ``script``, ``before_script``, ``after_script``, ``bash``, ``sh``,
  ``inlineScript``, ``commands``, ``command`` ...): a scalar value (plain, quoted, or a ``|``/``>``
  block) is a shell script; each item of a sequence value is one;
- argument-list keys (``command``, ``args``, ``entrypoint``): a sequence value is an exec-form
  argument list (``["prefect", "agent", "local", "start"]``), handed to shell codemods as one
  command line and split back (an ``args:`` list next to a ``command:`` list is handed over with
  the command's words in front); an item after ``-c`` (``["/bin/sh", "-c", "prefect ..."]``), and
  an ``args`` item holding spaces, is a shell script of its own.

Template expressions (``${{ secrets.X }}``, ``{{ .Values.x }}``) reach the shell codemods as shell
variables (``${PFU_EXPR_0}``): one word whose value is unknown, put back after the rewrite.

In a docker-compose file, ``$$`` is the shell's ``$`` and the host's ``$VAR``/``${VAR}`` are
words of unknown value (``compose_interpolated``); in a Kubernetes manifest the same holds in a
container's ``command:``/``args:`` for ``$$`` and the container's ``$(VAR)``
(``kubernetes_interpolated``). Both write ``$`` back escaped as ``$$``.

Only the scalar's content is replaced; its indentation, quoting style, comments and everything
around stay byte-identical. A rewritten command that can no longer be written in the scalar's
style (a plain scalar that would need quotes gets single quotes; a quoted scalar with escapes
is left alone) is left as it was and its findings are reported as not applied.

A file that is not YAML (and not a template: no ``{{``/``{%``) is reported as an error in one
line and left alone. ``verify``: when PyYAML is importable (a dependency; Prefect needs it too) and the original loads, the
rewritten text must load to a document of the same shape (the same mappings with as many keys,
the same nesting, the same scalar types; argument lists may gain or lose words).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Optional

from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.rewriters.embedded import (
    EmbeddingRewriter,
    Fragment,
    Lines,
    argv_to_shell,
    masked,
    substituted,
    shell_to_argv,
)

SCRIPT_KEYS = frozenset(
    {
        "run",  # GitHub Actions
        "script",  # GitLab CI, Azure, Travis
        "before_script",
        "after_script",
        "bash",  # Azure
        "sh",
        "pwsh",
        "powershell",
        "inlineScript",  # Azure CLI task
        "commands",  # Drone, Buildkite, Cloud Build-like
        "command",  # CircleCI, Buildkite, docker-compose (a string)
        "entrypoint",  # docker-compose (a string)
        "before_install",  # Travis
        "install",
        "before_deploy",
        "after_success",
        "after_failure",
        "cmd",
        "shell",  # Ansible
        "UserData",  # CloudFormation (EC2 instances, launch templates): ``UserData: !Base64 |``
    }
)
ARGV_KEYS = frozenset({"command", "args", "entrypoint", "Command", "EntryPoint"})  # + ECS/Batch in CloudFormation
#: CloudFormation's wrappers of a user-data script: ``UserData:`` / ``Fn::Base64: !Sub |``.
USER_DATA_WRAPPERS = frozenset({"Fn::Base64", "Fn::Sub"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh"})

_KEY = re.compile(
    r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*(?:::[A-Za-z0-9_.-]+)*|\"[^\"\n]*\"|'[^'\n]*')[ ]*:(?=[ \t]|\r?$)"
    r"(?P<sep>[ \t]*)(?P<rest>[^\r\n]*)"
)
_ITEM = re.compile(r"^(?P<lead>[ ]*-)(?P<sep>[ ]+|(?=\r?$))(?P<rest>[^\r\n]*)")
_BLOCK_HEADER = re.compile(r"^(?P<style>[|>])(?P<flags>[+-]?[1-9]?[+-]?)[ \t]*(?:#.*)?$")
#: CI and template expressions, replaced before the shell runs: ``${{ secrets.X }}`` (GitHub),
#: ``$[[ inputs.x ]]`` (GitLab), ``{{ .Values.x }}`` (Helm, Jinja).
_TEMPLATE = re.compile(r"\$\{\{.*?\}\}|\$\[\[.*?\]\]|\{\{.*?\}\}")
_PROPERTIES = re.compile(r"^(?:[&!][^ \t]*[ \t]+)+(?=[^ \t#])")
#: A tag and a plain value on one line (``!Ref Name``, ``!GetAtt A.B``), as an argument-list item.
_TAGGED_WORD = re.compile(r"^![A-Za-z][A-Za-z0-9:._-]*[ \t]+[A-Za-z0-9_][^ \t#'\"\[\]{},]*[ \t]*(?:#.*)?$")
_PLAIN_FORBIDDEN_START = set("-?:,[]{}#&*!|>'\"%@`")


#: A docker-compose file: a top-level ``services:`` mapping (GitLab CI's top-level ``services:``
#: is a list).
_COMPOSE_SERVICES = re.compile(r"^services:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ ]+(?!-)[^\s#]", re.M)
#: What docker-compose replaces in every value before a shell sees it: ``$$`` (a literal ``$``),
#: ``${VAR}`` / ``${VAR:-default}`` and ``$VAR`` (the host's variables).
_COMPOSE_DOLLAR = re.compile(r"\$\$|\$\{[^}\n]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_COMPOSE_PLACEHOLDER = re.compile(r"\$\{PFU_COMPOSE_(\d+)\}")


def is_compose(text: str) -> bool:
    return _COMPOSE_SERVICES.search(text) is not None


def _dollars_unescaped(fragment: Fragment, dollar: "re.Pattern[str]", placeholder: "re.Pattern[str]", kind: str):
    """``fragment``'s text with each ``$$`` of ``dollar``'s matches read as ``$`` and every other
    match (a variable the file's tool fills in) as a placeholder ``${PFU_<kind>_<n>}``; with the
    unmask that goes with it and the variables' texts, in order."""
    count = [0]

    def replace(match: "re.Match[str]") -> str:
        if match.group(0) == "$$":
            return "$"
        count[0] += 1
        return "${" + f"PFU_{kind}_{count[0] - 1}" + "}"

    text, unmask = substituted(fragment.text, dollar, replace, placeholder, fragment.unmask)
    originals = [match.group(0) for match in dollar.finditer(fragment.text) if match.group(0) != "$$"]
    return text, unmask, originals


def compose_interpolated(fragment: Fragment) -> Fragment:
    """``fragment`` of a docker-compose file as the shell sees it after compose's interpolation:
    ``$$`` is a ``$`` (``$$(uuidgen)`` runs ``uuidgen`` in the container), and ``$VAR`` /
    ``${VAR}`` (the host's variables, replaced by compose) are words whose value the codemods
    cannot know, shown as ``${PFU_COMPOSE_<n>}``. On the way back every ``$`` is written ``$$``
    again and the host variables are put back as they were."""
    if "$" not in fragment.text:
        return fragment
    text, unmask, originals = _dollars_unescaped(fragment, _COMPOSE_DOLLAR, _COMPOSE_PLACEHOLDER, "COMPOSE")
    inner = fragment.encode

    def encode(new_text: str) -> Optional[str]:
        pieces = []
        position = 0
        for match in _COMPOSE_PLACEHOLDER.finditer(new_text):
            number = int(match.group(1))
            if number >= len(originals):
                return None
            pieces.append(new_text[position : match.start()].replace("$", "$$"))
            pieces.append(originals[number])
            position = match.end()
        pieces.append(new_text[position:].replace("$", "$$"))
        restored = "".join(pieces)
        return restored if inner is None else inner(restored)

    return dataclasses.replace(fragment, text=text, encode=encode, unmask=unmask)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    return not line.strip()


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _plain_end(rest: str) -> int:
    """Where a plain scalar on one line ends (before a `` #`` comment and trailing blanks)."""
    match = re.search(r"[ \t]#", rest)
    value = rest[: match.start()] if match else rest
    return len(value.rstrip())


def _plain_safe(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    if value[0] in _PLAIN_FORBIDDEN_START and not (value[0] in "-?:" and len(value) > 1 and value[1] not in " \t"):
        return False
    return ": " not in value and " #" not in value and not value.endswith(":") and "\t#" not in value


def _single_quote(value: str) -> Optional[str]:
    if "\n" in value:
        return None
    return "'" + value.replace("'", "''") + "'"


def _double_quote(value: str) -> Optional[str]:
    if "\n" in value or any(ord(c) < 32 and c != "\t" for c in value):
        return None
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scan_quoted(rest: str) -> Optional[tuple[int, str]]:
    """A quoted scalar at the start of ``rest``: (length of the raw scalar, its value), if simple."""
    quote = rest[0]
    if quote == "'":
        index = 1
        value = []
        while index < len(rest):
            char = rest[index]
            if char == "'":
                if rest[index + 1 : index + 2] == "'":
                    value.append("'")
                    index += 2
                    continue
                return index + 1, "".join(value)
            value.append(char)
            index += 1
        return None
    index = 1
    value = []
    while index < len(rest):
        char = rest[index]
        if char == "\\":
            following = rest[index + 1 : index + 2]
            if following in ('"', "\\", "/"):
                value.append(following)
                index += 2
                continue
            return None  # other escapes: left alone
        if char == '"':
            return index + 1, "".join(value)
        value.append(char)
        index += 1
    return None


def _at_items(shown: list[str], prefixed: int, places: list[tuple[int, int]], raws: list[str], first: int):
    """A finding on an argument list shown as one command line (``shown``: ``prefixed`` words of a
    sibling ``command`` list, then the items) -> the same finding on the item that holds its word
    (``places``: each item's 0-based line and column in the file; ``first``: the fragment's line).

    ``Fragment.place`` adds the fragment's column on its first line, so the column given back is
    relative to the first item there."""
    starts = [len(argv_to_shell(shown[:i])) + (1 if i else 0) for i in range(len(shown))]
    base = places[0][1]

    def unmask(finding):
        offset = finding.col - 1
        word = max((i for i, start in enumerate(starts) if start <= offset), default=0)
        if word < prefixed:  # a word of the sibling command: its first item stands for it
            index, column, within = places[0][0], base, 0
        else:
            index, column = places[word - prefixed]
            within = min(offset - starts[word], max(len(raws[word - prefixed]) - 1, 0))
        col = column + within + 1 - (base if index == first else 0)
        return dataclasses.replace(finding, line=index - first + 1, col=col)

    return unmask


def _plain_item(item: "re.Match[str]") -> bool:
    """Whether a sequence item's value is a plain scalar (``- pip install x``), not a mapping,
    a quoted or block scalar, a flow collection or a tagged value."""
    rest = item.group("rest")
    return bool(rest) and rest[0] not in _PLAIN_FORBIDDEN_START and not _KEY.match(" " * item.start("rest") + rest)


#: A Kubernetes manifest: a document with a top-level ``apiVersion:`` and ``kind:``.
_K8S_API_VERSION = re.compile(r"^apiVersion:[ \t]*\S", re.M)
_K8S_KIND = re.compile(r"^kind:[ \t]*\S", re.M)
#: What Kubernetes replaces in a container's ``command:``/``args:`` before the process (or its
#: shell) sees them: ``$$`` (a literal ``$``) and ``$(VAR)`` (the container's variable ``VAR``).
_K8S_DOLLAR = re.compile(r"\$\$|\$\([A-Za-z_][A-Za-z0-9_]*\)")
_K8S_PLACEHOLDER = re.compile(r"\$\{PFU_K8S_(\d+)\}")
#: One word of a rewritten fragment for the diff against the original: a placeholder or a character.
_K8S_TOKEN = re.compile(r"\$\{PFU_[A-Z0-9]+_\d+\}|.", re.S)
#: The keys whose values Kubernetes expands.
K8S_EXPANDED_KEYS = frozenset({"command", "args"})


def is_kubernetes(text: str) -> bool:
    return _K8S_API_VERSION.search(text) is not None and _K8S_KIND.search(text) is not None


def kubernetes_interpolated(fragment: Fragment) -> Fragment:
    """``fragment`` of a container's ``command:``/``args:`` as the process sees it after
    Kubernetes' expansion: ``$$`` is a ``$`` (``sh -c "echo $$(date)"`` runs ``date``), as in a
    docker-compose file, and ``$(VAR)`` (a variable of the container, replaced by Kubernetes) is a
    word whose value the codemods cannot know, shown as ``${PFU_K8S_<n>}``.

    On the way back the text the codemod left as it was is written as the file wrote it (a lone
    ``$`` stays lone, ``$$`` stays ``$$``), ``$(VAR)`` is put back, and every ``$`` the codemod
    wrote is written in the escaped form ``$$``."""
    if "$" not in fragment.text or not _K8S_DOLLAR.search(fragment.text):
        return fragment
    text, unmask, originals = _dollars_unescaped(fragment, _K8S_DOLLAR, _K8S_PLACEHOLDER, "K8S")
    # the text as the file writes it, word by word of what the codemod sees
    raw_units: list[str] = []  # per character of ``text`` (a placeholder: one unit)
    position = 0
    for match in _K8S_DOLLAR.finditer(fragment.text):
        raw_units.extend(fragment.text[position : match.start()])
        raw_units.append(match.group(0))
        position = match.end()
    raw_units.extend(fragment.text[position:])
    old_tokens: list[str] = []
    old_raw: list[str] = []
    unit = 0
    for token in _K8S_TOKEN.findall(text):
        old_tokens.append(token)
        if _K8S_PLACEHOLDER.fullmatch(token) or len(token) == 1:
            old_raw.append(raw_units[unit])
            unit += 1
        else:  # an earlier placeholder (``${PFU_EXPR_0}``), written as it is, character by character
            old_raw.append("".join(raw_units[unit : unit + len(token)]))
            unit += len(token)
    inner = fragment.encode

    def encode(new_text: str) -> Optional[str]:
        new_tokens = _K8S_TOKEN.findall(new_text)
        pieces: list[str] = []
        matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pieces.extend(old_raw[i1:i2])
                continue
            for token in new_tokens[j1:j2]:
                placeholder = _K8S_PLACEHOLDER.fullmatch(token)
                if placeholder:
                    number = int(placeholder.group(1))
                    if number >= len(originals):
                        return None
                    pieces.append(originals[number])
                else:
                    pieces.append("$$" if token == "$" else token)
        restored = "".join(pieces)
        return restored if inner is None else inner(restored)

    return dataclasses.replace(fragment, text=text, encode=encode, unmask=unmask)


def _after_is_comment(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


class YamlRewriter(EmbeddingRewriter):
    kind = "yaml"
    embeds_shell = True

    def shell_fragments(self, text: str) -> list[Fragment]:
        keys: list[str] = []
        fragments = [masked(fragment, _TEMPLATE, "PFU_EXPR") for fragment in self._fragments(text, keys)]
        if is_compose(text):
            fragments = [compose_interpolated(fragment) for fragment in fragments]
        elif is_kubernetes(text):
            fragments = [
                kubernetes_interpolated(fragment) if key in K8S_EXPANDED_KEYS else fragment
                for fragment, key in zip(fragments, keys)
            ]
        return fragments

    def _fragments(self, text: str, keys: Optional[list] = None) -> list[Fragment]:
        """The shell fragments of ``text``; ``keys`` gets the key each one was found under."""
        lines = Lines(text)
        fragments: list[Fragment] = []
        keys = [] if keys is None else keys
        key = ""
        index = 0
        while index < len(lines):
            keys.extend([key] * (len(fragments) - len(keys)))
            line = lines.content(index)
            if _blank(line) or _comment(line) or line.startswith(("---", "...")) and _indent(line) == 0:
                index += 1
                continue
            match = _KEY.match(line)
            if match is None:
                item = _ITEM.match(line)
                if item and _BLOCK_HEADER.match(item.group("rest")):
                    index = self._skip_block(lines, index, len(item.group("lead")) - 1)
                    continue
                index += 1
                continue
            key = match.group("key").strip("\"'")
            column = len(match.group("lead"))
            rest = match.group("rest")
            value_col = match.start("rest")
            properties = _PROPERTIES.match(rest)  # an anchor or a tag before the value
            if properties:
                rest = rest[properties.end() :]
                value_col += properties.end()
            if key in USER_DATA_WRAPPERS:
                if not self._under_user_data(lines, index, column):
                    index += 1
                    continue
                if _BLOCK_HEADER.match(rest):
                    fragment, index = self._block_scalar(lines, index, column, rest)
                elif rest and not _comment(rest):
                    fragment, index = self._scalar(lines, index, value_col, column)
                else:
                    index += 1
                    continue
                if fragment:
                    fragments.append(fragment)
                continue
            if _BLOCK_HEADER.match(rest):
                if key in SCRIPT_KEYS:
                    fragment, index = self._block_scalar(lines, index, column, rest)
                    if fragment:
                        fragments.append(fragment)
                else:
                    index = self._skip_block(lines, index, column)
                continue
            if key not in SCRIPT_KEYS and key not in ARGV_KEYS:
                index += 1
                continue
            prefix = self._sibling_command(lines, index, column) if key == "args" else []
            if _after_is_comment(rest):
                found, index = self._block_sequence(lines, index + 1, column, key, prefix)
                fragments.extend(found)
                continue
            if rest.startswith("["):
                fragments.extend(self._flow_sequence(lines, index, value_col, key, prefix))
                index += 1
                continue
            if key not in SCRIPT_KEYS:
                index += 1
                continue
            fragment, index = self._scalar(lines, index, value_col, column)
            if fragment:
                fragments.append(fragment)
        keys.extend([key] * (len(fragments) - len(keys)))
        return fragments

    def _under_user_data(self, lines: Lines, index: int, column: int) -> bool:
        """Whether the key at ``column`` of line ``index`` is a ``Fn::Base64``/``Fn::Sub`` that
        wraps a CloudFormation ``UserData`` script (the keys above it, nearest first, are more
        wrappers and then ``UserData``)."""
        while True:
            parent = None
            for above in range(index - 1, -1, -1):
                content = lines.content(above)
                if _blank(content) or _comment(content):
                    continue
                if _indent(content) < column:
                    parent = above
                    break
            if parent is None:
                return False
            match = _KEY.match(lines.content(parent))
            if match is None or match.group("rest").strip() and not _PROPERTIES.match(match.group("rest") + " x"):
                return False
            key = match.group("key")
            if key == "UserData":
                return True
            if key not in USER_DATA_WRAPPERS:
                return False
            index, column = parent, len(match.group("lead"))

    # -- scalars ---------------------------------------------------------------------------
    def _skip_block(self, lines: Lines, index: int, column: int) -> int:
        index += 1
        while index < len(lines) and (_blank(lines.content(index)) or _indent(lines.content(index)) > column):
            index += 1
        return index

    def _block_scalar(self, lines: Lines, index: int, column: int, header: str) -> tuple[Optional[Fragment], int]:
        style = header[0]
        first = index + 1
        last = first - 1  # the last non-blank content line
        index = first
        while index < len(lines):
            content = lines.content(index)
            if _blank(content):
                index += 1
                continue
            if _indent(content) <= column:
                break
            last = index
            index += 1
        if last < first:
            return None, index
        body = [lines.content(i) for i in range(first, last + 1)]
        width = next(_indent(line) for line in body if not _blank(line))
        if any(not _blank(line) and _indent(line) < width for line in body):
            return None, last + 1
        texts = [line[width:] if not _blank(line) else "" for line in body]
        pad = " " * width
        folded = style == ">"
        text, encode_lines = _fold(texts) if folded else ("\n".join(texts), None)

        def encode(new_text: str) -> Optional[str]:
            new_lines = new_text.split("\n")
            if encode_lines is not None:
                new_lines = encode_lines(new_lines)
                if new_lines is None:
                    return None
            if new_lines and new_lines[0][:1] == " " and new_text.strip():
                return None  # a first line that starts with a space would change the indentation
            return "\n".join(pad + line if line.strip() else "" for line in new_lines)

        fragment = Fragment(
            start=lines.starts[first],
            end=lines.end_of_content(last),
            text=text,
            line=first + 1,
            col=width,
            indent=width,
            encode=encode,
        )
        return fragment, last + 1

    def _scalar(self, lines: Lines, index: int, value_col: int, column: int) -> tuple[Optional[Fragment], int]:
        """A plain or quoted scalar that starts at ``value_col`` of line ``index``."""
        line = lines.content(index)
        rest = line[value_col:]
        start = lines.starts[index] + value_col
        if rest[0] in "'\"":
            scanned = _scan_quoted(rest)
            if scanned is None or not _after_is_comment(rest[scanned[0] :]):
                return None, self._skip_block(lines, index, column)
            length, value = scanned
            quote = _single_quote if rest[0] == "'" else _double_quote
            alone = not rest[length:].strip()

            def encode_quoted(new_text: str) -> Optional[str]:
                if "\n" in new_text:
                    return _as_block(new_text, column) if alone else None
                return quote(new_text)

            return (
                Fragment(start, start + length, value, index + 1, value_col + 1, encode=encode_quoted),
                index + 1,
            )
        if rest[0] in "{&*!%@`":
            return None, self._skip_block(lines, index, column)
        end = _plain_end(rest)
        # a plain scalar may go on over more-indented lines (folded with spaces)
        following = index + 1
        last = index
        while following < len(lines):
            content = lines.content(following)
            if _blank(content):
                following += 1
                continue
            if _indent(content) <= column or _comment(content) or _KEY.match(content):
                break  # (a plain scalar holds no `key:`; a sketch that does is read as YAML would fail it)
            last = following
            following += 1
        if last > index:
            body = [rest[:end]] + [lines.content(i).strip() for i in range(index + 1, last + 1)]
            if any(" #" in part or "\t#" in part for part in body) or any(
                _blank(lines.content(i)) for i in range(index + 1, last + 1)
            ):
                return None, last + 1
            width = _indent(lines.content(index + 1))
            text, unfold = _fold(body)

            def encode_multi(new_text: str) -> Optional[str]:
                new_lines = unfold(new_text.split("\n"))
                if new_lines is None or any(not _plain_safe(part) for part in new_lines if part):
                    return None
                if any(not part for part in new_lines):
                    return None
                return ("\n" + " " * width).join(new_lines)

            return (
                Fragment(start, lines.end_of_content(last), text, index + 1, value_col, width, encode_multi),
                last + 1,
            )
        value = rest[:end]
        alone = not rest[end:].strip()

        def encode(new_text: str) -> Optional[str]:
            if "\n" in new_text:
                return _as_block(new_text, column) if alone else None
            if _plain_safe(new_text):
                return new_text
            return _single_quote(new_text)

        return Fragment(start, start + end, value, index + 1, value_col, encode=encode), index + 1

    # -- sequences -------------------------------------------------------------------------
    def _sibling_command(self, lines: Lines, index: int, column: int) -> list[str]:
        """The words of a ``command:`` argument list next to ``args:`` (Kubernetes), if any.

        ``command: ["prefect"]`` with ``args: ["agent", "kubernetes", "start", …]`` is one command
        line; the ``args`` fragment is handed over with the command's words in front (which must
        come back unchanged).
        """
        position = index - 1
        while position >= 0:
            content = lines.content(position)
            if _blank(content) or _comment(content):
                position -= 1
                continue
            match = _KEY.match(content)
            key_column = len(match.group("lead")) if match else _indent(content)
            if key_column < column or (match is None and _indent(content) <= column):
                return []
            if key_column == column and match is not None:
                if match.group("key").strip("\"'") == "command":
                    words = self._argv_words(lines, position, match)
                    if words and not _script_positions(words, "command"):
                        return words
                    return []
                if "-" in match.group("lead"):
                    return []  # the first key of this mapping
            position -= 1
        return []

    def _argv_words(self, lines: Lines, index: int, match: re.Match) -> Optional[list[str]]:
        rest = match.group("rest")
        if rest.startswith("["):
            parsed = _parse_flow(lines.content(index), match.start("rest"))
            return [value for value, _, _ in parsed[0]] if parsed else None
        if not _after_is_comment(rest):
            return None
        words = []
        column = len(match.group("lead"))
        position = index + 1
        while position < len(lines):
            content = lines.content(position)
            if _blank(content) or _comment(content):
                position += 1
                continue
            item = _ITEM.match(content)
            if item is None or _indent(content) < column:
                break
            value = self._item_value(lines, position, item)
            if value is None:
                return None
            words.append(value[0])
            position += 1
        return words or None

    def _block_sequence(
        self, lines: Lines, index: int, column: int, key: str, prefix: list[str] = ()
    ) -> tuple[list[Fragment], int]:
        """The items of a block sequence under a key at ``column``."""
        items: list[tuple[int, re.Match]] = []
        dash: Optional[int] = None
        interrupted = False
        while index < len(lines):
            content = lines.content(index)
            if _blank(content) or _comment(content):
                if items:
                    interrupted = True
                index += 1
                continue
            indent = _indent(content)
            if dash is None:
                item = _ITEM.match(content)
                if item is None or indent < column:
                    return [], index
                dash = indent
            if indent < dash or (indent == dash and not content.lstrip().startswith("-")):
                break
            if indent > dash and items and _plain_item(items[-1][1]) and _KEY.match(content):
                break  # a `key:` cannot go on a plain item: it is a mis-indented key of its own
            if indent == dash:
                item = _ITEM.match(content)
                if item is None:
                    break
                items.append((index, item))
                rest = item.group("rest")
                if _BLOCK_HEADER.match(rest):
                    items[-1] = (index, item)
                    index = self._skip_block(lines, index, dash)
                    continue
            index += 1
        if dash is None:
            return [], index
        if key in SCRIPT_KEYS and not (key in ARGV_KEYS and self._plain_words(lines, items)):
            return self._script_items(lines, items, dash), index
        return self._argv_items(lines, items, dash, key, interrupted, prefix), index

    def _plain_words(self, lines: Lines, items) -> bool:
        """Whether the items look like an argument list (single words, or an ``sh -c`` list)."""
        values = [self._item_value(lines, i, m) for i, m in items]
        if any(value is None for value in values):
            return False
        words = [value for value, _, _ in values]  # type: ignore[misc]
        return "-c" in words or all(" " not in word for word in words)

    def _item_value(
        self, lines: Lines, index: int, item: re.Match, tagged: bool = False
    ) -> Optional[tuple[str, int, int]]:
        """A single-line scalar item: (value, start column, end column) or None.

        ``tagged``: an item that is a tag and a plain value (CloudFormation's ``!Ref Name``,
        ``!GetAtt A.B``) is one word of unknown value, taken as written (``"!Ref Name"``)."""
        rest = item.group("rest")
        column = item.start("rest")
        if not rest or _BLOCK_HEADER.match(rest) or _KEY.match(" " * column + rest):
            return None
        if tagged and _TAGGED_WORD.match(rest):
            end = _plain_end(rest)
            return rest[:end], column, column + end
        if rest[0] in "'\"":
            scanned = _scan_quoted(rest)
            if scanned is None or not _after_is_comment(rest[scanned[0] :]):
                return None
            return scanned[1], column, column + scanned[0]
        if rest[0] in "[{&*!%@`|>":
            return None
        end = _plain_end(rest)
        return rest[:end], column, column + end

    def _script_items(self, lines: Lines, items, dash: int) -> list[Fragment]:
        fragments = []
        for index, item in items:
            rest = item.group("rest")
            if not rest:
                continue
            if _BLOCK_HEADER.match(rest):
                fragment, _ = self._block_scalar(lines, index, dash, rest)
            elif _KEY.match(" " * item.start("rest") + rest):
                continue  # a mapping, not a command
            else:
                fragment, _ = self._scalar(lines, index, item.start("rest"), dash)
            if fragment:
                fragments.append(fragment)
        return fragments

    def _argv_items(
        self, lines: Lines, items, dash: int, key: str, interrupted: bool, command: list[str] = ()
    ) -> list[Fragment]:
        values = []
        for index, item in items:
            value = self._item_value(lines, index, item, tagged=True)
            if value is None:  # a block scalar (``- |``): a script, as after ``sh -c``
                return self._script_items(lines, items, dash)
            values.append((index, item, value))
        words = [value[0] for _, _, value in values]
        scripts = _script_positions(words, key)
        if scripts:
            fragments = []
            for position in scripts:
                index, item, _ = values[position]
                fragment, _ = self._scalar(lines, index, item.start("rest"), dash)
                if fragment:
                    fragments.append(fragment)
            return fragments
        if interrupted or not words:
            return []
        first, last = values[0][0], values[-1][0]
        if any(_indent(lines.content(i)) != dash for i in range(first, last + 1)):
            return []
        raws = [lines.content(index)[value[1] : value[2]] for index, _, value in values]
        prefix = lines.content(first)[: values[0][2][1]]
        quoted = all(raw[:1] in "'\"" for raw in raws)
        suffixes = [lines.content(index)[value[2] :] for index, _, value in values]

        def encode(new_text: str) -> Optional[str]:
            new_words = _without_prefix(shell_to_argv(new_text), command)
            if new_words is None:
                return None
            rendered = _render_words(words, raws, new_words, quoted)
            if rendered is None:
                return None
            out = []
            kept = {w: s for w, s in zip(raws, suffixes)}
            for raw in rendered:
                out.append(prefix + raw + kept.get(raw, ""))
            return "\n".join(out)

        shown = [*command, *words]
        places = [(index, value[1]) for index, _, value in values]
        return [
            Fragment(
                start=lines.starts[first],
                end=lines.end_of_content(last),
                text=argv_to_shell(shown),
                line=first + 1,
                col=values[0][2][1],
                encode=encode,
                line_map=lambda line, first=first: first + line,
                unmask=_at_items(shown, len(command), places, raws, first),
            )
        ]

    def _flow_sequence(
        self, lines: Lines, index: int, value_col: int, key: str, prefix: list[str] = ()
    ) -> list[Fragment]:
        line = lines.content(index)
        parsed = _parse_flow(line, value_col)
        if parsed is None:
            return []
        items, close = parsed
        if not _after_is_comment(line[close + 1 :]):
            return []
        base = lines.starts[index]
        words = [value for value, _, _ in items]
        quote_of = {"'": _single_quote, '"': _double_quote}
        fragments = []
        scripts = _script_positions(words, key) if key in ARGV_KEYS else list(range(len(words)))
        if scripts:
            for position in scripts:
                value, start, end = items[position]
                raw = line[start:end]
                encode = quote_of.get(raw[:1]) or (lambda new: new if _flow_plain_safe(new) else _double_quote(new))
                fragments.append(Fragment(base + start, base + end, value, index + 1, start + (raw[:1] in "'\""), encode=encode))
            return fragments
        if not words:
            return []
        raws = [line[start:end] for _, start, end in items]
        separator = ", " if ", " in line[items[0][1] : items[-1][2]] or len(items) == 1 else ","
        quoted = all(raw[:1] in "'\"" for raw in raws)

        def encode(new_text: str) -> Optional[str]:
            new_words = _without_prefix(shell_to_argv(new_text), prefix)
            if new_words is None:
                return None
            rendered = _render_words(words, raws, new_words, quoted, flow=True)
            return None if rendered is None else separator.join(rendered)

        start, end = items[0][1], items[-1][2]
        shown = argv_to_shell([*prefix, *words])
        unmask = _at_items([*prefix, *words], len(prefix), [(index, s) for _, s, _ in items], raws, index)
        return [Fragment(base + start, base + end, shown, index + 1, start, encode=encode, unmask=unmask)]

    # -- checks ----------------------------------------------------------------------------
    def parse(self, text: str, path: str) -> str:
        """The text; a YAML file that does not parse is an error (templates are not checked)."""
        if _TEMPLATE_SYNTAX.search(text) is None:
            problem = _syntax_error(text)
            if problem is not None:
                raise SourceError(f"not valid YAML ({problem}); left as it is")
        return text

    def verify(self, original: str, rewritten: str, path: str) -> None:
        loader = _loader()
        if loader is None:  # pragma: no cover - PyYAML is a dependency
            return
        import yaml

        try:
            before = list(yaml.load_all(original, Loader=loader))
        except Exception:  # a template, or not YAML at all: nothing to compare with
            return
        try:
            after = list(yaml.load_all(rewritten, Loader=loader))
        except Exception as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise SourceError(f"the rewritten YAML does not load ({message}); nothing was written (please report this)")
        if _shape(before) != _shape(after):
            raise SourceError("the rewritten YAML has another structure; nothing was written (please report this)")


#: Helm/Jinja/Go templates are not YAML until rendered: they are rewritten without the check.
_TEMPLATE_SYNTAX = re.compile(r"(?<!\$)\{\{|\{%")


def _syntax_error(text: str) -> Optional[str]:
    """Why ``text`` is not YAML (syntax only: tags are not constructed), or None."""
    try:
        import yaml
    except ImportError:  # pragma: no cover
        return None
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        for _ in yaml.compose_all(text, Loader=loader):
            pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return where + (error.problem or str(error).splitlines()[0])
    except yaml.YAMLError as error:
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    return None


def _loader():
    """A safe YAML loader that reads any tag (GitLab's ``!reference``, CloudFormation's ``!Ref``)."""
    try:
        import yaml
    except ImportError:  # pragma: no cover
        return None

    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # libyaml is many times faster

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", any_tag)
    return Loader


def _as_block(text: str, column: int) -> Optional[str]:
    """A one-line scalar that became several lines, as a ``|-`` block scalar below its key."""
    lines = text.split("\n")
    if lines[0][:1] in (" ", "\t") or not lines[0].strip():
        return None
    pad = " " * (column + 2)
    return "|-\n" + "\n".join(pad + line if line.strip() else "" for line in lines)


def _shape(value):
    if isinstance(value, dict):  # keys may be renamed (settings); their number and order stay
        return ("map", [_shape(item) for item in value.values()])
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return "list"  # an argument list may gain or lose words
        return [_shape(item) for item in value]
    return type(value).__name__


def _script_positions(words: list[str], key: str) -> list[int]:
    """Items of an argument list that are shell scripts of their own."""
    positions = []
    for position, word in enumerate(words):
        if word == "-c" and position + 1 < len(words) and position >= 1:
            shell = words[position - 1].rsplit("/", 1)[-1]
            if shell in SHELLS or shell == "env":
                positions.append(position + 1)
    if not positions and key == "args":
        positions = [position for position, word in enumerate(words) if " " in word.strip()]
    return positions


def _without_prefix(words: Optional[list[str]], prefix) -> Optional[list[str]]:
    """``words`` after the sibling command's words, which must be unchanged (else None)."""
    if words is None or list(words[: len(prefix)]) != list(prefix):
        return None
    return words[len(prefix) :]


def _flow_plain_safe(value: str) -> bool:
    return _plain_safe(value) and not any(char in value for char in ",[]{}")


def _render_words(
    words: list[str], raws: list[str], new_words: list[str], quoted: bool, flow: bool = False
) -> Optional[list[str]]:
    """``new_words`` as YAML scalars, keeping the raw form of every word that did not change."""
    out = []
    matcher = difflib.SequenceMatcher(a=words, b=new_words, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raws[a0:a1])
            continue
        for word in new_words[b0:b1]:
            safe = _flow_plain_safe(word) if flow else _plain_safe(word)
            rendered = _double_quote(word) if quoted or not safe else word
            if rendered is None:
                return None
            out.append(rendered)
    return out


def _parse_flow(line: str, start: int) -> Optional[tuple[list[tuple[str, int, int]], int]]:
    """A one-line flow sequence of scalars at ``line[start] == "["``: items and the ``]`` column."""
    items = []
    index = start + 1
    while True:
        while index < len(line) and line[index] in " \t":
            index += 1
        if index >= len(line):
            return None
        if line[index] == "]":
            return items, index
        char = line[index]
        if char in "'\"":
            scanned = _scan_quoted(line[index:])
            if scanned is None:
                return None
            length, value = scanned
            items.append((value, index, index + length))
            index += length
        elif char in "[{&*!|>%@`#":
            return None
        else:
            end = index
            while end < len(line) and line[end] not in ",]":
                end += 1
            raw = line[index:end].rstrip()
            if not raw or ": " in raw or " #" in raw:
                return None
            items.append((raw, index, index + len(raw)))
            index += len(raw)
        while index < len(line) and line[index] in " \t":
            index += 1
        if index >= len(line):
            return None
        if line[index] == ",":
            index += 1
        elif line[index] != "]":
            return None


def _fold(texts: list[str]):
    """Folded lines as a shell text: a folded line break becomes a `` \\`` continuation.

    Returns the text and the function that turns rewritten lines back into folded lines (None
    when they cannot be folded back to the same commands).
    """
    if any(line.rstrip().endswith("\\") for line in texts):
        return "\n".join(texts), None
    out = []
    for position, line in enumerate(texts):
        following = texts[position + 1] if position + 1 < len(texts) else ""
        joins = line.strip() and following.strip() and not line.startswith((" ", "\t")) and not following.startswith((" ", "\t"))
        out.append(line + " \\" if joins else line)
    comments = sorted(line for line in texts if line.lstrip().startswith("#"))

    def unfold(new_lines: list[str]) -> Optional[list[str]]:
        if sorted(line for line in new_lines if line.lstrip().startswith("#")) != comments:
            return None
        for line, following in zip(new_lines, new_lines[1:]):
            top = line.strip() and following.strip() and not line.startswith((" ", "\t"))
            if top and not following.startswith((" ", "\t")) and not line.endswith(" \\"):
                return None  # two commands that the folding would join into one
        return [line[:-2] if line.endswith(" \\") else line for line in new_lines]

    return "\n".join(out), unfold
