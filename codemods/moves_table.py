"""Every moved, renamed or removed Prefect name (PFU101–PFU107), as data.

One row per old qualified name. The engine in ``_moves.py`` reads this table; the codemods
``pfu101``…``pfu107`` only choose which rows (by ``code``) they apply. Tests load the table and
check it against real Prefect installs: every ``old`` name existed in the version given in
``since`` and every ``new`` name exists in Prefect 1.0.0 (``tests/test_moves_table.py``).

A row of kind ``module`` moves a whole module: every name under it moves along (``old.X`` →
``new.X``) unless a more specific row says otherwise (the longest matching row wins).
A row whose ``new`` is ``None`` has no successor: its uses are reported as manual findings.

Sources: ``prefect-api-diff.md`` §2 and §4, ``environments-to-runconfig.md`` §6 (executors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from prefect_upgrade.findings import FixClass

SAFE, UNSAFE, MANUAL = FixClass.SAFE, FixClass.UNSAFE, FixClass.MANUAL


@dataclass(frozen=True)
class Move:
    #: The old qualified name (a module for ``kind="module"``).
    old: str
    #: The new qualified name in Prefect 1.0; ``None``: removed without a successor.
    new: Optional[str]
    code: str
    #: A Prefect release in which ``old`` existed (checked by the real-Prefect tests).
    since: str
    kind: str = "name"  # "name" | "module"
    fix: FixClass = SAFE
    #: Overrides of ``fix`` by ``--from-version`` ("0.13", "0.14", "0.15").
    fix_by_version: Mapping[str, FixClass] = field(default_factory=dict)
    #: What a person must know or do (used for unsafe and manual findings; optional for safe).
    message: str = ""
    #: Keyword arguments a call of the old name gets on the new one: ((name, python source),).
    add_kwargs: tuple[tuple[str, str], ...] = ()

    def fix_for(self, from_version: str) -> FixClass:
        if self.new is None:
            return MANUAL
        return self.fix_by_version.get(from_version, self.fix)

    @property
    def new_module(self) -> Optional[str]:
        """The module that must be imported for ``new`` to be reachable."""
        if self.new is None:
            return None
        if self.kind == "module":
            return self.new
        return self.new.rpartition(".")[0]


def _executors() -> list[Move]:
    rows = [
        Move("prefect.engine.executors", "prefect.executors", "PFU101", "0.15.13", kind="module"),
        Move("prefect.engine.executors.dask", "prefect.executors.dask", "PFU101", "0.15.13", kind="module"),
        Move("prefect.engine.executors.local", "prefect.executors.local", "PFU101", "0.15.13", kind="module"),
        Move("prefect.engine.executors.base", "prefect.executors.base", "PFU101", "0.13.19", kind="module"),
        Move("prefect.engine.executors.base.Executor", "prefect.executors.Executor", "PFU101", "0.13.19"),
    ]
    for name in ("Executor", "LocalExecutor", "DaskExecutor", "LocalDaskExecutor"):
        rows.append(Move(f"prefect.engine.executors.{name}", f"prefect.executors.{name}", "PFU101", "0.15.13"))
    for name in ("DaskExecutor", "LocalDaskExecutor"):
        rows.append(
            Move(f"prefect.engine.executors.dask.{name}", f"prefect.executors.{name}", "PFU101", "0.15.13")
        )
    rows.append(Move("prefect.engine.executors.local.LocalExecutor", "prefect.executors.LocalExecutor", "PFU101", "0.15.13"))
    sync = (
        "SynchronousExecutor was removed in Prefect 0.12.1; use "
        'LocalDaskExecutor(scheduler="synchronous") where the class itself is passed around'
    )
    for old in ("prefect.engine.executors.SynchronousExecutor", "prefect.engine.executors.sync.SynchronousExecutor"):
        rows.append(
            Move(
                old,
                "prefect.executors.LocalDaskExecutor",
                "PFU101",
                "0.12.0",
                message=sync,
                add_kwargs=(("scheduler", '"synchronous"'),),
            )
        )
    return rows


_SIGNALS = (
    "in 0.13/0.14 the state signals (FAIL, SKIP, ...) subclassed PrefectError; in 1.0 they are "
    "BaseExceptions that `except PrefectException` no longer catches: check what the handler must catch"
)


def _exceptions() -> list[Move]:
    old, new = "prefect.utilities.exceptions", "prefect.exceptions"
    rows = [
        Move(old, new, "PFU102", "0.15.13", kind="module"),
        Move(f"{old}.ClientError", f"{new}.ClientError", "PFU102", "0.15.13"),
        Move(f"{old}.AuthorizationError", f"{new}.AuthorizationError", "PFU102", "0.15.13"),
        Move(f"{old}.StorageError", f"{new}.FlowStorageError", "PFU102", "0.15.13"),
        Move(
            f"{old}.PrefectError",
            f"{new}.PrefectException",
            "PFU102",
            "0.15.13",
            fix_by_version={"0.13": UNSAFE, "0.14": UNSAFE},
            message=_SIGNALS,
        ),
        Move(
            f"{old}.TaskTimeoutError",
            f"{new}.TaskTimeoutSignal",
            "PFU102",
            "0.15.13",
            fix=UNSAFE,
            message=(
                "TaskTimeoutSignal is a BaseException that `except Exception` does not catch: "
                "check the handlers that should catch a task timeout"
            ),
        ),
        Move(
            f"{old}.VersionLockError",
            f"{new}.VersionLockMismatchSignal",
            "PFU102",
            "0.15.13",
            fix=UNSAFE,
            message=(
                "VersionLockMismatchSignal is a BaseException internal to the Cloud runners: "
                "check that your code still needs to handle it"
            ),
        ),
        Move(
            f"{old}.ContextError",
            None,
            "PFU102",
            "0.15.13",
            message="ContextError was removed without a successor: catch KeyError (its base class) instead",
        ),
        Move(
            f"{old}.SerializationError",
            None,
            "PFU102",
            "0.15.13",
            message="SerializationError was removed without a successor: define your own exception or catch Exception",
        ),
        Move(
            f"{old}.PrefectWarning",
            None,
            "PFU102",
            "0.15.13",
            message="PrefectWarning was removed without a successor: use UserWarning (its base class) instead",
        ),
        # 0.15 re-exported two old names from prefect.exceptions; only 0.15 code can use them.
        Move(
            "prefect.exceptions.PrefectError",
            "prefect.exceptions.PrefectException",
            "PFU102",
            "0.15.13",
        ),
        Move("prefect.exceptions.StorageError", "prefect.exceptions.FlowStorageError", "PFU102", "0.15.13"),
    ]
    return rows


def _artifacts() -> list[Move]:
    rows = [Move("prefect.artifacts", "prefect.backend", "PFU103", "0.15.13", kind="module")]
    for name in ("create_link", "update_link", "create_markdown", "update_markdown"):
        rows.append(Move(f"prefect.artifacts.{name}", f"prefect.backend.{name}_artifact", "PFU103", "0.15.13"))
    rows.append(Move("prefect.artifacts.delete_artifact", "prefect.backend.delete_artifact", "PFU103", "0.15.13"))
    return rows


def _parameter() -> list[Move]:
    return [Move("prefect.core.task.Parameter", "prefect.Parameter", "PFU104", "0.15.13")]


STORAGE_CLASSES = ("Azure", "Bitbucket", "CodeCommit", "Docker", "GCS", "GitHub", "GitLab", "Local", "S3", "Webhook")


def _storage() -> list[Move]:
    old, new = "prefect.environments.storage", "prefect.storage"
    rows = [Move(old, new, "PFU105", "0.14.22", kind="module")]
    for sub in ("azure", "base", "bitbucket", "codecommit", "docker", "gcs", "github", "gitlab", "local", "s3", "webhook"):
        rows.append(Move(f"{old}.{sub}", f"{new}.{sub}", "PFU105", "0.14.22", kind="module"))
    for name in (*STORAGE_CLASSES, "Storage", "get_default_storage_class"):
        rows.append(Move(f"{old}.{name}", f"{new}.{name}", "PFU105", "0.14.22"))
    for name in STORAGE_CLASSES:
        rows.append(Move(f"{old}.{name.lower()}.{name}", f"{new}.{name}", "PFU105", "0.14.22"))
    rows.append(Move(f"{old}.base.Storage", f"{new}.Storage", "PFU105", "0.14.22"))
    return rows


#: Calls whose keyword changed meaning (manual findings; PFU105).
AZURE_STORAGE = (
    "prefect.storage.Azure",
    "prefect.storage.azure.Azure",
    "prefect.environments.storage.Azure",
    "prefect.environments.storage.azure.Azure",
)
AZURE_MESSAGE = (
    "Azure(connection_string=) took the connection string itself; Prefect 1.0 takes "
    "connection_string_secret=<name of a Prefect secret> or reads AZURE_STORAGE_CONNECTION_STRING: "
    "store the value in a secret or that variable and change the argument"
)


def _task_library() -> list[Move]:
    rows = [
        Move("prefect.contrib.tasks.databricks", "prefect.tasks.databricks", "PFU106", "0.13.19", kind="module"),
        Move("prefect.contrib.tasks.mysql", "prefect.tasks.mysql", "PFU106", "0.13.19", kind="module"),
        Move("prefect.contrib.tasks.databricks.DatabricksSubmitRun", "prefect.tasks.databricks.DatabricksSubmitRun", "PFU106", "0.13.19"),
        Move("prefect.contrib.tasks.databricks.DatabricksRunNow", "prefect.tasks.databricks.DatabricksRunNow", "PFU106", "0.13.19"),
        Move("prefect.contrib.tasks.mysql.MySQLExecute", "prefect.tasks.mysql.MySQLExecute", "PFU106", "0.13.19"),
        Move("prefect.contrib.tasks.mysql.MySQLFetch", "prefect.tasks.mysql.MySQLFetch", "PFU106", "0.13.19"),
        Move("prefect.tasks.google", "prefect.tasks.gcp", "PFU106", "0.14.22", kind="module"),
    ]
    for name in (
        "GCSDownload",
        "GCSUpload",
        "GCSCopy",
        "GCSBlobExists",
        "BigQueryTask",
        "BigQueryLoadGoogleCloudStorage",
        "BigQueryStreamingInsert",
        "CreateBigQueryTable",
    ):
        rows.append(Move(f"prefect.tasks.google.{name}", f"prefect.tasks.gcp.{name}", "PFU106", "0.14.22"))
    rows += [
        Move("prefect.tasks.secrets.Secret", "prefect.tasks.secrets.PrefectSecret", "PFU106", "0.14.22"),
        Move("prefect.tasks.secrets.base.Secret", "prefect.tasks.secrets.base.PrefectSecret", "PFU106", "0.14.22"),
        Move("prefect.tasks.prefect.FlowRunTask", "prefect.tasks.prefect.StartFlowRun", "PFU106", "0.14.22"),
        Move("prefect.tasks.prefect.flow_run.FlowRunTask", "prefect.tasks.prefect.flow_run.StartFlowRun", "PFU106", "0.14.22"),
        Move("prefect.tasks.prefect.RenameFlowRunTask", "prefect.tasks.prefect.RenameFlowRun", "PFU106", "0.14.22"),
        Move(
            "prefect.tasks.prefect.flow_run_rename.RenameFlowRunTask",
            "prefect.tasks.prefect.flow_run_rename.RenameFlowRun",
            "PFU106",
            "0.14.22",
        ),
        Move("prefect.tasks.prefect.CancelFlowRunTask", "prefect.tasks.prefect.CancelFlowRun", "PFU106", "0.14.22"),
        Move(
            "prefect.tasks.prefect.flow_run_cancel.CancelFlowRunTask",
            "prefect.tasks.prefect.flow_run_cancel.CancelFlowRun",
            "PFU106",
            "0.14.22",
        ),
        Move("prefect.utilities.tasks.unmapped", "prefect.unmapped", "PFU106", "0.14.22"),
        Move(
            "prefect.tasks.great_expectations.RunGreatExpectationsCheckpoint",
            None,
            "PFU106",
            "0.14.22",
            message=(
                "RunGreatExpectationsCheckpoint was removed in 0.15: use "
                "RunGreatExpectationsValidation(checkpoint_name=...) and check its arguments"
            ),
        ),
        Move(
            "prefect.tasks.great_expectations.checkpoints.RunGreatExpectationsCheckpoint",
            None,
            "PFU106",
            "0.14.22",
            message=(
                "RunGreatExpectationsCheckpoint was removed in 0.15: use "
                "RunGreatExpectationsValidation(checkpoint_name=...) and check its arguments"
            ),
        ),
        Move(
            "prefect.agent.kubernetes.ResourceManager",
            None,
            "PFU106",
            "0.14.22",
            message=(
                "the Kubernetes ResourceManager was removed in 0.15 (the agent now deletes finished "
                "jobs itself; pass --disable-job-deletion to opt out): remove this code"
            ),
        ),
        Move(
            "prefect.agent.kubernetes.resource_manager",
            None,
            "PFU106",
            "0.14.22",
            kind="module",
            message=(
                "the Kubernetes ResourceManager was removed in 0.15 (the agent now deletes finished "
                "jobs itself; pass --disable-job-deletion to opt out): remove this code"
            ),
        ),
    ]
    return rows


MOVES: tuple[Move, ...] = tuple(
    _executors() + _exceptions() + _artifacts() + _parameter() + _storage() + _task_library()
)

#: Modules that ``import prefect`` already imports in Prefect 1.0.0 (``sys.modules`` after
#: ``import prefect``; checked by ``tests/test_moves_table.py``): ``prefect.X.Y`` chains into these
#: need no extra import.
REACHABLE_FROM_IMPORT_PREFECT = frozenset(
    {
        "prefect",
        "prefect.backend",
        "prefect.backend.artifacts",
        "prefect.core",
        "prefect.core.parameter",
        "prefect.core.task",
        "prefect.exceptions",
        "prefect.executors",
        "prefect.executors.base",
        "prefect.executors.dask",
        "prefect.executors.local",
        "prefect.storage",
        "prefect.storage.azure",
        "prefect.storage.base",
        "prefect.storage.bitbucket",
        "prefect.storage.codecommit",
        "prefect.storage.docker",
        "prefect.storage.gcs",
        "prefect.storage.github",
        "prefect.storage.gitlab",
        "prefect.storage.local",
        "prefect.storage.s3",
        "prefect.storage.webhook",
        "prefect.tasks",
        "prefect.tasks.secrets",
        "prefect.utilities",
        "prefect.utilities.edges",
        "prefect.utilities.tasks",
    }
)


def moves_for(*codes: str) -> tuple[Move, ...]:
    return tuple(m for m in MOVES if m.code in codes) if codes else MOVES


class MoveIndex:
    """Look up old qualified names; the longest matching row wins."""

    def __init__(self, moves: tuple[Move, ...]) -> None:
        self.by_old = {m.old: m for m in moves}
        self.moves = moves

    def lookup(self, qualname: str) -> Optional[tuple[Move, Optional[str]]]:
        """``(row, new qualified name or None)`` for ``qualname``, or ``None`` if it did not move."""
        parts = qualname.split(".")
        for end in range(len(parts), 0, -1):
            row = self.by_old.get(".".join(parts[:end]))
            if row is not None:
                if row.new is None:
                    return row, None
                return row, ".".join([row.new, *parts[end:]])
        return None

    def new_module_of(self, qualname: str) -> Optional[str]:
        found = self.lookup(qualname)
        return found[0].new_module if found else None


#: Path components too common to pre-filter with.
_COMMON = frozenset({"prefect", "engine", "task", "tasks", "utilities", "agent", "base", "local"})


def markers_for(*codes: str) -> tuple[str, ...]:
    """Substrings one of which any file needing these rows must contain (a cheap pre-filter).

    Every way of reaching ``prefect.a.b.C`` spells each of its components somewhere in the file
    (``from prefect.a import b`` then ``b.C``; ``import prefect`` then ``prefect.a.b.C``; a star
    import spells the module and then ``C``), so any one component will do: the longest module
    component that is not a common word (``executors``, ``exceptions``…), else the name itself.
    """
    words: set[str] = set()
    for row in moves_for(*codes):
        parts = row.old.split(".")
        modules = parts if row.kind == "module" else parts[:-1]
        candidates = [p for p in modules if p not in _COMMON]
        words.add(max(candidates, key=len) if candidates else parts[-1])
    return tuple(sorted(words))
