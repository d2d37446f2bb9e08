"""PFU105: ``prefect.environments.storage.*`` moved to ``prefect.storage.*``."""

from __future__ import annotations

from typing import Sequence

import libcst as cst
from libcst.metadata import QualifiedNameSource

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.codemods.moves_table import AZURE_MESSAGE, AZURE_STORAGE, markers_for
from prefect_upgrade.findings import FixClass


@register
class MovedStorage(MovesCodemod):
    """Flow storage moved from ``prefect.environments.storage`` (removed in 0.15) to
    ``prefect.storage``: every class (``Azure``, ``Bitbucket``, ``CodeCommit``, ``Docker``,
    ``GCS``, ``GitHub``, ``GitLab``, ``Local``, ``S3``, ``Webhook``, ``Storage``) and
    ``get_default_storage_class``, also from the submodules (``…storage.s3.S3``).

    Only ``prefect.environments.storage`` is handled here; the environment classes of
    ``prefect.environments`` are converted by the PFU2xx codemods.

    ``Azure(connection_string=...)`` changed meaning (0.15 replaced it by
    ``connection_string_secret=``, the *name* of a secret): PFU305 reports it as PFU354; when
    that code is not selected, a manual finding (PFU105) at the argument, on the old and on the
    new path.

    Before::

        from prefect.environments.storage import S3, Docker
        import prefect.environments.storage.gcs as gcs_storage

    After::

        from prefect.storage import S3, Docker
        import prefect.storage.gcs as gcs_storage
    """

    code = "PFU105"
    summary = "prefect.environments.storage moved to prefect.storage"
    fix_class = FixClass.SAFE
    move_codes = ("PFU105",)
    markers = (*markers_for("PFU105"), "Azure")
    checked_calls = AZURE_STORAGE
    examples = (
        Example("from prefect.storage import S3\nflow.storage = S3(bucket='b')\n"),
        Example(
            "from prefect.environments.storage import S3\nflow.storage = S3(bucket='b')\n",
            "from prefect.storage import S3\nflow.storage = S3(bucket='b')\n",
        ),
        Example(
            "from prefect.environments import storage\nflow.storage = storage.Local()\n",
            "from prefect import storage\nflow.storage = storage.Local()\n",
        ),
    )

    def check_calls(self, calls: Sequence[cst.Call]) -> None:
        if self.options.code_enabled("PFU354"):
            return  # reported by PFU305 as PFU354, the code for this change: not twice
        for call in calls:
            found = [a for a in call.args if a.keyword is not None and a.keyword.value == "connection_string"]
            if not found:
                continue  # (asked first: it needs no scopes)
            names = {q.name for q in self.qualnames(call.func) if q.source is QualifiedNameSource.IMPORT}
            if not names & set(AZURE_STORAGE):
                continue
            for arg in found:
                self.report(arg, AZURE_MESSAGE, applied=False, fix_class=FixClass.MANUAL)
