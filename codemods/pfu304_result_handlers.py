"""PFU304: the 0.13 result handlers became results (removed in Prefect 0.14)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ParentNodeProvider, ScopeProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import (
    RemovedCodemod,
    code_of,
    drop_arg,
    keyword,
    positional,
    rename_keyword,
    replace_arg,
)
from prefect_upgrade.codemods._exports import kept_names
from prefect_upgrade.codemods._speed import names_and_strings, remove_imports
from prefect_upgrade.codemods.base import CodemodOptions, Example
from prefect_upgrade.findings import FixClass

MODULE = "prefect.engine.result_handlers"

#: handler -> (result class, the handler's parameters in order, the parameters the result keeps).
#: From 0.13.19:prefect/engine/results/result_handler_result.py CONVERSIONS (what 0.13 itself
#: turned each handler into at run time) and the 0.13.19 handler signatures.
HANDLERS = {
    "LocalResultHandler": ("LocalResult", ("dir", "validate"), ("dir",)),
    "S3ResultHandler": ("S3Result", ("bucket", "aws_credentials_secret", "boto3_kwargs"), ("bucket", "boto3_kwargs")),
    "GCSResultHandler": ("GCSResult", ("bucket", "credentials_secret"), ("bucket",)),
    "AzureResultHandler": (
        "AzureResult",
        ("container", "connection_string", "azure_credentials_secret"),
        ("container", "connection_string"),
    ),
    "SecretResultHandler": ("SecretResult", ("secret_task",), ("secret_task",)),
    "JSONResultHandler": ("PrefectResult", (), ()),
    "ConstantResultHandler": ("ConstantResult", ("value",), ("value",)),
}
SUBMODULES = {
    "LocalResultHandler": "local_result_handler",
    "S3ResultHandler": "s3_result_handler",
    "GCSResultHandler": "gcs_result_handler",
    "AzureResultHandler": "azure_result_handler",
    "SecretResultHandler": "secret_result_handler",
    "JSONResultHandler": "json_result_handler",
    "ConstantResultHandler": "constant_result_handler",
}


def _handler_name(names: set[str]) -> Optional[str]:
    for name in names:
        for handler, sub in SUBMODULES.items():
            if name in (f"{MODULE}.{handler}", f"{MODULE}.{sub}.{handler}"):
                return handler
    return None


BASE = {f"{MODULE}.ResultHandler", f"{MODULE}.result_handler.ResultHandler"}


#: Result classes of 0.13 removed in 0.14 with no successor: qualified name -> what to use
#: (spec row "prefect.engine.result.SafeResult, ResultInterface; ResultHandlerResult": needs human).
REMOVED_RESULTS = {
    "prefect.engine.result.SafeResult": "SafeResult",
    "prefect.engine.result.base.SafeResult": "SafeResult",
    "prefect.engine.result.ResultInterface": "ResultInterface",
    "prefect.engine.result.base.ResultInterface": "ResultInterface",
    "prefect.engine.results.ResultHandlerResult": "ResultHandlerResult",
    "prefect.engine.results.result_handler_result.ResultHandlerResult": "ResultHandlerResult",
}
REMOVED_RESULT_ADVICE = {
    "SafeResult": "use `prefect.engine.result.Result` (a Result keeps its value and its location itself)",
    "ResultInterface": "use `prefect.engine.result.Result`",
    "ResultHandlerResult": "use the `prefect.engine.results` class that matches the handler",
}


def _is_result_class(names: set[str]) -> bool:
    """``Result``, ``SafeResult``, ``LocalResult``... (``prefect.engine.result[s]``): 0.13's
    ``Result.__init__`` took ``result_handler=``; none of them ever took ``result=``."""
    return any(name.startswith(("prefect.engine.result.", "prefect.engine.results.")) for name in names)


@register
class RemovedResultHandlers(RemovedCodemod):
    """Result handlers (``prefect.engine.result_handlers``) were removed in Prefect 0.14.

    The spec marks these rows "needs human": results also template ``location`` and keep
    their own serializer, and data written by old handlers is not read back by results. The
    rewrite is therefore unsafe (applied with ``--unsafe-fixes``, reported otherwise):

    - each handler becomes the result 0.13 itself converted it to at run time (PFU304):
      ``LocalResultHandler(dir=)`` → ``LocalResult(dir=)``, ``S3ResultHandler(bucket,
      boto3_kwargs=)`` → ``S3Result``, ``GCSResultHandler`` → ``GCSResult``,
      ``AzureResultHandler(container, connection_string)`` → ``AzureResult``,
      ``SecretResultHandler(secret_task)`` → ``SecretResult``, ``JSONResultHandler()`` →
      ``PrefectResult()``, ``ConstantResultHandler(value)`` → ``ConstantResult(value=)``.
      Positional arguments become keywords; arguments that the 0.13 conversion already ignored
      (``validate``, ``aws_credentials_secret``, ``credentials_secret``,
      ``azure_credentials_secret``) are dropped with a comment carrying them. The import of
      ``prefect.engine.result_handlers`` goes once nothing uses it.
    - ``result_handler=`` becomes ``result=`` (PFU340) on any call (``Task``, ``Flow``,
      ``@task``, task-library classes all forwarded it), except on a Result itself:
      ``Result(value, result_handler=h)`` (0.13; also ``LocalResult(..., result_handler=)``,
      whose extra keywords reached ``Result.__init__``) is reported (PFU340, manual), as
      ``result=`` would be a TypeError under 1.0 (trial 10, a checkpoint handler building
      ``Result(value=data, result_handler=task.result_handler)``). Where the spec is silent:
      the person picks the ``prefect.engine.results`` class that matches the handler.
    - ``SafeResult``, ``ResultInterface`` (``prefect.engine.result``) and ``ResultHandlerResult``
      (``prefect.engine.results``) were removed in 0.14 with no successor: each import or use is
      reported (PFU304, manual; trial 10, a ``SafeResult`` subclass), and so is
      ``super().__init__(result_handler=...)`` inside a Result subclass (PFU340, manual).
    - ``validators=`` and ``run_validators=`` of a Result (removed after 0.14.22) are reported
      (PFU304, manual): nothing in 1.0 runs them, so the check has to move into the task.
    - a custom ``ResultHandler`` subclass, or ``x.result_handler = ...`` (PFU341, manual):
      write a ``prefect.engine.result.Result`` subclass (``read``/``write``/``exists``).
    - an import from ``prefect.engine.result_handlers`` (the module, a submodule, a name) fails
      under 1.0 even when nothing above applies (trial 7: an unused ``S3ResultHandler`` next to
      a converted ``LocalResultHandler`` stayed, and the file no longer imported). A name that
      nothing uses is deleted from the import (PFU304, safe: the module is gone in 1.0, and
      unused code cannot need it). A name used other than as a handler call (rewritten or
      reported above) or a base class (PFU341) -- a value in a dict, an annotation -- is
      reported at the import (PFU304, manual). A star import is reported too.

    Before::

        from prefect.engine.result_handlers import LocalResultHandler
        task = MyTask(result_handler=LocalResultHandler(dir="/tmp/results"))

    After (``--unsafe-fixes``)::

        from prefect.engine.results import LocalResult
        task = MyTask(result=LocalResult(dir="/tmp/results"))
    """

    code = "PFU304"
    summary = "result handlers were removed: use prefect.engine.results"
    fix_class = FixClass.UNSAFE
    extra_codes = {
        "PFU340": "result_handler= became result=",
        "PFU341": "custom result handlers must become Result subclasses",
    }
    code_classes = {
        "PFU341": FixClass.MANUAL,
    }
    markers = ("result_handler", "ResultHandler", "SafeResult", "ResultInterface", "validators")
    examples = (
        Example("from prefect.engine.results import LocalResult\nr = LocalResult(dir='x')\n"),
        Example("from prefect.engine.result_handlers import LocalResultHandler\nr = LocalResultHandler(dir='x')\n"),
        Example(
            "from prefect.engine.result_handlers import LocalResultHandler\nr = LocalResultHandler('x')\n",
            "from prefect.engine.results import LocalResult\n\nr = LocalResult(dir='x')\n",
            options=CodemodOptions(unsafe_fixes=True),
        ),
        # an import nothing uses goes even without --unsafe-fixes: 1.0 has no such module
        Example("from prefect.engine.result_handlers import LocalResultHandler\nx = 1\n", "x = 1\n"),
        # removed result classes: reported, left as they are (no successor)
        Example("from prefect.engine.result import SafeResult\n", reports=("PFU304",)),
        Example(
            "from prefect.engine.result import Result\nr = Result(1, validators=[check])\n",
            options=CodemodOptions(unsafe_fixes=True),
            reports=("PFU304",),
        ),
    )

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        handler = _handler_name(self.qnames(original.func))
        if handler is not None:
            updated = self._handler(original, updated, handler)
        if _is_result_class(self.qnames(original.func)):
            for name in ("validators", "run_validators"):
                where = keyword(original, name)
                if where is not None:
                    self.report(
                        where,
                        f"`{name}=` was removed from Results after Prefect 0.14: check the value in the task "
                        f"itself (or in a state handler), then delete `{name}=`",
                        applied=False,
                        fix_class=FixClass.MANUAL,
                    )
        arg = keyword(updated, "result_handler")
        if arg is not None and self.enabled("PFU340"):
            updated = self._keyword(original, updated, arg)
        return updated

    def _handler(self, original: cst.Call, updated: cst.Call, handler: str) -> cst.BaseExpression:
        result, params, kept = HANDLERS[handler]
        if any(a.star for a in original.args) or len(positional(original)) > len(params):
            self.report(
                original,
                f"`{handler}` was removed in Prefect 0.14 and this call cannot be rewritten automatically: "
                f"build a `prefect.engine.results.{result}` by hand",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return updated
        applied = self.allows(FixClass.UNSAFE)
        self.report(
            original,
            f"`{handler}` was removed in Prefect 0.14: use `prefect.engine.results.{result}` "
            "(results template `location`; data written by the old handler is not read back)",
            applied=applied,
            fix_class=FixClass.UNSAFE,
        )
        if not applied:
            return updated
        call = updated.with_changes(func=self.reference("prefect.engine.results", result))
        names = [arg.keyword.value if arg.keyword is not None else params[i] for i, arg in enumerate(updated.args)]
        for index in reversed(range(len(updated.args))):
            if names[index] not in kept:
                shown = updated.args[index]
                if shown.keyword is None:
                    shown = shown.with_changes(
                        keyword=cst.Name(names[index]),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                    )
                self.comment_statement(
                    self.dropped_comment(self.code, shown, f"{result} has no `{names[index]}`; 0.13 ignored it already")
                )
                call = drop_arg(call, call.args[index])
        remaining = [name for name in names if name in kept]
        equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
        call = call.with_changes(
            args=[
                arg if arg.keyword is not None else arg.with_changes(keyword=cst.Name(name), equal=equal)
                for arg, name in zip(call.args, remaining)
            ]
        )
        if isinstance(original.func, cst.Name):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, original.func)
        RemoveImportsVisitor.remove_unused_import(self.context, MODULE)
        for sub in SUBMODULES.values():
            RemoveImportsVisitor.remove_unused_import(self.context, f"{MODULE}.{sub}")
        return call

    def _keyword(self, original: cst.Call, updated: cst.Call, arg: cst.Arg) -> cst.Call:
        where = keyword(original, "result_handler")
        if keyword(updated, "result") is not None:
            self.report(
                where,
                "`result_handler=` was removed in Prefect 0.14 and `result=` is already given: delete `result_handler=`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU340",
            )
            return updated
        if _is_result_class(self.qnames(original.func)) or self._super_init_of_a_result(original):
            self.report(
                where,
                "`result_handler=` was removed in Prefect 0.14 and a Result takes no `result=`: build the "
                "`prefect.engine.results` class that matches the handler (`LocalResult(value, dir=...)` for a "
                "LocalResultHandler) and delete `result_handler=`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU340",
            )
            return updated
        applied = self.allows(FixClass.UNSAFE)
        kind = self.class_of(where.value)
        known = kind is not None and _handler_name(set(kind)) is not None
        message = "`result_handler=` was removed in Prefect 0.14: pass a `prefect.engine.results` Result as `result=`"
        if not known:
            message += f" (check that `{code_of(where.value).strip()}` is a Result, not a ResultHandler)"
        self.report(where, message, applied=applied, fix_class=FixClass.UNSAFE, code="PFU340")
        if not applied:
            return updated
        return replace_arg(updated, arg, rename_keyword(arg, "result"))

    def _super_init_of_a_result(self, call: cst.Call) -> bool:
        """``super().__init__(...)`` in a class whose base is a Prefect Result class."""
        func = call.func
        return (
            bool(self._result_classes)
            and self._result_classes[-1]
            and isinstance(func, cst.Attribute)
            and func.attr.value == "__init__"
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        )

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._result_classes.pop()
        return updated_node

    # -- SafeResult, ResultInterface, ResultHandlerResult ----------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in REMOVED_RESULT_ADVICE:
            self._report_removed_result(node, self.qnames(node))

    def _report_removed_result(self, node: cst.CSTNode, names: set[str]) -> None:
        found = sorted({REMOVED_RESULTS[name] for name in names if name in REMOVED_RESULTS})
        if not found or node in self._reported_results:
            return
        self._reported_results.add(node)
        self.report(
            node,
            f"`{found[0]}` was removed in Prefect 0.14: {REMOVED_RESULT_ADVICE[found[0]]}",
            applied=False,
            fix_class=FixClass.MANUAL,
        )

    # -- imports of the removed module --------------------------------------------------------
    def transform_module(self, tree: cst.Module) -> cst.Module:
        self._result_classes: list = []
        self._reported_results: set = set()
        self._late_removals: list = []
        self._uses_to_check: list = []
        self._tree = tree
        self._strings = None  # the module's string literals, read when first needed
        new = super().transform_module(tree)
        if self._late_removals:
            new = remove_imports(self, new, self._late_removals)
        return new

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = get_full_name_for_node(node.module) or ""
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._report_removed_result(alias, {f"{module}.{get_full_name_for_node(alias.name)}"})
        if module != MODULE and not module.startswith(MODULE + "."):
            return
        if isinstance(node.names, cst.ImportStar):
            self.report(
                node,
                f"`from {module} import *`: the module was removed in Prefect 0.14: import what is "
                "used from `prefect.engine.results` instead",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            local = get_full_name_for_node(alias.asname.name) if alias.asname is not None else name
            self._removed_module_import(node, alias, local, (module, name, local if local != name else None))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            if name != MODULE and not name.startswith(MODULE + "."):
                continue
            local = get_full_name_for_node(alias.asname.name) if alias.asname is not None else name
            self._removed_module_import(node, alias, local, (name, None, local if local != name else None))

    def _removed_module_import(self, node, alias: cst.ImportAlias, local: str, removal: tuple) -> None:
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return
        references = [
            ref for assignment in scope.assignments[local] if getattr(assignment, "node", None) is node
            for ref in assignment.references
        ]
        if not references and self._exported_or_annotated(local):
            # libcst's import removal keeps it (``__all__`` or a string annotation names it)
            self.report(
                alias,
                f"`{local}` comes from `{MODULE}`, removed in Prefect 0.14, and is named in `__all__` "
                "or a string annotation: use a `prefect.engine.results` Result there (or drop the "
                "name), then delete the import",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return
        if not references:
            self.report(
                alias,
                f"`{local}` comes from `{MODULE}`, removed in Prefect 0.14, and nothing uses it: "
                "import deleted",
                applied=True,
                fix_class=FixClass.SAFE,
            )
            if removal[1] is None:
                # libcst keeps one removal per module for `import m [as a]`: the calls above ask
                # for `import prefect.engine.result_handlers` and would win over this alias
                self._late_removals.append(removal)
            else:
                RemoveImportsVisitor.remove_unused_import(self.context, *removal)
            return
        # Read at the end of the walk, when the parents of the uses are known without a pass
        # of ParentNodeProvider over the whole tree.
        self._uses_to_check.append((alias, local, references))

    def _exported_or_annotated(self, local: str) -> bool:
        if self._strings is None:
            self._strings = names_and_strings(self._tree).strings
        return bool(kept_names(self._tree, [local], self._strings))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        for alias, local, references in self._uses_to_check:
            if not all(self._handled_use(ref.node) for ref in references):
                self.report(
                    alias,
                    f"`{local}` comes from `{MODULE}`, removed in Prefect 0.14, and is used other than "
                    "as a handler call (a value, an annotation): use a `prefect.engine.results` Result "
                    "there, then delete the import",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                )
        return updated_node

    def _handled_use(self, node: cst.CSTNode) -> bool:
        """A use the calls or base classes above rewrite or report (the rest fails in 1.0)."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        while isinstance(parent, cst.Attribute) and parent.value is node:
            node, parent = parent, self.get_metadata(ParentNodeProvider, parent, None)
        if isinstance(parent, cst.Call) and parent.func is node:
            return _handler_name(self.qnames(node)) is not None
        if isinstance(parent, cst.Arg) and self.qnames(node) & BASE:
            return isinstance(self.get_metadata(ParentNodeProvider, parent, None), cst.ClassDef)
        return False

    # -- custom handlers and attribute assignments -------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._result_classes.append(any(_is_result_class(self.qnames(base.value)) for base in node.bases))
        for base in node.bases:
            if self.qnames(base.value) & BASE and self.enabled("PFU341"):
                self.report(
                    base,
                    f"`{node.name.value}` subclasses ResultHandler, removed in Prefect 0.14: rewrite it as a "
                    "`prefect.engine.result.Result` subclass with `read`, `write` and `exists`",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code="PFU341",
                )

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if isinstance(target, cst.Attribute) and target.attr.value == "result_handler" and self.enabled("PFU341"):
            self.report(
                target,
                "`.result_handler` was removed in Prefect 0.14: set `.result` to a `prefect.engine.results` Result instead",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU341",
            )
