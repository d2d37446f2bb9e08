"""Python code that runs a flow through ``prefect.environments`` inside commands and config
files (PFU430) and inside Python string literals (PFU431): reported, never rewritten.

Prefect 0.x environments started a flow run in its container with a one-liner such as
``python -c "import prefect; prefect.environments.execution.load_and_run_flow()"`` (the
``args`` of a Kubernetes job spec, a Dockerfile ``CMD``, a task definition ...). Prefect 1.0 has
no ``prefect.environments`` at all (``ModuleNotFoundError``, or ``AttributeError`` after
``import prefect``) and no ``load_and_run_flow``:
"agents now run ``prefect execute flow-run`` themselves" (environments-to-runconfig.md §3, §8
item 8 "``load_and_run_flow`` (incl. strings in YAML)"). There is no mechanical replacement
(the job spec or command must give way to a run config), so each place is a manual finding.

What is reported (the same rules for both codes):

- a dotted path starting with ``prefect.environments`` (``prefect.environments.execution``,
  ``prefect.environments.execution.load_and_run_flow``, ``prefect.environments.LocalEnvironment``,
  ``prefect.environments.storage.S3`` ...), wherever it stands: a command, a script, a comment;
- a ``load_and_run_flow(`` call or an ``environments.execution`` path written without
  ``prefect.`` (``from prefect import environments``), only in a text that also names
  ``prefect.environments`` or imports ``environments`` from ``prefect``: projects have functions
  of their own called ``load_and_run_flow``.

Prose that merely says "environments" is not reported. Comments (YAML ``#``, shell ``#``,
Dockerfile ``#``, Jenkinsfile ``//`` ...) are reported like commands: they are the lines people
copy. One finding per line, at the first reference on it; its message says what to do for the
kind of reference found (``load_and_run_flow``; another ``prefect.environments`` name;
``prefect.environments.storage``, which only moved to ``prefect.storage``).

Not reported here, because another codemod owns them: ``prefect.environments.storage`` paths on
``default_class`` lines (PFU413, which rewrites them) and Python strings whose whole value is a
moved class path (PFU107); ``import`` statements and calls in Python code (PFU201).
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._speed import PlainVisits, WalkedParents
from prefect_upgrade.codemods.base import Example, PythonCodemod, TextCodemod
from prefect_upgrade.findings import FixClass

#: Every kind whose whole text this codemod reads. Markdown and reST are not listed: their
#: rewriters hand over the blocks that are not Python (```bash, ```yaml, ```dockerfile ...),
#: and their prose stays unread; notebooks hand over their ``!`` shell lines (through
#: ``shell``), their Python cells go to PFU431.
TEXT_KINDS = frozenset({"shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini", "jenkinsfile"})

MARKERS = ("prefect.environments", "load_and_run_flow")

#: ``prefect.environments`` and any dotted path below it.
_ENV_PATH = re.compile(r"(?<![\w.])prefect\.environments(?:\.[A-Za-z_]\w*)*(?!\w)")
#: ``environments.execution[...]`` without ``prefect.`` in front (``from prefect import environments``).
_SHORT_PATH = re.compile(r"(?<![\w.])environments\.execution(?:\.[A-Za-z_]\w*)*(?!\w)")
#: A call of ``load_and_run_flow`` (also ``x.load_and_run_flow(``).
_CALL = re.compile(r"(?<!\w)load_and_run_flow\s*\(")
_LOAD_AND_RUN = re.compile(r"(?<!\w)load_and_run_flow(?!\w)")
#: An import of ``load_and_run_flow``, with the module it comes from.
_IMPORT = re.compile(r"\bfrom[ \t]+(?P<module>[\w.]+)[ \t]+import\b[^;\n]*?(?<!\w)load_and_run_flow(?!\w)")
#: A text in which ``load_and_run_flow(`` and ``environments.execution`` are Prefect's.
_CONTEXT = re.compile(r"(?<![\w.])prefect\.environments(?!\w)|\bfrom[ \t]+prefect[ \t]+import\b[^\n]*\benvironments\b")

STORAGE = "prefect.environments.storage"
_NO_SUCCESSOR = frozenset({"Bytes", "Memory"})

RUN_FLOW_MESSAGE = (
    "Prefect 1.0 has no `prefect.environments` and no `load_and_run_flow` (agents now run "
    "`prefect execute flow-run` themselves): remove this command and give the flow a run config "
    "instead of its environment (a job spec becomes `KubernetesRun(job_template=...)` without "
    "this `command`/`args`, a task definition `ECSRun(task_definition=...)`)"
)
ENVIRONMENTS_MESSAGE = (
    "Prefect 1.0 has no `prefect.environments` module (its imports fail), environments were "
    "replaced by run configs (`prefect.run_configs`, e.g. KubernetesRun) and executors "
    "(`prefect.executors`), so rewrite this code to use them"
)
STORAGE_MESSAGE = (
    "`prefect.environments.storage` was removed in Prefect 0.15 (its imports fail under 1.0): "
    "use `{new}`"
)
STORAGE_GONE_MESSAGE = (
    "`prefect.environments.storage` was removed in Prefect 0.15 and `{name}` storage has "
    "no successor: use another class of `prefect.storage`"
)

# The lines PFU413 owns (it rewrites their storage paths, or reports them).
_DEFAULT_CLASS = re.compile(r"default_class", re.IGNORECASE)
_YAML_VALUE = re.compile(r"^\s*(?:-\s+)?value\s*:")


def _with_path(path: str, short: str, message: str) -> str:
    return message if path == short else f"`{path}`: {message}"


def _storage_message(path: str) -> str:
    name = path.rsplit(".", 1)[-1]
    if name in _NO_SUCCESSOR:
        return _with_path(path, STORAGE, STORAGE_GONE_MESSAGE.format(name=name))
    return _with_path(path, STORAGE, STORAGE_MESSAGE.format(new="prefect.storage" + path[len(STORAGE) :]))


def _is_storage(path: str) -> bool:
    return path == STORAGE or path.startswith(STORAGE + ".")


#: A line that is only a comment (shell, YAML, Dockerfile, TOML/INI ``#``; Jenkinsfile ``//``).
_COMMENT_LINE = re.compile(r"\s*(?:#|//|;)")
#: What makes a mention of a path code rather than prose: an import of it, a call or an
#: attribute of it, or an interpreter on the line (``python -c ...``).
_IMPORTED = re.compile(r"\b(?:import|from)[ \t]+$")
_USED = re.compile(r"\s*[(.]|\s+import\b")
_INTERPRETER = re.compile(r"(?<![\w.-])python[\d.]*(?:\s|$|\W)")


def _runs(line: str, match: "re.Match[str]") -> bool:
    """Whether the path ``match`` found on ``line`` is code that runs, not prose about it."""
    before, after = line[: match.start()], line[match.end() :]
    return bool(_IMPORTED.search(before) or _USED.match(after) or _INTERPRETER.search(line))


def scan(text: str, kind: str = "") -> list[tuple[int, int, str]]:
    """(1-based line, 1-based column, message) of every line of ``text`` that runs
    ``prefect.environments`` code: at most one per line, at its first reference. A path counts
    when it is imported, called or has an attribute taken, or when the line runs ``python``;
    comment lines and prose (``echo "prefect.environments is gone"``) do not.

    A ``load_and_run_flow(`` call without a ``prefect.environments`` path on its line counts
    when the last import of ``load_and_run_flow`` before it (on an earlier line, or earlier on the
    same line) was from ``prefect.environments``, or when no import of it is seen and the text
    names ``prefect.environments``. In YAML, the ``value:`` after a ``default_class`` line (and
    any ``default_class`` line) is PFU413's for storage paths.
    """
    context = _CONTEXT.search(text) is not None
    found = []
    imported: Optional[bool] = None  # whether the last import of load_and_run_flow was Prefect's
    after_default_class = False
    for number, line in enumerate(text.splitlines(), start=1):
        default_class = bool(_DEFAULT_CLASS.search(line))
        owned = default_class or (after_default_class and _YAML_VALUE.match(line) is not None)
        after_default_class = default_class and kind == "yaml"
        if _COMMENT_LINE.match(line):
            continue  # a comment runs nothing
        paths = [(m.start(), m.group(0)) for m in _ENV_PATH.finditer(line) if _runs(line, m)]
        if context:
            paths += [(m.start(), m.group(0)) for m in _SHORT_PATH.finditer(line) if _runs(line, m)]
        if owned:
            paths = [(start, path) for start, path in paths if not _is_storage(path)]
        imports = [(m.start(), m.group("module").startswith("prefect.environments")) for m in _IMPORT.finditer(line)]
        calls = []
        for call in _CALL.finditer(line):
            before = [prefect for start, prefect in imports if start < call.start()]
            if before:
                prefect = before[-1]
            elif imported is not None:
                prefect = imported
            else:
                prefect = context
            if prefect:
                calls.append(call.start())
        if imports:
            imported = imports[-1][1]
        if not paths and not calls:
            continue
        first = min([start for start, _ in paths] + calls)
        if calls or _LOAD_AND_RUN.search(line):
            message = RUN_FLOW_MESSAGE
        else:
            others = [path for _, path in sorted(paths) if not _is_storage(path)]
            if others:
                message = _with_path(others[0], "prefect.environments", ENVIRONMENTS_MESSAGE)
            else:
                message = _storage_message(sorted(paths)[0][1])
        found.append((number, first + 1, message))
    return found


@register
class EnvironmentCommands(TextCodemod):
    """``load_and_run_flow`` and other ``prefect.environments`` code in commands and config files.

    Prefect 0.x environments ran a flow in its container with
    ``python -c "import prefect; prefect.environments.execution.load_and_run_flow()"``; Prefect
    1.0 has no ``prefect.environments`` (the container fails with ``ModuleNotFoundError`` or
    ``AttributeError``) and
    its agents run ``prefect execute flow-run`` themselves. There is no mechanical replacement:
    every such line in a YAML file (Kubernetes job specs, docker-compose, CI), a Dockerfile, a
    shell script, a Makefile, a Jenkinsfile, TOML/INI/.env files, and the non-Python code blocks
    of Markdown/reST (``bash``, ``yaml``, ``dockerfile`` ...) gets a manual finding; nothing is
    rewritten. Only code counts: a path that is imported, called or has an attribute taken, or
    any path on a line that runs ``python``; comment lines and prose (an ``echo``, a ``LABEL``,
    a CI step's name) are not reported. A ``load_and_run_flow(`` call counts only in a text that also
    names ``prefect.environments``. ``prefect.environments.storage.X`` (moved to
    ``prefect.storage.X``) is reported with its new path, except on ``default_class`` lines,
    which PFU413 rewrites.

    Before::

        args: ['python -c "import prefect; prefect.environments.execution.load_and_run_flow()"']

    After (unchanged, reported)::

        job.yaml:1:22: PFU430 Prefect 1.0 has no `prefect.environments` and no `load_and_run_flow`
        (agents now run `prefect execute flow-run` themselves): remove this command and give the
        flow a run config instead of its environment (a job spec becomes
        `KubernetesRun(job_template=...)` without this `command`/`args` ...) [manual]
    """

    code = "PFU430"
    summary = "load_and_run_flow / prefect.environments code in commands and config files (YAML, Dockerfile, shell ...)"
    fix_class = FixClass.MANUAL
    file_kinds = TEXT_KINDS
    markers = MARKERS
    examples = (
        Example("args: ['prefect execute flow-run']\n", kind="yaml", reports=()),
        Example("# flow environments were replaced by run configs\nrun: python -m etl.load_and_run_flow\n",
                kind="yaml", reports=()),
        Example('python -c "from myjobs import load_and_run_flow; load_and_run_flow()"\n', kind="shell",
                reports=()),
        Example(
            "args: ['python -c \"import prefect; prefect.environments.execution.load_and_run_flow()\"']\n",
            kind="yaml",
            reports=("PFU430",),
        ),
        Example(
            'CMD python -c "from prefect.environments.execution import load_and_run_flow; load_and_run_flow()"\n',
            kind="dockerfile",
            reports=("PFU430",),
        ),
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        for line, col, message in scan(text, kind):
            self.report(line, col, message, applied=False)
        return text


def _string_text(node: cst.BaseExpression) -> Optional[str]:
    """The text of a string literal (f-string: its literal parts), None for bytes."""
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        try:
            value = node.evaluated_value
        except Exception:  # pragma: no cover - an odd literal
            return node.value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        if "b" in node.prefix.lower():
            return None
        return "".join(part.value if isinstance(part, cst.FormattedStringText) else "{}" for part in node.parts)
    return None


def _moved_string_path(value: str) -> bool:
    """Whether PFU107 owns ``value``: the whole string is the path of a moved class."""
    from prefect_upgrade.codemods.pfu107_string_paths import _INDEX, _MODULE_ROWS, _PATH

    return bool(_PATH.fullmatch(value)) and value not in _MODULE_ROWS and _INDEX.lookup(value) is not None


@register
class EnvironmentCommandStrings(WalkedParents, PlainVisits, PythonCodemod):
    """``load_and_run_flow`` and other ``prefect.environments`` code inside Python strings.

    The strings PFU430 reports in config files, written in Python: a command run with
    ``subprocess``, the ``args`` of a Kubernetes job built as a dict, a ``python -c`` line kept
    in a constant. Each string literal (or f-string) that holds a ``prefect.environments`` path,
    or a ``load_and_run_flow(`` call next to ``prefect.environments``, gets a manual finding; it
    is never rewritten. Docstrings and other bare string statements are prose and stay
    unreported; a string whose whole value is a moved class path belongs to PFU107; imports in
    the code itself belong to PFU201. A call spelled ``prefect.environments.execution.
    load_and_run_flow()`` (after ``import prefect`` or ``import prefect.environments.execution``,
    an ``AttributeError`` in 1.0) is reported here too: PFU201 reports only the import.

    Before::

        subprocess.run(["python", "-c", "import prefect; prefect.environments.execution.load_and_run_flow()"])

    After (unchanged, reported)::

        run.py:1:33: PFU431 Prefect 1.0 has no `prefect.environments` and no `load_and_run_flow`
        (agents now run `prefect execute flow-run` themselves): remove this command ... [manual]
    """

    code = "PFU431"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ParentNodeProvider)
    summary = "load_and_run_flow / prefect.environments code inside Python strings (subprocess commands, job dicts) and dotted calls"
    fix_class = FixClass.MANUAL
    markers = MARKERS
    also_needs = ("prefect",)
    examples = (
        Example('"""Flows used to run with prefect.environments.execution.load_and_run_flow()."""\n', reports=()),
        Example('ARGS = ["prefect execute flow-run"]\n', reports=()),
        Example('STORAGE = "prefect.environments.storage.S3"\n', reports=()),  # PFU107's
        Example(
            'import subprocess\nsubprocess.run(["python", "-c", '
            '"import prefect; prefect.environments.execution.load_and_run_flow()"])\n',
            reports=("PFU431",),
        ),
        Example("import prefect\n\nprefect.environments.execution.load_and_run_flow()\n", reports=("PFU431",)),
        Example("import prefect\nfrom app import jobs\n\njobs.load_and_run_flow()\n", reports=()),
        Example(
            'JOB = {"args": ["python -c \'from prefect.environments.execution import load_and_run_flow; '
            "load_and_run_flow()'\"]}\n",
            reports=("PFU431",),
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        # ``prefect.environments.execution.load_and_run_flow()`` spelled as attributes: PFU201
        # reports the imports of prefect.environments, nobody the call (an AttributeError in 1.0)
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "load_and_run_flow"):
            return
        names = self.get_metadata(QualifiedNameProvider, func, set())
        if any(name.name.startswith("prefect.environments.") for name in names):
            self.report(node, RUN_FLOW_MESSAGE.replace("remove this command", "remove this call"), applied=False)

    def visit_Expr(self, node: cst.Expr) -> Optional[bool]:
        # docstrings and other bare string statements are prose
        return not isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> Optional[bool]:
        self._check(node)
        return True

    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        # ``prefect.environments.X`` reached through attributes (after ``import prefect``), other
        # than a call: an AttributeError in 1.0 that nothing else reports. (Calls of environment
        # classes are PFU205's, of ``load_and_run_flow`` ``visit_Call``'s; storage is PFU105's.)
        names = {name.name for name in self.get_metadata(QualifiedNameProvider, node, set())}
        paths = [n for n in names if n.startswith("prefect.environments.") and not _is_storage(n)]
        if not paths:
            return None
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Call) and parent.func is node:
            return False
        if isinstance(parent, (cst.Attribute, cst.Import, cst.ImportFrom, cst.ImportAlias)):
            return None  # the outer attribute is reported, or the import is PFU201's
        if any(path.endswith(".load_and_run_flow") for path in paths):
            message = RUN_FLOW_MESSAGE.replace("remove this command", "remove this use")
        else:
            message = _with_path(min(paths), "prefect.environments", ENVIRONMENTS_MESSAGE)
        self.report(node, message, applied=False)
        return False

    def _check(self, node: cst.BaseExpression) -> None:
        text = _string_text(node)
        if text is None or not any(marker in text for marker in MARKERS):
            return
        if _moved_string_path(text):
            return
        if _ENV_PATH.fullmatch(text.strip()):  # a class path, for importlib or a config
            path = text.strip()
            message = _storage_message(path) if _is_storage(path) else _with_path(path, "prefect.environments", ENVIRONMENTS_MESSAGE)
            self.report(node, message, applied=False)
            return
        messages = [message for _, _, message in scan(text)]
        if messages:
            # one finding per string; running a flow is what matters most
            self.report(node, RUN_FLOW_MESSAGE if RUN_FLOW_MESSAGE in messages else messages[0], applied=False)
