"""PFU507: ``prefecthq/prefect`` images of Prefect 0.x in Python string literals."""

from __future__ import annotations

import libcst as cst

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._images import IMAGE, judge_tag
from prefect_upgrade.codemods._setup_py import plain_raw_value, with_raw_value
from prefect_upgrade.codemods.base import Example, PythonCodemod
from prefect_upgrade.findings import FixClass


@register
class PythonImages(PythonCodemod):
    """A Python string that is a ``prefecthq/prefect`` 0.x image gets the matching 1.x tag.

    The Python side of PFU502: ``DockerRun(image="prefecthq/prefect:0.15.13-python3.8")``,
    ``KubernetesRun(image=…)``, ``ECSRun`` task definitions, ``Docker(base_image=…)`` and any
    other string literal whose whole value is such an image reference become
    ``prefecthq/prefect:1.4.1-python3.8`` (a bare ``0.15.13`` tag becomes ``1.4.1``). Strings
    that merely mention an image (docstrings, messages), f-strings and comments stay. A Python
    3.6 tag is reported as manual (Prefect 1.x has no 3.6 image).

    Before::

        DockerRun(image="prefecthq/prefect:0.15.13-python3.8")

    After::

        DockerRun(image="prefecthq/prefect:1.4.1-python3.8")
    """

    code = "PFU507"
    summary = "prefecthq/prefect 0.x image in a Python string: tag changed to 1.4.1(-pythonX.Y)"
    fix_class = FixClass.SAFE
    markers = ("prefecthq/prefect:", "PrefectHQ/prefect:", "prefectHQ/prefect:")
    examples = (
        Example('run = DockerRun(image="prefecthq/prefect:latest")\n"""Built on prefecthq/prefect:0.15.13."""\n'),
        Example(
            'run = DockerRun(image="prefecthq/prefect:0.15.13-python3.8")\n',
            'run = DockerRun(image="prefecthq/prefect:1.4.1-python3.8")\n',
        ),
    )

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.BaseExpression:
        raw = plain_raw_value(original_node)
        if raw is None or "prefect:" not in raw.lower():
            return updated_node
        match = IMAGE.fullmatch(raw.strip())
        if match is None:
            return updated_node
        tag = match.group("tag")
        image = f"{match.group('repo')}:{tag}"
        new_tag, problem, old = judge_tag(image, tag)
        if new_tag is None:
            if problem:
                self.report(original_node, problem, applied=False, fix_class=FixClass.MANUAL)
            return updated_node
        lead = len(raw) - len(raw.lstrip())
        start = lead + match.start("tag")
        new_raw = raw[:start] + new_tag + raw[start + len(tag) :]
        self.report(original_node, f"image {image} is Prefect {old}: tag changed to {new_tag}", applied=True)
        return with_raw_value(updated_node, new_raw)
