"""Focus (``rewriters/focus.py``): a codemod sees only the statements it could change.

The unit tests pin down what stays in view and how the module is put back together. The
differential tests are the real judge: every Python input of the test suite, and the same
inputs with unrelated code woven between their statements, are rewritten by every codemod with
focus and without it; the texts and the findings must be equal.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

from prefect_upgrade.codemods import all_codemods
from prefect_upgrade.codemods.base import CodemodOptions, PythonCodemod
from prefect_upgrade.rewriters import focus
from prefect_upgrade.rewriters import python as python_rewriter
from prefect_upgrade.runner import rewrite_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

FILLER = '''

def _unrelated_{n}(values, scale=2):
    """Arithmetic with nothing to upgrade in it."""
    total = 0
    for value in values:
        total += value * scale
    if total > 100:
        total = total // 2
    return total


_UNRELATED_{n} = [_unrelated_{n}(range(k)) for k in range(3)]
'''


def _view(text: str, markers) -> str:
    outline = focus.Outline.of(text)
    assert outline is not None
    view = outline.focus(markers)
    return "" if view is None else view.text


# -- what stays in view -------------------------------------------------------------------------

MODULE = textwrap.dedent(
    '''\
    """Docstring."""
    import os
    from lib import old_thing


    def helper(records):
        records = [r for r in records]
        return len(records)


    def other(x):
        y = x * 2
        z = y + 1
        return z


    client = old_thing(os.environ["HOME"])
    records = client.fetch()


    def uses_client():
        return client.get()


    REQS = ["a", "b"]
    setup(requires=REQS, marker="old_thing")
    '''
)


def test_statements_without_a_marker_become_one_placeholder_that_binds_their_names():
    view = _view(MODULE, ("old_thing",))
    assert "def helper" not in view and "def other" not in view
    assert "helper = other = __prefect_upgrade_hidden_0__\n" in view
    # The blank lines above the hidden statements stay in view.
    assert 'from lib import old_thing\n\n\nhelper = other' in view


def test_names_bound_by_a_statement_in_view_pull_in_the_statements_using_them():
    view = _view(MODULE, ("old_thing",))
    assert "client = old_thing(" in view
    assert "def uses_client():\n    return client.get()" in view  # reads the module's client


def test_a_function_local_of_the_same_name_is_not_a_use():
    # ``records`` is bound next to ``client``, but helper's ``records`` is its own.
    view = _view(MODULE, ("old_thing",))
    assert "def helper" not in view


def test_assignments_read_by_a_statement_in_view_come_along():
    view = _view(MODULE, ("old_thing",))
    assert 'REQS = ["a", "b"]' in view


def test_imports_and_the_first_statement_always_stay():
    text = '"""Doc."""\nimport json\n' + FILLER.format(n=0) + FILLER.format(n=1) + "x = marker\n"
    view = _view(text, ("marker",))
    assert view.startswith('"""Doc."""\nimport json\n')
    assert "x = marker" in view and "_unrelated_0(values" not in view


def test_nothing_to_hide_means_no_focus():
    outline = focus.Outline.of("import a\nb = a.old_thing()\n")
    assert outline.focus(("old_thing",)) is None


def test_a_star_import_with_a_marker_turns_focus_off():
    text = "from lib.old_thing import *\n" + FILLER.format(n=0) + FILLER.format(n=1) + "x = thing()\n"
    assert focus.Outline.of(text).focus(("old_thing",)) is None


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\ry = 2\n" + FILLER.format(n=0),  # a lone carriage return: CPython breaks lines there
        "import a\n__prefect_upgrade_hidden_0__ = 1\n" + FILLER.format(n=0),
        "def broken(:\n",
        "x = 1\n",
    ],
)
def test_texts_that_are_not_cut_up(text):
    assert focus.Outline.of(text) is None


# -- putting the module back together ----------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_restore_gives_back_every_hidden_byte(newline):
    text = (MODULE + "\f\n# trailing comment\n").replace("\n", newline)
    outline = focus.Outline.of(text)
    view = outline.focus(("old_thing",))
    assert view.restore(view.text) == text
    rewritten = view.text.replace("old_thing", "new_thing")
    assert view.restore(rewritten) == text.replace("old_thing", "new_thing")


def test_restore_refuses_a_touched_placeholder():
    view = focus.Outline.of(MODULE).focus(("old_thing",))
    assert view.restore(view.text.replace("helper = other = ", "")) is None
    assert view.restore(view.text.replace("__prefect_upgrade_hidden_0__", "x")) is None
    assert view.restore(view.text.replace("__prefect_upgrade_hidden_0__\n", "__prefect_upgrade_hidden_0__; y\n")) is None


def test_lines_of_the_view_map_back_to_the_module():
    view = focus.Outline.of(MODULE).focus(("old_thing",))
    view_lines = view.text.splitlines()
    module_lines = MODULE.splitlines()
    for number, line in enumerate(view_lines, start=1):
        if "__prefect_upgrade_hidden_" not in line:
            assert module_lines[view.original_line(number) - 1] == line
    placeholder = next(i for i, line in enumerate(view_lines, 1) if "hidden_0" in line)
    assert module_lines[view.original_line(placeholder) - 1] == "def helper(records):"


def test_decorators_and_semicolons_stay_with_their_statement():
    text = "import a\n" + FILLER.format(n=0) + "\n@deco\n@other.deco(1)\ndef f(): pass\nx = 1; y = old_thing\n"
    view = _view(text, ("old_thing",))
    assert "x = 1; y = old_thing" in view
    assert "@deco" not in view
    assert "f = __prefect_upgrade_hidden_0__" in view or "_unrelated_0 = f = " in view


# -- the judge: equal output with and without focus -------------------------------------------


def _weave(text: str) -> str:
    """``text`` with unrelated code after each of its top-level statements."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    after: dict[int, str] = {}
    for n, node in enumerate(tree.body):
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        docstring = n == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if not (future or docstring):
            after[node.end_lineno] = FILLER.format(n=n)
    return "".join(line + after.get(number, "") for number, line in enumerate(lines, start=1))


def _python_inputs() -> list[Path]:
    found = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))
    return [p for p in found if "__pycache__" not in p.parts]


def _codemod_examples() -> list[tuple[type[PythonCodemod], str]]:
    return [
        (codemod, example.before)
        for codemod in all_codemods()
        if issubclass(codemod, PythonCodemod)
        for example in codemod.examples
        if example.kind == "python"
    ]


def _check_outlines(monkeypatch) -> list:
    """Every outline built from a rewritten view is compared with one of the whole module."""
    built = []
    original = focus.Focus.outline_after

    def checked(self, rewritten, restored):
        outline = original(self, rewritten, restored)
        assert outline is None or outline == focus.Outline.of(restored)
        built.append(outline is not None)
        return outline

    monkeypatch.setattr(focus.Focus, "outline_after", checked)
    return built


def _both_ways(text: str, options: CodemodOptions, monkeypatch, codemods=None) -> list:
    codemods = codemods or all_codemods()
    built = _check_outlines(monkeypatch)
    outcomes = []
    for on in (True, False):
        monkeypatch.setattr(python_rewriter, "FOCUS", on)
        try:
            result = rewrite_text(text, "python", codemods, options)
            outcomes.append((result.text, result.findings, result.applied))
        except Exception as error:  # noqa: BLE001 - the same error both ways is fine
            outcomes.append(("error", str(error)))
    assert outcomes[0] == outcomes[1]
    return built


def test_the_filler_holds_no_marker():
    markers = {m for c in all_codemods() if issubclass(c, PythonCodemod) for m in c.markers}
    assert not [m for m in markers if m in FILLER]


@pytest.mark.parametrize("path", _python_inputs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixtures_come_out_the_same_with_and_without_focus(path, monkeypatch):
    # Unsafe fixes on: the most code paths. Woven: so that there is something to hide.
    _both_ways(_weave(path.read_text()), CodemodOptions(unsafe_fixes=True), monkeypatch)


def test_codemod_examples_come_out_the_same_with_and_without_focus(monkeypatch):
    for codemod, before in _codemod_examples():
        _both_ways(_weave(before), CodemodOptions(unsafe_fixes=True), monkeypatch, [codemod])


def test_benchmark_flows_come_out_the_same_with_and_without_focus(monkeypatch):
    built = []
    for text in corpus.dense_texts(count=2, seed=11):
        built += _both_ways(text, CodemodOptions(unsafe_fixes=True), monkeypatch)
    assert built.count(True) > 5  # outlines from rewritten views were built, and checked


def test_the_outline_after_a_rewrite_is_the_outline_of_the_module():
    text = MODULE + FILLER.format(n=1) + "\nprint(old_thing)\n" + FILLER.format(n=2) + "\nx = 1; y = 2\n"
    outline = focus.Outline.of(text)
    view = outline.focus(("old_thing",))
    assert view.text.count("__prefect_upgrade_hidden_") >= 2
    # a codemod adds an import and a comment above a placeholder, and makes a line two
    rewritten = view.text.replace("from lib import old_thing\n", "from lib import old_thing\nimport extra\n# note\n")
    rewritten = rewritten.replace("print(old_thing)\n", "print(\n    old_thing)\n")
    assert rewritten != view.text
    restored = view.restore(rewritten)
    assert view.outline_after(rewritten, restored) == focus.Outline.of(restored)
    assert view.outline_after(view.text, view.restore(view.text)) == outline


def test_focus_is_on_where_it_pays(monkeypatch):
    # The counterpart of the tests above: on a generated flow, codemods really see less.
    text = corpus.dense_texts(count=1, seed=3)[0]
    outline = focus.Outline.of(text)
    sizes = [len(outline.focus(c.markers).text) for c in all_codemods() if c.code in ("PFU101", "PFU201", "PFU302")]
    assert all(size < len(text) / 2 for size in sizes)


# -- text libcst cannot reproduce ----------------------------------------------------------------

LOSSY_TAIL = "\n\n  \n"  # libcst drops one of these lines when it writes the module back


@pytest.mark.parametrize("on", [True, False])
def test_text_libcst_cannot_reproduce_is_refused_when_a_codemod_would_change_it(on, monkeypatch):
    from prefect_upgrade.rewriters import SourceError

    monkeypatch.setattr(python_rewriter, "FOCUS", on)
    text = "from prefect.engine.executors import LocalExecutor\n" + FILLER.format(n=0) + LOSSY_TAIL
    with pytest.raises(SourceError, match="cannot be reproduced exactly"):
        rewrite_text(text, "python", all_codemods())


@pytest.mark.parametrize("on", [True, False])
def test_text_libcst_cannot_reproduce_is_fine_when_nothing_changes(on, monkeypatch):
    monkeypatch.setattr(python_rewriter, "FOCUS", on)
    text = "from prefect.executors import LocalExecutor\n" + FILLER.format(n=0) + LOSSY_TAIL
    assert rewrite_text(text, "python", all_codemods()).text == text


def test_a_codemod_that_follows_classes_sees_the_classes_its_statements_use():
    text = (
        "from lib import Base\n"
        "class Middle(Base):\n    pass\n"
        "class Leaf(Middle):\n    pass\n"
        "class Unused(Base):\n    pass\n"
        + FILLER.format(n=0)
        + "storage = Leaf(old_thing=1)\n"
    )
    outline = focus.Outline.of(text)
    plain = outline.focus(("old_thing",)).text
    followed = outline.focus(("old_thing",), follow_classes=True).text
    assert "class Leaf" not in plain and "class Middle" not in plain
    assert "class Leaf(Middle)" in followed and "class Middle(Base)" in followed
    assert "class Unused" not in followed and "def _unrelated_0" not in followed
