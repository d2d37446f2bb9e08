"""Real-Prefect tier for the CLI codemods: Prefect's own click CLI judges every command line.

For every shell fixture in ``tests/fixtures/cli/`` (and every Python one in
``tests/fixtures/cli_python/``: list literals and shell strings), each ``prefect`` command line of the
rewritten text is parsed by Prefect 1.0.0's CLI (``tests/cli_checker.py``, run inside the
venv: the command path is resolved under ``prefect.cli.cli`` and each level's context is built
with ``make_context(..., resilient_parsing=False)``; shell variables become a placeholder):

- a rewritten command with no unresolved finding on its lines must be accepted by 1.0.0;
- its original must be rejected by 1.0.0 and accepted by 0.13.19, 0.14.22 or 0.15.13 (but for
  the upgrade guide's ``prefect register flows``, which no version accepts);
- a command left as it was but reported (manual/unsafe) must be rejected by 1.0.0 as well, and
  accepted by an old version (the finding is about a real break);
- a command left alone without findings must be accepted by 1.0.0 (Prefect 2 lines excepted);
- ``register`` and ``run`` rewrites must mean the same: the options 1.0.0 parses (project,
  paths, names, labels, ids, parameters and context read back as 1.0.0 reads them, watch/logs,
  force) are compared with the options the old version parsed.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from casefiles import fixture_cases, upgrade
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.codemods.prefect_cli import prefect_index
from prefect_upgrade.codemods.shell_words import split_commands
from real_prefect import run_python

pytestmark = pytest.mark.real_prefect

CHECKER = Path(__file__).resolve().parent / "cli_checker.py"
OLD_VERSIONS = ("0.13.19", "0.14.22", "0.15.13")
PLACEHOLDER = "PLACEHOLDER"
SPREAD = {'"$@"', "$@", '"$*"', "$*"}
PREFECT_2 = {"deployment", "deploy", "worker", "cloud", "work-pool", "work-queue", "flow-run", "orion"}


def command_lines(text: str):
    """(argv without ``prefect``, first line, last line) of every prefect command in ``text``."""
    found = []
    for command in split_commands(text):
        for index, word in enumerate(command.words[:-2]):  # sh -c '...': the commands inside
            script = command.words[index + 2]
            if word.value in ("sh", "bash") and command.words[index + 1].value == "-c" and script.raw[:1] in "'\"" \
                    and not (script.raw[0] == '"' and "\\" in script.raw):
                offset = text.count("\n", 0, script.start)
                found.extend((argv, first + offset, last + offset) for argv, first, last in command_lines(script.raw[1:-1]))
        start = prefect_index(command.words)
        if start is None:
            continue
        words = command.words[start + 1 :]
        argv = [w.value if w.value is not None else _placeholder(w.raw) for w in words if w.raw not in SPREAD]
        first = text.count("\n", 0, command.words[start].start) + 1
        last = text.count("\n", 0, command.words[-1].end) + 1
        found.append((argv, first, last))
    return found


def _placeholder(raw: str) -> str:
    attached = re.match(r"(--[A-Za-z0-9-]+)=", raw)
    return f"{attached.group(1)}={PLACEHOLDER}" if attached else PLACEHOLDER


def is_prefect_2(argv) -> bool:
    return bool(argv) and (argv[0] in PREFECT_2 or argv[:2] == ["agent", "start"] and any(
        a in ("-q", "--work-queue", "--pool") for a in argv))


def make_paths(root: Path, argvs) -> None:
    """Create the files the command lines name (click checks ``Path(exists=True)``)."""
    (root / PLACEHOLDER).write_text("")
    for argv in argvs:
        for arg in argv:
            value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
            if value.startswith(("-", "/")) or "://" in value or " " in value:
                continue
            if value.endswith("/"):
                (root / value).mkdir(parents=True, exist_ok=True)
            elif value.endswith((".py", ".json")):
                (root / value).parent.mkdir(parents=True, exist_ok=True)
                (root / value).write_text("")


def judge(version: str, argvs, tmp_path: Path):
    if not argvs:
        return []
    folder = tmp_path / version
    folder.mkdir(exist_ok=True)
    make_paths(folder, argvs)
    (folder / "in.json").write_text(json.dumps(argvs))
    code = (
        "import sys; sys.argv = ['cli_checker', 'in.json']; "
        f"exec(compile(open({str(CHECKER)!r}).read(), 'cli_checker.py', 'exec'))"
    )
    done = run_python(version, code, folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def python_commands(text: str):
    """Like ``command_lines`` for Python: list literals that start with prefect, and the shell
    strings passed to calls (each ``{...}`` of an f-string is a variable)."""
    found = []
    nodes = sorted(
        (n for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.List, ast.Tuple, ast.Call))),
        key=lambda n: (n.lineno, n.col_offset, isinstance(n, ast.Call)),
    )
    for node in nodes:
        if isinstance(node, (ast.List, ast.Tuple)):
            words = [_python_word(e) for e in node.elts]
            start = 1 if words[:1] == ["prefect"] else 3 if words[1:3] == ["-m", "prefect"] else None
            if start is not None:
                argv = [w for w in words[start:] if w is not None]
                found.append((argv, node.lineno, node.end_lineno))
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "split" and not node.args and isinstance(
            node.func.value, ast.Constant
        ) and str(node.func.value.value).startswith("prefect "):
            found.append((node.func.value.value.split()[1:], node.lineno, node.end_lineno))
        elif node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)) and _runs(node):
            shell = _python_word(node.args[0], "$PFU")
            if isinstance(shell, str) and "prefect" in shell:
                for argv, _, _ in command_lines(shell):
                    found.append((argv, node.lineno, node.end_lineno))
    return found


def _runs(call: ast.Call) -> bool:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return name in ("run", "system", "popen", "Popen", "call", "check_call", "check_output", "split")


def _python_word(node, variable=PLACEHOLDER):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Starred):
        return None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else variable for v in node.values)
    if isinstance(node, ast.Attribute) and ast.unparse(node) == "sys.executable":
        return "python"
    return PLACEHOLDER


SHELL_FIXTURES = [p for p in fixture_cases("cli") if p.suffix == ".sh"]
PYTHON_FIXTURES = fixture_cases("cli_python")


def classify(path: Path):
    """(rewritten pairs, reported originals, kept originals) of one fixture."""
    text = path.read_text()
    options = CodemodOptions(unsafe_fixes="unsafe" in path.name)
    if path.suffix == ".py":
        result = upgrade(text, "python", options=options)
        before, after = python_commands(text), python_commands(result.text)
    else:
        result = upgrade(text, "shell", options=options)
        before, after = command_lines(text), command_lines(result.text)
    places = after  # findings point into the rewritten text
    assert len(before) == len(after)
    open_lines = {f.line for f in result.findings if not f.applied}
    rewritten, reported, kept = [], [], []
    for (old, _, _), (new, _, _), (_, first, last) in zip(before, after, places):
        unresolved = any(first <= line <= last for line in open_lines)
        if old != new and not unresolved:
            rewritten.append((old, new))
        elif unresolved:
            reported.append(old)
        elif not is_prefect_2(old):
            kept.append(old)
    return rewritten, reported, kept


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Every command line of every fixture, judged once per Prefect version."""
    argvs = set()
    for path in SHELL_FIXTURES + PYTHON_FIXTURES:
        rewritten, reported, kept = classify(path)
        argvs.update(tuple(a) for pair in rewritten for a in pair)
        argvs.update(tuple(a) for a in reported + kept)
    argvs = sorted(argvs)
    root = tmp_path_factory.mktemp("cli")
    table = {}
    for version in ("1.0.0", *OLD_VERSIONS):
        for argv, verdict in zip(argvs, judge(version, [list(a) for a in argvs], root)):
            table[version, argv] = verdict
    return table


def test_the_fixtures_hold_many_command_lines():
    counts = [len(part) for path in SHELL_FIXTURES for part in classify(path)]
    assert sum(counts[0::3]) >= 30 and sum(counts[1::3]) >= 10


@pytest.mark.parametrize("path", SHELL_FIXTURES + PYTHON_FIXTURES, ids=lambda p: p.name)
def test_prefect_1_accepts_the_rewritten_commands(path, verdicts):
    rewritten, reported, kept = classify(path)
    for argv in [new for _, new in rewritten] + kept:
        ok, why, _ = verdicts["1.0.0", tuple(argv)]
        assert ok, f"Prefect 1.0.0 rejects `prefect {' '.join(argv)}`: {why}"
    for argv in [old for old, _ in rewritten] + reported:
        ok, why, _ = verdicts["1.0.0", tuple(argv)]
        assert not ok, f"`prefect {' '.join(argv)}` already works on 1.0.0: it should not be changed or reported"
        if argv[:2] == ["register", "flows"]:
            continue  # the upgrade guide's example: no Prefect ever accepted it
        accepted = [v for v in OLD_VERSIONS if verdicts[v, tuple(argv)][0]]
        assert accepted, f"no old Prefect accepts `prefect {' '.join(argv)}`: " + "; ".join(
            verdicts[v, tuple(argv)][1] for v in OLD_VERSIONS
        )
    for old, new in rewritten:
        if old[:2] == ["register", "flows"]:
            continue
        version = next(v for v in reversed(OLD_VERSIONS) if verdicts[v, tuple(old)][0])  # the newest
        _, old_path, old_params = verdicts[version, tuple(old)]
        _, _, new_params = verdicts["1.0.0", tuple(new)]
        problems = same_meaning(old_path, old_params, new_params)
        assert not problems, f"`prefect {' '.join(old)}` -> `prefect {' '.join(new)}`: {problems}"


def _key_values(specs):
    from prefect_upgrade.codemods.prefect_cli import _load_cli_value

    pairs = [spec.split("=") for spec in specs]  # exactly as Prefect 1.0.0 splits them
    assert all(len(pair) == 2 for pair in pairs), specs
    return {key: _load_cli_value(value) for key, value in pairs}


def same_meaning(old_path: str, old: dict, new: dict) -> list:
    """What the rewritten command does differently from the old one, option by option."""
    expected = {}
    if old_path == "prefect register flow":
        expected = {
            "paths": [old["file"]],
            "project": old["project"],
            "names": [old["name"]] if old["name"] else [],
            "labels": sorted(old["label"]),
            "force": not old.get("skip_if_flow_metadata_unchanged", False),
        }
        new = dict(new, labels=sorted(new["labels"]))
    elif old_path in ("prefect run flow", "prefect run cloud", "prefect run server"):
        expected = {
            "flow_or_group_id": old.get("id") or old.get("version_group_id"),
            "name": old["name"],
            "project": old["project"],
            "run_name": old["run_name"],
            "param_file": old["parameters_file"],
            "labels": sorted(old.get("label") or old.get("labels") or []),
            "params": __import__("json").loads(old["parameters_string"]) if old["parameters_string"] else {},
            "context_vars": __import__("json").loads(old["context"]) if old.get("context") else {},
            "watch": bool(old["watch"] or old["logs"]),
            "no_logs": bool(old["watch"] and not old["logs"]),
            "quiet": bool(old["no_url"]),
        }
        new = dict(new, labels=sorted(new["labels"]), params=_key_values(new["params"]),
                   context_vars=_key_values(new["context_vars"]))
    return [(key, value, new.get(key)) for key, value in expected.items() if new.get(key) != value]


def _resolves(version: str, paths, tmp_path: Path) -> dict:
    code = (
        "import json, sys, warnings; warnings.simplefilter('ignore')\n"
        "from prefect.utilities.serialization import from_qualified_name\n"
        "out = {}\n"
        f"for path in {list(paths)!r}:\n"
        "    try:\n"
        "        from_qualified_name(path); out[path] = True\n"
        "    except Exception:\n"
        "        out[path] = False\n"
        "print(json.dumps(out))\n"
    )
    done = run_python(version, code, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_default_class_paths_resolve(tmp_path):
    """Every class path PFU413 writes resolves under 1.0.0, and every one it reads did under 0.13."""
    from prefect_upgrade.codemods.pfu410_settings import _EXECUTOR_NAMES, _STORAGE_NAMES

    new = [f"prefect.storage.{n}" for n in _STORAGE_NAMES] + [f"prefect.executors.{n}" for n in _EXECUTOR_NAMES]
    old = [f"prefect.environments.storage.{n}" for n in _STORAGE_NAMES] + [
        f"prefect.engine.executors.{n}" for n in _EXECUTOR_NAMES if n != "Executor"
    ]
    assert all(_resolves("1.0.0", new, tmp_path).values())
    resolved_old = _resolves("0.13.19", old, tmp_path)
    assert all(resolved_old.values()), resolved_old
