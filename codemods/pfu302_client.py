"""PFU302: the token-era ``prefect.Client`` API that Prefect 1.0 removed."""

from __future__ import annotations

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import (
    CLIENT,
    TAG,
    RemovedCodemod,
    code_of,
    drop_arg,
    keyword,
    positional,
    rename_keyword,
    replace_arg,
    star_kwargs,
)
from prefect_upgrade.codemods.base import CodemodOptions, Example
from prefect_upgrade.findings import FixClass

KEY_TODO = f"TODO({TAG} {{code}}): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key"

PRIVATE = {
    "_init_tenant": "it is gone; API keys need no tenant set-up",
    "_save_local_settings": "token settings are no longer stored; use `save_auth_to_disk()`",
    "_load_local_settings": "token settings are no longer read; use `load_auth_from_disk()`",
    "_refresh_access_token": "API keys do not expire like access tokens; drop the call",
    "_api_token_settings_path": "the token settings file is ignored; auth lives in ~/.prefect/auth.toml",
    "update_task_run_heartbeat": "task-run heartbeats are gone; drop the call",
}

#: every method name this codemod looks at (others are never resolved, which is costly)
METHODS = frozenset(
    {"graphql", "get", "post", "_request", "login_to_tenant", "get_auth_token", "save_api_token",
     "logout_from_tenant", "get_cloud_url", "get_default_tenant_slug", *PRIVATE}
)  # fmt: skip


@register
class RemovedClientTokenApi(RemovedCodemod):
    """The token-era ``prefect.Client`` API that Prefect 1.0 removed.

    Prefect 1.0 authenticates with API keys only. Rows (api-diff §3):

    - ``Client(api_token=T)`` (PFU302, unsafe): 1.0 raises ``TypeError``. A token is not an
      API key, so the value must change: create a key (``prefect auth create-key``) and pass
      ``api_key=K`` (plus ``tenant_id=`` when the key's default tenant is not the one wanted).
      With ``--unsafe-fixes`` the keyword is renamed and a ``TODO`` comment says a new key is
      needed. In 0.13/0.14 the second positional argument was ``api_token``; in 1.0 it binds
      to ``api_key``: reported (manual).
    - ``client.graphql/get/post(..., token=T)`` (PFU320, unsafe): the keyword is ``api_key=``
      in 1.0; same treatment.
    - ``client.login_to_tenant(...)`` → ``client.switch_tenant(...)`` (PFU321, safe). It now
      returns the tenant id (truthy, as ``True`` was) and saves nothing to disk: call
      ``client.save_auth_to_disk()`` if the tenant must persist. Passing both ``tenant_slug``
      and ``tenant_id`` now raises ``ValueError`` (reported).
    - ``client.active_tenant_id`` → ``client.tenant_id`` (PFU322, safe).
    - ``client.get_auth_token()`` → ``client.api_key`` (PFU323, safe: with an API key the 0.15
      method returned exactly ``api_key``).
    - ``client.save_api_token()`` (PFU324, manual): tokens cannot be stored; log in with a key
      (``prefect auth login --key``) or call ``client.save_auth_to_disk()`` on a client built
      with ``api_key=``.
    - ``client.logout_from_tenant()`` (PFU325, manual): replace with
      ``client.api_key = ""; client.tenant_id = None; client.save_auth_to_disk()``.
    - ``client.get_cloud_url(..., as_user=...)`` and ``client.get_default_tenant_slug(as_user=...)``
      (PFU326, safe): the argument is dropped (a comment keeps the original text).
    - Private token helpers (``_init_tenant``, ``_refresh_access_token`` ...) and
      ``update_task_run_heartbeat`` (PFU327, manual).

    Methods are renamed only where the receiver is known to be a Prefect ``Client``: a
    ``Client(...)`` call, a name assigned from one (or annotated ``Client``) in a visible scope,
    a parameter annotated ``Client``, or ``self.x`` assigned only ``Client(...)`` in the class.
    An object of another type with a method of the same name is left alone.

    Before::

        client = prefect.Client()
        client.login_to_tenant(tenant_slug="acme")
        tenant = client.active_tenant_id

    After::

        client = prefect.Client()
        client.switch_tenant(tenant_slug="acme")
        tenant = client.tenant_id
    """

    code = "PFU302"
    summary = "Client(api_token=) was removed: Prefect 1.0 needs an API key"
    fix_class = FixClass.UNSAFE
    extra_codes = {
        "PFU320": "Client.graphql/get/post(token=) became api_key= (a new API key)",
        "PFU321": "Client.login_to_tenant() became switch_tenant()",
        "PFU322": "Client.active_tenant_id became tenant_id",
        "PFU323": "Client.get_auth_token() became the api_key attribute",
        "PFU324": "Client.save_api_token() was removed",
        "PFU325": "Client.logout_from_tenant() was removed",
        "PFU326": "Client.get_cloud_url/get_default_tenant_slug(as_user=) was removed",
        "PFU327": "private token helpers of Client were removed",
    }
    code_classes = {
        "PFU321": FixClass.SAFE,
        "PFU322": FixClass.SAFE,
        "PFU323": FixClass.SAFE,
        "PFU324": FixClass.MANUAL,
        "PFU325": FixClass.MANUAL,
        "PFU326": FixClass.SAFE,
        "PFU327": FixClass.MANUAL,
    }
    markers = ("Client",)

    @classmethod
    def may_apply(cls, text: str) -> bool:
        words = ("token", "tenant", "as_user", "_local_settings", "heartbeat", "**")
        lowered = text.lower()
        return "Client" in text and any(word in lowered for word in words)
    examples = (
        Example("import prefect\nclient = prefect.Client(api_key=KEY)\n"),
        Example("import prefect\nclient = prefect.Client(api_token=TOKEN)\n"),  # unsafe: reported only
        Example("from mylib import Client\nclient = Client(api_token=TOKEN)\n", options=CodemodOptions(unsafe_fixes=True)),
        Example(
            "import prefect\nclient = prefect.Client(api_token=TOKEN)\n",
            "import prefect\n"
            "# TODO(prefect-upgrade PFU302): `api_key=` needs a new Prefect Cloud API key; an API token does not work as a key\n"
            "client = prefect.Client(api_key=TOKEN)\n",
            options=CodemodOptions(unsafe_fixes=True),
        ),
    )

    # -- Client(...) ----------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.call_of(original, CLIENT):
            return self._constructor(original, updated)
        func = original.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in METHODS
            and self.instance_of(func.value, CLIENT)
        ):
            return self._method(original, updated, func.attr.value)
        return updated

    def _unsafe_key(self, original: cst.Call, updated: cst.Call, old: str, code: str, what: str):
        arg = keyword(updated, old)
        if arg is None or not self.enabled(code):
            return updated
        where = keyword(original, old)
        if keyword(updated, "api_key") is not None:
            self.report(
                where,
                f"{what}(`{old}=`) is gone in Prefect 1.0 and `api_key=` is already given: delete `{old}=`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code=code,
            )
            return updated
        applied = self.allows(FixClass.UNSAFE)
        self.report(
            where,
            f"{what}(`{old}=`) was removed in Prefect 1.0: create an API key "
            "(`prefect auth create-key`) and pass it as `api_key=`",
            applied=applied,
            fix_class=FixClass.UNSAFE,
            code=code,
        )
        if not applied:
            return updated
        self.comment_statement(KEY_TODO.format(code=code))
        return replace_arg(updated, arg, rename_keyword(arg, "api_key"))

    def _constructor(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        for arg in star_kwargs(original):
            self.report(
                arg,
                f"`**{code_of(arg.value)}` is passed to Client: make sure it holds no `api_token` "
                "(pass a new API key as `api_key` instead)",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
        args = positional(original)
        if len(args) >= 2 and self.options.from_version in ("0.13", "0.14"):
            self.report(
                args[1],
                "the second positional argument of Client was `api_token` before 0.15 and is "
                "`api_key` in Prefect 1.0: pass a new API key there, by keyword",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
        return self._unsafe_key(original, updated, "api_token", self.code, "Client")

    # -- client.method(...) -----------------------------------------------------------------
    def _method(self, original: cst.Call, updated: cst.Call, method: str) -> cst.BaseExpression:
        func = updated.func
        assert isinstance(func, cst.Attribute)
        if method in ("graphql", "get", "post", "_request"):
            return self._unsafe_key(original, updated, "token", "PFU320", f"Client.{method}")
        if method == "login_to_tenant" and self.enabled("PFU321"):
            if keyword(original, "tenant_slug") is not None and keyword(original, "tenant_id") is not None:
                self.report(
                    original,
                    "switch_tenant() raises ValueError when given both `tenant_slug` and "
                    "`tenant_id`: keep only one of them",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code="PFU321",
                )
            self.report(
                original.func.attr,
                "`login_to_tenant()` became `switch_tenant()`; it no longer saves the tenant to "
                "disk, so call `client.save_auth_to_disk()` after it if that is needed",
                applied=True,
                fix_class=FixClass.SAFE,
                code="PFU321",
            )
            return updated.with_changes(func=func.with_changes(attr=cst.Name("switch_tenant")))
        if method == "get_auth_token" and not updated.args and self.enabled("PFU323"):
            self.report(
                original.func.attr,
                "`get_auth_token()` became the `api_key` attribute",
                applied=True,
                fix_class=FixClass.SAFE,
                code="PFU323",
            )
            return cst.Attribute(value=func.value, attr=cst.Name("api_key"), dot=func.dot)
        if method == "save_api_token" and self.enabled("PFU324"):
            self.report(
                original,
                "`save_api_token()` was removed (tokens cannot be stored): build the Client with "
                "a new API key (`api_key=`) and call `save_auth_to_disk()` instead",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU324",
            )
        elif method == "logout_from_tenant" and self.enabled("PFU325"):
            self.report(
                original,
                "`logout_from_tenant()` was removed: replace it with `client.api_key = \"\"; "
                "client.tenant_id = None; client.save_auth_to_disk()`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU325",
            )
        elif method in ("get_cloud_url", "get_default_tenant_slug") and self.enabled("PFU326"):
            return self._drop_as_user(original, updated, method)
        elif method in PRIVATE and self.enabled("PFU327"):
            self.report(
                original,
                f"`Client.{method}` was removed in Prefect 1.0: {PRIVATE[method]}",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU327",
            )
        return updated

    def _drop_as_user(self, original: cst.Call, updated: cst.Call, method: str) -> cst.BaseExpression:
        arg = keyword(updated, "as_user")
        slot = 2 if method == "get_cloud_url" else 0
        if arg is None:
            args = positional(updated)
            if len(args) > slot:
                arg = args[slot]
        if arg is None:
            return updated
        self.comment_statement(self.dropped_comment("PFU326", arg, "Prefect 1.0 has no `as_user`"))
        self.report(
            original.func.attr,
            f"dropped `as_user` from `{method}()` (removed in Prefect 1.0, where it raises TypeError)",
            applied=True,
            fix_class=FixClass.SAFE,
            code="PFU326",
        )
        return drop_arg(updated, arg)

    # -- client.active_tenant_id -------------------------------------------------------------
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if original.attr.value == "active_tenant_id" and self.enabled("PFU322"):
            if self.instance_of(original.value, CLIENT):
                self.report(
                    original.attr,
                    "`active_tenant_id` became `tenant_id`",
                    applied=True,
                    fix_class=FixClass.SAFE,
                    code="PFU322",
                )
                return updated.with_changes(attr=cst.Name("tenant_id"))
        return updated
