"""PFU509/PFU510: the Prefect that ``Docker`` storage puts into its image."""

from __future__ import annotations

import re

from typing import Optional

import libcst as cst
from libcst.metadata import GlobalScope, QualifiedNameProvider, ScopeProvider

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._images import TARGET
from prefect_upgrade.codemods._pins import NEW_SHELL_SPEC, parse_requirement
from prefect_upgrade.codemods._setup_py import plain_raw_value, with_raw_value
from prefect_upgrade.codemods.base import CodemodOptions, Example, PythonCodemod
from prefect_upgrade.findings import FixClass

#: Prefect's ``Docker`` storage class, on every path it had (0.13-0.15 and 1.x).
DOCKER_STORAGE = frozenset(
    {
        "prefect.storage.Docker",
        "prefect.storage.docker.Docker",
        "prefect.environments.storage.Docker",
        "prefect.environments.storage.docker.Docker",
    }
)

#: ``prefect_version`` values: an exact release (what Docker storage turns into a
#: ``prefecthq/prefect:X.Y.Z-pythonA.B`` base image) and other 0.x git refs.
_RELEASE_0X = re.compile(r"^0\.\d+\.\d+$")
_REF_0X = re.compile(r"^v?0\.\d+(?:[.\w+-]*)$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
_BRANCHES = ("master", "main")
_LATER = re.compile(r"^v?[1-9]\d*(?:\.\d+)*(?:[.+-]?\w*)*$")
#: ``git+https://github.com/PrefectHQ/prefect.git@0.14.13#egg=prefect`` and the like.
_GIT_0X = re.compile(r"github\.com/prefecthq/prefect(?:\.git)?@v?0\.\d+", re.IGNORECASE)

_SHELL_HINT = f'"prefect{NEW_SHELL_SPEC}"'


class _DockerStorageArguments(PythonCodemod):
    """Calls of Prefect's ``Docker`` storage class passing one keyword argument (``keyword``),
    however the class is imported: qualified names, aliases, ``import prefect`` chains, the
    0.x ``prefect.environments.storage`` path (before or after PFU105 moved it), and classes of
    the module that subclass it (``class TeamDocker(Docker)``, at any depth).

    The keyword is also read from ``**name`` when ``name`` is bound once, at module level, to a
    dict literal or a ``dict(...)`` call of the builtin (``DOCKER_KWARGS = {"python_dependencies":
    [...]}``): its value there is judged and rewritten as if it were written in the call (the dict
    exists to be passed to the storage; a 0.x Prefect in it is wrong wherever it goes). A module
    dict that names the keyword but cannot be read so (bound twice, ``dict`` not the builtin) is
    a manual finding at ``**name``; any other ``**kwargs`` (a parameter, a dict built at run time)
    is not read.

    A subclass's own ``__init__`` is read too, as a careful user would expect (where the spec is
    silent): its call of the parent's ``__init__`` (``super().__init__(...)``,
    ``super(Team, self).__init__(...)``, ``Docker.__init__(self, ...)``) is a Docker storage
    call, and what it passes is followed to where it is spelled: the default of a parameter of
    ``__init__`` (what callers pass is judged at their calls; a parameter passed on under another
    name is a manual finding, since calls spelling that name are not read), a name bound once at
    the top of ``__init__``, ``list(x)``/``tuple(x)``, both sides of ``a or b``, the default of
    ``kwargs.pop/get("keyword", default)``, and what ``__init__`` puts into the ``**kwargs`` it
    passes on (``kwargs.setdefault("keyword", v)``, ``kwargs["keyword"] = v``,
    ``kwargs.update(keyword=v)``). What ``__init__`` sets on the attribute Docker storage builds
    from (``self.keyword = v``, ``+=``, ``self.python_dependencies.append/extend/insert``) is
    judged as well. A subclass ``__init__`` that mentions the keyword but gives no value read so
    is a manual finding at its name.
    """

    keyword: str = ""
    also_needs = ("prefect",)
    #: a subclass of ``Docker`` is defined by a statement without the markers (a module dict
    #: of arguments is shown anyway: focus shows what assigns a name used in view)
    follows_classes = True
    METADATA_DEPENDENCIES = PythonCodemod.METADATA_DEPENDENCIES + (QualifiedNameProvider, ScopeProvider)

    def visit_Module(self, node: cst.Module) -> bool:
        #: original string node -> its new text between the quotes
        self._new_raw: dict[cst.SimpleString, str] = {}
        #: module-level ``NAME = {...}`` / ``NAME = dict(...)``: name -> the dict (None: bound twice)
        self._module_dicts: dict[str, Optional[cst.BaseExpression]] = {}
        self._mentions: set = set()  # of those, the names of dicts that mention ``keyword``
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name) and isinstance(small.value, (cst.Dict, cst.Call)):
                        known = target.value in self._module_dicts
                        self._module_dicts[target.value] = None if known else small.value
                        if self.keyword in _code(small.value, None):
                            self._mentions.add(target.value)
        self._followed: set = set()  # dict values already judged (two calls, one dict)
        # Every call is judged before the transform leaves any string: a dict of arguments above
        # the call that passes it is rewritten too.
        #: the method of a ``Docker`` subclass whose call of the parent ``__init__`` is being judged
        self._method: Optional[cst.FunctionDef] = None
        self._read = 0  # values judged so far (a subclass ``__init__`` that read none is reported)
        self._read_before: dict = {}
        self._followed_names: set = set()
        self._class_name = ""  # the Docker subclass whose method is being read
        codemod = self

        class Calls(cst.CSTVisitor):
            def __init__(self) -> None:
                super().__init__()
                self.stack: list = []  # enclosing ClassDef / FunctionDef nodes

            def visit_ClassDef(self, node: cst.ClassDef) -> None:
                self.stack.append(node)

            def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
                self.stack.pop()

            def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
                self.stack.append(node)
                codemod._enter_method(self.stack)

            def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
                codemod._leave_method(self.stack)
                self.stack.pop()

            def visit_Call(self, call: cst.Call) -> None:
                codemod._call(call, self.stack)

        node.visit(Calls())
        return True

    def _call(self, node: cst.Call, stack: Optional[list] = None) -> None:
        # Cheap test first: qualified names (scopes) only for calls passing our keyword.
        passed = None
        splats = []
        passed_on = None  # ``**kwargs`` of the enclosing method, passed on
        method = stack[-1] if stack and isinstance(stack[-1], cst.FunctionDef) else None
        star = _star_kwarg(method)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == self.keyword:
                passed = arg.value
            elif arg.star == "**" and isinstance(arg.value, cst.Name) and arg.value.value in self._module_dicts:
                splats.append(arg.value)
            elif arg.star == "**" and isinstance(arg.value, cst.Name) and arg.value.value == star:
                passed_on = arg.value
        if passed is None and not splats and passed_on is None:
            return
        parent_init = self._parent_init(node, stack or [])
        if not parent_init and (passed is None and not splats or not self._is_docker_storage(node.func)):
            return
        if parent_init:
            self._method = method
            self._class_name = stack[-2].name.value
            try:
                if passed is not None:
                    self._judge(passed)
                if passed_on is not None:
                    for value, item in self._kwargs_defaults(method, passed_on.value):
                        self._judge(value, item)
                if passed is not None:
                    return
            finally:
                self._method = None
        elif passed is not None:
            self._judge(passed)
            return
        for name in splats:
            value = self._dict_entry(name)
            if value is not None and value not in self._followed:
                self._judge(value)
            elif value is None and name.value in self._mentions:
                # a dict that names the keyword, but not one literal we can read
                self.report(
                    name,
                    f"Docker storage gets {self.keyword} from **{name.value}, which is not one dict "
                    f"literal bound once at module level: make sure it {self.unread_hint}",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                )

    #: what the person must check in a ``**dict`` this codemod cannot read
    unread_hint: str = ""

    def argument(self, value: cst.BaseExpression) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def argument_item(self, value: cst.BaseExpression) -> None:
        """One item added to the value (``self.python_dependencies.append(item)``)."""

    def _judge(self, value: cst.BaseExpression, item: bool = False) -> None:
        if value in self._followed:
            return  # two calls, one dict (or one default)
        self._followed.add(value)
        self._read += 1
        if item:
            self.argument_item(value)
        else:
            self.argument(value)

    # -- a subclass's own methods --------------------------------------------------------------

    def _docker_class(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.ClassDef) and any(self._is_docker_storage(b.value) for b in node.bases)

    def _parent_init(self, call: cst.Call, stack: list) -> bool:
        """``super().__init__(...)``, ``super(Team, self).__init__(...)`` or
        ``Docker.__init__(self, ...)`` in a method of a ``Docker`` subclass."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "__init__"):
            return False
        if len(stack) < 2 or not isinstance(stack[-1], cst.FunctionDef) or not self._docker_class(stack[-2]):
            return False
        owner = func.value
        if isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "super":
            names = {q.name for q in self.get_metadata(QualifiedNameProvider, owner.func, set())}
            return "builtins.super" in names
        return self._is_docker_storage(owner)

    def _enter_method(self, stack: list) -> None:
        if len(stack) >= 2 and stack[-1].name.value == "__init__" and self._docker_class(stack[-2]):
            method = stack[-1]
            self._read_before[method] = self._read
            self._method = method
            self._class_name = stack[-2].name.value
            try:
                for value, item in self._attribute_values(method):
                    self._judge(value, item)
            finally:
                self._method = None

    def _leave_method(self, stack: list) -> None:
        method = stack[-1]
        if len(stack) < 2 or method.name.value != "__init__" or not self._docker_class(stack[-2]):
            return
        if self._read == self._read_before.get(method) and self.keyword in _code(method, None):
            self.report(
                method.name,
                f"{stack[-2].name.value}.__init__ handles {self.keyword} in a way this tool does not "
                f"read: make sure the value it gives Docker storage {self.unread_hint}",
                applied=False,
                fix_class=FixClass.MANUAL,
            )

    def _attribute_values(self, method: cst.FunctionDef) -> list[tuple[cst.BaseExpression, bool]]:
        """What ``__init__`` sets on the attribute Docker storage builds the image from:
        ``self.keyword = value``, ``self.keyword += value``, ``self.keyword.append(item)``,
        ``.extend(value)``, ``.insert(i, item)``."""
        params = method.params.params
        me = params[0].name.value if params else None
        keyword = self.keyword
        found: list = []

        def ours(node: cst.BaseExpression) -> bool:
            return (
                isinstance(node, cst.Attribute)
                and node.attr.value == keyword
                and isinstance(node.value, cst.Name)
                and node.value.value == me
            )

        class Sets(cst.CSTVisitor):
            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                return node is method  # not the functions defined inside

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                return False

            def visit_Assign(self, node: cst.Assign) -> None:
                if any(ours(t.target) for t in node.targets):
                    found.append((node.value, False))

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                if ours(node.target) and isinstance(node.operator, cst.AddAssign):
                    found.append((node.value, False))

            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if isinstance(func, cst.Attribute) and ours(func.value) and node.args:
                    if func.attr.value == "append":
                        found.append((node.args[0].value, True))
                    elif func.attr.value == "extend":
                        found.append((node.args[0].value, False))
                    elif func.attr.value == "insert" and len(node.args) == 2:
                        found.append((node.args[1].value, True))

        if me is not None:
            method.visit(Sets())
        return found

    def _kwargs_defaults(self, method: cst.FunctionDef, kwargs: str) -> list[tuple[cst.BaseExpression, bool]]:
        """What ``method`` puts under ``keyword`` in its ``**kwargs`` before passing them on:
        ``kwargs.setdefault("keyword", v)``, ``kwargs["keyword"] = v``, ``kwargs.update(keyword=v)``."""
        keyword = self.keyword
        found: list = []

        def is_kwargs(node: cst.BaseExpression) -> bool:
            return isinstance(node, cst.Name) and node.value == kwargs

        def is_key(node: cst.BaseExpression) -> bool:
            return isinstance(node, cst.SimpleString) and plain_raw_value(node) == keyword

        class Sets(cst.CSTVisitor):
            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                return node is method

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                return False

            def visit_Assign(self, node: cst.Assign) -> None:
                for target in node.targets:
                    sub = target.target
                    if isinstance(sub, cst.Subscript) and is_kwargs(sub.value) and len(sub.slice) == 1:
                        index = sub.slice[0].slice
                        if isinstance(index, cst.Index) and is_key(index.value):
                            found.append((node.value, False))

            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if not (isinstance(func, cst.Attribute) and is_kwargs(func.value)):
                    return
                if func.attr.value == "setdefault" and len(node.args) == 2 and is_key(node.args[0].value):
                    found.append((node.args[1].value, False))
                elif func.attr.value == "update":
                    for arg in node.args:
                        if arg.keyword is not None and arg.keyword.value == keyword:
                            found.append((arg.value, False))
                        elif arg.keyword is None and isinstance(arg.value, cst.Dict):
                            for element in arg.value.elements:
                                if isinstance(element, cst.DictElement) and is_key(element.key):
                                    found.append((element.value, False))

        method.visit(Sets())
        return found

    def _follow(self, value: cst.BaseExpression, depth: int = 0) -> Optional[list[cst.BaseExpression]]:
        """What a name in a ``Docker`` subclass's ``__init__`` stands for, when it can be read:
        a parameter's default (what callers pass is judged at their calls), the value of a name
        bound once at the top of the method, the default of ``kwargs.pop("keyword", default)``
        or ``kwargs.get(...)``; the two sides of ``a or b``. ``None``: not read."""
        method = self._method
        if method is None or depth > 5:
            return None
        if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
            return [value.left, value.right]
        if isinstance(value, cst.Call):
            func = value.func
            star = _star_kwarg(method)
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("pop", "get")
                and isinstance(func.value, cst.Name)
                and star is not None
                and func.value.value == star
                and value.args
                and isinstance(value.args[0].value, cst.SimpleString)
                and plain_raw_value(value.args[0].value) == self.keyword
            ):
                return [value.args[1].value] if len(value.args) > 1 else []
            if len(value.args) == 1 and not value.args[0].star and value.args[0].keyword is None:
                names = {q.name for q in self.get_metadata(QualifiedNameProvider, func, set())}
                if names & {"builtins.list", "builtins.tuple"}:
                    return [value.args[0].value]  # list(deps): the items of deps
            return None
        if not isinstance(value, cst.Name):
            return None
        scope = self.get_metadata(ScopeProvider, value, None)
        if scope is None or value.value not in scope:
            return None
        assignments = list(scope[value.value])
        if len(assignments) != 1 or not hasattr(assignments[0], "node"):
            return None
        bound = assignments[0].node
        if bound in self._followed_names:
            return []  # judged already (one parameter passed on twice)
        self._followed_names.add(bound)
        if isinstance(bound, cst.Param):
            if not any(bound is p for p in method.params.params + method.params.kwonly_params):
                return None
            if bound.name.value != self.keyword:
                # callers pass it under another name: their values are not judged
                self.report(
                    bound.name,
                    f"{self._class_name}.__init__ passes its argument {bound.name.value} on as Docker storage's "
                    f"{self.keyword}: make sure what calls of {self._class_name}({bound.name.value}=...) "
                    f"pass {self.unread_hint}",
                    applied=False,
                    fix_class=FixClass.MANUAL,
                )
            return [] if bound.default is None else [bound.default]
        for statement in method.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and any(t.target is bound for t in small.targets):
                        return [small.value]
        return None

    def _dict_entry(self, name: cst.Name) -> Optional[cst.BaseExpression]:
        """The value of ``keyword`` in the module-level dict ``name`` stands for, if it is one."""
        found = self._module_dicts.get(name.value)
        scope = self.get_metadata(ScopeProvider, name, None)
        if found is None or scope is None:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1 or not isinstance(assignments[0].scope, GlobalScope):
            return None  # bound again somewhere (a loop, a function's global): not this literal
        if isinstance(found, cst.Dict):
            value = None
            for element in found.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    if plain_raw_value(element.key) == self.keyword:
                        value = element.value
            return value
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, found.func, set())}
        if "builtins.dict" not in names:
            return None
        return next((a.value for a in found.args if a.keyword is not None and a.keyword.value == self.keyword), None)

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.BaseExpression:
        new_raw = self._new_raw.get(original_node)
        return updated_node if new_raw is None else with_raw_value(updated_node, new_raw)

    # -- which calls -----------------------------------------------------------------------

    def _is_docker_storage(self, func: cst.BaseExpression, depth: int = 0) -> bool:
        last = func.attr if isinstance(func, cst.Attribute) else func
        if not isinstance(last, cst.Name):
            return False
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, func, set())}
        if names & DOCKER_STORAGE:
            return True
        # a class of this module built on it (``class TeamDocker(Docker)``)
        scope = self.get_metadata(ScopeProvider, func, None) if isinstance(func, cst.Name) else None
        if scope is None or depth > 5:
            return False
        assignments = list(scope[func.value])
        if len(assignments) != 1 or not isinstance(getattr(assignments[0], "node", None), cst.ClassDef):
            return False
        return any(self._is_docker_storage(base.value, depth + 1) for base in assignments[0].node.bases)


@register
class DockerStorageDependencies(_DockerStorageArguments):
    """Prefect pins in ``Docker`` storage's ``python_dependencies`` move to ``~=1.0``.

    Prefect's ``Docker`` storage (``prefect.storage.Docker``, and the 0.x
    ``prefect.environments.storage.Docker``, however it is imported or aliased) pip-installs
    ``python_dependencies`` into the image the flow runs in. A ``prefect==0.14.13`` there puts
    Prefect 0.x over the 1.x of the base image: the flow registered with Prefect 1.x would run
    under 0.x. A string in a ``python_dependencies=[...]`` list or tuple (or in the literal
    parts of ``[...] + more``) that is a Prefect requirement admitting no Prefect 1.x (judged
    as PFU501/PFU506 judge pins) has its constraint changed to ``~=1.0``; name, extras
    (``prefect[aws]``), quotes and the other items stay.

    ``~=1.0`` is the ``>=1.0,<2`` range of PFU501/PFU506 without ``<``/``>``: Docker storage
    writes these strings *unquoted* into ``RUN pip install ...`` (Prefect 1.0
    ``prefect/storage/docker.py``, ``create_dockerfile_object``), where ``>=1.0,<2`` would be
    read as shell redirections; PFU501 gives unquoted shell words the same ``~=1.0``.

    Reported as manual: items that are not plain strings (names, calls, ``*more``, f-strings or
    concatenations naming prefect), a ``python_dependencies`` that is not a literal list, and
    direct references to a 0.x Prefect (``prefect @ git+...@0.14.13``,
    ``git+https://github.com/PrefectHQ/prefect.git@0.14.13``). Pins that admit 1.x, unpinned
    ``prefect``, ``prefect-*`` packages, other ``Docker`` classes (``docker.from_env()``, a
    local ``class Docker``) and positional arguments stay. ``prefect_version=`` is PFU510.
    Subclasses of ``Docker`` defined in the module and ``**DOCKER_KWARGS`` dicts of the module are
    followed (see ``_DockerStorageArguments``): the pins are fixed where the dict spells them.

    Before::

        storage = Docker(image_name="etl", python_dependencies=["pandas", "prefect[aws]==0.14.13"])

    After::

        storage = Docker(image_name="etl", python_dependencies=["pandas", "prefect[aws]~=1.0"])
    """

    code = "PFU509"
    summary = f"Prefect pin in Docker storage python_dependencies admits no 1.x: constraint changed to {NEW_SHELL_SPEC}"
    fix_class = FixClass.SAFE
    keyword = "python_dependencies"
    markers = ("python_dependencies",)
    unread_hint = f"installs a Prefect 1.x (e.g. {_SHELL_HINT})"
    examples = (
        Example(
            "import docker\nfrom prefect.storage import Docker\n\n"
            'client = docker.from_env(version="auto")\n'
            'storage = Docker(python_dependencies=["pandas", "prefect[aws]>=1.0", "prefect-aws==0.1"])\n'
        ),
        Example(
            "from prefect.storage import Docker\n\n"
            'storage = Docker(python_dependencies=["pandas", "prefect[aws]==0.14.13"])\n',
            "from prefect.storage import Docker\n\n"
            'storage = Docker(python_dependencies=["pandas", "prefect[aws]~=1.0"])\n',
        ),
        Example(
            "import prefect\n\n"
            "storage = prefect.environments.storage.Docker(python_dependencies=('prefect==0.13.4',))\n",
            "import prefect\n\n"
            "storage = prefect.environments.storage.Docker(python_dependencies=('prefect~=1.0',))\n",
        ),
    )

    def argument(self, value: cst.BaseExpression) -> None:
        loose: list[cst.BaseExpression] = []
        self._items(self._literal_items(value, loose), loose)
        self._report_loose(loose)

    def argument_item(self, value: cst.BaseExpression) -> None:
        loose: list[cst.BaseExpression] = []
        self._items([value], loose)
        self._report_loose(loose)

    def _items(self, items: list[cst.BaseExpression], loose: list, depth: int = 0) -> None:
        for item in items:
            raw = plain_raw_value(item) if isinstance(item, cst.SimpleString) else None
            if raw is not None:
                self._requirement(item, raw)
                continue
            resolved = None if isinstance(item, cst.BaseString) else self._follow(item, depth)
            if resolved is not None:  # a name of a Docker subclass's __init__
                self._items([r for r in resolved if not _is_none(r)], loose, depth + 1)
            elif not isinstance(item, cst.BaseString) or "prefect" in _code(item).lower():
                loose.append(item)  # a name, a call, an f-string or concatenation naming prefect

    def _report_loose(self, loose: list) -> None:
        if loose:
            shown = ", ".join(_code(part) for part in loose)
            self.report(
                loose[0],
                f"Docker storage python_dependencies holds {shown}, not plain strings: make sure "
                f"any prefect requirement among them admits Prefect 1.x (e.g. {_SHELL_HINT})",
                applied=False,
                fix_class=FixClass.MANUAL,
            )

    def _literal_items(self, value: cst.BaseExpression, loose: list, depth: int = 0) -> list[cst.BaseExpression]:
        """The items of the list/tuple literals that ``value`` is (or adds up, with ``+``);
        what is not such a literal goes to ``loose``. Names of a ``Docker`` subclass's
        ``__init__`` are followed (``_follow``)."""
        resolved = self._follow(value, depth)
        if resolved is not None:
            return [item for part in resolved for item in self._literal_items(part, loose, depth + 1)]
        if isinstance(value, (cst.List, cst.Tuple)):
            items = []
            for element in value.elements:
                if isinstance(element, cst.StarredElement):
                    loose.append(element.value)
                else:
                    items.append(element.value)
            return items
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            return self._literal_items(value.left, loose, depth) + self._literal_items(value.right, loose, depth)
        if not (isinstance(value, cst.Name) and value.value == "None"):
            loose.append(value)
        return []

    def _requirement(self, node: cst.SimpleString, raw: str) -> None:
        if "prefect" not in raw.lower():
            return
        if _GIT_0X.search(raw):
            self._manual_reference(node, raw)
            return
        pin = parse_requirement(raw)
        if pin is None:
            return
        if pin.blocker:
            if re.search(r"[@=]v?0\.\d+", raw):
                self._manual_reference(node, raw)
            return
        if not pin.constraint or pin.verdict != "upgrade":
            return
        new_raw = raw[: pin.start] + NEW_SHELL_SPEC + raw[pin.end :]
        self._new_raw[node] = new_raw
        self.report(
            node,
            f"Prefect pin {raw.strip()!r} in Docker storage python_dependencies admits no Prefect 1.x: "
            f"changed to {new_raw.strip()!r} (~=1.0, not >=1.0,<2: Docker storage pip-installs it unquoted)",
            applied=True,
        )

    def _manual_reference(self, node: cst.CSTNode, raw: str) -> None:
        self.report(
            node,
            f"Docker storage python_dependencies installs Prefect 0.x from {raw.strip()!r}: "
            f"point it at a Prefect 1.x release (e.g. {_SHELL_HINT})",
            applied=False,
            fix_class=FixClass.MANUAL,
        )


@register
class DockerStoragePrefectVersion(_DockerStorageArguments):
    """``Docker`` storage's ``prefect_version`` of Prefect 0.x moves to ``1.4.1``.

    ``Docker(prefect_version="0.14.13")`` (``prefect.storage.Docker`` or the 0.x
    ``prefect.environments.storage.Docker``, however imported) makes Prefect 1.x build the
    flow's image on ``prefecthq/prefect:0.14.13-pythonX.Y`` (Prefect 1.0
    ``prefect/storage/docker.py``: the version is the base image's tag when no
    ``base_image``/``dockerfile`` is given, and otherwise the git tag Prefect is installed from
    when the base image has none): the flow would run under Prefect 0.x.

    * An exact 0.x release becomes ``"1.4.1"``, the release PFU502/PFU507 give
      ``prefecthq/prefect`` images (the last 1.x; images for Python 3.7-3.10; the git tag
      ``1.4.1`` too: Prefect's tags carry no ``v``, as Docker storage's own default shows). Safe: it is PFU507's change, made where the tag is spelled as a
      version (``base_image="prefecthq/prefect:0.14.13-python3.8"`` in the same call becomes
      ``...:1.4.1-python3.8`` by PFU507).
    * Another 0.x git ref (``"0.15"``, ``"v0.14.0"``) also becomes ``"1.4.1"``, but is
      unsafe (``--unsafe-fixes``): without ``base_image``/``dockerfile`` such a ref built on
      ``python:X.Y-slim`` with Prefect installed from git, ``1.4.1`` builds on
      ``prefecthq/prefect:1.4.1-pythonX.Y``, so the image changes kind.
    * Manual: a value that is not a literal (a variable, an f-string; ``prefect.__version__``,
      the Prefect that builds the image, stays), a commit hash, ``"master"``/``"main"``
      (branches that no longer hold Prefect 1.x) and any other git ref that is not a release
      (a branch such as ``"test_branch"``, pip-installed from git). Dropping the argument is the other way out: it
      then defaults to the installed Prefect.

    ``None``, 1.x and later versions, other ``Docker`` classes and positional arguments stay.
    ``python_dependencies=`` is PFU509.

    Before::

        storage = Docker(image_name="etl", prefect_version="0.14.13")

    After::

        storage = Docker(image_name="etl", prefect_version="1.4.1")
    """

    code = "PFU510"
    summary = f"Docker storage prefect_version of Prefect 0.x: set to {TARGET}"
    fix_class = FixClass.SAFE
    keyword = "prefect_version"
    markers = ("prefect_version",)
    unread_hint = f"names a Prefect 1.x release (e.g. {TARGET!r}) or leaves prefect_version out"
    examples = (
        Example(
            "import prefect\nfrom prefect.storage import Docker\n\n"
            'a = Docker(prefect_version="1.0.0")\n'
            "b = Docker(prefect_version=prefect.__version__)\n"
            'versions = dict(prefect_version="0.14.13")\n'
        ),
        Example(
            "from prefect.environments import storage\n\n"
            'flow_storage = storage.Docker(image_name="etl", prefect_version="0.14.13")\n',
            "from prefect.environments import storage\n\n"
            'flow_storage = storage.Docker(image_name="etl", prefect_version="1.4.1")\n',
        ),
        Example(
            "from prefect.storage import Docker as D\n\nstorage = D(prefect_version='0.15')\n",
            "from prefect.storage import Docker as D\n\nstorage = D(prefect_version='1.4.1')\n",
            options=CodemodOptions(unsafe_fixes=True),
        ),
    )

    def argument(self, value: cst.BaseExpression, depth: int = 0) -> None:
        if _is_none(value):
            return
        raw = plain_raw_value(value) if isinstance(value, cst.SimpleString) else None
        resolved = None if raw is not None else self._follow(value, depth)
        if resolved is not None:  # a name of a Docker subclass's __init__
            for part in resolved:
                self.argument(part, depth + 1)
            return
        if raw is None:
            if isinstance(value, (cst.Name, cst.Attribute)):
                names = {q.name for q in self.get_metadata(QualifiedNameProvider, value, set())}
                if "prefect.__version__" in names:
                    return  # the Prefect that builds the image: 1.x once the pins are
            self._manual_version(value, f"prefect_version={_code(value)} is not a literal")
            return
        version = raw.strip()
        if _RELEASE_0X.match(version):
            fix_class = FixClass.SAFE
        elif _REF_0X.match(version):
            fix_class = FixClass.UNSAFE
        elif _COMMIT.match(version):
            self._manual_version(value, f"prefect_version={version!r} names a git commit")
            return
        elif version in _BRANCHES:
            self._manual_version(
                value, f"prefect_version={version!r} names a branch that no longer holds Prefect 1.x"
            )
            return
        elif not version or _LATER.match(version):
            return  # a 1.x (or later) version: nothing to do
        else:
            # any other git ref: a branch of the 0.x era (``test_branch``), installed from git
            self._manual_version(value, f"prefect_version={version!r} names a git branch or ref, not a release")
            return
        applied = self.allows(fix_class)
        if applied:
            self._new_raw[value] = raw.replace(version, TARGET, 1)
        message = f"Docker storage prefect_version={version!r} puts Prefect 0.x in the image: "
        message += "set" if applied else "set it"
        message += f" to {TARGET!r}"
        if fix_class is FixClass.UNSAFE:
            message += (
                f" and check the image: without base_image/dockerfile it is then built on "
                f"prefecthq/prefect:{TARGET}-pythonX.Y instead of python:X.Y-slim"
            )
        self.report(value, message, applied=applied, fix_class=fix_class)

    def _manual_version(self, node: cst.CSTNode, what: str) -> None:
        self.report(
            node,
            f"Docker storage {what}: make it name a Prefect 1.x release (e.g. {TARGET!r}) "
            "or drop it to use the version of the Prefect that builds the image",
            applied=False,
            fix_class=FixClass.MANUAL,
        )


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _star_kwarg(method: Optional[cst.CSTNode]) -> Optional[str]:
    """The name of a function's ``**kwargs`` parameter."""
    if not isinstance(method, cst.FunctionDef):
        return None
    star = method.params.star_kwarg
    return star.name.value if star is not None else None


def _code(node: cst.CSTNode, limit: Optional[int] = 60) -> str:
    text = cst.Module([]).code_for_node(node)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
