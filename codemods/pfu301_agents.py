"""PFU301: agent arguments and classes that Prefect 1.0 removed."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import (
    DOCKER_AGENT,
    KUBERNETES_AGENT,
    LOCAL_AGENT,
    TAG,
    RemovedCodemod,
    _dotted,
    code_of,
    drop_arg,
    in_import_error_guard,
    keyword,
    one_line,
    rename_keyword,
    replace_arg,
    star_kwargs,
)
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.findings import FixClass
from libcst.metadata import ParentNodeProvider

FARGATE_MODULES = ("prefect.agent.fargate", "prefect.agent.fargate.agent")
FARGATE = frozenset(
    {"prefect.agent.FargateAgent", "prefect.agent.fargate.FargateAgent", "prefect.agent.fargate.agent.FargateAgent"}
)
FARGATE_MESSAGE = (
    "FargateAgent was removed in Prefect 1.0: run a prefect.agent.ecs.ECSAgent instead "
    "and give the flows an ECSRun run config"
)


@register
class RemovedAgentArguments(RemovedCodemod):
    """Agent arguments and classes that Prefect 1.0 no longer accepts.

    - ``DockerAgent(docker_interface=...)`` (PFU301, safe): the argument has had no effect
      since 0.14.18 and 1.0 raises ``TypeError``; it is dropped, with a comment above the
      statement carrying the original text.
    - ``DockerAgent(network="n")`` (PFU310, safe): becomes ``networks=["n"]``. 0.14/0.15
      ignored a falsy ``network``, so a value that is not a literal becomes
      ``networks=[x] if x else None`` (a name or attribute) or
      ``networks=list(filter(None, [expr]))`` (anything else, evaluated once); a literal
      ``None`` or ``""`` is dropped. Both ``network=`` and ``networks=``: manual (0.14 raised).
    - ``LocalAgent(storage_labels=...)`` (PFU311, safe): no effect since 0.14.0; dropped with
      a comment.
    - ``FargateAgent`` (PFU312, manual): removed with no drop-in replacement. Every use is
      reported and marked with a ``TODO(prefect-upgrade PFU312)`` comment above its statement
      (after the rewrite a second run cannot tell the name is Prefect's); the import (``from prefect.agent.fargate import FargateAgent``,
      ``from prefect.agent import FargateAgent``, ``import prefect.agent.fargate``) is
      removed so that the module still imports under 1.0 (kept when it sits in a
      ``try: ... except ImportError:``). Replace the agent with ``prefect.agent.ecs.ECSAgent``
      (``prefect agent ecs start``) and give each flow an ``ECSRun`` run config; the ECS
      agent's options differ (task definition, cluster, launch type ...).
    - ``KubernetesAgent.generate_deployment_yaml(token=...)`` and
      ``LocalAgent.generate_supervisor_conf(token=...)`` (PFU313, unsafe): the keyword is now
      ``key=`` and must hold a new API key (a RUNNER token is not a key). With
      ``--unsafe-fixes`` the keyword is renamed and a comment says a new key is needed.
    - Options spread with ``**kwargs`` into these agents (PFU314, manual): check by hand that
      they carry none of the removed keywords.

    The same applies to ``super().__init__(...)`` in a subclass of ``DockerAgent``/``LocalAgent``.
    Receivers are resolved by qualified name (aliases, ``import prefect`` chains); a class of
    the same name from another library is left alone.

    Before::

        from prefect.agent.docker import DockerAgent
        DockerAgent(labels=["dev"], docker_interface=False, network="etl")

    After::

        from prefect.agent.docker import DockerAgent
        # prefect-upgrade PFU301: dropped `docker_interface=False` (no effect since Prefect 0.14.18; removed in 1.0)
        DockerAgent(labels=["dev"], networks=["etl"])
    """

    code = "PFU301"
    summary = "DockerAgent(docker_interface=) was removed in Prefect 1.0"
    fix_class = FixClass.SAFE
    extra_codes = {
        "PFU310": "DockerAgent(network=) became networks=[...]",
        "PFU311": "LocalAgent(storage_labels=) was removed",
        "PFU312": "FargateAgent was removed: use ECSAgent and ECSRun",
        "PFU313": "agent deployment helpers take key= (an API key) instead of token=",
        "PFU314": "options spread with ** into an agent may hold removed keywords",
    }
    code_classes = {
        "PFU312": FixClass.MANUAL,
        "PFU313": FixClass.UNSAFE,
        "PFU314": FixClass.MANUAL,
    }
    markers = ("Agent", "fargate")

    @classmethod
    def may_apply(cls, text: str) -> bool:
        words = ("docker_interface", "network", "storage_labels", "argate", "token", "**")
        return ("Agent" in text or "fargate" in text) and any(word in text for word in words)
    examples = (
        Example("from prefect.agent.docker import DockerAgent\nDockerAgent(networks=['a'])\n"),
        Example("from mylib import DockerAgent\nDockerAgent(docker_interface=False)\n"),
        Example(
            "from prefect.agent.docker import DockerAgent as DA\nDA(labels=['a'], docker_interface=False)\n",
            "from prefect.agent.docker import DockerAgent as DA\n"
            "# prefect-upgrade PFU301: dropped `docker_interface=False` (no effect since Prefect 0.14.18; removed in 1.0)\n"
            "DA(labels=['a'])\n",
        ),
        Example(
            "import prefect\nagent = prefect.agent.docker.DockerAgent(\n    docker_interface=True,  # legacy\n    labels=['a'],\n)\n",
            "import prefect\n"
            "# prefect-upgrade PFU301: dropped `docker_interface=True` (no effect since Prefect 0.14.18; removed in 1.0)"
            " -- its comment: legacy\n"
            "agent = prefect.agent.docker.DockerAgent(\n    labels=['a'],\n)\n",
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._carried: list[cst.EmptyLine] = []

    # -- calls --------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.call_of(original, DOCKER_AGENT) or self._super_init_of(original, DOCKER_AGENT):
            return self._docker(original, updated)
        if self.call_of(original, LOCAL_AGENT) or self._super_init_of(original, LOCAL_AGENT):
            return self._local(original, updated)
        if isinstance(original.func, cst.Attribute):
            method = original.func.attr.value
            receiver = original.func.value
            if method == "generate_deployment_yaml" and self._is(receiver, KUBERNETES_AGENT):
                return self._token_to_key(original, updated)
            if method == "generate_supervisor_conf" and self._is(receiver, LOCAL_AGENT):
                return self._token_to_key(original, updated)
        return updated

    def _super_init_of(self, call: cst.Call, names) -> bool:
        """``super().__init__(...)`` inside a class that subclasses one of ``names``."""
        func = call.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "__init__"
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        ):
            return False
        klass = self._enclosing(call, cst.ClassDef)
        return klass is not None and any(self.is_one_of(base.value, names) for base in klass.bases)

    def _is(self, receiver: cst.BaseExpression, names) -> bool:
        return self.is_one_of(receiver, names) or self.instance_of(receiver, names)

    def _spread(self, original: cst.Call, agent: str, removed: str) -> None:
        for arg in star_kwargs(original):
            self.report(
                arg,
                f"`**{code_of(arg.value)}` is passed to {agent}: make sure it holds no {removed} "
                "(Prefect 1.0 raises TypeError for them)",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU314",
            )

    def _docker(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        self._spread(original, "DockerAgent", "`docker_interface` or `network` key")
        interface = keyword(updated, "docker_interface")
        if interface is not None:
            self.comment_statement(
                self.dropped_comment(self.code, interface, "no effect since Prefect 0.14.18; removed in 1.0")
            )
            self.report(
                keyword(original, "docker_interface"),
                "dropped `docker_interface=` (no effect since Prefect 0.14.18; TypeError in 1.0)",
                applied=True,
                fix_class=FixClass.SAFE,
            )
            updated = drop_arg(updated, interface)
        network = keyword(updated, "network")
        if network is not None and self.enabled("PFU310"):
            where = keyword(original, "network")
            if keyword(updated, "networks") is not None:
                self.report(
                    where,
                    "both `network=` and `networks=` are given: move the `network` value into the "
                    "`networks` list (Prefect 1.0 has no `network=`)",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code="PFU310",
                )
                return updated
            value = network.value
            if isinstance(value, cst.Name) and value.value == "None" or (
                isinstance(value, cst.SimpleString) and value.evaluated_value == ""
            ):
                self.comment_statement(self.dropped_comment("PFU310", network, "an empty network was ignored"))
                updated = drop_arg(updated, network)
                message = "dropped `network=` with an empty value (it was ignored)"
            else:
                if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                    new_value: cst.BaseExpression = cst.List([cst.Element(value)])
                elif isinstance(value, (cst.Name, cst.Attribute)):
                    new_value = cst.IfExp(
                        test=value,
                        body=cst.List([cst.Element(value)]),
                        orelse=cst.Name("None"),
                    )
                else:
                    inner = cst.Call(
                        func=cst.Name("filter"),
                        args=[cst.Arg(cst.Name("None"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                              cst.Arg(cst.List([cst.Element(value)]))],
                    )
                    new_value = cst.Call(func=cst.Name("list"), args=[cst.Arg(inner)])
                updated = replace_arg(updated, network, rename_keyword(network, "networks", new_value))
                message = "`network=` became `networks=[...]` (removed in Prefect 0.15)"
            self.report(where, message, applied=True, fix_class=FixClass.SAFE, code="PFU310")
        return updated

    def _local(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        self._spread(original, "LocalAgent", "`storage_labels` key")
        labels = keyword(updated, "storage_labels")
        if labels is not None and self.enabled("PFU311"):
            self.comment_statement(
                self.dropped_comment("PFU311", labels, "no effect since Prefect 0.14.0; removed in 0.15")
            )
            self.report(
                keyword(original, "storage_labels"),
                "dropped `storage_labels=` (no effect since Prefect 0.14.0; TypeError in 1.0)",
                applied=True,
                fix_class=FixClass.SAFE,
                code="PFU311",
            )
            updated = drop_arg(updated, labels)
        return updated

    def _token_to_key(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        token = keyword(updated, "token")
        if token is None or not self.enabled("PFU313"):
            return updated
        method = original.func.attr.value
        if keyword(updated, "key") is not None:
            self.report(
                keyword(original, "token"),
                f"`{method}(token=)` is gone in Prefect 1.0 and `key=` is already given: delete `token=`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU313",
            )
            return updated
        message = (
            f"`{method}(token=)` became `key=` in Prefect 1.0: create an API key "
            "(`prefect auth create-key`) and pass it as `key=`"
        )
        applied = self.allows(FixClass.UNSAFE)
        self.report(keyword(original, "token"), message, applied=applied, fix_class=FixClass.UNSAFE, code="PFU313")
        if not applied:
            return updated
        self.comment_statement(
            f"TODO({TAG} PFU313): `key=` needs a new Prefect Cloud API key; an API token does not work as a key"
        )
        return replace_arg(updated, token, rename_keyword(token, "key"))

    # -- FargateAgent ---------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        if self.enabled("PFU312") and self.is_one_of(node, FARGATE) and not self._in_import(node):
            self._fargate_use(node)
            return False
        return None

    def visit_Name(self, node: cst.Name) -> None:
        if not self.enabled("PFU312") or not self.is_one_of(node, FARGATE) or self._in_import(node):
            return
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        self._fargate_use(node)

    def _fargate_use(self, node: cst.CSTNode) -> None:
        """Reported, and marked in the code: once the import is gone, a second run cannot tell
        this name is Prefect's, and the statement would fail with a NameError unannounced."""
        self.report(node, FARGATE_MESSAGE, applied=False, fix_class=FixClass.MANUAL, code="PFU312")
        self.comment_statement(
            f"TODO({TAG} PFU312): FargateAgent was removed in Prefect 1.0: use an ECSAgent and ECSRun run configs"
        )

    def _in_import(self, node: cst.CSTNode) -> bool:
        current = self.get_metadata(ParentNodeProvider, node, None)
        while current is not None:
            if isinstance(current, (cst.Import, cst.ImportFrom)):
                return True
            if isinstance(current, cst.BaseStatement):
                return False
            current = self.get_metadata(ParentNodeProvider, current, None)
        return False

    def _fargate_import(self, node: cst.BaseSmallStatement) -> Optional[list[str]]:
        """The names to drop from an import of the removed fargate agent (None: leave it)."""
        if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
            module = _dotted(node.module)
            if isinstance(node.names, cst.ImportStar):
                return None
            if module in FARGATE_MODULES:
                return [alias.evaluated_name for alias in node.names]
            if module == "prefect.agent":
                return [a.evaluated_name for a in node.names if a.evaluated_name in ("FargateAgent", "fargate")]
            if module == "prefect.agent.fargate" or (module or "").startswith("prefect.agent.fargate."):
                return [alias.evaluated_name for alias in node.names]
        if isinstance(node, cst.Import):
            return [
                a.evaluated_name
                for a in node.names
                if a.evaluated_name in FARGATE_MODULES or a.evaluated_name.startswith("prefect.agent.fargate.")
            ]
        return None

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if not self.enabled("PFU312"):
            return updated
        body = []
        changed = False
        for small, new in zip(original.body, updated.body):
            names = self._fargate_import(small)
            if not names or in_import_error_guard(original, self.parents):
                body.append(new)
                continue
            keep = [a for a in new.names if a.evaluated_name not in names]
            changed = True
            self.report(
                small,
                f"removed the import of {', '.join(names)}: the module is gone in Prefect 1.0 "
                "(use prefect.agent.ecs.ECSAgent and ECSRun)",
                applied=True,
                fix_class=FixClass.SAFE,
                code="PFU312",
            )
            if keep:
                keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                body.append(new.with_changes(names=keep))
        if not changed:
            return updated
        removed = "; ".join(one_line(code_of(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))
                            for small in original.body if self._fargate_import(small))
        note = cst.EmptyLine(
            comment=cst.Comment(
                f"# {TAG} PFU312: removed `{removed}` (FargateAgent is gone in Prefect 1.0; use ECSAgent + ECSRun)"
            )
        )
        if body:
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(body=body, leading_lines=[*updated.leading_lines, note])
        self._carried.extend([*updated.leading_lines, note])
        return cst.RemovalSentinel.REMOVE

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._carried and isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._receivers = getattr(self, "_receivers", {})
            self._receivers[id(node)] = self._carried
            self._carried = []
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        carried = getattr(self, "_receivers", {}).pop(id(original_node), None)
        if carried and isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            result = result.with_changes(leading_lines=[*carried, *result.leading_lines])
        return result

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if self._carried:
            lines, self._carried = self._carried, []
            if not updated.body:
                return updated.with_changes(
                    body=[cst.SimpleStatementLine([cst.Pass()], leading_lines=lines)]
                )
            return updated.with_changes(footer=[*lines, *updated.footer])
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if self._carried:
            lines, self._carried = self._carried, []
            return updated.with_changes(footer=[*lines, *updated.footer])
        return updated
