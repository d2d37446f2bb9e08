"""Trees put together from the trees of top-level statements (``rewriters/pieces.py``).

The judge: for every Python text of the test suite and of the benchmark corpus, and for every
codemod's focused view of it, the assembled tree equals libcst's parse of the whole text, node
for node, or the pieces are refused. ``tests/test_focus.py`` then checks that whole runs come out
the same with pieces and focus as with one plain parse per codemod.
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest

from prefect_upgrade.codemods import _speed, all_codemods
from prefect_upgrade.codemods.base import PythonCodemod
from prefect_upgrade.rewriters import focus
from prefect_upgrade.rewriters.pieces import StatementTrees
from prefect_upgrade.runner import rewrite_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

MARKERS = sorted({tuple(c.markers) for c in all_codemods() if issubclass(c, PythonCodemod) and c.markers})


def _texts() -> list[tuple[str, str]]:
    paths = sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
    found = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in paths if "__pycache__" not in p.parts]
    return found + [(f"dense-{n}", text) for n, text in enumerate(corpus.dense_texts(6))]


TEXTS = _texts()


def _cuts(text: str) -> list[list[str]]:
    outline = focus.Outline.of(text)
    if outline is None:
        return []
    views = (outline.focus(markers) for markers in MARKERS)
    return [outline.pieces()] + [view.pieces for view in views if view is not None]


def _assembled(pieces: list[str]):
    return StatementTrees().module(pieces)


def test_the_judge_sees_enough():
    cuts = [cut for _, text in TEXTS for cut in _cuts(text)]
    assembled = [cut for cut in cuts if _assembled(cut) is not None]
    assert len(cuts) > 300 and len(assembled) > 0.9 * len(cuts)


@pytest.mark.parametrize("name, text", TEXTS, ids=[name for name, _ in TEXTS])
def test_assembled_trees_are_libcsts_own(name, text):
    for pieces in _cuts(text):
        module = _assembled(pieces)
        if module is not None:
            whole = "".join(pieces)
            assert module.deep_equals(cst.parse_module(whole))
            assert module.code == whole


SHAPES = {
    "comments above statements": "# head\n\nimport a\n\n# about b\nb = a.x\n\n\n# tail\n",
    "decorated function": "import a\n\n# deco\n@a.deco\n# between\ndef f():\n    return 1\n",
    "compound one-liners": "import a\nif a: b = 1\nelse: b = 2\nx = 1; y = 2\n",
    "no trailing line break": "import a\nb = a.x",
    "tabs": "import a\ndef f():\n\treturn a\n\nclass C:\n\tx = 1\n",
    "crlf": "import a\r\ndef f():\r\n    return a\r\n",
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_layouts_come_out_as_libcst_parses_them(text):
    pieces = focus.Outline.of(text).pieces()
    module = _assembled(pieces)
    assert module is not None
    assert module.deep_equals(cst.parse_module(text)) and module.code == text


REFUSED = {
    # libcst gives the indented lines (and those before them) to the function's block
    "indented comment after a block": "import a\ndef f():\n    return a\n# top\n    # inside?\nb = 1\n",
    "indented blank line after a block": "import a\ndef f():\n    return a\n    \nb = 1\n",
    # each piece alone would guess its own indentation or line break
    "indentations differ": "import a\ndef f():\n\treturn a\ndef g():\n    return a\n",
    "line breaks differ": "import a\r\nb = a\n",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_pieces_are_refused_where_libcst_would_read_the_whole_differently(text):
    assert _assembled(focus.Outline.of(text).pieces()) is None


def test_each_statement_is_parsed_once_per_file(monkeypatch):
    parsed = []
    real_parse = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda text: parsed.append(text) or real_parse(text))
    text = "import a\nb = a.x\ndef f():\n    return b\n"
    trees = StatementTrees()
    first = trees.module(focus.Outline.of(text).pieces())
    changed = text.replace("b = a.x", "b = a.y")
    second = trees.module(focus.Outline.of(changed).pieces())
    assert parsed == ["import a\n", "b = a.x\n", "def f():\n    return b\n", "b = a.y\n"]
    assert second.body[0] is first.body[0] and second.body[2] is first.body[2]
    assert second.body[1] is not first.body[1]


def test_a_modules_code_is_generated_once_per_statement(monkeypatch):
    text = "import a\nb = a.x\ndef f():\n    return b\n"
    module = StatementTrees().module(focus.Outline.of(text).pieces())
    assert _speed.module_code(module) == text
    generated = []
    real = cst.Module.code_for_node
    monkeypatch.setattr(cst.Module, "code_for_node", lambda self, node: generated.append(node) or real(self, node))
    new_line = cst.parse_statement("b = a.y\n")
    rewritten = module.with_changes(body=(module.body[0], new_line, module.body[2]))
    assert _speed.module_code(rewritten) == text.replace("a.x", "a.y")
    assert generated == [new_line]


def test_a_statement_written_twice_gets_two_trees():
    text = "import a\nx = a.f()\nprint(1)\nx = a.f()\n"
    module = _assembled(focus.Outline.of(text).pieces())
    assert module.deep_equals(cst.parse_module(text))
    assert module.body[1] is not module.body[3]


def test_findings_on_a_statement_written_twice_keep_their_own_lines():
    filler = "".join(f"def unrelated_{n}():\n    return {n}\n" for n in range(6))
    path = '"prefect.engine.executors.DaskExecutor"'
    text = f"import prefect\n{filler}EXECUTOR = {path}\nprint(1)\nEXECUTOR = {path}\n{filler}"
    result = rewrite_text(text, "python", all_codemods(), path="flow.py")
    assert [(f.code, f.line) for f in result.findings] == [("PFU107", 14), ("PFU107", 16)]
