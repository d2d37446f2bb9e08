"""Resolve Prefect names inside a real Prefect install (run with that install's Python).

Standalone: it imports nothing from prefect-upgrade. Two modes, both print one JSON document:

``python prefect_names.py names QUALNAME...``
    ``{"missing": [names that do not exist]}``.
``python prefect_names.py files PATH...``
    For every file: compile it, collect every ``prefect…`` name it uses (imports, and attribute
    chains through names bound by imports), resolve each; ``{"PATH": {"used": [...],
    "missing": [...], "deprecated": [...], "error": str|null}}``.

A name resolves when importing its module and getting its attributes works. Modules that need
an optional extra (``prefect.tasks.gcp`` needs google-cloud) are resolved statically instead: the
name must be defined or imported at the top level of the module's source file.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import sys
import warnings

#: Paths that still import in Prefect 1.0 only as deprecated shims (or not at all).
DEPRECATED = (
    "prefect.engine.executors",
    "prefect.artifacts",
    "prefect.environments",
    "prefect.utilities.exceptions",
    "prefect.tasks.google",
    "prefect.contrib",
    "prefect.core.task.Parameter",
)

_ROOT = None


def _package_root() -> str:
    global _ROOT
    if _ROOT is None:
        spec = importlib.util.find_spec("prefect")
        _ROOT = os.path.dirname(spec.origin)
    return _ROOT


def _module_file(module: str):
    parts = module.split(".")[1:]
    base = os.path.join(_package_root(), *parts)
    if os.path.isfile(os.path.join(base, "__init__.py")):
        return os.path.join(base, "__init__.py")
    if os.path.isfile(base + ".py"):
        return base + ".py"
    return None


def _top_level_names(path: str) -> set:
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):  # includes names imported inside try/except blocks
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node in tree.body:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Assign) and node in tree.body:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
    return names


def _static_exists(qualname: str) -> bool:
    parts = qualname.split(".")
    for end in range(len(parts), 0, -1):
        module = ".".join(parts[:end])
        path = _module_file(module)
        if path is None:
            continue
        rest = parts[end:]
        if not rest:
            return True
        return rest[0] in _top_level_names(path) or _module_file(f"{module}.{rest[0]}") is not None
    return False


def exists(qualname: str) -> bool:
    parts = qualname.split(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            try:
                obj = importlib.import_module(module)
            except ModuleNotFoundError as error:
                if error.name and (error.name == module or module.startswith(error.name + ".")):
                    continue  # no such module: try a shorter prefix
                return _static_exists(qualname)  # a third-party dependency (an extra) is missing
            except ImportError:
                return _static_exists(qualname)
            for attr in parts[end:]:
                if not hasattr(obj, attr):
                    try:
                        obj = importlib.import_module(f"{obj.__name__}.{attr}")
                        continue
                    except Exception:
                        return False
                obj = getattr(obj, attr)
            return True
    return False


def _compat_handler_nodes(tree) -> set:
    """Nodes inside ``except ImportError:`` handlers (the old-path branch of a compat block)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                for inner in ast.walk(handler):
                    skipped.add(id(inner))
    return skipped


def _chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


def used_names(source: str, chains=None, explicit=None) -> list:
    """Every prefect name ``source`` uses. ``chains`` collects the attribute chains through a bare
    ``import prefect…`` binding; ``explicit`` the modules the file imports itself."""
    chains = [] if chains is None else chains
    explicit = set() if explicit is None else explicit
    tree = ast.parse(source)
    skipped = _compat_handler_nodes(tree)
    bound = {}
    used = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "prefect":
                    continue
                used.append(alias.name)
                parts = alias.name.split(".")
                explicit.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound["prefect"] = "prefect"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] != "prefect":
                continue
            for alias in node.names:
                if alias.name == "*":
                    used.append(node.module)
                    continue
                used.append(f"{node.module}.{alias.name}")
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.Attribute):
            continue
        chain = _chain(node)
        if chain and chain[0] in bound:
            used.append(".".join([bound[chain[0]], *chain[1:]]))
            if bound[chain[0]] == "prefect":
                chains.append(".".join(chain))
    return sorted(set(used))


def string_paths(source: str) -> list:
    """String constants whose whole value is a dotted ``prefect.…`` path."""
    import re

    pattern = re.compile(r"prefect(\.[A-Za-z_][A-Za-z0-9_]*)+")
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.fullmatch(node.value):
            found.add(node.value)
    return sorted(found)


def main(argv) -> int:
    mode, rest = argv[0], argv[1:]
    if mode == "names":
        print(json.dumps({"missing": [n for n in rest if not exists(n)]}))
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import prefect  # noqa: F401
    after_import_prefect = set(sys.modules)
    report = {}
    for path in rest:
        entry = {"used": [], "missing": [], "deprecated": [], "unreachable": [], "strings": [],
                 "missing_strings": [], "error": None}
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
            compile(source, path, "exec")
            chains, explicit = [], set()
            entry["used"] = used_names(source, chains, explicit)
            entry["missing"] = [n for n in entry["used"] if not exists(n)]
            entry["strings"] = string_paths(source)
            entry["missing_strings"] = [n for n in entry["strings"] if not exists(n)]
            # ``prefect.x.Y`` after a bare ``import prefect`` works only if ``import prefect``
            # (or the file itself) imports the module ``prefect.x``.
            for chain in sorted(set(chains)):
                parts = chain.split(".")
                for end in range(2, len(parts) + 1):
                    prefix = ".".join(parts[:end])
                    is_module = prefix in sys.modules or _module_file(prefix) is not None
                    if is_module and prefix not in after_import_prefect and prefix not in explicit:
                        entry["unreachable"].append(chain)
                        break
            entry["deprecated"] = [n for n in entry["used"] if n.startswith(DEPRECATED)]
        except Exception as error:  # pragma: no cover - reported to the test
            entry["error"] = f"{type(error).__name__}: {error}"
        report[path] = entry
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
