"""PFU306: configuration keys and environment variables read or set in Python code."""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.metadata import ParentNodeProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import TAG, RemovedCodemod, code_of, string_like
from prefect_upgrade.codemods.base import CodemodOptions, Example
from prefect_upgrade.findings import FixClass

CONFIG_ROOTS = ("prefect.config", "prefect.context.config")

LOG_ENV = "PREFECT__LOGGING__LOG_TO_CLOUD"
LOG_ENV_NEW = "PREFECT__CLOUD__SEND_FLOW_RUN_LOGS"
LOG_KEY = "logging.log_to_cloud"
LOG_KEY_NEW = "cloud.send_flow_run_logs"

TOKEN_ENVS = ("PREFECT__CLOUD__AUTH_TOKEN", "PREFECT__CLOUD__AGENT__AUTH_TOKEN")
TOKEN_ENV_NEW = "PREFECT__CLOUD__API_KEY"
TOKEN_KEYS = ("cloud.auth_token", "cloud.agent.auth_token")
TOKEN_KEY_NEW = "cloud.api_key"

STORAGE_OLD = "prefect.environments.storage."
STORAGE_CLASSES = {
    "Azure", "Bitbucket", "CodeCommit", "Docker", "GCS", "GitHub", "GitLab", "Local", "S3", "Webhook",
    "Module", "Git", "Storage",
}  # fmt: skip
EXECUTOR_OLD = ("prefect.engine.executors.dask.", "prefect.engine.executors.local.", "prefect.engine.executors.")
EXECUTOR_CLASSES = {"LocalExecutor", "DaskExecutor", "LocalDaskExecutor", "Executor"}

TOKEN_TODO = f"TODO({TAG} PFU360): this setting needs a new Prefect Cloud API key; an API token does not work as a key"
TOKEN_MESSAGE = (
    "`{old}` is ignored by Prefect 1.0, which reads only `{new}`: create an API key "
    "(`prefect auth create-key`) and set it as `{new}`"
)


def _dotted_root(names: set[str]) -> Optional[str]:
    """``logging.log_to_cloud`` for ``prefect.config.logging.log_to_cloud`` (and the context path)."""
    for name in names:
        for root in CONFIG_ROOTS:
            if name.startswith(root + "."):
                return name[len(root) + 1 :]
    return None


def new_class_path(value: str) -> Optional[str]:
    """The 1.0 dotted path of an old ``default_class`` value, or None when there is none."""
    if value.startswith(STORAGE_OLD):
        name = value[len(STORAGE_OLD) :].rsplit(".", 1)[-1]
        return f"prefect.storage.{name}" if name in STORAGE_CLASSES else None
    for prefix in EXECUTOR_OLD:
        if value.startswith(prefix):
            name = value[len(prefix) :]
            return f"prefect.executors.{name}" if name in EXECUTOR_CLASSES else None
    return None


def _is_default_class_key(value: str) -> bool:
    return value.lower().endswith("default_class")


@register
class RemovedSettingsInCode(RemovedCodemod):
    """Settings that Prefect 1.0 renamed or ignores, read or set in Python code.

    - ``log_to_cloud`` (PFU306, safe): ``prefect.config.logging.log_to_cloud`` (also through
      ``prefect.context.config``, ``from prefect import config``, ``["log_to_cloud"]`` and
      ``.get("log_to_cloud")``) → ``prefect.config.cloud.send_flow_run_logs``; the environment
      variable ``PREFECT__LOGGING__LOG_TO_CLOUD`` (``os.environ[...]``, ``os.getenv``,
      ``os.environ.get/setdefault/pop``, keys of dict literals such as ``env={...}``,
      keyword names such as ``dict(os.environ, PREFECT__LOGGING__LOG_TO_CLOUD="true")``) →
      ``PREFECT__CLOUD__SEND_FLOW_RUN_LOGS``; the dotted key ``"logging.log_to_cloud"``
      (``set_temporary_config``) → ``"cloud.send_flow_run_logs"``. Same boolean meaning;
      1.0 ignores the old name without a warning. Note the default changed: 0.13 defaulted
      ``log_to_cloud`` to false, 1.0 defaults ``send_flow_run_logs`` to true.
    - auth tokens (PFU360, unsafe): ``PREFECT__CLOUD__AUTH_TOKEN``,
      ``PREFECT__CLOUD__AGENT__AUTH_TOKEN``, ``prefect.config.cloud.auth_token``,
      ``prefect.config.cloud.agent.auth_token`` and the dotted keys ``"cloud.auth_token"`` /
      ``"cloud.agent.auth_token"``. 1.0 reads only ``cloud.api_key``
      (``PREFECT__CLOUD__API_KEY``), and the value must be a newly created API key, so a rename
      alone never works. With ``--unsafe-fixes`` the name is renamed and a ``TODO`` comment says
      a new key is needed.
    - ``default_class`` strings (PFU361, safe): a value such as
      ``"prefect.environments.storage.S3"`` or ``"prefect.engine.executors.DaskExecutor"``
      assigned to a ``...default_class`` setting (``prefect.config...default_class = ...``,
      ``PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS`` in ``os.environ`` or an env dict)
      becomes ``"prefect.storage.S3"`` / ``"prefect.executors.DaskExecutor"``. Without the
      rewrite, 1.0 silently falls back to ``Local`` storage. A class with no 1.0 counterpart is
      reported (manual).

    Only exact names are rewritten (a string that merely mentions the name stays); shell
    commands inside strings are the business of PFU4xx.

    Before::

        os.environ["PREFECT__LOGGING__LOG_TO_CLOUD"] = "true"
        if prefect.config.logging.log_to_cloud: ...

    After::

        os.environ["PREFECT__CLOUD__SEND_FLOW_RUN_LOGS"] = "true"
        if prefect.config.cloud.send_flow_run_logs: ...
    """

    also_needs = ()  # environment variable names: PREFECT__…
    code = "PFU306"
    summary = "log_to_cloud became cloud.send_flow_run_logs (PREFECT__CLOUD__SEND_FLOW_RUN_LOGS)"
    fix_class = FixClass.SAFE
    extra_codes = {
        "PFU360": "auth-token settings are ignored by Prefect 1.0: a new API key is needed",
        "PFU361": "default_class strings that name moved storage or executor classes",
    }
    code_classes = {
        "PFU360": FixClass.UNSAFE,
    }
    markers = ("log_to_cloud", "LOG_TO_CLOUD", "auth_token", "AUTH_TOKEN", "default_class", "DEFAULT_CLASS")
    examples = (
        Example("import os\nos.environ['PREFECT__CLOUD__SEND_FLOW_RUN_LOGS'] = 'true'\n"),
        Example("import os\nprint('set PREFECT__LOGGING__LOG_TO_CLOUD=true')\nsettings.logging.log_to_cloud\n"),
        Example(
            "import os\nos.environ['PREFECT__LOGGING__LOG_TO_CLOUD'] = 'true'\n",
            "import os\nos.environ['PREFECT__CLOUD__SEND_FLOW_RUN_LOGS'] = 'true'\n",
        ),
        Example(
            "import prefect\nif prefect.config.logging.log_to_cloud:\n    pass\n",
            "import prefect\nif prefect.config.cloud.send_flow_run_logs:\n    pass\n",
        ),
        Example(
            "from prefect.utilities.configuration import set_temporary_config\n"
            "with set_temporary_config({'logging.log_to_cloud': False}):\n    pass\n",
            "from prefect.utilities.configuration import set_temporary_config\n"
            "with set_temporary_config({'cloud.send_flow_run_logs': False}):\n    pass\n",
        ),
    )

    # -- prefect.config.<...> attribute chains -------------------------------------------
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = _dotted_root(self.qnames(original))
        if key == LOG_KEY and isinstance(updated.value, cst.Attribute):
            self.report(
                original,
                "`logging.log_to_cloud` became `cloud.send_flow_run_logs` (1.0 ignores the old key)",
                applied=True,
            )
            return updated.with_changes(
                value=updated.value.with_changes(attr=cst.Name("cloud")), attr=cst.Name("send_flow_run_logs")
            )
        if key in TOKEN_KEYS and self.enabled("PFU360"):
            applied = self.allows(FixClass.UNSAFE)
            self.report(
                original,
                TOKEN_MESSAGE.format(old=key, new=TOKEN_KEY_NEW),
                applied=applied,
                fix_class=FixClass.UNSAFE,
                code="PFU360",
            )
            if applied:
                self.comment_statement(TOKEN_TODO)
                base = updated.value
                if key == "cloud.agent.auth_token" and isinstance(base, cst.Attribute):
                    base = base.value  # drop ".agent"
                return updated.with_changes(value=base, attr=cst.Name("api_key"))
        return updated

    # -- prefect.config.logging["log_to_cloud"] / .get("log_to_cloud") (and the token keys) --------
    def _keyed(self, original_base, updated_base, key_node) -> Optional[tuple[cst.BaseExpression, str]]:
        """The new base expression and key for ``<config section>[key]``, or None to leave it."""
        section = _dotted_root(self.qnames(original_base))
        if section is None or not isinstance(key_node, cst.SimpleString):
            return None
        key = key_node.evaluated_value
        full = f"{section}.{key}"
        if not isinstance(updated_base, cst.Attribute):
            return None
        if full == LOG_KEY:
            self.report(key_node, "`logging.log_to_cloud` became `cloud.send_flow_run_logs`", applied=True)
            return updated_base.with_changes(attr=cst.Name("cloud")), "send_flow_run_logs"
        if full in TOKEN_KEYS and self.enabled("PFU360"):
            applied = self.allows(FixClass.UNSAFE)
            self.report(
                key_node,
                TOKEN_MESSAGE.format(old=full, new=TOKEN_KEY_NEW),
                applied=applied,
                fix_class=FixClass.UNSAFE,
                code="PFU360",
            )
            if not applied:
                return None
            self.comment_statement(TOKEN_TODO)
            base = updated_base.value if full == "cloud.agent.auth_token" else updated_base
            return base, "api_key"
        return None

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        if len(original.slice) != 1 or not isinstance(original.slice[0].slice, cst.Index):
            return updated
        index = original.slice[0].slice
        found = self._keyed(original.value, updated.value, index.value)
        if found is None:
            return updated
        base, key = found
        new_index = updated.slice[0].slice.with_changes(value=string_like(index.value, key))
        return updated.with_changes(value=base, slice=[updated.slice[0].with_changes(slice=new_index)])

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get"
            and original.args
            and isinstance(updated.func, cst.Attribute)
        ):
            found = self._keyed(func.value, updated.func.value, original.args[0].value)
            if found is not None:
                base, key = found
                first = updated.args[0]
                return updated.with_changes(
                    func=updated.func.with_changes(value=base),
                    args=[first.with_changes(value=string_like(first.value, key)), *updated.args[1:]],
                )
        # keyword names: dict(os.environ, PREFECT__LOGGING__LOG_TO_CLOUD="true")
        args = list(updated.args)
        changed = False
        for index, arg in enumerate(original.args):
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            new = self._env_rename(arg.keyword, name, [a.keyword.value for a in original.args if a.keyword])
            if new is not None:
                args[index] = args[index].with_changes(keyword=cst.Name(new))
                changed = True
        return updated.with_changes(args=args) if changed else updated

    # -- exact names in string literals ------------------------------------------------------
    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        try:
            value = original.evaluated_value
        except Exception:  # pragma: no cover - odd literals
            return updated
        if not isinstance(value, str):
            return updated
        if value in (LOG_ENV, LOG_KEY, *TOKEN_ENVS, *TOKEN_KEYS):
            new = self._env_rename(original, value, self._sibling_keys(original))
            return string_like(updated, new) if new is not None else updated
        if "." in value and value.startswith("prefect.") and self.enabled("PFU361") and self._sets_default_class(original):
            new = new_class_path(value)
            if new is not None:
                why = (
                    "Prefect 1.0 would silently fall back to Local storage"
                    if value.startswith(STORAGE_OLD)
                    else "the old path only warns in 1.0 and may go in a later release"
                )
                self.report(original, f"`{value}` moved to `{new}` ({why})", applied=True, code="PFU361")
                return string_like(updated, new)
            if value.startswith((STORAGE_OLD, "prefect.engine.executors.")):
                self.report(
                    original,
                    f"`{value}` does not exist in Prefect 1.0: name a class from "
                    + ("`prefect.storage`" if value.startswith(STORAGE_OLD) else "`prefect.executors` (e.g. `prefect.executors.LocalExecutor`)")
                    + " instead",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code="PFU361",
                )
        return updated

    def _env_rename(self, node: cst.CSTNode, value: str, siblings: list[str]) -> Optional[str]:
        """The new name for a renamed setting (reporting it), or None to leave it."""
        if value in (LOG_ENV, LOG_KEY):
            new = LOG_ENV_NEW if value == LOG_ENV else LOG_KEY_NEW
            if new in siblings:
                self.report(
                    node,
                    f"`{value}` is ignored by Prefect 1.0 and `{new}` is set next to it: delete `{value}`",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                )
                return None
            self.report(node, f"`{value}` became `{new}` (1.0 ignores the old name)", applied=True)
            return new
        if value in (*TOKEN_ENVS, *TOKEN_KEYS) and self.enabled("PFU360"):
            new = TOKEN_ENV_NEW if value in TOKEN_ENVS else TOKEN_KEY_NEW
            if new in siblings or (value.endswith("AUTH_TOKEN") and sum(s in TOKEN_ENVS for s in siblings) > 1):
                self.report(
                    node,
                    f"`{value}` is ignored by Prefect 1.0: delete it and set a new API key as `{new}`",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code="PFU360",
                )
                return None
            applied = self.allows(FixClass.UNSAFE)
            self.report(
                node, TOKEN_MESSAGE.format(old=value, new=new), applied=applied, fix_class=FixClass.UNSAFE, code="PFU360"
            )
            if applied:
                self.comment_statement(TOKEN_TODO)
                return new
        return None

    def _sibling_keys(self, node: cst.SimpleString) -> list[str]:
        """The other string keys of the dict literal ``node`` is a key of."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if not isinstance(parent, cst.DictElement) or parent.key is not node:
            return []
        mapping = self.get_metadata(ParentNodeProvider, parent, None)
        keys = []
        for element in getattr(mapping, "elements", ()):
            if isinstance(element, cst.DictElement) and element is not parent:
                key = element.key
                if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                    keys.append(key.evaluated_value)
        return keys

    def _sets_default_class(self, node: cst.SimpleString) -> bool:
        """Whether the string is the value given to a ``default_class`` setting."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.DictElement) and parent.value is node:
            return isinstance(parent.key, cst.SimpleString) and _is_default_class_key(
                str(parent.key.evaluated_value)
            )
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            for target in targets:
                if isinstance(target, cst.Attribute) and target.attr.value == "default_class":
                    return True
                if isinstance(target, cst.Subscript) and len(target.slice) == 1:
                    index = target.slice[0].slice
                    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                        if _is_default_class_key(str(index.value.evaluated_value)):
                            return True
            return False
        if isinstance(parent, cst.Arg):
            call = self.get_metadata(ParentNodeProvider, parent, None)
            if isinstance(call, cst.Call):
                if parent.keyword is not None:
                    return _is_default_class_key(parent.keyword.value)
                first = call.args[0] if call.args else None
                return (
                    first is not None
                    and first is not parent
                    and isinstance(first.value, cst.SimpleString)
                    and _is_default_class_key(str(first.value.evaluated_value))
                )
        return False


def _is_string(node: cst.CSTNode, value: str) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value == value


__all__ = ["RemovedSettingsInCode", "new_class_path", "code_of", "CodemodOptions"]
