"""PFU502: ``prefecthq/prefect`` images of Prefect 0.x."""

from __future__ import annotations

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._images import TARGET, image_refs, yaml_split_refs
from prefect_upgrade.codemods._pins import apply_edits, line_col
from prefect_upgrade.codemods.base import Example, TextCodemod
from prefect_upgrade.findings import FixClass


@register
class PrefectImages(TextCodemod):
    """``prefecthq/prefect`` image tags of Prefect 0.x move to the matching 1.x tag.

    ``prefecthq/prefect:0.15.13-python3.8`` becomes ``prefecthq/prefect:1.4.1-python3.8`` and a
    bare ``prefecthq/prefect:0.15.13`` becomes ``prefecthq/prefect:1.4.1`` (1.4.1 is the last
    Prefect 1.x; its images exist for Python 3.7-3.10, the same ``X.Y.Z-pythonA.B`` scheme that
    Prefect's ``Docker`` storage uses for its base image). Wherever the text names the image:
    Dockerfile ``FROM``, compose and Kubernetes/Helm ``image:``, ``docker run``/``pull`` in
    scripts, Makefiles and ``.env`` files; in YAML also Helm values that split the image into
    ``name``/``repository`` and ``tag`` keys, and the Prefect Server chart's
    ``prefectVersionTag``. Python string literals are PFU507.

    ``latest``, ``master``, ``2.x``/``3.x`` and 1.x tags stay. A Python 3.6 tag
    (``0.15.13-python3.6``) is left as it is and reported as manual: Prefect 1.x has no Python
    3.6 image, so the image's Python must change too. Other 0.x tags (``all_extras-0.14.0``,
    ``core-0.15.13``) are reported as manual.

    Before::

        FROM prefecthq/prefect:0.15.13-python3.8

    After::

        FROM prefecthq/prefect:1.4.1-python3.8
    """

    code = "PFU502"
    summary = f"prefecthq/prefect image of Prefect 0.x: tag changed to {TARGET}(-pythonX.Y)"
    fix_class = FixClass.SAFE
    file_kinds = frozenset({"dockerfile", "yaml", "shell", "makefile", "dotenv", "toml", "ini"})
    markers = ("prefecthq/prefect", "PrefectHQ/prefect", "prefectHQ/prefect", "prefectVersionTag")
    examples = (
        Example("FROM prefecthq/prefect:latest\nFROM prefecthq/prefect:2.7.1-python3.10\n", kind="dockerfile"),
        Example("FROM prefecthq/prefect:0.15.13-python3.6\n", kind="dockerfile"),
        Example(
            "FROM prefecthq/prefect:0.15.13-python3.8 AS base\n",
            "FROM prefecthq/prefect:1.4.1-python3.8 AS base\n",
            kind="dockerfile",
        ),
        Example(
            "    image: prefecthq/prefect:0.14.22\n",
            "    image: prefecthq/prefect:1.4.1\n",
            kind="yaml",
        ),
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        edits: list[tuple[int, int, str]] = []
        notes: list[str] = []
        refs = list(image_refs(text))
        if kind == "yaml":
            refs.extend(yaml_split_refs(text))
        for ref in refs:
            if ref.new_tag is not None:
                edits.append((ref.start, ref.end, ref.new_tag))
                notes.append(f"image {ref.image} is Prefect {ref.old_version}: tag changed to {ref.new_tag}")
            elif ref.problem is not None:
                edits.append((ref.start, ref.start, ""))
                notes.append("!" + ref.problem)
        if not edits:
            return text
        new_text, starts = apply_edits(text, edits)
        for index, note in enumerate(notes):
            line, col = line_col(new_text, starts[index])
            if note.startswith("!"):
                self.report(line, col, note[1:], applied=False, fix_class=FixClass.MANUAL)
            else:
                self.report(line, col, note, applied=True)
        return new_text
