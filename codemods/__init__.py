"""The registry of codemods.

Every module ``pfu*.py`` in this folder defines codemod classes decorated with ``@register``.
The driver asks this registry for codemods; it never names one itself.

Importing a codemod module imports libcst (~0.9 s). So that a run over files that cannot need a
codemod never pays for that, ``_marker_index.py`` (generated, committed) holds, for every codemod, its
module, codes, file kinds and markers, and for every file kind the codemods its rewriter
handles. The pre-filter and ``--select``/``--ignore`` checks read the index; a codemod module
is imported only when a file's bytes hold one of its markers (``load``), or when the whole
registry is asked for (``all_codemods``: ``--list-codemods``, ``--explain`` ...).
``tests/test_registry_index.py`` fails when the index no longer matches the classes; rewrite it
with ``python -m prefect_upgrade.codemods``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, NamedTuple, Optional, Sequence

from prefect_upgrade.codemods.options import code_selected

if TYPE_CHECKING:
    from prefect_upgrade.codemods.base import Codemod

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


# -- the index: what the pre-filter needs, without importing the codemods ----------------------


class Entry(NamedTuple):
    """One codemod as the index knows it."""

    module: str  # its module in this package
    codes: tuple[str, ...]  # its main code first, then its sub-codes
    file_kinds: tuple[str, ...]
    markers: tuple[str, ...]


def _entry(cls: type[Codemod]) -> Entry:
    return Entry(
        cls.__module__.rsplit(".", 1)[-1],
        tuple(cls.codes()),
        tuple(sorted(cls.file_kinds)),
        tuple(cls.markers),
    )


def compute_index() -> tuple[dict[str, Entry], dict[str, tuple[str, ...]]]:
    """The index from the classes themselves: (code → entry, file kind → handled codes)."""
    from prefect_upgrade.rewriters import known_kinds, rewriter_for

    codemods = all_codemods()
    entries = {cls.code: _entry(cls) for cls in codemods}
    handled = {}
    for kind in sorted(known_kinds()):
        rewriter = rewriter_for(kind)
        handled[kind] = tuple(cls.code for cls in codemods if rewriter is not None and rewriter.handles(cls))
    return entries, handled


_index_checked = False


def _index() -> tuple[dict[str, Entry], Optional[dict[str, tuple[str, ...]]]]:
    global _index_checked
    if not _loaded:
        from prefect_upgrade.codemods import _marker_index as data

        if not _index_checked:
            # A codemod module added without rewriting the index would be silently skipped:
            # then every module is imported and the classes answer (slower, but right).
            modules = {m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("pfu")}
            if modules <= {entry.module for entry in data.CODEMODS.values()}:
                _index_checked = True
            else:
                _load_all()
        if not _loaded:
            return data.CODEMODS, data.HANDLED
    # Once every module is imported (or a test swapped the registry), the classes are the truth.
    return {code: _entry(cls) for code, cls in sorted(_REGISTRY.items())}, None


def index_entries() -> dict[str, Entry]:
    """Every codemod's entry, by main code, in run order."""
    return _index()[0]


def handled_codes(kind: str) -> tuple[str, ...]:
    """The main codes of the codemods that the rewriter of ``kind`` handles, in run order."""
    entries, handled = _index()
    if handled is not None and kind in handled:
        return handled[kind]
    from prefect_upgrade.rewriters import rewriter_for

    rewriter = rewriter_for(kind)
    if rewriter is None:
        return ()
    return tuple(code for code in entries if rewriter.handles(load((code,))[0]))


def known_codes() -> frozenset[str]:
    """Every code (main and sub-codes) any codemod can report."""
    return frozenset(code for entry in index_entries().values() for code in entry.codes)


def selected_codes(select: Sequence[str] = (), ignore: Sequence[str] = ()) -> tuple[str, ...]:
    """Main codes of the codemods that have at least one selected code, in run order."""
    return tuple(
        code
        for code, entry in index_entries().items()
        if any(code_selected(c, select, ignore) for c in entry.codes)
    )


def load(codes: Sequence[str]) -> tuple[type[Codemod], ...]:
    """The classes of the codemods with these main codes, importing only their modules."""
    classes = []
    for code in codes:
        if code not in _REGISTRY:
            entry = index_entries().get(code)
            if entry is not None:
                importlib.import_module(f"{__name__}.{entry.module}")
            if code not in _REGISTRY:
                _load_all()
        classes.append(_REGISTRY[code])
    return tuple(classes)


def render_index() -> str:
    """The text of ``_marker_index.py`` for the classes as they are now."""
    entries, handled = compute_index()
    lines = [
        '"""Generated by ``python -m prefect_upgrade.codemods`` from the codemod classes: do not edit.',
        "",
        "Read by the registry (``__init__.py``) so that the pre-filter needs no codemod module.",
        '"""',
        "",
        "from prefect_upgrade.codemods import Entry",
        "",
        "#: main code -> Entry(module, codes, file_kinds, markers), in run order.",
        "CODEMODS = {",
    ]
    for code, entry in entries.items():
        lines.append(f"    {code!r}: Entry({entry.module!r}, {entry.codes!r}, {entry.file_kinds!r}, {entry.markers!r}),")
    lines += ["}", "", "#: file kind -> main codes of the codemods its rewriter handles, in run order.", "HANDLED = {"]
    for kind, codes in handled.items():
        lines.append(f"    {kind!r}: {codes!r},")
    lines += ["}", ""]
    return "\n".join(lines)
