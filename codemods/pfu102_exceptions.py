"""PFU102: ``prefect.utilities.exceptions`` moved to ``prefect.exceptions`` (with renames)."""

from __future__ import annotations

from dataclasses import replace

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import CodemodOptions, Example
from prefect_upgrade.codemods.moves_table import markers_for
from prefect_upgrade.findings import FixClass

_014 = CodemodOptions(from_version="0.14")


@register
class MovedExceptions(MovesCodemod):
    """Exceptions moved from ``prefect.utilities.exceptions`` (gone in 1.0) to ``prefect.exceptions``.

    * ``ClientError``, ``AuthorizationError``: moved (safe).
    * ``StorageError`` → ``FlowStorageError`` (safe; also the 0.15 re-export
      ``prefect.exceptions.StorageError``).
    * ``PrefectError`` → ``PrefectException``: safe for 0.15 code; **unsafe** for 0.13/0.14 code
      (``--from-version``), where the state signals subclassed ``PrefectError`` and are
      ``BaseException``s in 1.0 that ``except PrefectException`` no longer catches.
      ``prefect.exceptions.PrefectError`` (a 0.15-only re-export) is always safe.
    * ``TaskTimeoutError`` → ``TaskTimeoutSignal`` and ``VersionLockError`` →
      ``VersionLockMismatchSignal``: unsafe (the new classes are ``BaseException``s).
    * ``ContextError``, ``SerializationError``, ``PrefectWarning``: removed without a successor
      (manual findings naming ``KeyError``/``UserWarning``, their base classes).

    Renamed names are renamed at every use (base classes, ``except``, annotations,
    ``isinstance``) when the new name is free; otherwise the new class is imported under the old
    name. A star import of the old module is rewritten unless the file uses a renamed name.

    Before::

        from prefect.utilities.exceptions import ClientError, StorageError

        try:
            flow.register()
        except (ClientError, StorageError):
            raise

    After::

        from prefect.exceptions import ClientError, FlowStorageError

        try:
            flow.register()
        except (ClientError, FlowStorageError):
            raise
    """

    code = "PFU102"
    summary = "prefect.utilities.exceptions moved to prefect.exceptions (some classes renamed)"
    fix_class = FixClass.SAFE
    move_codes = ("PFU102",)
    markers = markers_for("PFU102")
    examples = (
        Example("from prefect.exceptions import ClientError, FlowStorageError\n"),
        Example(
            "from prefect.utilities.exceptions import PrefectError\n",
            options=_014,
        ),  # unsafe for 0.14 code: reported, not applied
        Example(
            "from prefect.utilities.exceptions import ClientError, StorageError\n"
            "except_these = (ClientError, StorageError)\n",
            "from prefect.exceptions import ClientError, FlowStorageError\n"
            "except_these = (ClientError, FlowStorageError)\n",
        ),
        Example(
            "from prefect.utilities.exceptions import PrefectError\nclass E(PrefectError): ...\n",
            "from prefect.exceptions import PrefectException\nclass E(PrefectException): ...\n",
            options=replace(_014, unsafe_fixes=True),
        ),
        Example(
            "import prefect\nraise prefect.utilities.exceptions.ClientError('x')\n",
            "import prefect\nraise prefect.exceptions.ClientError('x')\n",
        ),
    )
