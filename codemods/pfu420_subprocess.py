"""Python code that runs the ``prefect`` CLI: the same command transform as PFU401–PFU405 (PFU420)."""

from __future__ import annotations

import ast
import re
from typing import Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.codemods.prefect_cli import (
    AGENT,
    AUTH,
    EXECUTE,
    REGISTER,
    RUN,
    Arg,
    Keep,
    Lit,
    NewWord,
    Rename,
    Transform,
    expected_values,
    rewrite_shell,
    transform_argv,
)
from prefect_upgrade.findings import FixClass

FAMILIES = (REGISTER, RUN, AUTH, AGENT, EXECUTE)

#: Calls whose first argument is a command: a list of words, or a shell string.
COMMAND_CALLS = {
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
    "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen",
    "asyncio.create_subprocess_shell",
}
#: Method names that run a shell string in common task runners (invoke/fabric ``c.run``, ...).
SHELL_METHODS = {"run", "sudo", "local", "system", "popen", "check_output", "check_call", "call", "Popen",
                 "getoutput", "run_command"}
_PLACEHOLDER = re.compile(r"\$\{__pfu(\d+)__\}")

Element = Union[cst.Element, cst.StarredElement]


def _string_value(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quote_of(node: Optional[cst.BaseExpression]) -> tuple[str, str]:
    """(prefix without b/f, quote) of a string literal, for new literals next to it."""
    if isinstance(node, cst.SimpleString):
        return node.prefix.lower().replace("r", "").replace("u", ""), node.quote
    return "", '"'


def _literal(value: str, quote: str = '"') -> cst.SimpleString:
    if len(quote) == 3 or "\n" in value:
        quote = quote[0]
    body = value.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    return cst.SimpleString(f"{quote}{body}{quote}")


@register
class SubprocessCommands(PythonCodemod):
    """Prefect 0.x command lines run from Python, rewritten like the shell ones (PFU401–PFU405).

    List literals that start with ``"prefect"`` (or ``"python", "-m", "prefect"``, or
    ``sys.executable, "-m", "prefect"``) are rewritten element by element: string elements are
    read as words, anything else (names, f-strings, ``*args``) is an opaque word that is kept.
    New words are string literals in the quote style of their neighbours. String commands
    passed to ``subprocess.*``, ``os.system``/``os.popen``, or a task runner's ``c.run(...)`` are
    rewritten as shell text; in an f-string each ``{...}`` is an opaque word. The fix classes
    and messages are those of the shell codemods; findings carry PFU420.

    Before::

        subprocess.run(["prefect", "register", "flow", "-f", path, "-p", "ETL"], check=True)
        os.system("prefect run flow --name etl -p ETL --watch")

    After::

        subprocess.run(["prefect", "register", "--path", path, "--project", "ETL", "--force"], check=True)
        os.system("prefect run --name etl --project ETL --watch --no-logs")
    """

    code = "PFU420"
    summary = "prefect command lines run from Python (subprocess lists and shell strings)"
    fix_class = FixClass.SAFE
    markers = ("prefect",)
    #: "prefect" then a command group, as list words or in a string: a cheap pre-filter that
    #: keeps this codemod away from the many files that merely import prefect.
    COMMAND_HINT = re.compile(r"prefect(?:[\"']\s*,\s*[rbuf]*[\"']|[ \t]+)(?:register|run|auth|agent|execute)\b")
    METADATA_DEPENDENCIES = PythonCodemod.METADATA_DEPENDENCIES + (QualifiedNameProvider,)
    examples = (
        Example('subprocess.run(["prefect", "register", "--project", "ETL", "--path", "flows/"])\n'),
        Example('print("prefect register flow -f x.py was removed")\n'),
        Example(
            'import subprocess\nsubprocess.run(["prefect", "register", "flow", "-f", path, "-p", "ETL"], check=True)\n',
            'import subprocess\nsubprocess.run(["prefect", "register", "--path", path, "--project", "ETL", "--force"], '
            "check=True)\n",
        ),
        Example(
            'import os\nos.system("prefect run flow --name etl -p ETL --watch")\n',
            'import os\nos.system("prefect run --name etl --project ETL --watch --no-logs")\n',
        ),
    )

    @classmethod
    def may_apply(cls, text: str) -> bool:
        return cls.COMMAND_HINT.search(text) is not None

    # ---- lists and tuples -------------------------------------------------------------------

    def leave_List(self, original: cst.List, updated: cst.List) -> cst.BaseExpression:
        return self._sequence(original, updated)

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.BaseExpression:
        return self._sequence(original, updated)

    def _sequence(self, original, updated):
        elements = list(original.elements)
        start = self._prefect_start(elements)
        if start is None:
            return updated
        words = elements[start:]
        args = [self._arg(e) for e in words]
        t = transform_argv(args, self.options, FAMILIES)
        self._report_all(t, [e.value for e in words], original)
        if not t.edits:
            return updated
        new_words = self._apply(list(updated.elements)[start:], t)
        if new_words is None:
            return updated
        return updated.with_changes(elements=list(updated.elements)[:start] + new_words)

    def _prefect_start(self, elements: Sequence[Element]) -> Optional[int]:
        values = [_string_value(e.value) if isinstance(e, cst.Element) else None for e in elements[:3]]
        if values and values[0] is not None and (values[0] == "prefect" or values[0].endswith("/prefect")):
            return 0
        if len(values) == 3 and values[1:] == ["-m", "prefect"]:
            first = elements[0].value
            if (values[0] is not None and re.fullmatch(r"(?:.*/)?python[0-9.]*", values[0])) or m.matches(
                first, m.Attribute(value=m.Name("sys"), attr=m.Name("executable"))
            ):
                return 2
        return None

    @staticmethod
    def _arg(element: Element) -> Arg:
        if isinstance(element, cst.Element):
            value = _string_value(element.value)
            if value is not None:
                return Arg(value, value)
            if isinstance(element.value, cst.FormattedString):
                parts = element.value.parts
                if parts and isinstance(parts[0], cst.FormattedStringText) and "\\" not in parts[0].value:
                    return Arg(None, parts[0].value.replace("{{", "{").replace("}}", "}") + "{}")
        code = cst.Module([]).code_for_node(element.value)
        return Arg(None, f"*{code}" if isinstance(element, cst.StarredElement) else code)

    def _apply(self, elements: list[Element], t: Transform) -> Optional[list[Element]]:
        replaced: dict[int, tuple[NewWord, ...]] = {}
        inserted: dict[int, list[NewWord]] = {}
        for edit in t.edits:
            (inserted.setdefault(edit.index, []).extend(edit.words) if edit.insert_after
             else replaced.__setitem__(edit.index, edit.words))
        strings = [e.value for e in elements if isinstance(e, cst.Element) and isinstance(e.value, cst.SimpleString)]
        quote = _quote_of(strings[0] if strings else None)[1]
        separator = next((e.comma for e in elements if e.comma is not cst.MaybeSentinel.DEFAULT), None)
        separator = separator or cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        out: list[Element] = []
        for index, element in enumerate(elements):
            new_values: list[cst.BaseExpression]
            if index in replaced:
                new_values = []
                for word in replaced[index]:
                    value = self._word(elements, word, quote)
                    if value is None:
                        return None
                    new_values.append(value)
            else:
                new_values = [element.value]
            for extra in inserted.get(index, []):
                value = self._word(elements, extra, quote)
                if value is None:
                    return None
                new_values.append(value)
            for position, value in enumerate(new_values):
                last = position == len(new_values) - 1
                if position == 0 and index not in replaced:
                    new = element if last else element.with_changes(comma=separator)
                else:
                    new = cst.Element(value=value, comma=element.comma if last else separator)
                out.append(new)
            if not new_values and index == len(elements) - 1 and out:
                out[-1] = out[-1].with_changes(comma=element.comma)
        return out

    @staticmethod
    def _word(elements: list[Element], word: NewWord, quote: str) -> Optional[cst.BaseExpression]:
        if isinstance(word, Lit):
            return _literal(word.value, quote)
        original = elements[word.index].value
        if isinstance(word, Keep):
            return original
        assert isinstance(word, Rename)
        value = _string_value(original)
        if value is not None:
            return _literal(word.new + value[len(word.old):], _quote_of(original)[1])
        if isinstance(original, cst.FormattedString) and isinstance(original.parts[0], cst.FormattedStringText):
            first = original.parts[0]
            if first.value.startswith(word.old):
                text = first.with_changes(value=word.new + first.value[len(word.old):])
                return original.with_changes(parts=[text, *original.parts[1:]])
        return None

    # ---- shell strings ----------------------------------------------------------------------

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        split = self._split_words(original, updated)
        if split is not None:
            return split
        if not self._runs_shell(original) or not updated.args:
            return updated
        index = next((i for i, a in enumerate(updated.args) if a.keyword is None or a.keyword.value in
                      ("args", "cmd", "command")), None)
        if index is None or updated.args[index].star:
            return updated
        node = updated.args[index].value
        new = self._shell_string(node, original.args[index].value)
        if new is None:
            return updated
        args = list(updated.args)
        args[index] = args[index].with_changes(value=new)
        return updated.with_changes(args=args)

    def _split_words(self, original: cst.Call, updated: cst.Call) -> Optional[cst.Call]:
        """``"prefect register flow ...".split()`` and ``shlex.split("prefect ...")``."""
        if m.matches(updated, m.Call(func=m.Attribute(value=m.SimpleString(), attr=m.Name("split")), args=[])):
            node = updated.func.value
            new = self._blank_split(node, original.func.value)
            return None if new is None else updated.with_changes(func=updated.func.with_changes(value=new))
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original.func, set())}
        if "shlex.split" in names and len(updated.args) == 1 and isinstance(updated.args[0].value, cst.SimpleString):
            new = self._shell_string(updated.args[0].value, original.args[0].value)
            return None if new is None else updated.with_changes(args=[updated.args[0].with_changes(value=new)])
        return None

    def _blank_split(self, node: cst.SimpleString, original: cst.BaseExpression) -> Optional[cst.SimpleString]:
        """``"prefect ...".split()``: the words are what ``str.split()`` gives, with no quoting."""
        text = _string_value(node)
        if text is None or "prefect" not in text:
            return None
        words = text.split()
        start = 0 if words[:1] == ["prefect"] else 2 if words[1:3] == ["-m", "prefect"] else None
        if start is None:
            return None
        args = [Arg(w, w) for w in words[start:]]
        t = transform_argv(args, self.options, FAMILIES)
        new_words = expected_values(args, t)
        fits = all(w and not any(ch.isspace() for ch in w) for w in new_words)
        for finding in t.findings:
            self.report(original, finding.message, applied=finding.applied and fits, fix_class=finding.fix_class)
        if not t.edits:
            return None
        if not fits:
            self.report(original, "this command is split on blanks (`str.split()`) and the rewrite needs a word "
                        "with a blank in it: make it a list of words and upgrade again", applied=False,
                        fix_class=FixClass.MANUAL)
            return None
        new_text = " ".join(words[:start] + new_words)
        if node.raw_value == text and "\\" not in new_text and node.quote[0] not in new_text:
            return node.with_changes(value=f"{node.prefix}{node.quote}{new_text}{node.quote}")
        if "r" in node.prefix.lower():
            return None
        return cst.SimpleString(node.prefix + _literal(new_text, node.quote).value)

    def _runs_shell(self, call: cst.Call) -> bool:
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        if names & COMMAND_CALLS:
            return True
        return isinstance(call.func, cst.Attribute) and call.func.attr.value in SHELL_METHODS and not (
            names and not names & COMMAND_CALLS and any(n.startswith(("subprocess.", "os.")) for n in names)
        )

    def _shell_string(self, node: cst.BaseExpression, original: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """A shell command in a string literal (or f-string), rewritten."""
        if isinstance(node, cst.SimpleString):
            text = _string_value(node)
            if text is None or "prefect" not in text:
                return None
            new_text = self._rewrite(text, original)
            if new_text == text:
                return None
            prefix, quote = node.prefix, node.quote
            body = node.raw_value
            if body == text and "\\" not in new_text and quote[0] not in new_text:
                return node.with_changes(value=f"{prefix}{quote}{new_text}{quote}")
            if "r" in prefix.lower():
                return None
            return cst.SimpleString(prefix + _literal(new_text, quote).value)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, original)
        return None

    def _fstring(self, node: cst.FormattedString, original: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """An f-string command: each ``{...}`` becomes an opaque ``${__pfuN__}`` word."""
        prefix = node.start[:-len(node.end)].lower().replace("f", "")
        quote = node.end
        pieces, expressions = [], []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                try:
                    text = ast.literal_eval(f"{prefix}{quote}{part.value}{quote}")
                except (SyntaxError, ValueError):
                    return None
                pieces.append(text.replace("{{", "{").replace("}}", "}"))
            else:
                pieces.append(f"${{__pfu{len(expressions)}__}}")
                expressions.append(part)
        text = "".join(pieces)
        if "prefect" not in text:
            return None
        new_text = self._rewrite(text, original)
        if new_text == text:
            return None
        parts: list[cst.BaseFormattedStringContent] = []
        position = 0

        def text_part(chunk: str) -> Optional[cst.FormattedStringText]:
            if "r" in prefix:
                if "\\" in chunk or quote[0] in chunk:
                    return None
                escaped = chunk
            else:
                escaped = _literal(chunk, quote[0]).value[1:-1]
            return cst.FormattedStringText(escaped.replace("{", "{{").replace("}", "}}"))

        for match in _PLACEHOLDER.finditer(new_text):
            chunk = new_text[position:match.start()]
            if chunk:
                parts.append(text_part(chunk))
            parts.append(expressions[int(match.group(1))])
            position = match.end()
        if new_text[position:]:
            parts.append(text_part(new_text[position:]))
        if any(part is None for part in parts):
            self.report(original, "this f-string command could not be rewritten in place: apply the change above "
                        "by hand", applied=False, fix_class=FixClass.MANUAL)
            return None
        return node.with_changes(parts=parts)

    def _rewrite(self, text: str, original: cst.BaseExpression) -> str:
        new_text, findings = rewrite_shell(text, self.options, FAMILIES)
        for finding in findings:
            self.report(original, finding.message, applied=finding.applied, fix_class=finding.fix_class)
        return new_text

    # ---- findings ---------------------------------------------------------------------------

    def _report_all(self, t: Transform, nodes: list[cst.BaseExpression], fallback: cst.CSTNode) -> None:
        for finding in t.findings:
            node = nodes[finding.index] if finding.index < len(nodes) else fallback
            self.report(node, finding.message, applied=finding.applied, fix_class=finding.fix_class)

