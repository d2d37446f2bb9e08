"""PFU307: ``Flow.run_agent(token=...)`` is silently ignored by Prefect 1.0."""

from __future__ import annotations

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import (
    FLOW,
    TAG,
    RemovedCodemod,
    code_of,
    keyword,
    positional,
    rename_keyword,
    replace_arg,
)
from prefect_upgrade.codemods._speed import module_code
from prefect_upgrade.codemods.base import CodemodOptions, Example
from prefect_upgrade.findings import FixClass

MESSAGE = (
    "`run_agent(token=)` is accepted but ignored by Prefect 1.0: create an API key "
    "(`prefect auth create-key`) and pass it as `api_key=`"
)


@register
class RunAgentToken(RemovedCodemod):
    """``Flow.run_agent(token=...)`` is accepted but ignored by Prefect 1.0.

    1.0 still has the parameter, but it only writes ``cloud.agent.auth_token``, which nothing
    reads any more: the agent starts without credentials. The replacement is
    ``run_agent(api_key=K)`` with a newly created API key, so the row is unsafe: with
    ``--unsafe-fixes`` the keyword is renamed and a ``TODO`` comment says that a new key is
    needed; otherwise it is reported. A positional token (the first argument) is reported
    (manual). On a receiver known to be a ``Flow`` (``with Flow(...) as flow``,
    ``flow = Flow(...)``, ``flow: Flow``) the fix applies; on a receiver of unknown type in a
    module that imports Prefect the call is reported only; a receiver known to be something
    else is left alone.

    Before::

        with Flow("etl") as flow:
            ...
        flow.run_agent(token=TOKEN)

    After (``--unsafe-fixes``)::

        with Flow("etl") as flow:
            ...
        # TODO(prefect-upgrade PFU307): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key
        flow.run_agent(api_key=TOKEN)
    """

    code = "PFU307"
    summary = "Flow.run_agent(token=) is ignored by Prefect 1.0: pass a new API key as api_key="
    fix_class = FixClass.UNSAFE
    markers = ("run_agent",)
    examples = (
        Example("from prefect import Flow\nflow = Flow('x')\nflow.run_agent(api_key=KEY)\n"),
        Example("from prefect import Flow\nflow = Flow('x')\nflow.run_agent(token=TOKEN)\n"),  # reported only
        Example(
            "class Runner:\n    def run_agent(self, token=None): ...\nRunner().run_agent(token='x')\n",
            options=CodemodOptions(unsafe_fixes=True),
        ),
        Example(
            "from prefect import Flow\nwith Flow('x') as flow:\n    pass\nflow.run_agent(token=TOKEN)\n",
            "from prefect import Flow\nwith Flow('x') as flow:\n    pass\n"
            "# TODO(prefect-upgrade PFU307): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key\n"
            "flow.run_agent(api_key=TOKEN)\n",
            options=CodemodOptions(unsafe_fixes=True),
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self._imports_prefect = "prefect" in module_code(node)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "run_agent":
            return updated
        kind = self.class_of(func.value)
        known = bool(kind and kind & FLOW)
        if kind and not known:
            return updated  # known to be something else
        if not known and not self._imports_prefect:
            return updated
        token = keyword(updated, "token")
        if token is None:
            args = positional(original)
            if args:
                self.report(
                    args[0],
                    "the first argument of `run_agent()` is a token, which Prefect 1.0 ignores: "
                    "pass a new API key as `api_key=` instead",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                )
            return updated
        where = keyword(original, "token")
        if keyword(updated, "api_key") is not None:
            self.report(
                where,
                "`run_agent(token=)` is ignored by Prefect 1.0 and `api_key=` is already given: delete `token=`",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return updated
        if not known:
            self.report(
                where,
                f"if `{code_of(func.value).strip()}` is a Prefect Flow: {MESSAGE}",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return updated
        applied = self.allows(FixClass.UNSAFE)
        self.report(where, MESSAGE, applied=applied, fix_class=FixClass.UNSAFE)
        if not applied:
            return updated
        self.comment_statement(
            f"TODO({TAG} PFU307): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key"
        )
        return replace_arg(updated, token, rename_keyword(token, "api_key"))
