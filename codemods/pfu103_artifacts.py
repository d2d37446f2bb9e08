"""PFU103: ``prefect.artifacts.*`` moved to ``prefect.backend.*_artifact``."""

from __future__ import annotations

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.codemods.moves_table import markers_for
from prefect_upgrade.findings import FixClass


@register
class MovedArtifacts(MovesCodemod):
    """The artifact functions moved from ``prefect.artifacts`` to ``prefect.backend`` and got an
    ``_artifact`` suffix (``create_link`` → ``create_link_artifact``, ``update_link``,
    ``create_markdown``, ``update_markdown``; ``delete_artifact`` keeps its name).

    ``prefect.artifacts`` still imports in 1.0 (a warning shim), but the functions' bodies are the
    same, so the move is safe. ``import prefect.artifacts as a`` becomes ``import prefect.backend
    as a`` with ``a.create_link`` → ``a.create_link_artifact``.

    Before::

        from prefect.artifacts import create_link, create_markdown
        create_link("s3://bucket/report.html")

    After::

        from prefect.backend import create_link_artifact, create_markdown_artifact
        create_link_artifact("s3://bucket/report.html")
    """

    code = "PFU103"
    summary = "prefect.artifacts functions moved to prefect.backend (*_artifact)"
    fix_class = FixClass.SAFE
    move_codes = ("PFU103",)
    markers = markers_for("PFU103")
    examples = (
        Example("from prefect.backend import create_link_artifact\ncreate_link_artifact('x')\n"),
        Example(
            "from prefect.artifacts import create_link\ncreate_link('x')\n",
            "from prefect.backend import create_link_artifact\ncreate_link_artifact('x')\n",
        ),
        Example(
            "import prefect\nprefect.artifacts.create_markdown('# hi')\n",
            "import prefect\nprefect.backend.create_markdown_artifact('# hi')\n",
        ),
    )
