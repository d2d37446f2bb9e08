"""PFU106: task library moves and renames."""

from __future__ import annotations

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._moves import MovesCodemod
from prefect_upgrade.codemods.base import Example
from prefect_upgrade.codemods.moves_table import markers_for
from prefect_upgrade.findings import FixClass


@register
class MovedTaskLibrary(MovesCodemod):
    """Task library names that moved or were renamed before 1.0:

    * ``prefect.contrib.tasks.databricks`` / ``.mysql`` → ``prefect.tasks.databricks`` /
      ``.mysql`` (removed 0.14.0; note that ``prefect.tasks.databricks`` needs the
      ``prefect[databricks]`` extra in 1.0);
    * ``prefect.tasks.google`` → ``prefect.tasks.gcp`` (removed 0.15.0);
    * ``prefect.tasks.secrets.Secret`` (the task) → ``PrefectSecret`` (``prefect.client.Secret``
      is a different class and is left alone);
    * ``prefect.tasks.prefect.FlowRunTask`` → ``StartFlowRun``, ``RenameFlowRunTask`` →
      ``RenameFlowRun``, ``CancelFlowRunTask`` → ``CancelFlowRun`` (also from their submodules);
    * ``prefect.utilities.tasks.unmapped`` → ``prefect.unmapped``;
    * removed without a successor (manual findings): ``RunGreatExpectationsCheckpoint`` (use
      ``RunGreatExpectationsValidation(checkpoint_name=…)``) and the Kubernetes agent's
      ``ResourceManager``.

    Before::

        from prefect.tasks.secrets import Secret
        from prefect.tasks.prefect import FlowRunTask
        from prefect.utilities.tasks import unmapped, task

    After::

        from prefect.tasks.secrets import PrefectSecret
        from prefect.tasks.prefect import StartFlowRun
        from prefect.utilities.tasks import task
        from prefect import unmapped
    """

    code = "PFU106"
    summary = "task library moves and renames (contrib.tasks, tasks.google, Secret, FlowRunTask, unmapped)"
    fix_class = FixClass.SAFE
    move_codes = ("PFU106",)
    markers = markers_for("PFU106")
    examples = (
        Example("from prefect.client import Secret\nSecret('TOKEN').get()\n"),
        Example(
            "from prefect.tasks.secrets import Secret\ntoken = Secret('TOKEN')\n",
            "from prefect.tasks.secrets import PrefectSecret\ntoken = PrefectSecret('TOKEN')\n",
        ),
        Example(
            "from prefect.tasks.google import GCSUpload\n",
            "from prefect.tasks.gcp import GCSUpload\n",
        ),
    )
