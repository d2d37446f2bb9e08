"""PFU201–PFU208: flow environments become a run config and an executor."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import PositionProvider, QualifiedNameProvider, ScopeProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._exports import kept_names
from prefect_upgrade.codemods._kept_comments import _PRAGMA, KeepRemovedLineComments, joined_blank_lines
from prefect_upgrade.codemods._moves import is_compat_try
from prefect_upgrade.codemods._speed import ImportFixes, _NamesAndStrings, module_code, prune
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.codemods.environments import (
    CODE_SUMMARIES,
    DOCKER_QNAMES,
    ENV_CLASSES,
    FLOW_QNAMES,
    PFU_ATTR,
    PFU_BEHAVIOUR,
    PFU_DEAD,
    PFU_FLOW_KWARG,
    PFU_NOT_AT_SINK,
    PFU_READ,
    PFU_REREGISTER,
    REVIEW,
    ArgReader,
    Conversion,
    Raw,
    ScopedNamer,
    convert_environment,
    env_class_of,
    is_environments_module,
    one_line,
    read_args,
    render,
)
from prefect_upgrade.findings import FixClass

Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]

REREGISTER = (
    "re-register this flow under Prefect 1.0: its environment was converted, and flows stored by "
    "0.x with an environment cannot be loaded by 1.0"
)


def _qnames(codemod, node) -> set:
    try:
        found = {q.name for q in codemod.get_metadata(QualifiedNameProvider, node, set())}
    except KeyError:
        return set()
    star = getattr(codemod, "star_module", None)
    if not found and star and isinstance(node, cst.Name) and node.value in ENV_CLASSES:
        # ``from prefect.environments import *``: a name bound nowhere else came from it
        return {f"{star}.{node.value}"}
    return found


def _star_environments_module(module: cst.Module) -> Optional[str]:
    """The module of a top-level ``from prefect.environments[.execution] import *``, if any."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and isinstance(small.names, cst.ImportStar)
                    and small.module is not None
                    and not small.relative
                    and is_environments_module(_c(small.module))
                ):
                    return _c(small.module)
    return None


@dataclass
class FlowContext:
    """What the module sets on one flow (keyed by the flow expression's source)."""

    run_config: list = field(default_factory=list)  # statements that set a run_config
    executor_kwarg_calls: list = field(default_factory=list)  # Flow Call nodes with executor=
    executor_assigns: list = field(default_factory=list)  # Assign nodes `<flow>.executor = ...`
    docker: bool = False
    #: Docker storage sets PREFECT__ENGINE__EXECUTOR__* env vars
    executor_env: bool = False


@dataclass
class Sink:
    """One place where an environment is attached to a flow."""

    kind: str  # "kwarg" | "assign"
    node: cst.CSTNode  # the Arg (kwarg) or the Assign (assign)
    flow_key: Optional[str]
    target: Optional[str]  # source of the flow expression for assignments
    statement: Statement
    conv: Optional[Conversion] = None
    #: variable mode: the names to use at the sink
    rc_name: Optional[str] = None
    ex_name: Optional[str] = None
    none: bool = False  # environment=None
    manual: Optional[str] = None  # not convertible: why


@register
class Environments(ImportFixes, PythonCodemod):
    """Flow environments (removed in Prefect 1.0) become ``run_config`` and ``executor``.

    Follows environments-to-runconfig.md §4–§5 and §9a. ``Flow(environment=…)`` raises
    ``TypeError`` in 1.0 and ``flow.environment = …`` is silently ignored, so every environment
    attached to a flow is converted where it is attached:

    Before::

        from prefect import Flow
        from prefect.environments import LocalEnvironment
        from prefect.executors import DaskExecutor

        flow = Flow("etl", environment=LocalEnvironment(labels=["prod"], executor=DaskExecutor()))

    After::

        from prefect import Flow
        from prefect.executors import DaskExecutor
        from prefect.run_configs import UniversalRun

        flow = Flow("etl", run_config=UniversalRun(labels=["prod"]), executor=DaskExecutor())

    * ``LocalEnvironment``/``Environment``/``RemoteEnvironment``/``RemoteDaskEnvironment``/
      ``DaskCloudProviderEnvironment`` are agent-agnostic → ``UniversalRun(labels=…)``;
      a ``metadata["image"]`` there needs the agent type: it is kept in a TODO comment and reported
      (we never guess an agent-specific run config: a wrong one fails the run).
    * ``KubernetesJobEnvironment``/``DaskKubernetesEnvironment`` → ``KubernetesRun``;
      ``FargateTaskEnvironment`` → ``ECSRun``; Dask environments → ``DaskExecutor(cluster_class=…)``.
    * Arguments without a 1.0 equivalent (``on_start``, ``on_exit``, other metadata keys,
      AWS credentials — whose values are never copied —, ``private_registry`` …) leave a
      ``TODO(prefect-1.0)`` comment at the spot and a manual finding (PFU204).
    * Environment and ``run_config`` on one flow: the environment was never used; it is removed
      with a ``REMOVED(prefect-1.0)`` comment (PFU203).
    * Executor precedence (§4.3): an environment's executor wins over a flow-level executor that
      0.x ignored (that one is removed with a comment); a flow-level executor that starts to take
      effect is reported (PFU208). A metadata image next to Docker storage is reported (PFU208).
    * Environments built in helpers, properties, subclasses or passed around (PFU205) are
      reported and left; names still used from ``prefect.environments`` are replaced by
      placeholder classes so that the module still imports under 1.0.
    * An import from ``prefect.environments`` that nothing in the module used is deleted with a
      PFU201 finding of its own ("import deleted"); one whose uses were converted goes with
      the findings at those uses.
    * Reads of ``flow.environment`` (PFU206): ``.executor`` → ``flow.executor``; anything else
      is reported.
    * Every converted flow gets a PFU207 finding: it must be re-registered.
    * Decisions of the adversarial review (the spec is silent):
      an import inside ``try: … except ImportError:`` is left when that block already copes with
      1.0 (the handler binds every name it imports, or the import is the handler's old-API
      fallback of a Prefect import); a name that ``__all__`` lists or a string annotation names
      counts as used (re-exported: placeholder + PFU205), as libcst's import removal keeps it;
      the module's own ``Flow`` subclasses without an ``__init__``, or with one that only passes
      ``**kwargs`` on, are flows (``MyFlow(..., environment=...)`` is converted); names bound
      nowhere else in a module with ``from prefect.environments import *`` are that module's
      (converted; the star import goes once unused, names still used get placeholders);
      placeholders that replace an import among other imports go after the last of them.
    * An environment kept in a variable becomes variables named after it (``env`` →
      ``run_config``, ``executor``; ``dask_env`` → ``dask_run_config`` ...); these and the helpers
      a conversion adds take the plainest name free where they go, ``executor_2`` only when
      ``executor`` is really in use there (``ScopedNamer``): ``flow.executor`` and ``executor=``
      do not take the name, nor does a local of another function.
    """

    also_needs = ("prefect",)
    code = PFU_FLOW_KWARG
    summary = CODE_SUMMARIES[PFU_FLOW_KWARG]
    fix_class = FixClass.SAFE
    extra_codes = {c: s for c, s in CODE_SUMMARIES.items() if c != PFU_FLOW_KWARG}
    code_classes = {"PFU204": FixClass.MANUAL, PFU_NOT_AT_SINK: FixClass.MANUAL, PFU_REREGISTER: FixClass.MANUAL, PFU_BEHAVIOUR: FixClass.MANUAL}
    markers = ("environment",)
    #: ``MyFlow(..., environment=...)`` needs the class ``MyFlow(Flow)`` (no marker of its own)
    follows_classes = True
    #: Parents come from the analysis walk (``_parents``), not from ParentNodeProvider (a pass).
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider)

    examples = (
        Example(
            "from prefect import Flow\nfrom prefect.run_configs import UniversalRun\n\n"
            'flow = Flow("etl", run_config=UniversalRun(labels=["prod"]))\n'
            'settings.environment = "prod"\n'
        ),
        Example(
            "from prefect import Flow\nfrom prefect.environments import LocalEnvironment\n\n"
            'flow = Flow("etl", environment=LocalEnvironment(labels=["prod", "etl"]))\n',
            "from prefect import Flow\nfrom prefect.run_configs import UniversalRun\n\n"
            'flow = Flow("etl", run_config=UniversalRun(labels=["prod", "etl"]))\n',
        ),
        Example(
            "from prefect import Flow\nfrom prefect.environments import KubernetesJobEnvironment\n\n"
            'with Flow("k8s", environment=KubernetesJobEnvironment(job_spec_file="job.yaml")) as flow:\n'
            "    pass\n",
            "from prefect import Flow\nfrom prefect.run_configs import KubernetesRun\n\n"
            'with Flow("k8s", run_config=KubernetesRun(job_template_path="job.yaml")) as flow:\n'
            "    pass\n",
        ),
    )

    _NEEDED = re.compile(r"prefect\.environments|\benvironments\b|\benvironment\s*=|\.environment\b")

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # cheap pre-check before the (costly) metadata resolution
        if not self._NEEDED.search(module_code(tree)):
            return tree
        return super().transform_module(tree)

    # ----------------------------------------------------------------------------------------
    # analysis (on the original tree)

    def visit_Module(self, node: cst.Module) -> bool:
        self.reader = ArgReader(
            node,
            lambda n: self.get_metadata(PositionProvider, n),
            lambda n: self._line_indent(self._statement_of(n)),
        )
        # new variables take the plainest name free where they are added (see ScopedNamer)
        self.namer = ScopedNamer(lambda: set(self.metadata[ScopeProvider].values()))
        self.env_calls: dict = {}  # Call -> class name
        self.flow_calls: list = []
        self.flow_names: set = set()
        self.contexts: dict = {}  # flow key -> FlowContext
        self.env_assigns: list = []  # Assign nodes `<x>.environment = ...`
        self.env_imports: dict = {}  # local name -> (module, imported name)
        self.env_import_aliases: list = []  # (local, ImportFrom, alias) of every such import
        self.env_module_imports: list = []  # Import/ImportFrom binding prefect.environments itself
        self.class_defs: list = []
        self._call_ctx = {}
        self._parents: dict = {}  # node -> parent, as ParentNodeProvider would give
        self._env_attrs: list = []  # every `<x>.environment` Attribute, in tree order
        self.star_module = _star_environments_module(node)
        self._scan(node)
        self._plan(node)
        # The transform only walks down to the nodes it changes (everything else it would only
        # rebuild as it is): the planned nodes and the statements that get comments or helpers.
        parents = self._parents.get
        self._walk = prune(
            [*self.kwarg_plan, *self.assign_plan, *self.var_plan, *self.read_plan]
            + [parents(statement) for statement in [*self.comments, *self.pre]],
            parents,
        )
        self._walk.discard(None)
        return True

    _walk: Optional[set] = None

    def _unchanged(self) -> Optional[bool]:
        if getattr(self, "kwarg_plan", None) is None:
            return None  # not analysed (the pre-check returned the tree itself)
        if self.kwarg_plan or self.assign_plan or self.var_plan or self.read_plan:
            return False  # each of these removes or replaces code
        if not (self.comments or self.pre or self.imports or self.env_imports or self.env_module_imports):
            return True  # the transform had nothing to add, drop or fix
        return None

    def on_visit(self, node: cst.CSTNode) -> bool:
        walk = super().on_visit(node)
        return walk and (self._walk is None or node in self._walk)

    def _flow_subclasses(self, module: cst.Module) -> frozenset:
        """``FLOW_QNAMES`` and the module's own subclasses of ``Flow`` that take Flow's keywords
        as they are: no ``__init__`` of their own, or one that only passes ``**kwargs`` on (no
        parameter named ``environment``, ``run_config`` or ``executor``). ``MyFlow("x",
        environment=...)`` raises TypeError in 1.0 as ``Flow(...)`` does (adversarial review)."""
        found = set(FLOW_QNAMES)
        for statement in module.body:
            if not isinstance(statement, cst.ClassDef):
                continue
            if not any(_qnames(self, base.value) & found for base in statement.bases):
                continue
            body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
            init = next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
            if init is not None:
                params = init.params
                named = {p.name.value for p in [*params.posonly_params, *params.params, *params.kwonly_params]}
                if not isinstance(params.star_kwarg, cst.Param) or named & {"environment", "run_config", "executor"}:
                    continue
            found.add(statement.name.value)
        return frozenset(found)

    def _scan(self, module: cst.Module) -> None:
        codemod = self
        flow_qnames = self._flow_subclasses(module)

        parents = self._parents
        stack: list = []

        class Scan(cst.CSTVisitor):
            # no visit_* below returns False: every node is seen, every Name too
            def on_visit(self, n: cst.CSTNode) -> bool:
                if stack:
                    parents[n] = stack[-1]
                stack.append(n)
                return super().on_visit(n)

            def on_leave(self, n: cst.CSTNode) -> None:
                stack.pop()
                super().on_leave(n)

            def visit_Attribute(self, n: cst.Attribute) -> None:
                if n.attr.value == "environment":
                    codemod._env_attrs.append(n)

            def visit_Call(self, n: cst.Call) -> None:
                names = _qnames(codemod, n.func)
                for q in names:
                    cls = env_class_of(q)
                    if cls:
                        codemod.env_calls[n] = (cls, q)
                        break
                if names & flow_qnames:
                    codemod.flow_calls.append(n)

            def visit_Assign(self, n: cst.Assign) -> None:
                if len(n.targets) != 1:
                    return
                target = n.targets[0].target
                if isinstance(target, cst.Attribute):
                    attr = target.attr.value
                    flow_key = codemod._key(target.value)
                    if attr == "environment":
                        codemod.env_assigns.append(n)
                    elif attr == "run_config" and not m.matches(n.value, m.Name("None")):
                        codemod._ctx(flow_key).run_config.append(codemod._statement_of(n))
                    elif attr == "executor" and not m.matches(n.value, m.Name("None")):
                        codemod._ctx(flow_key).executor_assigns.append(n)
                    elif attr == "storage" and isinstance(n.value, cst.Call):
                        codemod._storage(codemod._ctx(flow_key), n.value)
                elif isinstance(target, cst.Name) and isinstance(n.value, cst.Call):
                    if _qnames(codemod, n.value.func) & flow_qnames:
                        codemod.flow_names.add(target.value)

            def visit_WithItem(self, n: cst.WithItem) -> None:
                if isinstance(n.item, cst.Call) and n.asname and isinstance(n.asname.name, cst.Name):
                    if _qnames(codemod, n.item.func) & flow_qnames:
                        codemod.flow_names.add(n.asname.name.value)

            def visit_Param(self, n: cst.Param) -> None:
                if n.annotation is not None and _qnames(codemod, n.annotation.annotation) & flow_qnames:
                    codemod.flow_names.add(n.name.value)

            def visit_ImportFrom(self, n: cst.ImportFrom) -> None:
                if n.module is None or n.relative:
                    return
                module = codemod._code(n.module)
                if is_environments_module(module) and codemod._guarded(n):
                    return  # a compatibility block that already copes with Prefect 1.0
                if isinstance(n.names, cst.ImportStar):
                    if is_environments_module(module):
                        codemod.env_module_imports.append(n)
                    return
                for alias in n.names:
                    name = codemod._code(alias.name)
                    local = codemod._code(alias.asname.name) if alias.asname else name
                    if is_environments_module(module):
                        codemod.env_imports[local] = (module, name, alias)
                        codemod.env_import_aliases.append((local, n, alias))
                    elif module == "prefect" and name == "environments":
                        codemod.env_module_imports.append(n)

            def visit_Import(self, n: cst.Import) -> None:
                for alias in n.names:
                    if is_environments_module(codemod._code(alias.name)) and not codemod._guarded(n):
                        codemod.env_module_imports.append(n)

            def visit_ClassDef(self, n: cst.ClassDef) -> None:
                for base in n.bases:
                    for q in _qnames(codemod, base.value):
                        if env_class_of(q):
                            codemod.class_defs.append((n, base))

        module.visit(Scan())
        # flow calls: contexts
        for call in self.flow_calls:
            key = self._flow_key_of_call(call)
            ctx = self._ctx(key) if key else FlowContext()
            for arg in call.args:
                if arg.keyword is None:
                    continue
                if arg.keyword.value == "run_config" and not m.matches(arg.value, m.Name("None")):
                    ctx.run_config.append(self._statement_of(call))
                elif arg.keyword.value == "executor" and not m.matches(arg.value, m.Name("None")):
                    ctx.executor_kwarg_calls.append(call)
                elif arg.keyword.value == "storage" and isinstance(arg.value, cst.Call):
                    self._storage(ctx, arg.value)
            self._call_ctx[call] = ctx

    _call_ctx: dict

    def _storage(self, ctx: FlowContext, call: cst.Call) -> None:
        if not _qnames(self, call.func) & DOCKER_QNAMES:
            return
        ctx.docker = True
        if "PREFECT__ENGINE__EXECUTOR__" in self._code(call):
            ctx.executor_env = True

    def _ctx(self, key: Optional[str]) -> FlowContext:
        if key is None:
            return FlowContext()
        return self.contexts.setdefault(key, FlowContext())

    def _code(self, node: cst.CSTNode) -> str:
        return cst.Module([]).code_for_node(node)

    def _flow_key_of_call(self, call: cst.Call) -> Optional[tuple]:
        parent = self._parents.get(call)
        if isinstance(parent, cst.WithItem) and parent.asname is not None:
            return self._key(parent.asname.name)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            return self._key(parent.targets[0].target)
        return None

    def _key(self, expr: cst.CSTNode) -> tuple:
        """A flow expression, qualified by the scope that binds its first name."""
        base = expr
        while isinstance(base, (cst.Attribute, cst.Subscript, cst.Call)):
            base = base.value if not isinstance(base, cst.Call) else base.func
        scope_id = None
        if isinstance(base, cst.Name):
            scope = self.get_metadata(ScopeProvider, base, None)
            if scope is not None:
                assignments = list(scope[base.value]) if base.value in scope else []
                scope_id = id(assignments[0].scope) if assignments else id(scope)
        return (scope_id, self._code(expr))

    def _unconditional(self, setter: Optional[cst.CSTNode], sink: Optional[cst.CSTNode]) -> bool:
        """Does ``setter`` (a statement) run whenever ``sink`` does? (same or enclosing block)"""
        if setter is None or sink is None:
            return False
        block = self._parents.get(setter)
        current = sink
        while current is not None:
            if current is block:
                return True
            current = self._parents.get(current)
        return False

    def _has_run_config(self, ctx: FlowContext, sink: cst.CSTNode) -> bool:
        statement = self._statement_of(sink)
        return any(self._unconditional(setter, statement) for setter in ctx.run_config)

    def _statement_of(self, node: cst.CSTNode) -> Optional[Statement]:
        current = node
        while current is not None:
            if isinstance(current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return current
            current = self._parents.get(current)
        return None

    def _line_indent(self, node: cst.CSTNode) -> int:
        line = self.reader.lines[self.get_metadata(PositionProvider, node).start.line - 1]
        return len(line) - len(line.lstrip(" "))

    def _indent_of(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.column

    # ----------------------------------------------------------------------------------------
    # planning: what happens at each node

    def _plan(self, module: cst.Module) -> None:
        self.comments: dict = {}  # statement -> [comment lines]
        self.pre: dict = {}  # statement -> [statement sources]
        self.kwarg_plan: dict = {}  # Flow Call -> (env Arg, [new Args], removed executor arg?)
        self.assign_plan: dict = {}  # Assign -> [new statement sources] (None: keep)
        self.var_plan: dict = {}  # Assign `env = Env(...)` -> [new statement sources]
        self.imports: list = []
        self.converted_calls: set = set()
        self.read_plan: dict = {}  # Attribute `x.environment.executor` -> replacement
        # re-scan flow calls for contexts (needs _call_ctx from _scan)
        variables = self._env_variables()
        for call in self.flow_calls:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "environment":
                    self._plan_kwarg(call, arg, variables)
        for assign in self.env_assigns:
            self._plan_assign(assign, variables)
        for var_assign, info in variables.items():
            if info["clean"]:
                self._plan_variable(var_assign, info)
        for call, (cls, qname) in self.env_calls.items():
            if call not in self.converted_calls:
                self._plan_stray(call, cls)
        for classdef, base in self.class_defs:
            self._note(
                classdef,
                PFU_NOT_AT_SINK,
                FixClass.MANUAL,
                f"class {classdef.name.value} subclasses {self._code(base.value)}, removed in Prefect 1.0: "
                "rewrite it as a run config plus an executor (custom environments have no 1.0 equivalent)",
                comment=f"{REVIEW}: custom environments have no Prefect 1.0 equivalent; "
                "replace this class by a run config and an executor",
            )
        self._plan_reads(module)

    def _note(
        self,
        node: cst.CSTNode,
        code: str,
        fix_class: FixClass,
        message: str,
        *,
        applied: bool = False,
        comment: Optional[str] = None,
        statement: Optional[Statement] = None,
        anchor: str = "",
    ) -> None:
        if self.enabled(code):
            self.report(node, message, applied=applied, fix_class=fix_class, code=code, anchor=anchor)
        if comment:
            stmt = statement or self._statement_of(node)
            if stmt is not None:
                self.comments.setdefault(stmt, []).append(comment)

    def _conversion(self, call: cst.Call) -> Conversion:
        cls, qname = self.env_calls[call]
        # helpers the conversion defines go above the statement that holds the call, and are
        # read where the call is
        self._place_names(call, [call])
        provider_qname = None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "provider_class" or (
                cls == "DaskCloudProviderEnvironment" and arg.keyword is None
            ):
                names = _qnames(self, arg.value)
                provider_qname = next(iter(names), None)
                break
        return convert_environment(cls, read_args(call, cls, self.reader), self.reader, self.namer,
                                   provider_qname=provider_qname)

    def _env_variables(self) -> dict:
        """``name = SomeEnvironment(...)``: is every use of ``name`` a sink?"""
        out = {}
        for call in self.env_calls:
            parent = self._parents.get(call)
            if not (
                isinstance(parent, cst.Assign)
                and len(parent.targets) == 1
                and isinstance(parent.targets[0].target, cst.Name)
                and parent.value is call
            ):
                continue
            name = parent.targets[0].target.value
            scope = self.get_metadata(ScopeProvider, parent.targets[0].target, None)
            if scope is None:
                continue
            assignments = list(scope.assignments[name])
            clean = len(assignments) == 1
            sinks = []
            if clean:
                for access in assignments[0].references:
                    sink = self._sink_of_name(access.node)
                    if sink is None:
                        clean = False
                        break
                    sinks.append(sink)
            clean = clean and bool(sinks) and all(self._sink_enabled(sink) for sink in sinks)
            out[parent] = {"name": name, "call": call, "clean": clean, "sinks": sinks}
        return out

    def _sink_enabled(self, sink: cst.CSTNode) -> bool:
        """--select/--ignore decide which sinks are rewritten, not only what is reported."""
        if isinstance(sink, cst.Arg):
            call = self._parents.get(sink)
            ctx = self._call_ctx.get(call, FlowContext())
            code = PFU_FLOW_KWARG
        else:
            ctx = self._ctx(self._key(sink.targets[0].target.value))
            code = PFU_ATTR
        if self._has_run_config(ctx, sink):
            code = PFU_DEAD
        return self.enabled(code)

    def _sink_of_name(self, name: cst.CSTNode) -> Optional[cst.CSTNode]:
        parent = self._parents.get(name)
        if isinstance(parent, cst.Arg) and parent.keyword is not None and parent.keyword.value == "environment":
            call = self._parents.get(parent)
            if call in self.flow_calls:
                return parent
        if isinstance(parent, cst.Assign) and parent in self.env_assigns and parent.value is name:
            return parent
        return None

    def _variable_of(self, value: cst.CSTNode, variables: dict):
        if not isinstance(value, cst.Name):
            return None
        for assign, info in variables.items():
            if info["clean"] and any(s is not None and self._uses(s, value) for s in info["sinks"]):
                return assign, info
        return None

    @staticmethod
    def _uses(sink: cst.CSTNode, name: cst.Name) -> bool:
        return (isinstance(sink, cst.Arg) and sink.value is name) or (
            isinstance(sink, cst.Assign) and sink.value is name
        )

    def _var_names(self, info: dict, conv: Conversion) -> tuple:
        if "names" in info:
            return info["names"]
        base = info["name"]
        lower = base.lower()
        upper = base.isupper()
        if lower in ("environment", "env"):
            prefix = ""
        elif lower.endswith(("_environment", "_env")):
            prefix = base[: base.rfind("_")] + "_"
        else:
            prefix = base + "_"
        rc = ex = None
        # the variables replace `name = Environment(...)` and are read at its sinks
        self._place_names(info["call"], info["sinks"])
        if conv.run_config is not None:
            rc = self.namer.fresh(prefix + ("RUN_CONFIG" if upper else "run_config"))
        if conv.executor is not None:
            if isinstance(conv.executor, Raw) and conv.executor.text.isidentifier():
                ex = conv.executor.text
            else:
                ex = self.namer.fresh(prefix + ("EXECUTOR" if upper else "executor"))
        info["names"] = (rc, ex)
        return rc, ex

    def _place_names(self, node: cst.CSTNode, readers: Sequence[cst.CSTNode]) -> None:
        """New names are bound in the scope of the statement that holds ``node`` and read at
        ``readers``."""
        statement = self._statement_of(node)
        scope = self.get_metadata(ScopeProvider, statement, None) if statement is not None else None
        self.namer.place(scope, [self.get_metadata(ScopeProvider, r, None) for r in readers])

    # -- one sink kind at a time

    def _plan_kwarg(self, call: cst.Call, arg: cst.Arg, variables: dict) -> None:
        statement = self._statement_of(call)
        ctx = self._call_ctx.get(call, FlowContext())
        value = arg.value
        original = f"environment={one_line(self._code(value))}"
        if not self._sink_enabled(arg):
            return
        if m.matches(value, m.Name("None")):
            self.kwarg_plan[call] = (arg, [], None)
            return
        conv, names = self._value_conversion(value, variables)
        if conv is None or not conv.ok:
            why = conv.reason if conv is not None else "it is not an environment constructor or variable"
            self.kwarg_plan[call] = (arg, [], None)
            self._note(
                arg,
                PFU_NOT_AT_SINK,
                FixClass.MANUAL,
                f"{original} was removed from Flow(...) ({why}): set run_config= and executor= by hand",
                comment=f"{REVIEW}: {original} removed (Flow no longer accepts it); set "
                "run_config= and executor= by hand",
                statement=statement,
            )
            return
        if self._has_run_config(ctx, arg):
            self.kwarg_plan[call] = (arg, [], None)
            self._dead(arg, statement, original, conv)
            return
        self._emit_conv_extras(conv, statement)
        col = self._indent_of(arg)
        if "\n" not in self._code(call):
            col -= 32  # a one-line Flow(...) call: keep what we add on its line if not too long
        rc_src, ex_src = self._exprs(conv, names, self._line_indent(arg) - self._line_indent(statement), col)
        new_args = []
        if rc_src:
            new_args.append(("run_config", rc_src))
        drop_executor = None
        if ex_src:
            if call in ctx.executor_kwarg_calls:
                # rule 1: the environment's executor was the effective one
                for other in call.args:
                    if other.keyword is not None and other.keyword.value == "executor":
                        drop_executor = other
                self._note(
                    drop_executor,
                    PFU_BEHAVIOUR,
                    FixClass.SAFE,
                    f"executor={one_line(self._code(drop_executor.value))} replaced by the environment's "
                    "executor, which was the one Prefect 0.x used",
                    applied=True,
                    comment=f"REMOVED(prefect-1.0): executor={one_line(self._code(drop_executor.value))} "
                    "(ignored by 0.x: the environment's executor was used)",
                    statement=statement,
                )
            new_args.append(("executor", ex_src))
        elif call in ctx.executor_kwarg_calls:
            self._rule2(arg)
        self.kwarg_plan[call] = (arg, new_args, drop_executor)
        self._converted(arg, conv, ctx, PFU_FLOW_KWARG, original)

    def _plan_assign(self, assign: cst.Assign, variables: dict) -> None:
        statement = self._statement_of(assign)
        target_node = assign.targets[0].target
        target = self._code(target_node.value)
        ctx = self._ctx(self._key(target_node.value))
        value = assign.value
        original = one_line(self._code(assign))
        flow_like = self._flow_like(target_node.value)
        if not self._sink_enabled(assign):
            return
        if m.matches(value, m.Name("None")):
            if flow_like:
                self.assign_plan[assign] = []
            return
        conv, names = self._value_conversion(value, variables)
        if conv is None or not conv.ok:
            if conv is None and not flow_like:
                return
            why = conv.reason if conv is not None else "the value is not an environment constructor"
            self._note(
                assign,
                PFU_NOT_AT_SINK,
                FixClass.MANUAL,
                f"{original}: Prefect 1.0 silently ignores flow.environment ({why}); set "
                f"{target}.run_config and {target}.executor by hand",
                comment=f"{REVIEW}: Prefect 1.0 ignores {target}.environment; set "
                f"{target}.run_config / {target}.executor instead",
                statement=statement,
            )
            return
        if self._has_run_config(ctx, assign):
            self.assign_plan[assign] = []
            self._dead(assign, statement, original, conv)
            return
        self._emit_conv_extras(conv, statement)
        indent = self._line_indent(assign)
        rc_src, ex_src = self._exprs(conv, names, 0, indent + len(target) + 14)
        new = []
        if rc_src:
            new.append(f"{target}.run_config = {rc_src}")
        if ex_src:
            new.append(f"{target}.executor = {ex_src}")
            if not isinstance(target_node.value, cst.Name):
                self._note(
                    assign,
                    PFU_BEHAVIOUR,
                    FixClass.MANUAL,
                    f"{target}.executor is set outside the flow's own module: flow.executor is not "
                    "registered metadata, so with script-based storage it is lost at run time; "
                    "set it in the flow file (pickle-based storage keeps it)",
                )
            for other in ctx.executor_assigns:
                if not self._unconditional(self._statement_of(other), statement):
                    continue
                self.assign_plan[other] = []
                self._note(
                    other,
                    PFU_BEHAVIOUR,
                    FixClass.SAFE,
                    f"{one_line(self._code(other))} removed: Prefect 0.x used the environment's executor",
                    applied=True,
                    comment=f"REMOVED(prefect-1.0): {one_line(self._code(other))} (ignored by 0.x: "
                    "the environment's executor was used)",
                )
            for flow_call in ctx.executor_kwarg_calls:
                for other in flow_call.args:
                    if other.keyword is not None and other.keyword.value == "executor":
                        self.kwarg_plan.setdefault(flow_call, (None, [], None))
                        env_arg, args, _ = self.kwarg_plan[flow_call]
                        self.kwarg_plan[flow_call] = (env_arg, args, other)
                        self._note(
                            other,
                            PFU_BEHAVIOUR,
                            FixClass.SAFE,
                            f"executor={one_line(self._code(other.value))} removed: Prefect 0.x used the "
                            "environment's executor",
                            applied=True,
                            comment=f"REMOVED(prefect-1.0): executor={one_line(self._code(other.value))} "
                            "(ignored by 0.x: the environment's executor was used)",
                        )
        elif ctx.executor_assigns or ctx.executor_kwarg_calls:
            self._rule2(assign)
        self.assign_plan[assign] = new
        self._converted(assign, conv, ctx, PFU_ATTR, original)

    def _plan_variable(self, assign: cst.Assign, info: dict) -> None:
        statement = self._statement_of(assign)
        conv = info.get("conv") or self._conversion(info["call"])
        info["conv"] = conv
        self.converted_calls.add(info["call"])
        if not conv.ok:
            return
        rc, ex = self._var_names(info, conv)
        self._emit_conv_extras(conv, statement)
        indent = self._line_indent(assign)
        new = []
        if rc:
            new.append(f"{rc} = {render(conv.run_config, 0, indent + len(rc) + 3)}")
        if ex and not (isinstance(conv.executor, Raw) and conv.executor.text == ex):
            new.append(f"{ex} = {render(conv.executor, 0, indent + len(ex) + 3)}")
        self.var_plan[assign] = new

    def _value_conversion(self, value: cst.CSTNode, variables: dict):
        """(conversion, (rc_name, ex_name) or None) for an environment value."""
        if isinstance(value, cst.Call) and value in self.env_calls:
            self.converted_calls.add(value)
            return self._conversion(value), None
        found = self._variable_of(value, variables)
        if found is not None:
            assign, info = found
            conv = info.get("conv") or self._conversion(info["call"])
            info["conv"] = conv
            self.converted_calls.add(info["call"])
            if not conv.ok:
                info["clean"] = False
                return conv, None
            self._emit_conv_extras(conv, self._statement_of(assign))
            return conv, self._var_names(info, conv)
        return None, None

    def _exprs(self, conv: Conversion, names, indent: int, col: int) -> tuple:
        if names is not None:
            rc, ex = names
            return rc, ex
        rc_src = render(conv.run_config, indent, col + 11) if conv.run_config is not None else None
        ex_src = render(conv.executor, indent, col + 9) if conv.executor is not None else None
        return rc_src, ex_src

    def _emit_conv_extras(self, conv: Conversion, statement: Statement) -> None:
        """Comments, helper statements and imports of a conversion, once per conversion."""
        if getattr(conv, "_emitted", False):
            return
        conv._emitted = True
        if conv.comments:
            self.comments.setdefault(statement, []).extend(conv.comments)
        if conv.pre_statements:
            self.pre.setdefault(statement, []).extend(conv.pre_statements)
        self.imports.extend(conv.imports)
        for note in conv.notes:
            if self.enabled(note.code):
                self.report(statement, note.message, applied=False, fix_class=note.fix_class, code=note.code)

    def _converted(self, node, conv: Conversion, ctx: FlowContext, code: str, original: str) -> None:
        parts = [p for p, v in (("run_config", conv.run_config), ("executor", conv.executor)) if v is not None]
        result = " and ".join(parts) if parts else "nothing left to set (Prefect 1.0 defaults match)"
        # the findings go to the line of the conversion's first part (`run_config=`), not to another
        # line of the rewritten statement that happens to look more like the environment's line
        anchor = ""
        if parts:
            anchor = f"{parts[0]}=" if isinstance(node, cst.Arg) else f"{self._code(node.targets[0].target.value)}.{parts[0]} ="
        self._note(node, code, FixClass.SAFE, f"{conv.cls} converted to {result}", applied=True, anchor=anchor)
        if conv.image is not None and ctx.docker:
            self._note(
                node,
                PFU_BEHAVIOUR,
                FixClass.MANUAL,
                f"the environment's image {one_line(conv.image)} used to win over Docker storage; in "
                "Prefect 1.0 the Docker storage image wins: remove one of them",
                anchor=anchor,
            )
        if ctx.executor_env and not conv.has_executor:
            self._note(
                node,
                PFU_BEHAVIOUR,
                FixClass.MANUAL,
                "the Docker storage sets PREFECT__ENGINE__EXECUTOR__* env vars: under this environment "
                "0.12.1+ used the build-time default executor instead, in 1.0 they take effect; "
                "prefer setting flow.executor explicitly",
                anchor=anchor,
            )
        self._note(node, PFU_REREGISTER, FixClass.MANUAL, REREGISTER, anchor=anchor)

    def _rule2(self, node) -> None:
        self._note(
            node,
            PFU_BEHAVIOUR,
            FixClass.MANUAL,
            "this flow's own executor was ignored by Prefect 0.x (the environment used the default "
            "executor) and takes effect in 1.0: check that it is the executor you want",
        )

    def _dead(self, node, statement: Statement, original: str, conv: Optional[Conversion]) -> None:
        message = (
            f"{original} removed: the flow also has a run_config, so Prefect 0.14/0.15 never used "
            "the environment"
        )
        if conv is not None and conv.has_executor:
            message += "; its executor was never used either and is not carried over"
        self._note(node, PFU_DEAD, FixClass.SAFE, message, applied=True)
        for line in (
            f"REMOVED(prefect-1.0): {original}",
            "  It was ignored in 0.14/0.15 because run_config was set"
            + ("; its executor was never used." if conv is not None and conv.has_executor else "."),
        ):
            self.comments.setdefault(statement, []).append(line)

    def _plan_stray(self, call: cst.Call, cls: str) -> None:
        conv = self._conversion(call)
        hint = ""
        if conv.ok and not conv.pre_statements:
            bits = []
            if conv.run_config is not None:
                bits.append(f"run_config={render(conv.run_config, 0, -10_000)}")
            if conv.executor is not None:
                bits.append(f"executor={render(conv.executor, 0, -10_000)}")
            if bits and all("\n" not in b for b in bits):
                hint = " (suggested: " + ", ".join(bits) + ")"
        self._note(
            call,
            PFU_NOT_AT_SINK,
            FixClass.MANUAL,
            f"{cls}(...) is not attached to a flow here (helper, property, or passed around): "
            "environments were removed in Prefect 1.0; set the flow's run_config and executor "
            "where it is used" + hint,
            comment=f"{REVIEW}: {cls} was removed in Prefect 1.0; set the flow's run_config and "
            "executor instead" + hint,
        )

    def _flow_like(self, node: cst.CSTNode) -> bool:
        code = self._code(node)
        last = code.rsplit(".", 1)[-1]
        return code in self.flow_names or "flow" in last.lower()

    def _plan_reads(self, module: cst.Module) -> None:
        codemod = self
        sink_targets = {a.targets[0].target for a in self.env_assigns}

        class Reads:
            # over the `<x>.environment` attributes the scan found, in tree order
            def visit_Attribute(self, n: cst.Attribute) -> Optional[bool]:
                if n.attr.value != "environment" or n in sink_targets:
                    return None
                if not codemod._flow_like(n.value):
                    return None
                parent = codemod._parents.get(n)
                flow = codemod._code(n.value)
                if (
                    isinstance(parent, cst.Attribute)
                    and parent.value is n
                    and parent.attr.value == "executor"
                    and codemod.enabled(PFU_READ)
                ):
                    codemod.read_plan[parent] = n.value
                    codemod._note(
                        parent,
                        PFU_READ,
                        FixClass.SAFE,
                        f"{flow}.environment.executor → {flow}.executor",
                        applied=True,
                    )
                    return None
                what = codemod._code(parent) if isinstance(parent, cst.Attribute) and parent.value is n else f"{flow}.environment"
                hint = {
                    "labels": f"{flow}.run_config.labels (run_config may be None)",
                    "metadata": f"{flow}.run_config.image for the image",
                }.get(parent.attr.value if isinstance(parent, cst.Attribute) and parent.value is n else "", f"{flow}.run_config / {flow}.executor")
                codemod._note(
                    n,
                    PFU_READ,
                    FixClass.MANUAL,
                    f"{one_line(what)} fails in Prefect 1.0 (flows have no environment): use {hint}",
                    comment=f"{REVIEW}: {one_line(what)} no longer exists; use {hint}",
                )
                return None

        reads = Reads()
        for attribute in self._env_attrs:
            reads.visit_Attribute(attribute)

    # ----------------------------------------------------------------------------------------
    # transformation

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if original_node in self.read_plan:
            return updated_node.with_changes(value=updated_node.value.value)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        plan = self.kwarg_plan.get(original_node)
        if plan is None:
            return updated_node
        env_arg, new_args, drop_executor = plan
        original_args = list(original_node.args)
        args = list(updated_node.args)
        out = []
        for index, (orig, arg) in enumerate(zip(original_args, args)):
            if orig is drop_executor:
                continue
            if orig is env_arg:
                comma = arg.comma
                sep = self._separator(original_args, index)
                for i, (name, src) in enumerate(new_args):
                    last = i == len(new_args) - 1
                    new = cst.Arg(
                        keyword=cst.Name(name),
                        value=cst.parse_expression(src),
                        equal=arg.equal,
                        comma=comma if last else sep,
                        # the line break before `)` of a last argument without a comma
                        whitespace_after_arg=arg.whitespace_after_arg if last else cst.SimpleWhitespace(""),
                    )
                    out.append(new)
                continue
            out.append(arg)
        removed_last = original_args and (
            original_args[-1] is drop_executor or (original_args[-1] is env_arg and not new_args)
        )
        if removed_last and out:
            # the new last argument takes over the removed one's trailing comma / whitespace
            out[-1] = out[-1].with_changes(comma=args[-1].comma)
        if out and original_args and not isinstance(original_args[-1].comma, cst.Comma):
            last = out[-1]
            if isinstance(last.comma, cst.Comma) and not self._multiline(original_node):
                out[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(args=out)

    @staticmethod
    def _multiline(call: cst.Call) -> bool:
        return any(
            isinstance(a.comma, cst.Comma) and isinstance(a.comma.whitespace_after, cst.ParenthesizedWhitespace)
            for a in call.args
        )

    @staticmethod
    def _separator(args: list, index: int) -> cst.Comma:
        for arg in args[:index][::-1] + args[index:]:
            if isinstance(arg.comma, cst.Comma):
                return arg.comma
        return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ):
        body = []
        replaced = False
        for orig, small in zip(original_node.body, updated_node.body):
            new_sources = None
            if isinstance(orig, cst.Assign):
                new_sources = self.assign_plan.get(orig)
                if new_sources is None:
                    new_sources = self.var_plan.get(orig)
            if new_sources is None:
                body.append(small)
                continue
            replaced = True
            for src in new_sources:
                body.extend(cst.parse_statement(src + "\n").body)
        if not replaced:
            return self._finish(original_node, updated_node)
        if not body:
            return self._finish(original_node, None)
        if len(original_node.body) == 1 and len(body) > 1:
            lines = [updated_node.with_changes(body=[body[0]])]
            lines += [cst.SimpleStatementLine(body=[small]) for small in body[1:]]
            return self._finish(original_node, lines[0], after=lines[1:])
        return self._finish(original_node, updated_node.with_changes(body=body))

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ):
        """``if x: flow.environment = E`` (one line): the new statements stay on that line."""
        body = []
        for orig, small in zip(original_node.body, updated_node.body):
            new_sources = self.assign_plan.get(orig) if isinstance(orig, cst.Assign) else None
            if new_sources is None and isinstance(orig, cst.Assign):
                new_sources = self.var_plan.get(orig)
            if new_sources is None:
                body.append(small)
                continue
            for src in new_sources:
                body.extend(cst.parse_statement(src + "\n").body)
        if not body:
            body = [cst.Pass()]
        return updated_node.with_changes(body=body)

    def _finish(self, original: Statement, updated: Optional[Statement], after: Sequence = ()):
        comments = self.comments.get(original, [])
        pre = self.pre.get(original, [])
        statements = []
        blank = [cst.EmptyLine(indent=False)]
        parent = self._parents.get(original)
        first_in_block = isinstance(parent, cst.IndentedBlock) and parent.body and parent.body[0] is original
        for src in pre:
            for i, stmt in enumerate(cst.parse_module(src).body):
                skip = first_in_block and not statements
                statements.append(
                    stmt.with_changes(leading_lines=blank + list(stmt.leading_lines)) if i == 0 and not skip else stmt
                )
        if updated is None:
            # the user's comments on a statement that goes (nothing left to set) stay where it was
            # (with the blank lines around them, which alone would only add space)
            trailing = getattr(original, "trailing_whitespace", None)
            kept = [cst.EmptyLine(comment=trailing.comment)] if trailing is not None and trailing.comment else []
            if kept or any(line.comment is not None for line in original.leading_lines):
                self._orphans.extend([*original.leading_lines, *kept])
            if comments:
                self._orphans.extend(comments)
            return cst.FlattenSentinel(statements) if statements else cst.RemovalSentinel.REMOVE
        leading = list(updated.leading_lines)
        if self._orphans:
            kept = [item for item in self._orphans if isinstance(item, cst.EmptyLine)]
            leading = kept + leading
            comments = [item for item in self._orphans if not isinstance(item, cst.EmptyLine)] + comments
            self._orphans = []
        existing = {line.comment.value for line in leading if line.comment is not None}
        for text in comments:
            pieces = self._comment_lines(text)
            if pieces[0] in existing:
                continue  # already there (a second run, or the same note twice)
            existing.add(pieces[0])
            leading.extend(cst.EmptyLine(comment=cst.Comment(piece)) for piece in pieces)
        if pre and statements:
            # keep the user's blank lines/comments above the first inserted statement
            first = statements[0]
            statements[0] = first.with_changes(leading_lines=list(updated.leading_lines) + list(first.leading_lines))
            leading = blank + leading[len(updated.leading_lines):]
            statements.append(updated.with_changes(leading_lines=leading))
            return cst.FlattenSentinel(statements + list(after))
        updated = updated.with_changes(leading_lines=leading)
        if after:
            return cst.FlattenSentinel([updated, *after])
        return updated

    @staticmethod
    def _comment_lines(text: str) -> list:
        out = []
        words = text.split(" ")
        line = "#"
        for word in words:
            if len(line) + 1 + len(word) > 96 and line != "#":
                out.append(line)
                line = "#  "
            line += " " + word
        out.append(line)
        return out

    _orphans: list = []

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._orphan_stack.append(self._orphans)
        self._orphans = []

    def _orphan_lines(self) -> list:
        """The comment lines of ``_orphans``: the user's kept as they were, the tool's wrapped."""
        lines = []
        for item in self._orphans:
            if isinstance(item, cst.EmptyLine):
                lines.append(item)
            else:
                lines.extend(cst.EmptyLine(comment=cst.Comment(piece)) for piece in self._comment_lines(item))
        return lines

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock):
        if self._orphans:
            footer = list(updated_node.footer) + self._orphan_lines()
            updated_node = updated_node.with_changes(footer=footer)
        self._orphans = self._orphan_stack.pop()
        if not updated_node.body:
            updated_node = updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node

    def _leave_compound(self, original_node, updated_node):
        return self._finish(original_node, updated_node)

    leave_With = _leave_compound
    leave_If = _leave_compound
    leave_For = _leave_compound
    leave_While = _leave_compound
    leave_Try = _leave_compound
    leave_FunctionDef = _leave_compound
    leave_ClassDef = _leave_compound

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self._orphans:
            footer = list(updated_node.footer) + self._orphan_lines()
            updated_node = updated_node.with_changes(footer=footer)
            self._orphans = []
        for module, name in self.imports:
            AddImportsVisitor.add_needed_import(self.context, module, name)
        return self._fix_env_imports(updated_node)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._orphans = []
        self._orphan_stack = []
        return super().transform_module_impl(tree)

    # -- imports of prefect.environments

    def _unreported_use(self, local: str) -> Optional[cst.Name]:
        """The first use of ``local`` in the original module that no finding covers yet: read
        as a name, not imported, not an attribute, not an environment call (each is converted
        or reported) nor a base class (reported). Where a person has to act on a placeholder."""
        parents = self._parents
        bases = {base.value for _, base in self.class_defs}
        for node, parent in parents.items():  # in the order of the walk: the source's
            if not isinstance(node, cst.Name) or node.value != local or node in bases:
                continue
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if isinstance(parent, cst.Call) and parent.func is node and parent in self.env_calls:
                continue
            if self._outside_imports(parent):
                return node
        return None

    def _guarded(self, node: Union[cst.Import, cst.ImportFrom]) -> bool:
        """Whether an import of ``prefect.environments`` sits in a compatibility block that
        already copes with Prefect 1.0, and is left as it is:

        * in the body of ``try: … except ImportError:`` whose handlers bind every name it
          imports (``except ImportError: LocalEnvironment = None``): under 1.0 the handler runs,
          and a placeholder class would defeat the module's own ``is None`` checks;
        * in such a handler, when the ``try`` body imports from Prefect (the old API as the
          fallback of the new one): under 1.0 the handler does not run.
        """
        child, parent = self._parents.get(node), None
        while child is not None:
            parent = self._parents.get(child)
            if isinstance(parent, (cst.Try, cst.ExceptHandler)):
                break
            child = parent
        if isinstance(parent, cst.ExceptHandler):
            block = self._parents.get(parent)
            return is_compat_try(block) and any(
                _imports_prefect(small)
                for statement in block.body.body
                if isinstance(statement, cst.SimpleStatementLine)
                for small in statement.body
            )
        if not isinstance(parent, cst.Try) or child is not parent.body or not is_compat_try(parent):
            return False
        if isinstance(node.names, cst.ImportStar):
            return False
        imported = {_bound_name(alias) for alias in node.names}
        bound: set = set()
        for handler in parent.handlers:
            for statement in handler.body.body:
                if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                    bound.add(statement.name.value)
                    continue
                for small in getattr(statement, "body", ()):
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for target in targets:
                            elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
                            bound |= {e.value.value if isinstance(e, cst.Element) else getattr(e, "value", None) for e in elements}
                    elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                        bound |= {_bound_name(alias) for alias in small.names}
        return imported <= bound

    def _unused_binding(self, local: str, node: cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        """Whether nothing in the original module read the name this import bound."""
        if sum(1 for entry in self.env_import_aliases if entry[0] == local) < 2:
            return not self._used_in_source(local)  # one import of the name: the module-wide answer
        try:
            scope = self.get_metadata(ScopeProvider, node)
        except KeyError:
            scope = None
        if scope is None:
            return not self._used_in_source(local)
        return not any(
            assignment.references
            for assignment in scope.assignments[local]
            if getattr(assignment, "node", None) is node
        )

    def _outside_imports(self, parent: Optional[cst.CSTNode]) -> bool:
        """Whether a node whose parent is ``parent`` is outside every import statement."""
        while parent is not None and not isinstance(parent, (cst.Import, cst.ImportFrom)):
            parent = self._parents.get(parent)
        return parent is None

    def _used_in_source(self, local: str) -> bool:
        """Whether the original module reads ``local`` (a name, or ``prefect.environments``)
        anywhere outside an import."""
        parents = self._parents
        head, _, attr = local.rpartition(".")
        for node, parent in parents.items():
            if attr and head:
                if not (
                    isinstance(node, cst.Attribute) and node.attr.value == attr and self._code(node.value) == head
                ):
                    continue
            elif not isinstance(node, cst.Name) or node.value != local:
                continue
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if self._outside_imports(parent):
                return True
        return False

    def _fix_env_imports(self, module: cst.Module) -> cst.Module:
        if not self.env_imports and not self.env_module_imports:
            return module  # nothing imported from prefect.environments: three passes saved
        uses = _ModuleUses()
        module.visit(uses)  # one walk for what used to take three
        star_used = sorted(uses.used & ENV_CLASSES) if self.star_module else []
        if star_used:
            # names still used from ``from prefect.environments import *`` get placeholders as
            # names imported one by one do: the star becomes the names, then the placeholders
            module = module.visit(_ExplicitStar(self, star_used))
        # a name listed in ``__all__`` or named by a string annotation is kept by libcst's
        # import removal: it is re-exported or annotated with, so it gets a placeholder too
        exported = kept_names(module, [l for l in self.env_imports if l not in uses.used], uses.strings)
        used = uses.used | exported
        placeholders = []
        for local, (mod, name, alias) in self.env_imports.items():
            if local in used:
                placeholders.append((local, name))
            else:
                RemoveImportsVisitor.remove_unused_import(
                    self.context, mod, name, local if local != name else None
                )
                # converted uses are reported where they were; an import nothing used would
                # otherwise go without a word (trial 7). The same name imported in two functions
                # is two imports: each is judged by its own uses (adversarial review)
                for other_local, node, other in self.env_import_aliases:
                    if other_local != local or not self._unused_binding(local, node, other):
                        continue
                    self._note(
                        other,
                        self.code,
                        FixClass.SAFE,
                        f"`{local}` was imported from {mod}, which Prefect 1.0 no longer has, and "
                        "nothing used it: import deleted",
                        applied=True,
                    )
        dotted = uses.dotted
        fixer = _ModuleImports(used, dotted, self)
        module = module.visit(fixer)
        for node in self.env_module_imports:
            if self._code(node) in fixer.left:
                self._note(
                    node,
                    PFU_NOT_AT_SINK,
                    FixClass.MANUAL,
                    "prefect.environments no longer exists in Prefect 1.0: replace the uses of this "
                    "import (see the other findings) and remove it",
                )
        if not placeholders:
            # what the import removal needs to know about this module (imports aside, nothing
            # changes from here on)
            self._known_uses = uses
            return module
        for local, name in placeholders:
            use = self._unreported_use(local)
            mod, _, alias = self.env_imports[local]
            if use is None and local in exported:
                use = alias  # only ``__all__`` or a string annotation names it: say so at the import
            if use is not None:
                self._note(use, PFU_NOT_AT_SINK, FixClass.MANUAL, _placeholder_message(mod, name, local))
        keep = {local for local, _ in placeholders}
        if any(name != _LOAD_AND_RUN and not _is_submodule(name) for _, name in placeholders):
            AddImportsVisitor.add_needed_import(self.context, "warnings")
        return module.visit(_Placeholders(keep, self, module.body[0] if module.body else None))


_LOAD_AND_RUN = "load_and_run_flow"
#: The body of a ``load_and_run_flow`` placeholder, at the indentation of a function's body
#: (indented once more where the placeholder is a method).
_RAISE_REMOVED = (
    "    raise RuntimeError(\n"
    f'        "{_LOAD_AND_RUN} was removed in Prefect 1.0: agents start flow runs with "\n'
    "        \"'prefect execute flow-run'\"\n"
    "    )\n"
)


def _is_submodule(name: str) -> bool:
    """Whether a name imported from ``prefect.environments[...]`` is one of its modules
    (``execution``, ``base``, ``k8s`` ...): its classes are CamelCase, its one function is
    ``load_and_run_flow``."""
    return name != _LOAD_AND_RUN and name[:1].islower()


def _placeholder_message(module: str, name: str, local: str) -> str:
    """The finding for a name of ``prefect.environments`` that stays in use (a placeholder)."""
    if _is_submodule(name):
        return (
            f"the module {module}.{name} was removed in Prefect 1.0: replace the uses of `{local}` "
            "(agents start flow runs with `prefect execute flow-run`; environments became run "
            f"configs and executors); the placeholder `{local}` kept here raises when its "
            f"{_LOAD_AND_RUN} is called and has no other attribute"
        )
    if name == _LOAD_AND_RUN:
        return (
            f"{module}.{name} was removed in Prefect 1.0 (agents start flow runs with "
            "`prefect execute flow-run`): remove this entry point and give the flow a run config; "
            f"the placeholder `{local}` kept here raises when called"
        )
    return (
        f"{module}.{name} was removed in Prefect 1.0: replace the uses of `{local}` with run configs "
        "and executors; the placeholder class kept here does nothing (isinstance checks against it "
        "are always false)"
    )


def _rooted_at_prefect(node: cst.BaseExpression) -> bool:
    """Whether the source of ``node`` can start with ``prefect.`` (no parentheses first)."""
    while True:
        if node.lpar:
            return False
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return isinstance(node, cst.Name) and node.value == "prefect"


class _ModuleUses(_NamesAndStrings):
    """One walk of the converted module (import statements aside) for

    * ``used``: every name not in attribute position (``_used_names``);
    * ``dotted``: ``prefect.environments.X`` (not ``.storage``) still referenced
      (``_dotted_env_uses``);
    * ``names``/``strings``: what the import removal checks (``_speed.names_and_strings``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.used: set = set()
        self.dotted = False
        self._attr_names: set = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._attr_names.add(node.attr)
        if not self.dotted and _rooted_at_prefect(node):
            code = cst.Module([]).code_for_node(node)
            if code.startswith("prefect.environments") and not code.startswith("prefect.environments.storage"):
                self.dotted = True

    def visit_Name(self, node: cst.Name) -> None:
        super().visit_Name(node)
        if node not in self._attr_names:
            self.used.add(node.value)


def _used_names(module: cst.Module) -> set:
    used = set()

    class Used(cst.CSTVisitor):
        def visit_Import(self, node) -> bool:
            return False

        def visit_ImportFrom(self, node) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            used.add(node.value)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            for base in node.bases:
                base.visit(self)

    module.visit(Used())
    return used


class _ExplicitStar(cst.CSTTransformer):
    """``from prefect.environments import *`` → ``from prefect.environments import A, B`` (the
    environment classes the converted module still uses), recorded as imports of those names."""

    def __init__(self, codemod: "Environments", names: list) -> None:
        self.codemod = codemod
        self.names = names

    def on_visit(self, node: cst.CSTNode) -> bool:
        return isinstance(node, (cst.Module, cst.SimpleStatementLine, cst.ImportFrom))

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        if not isinstance(updated_node.names, cst.ImportStar) or updated_node.module is None:
            return updated_node
        module = _c(updated_node.module)
        if updated_node.relative or not is_environments_module(module) or module != self.codemod.star_module:
            return updated_node
        aliases = [cst.ImportAlias(name=cst.Name(name)) for name in self.names]
        star = _c(original_node)
        self.codemod.env_module_imports = [n for n in self.codemod.env_module_imports if _c(n) != star]
        for alias in aliases:
            self.codemod.env_imports[alias.name.value] = (module, alias.name.value, alias)
        return updated_node.with_changes(names=aliases)


class _Placeholders(cst.CSTTransformer):
    """Replace still-used names imported from prefect.environments by placeholder classes."""

    def __init__(self, keep: set, codemod: Environments, first: Optional[cst.CSTNode] = None) -> None:
        self.keep = keep
        self.codemod = codemod
        self.first = first  # the module's first statement: no blank lines above it

    def on_visit(self, node: cst.CSTNode) -> bool:
        # statements only: no import statement below an expression
        if isinstance(node, cst.IndentedBlock) and node.body:
            self.block_firsts.add(node.body[0])  # no blank lines between ``try:`` and a placeholder
        return not isinstance(node, cst.BaseExpression) and super().on_visit(node)

    block_firsts: set = frozenset()

    def visit_Module(self, node: cst.Module) -> None:
        self.block_firsts = set()
        self.placed: dict = {}  # id -> (placeholder statement, how many leading lines it carried)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
            return updated_node
        module = cst.Module([]).code_for_node(node.module)
        if not is_environments_module(module):
            return updated_node
        kept, placed = [], []
        for alias in node.names:
            local = cst.Module([]).code_for_node(alias.asname.name if alias.asname else alias.name)
            (placed if local in self.keep else kept).append((alias, local))
        if not placed:
            return updated_node
        statements = []
        if kept:
            names = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a, _ in kept]
            statements.append(updated_node.with_changes(body=[node.with_changes(names=names, lpar=None, rpar=None)]))
        for index, (alias, local) in enumerate(placed):
            if _c(alias.name) == _LOAD_AND_RUN:
                # it ran the flow: doing nothing instead would end the process as if it had run
                source = (
                    f"def {local}(*args, **kwargs):\n"
                    f'    """Placeholder: {module} was removed in Prefect 1.0 (see the PFU205 findings)."""\n'
                    + _RAISE_REMOVED
                )
            elif _is_submodule(_c(alias.name)):
                # ``from prefect.environments import execution as ex``: ``ex.load_and_run_flow()``
                # raises as the function's placeholder does; any other attribute is missing
                source = (
                    f"class {local}:\n"
                    f'    """Placeholder for the module {module}.{_c(alias.name)}, removed in Prefect 1.0 '
                    '(see the PFU205 findings)."""\n\n'
                    "    @staticmethod\n"
                    f"    def {_LOAD_AND_RUN}(*args, **kwargs):\n"
                    + textwrap.indent(_RAISE_REMOVED, "    ")
                )
            else:
                source = (
                    f"class {local}:\n"
                    f'    """Placeholder: {module} was removed in Prefect 1.0 (see the PFU205 findings)."""\n\n'
                    "    def __init__(self, *args, **kwargs):\n"
                    "        warnings.warn(\n"
                    f'            "{local} was removed in Prefect 1.0 and does nothing: "\n'
                    '            "use flow.run_config and flow.executor",\n'
                    "            stacklevel=2,\n"
                    "        )\n"
                )
            stmt = cst.parse_statement(source)
            leading = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
            if index == 0 and (original_node is self.first or original_node in self.block_firsts) and not kept:
                leading = []
            own: list = list(updated_node.leading_lines) if index == 0 and not kept else []
            carried = 0
            if index == 0:
                joined = joined_blank_lines(own, leading)
                # the import's comment and blank lines, then the placeholder's blank lines, counted once
                carried = len(joined) - len(leading)
                leading = joined
                trailing = updated_node.trailing_whitespace.comment
                if not kept and trailing is not None and not _PRAGMA.match(trailing.value):
                    # the import line's own comment goes with the names it imported (a pragma
                    # about that line means nothing here)
                    leading.append(cst.EmptyLine(comment=trailing))
                leading += [
                    cst.EmptyLine(comment=cst.Comment(f"# {REVIEW}: {module} was removed in Prefect 1.0;")),
                    cst.EmptyLine(
                        comment=cst.Comment("#   the placeholders below keep this module importable: replace their uses.")
                    ),
                ]
            placed = stmt.with_changes(leading_lines=leading)
            self.placed[id(placed)] = (placed, carried, index == 0)
            statements.append(placed)
        return cst.FlattenSentinel(statements)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """Placeholders that replaced an import in the middle of the module's imports go after the
        last of them (imports below a class fail flake8's E402 and move under isort), and the code
        after them starts two blank lines down (adversarial review). The comments above the
        replaced import stay where they were, above the import that now comes first."""
        body = list(updated_node.body)
        if not any(id(statement) in self.placed for statement in body):
            return updated_node
        out: list = []
        pending: list = []  # [statement, lines it carried from the import line, first of its group]
        for statement in body:
            entry = self.placed.get(id(statement))
            if entry is not None:
                pending.append([statement, entry[1], entry[2]])
                continue
            if pending and _is_import_line(statement):
                moved: list = []
                for item in pending:
                    placeholder, carried, head = item
                    if head:
                        lines = list(placeholder.leading_lines)
                        moved += lines[:carried]
                        notes = [line for line in lines[carried:] if line.comment is not None]
                        item[0] = placeholder.with_changes(leading_lines=[_BLANK, _BLANK, *notes])
                        item[1] = 0
                if moved:
                    statement = statement.with_changes(leading_lines=[*moved, *statement.leading_lines])
                out.append(statement)
                continue
            if pending:
                out.extend(item[0] for item in pending)
                pending = []
                blank = 0
                for line in statement.leading_lines:
                    if line.comment is not None:
                        break
                    blank += 1
                if blank < 2:
                    statement = statement.with_changes(
                        leading_lines=[*[_BLANK] * (2 - blank), *statement.leading_lines]
                    )
            out.append(statement)
        out.extend(item[0] for item in pending)
        return updated_node.with_changes(body=out)


_BLANK = cst.EmptyLine(indent=False)


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _imports_prefect(small: cst.BaseSmallStatement) -> bool:
    """Whether a small statement imports from Prefect (other than prefect.environments)."""
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        modules = [_c(small.module)]
    elif isinstance(small, cst.Import):
        modules = [_c(alias.name) for alias in small.names]
    else:
        return False
    return any(
        (m == "prefect" or m.startswith("prefect.")) and not is_environments_module(m) for m in modules
    )


def _c(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import binds (``import a.b`` binds ``a``)."""
    return _c(alias.asname.name) if alias.asname else _c(alias.name).split(".")[0]


def _dotted_env_uses(module: cst.Module) -> bool:
    """Whether ``prefect.environments.X`` (not ``.storage``) is still referenced."""
    found = []

    class Dotted(cst.CSTVisitor):
        def visit_Import(self, node) -> bool:
            return False

        def visit_ImportFrom(self, node) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            code = cst.Module([]).code_for_node(node)
            if code.startswith("prefect.environments") and not code.startswith("prefect.environments.storage"):
                found.append(node)
                return False
            return True

    module.visit(Dotted())
    return bool(found)


class _ModuleImports(KeepRemovedLineComments, cst.CSTTransformer):
    """``import prefect.environments…`` / ``from prefect import environments`` once unused.

    An import that nothing in the original module used gets a finding when it goes; the
    comments above a line removed whole stay (``_kept_comments``)."""

    def __init__(self, used: set, dotted: bool, codemod: "Environments") -> None:
        self.used = used
        self.dotted = dotted
        self.codemod = codemod
        self.left: set = set()
        self.originals = {id(n): n for n in codemod.env_module_imports}

    def on_visit(self, node: cst.CSTNode) -> bool:
        # statements only: no import statement below an expression
        return not isinstance(node, cst.BaseExpression) and super().on_visit(node)

    def _deleted(self, node: cst.CSTNode, index: int, local: str) -> None:
        """Report the removal of alias ``index`` of ``node`` when nothing ever used ``local``."""
        original = self.originals.get(id(node)) or next(
            (n for n in self.codemod.env_module_imports if _c(n) == _c(node)), None
        )
        if original is None or self.codemod._used_in_source(local):
            return
        self.codemod._note(
            original.names[index],
            self.codemod.code,
            FixClass.SAFE,
            f"`{local}`{'' if local.startswith('prefect.') else ' (prefect.environments)'} is a module "
            "Prefect 1.0 no longer has, and nothing used it: import deleted",
            applied=True,
        )

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import):
        names = []
        changed = False
        for index, alias in enumerate(updated_node.names):
            dotted_name = cst.Module([]).code_for_node(alias.name)
            if not is_environments_module(dotted_name):
                names.append(alias)
                continue
            if alias.asname is not None:
                local = cst.Module([]).code_for_node(alias.asname.name)
                if local in self.used:
                    names.append(alias)
                    self.left.add(_c(original_node))
                else:
                    changed = True
                    self._deleted(original_node, index, local)
                continue
            if self.dotted:
                names.append(alias)
                self.left.add(_c(original_node))
                continue
            # `import prefect.environments` also bound `prefect`: keep that part
            names.append(alias.with_changes(name=cst.Name("prefect")))
            RemoveImportsVisitor.remove_unused_import(self.codemod.context, "prefect")
            changed = True
            self._deleted(original_node, index, dotted_name)
        if not changed:
            return updated_node
        if not names:
            return cst.RemovalSentinel.REMOVE
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=names)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        if _c(original_node) not in {_c(n) for n in self.codemod.env_module_imports}:
            return updated_node
        if isinstance(updated_node.names, cst.ImportStar):
            others = {"execution", "storage", "load_and_run_flow"}  # what else a star gave
            if self.used & (ENV_CLASSES | others) or not is_environments_module(_c(original_node.module)):
                self.left.add(_c(original_node))
                return updated_node
            # every environment the module used from it was converted
            self.codemod._note(
                original_node,
                self.codemod.code,
                FixClass.SAFE,
                f"`from {_c(original_node.module)} import *`: Prefect 1.0 no longer has the module, and "
                "nothing left uses a name of it: import deleted",
                applied=True,
            )
            return cst.RemoveFromParent()
        for index, alias in enumerate(updated_node.names):
            name = cst.Module([]).code_for_node(alias.name)
            local = cst.Module([]).code_for_node(alias.asname.name) if alias.asname else name
            if name != "environments":
                continue
            if local in self.used:
                self.left.add(_c(original_node))
            else:
                self._deleted(original_node, index, local)
                RemoveImportsVisitor.remove_unused_import(
                    self.codemod.context, "prefect", "environments", local if local != name else None
                )
        return updated_node
