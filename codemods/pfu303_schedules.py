"""PFU303: ``OneTimeSchedule`` and ``UnionSchedule`` were removed in Prefect 0.15."""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import Assignment, ParentNodeProvider, ScopeProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._kept_comments import KeepRemovedLineComments
from prefect_upgrade.codemods._removed_common import (
    RemovedCodemod,
    _dotted,
    code_of,
    in_import_error_guard,
    keyword,
    positional,
)
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.findings import FixClass

ONE_TIME = frozenset({"prefect.schedules.OneTimeSchedule", "prefect.schedules.schedules.OneTimeSchedule"})
UNION = frozenset({"prefect.schedules.UnionSchedule", "prefect.schedules.schedules.UnionSchedule"})
NEW_NAMES = {
    "Schedule": ("prefect.schedules", {"prefect.schedules.Schedule", "prefect.schedules.schedules.Schedule"}),
    "DatesClock": (
        "prefect.schedules.clocks",
        {"prefect.schedules.clocks.DatesClock", "prefect.schedules.DatesClock"},
    ),
}


@register
class RemovedScheduleFactories(KeepRemovedLineComments, RemovedCodemod):
    """``OneTimeSchedule`` and ``UnionSchedule`` were removed in Prefect 0.15.

    Both were thin factories in 0.13/0.14; the rewrite is exactly their body there:

    - ``OneTimeSchedule(start_date=d)`` → ``Schedule(clocks=[DatesClock(dates=[d])])``
      (PFU303, safe);
    - ``UnionSchedule(schedules=S)`` → ``Schedule(clocks=[c for s in S for c in s.clocks])``,
      or ``Schedule(clocks=[*a.clocks, *b.clocks])`` when ``S`` is a literal list
      (PFU330, safe). Like the 0.14 factory, this keeps the clocks and drops any filters or
      adjustments of the inner schedules.

    ``Schedule`` and ``DatesClock`` are imported (``from prefect.schedules import Schedule``,
    ``from prefect.schedules.clocks import DatesClock``); where those names already mean
    something else in the module, ``prefect.schedules.Schedule`` is used instead. The old import
    is removed once nothing uses it (it fails under 1.0); a name nothing used at all gets a
    finding of its own, and the comments above a line removed whole stay. A call this codemod cannot read
    (``**kwargs``, extra arguments) or a use that is not a call is reported (manual).

    Before::

        from prefect.schedules import OneTimeSchedule
        schedule = OneTimeSchedule(start_date=pendulum.now().add(minutes=1))

    After::

        from prefect.schedules import Schedule
        from prefect.schedules.clocks import DatesClock
        schedule = Schedule(clocks=[DatesClock(dates=[pendulum.now().add(minutes=1)])])
    """

    code = "PFU303"
    summary = "OneTimeSchedule was removed: use Schedule(clocks=[DatesClock(dates=[...])])"
    fix_class = FixClass.SAFE
    extra_codes = {"PFU330": "UnionSchedule was removed: use Schedule(clocks=[...all clocks...])"}
    markers = ("OneTimeSchedule", "UnionSchedule")
    examples = (
        Example("from prefect.schedules import Schedule\ns = Schedule(clocks=[])\n"),
        Example("def OneTimeSchedule(d):\n    return d\nOneTimeSchedule(1)\n"),
        Example(
            "from prefect.schedules import OneTimeSchedule\ns = OneTimeSchedule(start_date=d)\n",
            "from prefect.schedules import Schedule\nfrom prefect.schedules.clocks import DatesClock\n\n"
            "s = Schedule(clocks=[DatesClock(dates=[d])])\n",
        ),
        Example(
            "import prefect\ns = prefect.schedules.OneTimeSchedule(d)\n",
            "import prefect\nfrom prefect.schedules import Schedule\nfrom prefect.schedules.clocks import DatesClock\n\n"
            "s = Schedule(clocks=[DatesClock(dates=[d])])\n",
        ),
    )

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.call_of(original, ONE_TIME):
            arg = self._single_argument(original, updated, "start_date", self.code, "OneTimeSchedule")
            if arg is None:
                return updated
            value = arg.value
            dates_clock = self._name_for("DatesClock", original)
            clock = cst.Call(
                func=dates_clock,
                args=[cst.Arg(keyword=cst.Name("dates"), value=cst.List([cst.Element(value)]), equal=_EQ)],
            )
            self._forget_import(original.func)
            self.report(
                original,
                "`OneTimeSchedule(d)` became `Schedule(clocks=[DatesClock(dates=[d])])` (removed in Prefect 0.15)",
                applied=True,
            )
            return self._schedule(original, updated, arg, cst.List([cst.Element(clock)]))
        if self.call_of(original, UNION) and self.enabled("PFU330"):
            arg = self._single_argument(original, updated, "schedules", "PFU330", "UnionSchedule")
            if arg is None:
                return updated
            self._forget_import(original.func)
            self.report(
                original,
                "`UnionSchedule(S)` became `Schedule(clocks=...)` with the clocks of every schedule in S "
                "(removed in Prefect 0.15; filters of the inner schedules were already dropped)",
                applied=True,
                code="PFU330",
            )
            return self._schedule(original, updated, arg, self._all_clocks(arg.value))
        return updated

    def _forget_import(self, func: cst.BaseExpression) -> None:
        """Nothing to do: ``leave_ImportFrom`` drops every import of the removed names."""

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        # The names fail to import under 0.15+; they go even where a use is left for a person
        # (that use is reported), so that the module itself still imports.
        if original.relative or original.module is None or isinstance(original.names, cst.ImportStar):
            return updated
        module = _dotted(original.module)
        if module not in ("prefect.schedules", "prefect.schedules.schedules"):
            return updated
        if in_import_error_guard(original, self.parents):
            return updated
        removed = {"OneTimeSchedule": self.code, "UnionSchedule": "PFU330"}
        keep = [a for a in updated.names if a.evaluated_name not in removed or not self.enabled(removed[a.evaluated_name])]
        if len(keep) == len(updated.names):
            return updated
        self._report_unused(original, removed)
        if not keep:
            return cst.RemoveFromParent()
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=keep)

    def _report_unused(self, node: cst.ImportFrom, removed: dict) -> None:
        """A removed name that nothing used: its uses would be reported, it would not (trial 7)."""
        scope = self.get_metadata(ScopeProvider, node, None)
        for alias in node.names:
            code = removed.get(alias.evaluated_name)
            if code is None or not self.enabled(code) or scope is None:
                continue
            local = alias.evaluated_alias or alias.evaluated_name
            if any(a.references for a in scope.assignments[local] if getattr(a, "node", None) is node):
                continue
            self.report(
                alias,
                f"`{alias.evaluated_name}` was removed in Prefect 0.15 and nothing used it: import deleted",
                applied=True,
                code=code,
            )

    def _single_argument(self, original, updated, name, code, what) -> Optional[cst.Arg]:
        args = positional(updated)
        kw = keyword(updated, name)
        others = [a for a in updated.args if a.keyword is not None and a.keyword.value != name]
        stars = [a for a in updated.args if a.star]
        if len(args) + (kw is not None) != 1 or others or stars:
            self.report(
                original,
                f"`{what}` was removed in Prefect 0.15 and this call cannot be rewritten automatically: "
                f"build a `prefect.schedules.Schedule(clocks=[...])` by hand (the old import is removed: it fails since 0.15)",
                applied=False,
                fix_class=FixClass.MANUAL,
                code=code,
            )
            return None
        return args[0] if args else kw

    def _schedule(self, original: cst.Call, updated: cst.Call, arg: cst.Arg, clocks) -> cst.Call:
        return updated.with_changes(
            func=self._name_for("Schedule", original),
            args=[arg.with_changes(keyword=cst.Name("clocks"), value=clocks, equal=_EQ)],
        )

    def _all_clocks(self, value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, (cst.List, cst.Tuple)) and value.elements and all(
            isinstance(e, cst.Element) for e in value.elements
        ):
            elements = [
                cst.StarredElement(
                    value=cst.Attribute(value=_parenthesize(e.value), attr=cst.Name("clocks")),
                    comma=e.comma,
                )
                for e in value.elements
            ]
            if isinstance(value, cst.List):
                return value.with_changes(elements=elements)
            return cst.List(elements=elements)
        return cst.ListComp(
            elt=cst.Name("c"),
            for_in=cst.CompFor(
                target=cst.Name("s"),
                iter=value,
                inner_for_in=cst.CompFor(
                    target=cst.Name("c"),
                    iter=cst.Attribute(value=cst.Name("s"), attr=cst.Name("clocks")),
                ),
            ),
        )

    def _name_for(self, name: str, at: cst.CSTNode) -> cst.BaseExpression:
        module, wanted = NEW_NAMES[name]
        if self._taken(name, at, wanted):
            AddImportsVisitor.add_needed_import(self.context, module)
            return cst.parse_expression(f"{module}.{name}")
        return self.reference(module, name)

    def _taken(self, name: str, at: cst.CSTNode, wanted: set[str]) -> bool:
        """Whether ``name`` is already bound, at ``at`` or in the module, to something else."""
        try:
            scope = self.get_metadata(ScopeProvider, at)
        except KeyError:
            return False
        scopes = [scope]
        if scope is not None and scope.globals is not scope:
            scopes.append(scope.globals)
        for current in scopes:
            if current is None:
                continue
            for assignment in current[name]:
                if not isinstance(assignment, Assignment):
                    continue
                node = assignment.node
                if isinstance(node, (cst.Import, cst.ImportFrom)):
                    names = {q.name for q in current.get_qualified_names_for(name)}
                    if names & wanted:
                        continue
                return True
        return False

    # -- uses that are not calls -------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        self._other_use(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._other_use(node)

    def _other_use(self, node: cst.CSTNode) -> None:
        names = self.qnames(node)
        code = self.code if names & ONE_TIME else "PFU330" if names & UNION else None
        if code is None:
            return
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        if isinstance(parent, cst.Attribute) and (parent.attr is node or self.qnames(parent) & (ONE_TIME | UNION)):
            return
        current = parent
        while current is not None and not isinstance(current, cst.BaseStatement):
            if isinstance(current, (cst.Import, cst.ImportFrom)):
                return
            current = self.get_metadata(ParentNodeProvider, current, None)
        self.report(
            node,
            f"`{code_of(node)}` was removed in Prefect 0.15: build a `prefect.schedules.Schedule(clocks=[...])` here "
            "instead (the old import is removed: it fails since 0.15)",
            applied=False,
            fix_class=FixClass.MANUAL,
            code=code,
        )


_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _parenthesize(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or value.lpar:
        return value
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
