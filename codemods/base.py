"""What every codemod is made of.

A codemod is a pure transform: a libcst tree (or a text, for files that are not Python) goes in,
a tree and findings come out. It never reads files, prints, or knows about the command line.

Every codemod class carries:
- ``code`` (``PFU101``), ``summary`` (one line), ``fix_class`` (its usual class);
- ``extra_codes``: the sub-codes its findings may carry, each with a one-line summary;
- ``file_kinds``: which kinds of content it rewrites (``python``, ``shell``, ``yaml`` ...);
- ``markers``: substrings without which a text cannot need this codemod (a cheap pre-filter);
- ``examples``: code that must stay as it is (``Example(before)``) next to code that must change
  (``Example(before, after)``); they are its tests and its documentation;
- a docstring with a before/after example, shown by ``--explain``.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
import types
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import ClassVar, Iterator, Mapping, Optional, Sequence

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.matchers import _visitors as _matcher_visitors
from libcst.metadata import wrapper as _metadata_wrapper
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from prefect_upgrade.codemods import _walk
from prefect_upgrade.codemods._positions import positions_of
from prefect_upgrade.codemods._scopes import QualifiedNames, scopes_of
from prefect_upgrade.findings import FixClass, Reporter

# Light names (no libcst), defined in ``options`` so that start-up can use them; re-exported.
from prefect_upgrade.codemods.options import (  # noqa: E402,F401
    CONTENT_KINDS,
    PYTHON,
    SOURCE_VERSIONS,
    CodemodOptions,
    code_selected,
)


@dataclass(frozen=True)
class Example:
    """``after is None`` means the code must come out unchanged.

    ``reports``: when given, the codes the example must report, exactly (``()``: none). A codemod
    that only reports (a manual finding, nothing to rewrite) shows what it finds this way.
    """

    before: str
    after: Optional[str] = None
    kind: str = PYTHON
    options: CodemodOptions = CodemodOptions()
    reports: Optional[tuple[str, ...]] = None

    @property
    def must_change(self) -> bool:
        return self.after is not None


class Codemod:
    """The registry's view of a codemod; subclass one of the kinds below."""

    code: ClassVar[str]
    summary: ClassVar[str]
    fix_class: ClassVar[FixClass] = FixClass.SAFE
    extra_codes: ClassVar[Mapping[str, str]] = {}
    file_kinds: ClassVar[frozenset[str]] = frozenset({PYTHON})
    markers: ClassVar[Sequence[str]] = ("prefect",)
    examples: ClassVar[Sequence[Example]] = ()
    #: the usual class of a sub-code when it differs from ``fix_class`` (optional)
    code_classes: ClassVar[Mapping[str, FixClass]] = {}

    @classmethod
    def class_of_code(cls, code: str) -> FixClass:
        """The usual fix class of ``code`` (a main code or a sub-code of this codemod)."""
        return cls.code_classes.get(code, cls.fix_class)

    @classmethod
    def codes(cls) -> dict[str, str]:
        """Every code this codemod can report, with its one-line summary."""
        return {cls.code: cls.summary, **dict(cls.extra_codes)}

    @classmethod
    def explain(cls) -> str:
        doc = inspect.getdoc(cls) or cls.summary
        return textwrap.dedent(doc).strip()

    #: Words that must also be in a text (all of them): a codemod that follows names imported
    #: from Prefect has nothing to do in a module that never spells ``prefect``, however often
    #: it says ``exceptions`` or ``core``.
    also_needs: ClassVar[Sequence[str]] = ()

    @classmethod
    def may_apply(cls, text: str) -> bool:
        return any(marker in text for marker in cls.markers)

    @classmethod
    def applies_to(cls, text: str) -> bool:
        """Whether ``text`` may need this codemod: ``may_apply`` and every ``also_needs`` word."""
        return all(word in text for word in cls.also_needs) and cls.may_apply(text)

    #: Codemods with the same ``fuses_as`` that run one after the other may be run as one
    #: codemod (``fused``) when nobody reviews their changes one by one: the runner checks
    #: that the fused change could be kept as a whole, and runs them one by one otherwise.
    fuses_as: ClassVar[Optional[str]] = None

    @classmethod
    def fused(cls, members: tuple[type["Codemod"], ...]) -> type["Codemod"]:
        """One codemod doing what ``members`` (which share ``fuses_as``) do in turn, with the
        same findings, each under its member's code."""
        raise NotImplementedError


#: The attributes libcst's matcher decorators set on a method (``libcst.matchers._decorators``).
_MATCHER_ATTRS = ("_call_if_inside_matcher", "_call_if_not_inside_matcher", "_visit_matcher", "_leave_matcher")
#: Values that cannot carry a decorator's attribute, nor give one from ``__get__``.
_BUILTIN_DESCRIPTORS = (
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.BuiltinFunctionType,
    types.GetSetDescriptorType,
)


@functools.lru_cache(maxsize=None)
def _no_decorated_attribute(klass: type) -> bool:
    """Whether no attribute defined in ``klass`` itself can carry a matcher decorator."""
    for value in vars(klass).values():
        if isinstance(value, (property, *_BUILTIN_DESCRIPTORS)):
            continue  # libcst skips properties
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        elif not isinstance(value, types.FunctionType) and hasattr(type(value), "__get__"):
            return False  # what it gives is known only on an instance
        if any(hasattr(value, attr) for attr in _MATCHER_ATTRS):
            return False
    return True


@functools.lru_cache(maxsize=None)
def _no_decorator_in_class(cls: type) -> bool:
    """Whether no class in ``cls``'s MRO holds a method carrying a matcher decorator."""
    return all(_no_decorated_attribute(klass) for klass in cls.__mro__)


def _decorated_nowhere(obj: object) -> bool:
    """Whether libcst's search of ``obj``'s every attribute for matcher decorators must come
    back empty: no class in its MRO holds a decorated method, and no instance attribute is a
    method. (The first search of a class took ~25 ms.)"""
    return not any(callable(v) for v in vars(obj).values()) and _no_decorator_in_class(type(obj))


def _once_per_class(gather):
    """libcst searches every attribute of each new matcher-decoratable visitor or transformer
    for ``@m.visit``/``@m.leave`` (~15 ms an instance, more than parsing a 170-line file). The
    codemods, ``AddImportsVisitor``, ``RemoveImportsVisitor`` and the gather visitors they run
    have none: a class found without any is not searched again."""
    if getattr(gather, "_once_per_class", False):
        return gather
    plain: set = set()

    def gather_once(obj):
        cls = type(obj)
        if cls in plain and not any(inspect.ismethod(v) for v in vars(obj).values()):
            return {}
        if _decorated_nowhere(obj):
            plain.add(cls)
            return {}
        found = gather(obj)
        if not found:
            plain.add(cls)
        return found

    gather_once._once_per_class = True
    gather_once.__wrapped__ = gather
    return gather_once


def _matchers_once_per_class(gather):
    """libcst also searches every attribute of each new instance for ``@m.call_if_inside``
    matchers (~35 ms an instance; a file sees dozens of instances). They sit on the class's
    methods, so the search is made once per class; each instance still gets its own dict, which
    libcst fills in while it walks the tree."""
    if getattr(gather, "_once_per_class", False):
        return gather
    found_for: dict = {}

    def gather_once(obj):
        cls = type(obj)
        if any(callable(v) for v in vars(obj).values()):
            return gather(obj)  # instance attributes could carry matchers of their own
        keys = found_for.get(cls)
        if keys is None:
            keys = found_for[cls] = () if _no_decorator_in_class(cls) else tuple(gather(obj))
        return dict.fromkeys(keys)

    gather_once._once_per_class = True
    gather_once.__wrapped__ = gather
    return gather_once


# Private libcst functions (checked with libcst 1.9): where a release renames them, the tool
# simply runs without this shortcut.
for _name, _shortcut in (
    ("_gather_constructed_visit_funcs", _once_per_class),
    ("_gather_constructed_leave_funcs", _once_per_class),
    ("_gather_matchers", _matchers_once_per_class),
):
    if callable(getattr(_matcher_visitors, _name, None)):
        setattr(_matcher_visitors, _name, _shortcut(getattr(_matcher_visitors, _name)))


def _no_empty_batch(gen_batchable):
    """libcst resolves a provider that is not batchable (positions) and then runs the empty batch
    of batchable ones left: a walk over the whole tree that computes nothing."""

    def gen_unless_empty(wrapper, providers):
        providers = list(providers)
        return gen_batchable(wrapper, providers) if providers else {}

    return gen_unless_empty


if callable(getattr(_metadata_wrapper, "_gen_batchable", None)):
    _metadata_wrapper._gen_batchable = _no_empty_batch(_metadata_wrapper._gen_batchable)

# libcst's walk rebuilds every node it visits; this one rebuilds only what changed (``_walk.py``).
_walk.install()


class PythonCodemod(Codemod, VisitorBasedCodemodCommand):
    """A codemod over a Python module (a libcst transformer).

    ``AddImportsVisitor``/``RemoveImportsVisitor`` scheduled through ``self.context`` run after
    the transform, as in any libcst codemod command.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)
    file_kinds = frozenset({PYTHON})
    #: False: the codemod is shown only the top-level statements that hold its markers, the
    #: imports, and what they lead to (``rewriters/focus.py``); True: always the whole module.
    sees_whole_module: ClassVar[bool] = False
    #: True: a module-level class that a statement in the view uses is shown too (with the
    #: classes it is built on), e.g. a subclass of a Prefect class defined without any marker.
    follows_classes: ClassVar[bool] = False

    #: Set by the Python rewriter: a wrapper shared by every codemod that sees the same tree.
    shared_wrapper: Optional[MetadataWrapper] = None

    def __init__(self, context: CodemodContext, options: CodemodOptions, reporter: Reporter) -> None:
        super().__init__(context)
        self.options = options
        self.reporter = reporter
        self._waiting_reports: list = []

    # -- speed: shared, lazily resolved metadata (libcst trees are immutable) ------------------

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        wrapper = self.shared_wrapper
        if wrapper is None or wrapper.module is not module:
            with super()._handle_metadata_reference(module) as tree:
                yield tree
            return
        old = self.context.wrapper
        with self.resolve(wrapper):
            self.context = replace(self.context, wrapper=wrapper)
            try:
                yield wrapper.module
            finally:
                self.context = replace(self.context, wrapper=old)

    @contextmanager
    def resolve(self, wrapper: MetadataWrapper) -> Iterator[None]:
        # Each provider is computed on first use, not up front: a codemod that reports nothing
        # never pays for positions, one that finds nothing to look up never pays for scopes.
        self.metadata = _LazyMetadata(wrapper, self.get_inherited_dependencies())
        try:
            yield
        finally:
            try:
                self._place_reports(wrapper)
            finally:
                self.metadata = {}

    def _instantiate_and_run(self, transform, tree: cst.Module) -> cst.Module:
        # AddImportsVisitor needs no metadata, hence no deep copy of the tree.
        instance = transform(self.context)
        needs = instance.get_inherited_dependencies()
        if instance.should_allow_multiple_passes() or not needs <= _SCOPE_METADATA:
            return instance.transform_module(tree)
        if needs:
            # libcst's own run deep-copies the tree and resolves every provider over all of it
            # (RemoveImportsVisitor, when a removed name is also mentioned elsewhere: half of
            # PFU201's time on a big test module); the scopes come from the one-pass visitor
            # instead, the names from them when asked. Visitors it makes inside read the
            # providers from the wrapper, so they are put there.
            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
            known = wrapper._metadata
            scopes = scopes_of(wrapper)
            known.setdefault(ScopeProvider, scopes)
            known.setdefault(QualifiedNameProvider, QualifiedNames(scopes))
            instance.context = replace(instance.context, wrapper=wrapper)
            instance.metadata = {provider: known[provider] for provider in needs}
            return instance.transform_module_impl(tree)
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        with instance.resolve(wrapper):
            instance.context = replace(instance.context, wrapper=wrapper)
            return instance.transform_module_impl(tree)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        applied: bool,
        fix_class: Optional[FixClass] = None,
        code: Optional[str] = None,
        anchor: str = "",
    ) -> None:
        """Record a finding at ``node`` (a node of the tree this codemod was given).

        During the transform, findings wait for the end of it: then the positions of all of them
        are found in one pass (``positions_of``), not those of every node (``PositionProvider``).
        ``anchor``: text the rewrite puts where ``node`` was (``run_config=``); when ``node``'s
        code becomes several lines, the finding goes to the one that holds it.
        """
        finding = (node, code or self.code, fix_class or self.fix_class, message, applied, anchor)
        if isinstance(self.metadata, _LazyMetadata):
            self._waiting_reports.append(finding)
        else:
            self._add_findings([finding], None)

    def _place_reports(self, wrapper: MetadataWrapper) -> None:
        waiting, self._waiting_reports = self._waiting_reports, []
        if not waiting:
            return
        known = getattr(wrapper, "_metadata", None)
        if isinstance(known, dict) and PositionProvider in known:
            positions = known[PositionProvider]  # a codemod asked for it already
        else:
            positions = positions_of(wrapper.module, {finding[0] for finding in waiting})
        self._add_findings(waiting, positions)

    def _add_findings(self, findings: list, positions: Optional[Mapping]) -> None:
        for node, code, fix_class, message, applied, anchor in findings:
            found = positions.get(node) if positions is not None else None
            position = (found or self.get_metadata(PositionProvider, node)).start
            self.reporter.add(code, position.line, position.column + 1, fix_class, message, applied, anchor)

    def allows(self, fix_class: FixClass) -> bool:
        return self.options.allows(fix_class)

    def enabled(self, code: str) -> bool:
        """Whether a sub-code of this codemod is selected (``--select``/``--ignore``)."""
        return self.options.code_enabled(code)


class TextCodemod(Codemod):
    """A codemod over the text of a file that is not Python (or of a part of one)."""

    file_kinds: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: CodemodOptions, reporter: Reporter) -> None:
        self.options = options
        self.reporter = reporter

    def rewrite_text(self, text: str, kind: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def report(
        self,
        line: int,
        col: int,
        message: str,
        *,
        applied: bool,
        fix_class: Optional[FixClass] = None,
        code: Optional[str] = None,
    ) -> None:
        self.reporter.add(code or self.code, line, col, fix_class or self.fix_class, message, applied)

    def allows(self, fix_class: FixClass) -> bool:
        return self.options.allows(fix_class)

    def enabled(self, code: str) -> bool:
        return self.options.code_enabled(code)


#: what ``_instantiate_and_run`` computes itself for a helper transform
_SCOPE_METADATA = frozenset({ScopeProvider, QualifiedNameProvider})


class _LazyMetadata(Mapping):
    """``MetadataDependent.metadata`` that resolves each provider when it is first asked for."""

    def __init__(self, wrapper: MetadataWrapper, providers) -> None:
        self._wrapper = wrapper
        self._providers = frozenset(providers)
        self._resolved: dict = {}

    def __getitem__(self, provider):
        if provider not in self._providers:
            raise KeyError(provider)
        found = self._resolved.get(provider)
        if found is None:
            if provider is ScopeProvider:
                found = scopes_of(self._wrapper)
            elif provider is QualifiedNameProvider and QualifiedNameProvider not in getattr(self._wrapper, "_metadata", {}):
                found = QualifiedNames(scopes_of(self._wrapper))
            else:
                found = self._wrapper.resolve(provider)
            self._resolved[provider] = found
        return found

    def __contains__(self, provider) -> bool:
        return provider in self._providers

    def __iter__(self):
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)
