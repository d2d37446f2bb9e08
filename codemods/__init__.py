"""The registry of codemods.

Every module ``pfu*.py`` in this folder defines codemod classes decorated with ``@register``.
The driver asks this registry for codemods; it never names one itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Optional, Sequence

from prefect_upgrade.codemods.base import Codemod, code_selected

_REGISTRY: dict[str, type[Codemod]] = {}
_loaded = False


def register(cls: type[Codemod]) -> type[Codemod]:
    """Class decorator: make a codemod known to the driver under its code."""
    for code in cls.codes():
        owner = _REGISTRY.get(code)
        if owner is not None and owner is not cls:
            raise ValueError(f"code {code} is claimed by {owner.__name__} and {cls.__name__}")
    _REGISTRY[cls.code] = cls
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("pfu"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def all_codemods() -> list[type[Codemod]]:
    """Every registered codemod, in the fixed order they run in (by code)."""
    _load_all()
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def all_codes() -> dict[str, str]:
    """Every code any codemod can report, with its summary, sorted."""
    codes: dict[str, str] = {}
    for codemod in all_codemods():
        codes.update(codemod.codes())
    return dict(sorted(codes.items()))


def owner_of(code: str) -> Optional[type[Codemod]]:
    """The codemod that reports ``code`` (a main code or a sub-code)."""
    for codemod in all_codemods():
        if code in codemod.codes():
            return codemod
    return None


def selected_codemods(select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[type[Codemod]]:
    """The codemods that have at least one selected code."""
    return [
        codemod
        for codemod in all_codemods()
        if any(code_selected(code, select, ignore) for code in codemod.codes())
    ]
