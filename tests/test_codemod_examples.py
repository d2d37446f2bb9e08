"""Every codemod's own examples (Fixit style): code that must stay next to code that must change."""

from __future__ import annotations

import pytest

from casefiles import upgrade
from prefect_upgrade.codemods import all_codemods

CASES = [
    pytest.param(codemod, index, example, id=f"{codemod.code}-{index}")
    for codemod in all_codemods()
    for index, example in enumerate(codemod.examples)
]


def test_every_codemod_has_examples_of_both_sorts():
    for codemod in all_codemods():
        # a codemod that only reports shows what it reports instead of a change
        assert any(e.must_change or e.reports for e in codemod.examples), f"{codemod.code} has no example that changes"
        assert any(not e.must_change and not e.reports for e in codemod.examples), (
            f"{codemod.code} has no example that stays"
        )


@pytest.mark.parametrize("codemod, index, example", CASES)
def test_example(codemod, index, example):
    from dataclasses import replace

    options = replace(example.options, select=(codemod.code,))
    result = upgrade(example.before, example.kind, select=(codemod.code,), options=options)
    expected = example.after if example.must_change else example.before
    assert result.text == expected
    if example.reports is not None:
        assert sorted(f.code for f in result.findings) == sorted(example.reports)
    again = upgrade(result.text, example.kind, select=(codemod.code,), options=options)
    assert again.text == result.text


def test_every_codemod_documents_itself():
    for codemod in all_codemods():
        assert codemod.code.startswith("PFU") and len(codemod.code) == 6
        assert codemod.summary and "\n" not in codemod.summary
        doc = codemod.explain()
        assert "before" in doc.lower() or "->" in doc or "→" in doc, f"{codemod.code} docstring lacks an example"
