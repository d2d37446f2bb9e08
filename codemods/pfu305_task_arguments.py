"""PFU305: keyword arguments of task-library classes that were renamed or removed."""

from __future__ import annotations

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._removed_common import (
    RemovedCodemod,
    code_of,
    keyword,
    positional,
    rename_keyword,
    replace_arg,
    star_kwargs,
)
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.findings import FixClass


def _names(modules: tuple[str, ...], classes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{module}.{cls}" for module in modules for cls in classes)


DREMIO = _names(("prefect.tasks.dremio", "prefect.tasks.dremio.dremio"), ("DremioFetch",))
DREMIO_RENAMES = {"user": "username", "host": "hostname", "port": "flightport"}
#: 0.14 positional order of both ``__init__`` and ``run``; the 5th (``query``) moved to 7th in 1.0.
DREMIO_OLD_ORDER = ("user", "password", "host", "port", "query")

DROPBOX = _names(("prefect.tasks.dropbox", "prefect.tasks.dropbox.dropbox"), ("DropboxDownload",))
GCS = _names(
    ("prefect.tasks.gcp", "prefect.tasks.gcp.storage", "prefect.tasks.google", "prefect.tasks.google.storage"),
    ("GCSDownload", "GCSUpload", "GCSBaseTask"),
)
SENDGRID = _names(("prefect.tasks.sendgrid", "prefect.tasks.sendgrid.sendgrid"), ("SendEmail",))
EXASOL = _names(
    ("prefect.tasks.exasol", "prefect.tasks.exasol.exasol"),
    ("ExasolExecute", "ExasolFetch", "ExasolImportFromIterable", "ExasolExportToFile"),
)

AZURE_STORAGE = _names(
    ("prefect.storage", "prefect.storage.azure", "prefect.environments.storage", "prefect.environments.storage.azure"),
    ("Azure",),
)
AZURE_TODO = (
    "`connection_string=` became `connection_string_secret=`, the *name* of a Prefect Secret holding the "
    "connection string: store the value in a Secret and pass its name (or set AZURE_STORAGE_CONNECTION_STRING)"
)

KUBERNETES_JOB = _names(("prefect.tasks.kubernetes", "prefect.tasks.kubernetes.job"), ("RunNamespacedJob",))

POSTGRES_EXECUTE = _names(
    ("prefect.tasks.postgres", "prefect.tasks.postgres.postgres"), ("PostgresExecute", "PostgresExecuteMany")
)
POSTGRES_FETCH = _names(("prefect.tasks.postgres", "prefect.tasks.postgres.postgres"), ("PostgresFetch",))
SNOWFLAKE_QUERY = _names(("prefect.tasks.snowflake", "prefect.tasks.snowflake.snowflake"), ("SnowflakeQuery",))
MYSQL_EXECUTE = _names(("prefect.tasks.mysql", "prefect.tasks.mysql.mysql"), ("MySQLExecute",))
MYSQL_FETCH = _names(("prefect.tasks.mysql", "prefect.tasks.mysql.mysql"), ("MySQLFetch",))
START_FLOW_RUN = _names(
    ("prefect.tasks.prefect", "prefect.tasks.prefect.flow_run"), ("StartFlowRun", "FlowRunTask")
)
EXECUTE_NOTEBOOK = _names(("prefect.tasks.jupyter", "prefect.tasks.jupyter.jupyter"), ("ExecuteNotebook",))
GE_VALIDATION = _names(
    ("prefect.tasks.great_expectations", "prefect.tasks.great_expectations.checkpoints"),
    ("RunGreatExpectationsValidation",),
)

#: Positional arguments whose place changed: (classes, stage, source versions with the old order,
#: the old order, the first index that moved, what changed). From that index on, positional
#: arguments are passed by keyword, under their old names (all of them still exist in 1.0).
MOVED_POSITIONS = (
    (POSTGRES_EXECUTE, "run", ("0.13", "0.14"), ("query", "data", "commit", "password"), 0,
     "Prefect 0.15 put `db_name`, `user`, `host`, `port` first"),
    (POSTGRES_FETCH, "run", ("0.13", "0.14"), ("fetch", "fetch_count", "query", "data", "commit", "password", "col_names"),
     0, "Prefect 0.15 put `db_name`, `user`, `host`, `port` first"),
    (SNOWFLAKE_QUERY, "run", ("0.13", "0.14"), ("query", "data", "autocommit"), 0,
     "Prefect 0.15 put the connection arguments (`account`, `user` …) first"),
    (MYSQL_EXECUTE, "run", ("0.13",), ("query", "commit", "charset"), 0,
     "Prefect 0.14 put `db_name`, `user`, `password`, `host`, `port` first"),
    (MYSQL_FETCH, "run", ("0.13",), ("query", "fetch", "fetch_count", "commit", "charset", "cursor_type"), 0,
     "Prefect 0.14 put `db_name`, `user`, `password`, `host`, `port` first"),
    (START_FLOW_RUN, "init", ("0.13",),
     ("flow_name", "project_name", "parameters", "wait", "new_flow_context", "run_name", "scheduled_start_time"), 3,
     "Prefect 0.14 put `run_config` fourth"),
    (START_FLOW_RUN, "run", ("0.13",),
     ("flow_name", "project_name", "parameters", "idempotency_key", "new_flow_context", "run_name",
      "scheduled_start_time"), 3, "Prefect 0.14 put `run_config` fourth"),
    (EXECUTE_NOTEBOOK, "init", ("0.13",), ("path", "parameters", "output_format", "exporter_kwargs", "kernel_name"), 2,
     "Prefect 0.14 put `log_output` third"),
    (GE_VALIDATION, "init", ("0.13", "0.14", "0.15"),
     ("checkpoint_name", "context", "assets_to_validate", "batch_kwargs", "expectation_suite_name", "context_root_dir",
      "runtime_environment", "run_name", "run_info_at_end", "disable_markdown_artifact", "validation_operator",
      "evaluation_parameters"), 1, "Prefect 1.0 put `ge_checkpoint` and `checkpoint_kwargs` second and third"),
    (GE_VALIDATION, "run", ("0.13", "0.14", "0.15"),
     ("checkpoint_name", "context", "assets_to_validate", "batch_kwargs", "expectation_suite_name", "context_root_dir",
      "runtime_environment", "run_name", "run_info_at_end", "disable_markdown_artifact", "validation_operator",
      "evaluation_parameters"), 1, "Prefect 1.0 put `ge_checkpoint` and `checkpoint_kwargs` second and third"),
)  # fmt: skip

MOVED_CLASSES = frozenset().union(*(row[0] for row in MOVED_POSITIONS))
MOVED_MARKERS = ("Postgres", "Snowflake", "MySQL", "StartFlowRun", "FlowRunTask", "ExecuteNotebook", "RunGreatExpectationsValidation")

ALL = DREMIO | DROPBOX | GCS | SENDGRID | EXASOL | AZURE_STORAGE | KUBERNETES_JOB | MOVED_CLASSES

#: (classes, old keyword, new keyword, code, where it was accepted, when it was renamed)
RENAMED = (
    (
        KUBERNETES_JOB,
        "job_status_pool_interval",
        "job_status_poll_interval",
        "PFU305",
        ("init", "run"),
        "Prefect 0.14",
    ),
)

#: (classes, removed keyword, code, where it was accepted, what to do)
REMOVED = (
    (
        DROPBOX,
        "access_token_secret",
        "PFU350",
        ("init", "run"),
        "delete `access_token_secret=` and pass `access_token=PrefectSecret({value})` when calling the task in the flow",
    ),
    (
        GCS,
        "encryption_key_secret",
        "PFU351",
        ("init", "run"),
        "delete `encryption_key_secret=` and pass `encryption_key=PrefectSecret({value})` when calling the task in the flow",
    ),
    (
        SENDGRID,
        "sendgrid_secret",
        "PFU352",
        ("init", "run"),
        "delete `sendgrid_secret=` and pass `sendgrid_api_key=PrefectSecret({value})` when calling the task in the flow",
    ),
    (
        EXASOL,
        "user",
        "PFU353",
        ("init",),
        "move `user=` to the call of the task in the flow (a run argument), or give `user_secret=` the name of a Secret",
    ),
    (
        EXASOL,
        "password",
        "PFU353",
        ("init",),
        "move `password=` to the call of the task in the flow (a run argument), or give `password_secret=` the name of a Secret",
    ),
)


@register
class RenamedTaskArguments(RemovedCodemod):
    """Keyword arguments of task-library classes renamed or removed in Prefect 0.15.

    - ``DremioFetch(user=, host=, port=)`` → ``DremioFetch(username=, hostname=, flightport=)``
      (PFU305, safe), at creation and at run time (``fetch(user=...)``, ``fetch.run(...)`` on
      a name known to hold a ``DremioFetch``). The order of the first four parameters and the
      default port (32010) are unchanged; a fifth positional argument (``query``) moved to the
      seventh place in 1.0, so it becomes ``query=``.
    - ``DropboxDownload(access_token_secret=)`` (PFU350), ``GCSDownload/GCSUpload/GCSBaseTask
      (encryption_key_secret=)`` (PFU351), ``SendEmail(sendgrid_secret=)`` (PFU352): the
      secret-name arguments are gone; 1.0 takes the secret *value* when the task is called,
      e.g. ``download(path=p, access_token=PrefectSecret("DROPBOX_TOKEN"))``. Manual: the
      call in the flow has to change, not only the constructor.
    - ``ExasolExecute/ExasolFetch/ExasolImportFromIterable/ExasolExportToFile(user=, password=)``
      at creation (PFU353, manual): pass them when calling the task, or give
      ``user_secret=``/``password_secret=`` secret names at creation.
    - ``Azure(connection_string=<value>)`` storage (PFU354, manual): 0.15 replaced it with
      ``connection_string_secret=``, the name of a Prefect Secret holding the value (or the
      ``AZURE_STORAGE_CONNECTION_STRING`` environment variable); a value cannot be turned into
      a secret name by a rewrite.
    - ``RunNamespacedJob(job_status_pool_interval=)`` (0.13's spelling) →
      ``job_status_poll_interval=`` (PFU305, safe), at creation and at run time: the same
      seconds between status checks; the old keyword lands in ``Task.__init__``'s ``**kwargs``
      under 1.0 and raises TypeError. Its position (5th) is unchanged, so positional calls stay.
    - Positional arguments whose place changed are passed by keyword, under their old names
      (PFU305, safe): ``PostgresExecute/PostgresExecuteMany/PostgresFetch`` and ``SnowflakeQuery``
      ``run`` (0.13/0.14 code: 0.15 put the connection arguments first, so ``pg("select 1")``
      would pass the query as ``db_name``), ``MySQLExecute/MySQLFetch`` ``run`` (0.13 code),
      ``StartFlowRun``/``FlowRunTask`` 4th argument on (0.13: ``run_config`` came fourth),
      ``ExecuteNotebook`` 3rd on (0.13: ``log_output``), and ``RunGreatExpectationsValidation``
      2nd on (every version: 1.0 put ``ge_checkpoint``, ``checkpoint_kwargs`` second). Decided by
      ``--from-version`` (0.15 when it cannot be read from the pins): code written for the new
      order stays. After a ``*args`` spread the call is reported (manual) instead.
    - ``**kwargs`` spread into these classes: reported (manual) when they may hide a renamed
      or removed keyword.

    Before::

        from prefect.tasks.dremio import DremioFetch
        fetch = DremioFetch(user="me", password=pw, host="dremio", port=32010)

    After::

        from prefect.tasks.dremio import DremioFetch
        fetch = DremioFetch(username="me", password=pw, hostname="dremio", flightport=32010)
    """

    code = "PFU305"
    summary = (
        "Task-library keywords renamed: DremioFetch(user=, host=, port=) became username=, hostname=, "
        "flightport=; RunNamespacedJob(job_status_pool_interval=) became job_status_poll_interval="
    )
    fix_class = FixClass.SAFE
    extra_codes = {
        "PFU350": "DropboxDownload(access_token_secret=) was removed",
        "PFU351": "GCS tasks' encryption_key_secret= was removed",
        "PFU352": "SendEmail(sendgrid_secret=) was removed",
        "PFU353": "Exasol tasks no longer take user=/password= at creation",
        "PFU354": "Azure storage's connection_string= became connection_string_secret=",
    }
    code_classes = {
        "PFU350": FixClass.MANUAL,
        "PFU351": FixClass.MANUAL,
        "PFU352": FixClass.MANUAL,
        "PFU353": FixClass.MANUAL,
        "PFU354": FixClass.MANUAL,
    }
    markers = (
        "Dremio", "Dropbox", "GCS", "SendEmail", "Exasol", "Azure", "Postgres", "Snowflake", "MySQL", "StartFlowRun",
        "FlowRunTask", "ExecuteNotebook", "RunGreatExpectationsValidation", "job_status_pool_interval",
    )  # fmt: skip

    @classmethod
    def may_apply(cls, text: str) -> bool:
        if any(word in text for word in ("Dremio", "job_status_pool_interval", *MOVED_MARKERS)):
            return True
        words = (
            "access_token_secret", "encryption_key_secret", "sendgrid_secret", "user", "password", "connection_string", "**"
        )  # fmt: skip
        return any(marker in text for marker in cls.markers[1:6]) and any(word in text for word in words)
    examples = (
        Example("from prefect.tasks.dremio import DremioFetch\nf = DremioFetch(username='u', password='p', hostname='h')\n"),
        Example("from other import DremioFetch\nf = DremioFetch(user='u', password='p', host='h')\n"),
        Example(
            "from prefect.tasks.dremio import DremioFetch as DF\nf = DF(user='u', password='p', host='h', port=1)\n",
            "from prefect.tasks.dremio import DremioFetch as DF\n"
            "f = DF(username='u', password='p', hostname='h', flightport=1)\n",
        ),
        Example(
            "from prefect.tasks.dremio import DremioFetch\nfetch = DremioFetch()\nfetch.run(user='u', password='p', host='h', port=1, query=q)\n",
            "from prefect.tasks.dremio import DremioFetch\nfetch = DremioFetch()\n"
            "fetch.run(username='u', password='p', hostname='h', flightport=1, query=q)\n",
        ),
        Example("from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob(body=b, job_status_poll_interval=10)\n"),
        Example(
            "from prefect.tasks.great_expectations import RunGreatExpectationsValidation\n"
            "v = RunGreatExpectationsValidation('nightly', ge_context)\n",
            "from prefect.tasks.great_expectations import RunGreatExpectationsValidation\n"
            "v = RunGreatExpectationsValidation('nightly', context=ge_context)\n",
        ),
        Example(
            "from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob(body=b, job_status_pool_interval=10)\n",
            "from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob(body=b, job_status_poll_interval=10)\n",
        ),
    )

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        stage = None
        classes: frozenset[str] = frozenset()
        names = frozenset() if isinstance(func, cst.Call) else self.qnames(func) & ALL
        if names:
            stage, classes = "init", frozenset(names)
        elif isinstance(func, cst.Attribute) and func.attr.value == "run":
            kind = self.class_of(func.value)
            if kind:
                stage, classes = "run", kind
        elif isinstance(func, (cst.Name, cst.Call)):
            kind = self.class_of(func)
            if kind:
                stage, classes = "run", kind
        if stage is None:
            return updated
        if classes & DREMIO:
            return self._dremio(original, updated, stage)
        if classes & AZURE_STORAGE and stage == "init" and self.enabled("PFU354"):
            self._azure(original)
            return updated
        for targets, moved_stage, versions, order, first, why in MOVED_POSITIONS:
            if classes & targets and stage == moved_stage and self.options.from_version in versions:
                what = sorted(classes & targets)[0].rsplit(".", 1)[1] + (".run" if stage == "run" else "")
                updated = self._moved_positions(original, updated, what, order, first, why)
        for targets, old, new, code, stages, when in RENAMED:
            if classes & targets and stage in stages and self.enabled(code):
                what = sorted(classes & targets)[0].rsplit(".", 1)[1] + (".run" if stage == "run" else "")
                updated = self._renamed(original, updated, what, old, new, code, when)
        for targets, name, code, stages, todo in REMOVED:
            if classes & targets and stage in stages and self.enabled(code):
                self._removed(original, name, code, todo, stage)
        return updated

    def _dremio(self, original: cst.Call, updated: cst.Call, stage: str) -> cst.BaseExpression:
        for arg in star_kwargs(original):
            self.report(
                arg,
                f"`**{code_of(arg.value)}` is passed to DremioFetch: rename its keys `user`, `host` and "
                "`port` to `username`, `hostname` and `flightport` (renamed in Prefect 0.15)",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
        renamed = []
        for old, new in DREMIO_RENAMES.items():
            arg = keyword(updated, old)
            if arg is not None and keyword(updated, new) is None:
                updated = replace_arg(updated, arg, rename_keyword(arg, new))
                renamed.append(f"`{old}=` → `{new}=`")
        args = positional(updated)
        if len(args) == 5:
            query = args[4]
            if keyword(updated, "query") is None:
                updated = replace_arg(
                    updated,
                    query,
                    query.with_changes(
                        keyword=cst.Name("query"),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                    ),
                )
                renamed.append("the fifth positional argument → `query=`")
        if renamed:
            what = "DremioFetch" if stage == "init" else "DremioFetch.run"
            self.report(
                original,
                f"{what}: {', '.join(renamed)} (renamed in Prefect 0.15)",
                applied=True,
            )
        return updated

    def _moved_positions(
        self, original: cst.Call, updated: cst.Call, what: str, order: tuple[str, ...], first: int, why: str
    ) -> cst.Call:
        args = positional(updated)
        moved = args[first:]
        if not moved:
            return updated
        if any(arg.star == "*" for arg in updated.args) or len(args) > len(order):
            self.report(
                original,
                f"{what}: the order of its arguments changed ({why}): pass the arguments from the "
                f"{first + 1}. on by keyword ({', '.join(f'`{name}`' for name in order[first:])} …)",
                applied=False,
                fix_class=FixClass.MANUAL,
            )
            return updated
        names = order[first : len(args)]
        if any(keyword(updated, name) is not None for name in names):
            return updated  # a TypeError in the old version too: leave it to the person
        renamed = {
            id(arg): arg.with_changes(
                keyword=cst.Name(name), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
            )
            for arg, name in zip(moved, names)
        }
        updated = updated.with_changes(args=[renamed.get(id(arg), arg) for arg in updated.args])
        self.report(
            original,
            f"{what}: positional {', '.join(f'`{name}`' for name in names)} now passed by keyword "
            f"(the order of its arguments changed: {why})",
            applied=True,
        )
        return updated

    def _renamed(
        self, original: cst.Call, updated: cst.Call, what: str, old: str, new: str, code: str, when: str
    ) -> cst.Call:
        # A ``**spread`` is not reported: only statements naming the old keyword are seen
        # (markers), and a spread holding it is rare; the keyword itself is what 1.0 rejects.
        arg = keyword(updated, old)
        if arg is None:
            return updated
        if keyword(updated, new) is not None:
            self.report(
                keyword(original, old),
                f"{what}: `{old}=` was renamed `{new}=` in {when} and both are given: delete `{old}=`",
                applied=False,
                fix_class=FixClass.MANUAL,
                code=code,
            )
            return updated
        self.report(keyword(original, old), f"{what}: `{old}=` → `{new}=` (renamed in {when})", applied=True, code=code)
        return replace_arg(updated, arg, rename_keyword(arg, new))

    def _azure(self, original: cst.Call) -> None:
        arg = keyword(original, "connection_string")
        args = positional(original)
        if arg is None and len(args) >= 2:
            arg = args[1]
        if arg is not None:
            self.report(
                arg,
                f"Azure storage: {AZURE_TODO} (changed in Prefect 0.15)",
                applied=False,
                fix_class=FixClass.MANUAL,
                code="PFU354",
            )

    def _removed(self, original: cst.Call, name: str, code: str, todo: str, stage: str) -> None:
        arg = keyword(original, name)
        if arg is None:
            for star in star_kwargs(original):
                self.report(
                    star,
                    f"`**{code_of(star.value)}` is passed to a task whose `{name}=` was removed in Prefect 0.15: "
                    f"if it holds `{name}`, {todo.format(value='...')}",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code=code,
                )
            return
        value = code_of(arg.value).strip()
        self.report(
            arg,
            f"`{name}=` was removed in Prefect 0.15 (TypeError in 1.0): {todo.format(value=value)}",
            applied=False,
            fix_class=FixClass.MANUAL,
            code=code,
        )
