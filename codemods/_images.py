"""``prefecthq/prefect`` image references and their Prefect 1.x tags (shared by PFU502/PFU507).

Tag scheme (Prefect's own sources): Prefect 0.x/1.x images are ``prefecthq/prefect:X.Y.Z`` and
``prefecthq/prefect:X.Y.Z-pythonA.B``; ``Docker`` storage builds on
``"prefecthq/prefect:{}-python{}".format(prefect_version, python_version)``
(``prefect/storage/docker.py``) and the install docs list ``X.Y.Z-python3.x`` tags next to
``latest``/``latest-python3.x``/``master``/``all_extras``. Prefect 1.x dropped Python 3.6 and
its images cover Python 3.7-3.10 (``1.4.1-python3.10`` is in use in public Dockerfiles), so
the target is the last 1.x release, ``1.4.1``, with the same Python suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from prefect_upgrade.codemods._pins import line_starts

TARGET = "1.4.1"
#: Python versions with a ``prefecthq/prefect:1.4.1-pythonX.Y`` image.
PYTHONS_1X = ("3.7", "3.8", "3.9", "3.10")

IMAGE = re.compile(
    r"""(?<![\w.-])(?P<repo>(?:(?:docker\.io|index\.docker\.io|registry\.hub\.docker\.com)/)?prefecthq/prefect):
    (?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*)""",
    re.VERBOSE | re.IGNORECASE,
)
_OLD_TAG = re.compile(r"^(?P<version>0\.\d+\.\d+)(?:-python(?P<python>\d+\.\d+))?$")


@dataclass
class ImageRef:
    start: int  # of the tag
    end: int
    image: str  # as written, repository and tag
    tag: str
    #: The new tag, or None when the reference stays (then ``problem`` may say why).
    new_tag: Optional[str] = None
    problem: Optional[str] = None
    old_version: Optional[str] = None


def judge_tag(image: str, tag: str) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(new tag, problem, old Prefect version) for one tag of ``prefecthq/prefect``."""
    match = _OLD_TAG.match(tag)
    if match:
        python = match.group("python")
        if python is None:
            return TARGET, None, match.group("version")
        if python in PYTHONS_1X:
            return f"{TARGET}-python{python}", None, match.group("version")
        if python == "3.6":
            return None, (
                f"image {image} runs Python 3.6 and Prefect 1.x has no Python 3.6 image: "
                f"move to a Python 3.7+ image such as prefecthq/prefect:{TARGET}-python3.7"
            ), match.group("version")
        return None, f"image {image} is Prefect 0.x: pick a prefecthq/prefect:{TARGET}-pythonX.Y tag", match.group("version")
    old = re.search(r"(?<![\d.])0\.\d+\.\d+", tag)
    if old:
        return None, f"image {image} is Prefect {old.group(0)}: pick a Prefect 1.x tag (e.g. {TARGET}-python3.8)", old.group(0)
    return None, None, None


def image_refs(text: str) -> Iterator[ImageRef]:
    for match in IMAGE.finditer(text):
        tag = match.group("tag").rstrip(".-")
        start = match.start("tag")
        image = f"{match.group('repo')}:{tag}"
        new_tag, problem, old = judge_tag(image, tag)
        yield ImageRef(start, start + len(tag), image, tag, new_tag, problem, old)


_SPLIT_NAME = re.compile(
    r"""^(?P<indent>[ ]*)(?:-[ ]+)?(?:name|repository|image)[ ]*:[ ]*["']?(?P<repo>(?:docker\.io/)?prefecthq/prefect)["']?[ ]*(?:\#.*)?$""",
    re.IGNORECASE,
)
_SPLIT_TAG = re.compile(r"""^(?P<indent>[ ]*)tag[ ]*:[ ]*(?P<q>["']?)(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*)(?P=q)[ ]*(?:\#.*)?$""")
_VERSION_TAG = re.compile(
    r"""^[ ]*(?:prefectVersionTag|prefect_version_tag|prefectImageTag)[ ]*:[ ]*(?P<q>["']?)(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*)(?P=q)[ ]*(?:\#.*)?$""",
    re.MULTILINE,
)


def yaml_split_refs(text: str) -> Iterator[ImageRef]:
    """Images whose repository and tag are separate YAML keys (Helm values)::

        image:
          name: prefecthq/prefect      # or repository:
          tag: 0.15.13-python3.8

    and the PrefectHQ/server chart's ``prefectVersionTag: "0.15.13"``.
    """
    for match in _VERSION_TAG.finditer(text):
        tag = match.group("tag")
        image = f"prefecthq/prefect:{tag}"
        new_tag, problem, old = judge_tag(image, tag)
        yield ImageRef(match.start("tag"), match.end("tag"), image, tag, new_tag, problem, old)
    lines = text.splitlines(keepends=True)
    offsets = line_starts(lines)
    for index, line in enumerate(lines):
        name = _SPLIT_NAME.match(line.rstrip("\r\n"))
        if not name:
            continue
        indent = len(line) - len(line.lstrip(" -"))
        for step in (1, -1):
            other = index + step
            while 0 <= other < len(lines):
                body = lines[other].rstrip("\r\n")
                if not body.strip() or body.lstrip().startswith("#"):
                    other += step
                    continue
                own = len(body) - len(body.lstrip(" "))
                if own < indent or body.lstrip().startswith("-"):
                    break
                tag = _SPLIT_TAG.match(body)
                if tag and own == indent:
                    value = tag.group("tag")
                    image = f"{name.group('repo')}:{value}"
                    new_tag, problem, old = judge_tag(image, value)
                    start = offsets[other] + tag.start("tag")
                    yield ImageRef(start, start + len(value), image, value, new_tag, problem, old)
                    break
                other += step
