"""PFU501: Prefect version pins that admit no Prefect 1.x."""

from __future__ import annotations

import re

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._pins import apply_edits, find_pins, line_col
from prefect_upgrade.codemods.base import Example, TextCodemod
from prefect_upgrade.findings import FixClass


@register
class PrefectPins(TextCodemod):
    """Prefect pins that admit only Prefect 0.x are moved to Prefect 1.x.

    A pin is rewritten when its constraint admits some Prefect 0.x release and no 1.x release
    (``==0.15.13``, ``>=0.14,<0.16``, ``~=0.15``, ``<1``, Poetry ``^0.15.0``, conda
    ``=0.15.13``). Only the constraint changes: the name, extras, environment markers, comments,
    quotes and spacing around it stay byte for byte. Pins that already admit 1.x (``>=0.14``,
    ``>=1.0``), Prefect 2/3 pins, unpinned ``prefect`` and other packages whose name starts with
    ``prefect-``/``prefect_`` (``prefect-aws``, ``prefect_gcp``) are left alone.

    Where: ``requirements*.txt``/``constraints*.txt``; ``pyproject.toml`` (PEP 621
    ``dependencies`` and optional dependencies, any requirement string, Poetry's
    ``[tool.poetry.*dependencies]`` with plain, inline-table and sub-table forms) and
    ``Pipfile``; ``setup.cfg``/``tox.ini`` (``install_requires``, ``extras_require``, ``deps`` ...);
    conda ``environment.yml`` (conda items and the ``pip:`` list); and ``pip install``,
    ``python -m pip install``, ``uv pip install``, ``pipenv install``, ``poetry add
    prefect@…`` and ``conda/mamba install`` commands in shell scripts, Dockerfiles, Makefiles
    and YAML. ``setup.py`` is PFU506 (ignore both with ``--ignore PFU501,PFU506``).

    The new constraint is ``>=1.0,<2`` (pip resolves it to 1.4.1, the last 1.x). Poetry caret
    constraints become ``^1.0``. On a command line an *unquoted* word gets ``~=1.0`` (the same
    range, with no ``<``/``>`` for the shell to read as a redirection), an unquoted conda word
    ``=1`` (conda's "1.*"); quoted words get ``>=1.0,<2``.

    A build variable holding a 0.x version (``ARG PREFECT_VERSION=0.15.9``, ``ENV
    PREFECT_VERSION 0.15.9``, ``PREFECT_VERSION=0.15.9`` in scripts, Makefiles, ``.env`` and
    YAML) gets ``1.4.1``, one exact release, because such variables are spliced into
    ``prefect==$PREFECT_VERSION`` and image tags.

    Not rewritten, reported as manual: pins carrying ``--hash`` values (the hashes must be
    regenerated) and direct references (``prefect @ git+…@0.15.13``).

    Before::

        prefect[aws]==0.15.13 ; python_version >= "3.7"  # pinned
        RUN pip install prefect==0.15.13

    After::

        prefect[aws]>=1.0,<2 ; python_version >= "3.7"  # pinned
        RUN pip install prefect~=1.0
    """

    code = "PFU501"
    summary = "Prefect pin admits no 1.x: constraint changed to >=1.0,<2"
    fix_class = FixClass.SAFE
    file_kinds = frozenset({"requirements", "toml", "ini", "yaml", "dockerfile", "shell", "makefile", "dotenv"})
    markers = ("prefect", "Prefect", "PREFECT")
    examples = (
        Example("prefect>=1.0,<2\nprefect-aws==0.1.0\nprefect==2.7.1\nprefect\n", kind="requirements"),
        Example(
            'prefect[aws]==0.15.13 ; python_version >= "3.7"  # pinned\n',
            'prefect[aws]>=1.0,<2 ; python_version >= "3.7"  # pinned\n',
            kind="requirements",
        ),
        Example('[tool.poetry.dependencies]\nprefect = "^0.15.0"\n', '[tool.poetry.dependencies]\nprefect = "^1.0"\n', kind="toml"),
        Example("RUN pip install --no-cache-dir prefect==0.15.13\n", "RUN pip install --no-cache-dir prefect~=1.0\n", kind="dockerfile"),
        Example("pip install 'prefect[aws]>=0.14'\n", kind="shell"),
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        edits: list[tuple[int, int, str]] = []
        notes: list[tuple[int, str]] = []  # (edit index, message; "!" marks a manual one)
        for pin in find_pins(text, kind):
            if pin.blocker:
                if pin.verdict == "upgrade" or re.search(r"[@=]v?0\.\d+", pin.requirement):
                    edits.append((pin.start, pin.start, ""))
                    notes.append((len(edits) - 1, "!" + self._blocked(pin)))
                continue
            if pin.verdict != "upgrade":
                continue
            edits.append((pin.start, pin.end, pin.replacement))
            if pin.requirement.upper().startswith("PREFECT_"):  # ARG PREFECT_VERSION=0.15.9
                message = f"{pin.requirement.strip()!r} is Prefect 0.x: set to {pin.replacement!r}"
            else:
                message = (
                    f"Prefect pin {pin.requirement.strip()!r} admits no Prefect 1.x: "
                    f"constraint changed to {pin.replacement!r}"
                )
            notes.append((len(edits) - 1, message))
        if not edits:
            return text
        new_text, starts = apply_edits(text, edits)
        for index, note in notes:
            line, col = line_col(new_text, starts[index])
            if note.startswith("!"):
                self.report(line, col, note[1:], applied=False, fix_class=FixClass.MANUAL)
            else:
                self.report(line, col, note, applied=True)
        return new_text

    @staticmethod
    def _blocked(pin) -> str:
        if pin.blocker == "a pin with --hash values":
            return (
                f"Prefect pin {pin.requirement!r} carries --hash values: change it to prefect>=1.0,<2 "
                "and regenerate the hashes (e.g. pip-compile --generate-hashes)"
            )
        return f"Prefect pin {pin.requirement!r} is a direct reference: point it at a Prefect 1.x release"
