"""Shared conversion library for the PFU2xx codemods: Prefect 0.x environments → 1.0.

Not a codemod itself (its name does not start with ``pfu``). It knows

* which qualified names are environment classes (``ENV_CLASSES``, ``env_class_of``);
* how each environment constructor maps to a run config and an executor
  (``convert_environment``), argument by argument, following environments-to-runconfig.md §5;
* the legacy ``DaskExecutor`` argument conversion of §6 (``convert_dask_args``), used both for
  executors built from ``RemoteEnvironment``/``RemoteDaskEnvironment`` and by PFU210;
* a tiny expression renderer that lays generated calls out on one line when they fit and one
  argument per line otherwise, re-indenting the user's own (possibly multi-line) argument text.

Generated expressions are source text; the codemods parse them with libcst.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional, Sequence, Union

import libcst as cst

from prefect_upgrade.codemods._speed import module_code
from prefect_upgrade.findings import FixClass

WIDTH = 88

#: Every environment class name of prefect.environments (0.5–0.15).
ENV_CLASSES = frozenset(
    {
        "Environment",
        "LocalEnvironment",
        "RemoteEnvironment",
        "RemoteDaskEnvironment",
        "KubernetesJobEnvironment",
        "DaskKubernetesEnvironment",
        "FargateTaskEnvironment",
        "DaskCloudProviderEnvironment",
        "CloudEnvironment",
    }
)

DASK_EXECUTOR_QNAMES = frozenset(
    {
        "prefect.executors.DaskExecutor",
        "prefect.executors.dask.DaskExecutor",
        "prefect.engine.executors.DaskExecutor",
        "prefect.engine.executors.dask.DaskExecutor",
    }
)

FLOW_QNAMES = frozenset({"prefect.Flow", "prefect.core.Flow", "prefect.core.flow.Flow"})
DOCKER_QNAMES = frozenset(
    {
        "prefect.storage.Docker",
        "prefect.storage.docker.Docker",
        "prefect.environments.storage.Docker",
        "prefect.environments.storage.docker.Docker",
    }
)

#: DaskExecutor keyword arguments in 1.0.
DASK_EXECUTOR_PARAMS = (
    "address",
    "cluster_class",
    "cluster_kwargs",
    "adapt_kwargs",
    "client_kwargs",
    "debug",
    "performance_report_path",
    "disable_cancellation_event",
)
#: Keys 0.12–0.13 forwarded to ``distributed.Client`` (``_valid_client_kwargs``).
DASK_CLIENT_KEYS = frozenset(
    {"timeout", "set_as_default", "scheduler_file", "security", "name", "direct_to_workers", "heartbeat_interval"}
)

REVIEW = "TODO(prefect-1.0)"


def env_class_of(qname: str) -> Optional[str]:
    """``prefect.environments[.execution[.sub]].X`` → ``X`` when X is an environment class."""
    if not qname.startswith("prefect.environments.") or ".storage" in qname:
        return None
    name = qname.rsplit(".", 1)[1]
    return name if name in ENV_CLASSES else None


def is_environments_module(module: str) -> bool:
    """``prefect.environments`` and its execution sub-modules (not ``.storage``)."""
    return (module == "prefect.environments" or module.startswith("prefect.environments.")) and not (
        module.startswith("prefect.environments.storage")
    )


# --------------------------------------------------------------------------------------------
# Source values and rendering


@dataclass
class Raw:
    """Source text of an expression; continuation lines are relative to its line's indent."""

    text: str

    @property
    def multiline(self) -> bool:
        return "\n" in self.text


@dataclass
class CallX:
    func: str
    args: list  # list[tuple[Optional[str], Expr]]; name None = positional, "**" = splat


@dataclass
class DictX:
    entries: list  # list[tuple[str, Expr]] (key source, value); key "**" = splat


@dataclass
class ListX:
    items: list


Expr = Union[Raw, CallX, DictX, ListX]


def lit(value) -> Raw:
    return Raw(repr(value) if not isinstance(value, str) else _str_lit(value))


def _str_lit(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def key(name: str) -> str:
    return _str_lit(name)


def _shift(text: str, indent: int) -> str:
    if "\n" not in text or '"""' in text or "'''" in text:
        return text
    first, *rest = text.split("\n")
    return "\n".join([first] + [(" " * indent + line) if line.strip() else line for line in rest])


def render(expr: Expr, indent: int = 0, col: int = 0) -> str:
    """Render ``expr`` placed at column ``col`` of a line indented by ``indent``."""
    flat = _flat(expr)
    if flat is not None and col + len(flat) <= WIDTH:
        return flat
    if isinstance(expr, Raw):
        return _shift(expr.text, indent)
    inner = indent + 4
    pad = " " * inner
    if isinstance(expr, CallX):
        parts = []
        for name, value in expr.args:
            prefix = "" if name is None else ("**" if name == "**" else f"{name}=")
            parts.append(pad + prefix + render(value, inner, inner + len(prefix)) + ",")
        return expr.func + "(\n" + "\n".join(parts) + "\n" + " " * indent + ")"
    if isinstance(expr, DictX):
        parts = []
        for k, value in expr.entries:
            prefix = "**" if k == "**" else f"{k}: "
            parts.append(pad + prefix + render(value, inner, inner + len(prefix)) + ",")
        return "{\n" + "\n".join(parts) + "\n" + " " * indent + "}"
    parts = [pad + render(item, inner, inner) + "," for item in expr.items]
    return "[\n" + "\n".join(parts) + "\n" + " " * indent + "]"


def _flat(expr: Expr) -> Optional[str]:
    if isinstance(expr, Raw):
        return None if expr.multiline else expr.text
    if isinstance(expr, CallX):
        out = []
        for name, value in expr.args:
            text = _flat(value)
            if text is None:
                return None
            out.append(text if name is None else (f"**{text}" if name == "**" else f"{name}={text}"))
        return f"{expr.func}({', '.join(out)})"
    if isinstance(expr, DictX):
        out = []
        for k, value in expr.entries:
            text = _flat(value)
            if text is None:
                return None
            out.append(f"**{text}" if k == "**" else f"{k}: {text}")
        return "{" + ", ".join(out) + "}"
    out = []
    for item in expr.items:
        text = _flat(item)
        if text is None:
            return None
        out.append(text)
    return "[" + ", ".join(out) + "]"


def one_line(text: str) -> str:
    """Original source squeezed on one line, for comments and messages."""
    return re.sub(r"\s*\n\s*", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Reading the user's arguments


@dataclass
class Value:
    """One argument value of the original call."""

    node: cst.BaseExpression
    raw: Raw  # re-indentable source

    @property
    def code(self) -> str:
        return self.raw.text

    def literal(self):
        """The Python value of a literal (strings, numbers, bools, None, containers), else raises."""
        return ast.literal_eval(one_line(self.code) if not self.raw.multiline else self.code.strip())

    def is_literal(self) -> bool:
        try:
            self.literal()
        except Exception:
            return False
        return True

    def is_empty_or_none(self) -> bool:
        try:
            value = self.literal()
        except Exception:
            return False
        return value is None or (isinstance(value, (list, tuple, set, dict, str)) and not value)

    def dict_entries(self) -> Optional[list[tuple[str, "Value"]]]:
        """Entries of a dict literal with string keys (values arbitrary), else None."""
        return None  # filled by the reader (needs the source of each value)


class ArgReader:
    """Turns nodes of the original tree into re-indentable ``Raw`` source.

    libcst keeps the continuation lines of a bracketed expression relative to the indentation of
    the block that holds the statement; ``block_indent(node)`` gives that indentation, so that
    ``Raw`` text ends up relative to the indentation of the line the value starts on.
    """

    def __init__(self, module: cst.Module, positions, block_indent=None) -> None:
        self.module = module
        self.positions = positions  # callable: node -> CodeRange
        self.block_indent = block_indent or (lambda node: 0)

    @cached_property
    def lines(self) -> list:
        # rendered on first use only (a whole-tree pass)
        return module_code(self.module).split("\n")

    def raw(self, node: cst.CSTNode) -> Raw:
        text = self.module.code_for_node(node)
        if "\n" not in text:
            return Raw(text)
        try:
            start = self.positions(node).start
            line = self.lines[start.line - 1]
            indent = len(line) - len(line.lstrip(" ")) - self.block_indent(node)
        except Exception:  # pragma: no cover - position unknown
            indent = 0
        if '"""' in text or "'''" in text or indent <= 0:
            return Raw(text)
        first, *rest = text.split("\n")
        out = [first]
        for item in rest:
            lead = len(item) - len(item.lstrip(" "))
            out.append(item[min(lead, indent):])
        return Raw("\n".join(out))

    def value(self, node: cst.BaseExpression) -> Value:
        return Value(node, self.raw(node))

    def dict_entries(self, value: Value) -> Optional[list[tuple[str, Value]]]:
        """Entries of a dict literal with string keys, or of ``dict(key=value, ...)`` where
        ``dict`` is the builtin; else None."""
        node = value.node
        if isinstance(node, cst.Call) and self._builtin_dict_call(node):
            return [(arg.keyword.value, self.value(arg.value)) for arg in node.args]
        if not isinstance(node, cst.Dict):
            return None
        out = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            out.append((element.key.evaluated_value, self.value(element.value)))
        return out

    _BINDS_DICT = re.compile(r"\bdict\s*(?::[^=\n]*)?=[^=]|\b(?:def|class)\s+dict\b|\bas\s+dict\b|\bimport\s+(?:[^\n]*,\s*)?dict\b")

    def _builtin_dict_call(self, node: cst.Call) -> bool:
        """``dict(a=..., b=...)``: keywords only, and no ``dict`` of the module's own."""
        return (
            isinstance(node.func, cst.Name)
            and node.func.value == "dict"
            and all(arg.keyword is not None and not arg.star for arg in node.args)
            and not self._BINDS_DICT.search(module_code(self.module))
        )

    def list_items(self, value: Value) -> Optional[list[Value]]:
        node = value.node
        if not isinstance(node, (cst.List, cst.Tuple)):
            return None
        out = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return None
            out.append(self.value(element.value))
        return out


@dataclass
class Args:
    """The arguments of an environment call, by parameter name."""

    named: dict  # str -> Value, in call order
    splat: list  # list[Value] of ** arguments
    star: list  # list[Value] of * arguments
    extra_positional: list  # positional args beyond the known ones


#: Positional parameters we map (only where the position is the same in every 0.x version).
POSITIONAL = {
    "Environment": ("labels", "on_start", "on_exit", "metadata"),
    "RemoteEnvironment": ("executor", "executor_kwargs"),
    "RemoteDaskEnvironment": ("address", "security", "executor_kwargs"),
    "KubernetesJobEnvironment": ("job_spec_file",),
    "DaskKubernetesEnvironment": ("min_workers", "max_workers"),
    "FargateTaskEnvironment": ("launch_type",),
    "DaskCloudProviderEnvironment": ("provider_class",),
}


def read_args(call: cst.Call, cls: str, reader: ArgReader) -> Args:
    named: dict = {}
    splat, star, extra = [], [], []
    positions = POSITIONAL.get(cls, ())
    index = 0
    for arg in call.args:
        if arg.star == "**":
            splat.append(reader.value(arg.value))
        elif arg.star == "*":
            star.append(reader.value(arg.value))
        elif arg.keyword is not None:
            named[arg.keyword.value] = reader.value(arg.value)
        else:
            if index < len(positions):
                named[positions[index]] = reader.value(arg.value)
            else:
                extra.append(reader.value(arg.value))
            index += 1
    return Args(named, splat, star, extra)


# --------------------------------------------------------------------------------------------
# The result of converting one environment


@dataclass
class Note:
    code: str
    fix_class: FixClass
    message: str


@dataclass
class Conversion:
    cls: str
    run_config: Optional[Expr] = None
    executor: Optional[Expr] = None
    #: Comment lines (without "# ") to put above the sink.
    comments: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # list[Note]
    #: ("module", "name") for ``from module import name``; ("module", None) for ``import module``.
    imports: list = field(default_factory=list)
    #: Statements (source, relative indentation 0) to insert before the sink statement.
    pre_statements: list = field(default_factory=list)
    #: The environment carried an effective executor (explicit, or the implicit Dask one).
    has_executor: bool = False
    #: Source of metadata["image"], when given.
    image: Optional[str] = None
    #: False: cannot be converted (manual); ``reason`` says why.
    ok: bool = True
    reason: str = ""
    #: Names the generated pre-statements define (helpers), to avoid clashes.
    defines: list = field(default_factory=list)

    def todo(self, code: str, text: str, message: str) -> None:
        """A comment at the spot carrying ``text`` and a manual finding."""
        self.comments.append(f"{REVIEW}: {text}")
        self.notes.append(Note(code, FixClass.MANUAL, message))


class Namer:
    """Fresh identifiers that do not clash with names already used in the module."""

    def __init__(self, taken: set) -> None:
        self.taken = set(taken)

    def fresh(self, base: str) -> str:
        name, n = base, 1
        while self._taken(name):
            n += 1
            name = f"{base}_{n}"
        self._give(name)
        return name

    def _taken(self, name: str) -> bool:
        return name in self.taken

    def _give(self, name: str) -> None:
        self.taken.add(name)


class ScopedNamer(Namer):
    """Fresh identifiers for statements added to one scope: ``place(scope, readers)`` (libcst
    scopes; ``scope`` None for "anywhere") before asking.

    ``base`` itself is taken there only when it is really in use:

    * a binding of it is visible from the scope (the scope itself, the functions around it, the
      module, the builtins), or the scope reads it;
    * a scope inside it reads it without binding it (that read would find the new variable);
    * a scope inside it that binds it holds one of ``readers`` (the scopes where the added code
      reads the new name: there it would find that binding instead);
    * this namer already gave it to the scope, to one around it or to one inside it.

    A name met only as an attribute (``flow.executor``), as a keyword (``executor=``) or as a
    local of a function that reads none of the added code does not take it: the new variable is
    ``executor``, not ``executor_2``.
    """

    def __init__(self, scopes) -> None:
        super().__init__(set())
        self._all_scopes = scopes  # callable: every scope of the module (asked once, when needed)
        self._scopes: Optional[list] = None
        self.scope = None
        self.readers: tuple = ()
        self._given: dict = {}  # scope -> the names given there

    def place(self, scope, readers=()) -> None:
        self.scope = scope
        self.readers = tuple(r for r in readers if r is not None)

    def _taken(self, name: str) -> bool:
        here = self.scope
        if self._scopes is None:
            self._scopes = list(self._all_scopes())
        if here is None:
            return any(
                name in scope.assignments or name in scope.accesses for scope in self._scopes
            ) or any(name in names for names in self._given.values())
        if name in here or name in here.accesses:
            return True
        for scope in self._scopes:
            if scope is here or not _encloses(here, scope):
                continue
            binds = name in scope.assignments
            if not binds and name in scope.accesses:
                return True
            if binds and any(r is scope or _encloses(scope, r) for r in self.readers):
                return True
        return any(
            name in names and (scope is here or _encloses(scope, here) or _encloses(here, scope))
            for scope, names in self._given.items()
        )

    def _give(self, name: str) -> None:
        self._given.setdefault(self.scope, set()).add(name)


def _encloses(outer, inner) -> bool:
    """Whether the libcst scope ``outer`` is around ``inner`` (the builtins are around all)."""
    current = inner
    while current.parent is not current:
        current = current.parent
        if current is outer:
            return True
    return False


# Codes (kept here so that every module uses the same numbers).
PFU_FLOW_KWARG = "PFU201"
PFU_ATTR = "PFU202"
PFU_DEAD = "PFU203"
PFU_NO_EQUIV = "PFU204"
PFU_NOT_AT_SINK = "PFU205"
PFU_READ = "PFU206"
PFU_REREGISTER = "PFU207"
PFU_BEHAVIOUR = "PFU208"
PFU_DASK_ARGS = "PFU210"

CODE_SUMMARIES = {
    PFU_FLOW_KWARG: "Flow(environment=...) becomes run_config= and executor=",
    PFU_ATTR: "<flow>.environment = ... becomes <flow>.run_config / <flow>.executor",
    PFU_DEAD: "environment together with run_config: the environment was never used and is dropped",
    PFU_NO_EQUIV: "(manual) environment argument without a Prefect 1.0 equivalent (on_start, metadata, credentials, ...)",
    PFU_NOT_AT_SINK: "(manual) environment built, stored or subclassed where it cannot be converted (helper, property, subclass)",
    PFU_READ: "reads of flow.environment (removed in Prefect 1.0): .executor rewritten, others manual",
    PFU_REREGISTER: "(manual) converted flow must be re-registered under Prefect 1.0",
    PFU_BEHAVIOUR: "(mostly manual) behaviour that changes with the conversion (executor or image precedence, job templates)",
}


# --------------------------------------------------------------------------------------------
# Executors


def executor_class_from_path(path: str) -> Optional[tuple[str, str]]:
    """``"prefect.engine.executors.DaskExecutor"`` → ("prefect.executors", "DaskExecutor")."""
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", path):
        return None
    module, name = path.rsplit(".", 1)
    if module in ("prefect.engine.executors", "prefect.executors") or module.startswith(
        ("prefect.engine.executors.", "prefect.executors.")
    ):
        return "prefect.executors", name
    return module, name


def convert_dask_args(
    args: Sequence[tuple[Optional[str], Expr]], conv: Optional[Conversion] = None
) -> tuple[list[tuple[Optional[str], Expr]], list[str]]:
    """Legacy ``DaskExecutor`` arguments (§6) → 1.0 arguments.

    ``args``: (keyword or None for positional or "**" for a splat, value). Returns the new
    argument list and a list of human-readable changes (empty: nothing changed).
    """
    changes: list[str] = []
    positional = [value for name, value in args if name is None]
    named = [(name, value) for name, value in args if name is not None]
    address: Optional[Expr] = positional[0] if positional else None
    for name, value in named:
        if name == "address":
            address = value
    out: list[tuple[Optional[str], Expr]] = []
    cluster_extra: list[tuple[str, Expr]] = []
    client_extra: list[tuple[str, Expr]] = []
    drop_address = isinstance(address, Raw) and _is_local_literal(address.text)
    if drop_address:
        changes.append('address="local" dropped (an empty address starts a local cluster)')
    has_address = address is not None and not drop_address
    for index, value in enumerate(positional):
        if index == 0 and drop_address:
            continue
        out.append((None, value))
    for name, value in named:
        if name == "address":
            if not drop_address:
                out.append((name, value))
        elif name == "local_processes":
            cluster_extra.append(("processes", value))
            changes.append('local_processes= → cluster_kwargs["processes"]')
        elif name == "**" or name in DASK_EXECUTOR_PARAMS:
            out.append((name, value))
        elif has_address or name in DASK_CLIENT_KEYS:
            client_extra.append((name, value))
            changes.append(f'{name}= → client_kwargs["{name}"]')
        else:
            cluster_extra.append((name, value))
            changes.append(f'{name}= → cluster_kwargs["{name}"]')
    for target, extra in (("cluster_kwargs", cluster_extra), ("client_kwargs", client_extra)):
        if not extra:
            continue
        entries = [(key(k), v) for k, v in extra]
        for index, (name, value) in enumerate(out):
            if name == target:
                out[index] = (name, _merge_dict(value, entries))
                break
        else:
            out.append((target, DictX(entries)))
    return out, changes


def _is_local_literal(text: str) -> bool:
    try:
        return ast.literal_eval(text) == "local"
    except Exception:
        return False


def _merge_dict(value: Expr, entries: list) -> Expr:
    if isinstance(value, DictX):
        return DictX(list(value.entries) + entries)
    if isinstance(value, Raw):
        try:
            node = cst.parse_expression(value.text)
        except Exception:
            node = None
        if isinstance(node, cst.Dict) and all(
            isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) for e in node.elements
        ):
            existing = [
                (cst.Module([]).code_for_node(e.key), Raw(cst.Module([]).code_for_node(e.value)))
                for e in node.elements
            ]
            return DictX(existing + entries)
    return DictX([("**", value)] + entries)


# --------------------------------------------------------------------------------------------
# The per-class mapping


def convert_environment(
    cls: str, args: Args, reader: ArgReader, namer: Namer, *, provider_qname: Optional[str] = None
) -> Conversion:
    conv = Conversion(cls)
    if args.star or args.extra_positional:
        conv.ok = False
        conv.reason = "positional arguments whose meaning differs between Prefect versions"
        return conv
    if args.splat:
        conv.ok = False
        conv.reason = "a **kwargs argument that cannot be mapped statically"
        return conv
    if cls == "CloudEnvironment":
        cls = "DaskKubernetesEnvironment"  # renamed in 0.6.2 (§5.9)
    handler = {
        "Environment": _agnostic,
        "LocalEnvironment": _agnostic,
        "RemoteEnvironment": _remote,
        "RemoteDaskEnvironment": _remote_dask,
        "KubernetesJobEnvironment": _k8s_job,
        "DaskKubernetesEnvironment": _dask_k8s,
        "FargateTaskEnvironment": _fargate,
        "DaskCloudProviderEnvironment": _dask_cloud,
    }[cls]
    named = dict(args.named)
    _common(conv, named, reader)
    handler(conv, named, reader, namer, provider_qname)
    if conv.ok and named:
        # every handler pops what it knows; anything left is unknown to us
        for name, value in named.items():
            conv.todo(
                PFU_NO_EQUIV,
                f"{name}={one_line(value.code)} dropped: {cls} argument with no Prefect 1.0 equivalent",
                f"{cls}({name}=...) has no Prefect 1.0 equivalent and was dropped; configure it another way",
            )
    return conv


def _labels(named: dict) -> Optional[Value]:
    labels = named.pop("labels", None)
    if labels is None or labels.is_empty_or_none():
        return None
    return labels


def _common(conv: Conversion, named: dict, reader: ArgReader) -> None:
    for hook in ("on_start", "on_exit"):
        value = named.pop(hook, None)
        if value is None or value.is_empty_or_none():
            continue
        conv.todo(
            PFU_NO_EQUIV,
            f"{hook}={one_line(value.code)} has no equivalent in Prefect 1.0 (consider a flow "
            f"state handler); it is no longer called.",
            f"{hook}={one_line(value.code)} is no longer called: move it into a flow state handler",
        )
    metadata = named.pop("metadata", None)
    if metadata is None or metadata.is_empty_or_none():
        return
    entries = reader.dict_entries(metadata)
    if entries is None:
        conv.todo(
            PFU_NO_EQUIV,
            f"metadata={one_line(metadata.code)} dropped: only metadata['image'] has a 1.0 equivalent "
            f"(the run config's image=)",
            "environment metadata was dropped: set image= on the run config if it held an image",
        )
        return
    others = []
    for name, value in entries:
        if name == "image":
            conv.image = value.code
        else:
            others.append(f"{key(name)}: {one_line(value.code)}")
    if others:
        conv.todo(
            PFU_NO_EQUIV,
            "metadata {" + ", ".join(others) + "} dropped: metadata keys other than 'image' have "
            "no Prefect 1.0 equivalent",
            "environment metadata keys other than 'image' were dropped: keep that information elsewhere",
        )


def _labels_kw(labels: Optional[Value]) -> list:
    return [("labels", labels.raw)] if labels is not None else []


def _universal(conv: Conversion, labels: Optional[Value]) -> None:
    """Agent-agnostic run config: UniversalRun(labels) and, for an image, a TODO (§5.1)."""
    if labels is not None:
        conv.run_config = CallX("UniversalRun", _labels_kw(labels))
        conv.imports.append(("prefect.run_configs", "UniversalRun"))
    if conv.image is not None:
        conv.todo(
            PFU_NO_EQUIV,
            f"metadata image {one_line(conv.image)} needs an agent-specific run config: "
            f"KubernetesRun(image=...), DockerRun(image=...) or ECSRun(image=...)",
            f"the environment's image {one_line(conv.image)} needs an agent-specific run config "
            "(KubernetesRun/DockerRun/ECSRun(image=...)): choose the one for your agent",
        )


def _agnostic(conv: Conversion, named: dict, reader, namer, provider_qname) -> None:
    executor = named.pop("executor", None)
    labels = _labels(named)
    if executor is not None and not executor.is_empty_or_none():
        conv.executor = executor.raw
        conv.has_executor = True
    _universal(conv, labels)


def _remote(conv: Conversion, named: dict, reader: ArgReader, namer, provider_qname) -> None:
    executor = named.pop("executor", None)
    kwargs = named.pop("executor_kwargs", None)
    labels = _labels(named)
    _universal(conv, labels)
    if executor is None or executor.is_empty_or_none():
        if kwargs is not None and not kwargs.is_empty_or_none():
            conv.todo(
                PFU_NO_EQUIV,
                f"executor_kwargs={one_line(kwargs.code)} dropped: they applied to the build-time "
                "default executor class",
                "RemoteEnvironment(executor_kwargs=...) without executor=: set flow.executor by hand",
            )
        return
    try:
        path = executor.literal()
    except Exception:
        path = None
    target = executor_class_from_path(path) if isinstance(path, str) else None
    if target is None:
        conv.ok = False
        conv.reason = f"executor={one_line(executor.code)} is not a literal executor class path"
        return
    module, name = target
    conv.imports.append((module, name))
    call_args: list = []
    if name == "SynchronousExecutor":  # removed in 0.12.1; its own warning prescribes this
        name = "LocalDaskExecutor"
        conv.imports[-1] = ("prefect.executors", name)
        call_args.append(("scheduler", lit("synchronous")))
    if kwargs is not None and not kwargs.is_empty_or_none():
        entries = reader.dict_entries(kwargs)
        if entries is None:
            call_args.append(("**", kwargs.raw))
        else:
            call_args.extend((k, v.raw) for k, v in entries)
    if name == "DaskExecutor":
        call_args, _ = convert_dask_args(call_args)
    conv.executor = CallX(name, call_args)
    conv.has_executor = True


def _remote_dask(conv: Conversion, named: dict, reader: ArgReader, namer, provider_qname) -> None:
    address = named.pop("address", None)
    security = named.pop("security", None)
    kwargs = named.pop("executor_kwargs", None)
    labels = _labels(named)
    _universal(conv, labels)
    call_args: list = []
    if kwargs is not None and not kwargs.is_empty_or_none():
        entries = reader.dict_entries(kwargs)
        if entries is None:
            call_args.append(("**", kwargs.raw))
        else:
            call_args.extend((k, v.raw) for k, v in entries)
    if address is not None:
        call_args = [("address", address.raw)] + [a for a in call_args if a[0] != "address"]
    if security is not None and not security.is_empty_or_none():
        call_args.append(("security", security.raw))
    call_args, _ = convert_dask_args(call_args)
    conv.imports.append(("prefect.executors", "DaskExecutor"))
    conv.executor = CallX("DaskExecutor", call_args)
    conv.has_executor = True


def _job_template_note(conv: Conversion, path: Value, what: str) -> None:
    conv.notes.append(
        Note(
            PFU_BEHAVIOUR,
            FixClass.MANUAL,
            f"{what} {one_line(path.code)} is now a KubernetesRun job template: remove any `command:` "
            "of its first container (1.0 only sets args) and check that env vars needed by other "
            "containers are set there (1.0 injects them into the first container only)",
        )
    )


def _k8s_job(conv: Conversion, named: dict, reader: ArgReader, namer, provider_qname) -> None:
    job_spec = named.pop("job_spec_file", None)
    unique = named.pop("unique_job_name", None)
    executor = named.pop("executor", None)
    kwargs = named.pop("executor_kwargs", None)
    labels = _labels(named)
    rc_args: list = []
    if job_spec is not None and not job_spec.is_empty_or_none():
        rc_args.append(("job_template_path", job_spec.raw))
        _job_template_note(conv, job_spec, "job_spec_file")
    if conv.image is not None:
        rc_args.append(("image", Raw(conv.image)))
    rc_args += _labels_kw(labels)
    conv.run_config = CallX("KubernetesRun", rc_args)
    conv.imports.append(("prefect.run_configs", "KubernetesRun"))
    if unique is not None and not (unique.is_literal() and not unique.literal()):
        conv.comments.append(
            f"unique_job_name={one_line(unique.code)} dropped: the 1.0 Kubernetes agent always "
            "names jobs prefect-job-<id>"
        )
    if executor is not None and not executor.is_empty_or_none():
        conv.executor = executor.raw
        conv.has_executor = True
    _executor_kwargs_todo(conv, kwargs)


def _executor_kwargs_todo(conv: Conversion, kwargs: Optional[Value]) -> None:
    if kwargs is None or kwargs.is_empty_or_none():
        return
    conv.todo(
        PFU_NO_EQUIV,
        f"executor_kwargs={one_line(kwargs.code)} dropped: they configured the build-time default "
        "executor class; set flow.executor = <Executor>(...) instead",
        f"{conv.cls}(executor_kwargs=...) was dropped: set flow.executor to the executor they configured",
    )


def _split_secrets(value: Value) -> Optional[tuple[Expr, Expr]]:
    """image_pull_secret "a,b" → (["a", "b"], [{"name": "a"}, {"name": "b"}])."""
    try:
        text = value.literal()
    except Exception:
        text = None
    if isinstance(text, str):
        names = [s.strip() for s in text.split(",") if s.strip()]
        return (
            ListX([lit(n) for n in names]),
            ListX([DictX([(key("name"), lit(n))]) for n in names]),
        )
    return (
        Raw(f"{value.code}.split(\",\")"),
        Raw(f'[{{"name": s}} for s in {value.code}.split(",")]'),
    )


def _dask_k8s(conv: Conversion, named: dict, reader: ArgReader, namer: Namer, provider_qname) -> None:
    min_workers = named.pop("min_workers", None)
    max_workers = named.pop("max_workers", None)
    work_stealing = named.pop("work_stealing", None)
    scheduler_spec = named.pop("scheduler_spec_file", None)
    worker_spec = named.pop("worker_spec_file", None)
    pull_secret = named.pop("image_pull_secret", None)
    labels = _labels(named)
    for flag, text in (
        ("scheduler_logs", 'added "distributed.scheduler" to PREFECT__LOGGING__EXTRA_LOGGERS'),
        ("log_k8s_errors", 'added "kubernetes" to PREFECT__LOGGING__EXTRA_LOGGERS'),
        ("private_registry", "created a docker-registry secret from a Prefect Secret"),
        ("docker_secret", "named the Prefect Secret used for the private registry"),
    ):
        value = named.pop(flag, None)
        if value is None or (value.is_literal() and not value.literal()):
            continue
        hint = (
            "set that env var with KubernetesRun(env=...) if needed"
            if "LOGGERS" in text
            else "create the image pull secret in Kubernetes and pass image_pull_secrets= to KubernetesRun"
        )
        conv.todo(
            PFU_NO_EQUIV,
            f"{flag}={one_line(value.code)} has no direct equivalent (it {text}); {hint}.",
            f"DaskKubernetesEnvironment({flag}=...) has no Prefect 1.0 equivalent: {hint}",
        )
    stealing_off = False
    if work_stealing is not None:
        try:
            stealing_off = not work_stealing.literal()
        except Exception:
            conv.todo(
                PFU_NO_EQUIV,
                f"work_stealing={one_line(work_stealing.code)} not converted: if it is False, set "
                'KubernetesRun(env={"DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "False"}) and '
                'KubeCluster(..., deploy_mode="local")',
                "DaskKubernetesEnvironment(work_stealing=<expression>) was not converted: see the comment",
            )
    # run config
    rc_args: list = []
    if scheduler_spec is not None and not scheduler_spec.is_empty_or_none():
        rc_args.append(("job_template_path", scheduler_spec.raw))
        _job_template_note(conv, scheduler_spec, "scheduler_spec_file")
    if conv.image is not None:
        rc_args.append(("image", Raw(conv.image)))
    rc_args += _labels_kw(labels)
    secrets = None
    if pull_secret is not None and not pull_secret.is_empty_or_none():
        secrets = _split_secrets(pull_secret)
        rc_args.append(("image_pull_secrets", secrets[0]))
    if stealing_off:
        rc_args.append(("env", DictX([(key("DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING"), lit("False"))])))
        conv.comments.append(
            'work_stealing=False: the Dask scheduler runs in the flow-run pod (deploy_mode="local"), '
            "so the setting goes into the run config's env"
        )
    conv.run_config = CallX("KubernetesRun", rc_args)
    conv.imports.append(("prefect.run_configs", "KubernetesRun"))
    # executor
    conv.imports.append(("prefect", None))
    conv.imports.append(("prefect.executors", "DaskExecutor"))
    cluster_extra = ', deploy_mode="local"' if stealing_off else ""
    if worker_spec is not None and not worker_spec.is_empty_or_none():
        conv.imports += [("copy", None), ("yaml", None), ("dask_kubernetes", "KubeCluster")]
        spec_name = namer.fresh("worker_spec")
        stream = namer.fresh("spec_file")
        factory = namer.fresh("make_cluster")
        conv.defines += [spec_name, stream, factory]
        secrets_line = ""
        if secrets is not None:
            secrets_line = f'    pod["spec"]["imagePullSecrets"] = {render(secrets[1], 4, 37)}\n'
        conv.pre_statements.append(
            f"# 0.x read the worker spec once, when the flow was built\n"
            f"with open({worker_spec.code}) as {stream}:\n"
            f"    {spec_name} = yaml.safe_load({stream})\n"
        )
        conv.pre_statements.append(
            f"def {factory}():\n"
            f"    pod = copy.deepcopy({spec_name})\n"
            f"    # 0.x replaced the worker image with the flow-run image\n"
            f'    pod["spec"]["containers"][0]["image"] = prefect.context.image\n'
            f"{secrets_line}"
            f"    return KubeCluster.from_dict(pod{cluster_extra})\n"
        )
        cluster_class: Expr = Raw(factory)
    else:
        conv.imports += [("dask_kubernetes", "KubeCluster"), ("dask_kubernetes", "make_pod_spec")]
        pod_args: list = [("image", Raw("prefect.context.image"))]
        if secrets is not None:
            pod_args.append(("extra_pod_config", DictX([(key("imagePullSecrets"), secrets[1])])))
        cluster_args: list = [(None, CallX("make_pod_spec", pod_args))]
        if stealing_off:
            cluster_args.append(("deploy_mode", lit("local")))
        cluster_class = CallX("lambda: KubeCluster", cluster_args)
    minimum = min_workers.raw if min_workers is not None else lit(1)
    maximum = max_workers.raw if max_workers is not None else lit(2)
    conv.executor = CallX(
        "DaskExecutor",
        [
            ("cluster_class", cluster_class),
            ("adapt_kwargs", DictX([(key("minimum"), minimum), (key("maximum"), maximum)])),
        ],
    )
    conv.has_executor = True
    conv.comments.append(
        "Dask workers use the flow-run image (prefect.context.image) and always adapt, "
        "as DaskKubernetesEnvironment did"
    )


_FARGATE_DEFINITION_KEYS = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
)
_FARGATE_RUN_KEYS = (
    "cluster",
    "taskDefinition",
    "count",
    "startedBy",
    "group",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "networkConfiguration",
    "tags",
    "enableECSManagedTags",
    "propagateTags",
)
_FARGATE_SECRETS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def _fargate(conv: Conversion, named: dict, reader: ArgReader, namer, provider_qname) -> None:
    launch_type = named.pop("launch_type", None)
    executor = named.pop("executor", None)
    kwargs = named.pop("executor_kwargs", None)
    labels = _labels(named)
    for secret in _FARGATE_SECRETS:
        if named.pop(secret, None) is not None:
            # never copy the value anywhere
            conv.todo(
                PFU_NO_EQUIV,
                f"{secret}=... removed: AWS credentials belong to the ECS agent (its "
                "arguments or the usual AWS credential chain), not to the flow",
                f"FargateTaskEnvironment({secret}=...) was removed: give the ECS agent these AWS "
                "credentials (and rotate them if they were committed)",
            )
    region = named.pop("region_name", None)
    if region is not None:
        conv.todo(
            PFU_NO_EQUIV,
            f"region_name={one_line(region.code)} removed: configure the region on the ECS agent "
            "(AWS_DEFAULT_REGION or its region_name)",
            "FargateTaskEnvironment(region_name=...) was removed: configure the region on the ECS agent",
        )
    definition: list = []
    run: list = []
    dropped: list = []
    role_args: list = []
    cpu_mem: list = []
    for name in list(named):
        value = named[name]
        in_def = name in _FARGATE_DEFINITION_KEYS
        in_run = name in _FARGATE_RUN_KEYS
        if not (in_def or in_run):
            continue
        named.pop(name)
        if name in ("family", "taskDefinition"):
            dropped.append(f"{name}={one_line(value.code)}")
            continue
        if name == "taskRoleArn":
            role_args.append(("task_role_arn", value.raw))
            continue
        if name == "executionRoleArn":
            role_args.append(("execution_role_arn", value.raw))
            continue
        if name in ("cpu", "memory"):
            cpu_mem.append((name, value))
            continue
        if name == "containerDefinitions":
            containers = _containers(conv, value, reader)
            if containers is not None:
                definition.append((key(name), containers))
            continue
        if in_def:
            definition.append((key(name), value.raw))
        if in_run:
            run.append((key(name), value.raw))
    if dropped:
        conv.comments.append(
            ", ".join(dropped) + " dropped: the ECS agent registers a task definition per flow version"
        )
    # anything else was silently ignored by 0.x
    for name in [n for n in named if n not in ("executor",)]:
        value = named.pop(name)
        conv.comments.append(
            f"{name}={one_line(value.code)} dropped: FargateTaskEnvironment ignored unknown arguments"
        )
        conv.notes.append(
            Note(
                PFU_NO_EQUIV,
                FixClass.MANUAL,
                f"FargateTaskEnvironment({name}=...) was silently ignored by Prefect 0.x and was "
                "dropped: check whether it was meant to configure the task",
            )
        )
    if launch_type is not None:
        try:
            launch = launch_type.literal()
        except Exception:
            launch = None
        if launch is None or launch != "FARGATE" or launch_type is not None:
            run.append((key("launchType"), launch_type.raw))
        if launch != "FARGATE":
            if not any(k == key("requiresCompatibilities") for k, _ in definition):
                if launch is None:
                    conv.todo(
                        PFU_BEHAVIOUR,
                        f"launch_type={one_line(launch_type.code)}: for EC2 also set "
                        'task_definition["requiresCompatibilities"] = ["EC2"]',
                        "FargateTaskEnvironment(launch_type=<expression>): add requiresCompatibilities to the task definition if it is EC2",
                    )
                else:
                    definition.append((key("requiresCompatibilities"), ListX([launch_type.raw])))
    rc_args: list = []
    if definition:
        definition += [(key(k), v.raw) for k, v in cpu_mem]
        rc_args.append(("task_definition", DictX(definition)))
    else:
        rc_args += [(k, v.raw) for k, v in cpu_mem]
    if conv.image is not None:
        rc_args.append(("image", Raw(conv.image)))
    rc_args += role_args
    if run:
        rc_args.append(("run_task_kwargs", DictX(run)))
    rc_args = _labels_kw(labels) + rc_args
    conv.run_config = CallX("ECSRun", rc_args)
    conv.imports.append(("prefect.run_configs", "ECSRun"))
    conv.notes.append(
        Note(
            PFU_BEHAVIOUR,
            FixClass.MANUAL,
            "FargateTaskEnvironment became ECSRun: run this flow with an ECS agent (the Fargate agent "
            "was removed in Prefect 1.0)",
        )
    )
    if executor is not None and not executor.is_empty_or_none():
        conv.executor = executor.raw
        conv.has_executor = True
    _executor_kwargs_todo(conv, kwargs)


def _containers(conv: Conversion, value: Value, reader: ArgReader) -> Optional[Expr]:
    """containerDefinitions: first container renamed "flow", overwritten keys dropped (§5.7)."""
    items = reader.list_items(value)
    if items is None or not items:
        conv.todo(
            PFU_BEHAVIOUR,
            "containerDefinitions kept as written: ECSRun runs the flow in the container named "
            '"flow"; rename the first container',
            'rename the first container of the ECS task definition to "flow" (ECSRun runs the flow there)',
        )
        return value.raw
    first = reader.dict_entries(items[0])
    if first is None:
        conv.todo(
            PFU_BEHAVIOUR,
            'first container definition kept as written: rename it to "flow" (ECSRun runs the flow there)',
            'rename the first container of the ECS task definition to "flow" (ECSRun runs the flow there)',
        )
        return value.raw
    entries: list = [(key("name"), lit("flow"))]
    dropped = []
    for name, item in first:
        if name == "name":
            continue
        if name in ("image", "command"):
            dropped.append(name)
            continue
        if name == "environment" and item.is_empty_or_none():
            continue
        entries.append((key(name), item.raw))
    if dropped:
        conv.comments.append(
            "first container: " + ", ".join(dropped) + " dropped (0.x overwrote them; the agent sets them)"
        )
    if len(entries) == 1 and len(items) == 1:
        return None
    return ListX([DictX(entries)] + [item.raw for item in items[1:]])


def _dask_cloud(conv: Conversion, named: dict, reader: ArgReader, namer: Namer, provider_qname) -> None:
    provider = named.pop("provider_class", None)
    min_w = named.pop("adaptive_min_workers", None)
    max_w = named.pop("adaptive_max_workers", None)
    security = named.pop("security", None)
    kwargs = named.pop("executor_kwargs", None)
    on_execute = named.pop("on_execute", None)
    labels = _labels(named)
    _universal(conv, labels)
    if provider is None:
        conv.ok = False
        conv.reason = "DaskCloudProviderEnvironment without provider_class"
        return
    if provider_qname in ("dask_cloudprovider.FargateCluster", "dask_cloudprovider.ECSCluster"):
        conv.notes.append(
            Note(
                PFU_BEHAVIOUR,
                FixClass.MANUAL,
                f"import {provider_qname.rsplit('.', 1)[1]} from dask_cloudprovider.aws: current "
                "dask-cloudprovider no longer exports it at the top level",
            )
        )
    cluster: list = [(key(k), v.raw) for k, v in named.items()]
    has_image = "image" in named
    named.clear()
    if not any(k == key("skip_cleanup") for k, _ in cluster):
        cluster.append((key("skip_cleanup"), Raw("True")))
    client: list = []
    if security is not None and not security.is_empty_or_none():
        cluster.append((key("security"), security.raw))
        client.append((key("security"), security.raw))
    ex_args: list = []
    if kwargs is not None and not kwargs.is_empty_or_none():
        entries = reader.dict_entries(kwargs)
        if entries is None:
            conv.todo(
                PFU_NO_EQUIV,
                f"executor_kwargs={one_line(kwargs.code)} not merged: pass its entries (except "
                "address) to DaskExecutor by hand",
                "DaskCloudProviderEnvironment(executor_kwargs=<expression>): merge it into the DaskExecutor by hand",
            )
        else:
            for name, value in entries:
                if name == "address":
                    conv.comments.append(
                        f"executor_kwargs address={one_line(value.code)} dropped (0.x overwrote it "
                        "with the new cluster's address)"
                    )
                elif name == "client_kwargs" and client:
                    conv.comments.append(
                        "executor_kwargs client_kwargs merged with security (0.x replaced them)"
                    )
                    client = [("**", value.raw)] + client
                else:
                    ex_args.append((name, value.raw))
    needs_factory = not has_image or on_execute is not None
    conv.imports.append(("prefect.executors", "DaskExecutor"))
    if needs_factory:
        conv.imports.append(("prefect", None))
        factory = namer.fresh("make_cluster")
        conv.defines.append(factory)
        body = ""
        if on_execute is not None and not on_execute.is_empty_or_none():
            body += (
                f"    # {REVIEW}: emulates DaskCloudProviderEnvironment(on_execute=...);\n"
                "    # the executor starts inside the flow run, so prefect.context.parameters is set\n"
                f'    {one_line(on_execute.code)}(dict(prefect.context.get("parameters", {{}})), kwargs)\n'
            )
            conv.notes.append(
                Note(
                    PFU_NO_EQUIV,
                    FixClass.MANUAL,
                    f"on_execute={one_line(on_execute.code)} is emulated in the cluster factory "
                    f"{factory}(): review it",
                )
            )
        if not has_image:
            body += (
                "    # 0.x used the flow's Docker-storage image when no image was given\n"
                '    kwargs.setdefault("image", prefect.context.get("image"))\n'
            )
        conv.pre_statements.append(
            f"def {factory}(**kwargs):\n{body}    return {one_line(provider.code)}(**kwargs)\n"
        )
        cluster_class: Expr = Raw(factory)
    else:
        cluster_class = provider.raw
    call: list = [("cluster_class", cluster_class), ("cluster_kwargs", DictX(cluster))]
    adapt = True
    if min_w is None:
        adapt = False
    else:
        try:
            adapt = bool(min_w.literal())
        except Exception:
            adapt = True
            conv.notes.append(
                Note(
                    PFU_BEHAVIOUR,
                    FixClass.MANUAL,
                    "adaptive_min_workers is an expression: 0.x only adapted when it was truthy; "
                    "drop adapt_kwargs if it can be 0 or None",
                )
            )
    if adapt:
        call.append(
            (
                "adapt_kwargs",
                DictX([(key("minimum"), min_w.raw), (key("maximum"), max_w.raw if max_w else lit(None))]),
            )
        )
    elif max_w is not None and not max_w.is_empty_or_none():
        conv.comments.append(
            f"adaptive_max_workers={one_line(max_w.code)} dropped: without adaptive_min_workers "
            "0.x did not adapt the cluster"
        )
    if client:
        call.append(("client_kwargs", DictX(client)))
    call += ex_args
    conv.executor = CallX("DaskExecutor", call)
    conv.has_executor = True
