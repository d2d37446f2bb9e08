"""The shared import-move engine behind PFU101–PFU106, driven by ``moves_table.py``.

A codemod built on it (``MovesCodemod``) rewrites every *real* reference to a moved name:

* import statements: ``import a.b.c``, ``import a.b.c as x``, ``from m import a, b as c`` (only the
  moved names leave the statement; the rest stay where they were; comments and parentheses are
  kept), ``from m import *`` (the module is changed when none of the names used from it were
  renamed or removed; otherwise a manual finding), imports inside functions or under
  ``if TYPE_CHECKING:`` (rewritten in place);
* the names an import binds: ``StorageError`` used as a base class, in ``except``, in an
  annotation or ``isinstance`` follows a rename to ``FlowStorageError``;
* attribute chains through any import: ``prefect.engine.executors.DaskExecutor(...)`` after
  ``import prefect``, ``ex.DaskExecutor`` after ``import prefect.engine.executors as ex``,
  ``executors.DaskExecutor`` after ``from prefect.engine import executors``; when the new module
  is not imported by ``import prefect`` in Prefect 1.0, ``import <new module>`` is added.

Left alone on purpose: whole ``try: … except ImportError:`` statements (compatibility blocks),
names shadowed by a local variable or parameter, comments, docstrings and strings (PFU107 handles
strings whose whole value is a dotted path), relative imports, and code already on new paths.

Decisions where the spec is silent:

* A renamed name is renamed at every use when the new name is free in the module. When the new
  name is already bound to something else, or a use cannot be renamed (a string annotation, a
  name also assigned locally, the old name listed in ``__all__``), the new name is imported under
  the old one (``from prefect.exceptions import FlowStorageError as StorageError``).
* When the new name is already imported (the same object), the old import is dropped (merged).
* Names with no successor are reported once, at their import (or at each attribute chain when
  they are reached through ``import prefect``) and left as they are.
* A name reached through a module alias that cannot reach its new home (``ut.unmapped`` after
  ``import prefect.utilities.tasks as ut``) is spelled from ``prefect`` (``prefect.unmapped``),
  and ``import prefect`` (or the new module) is added at the top of the module.
* ``from old.module import *`` is pointed at the new module when no name the file uses was
  renamed or removed there; otherwise it stays and is reported (import those names explicitly).
* Unsafe rows (e.g. ``PrefectError`` in 0.13/0.14 code) stay on their old import unless
  ``--unsafe-fixes``; the other names of the same import still move (the import is split).
* An import that becomes identical to an earlier one in the same block is dropped; imports in
  different blocks (``if``/``else`` branches) are never merged.

Speed (``tests/test_moves_speed.py``): one collector pass finds imports, names, calls and the
parent links the engine needs; libcst's scopes (the costly part) are computed only when a
name's attribute chain can reach a row of the table, and then by libcst's own visitors run
once each (``scopes_of``); qualified names are asked of those scopes, as
``QualifiedNameProvider`` does; positions are computed only for the nodes reported
(``PythonCodemod.report``); the transform enters only the top-level statements it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar, Collection, Mapping, Optional, Sequence, Union

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    ImportAssignment,
    PositionProvider,
    QualifiedName,
    QualifiedNameSource,
    Scope,
)

from prefect_upgrade.codemods._scopes import QualifiedNames, scopes_of
from prefect_upgrade.codemods.base import PythonCodemod
from prefect_upgrade.codemods.moves_table import (
    REACHABLE_FROM_IMPORT_PREFECT,
    Move,
    MoveIndex,
    moves_for,
)
from prefect_upgrade.findings import FixClass

ImportNode = Union[cst.Import, cst.ImportFrom]

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def is_compat_try(node: cst.CSTNode) -> bool:
    """``try: … except ImportError:`` (or a bare ``except:``): a compatibility block."""
    if not isinstance(node, (cst.Try, cst.TryStar)):
        return False
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
        for t in types:
            name = get_full_name_for_node(t) or ""
            if name.rpartition(".")[2] in _IMPORT_ERRORS:
                return True
    return False


@lru_cache(maxsize=None)
def _fused_moves(members: tuple[type[MovesCodemod], ...]) -> type[MovesCodemod]:
    checking = [m for m in members if m.check_calls is not MovesCodemod.check_calls]

    class FusedMoves(MovesCodemod):
        code = members[0].code
        summary = " + ".join(m.code for m in members)
        markers = tuple(dict.fromkeys(marker for m in members for marker in m.markers))
        move_codes = tuple(code for m in members for code in (m.move_codes or (m.code,)))
        checked_calls = tuple(call for m in members for call in m.checked_calls)
        extra_codes = {code: s for m in members for code, s in m.codes().items()}

        def report(self, node: cst.CSTNode, message: str, *, code: Optional[str] = None, **kwargs) -> None:
            if code is None and "code" not in self.__dict__:
                # the engine names each finding's row; check_calls sets its member's code
                raise RuntimeError(f"a finding of the fused move codemods without its code: {message}")
            super().report(node, message, code=code, **kwargs)

        def check_calls(self, calls: Sequence[cst.Call]) -> None:
            for member in checking:
                self.code = member.code  # what its findings are reported under
                try:
                    member.check_calls(self, calls)
                finally:
                    del self.code

    return FusedMoves


def dotted(name: str) -> cst.BaseExpression:
    return cst.parse_expression(name)


def describe(old: str, new: str) -> str:
    if old.rpartition(".")[2] == new.rpartition(".")[2]:
        return f"{old} moved to {new}"
    return f"{old} is now {new}"


@dataclass(eq=False)
class Binding:
    """One name bound by one import alias."""

    stmt: ImportNode
    alias: cst.ImportAlias
    local: str
    #: What ``local`` refers to (for ``import a.b.c`` without ``as``: ``a``).
    target: str
    #: For ``import a.b.c`` without ``as``: ``a.b.c``.
    module_path: Optional[str] = None
    refs: list = field(default_factory=list)
    # decisions
    new_target: Optional[str] = None
    new_local: Optional[str] = None
    new_module_path: Optional[str] = None
    drop: bool = False
    #: Findings at this binding already speak for its references of the same row.
    covers: Optional[Move] = None

    @property
    def rebound(self) -> bool:
        return self.new_target is not None

    @property
    def current_target(self) -> str:
        return self.new_target or self.target


@dataclass(eq=False)
class Ref:
    root: cst.Name
    node: cst.BaseExpression  # the outermost chain level that maps
    old: str
    new: Optional[str]
    row: Move
    bindings: list
    is_call_func: bool


class _Collector(cst.CSTVisitor):
    """One pass over the module: imports, names, calls, strings, and the few parent links the
    engine needs (instead of ``ParentNodeProvider``, which costs two more passes)."""

    def __init__(self) -> None:
        self.imports: list[ImportNode] = []
        self.names: list[cst.Name] = []
        self.calls: list[cst.Call] = []
        self.name_values: set[str] = set()
        self.all_strings: set[str] = set()
        self.protected: set[int] = set()
        #: ``node`` → the ``Attribute`` whose ``value`` it is.
        self.attribute_of: dict[cst.CSTNode, cst.Attribute] = {}
        #: Names that are the ``attr`` of an ``Attribute``.
        self.attrs: set[cst.Name] = set()
        #: ``node`` → the ``Call`` whose ``func`` it is.
        self.call_of: dict[cst.CSTNode, cst.Call] = {}
        #: import statement → (its block, its order in the module): ``ParentNodeProvider`` of its
        #: line (a ``SimpleStatementSuite`` stands for the compound statement that holds it).
        self.where: dict[int, tuple[int, int]] = {}
        #: node (a collected name or import) → the top-level statement it is in.
        self.top_of: dict[cst.CSTNode, cst.CSTNode] = {}
        self._blocks: list[cst.CSTNode] = []
        self._block: Optional[cst.CSTNode] = None
        self._top: Optional[cst.CSTNode] = None

    def collect(self, module: cst.Module) -> None:
        self._blocks.append(module)
        for statement in module.body:
            self._top = statement
            statement.visit(self)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.append(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._blocks.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._block = self._blocks[-1]

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._block = node

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attribute_of[node.value] = node
        self.attrs.add(node.attr)
        self.top_of[node] = self._top  # type: ignore[assignment]

    def visit_Try(self, node: cst.Try) -> Optional[bool]:
        if is_compat_try(node):
            self.protected.add(id(node))
            return False
        return True

    def visit_TryStar(self, node: cst.TryStar) -> Optional[bool]:
        return self.visit_Try(node)  # type: ignore[arg-type]

    def visit_Import(self, node: cst.Import) -> Optional[bool]:
        self._import(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> Optional[bool]:
        self._import(node)
        return False

    def _import(self, node: ImportNode) -> None:
        self.where[id(node)] = (id(self._block), len(self.imports))
        self.top_of[node] = self._top  # type: ignore[assignment]
        self.imports.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)
        self.name_values.add(node.value)
        self.top_of[node] = self._top  # type: ignore[assignment]

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        self.call_of[node.func] = node

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        try:
            value = node.evaluated_value
        except Exception:  # pragma: no cover - odd literal
            return
        if isinstance(value, str):
            self.all_strings.add(value)


class MovesCodemod(PythonCodemod):
    """Base class of the move codemods: set ``move_codes`` (rows of the table to apply)."""

    #: Positions only for findings; qualified names straight from the scopes (what
    #: ``QualifiedNameProvider`` computes, without its two extra passes); parents from the
    #: collector.
    METADATA_DEPENDENCIES = (PositionProvider,)
    also_needs = ("prefect",)
    move_codes: ClassVar[tuple[str, ...]] = ()
    #: Qualified names whose calls ``check_calls`` inspects (they count for the pre-check).
    checked_calls: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context, options, reporter) -> None:
        super().__init__(context, options, reporter)
        self.index = MoveIndex(moves_for(*(self.move_codes or (self.code,))))
        self.name_renames: dict[cst.Name, str] = {}
        self.chain_rewrites: dict[cst.CSTNode, str] = {}
        self.call_kwargs: dict[cst.CSTNode, tuple[tuple[str, str], ...]] = {}
        self.stmt_rewrites: dict[cst.CSTNode, list[cst.BaseSmallStatement]] = {}
        #: A comment that followed a name moved out of a parenthesised import, for its new line.
        self.trailing_comments: dict[cst.CSTNode, cst.Comment] = {}
        #: Top-level statements the transform skips (set once the analysis is done).
        self._clean: set = set()

    # ------------------------------------------------------------------ pre-check

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # Metadata (scopes, qualified names) is the expensive part: skip it when no import in
        # the file can lead to a row (every reference needs an import of a prefix of the old
        # path, of the old path itself, or of something under it).
        if not any(self._import_may_lead_to_a_row(path) for path in _imported_paths(tree.body)):
            return tree
        return super().transform_module(tree)

    def _import_may_lead_to_a_row(self, path: str) -> bool:
        for old in (*self.index.by_old, *self.checked_calls):
            if old == path or old.startswith(path + ".") or path.startswith(old + "."):
                return True
        return False

    # ------------------------------------------------------------------ analysis

    def visit_Module(self, node: cst.Module) -> None:
        self._analyse(node)

    def _analyse(self, node: cst.Module) -> None:
        collector = _Collector()
        collector.collect(node)
        self._collector = collector
        self._bindings_by_stmt: dict[int, list[Binding]] = {}
        self._where = collector.where
        self._bindings: list[Binding] = []
        # Scopes (a whole-tree pass and the biggest cost) are computed on first use only.
        self._scope_map: Optional[Mapping[cst.CSTNode, Optional[Scope]]] = None
        self._all_names_found: Optional[set[str]] = None
        self._qualnames: Optional[QualifiedNames] = None
        for stmt in collector.imports:
            self._collect_bindings(stmt)
        self._bindings_by_local: dict[str, list[Binding]] = {}
        for b in self._bindings:
            self._bindings_by_local.setdefault(b.local, []).append(b)
        # Only a name some import binds can be a reference (``_bindings_of``), and only when a
        # qualified name its chain may have is in the table (``_may_be_ref``). An import inside
        # a ``try: … except ImportError:`` block (not collected) may bind a dotted name that
        # the chain would follow: then every bound name is looked at, as before.
        exact = not collector.protected
        names = [
            n for n in collector.names if n.value in self._bindings_by_local and (not exact or self._may_be_ref(n))
        ]
        refs = [r for r in (self._ref_for(n) for n in names) if r is not None]
        for ref in refs:
            for binding in ref.bindings:
                binding.refs.append(ref)
        for binding in self._bindings:
            self._decide_binding(binding)
        handled: set[int] = set()
        for binding in self._bindings:
            for ref in binding.refs:
                if id(ref) not in handled:
                    handled.add(id(ref))
                    self._decide_ref(ref)
        for stmt in collector.imports:
            self._plan_statement(stmt)
        self.check_calls(collector.calls)
        self._clean = self._clean_statements(node)

    def _clean_statements(self, module: cst.Module) -> set:
        """Top-level statements that hold nothing to rewrite: the transform does not enter them."""
        dirty = set()
        for changed in (self.name_renames, self.chain_rewrites, self.call_kwargs, self.stmt_rewrites):
            for node in changed:
                top = self._collector.top_of.get(node)
                if top is None:
                    return set()
                dirty.add(top)
        return {statement for statement in module.body if statement not in dirty}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self._clean:
            return False
        return super().on_visit(node)

    def check_calls(self, calls: Sequence[cst.Call]) -> None:
        """Hook for codemods that also flag calls (e.g. PFU105's ``Azure(connection_string=)``)."""

    # ------------------------------------------------------------------ fusion

    fuses_as: ClassVar[Optional[str]] = "moves"

    @classmethod
    def fused(cls, members: tuple[type[PythonCodemod], ...]) -> type[PythonCodemod]:
        """One engine run over the rows of every member: one parse, one scope analysis, one
        walk instead of one each. Findings carry their row's code (``check_calls``: its
        member's)."""
        return _fused_moves(tuple(members))

    def qualnames(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """What ``QualifiedNameProvider`` gives for ``node``."""
        if self._qualnames is None:
            self._qualnames = QualifiedNames(self._scopes())
        return self._qualnames[node]

    def _scopes(self) -> Mapping[cst.CSTNode, Optional[Scope]]:
        if self._scope_map is None:
            self._scope_map = scopes_of(self.context.wrapper)
        return self._scope_map

    def _scope_of(self, node: cst.CSTNode) -> Optional[Scope]:
        """``ScopeProvider`` metadata of ``node`` (``None`` where it has none)."""
        return self._scopes().get(node)

    @property
    def _all_names(self) -> set[str]:
        """Every name assigned or accessed (as a ``Name``) in any scope of the module."""
        if self._all_names_found is None:
            found: set[str] = set()
            for scope in {s for s in self._scopes().values() if s is not None}:
                for assignment in scope.assignments:
                    found.add(assignment.name.split(".")[0])
                for access in scope.accesses:
                    if isinstance(access.node, cst.Name):
                        found.add(access.node.value)
            self._all_names_found = found
        return self._all_names_found

    def _may_be_ref(self, name: cst.Name) -> bool:
        """Whether ``_ref_for(name)`` can find a row, without scopes: every qualified name a level
        of its chain can have comes from an import binding ``name`` (``ImportAssignment``), and is
        that level's own dotted text (``import a.b.c``), the binding's target followed by the rest
        of the text (``from m import x as name``, ``import a.b as name``), or, for the name
        itself, the dotted module of ``import a.b.c``. None of them in the table: no reference."""
        value = name.value
        texts = [value]
        node: cst.CSTNode = name
        attribute_of = self._collector.attribute_of
        while node in attribute_of:
            node = attribute_of[node]
            texts.append(f"{texts[-1]}.{node.attr.value}")  # type: ignore[attr-defined]
        lookup = self.index.lookup
        for b in self._bindings_by_local[value]:
            if b.module_path is not None and lookup(b.module_path):
                return True
            for text in texts:
                if lookup(text) or lookup(b.target + text[len(value):]):
                    return True
        return False

    def _collect_bindings(self, stmt: ImportNode) -> None:
        if isinstance(stmt, cst.ImportFrom):
            if stmt.relative or stmt.module is None:
                return
            if isinstance(stmt.names, cst.ImportStar):
                return
            module = get_full_name_for_node(stmt.module)
        found: list[Binding] = []
        for alias in stmt.names:  # type: ignore[union-attr]
            name = get_full_name_for_node(alias.name)
            if name is None:
                continue
            asname = get_full_name_for_node(alias.asname.name) if alias.asname else None
            if isinstance(stmt, cst.Import):
                if asname:
                    binding = Binding(stmt, alias, asname, name)
                else:
                    root = name.split(".")[0]
                    binding = Binding(stmt, alias, root, root, module_path=name if "." in name else None)
            else:
                binding = Binding(stmt, alias, asname or name, f"{module}.{name}")
            found.append(binding)
        self._bindings_by_stmt[id(stmt)] = found
        self._bindings.extend(found)

    def _bindings_of(self, name: cst.Name) -> Optional[list[Binding]]:
        """The import bindings ``name`` can refer to; ``None`` if any other binding is possible."""
        scope = self._scope_of(name)
        if scope is None:
            return None
        assignments = scope[name.value]
        if not assignments:
            return None
        result: list[Binding] = []
        for assignment in assignments:
            if not isinstance(assignment, ImportAssignment):
                return None
            candidates = [b for b in self._bindings_by_stmt.get(id(assignment.node), ()) if b.local == name.value]
            if not candidates:
                return None  # a protected (try/except ImportError) or relative import
            for b in candidates:
                if b not in result:
                    result.append(b)
        return result

    def _ref_for(self, name: cst.Name) -> Optional[Ref]:
        quals = self.qualnames(name)
        if not quals or any(q.source is not QualifiedNameSource.IMPORT for q in quals):
            return None
        collector = self._collector
        if name in collector.attrs:
            return None
        levels: list[cst.BaseExpression] = [name]
        node: cst.CSTNode = name
        while node in collector.attribute_of:
            node = collector.attribute_of[node]
            levels.append(node)  # type: ignore[arg-type]
        for level in reversed(levels):
            names = {q.name for q in self.qualnames(level) if q.source is QualifiedNameSource.IMPORT}
            if not names:
                continue
            found = {q: self.index.lookup(q) for q in names}
            if not any(found.values()):
                continue
            news = {(f[1] if f else q) for q, f in found.items()}
            if len(news) != 1:
                return None
            old, (row, new) = next((q, f) for q, f in found.items() if f)
            bindings = self._bindings_of(name)
            if bindings is None:
                return None
            is_call = level in collector.call_of
            return Ref(name, level, old, new, row, bindings, is_call)
        return None

    # ------------------------------------------------------------------ decisions

    def _blocked(self, row: Move, new: Optional[str], ref: Optional[Ref] = None) -> Optional[tuple[FixClass, str]]:
        """Why a use of ``row`` cannot be rewritten now: (fix class, message), or ``None``."""
        if new is None:
            return FixClass.MANUAL, row.message or f"{row.old} was removed in Prefect 1.0: replace it"
        fix = row.fix_for(self.options.from_version)
        if fix is FixClass.MANUAL:
            return fix, row.message
        if fix is FixClass.UNSAFE and not self.allows(FixClass.UNSAFE):
            return fix, self._message(row, row.old, new)
        if row.add_kwargs and ref is not None and not ref.is_call_func:
            return FixClass.MANUAL, row.message
        return None

    def _message(self, row: Move, old: str, new: str) -> str:
        text = describe(old, new)
        if row.fix_for(self.options.from_version) is FixClass.UNSAFE and row.message:
            text = f"{text}: {row.message}"
        return text

    def _fix_class(self, row: Move) -> FixClass:
        return row.fix_for(self.options.from_version)

    def _decide_binding(self, b: Binding) -> None:
        if b.module_path is not None:
            self._decide_module_import(b)
            return
        found = self.index.lookup(b.target)
        if found is None:
            return
        row, new = found
        b.covers = row
        blocked = self._blocked(row, new)
        if blocked is None and row.add_kwargs and any(not r.is_call_func for r in b.refs if r.row is row):
            blocked = (FixClass.MANUAL, row.message)
        if blocked is not None:
            fix, message = blocked
            self.report(b.alias, message, applied=False, fix_class=fix, code=row.code)
            return
        assert new is not None
        b.new_target = new
        leaf = new.rpartition(".")[2]
        if isinstance(b.stmt, cst.Import) or b.alias.asname is not None:
            b.new_local = b.local
        elif leaf == b.local:
            b.new_local = b.local
        else:
            b.new_local = leaf if self._can_rename(b, leaf, new) else b.local
        # Merge: the same name already bound to the same object earlier in the same block.
        for other in self._bindings:
            if other is b or other.drop or other.module_path is not None or not self._before(other, b):
                continue
            if (other.new_local or other.local) == b.new_local and self._final_target(other) == new:
                b.drop = True
                break
        self.report(
            b.alias, self._message(row, b.target, new), applied=True, fix_class=self._fix_class(row), code=row.code
        )

    def _decide_module_import(self, b: Binding) -> None:
        found = self.index.lookup(b.module_path)
        if found is None:
            return
        row, new = found
        blocked = self._blocked(row, new)
        if blocked is not None:
            fix, message = blocked
            self.report(b.alias, message, applied=False, fix_class=fix, code=row.code)
            return
        b.new_module_path = new
        for other in self._bindings:
            if other is b or other.drop or not self._before(other, b):
                continue
            if not isinstance(other.stmt, cst.Import) or other.alias.asname is not None:
                continue
            if (other.new_module_path or other.module_path or other.target) == new:
                b.drop = True
        self.report(
            b.alias,
            self._message(row, b.module_path, new),
            applied=True,
            fix_class=self._fix_class(row),
            code=row.code,
        )

    def _can_rename(self, b: Binding, leaf: str, new: str) -> bool:
        if b.local in self._collector.all_strings:  # e.g. listed in __all__
            return False
        if leaf in self._all_names:
            # Free only if every binding of ``leaf`` is an import of the very same object.
            for other in self._bindings:
                if other.local == leaf and self._final_target(other) != new:
                    return False
            if not any(o.local == leaf for o in self._bindings):
                return False
        assignment = self._assignment_of(b)
        if assignment is None:
            return False
        if any(not isinstance(a, ImportAssignment) for a in self._scope_of(b.stmt).assignments[b.local]):  # type: ignore[union-attr]
            return False  # the old name is also assigned here: keep it, import the new one under it
        for access in assignment.references:
            if not isinstance(access.node, cst.Name) or len(access.referents) != 1:
                return False
        for access in assignment.references:
            self.name_renames[access.node] = leaf
        return True

    def _before(self, other: Binding, b: Binding) -> bool:
        """``other`` is bound earlier than ``b`` in the same block (so ``b`` may merge into it)."""
        block_o, pos_o = self._where[id(other.stmt)]
        block_b, pos_b = self._where[id(b.stmt)]
        if block_o != block_b:
            return False
        if pos_o != pos_b:
            return pos_o < pos_b
        # One statement binds all its names at once: merge into a name that is already on its
        # new path wherever it stands, else into the earlier of two moved names.
        if self.index.lookup(other.target) is None:
            return True
        return b.stmt.names.index(other.alias) < b.stmt.names.index(b.alias)  # type: ignore[union-attr]

    def _final_target(self, b: Binding) -> str:
        found = self.index.lookup(b.target)
        return found[1] if found and found[1] else b.target

    def _assignment_of(self, b: Binding) -> Optional[ImportAssignment]:
        for assignment in self._scope_of(b.stmt).assignments:  # type: ignore[union-attr]
            if isinstance(assignment, ImportAssignment) and assignment.node is b.stmt and assignment.name == b.local:
                return assignment
        return None

    def _decide_ref(self, ref: Ref) -> None:
        covered = all(b.covers is ref.row for b in ref.bindings)
        if any(b.covers is ref.row and not b.rebound for b in ref.bindings):
            return  # the import itself stays (and was reported): so does this use
        blocked = self._blocked(ref.row, ref.new, ref)
        if blocked is not None:
            if not covered:
                fix, message = blocked
                self.report(ref.node, message, applied=False, fix_class=fix, code=ref.row.code)
            return
        assert ref.new is not None
        targets = {x.current_target for x in ref.bindings}
        locals_ = {x.new_local or x.local for x in ref.bindings}
        if len(targets) != 1 or len(locals_) != 1:
            return
        target, local = targets.pop(), locals_.pop()
        new = ref.new
        if not (new == target or new.startswith(target + ".")):
            # ``dask_executors.LocalDaskExecutor`` after ``import prefect.engine.executors.dask as
            # dask_executors``: the name row points at ``prefect.executors``, but the module move
            # keeps it reachable through the (rebound) module alias.
            alternative = self._through_module_row(ref.old)
            if alternative and alternative.rpartition(".")[2] == new.rpartition(".")[2]:
                if alternative.startswith(target + "."):
                    new = alternative
        if new == target or new.startswith(target + "."):
            text = local + new[len(target):]
            module = self.index.new_module_of(ref.old)
            if module and module.startswith(target + ".") and module not in REACHABLE_FROM_IMPORT_PREFECT:
                AddImportsVisitor.add_needed_import(self.context, module)
        else:
            # The binding cannot reach the new name (e.g. ``ut.unmapped`` after
            # ``import prefect.utilities.tasks as ut``): spell it from ``prefect``.
            if not self._prefect_free(ref.root):
                self.report(
                    ref.node,
                    f"{describe(ref.old, new)}: change this reference",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                    code=ref.row.code,
                )
                return
            text = new
            module = self.index.new_module_of(ref.old) or "prefect"
            AddImportsVisitor.add_needed_import(self.context, module)
        if text != _code(ref.node):
            self.chain_rewrites[ref.node] = text
            if not covered:
                self.report(
                    ref.node,
                    self._message(ref.row, ref.old, new),
                    applied=True,
                    fix_class=self._fix_class(ref.row),
                    code=ref.row.code,
                )
        if ref.row.add_kwargs and ref.is_call_func:
            self.call_kwargs[ref.node] = ref.row.add_kwargs

    def _through_module_row(self, qualname: str) -> Optional[str]:
        parts = qualname.split(".")
        for end in range(len(parts) - 1, 0, -1):
            row = self.index.by_old.get(".".join(parts[:end]))
            if row is not None and row.kind == "module" and row.new is not None:
                return ".".join([row.new, *parts[end:]])
        return None

    def _prefect_free(self, name: cst.Name) -> bool:
        scope = self._scope_of(name)
        if scope is None:
            return False
        for assignment in scope["prefect"]:
            if not isinstance(assignment, ImportAssignment):
                return False
        return True

    # ------------------------------------------------------------------ statements

    def _plan_statement(self, stmt: ImportNode) -> None:
        if isinstance(stmt, cst.ImportFrom) and isinstance(stmt.names, cst.ImportStar):
            self._plan_star(stmt)
            return
        bindings = self._bindings_by_stmt.get(id(stmt))
        if not bindings or not any(b.rebound or b.drop or b.new_module_path for b in bindings):
            return
        if isinstance(stmt, cst.Import):
            self._plan_import(stmt, bindings)
        else:
            self._plan_import_from(stmt, bindings)

    def _plan_import(self, stmt: cst.Import, bindings: list[Binding]) -> None:
        names: list[cst.ImportAlias] = []
        for b in bindings:
            if b.drop:
                continue
            if b.new_module_path:
                names.append(b.alias.with_changes(name=dotted(b.new_module_path)))
            elif b.rebound:
                names.append(b.alias.with_changes(name=dotted(b.new_target)))
            else:
                names.append(b.alias)
        if not names:
            self.stmt_rewrites[stmt] = []
            return
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        self.stmt_rewrites[stmt] = [stmt.with_changes(names=names)]

    def _new_alias(self, b: Binding, leaf: str) -> cst.ImportAlias:
        if b.alias.asname is not None:
            return b.alias.with_changes(name=cst.Name(leaf))
        if b.new_local != leaf:
            return b.alias.with_changes(name=cst.Name(leaf), asname=cst.AsName(name=cst.Name(b.new_local)))
        return b.alias.with_changes(name=cst.Name(leaf))

    def _plan_import_from(self, stmt: cst.ImportFrom, bindings: list[Binding]) -> None:
        module = get_full_name_for_node(stmt.module)
        stay: list[tuple[Binding, cst.ImportAlias]] = []
        groups: dict[str, list[tuple[Binding, cst.ImportAlias]]] = {}
        for b in bindings:
            if b.drop:
                continue
            if not b.rebound:
                stay.append((b, b.alias))
                continue
            parent, _, leaf = b.new_target.rpartition(".")
            alias = self._new_alias(b, leaf)
            if parent == module:
                stay.append((b, alias))
            else:
                groups.setdefault(parent, []).append((b, alias))
        parenthesized = stmt.lpar is not None
        original_last = stmt.names[-1]  # type: ignore[index]
        if not stay and len(groups) == 1:
            ((parent, items),) = groups.items()
            moved = stmt.with_changes(module=dotted(parent))
            self.stmt_rewrites[stmt] = [_shrunk(moved, [a for _, a in items], items[-1][0].alias is original_last)]
            return
        result: list[cst.BaseSmallStatement] = []
        if stay:
            result.append(_shrunk(stmt, [a for _, a in stay], stay[-1][0].alias is original_last))
        for parent, items in groups.items():
            aliases = [a for _, a in items]
            if parenthesized and len(aliases) > 1:
                moved = stmt.with_changes(module=dotted(parent))
                result.append(_shrunk(moved, aliases, items[-1][0].alias is original_last))
                continue
            new_stmt = cst.ImportFrom(module=dotted(parent), names=_fix_commas(aliases, False))
            comment = _alias_comment(aliases[0])
            if comment is not None:
                self.trailing_comments[new_stmt] = comment
            result.append(new_stmt)
        self.stmt_rewrites[stmt] = result

    def _plan_star(self, stmt: cst.ImportFrom) -> None:
        if stmt.relative or stmt.module is None:
            return
        module = get_full_name_for_node(stmt.module)
        found = self.index.lookup(module)
        if found is None:
            return
        row, new = found
        blocked = self._blocked(row, new)
        if blocked is not None:
            fix, message = blocked
            self.report(stmt, message, applied=False, fix_class=fix, code=row.code)
            return
        changed = []
        for other in self.index.moves:
            parent, _, leaf = other.old.rpartition(".")
            if parent != module or other.kind != "name":
                continue
            if other.new != f"{new}.{leaf}" and leaf in self._collector.name_values:
                changed.append(f"{leaf} → {other.new.rpartition('.')[2] if other.new else '(removed)'}")
        if changed:
            self.report(
                stmt,
                f"{module} moved to {new}, and names used here were renamed or removed there "
                f"({', '.join(changed)}): import the names explicitly from {new}",
                applied=False,
                fix_class=FixClass.MANUAL,
                code=row.code,
            )
            return
        self.stmt_rewrites[stmt] = [stmt.with_changes(module=dotted(new))]
        self.report(
            stmt,
            f"from {module} import *: {module} moved to {new}",
            applied=True,
            fix_class=self._fix_class(row),
            code=row.code,
        )

    # ------------------------------------------------------------------ transform

    def visit_Try(self, node: cst.Try) -> Optional[bool]:
        return id(node) not in self._collector.protected

    def visit_TryStar(self, node: cst.TryStar) -> Optional[bool]:
        return id(node) not in self._collector.protected

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node in self.chain_rewrites:
            return _with_parens(dotted(self.chain_rewrites[original_node]), original_node)
        if original_node in self.name_renames:
            return updated_node.with_changes(value=self.name_renames[original_node])
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if original_node in self.chain_rewrites:
            return _with_parens(dotted(self.chain_rewrites[original_node]), original_node)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        kwargs = self.call_kwargs.get(original_node.func)
        if not kwargs:
            return updated_node
        args = list(updated_node.args)
        present = {a.keyword.value for a in args if a.keyword is not None}
        for name, source in kwargs:
            if name in present:
                continue
            new_arg = cst.Arg(
                value=cst.parse_expression(source),
                keyword=cst.Name(name),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            position = next((i for i, a in enumerate(args) if a.star == "**"), len(args))
            if position > 0 and args[position - 1].comma is cst.MaybeSentinel.DEFAULT:
                args[position - 1] = args[position - 1].with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
            if position < len(args):
                new_arg = new_arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.insert(position, new_arg)
        return updated_node.with_changes(args=args)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel, cst.RemovalSentinel]:
        if not any(s in self.stmt_rewrites for s in original_node.body):
            return updated_node
        body: list[cst.BaseSmallStatement] = []
        for original, updated in zip(original_node.body, updated_node.body):
            body.extend(self.stmt_rewrites.get(original, [updated]))
        if not body:
            return cst.RemoveFromParent()
        if len(body) == 1:
            return updated_node.with_changes(body=[body[0].with_changes(semicolon=original_node.body[-1].semicolon)])
        if len(original_node.body) > 1:
            semicolon = cst.Semicolon(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(" "))
            body = [
                s if isinstance(s.semicolon, cst.Semicolon) else s.with_changes(semicolon=semicolon) for s in body[:-1]
            ] + [body[-1].with_changes(semicolon=original_node.body[-1].semicolon)]
            return updated_node.with_changes(body=body)
        first = updated_node.with_changes(body=[body[0]])
        rest = [
            cst.SimpleStatementLine(
                body=[s],
                trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "), comment=self.trailing_comments[s]
                )
                if s in self.trailing_comments
                else cst.TrailingWhitespace(),
            )
            for s in body[1:]
        ]
        return cst.FlattenSentinel([first, *rest])

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node


def _statements(block) -> list:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    return [block]  # a SimpleStatementSuite (``if x: import y``)


def _imported_paths(body) -> list[str]:
    """Dotted paths imported anywhere in ``body`` (statements only; expressions are not walked)."""
    paths: list[str] = []
    for statement in body:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    paths.extend(get_full_name_for_node(a.name) or "" for a in small.names)
                elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                    module = get_full_name_for_node(small.module) or ""
                    if isinstance(small.names, cst.ImportStar):
                        paths.append(module)
                    else:
                        paths.extend(f"{module}.{get_full_name_for_node(a.name)}" for a in small.names)
            continue
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            child = getattr(statement, attr, None)
            if child is None:
                continue
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                paths.extend(_imported_paths(_statements(child)))
            elif isinstance(child, cst.If):
                paths.extend(_imported_paths([child]))
            elif isinstance(child, (cst.Else, cst.Finally)):
                paths.extend(_imported_paths(_statements(child.body)))
            elif isinstance(child, (list, tuple)):
                for part in child:  # except handlers, match cases
                    paths.extend(_imported_paths(_statements(part.body)))
    return paths


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _with_parens(new: cst.BaseExpression, original: cst.BaseExpression) -> cst.BaseExpression:
    return new.with_changes(lpar=original.lpar, rpar=original.rpar)


def _shrunk(stmt: cst.ImportFrom, stay: list[cst.ImportAlias], ends_as_before: bool) -> cst.ImportFrom:
    """``stmt`` with only the names ``stay``, keeping the layout of a parenthesised list.

    ``ends_as_before``: the last of ``stay`` was the last name of ``stmt`` (its layout fits)."""
    original_last = stmt.names[-1]  # type: ignore[index]
    if stmt.lpar is None or ends_as_before:
        return stmt.with_changes(names=_fix_commas(stay, stmt.lpar is not None))
    last = stay[-1]
    own = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    if not isinstance(own, cst.ParenthesizedWhitespace):
        # ``(a, b, c)`` on one line: no trailing comma
        return stmt.with_changes(names=_fix_commas(stay, False))
    trailing = original_last.comma.whitespace_after if isinstance(original_last.comma, cst.Comma) else None
    if isinstance(trailing, cst.ParenthesizedWhitespace):
        # ``a,\n    b,\n)``: the new last name ends the way the old last one did
        ws = trailing.with_changes(first_line=own.first_line)
        return stmt.with_changes(names=[*stay[:-1], last.with_changes(comma=last.comma.with_changes(whitespace_after=ws))])
    # ``a,\n    b\n)``: the line break before ``)`` belongs to the parenthesis
    ws = own.with_changes(empty_lines=[], indent=False, last_line=cst.SimpleWhitespace(""))
    rpar = stmt.rpar.with_changes(whitespace_before=cst.SimpleWhitespace(""))  # type: ignore[union-attr]
    return stmt.with_changes(
        names=[*stay[:-1], last.with_changes(comma=last.comma.with_changes(whitespace_after=ws))], rpar=rpar
    )


def _alias_comment(alias: cst.ImportAlias) -> Optional[cst.Comment]:
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma.whitespace_after.first_line.comment
    return None


def _fix_commas(aliases: list[cst.ImportAlias], parenthesized: bool) -> list[cst.ImportAlias]:
    """Commas between names; the last keeps its comma only inside parentheses."""
    fixed: list[cst.ImportAlias] = []
    for i, alias in enumerate(aliases):
        last = i == len(aliases) - 1
        if not last and alias.comma is cst.MaybeSentinel.DEFAULT:
            alias = alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        if last and not parenthesized:
            alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        fixed.append(alias)
    return fixed
