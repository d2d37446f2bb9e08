"""``# prefect-upgrade: ignore`` comments, through the real runner with small codemods."""

from __future__ import annotations

import pytest

from fake_codemods import FAKES, FakeMove, FakeRegister, FakeRun
from prefect_upgrade import suppressions
from prefect_upgrade.runner import rewrite_text
from prefect_upgrade.suppressions import line_mapper, scan

SOURCE = """\
from prefect.engine.executors import LocalExecutor
from prefect.environments import LocalEnvironment
flow = Flow("x", environment=LocalEnvironment(
    labels=["a"]))
print(flow.environment)
"""


def run(text, kind="python", codemods=FAKES):
    return rewrite_text(text, kind, codemods)


def codes_at(result):
    return [(f.line, f.code, f.applied) for f in result.findings]


def test_without_a_comment_everything_is_fixed_and_findings_point_into_the_new_text():
    result = run(SOURCE)
    assert "LocalRun(" in result.text and "prefect.executors" in result.text
    assert result.applied == ["PFU901", "PFU902"]
    # the import added above moved the Flow line from 3 to 5: the finding follows it
    assert codes_at(result) == [(1, "PFU901", True), (5, "PFU902", True), (7, "PFU903", False)]
    assert result.text.splitlines()[4].startswith("flow = Flow(")


def test_bare_comment_on_the_line_above_covers_the_whole_statement():
    text = SOURCE.replace('flow = Flow(', '# prefect-upgrade: ignore\nflow = Flow(')
    result = run(text)
    # PFU902 would change the covered statement (its second line too): refused as a whole
    assert "LocalEnvironment(" in result.text and "LocalRun" not in result.text
    assert "from prefect.executors import" in result.text  # other codemods go on
    assert result.applied == ["PFU901"]
    assert codes_at(result) == [(1, "PFU901", True), (6, "PFU903", False)]


def test_trailing_comment_on_a_line_of_a_statement_covers_that_statement():
    text = SOURCE.replace('labels=["a"]))', 'labels=["a"]))  # prefect-upgrade: ignore[PFU902]')
    result = run(text)
    assert "LocalRun" not in result.text
    assert ("PFU902" in result.applied) is False


@pytest.mark.parametrize("codes", ["PFU901", "PFU1,PFU901", "pfu901", " PFU901 , PFU7"])
def test_a_comment_naming_codes_only_refuses_those(codes):
    text = SOURCE.replace('flow = Flow(', f'# prefect-upgrade: ignore[{codes}]\nflow = Flow(')
    result = run(text)
    assert "LocalRun(" in result.text  # PFU902 is not named
    text = SOURCE.replace("LocalExecutor\n", f"LocalExecutor  # prefect-upgrade: ignore[{codes}]\n", 1)
    result = run(text)
    assert "prefect.engine.executors" in result.text and "PFU901" not in result.applied


def test_a_comment_naming_a_sub_code_hides_that_finding_but_lets_other_changes_through():
    text = SOURCE.replace("print(flow.environment)", "print(flow.environment)  # prefect-upgrade: ignore[PFU903]")
    result = run(text)
    assert "LocalRun(" in result.text
    assert [f.code for f in result.findings] == ["PFU901", "PFU902"]


def test_refusing_a_step_reports_the_places_it_would_have_changed_elsewhere():
    text = SOURCE.replace('flow = Flow(', '# prefect-upgrade: ignore\nflow = Flow(') + "other = LocalEnvironment()\n"
    result = run(text)
    assert result.text.endswith("other = LocalEnvironment()\n")
    manual = [f for f in result.findings if f.code == "PFU902"]
    assert [(f.line, f.applied) for f in manual] == [(7, False), (7, False)]
    assert any("not applied to this file" in f.message and "line 3" in f.message for f in manual)


def test_a_step_that_only_touches_suppressed_code_leaves_no_extra_finding():
    text = "# prefect-upgrade: ignore\nflow = Flow('x', environment=LocalEnvironment())\n"
    result = run(text, codemods=(FakeRun,))
    assert result.text == text and result.findings == []


def test_hash_inside_a_string_is_not_a_comment():
    text = 'x = "# prefect-upgrade: ignore"\nfrom prefect.engine.executors import LocalExecutor\n'
    assert not scan(text, "python")
    assert "prefect.executors" in run(text, codemods=(FakeMove,)).text


def test_comment_above_a_decorated_function_covers_decorators_and_header_not_body():
    text = (
        "# prefect-upgrade: ignore\n"
        "@task(\n"
        "    x=1)\n"
        "def f(a,\n"
        "      b):\n"
        "    # body comment\n"
        "    return a\n"
    )
    (suppression,) = scan(text, "python")
    assert (suppression.first, suppression.last) == (2, 5)


def test_other_kinds_line_based():
    text = (
        "# prefect-upgrade: ignore\n"
        "\n"
        "prefect register flow --file a.py\n"
        "prefect register flow --file b.py  # prefect-upgrade: ignore[PFU904]\n"
        "prefect register flow --file c.py\n"
    )
    result = run(text, "shell", (FakeRegister,))
    assert result.text == text  # the step touches covered lines: refused whole
    assert sorted((f.line, f.fix_class.value) for f in result.findings) == [(5, "manual"), (5, "safe")]
    markdown = "<!-- prefect-upgrade: ignore -->\n```sh\nprefect register flow --file a.py\n```\n"
    assert [(s.first, s.last) for s in scan(markdown, "markdown")] == [(2, 2)]  # the fence line
    rst = ".. prefect-upgrade: ignore[PFU4]\n\n.. code-block:: bash\n"
    assert [(s.first, s.last, s.codes) for s in scan(rst, "rst")] == [(3, 3, ("PFU4",))]
    continued = "# prefect-upgrade: ignore\nRUN pip install x && \\\n    prefect register flow --file a.py\nRUN y\n"
    assert [(s.first, s.last) for s in scan(continued, "dockerfile")] == [(2, 3)]
    yaml = "steps:\n  - run: |\n      # prefect-upgrade: ignore\n      prefect register flow --file a.py\n"
    assert run(yaml, "yaml", (FakeRegister,)).text == yaml


def test_notebook_source_lines():
    notebook = '{"cells": [{"source": [\n    "# prefect-upgrade: ignore\\n",\n    "!prefect register flow --file a.py\\n"\n]}]}\n'
    assert [(s.first, s.last) for s in scan(notebook, "notebook")] == [(3, 3)]


def test_unparsable_python_falls_back_to_lines():
    text = "# prefect-upgrade: ignore\nthis is not python\n"
    assert [(s.first, s.last) for s in scan(text, "python")] == [(2, 2)]


def test_line_mapper_follows_lines_across_inserted_and_replaced_lines():
    old = "a\nb = Env()\nc\n"
    new = "import x\n\na\nb = Run()\nc\n"
    mapped = line_mapper(old, new)
    assert [mapped(n) for n in (1, 2, 3)] == [3, 4, 5]
    assert [line_mapper(new, old)(n) for n in (3, 4, 5)] == [1, 2, 3]


@pytest.mark.parametrize(
    "old, new, line, expected",
    [
        # a rewritten statement keeps its start: not the longer rewritten one above it
        (
            'flow = Flow("a", environment=DaskKubernetesEnvironment(metadata=dict(image="org/img:1")))\n'
            'flow2 = Flow("b", environment=LocalEnvironment(metadata=dict(image="x", team="y")), storage=S())\n',
            "# a comment the rewrite added\n"
            'flow = Flow("a", run_config=KubernetesRun(image="org/img:1"), executor=DaskExecutor(\n'
            "    cluster_class=make_cluster,\n"
            "))\n"
            "# another one\n"
            'flow2 = Flow("b", storage=S())\n',
            2,
            6,
        ),
        # a call split over lines: its first line, not a similar call above
        (
            "flow.run(executor=DaskExecutor('local'))\n"
            "flow.run(executor=NewDask(cluster_kwargs={'n_workers': 2}, memory_limit='4GB', timeout=10))\n",
            "flow.run(executor=DaskExecutor())\n"
            "flow.run(executor=NewDask(\n"
            "    cluster_kwargs={'n_workers': 2, 'memory_limit': '4GB'},\n"
            "    client_kwargs={'timeout': 10},\n"
            "))\n",
            2,
            2,
        ),
        # a line of code goes to a line of code, not to an added comment that quotes it
        (
            'ENV = FargateTaskEnvironment(\n    family="x",\n    cpu="256",\n)\n',
            '# family="x" dropped: the ECS agent registers a task definition per flow version\n'
            'RUN_CONFIG = ECSRun(cpu="256")\n',
            2,
            2,
        ),
        # a line replaced by a note quoting it goes to the note, not to the blank line below it
        # (blank lines do not anchor blocks any more; a removed import's finding was on the blank)
        (
            'if __name__ == "__main__":\n'
            "\tfrom prefect.agent.fargate import FargateAgent\n"
            "\n"
            "\tAGENT = FargateAgent()\n",
            'if __name__ == "__main__":\n'
            "\t# prefect-upgrade PFU312: removed `from prefect.agent.fargate import FargateAgent` (gone)\n"
            "\n"
            "\t# TODO(prefect-upgrade PFU312): FargateAgent was removed in Prefect 1.0\n"
            "\tAGENT = FargateAgent()\n",
            2,
            2,
        ),
        # a shared start counts in whole words only: ``artifacts`` does not start ``artifacts_api``
        (
            "artifacts_api.create_markdown('# x')\nartifacts.delete_artifact('id')\n",
            "artifacts_api.create_markdown_artifact('# x')\nbackend.delete_artifact('id')\n",
            2,
            2,
        ),
    ],
)
def test_line_mapper_finds_the_rewritten_line(old, new, line, expected):
    assert line_mapper(old, new)(line) == expected


def test_columns_follow_edits_on_the_line():
    from prefect_upgrade.suppressions import _column

    old = "from prefect.engine.executors import DaskExecutor, LocalExecutor"
    new = "from prefect.executors import DaskExecutor, LocalExecutor"
    assert _column(old, new, old.index("LocalExecutor") + 1) == new.index("LocalExecutor") + 1
    assert _column(old, new, 1) == 1
    assert _column(old, old, 17) == 17


# -- the line diff under the mapper (issue #8: cubic in difflib on big files of repeated lines) --


def _apply_opcodes(codes, old_lines, new_lines):
    out, at_old, at_new = [], 0, 0
    for tag, i1, i2, j1, j2 in codes:
        assert (i1, j1) == (at_old, at_new)  # contiguous, in order
        if tag == "equal":
            assert old_lines[i1:i2] == new_lines[j1:j2]
        out.extend(new_lines[j1:j2])
        at_old, at_new = i2, j2
    assert (at_old, at_new) == (len(old_lines), len(new_lines))
    return out


def _many_changed_lines(count: int) -> tuple[str, str]:
    old = "import prefect\n" + "".join(
        f'def test_{i}(x):\n    """patched"""\n    return {{"n": {i}, "cls": "prefect.engine.executors.DaskExecutor"}}\n\n'
        for i in range(count)
    )
    return old, old.replace("prefect.engine.executors", "prefect.executors")


@pytest.mark.parametrize("junk", [None, suppressions._no_anchor])
def test_big_diff_of_repeated_lines_is_anchored_and_stays_a_diff(junk, monkeypatch):
    import difflib

    compared = []  # lines of old times lines of new, per difflib comparison
    set_seqs = difflib.SequenceMatcher.set_seqs

    def recording(self, a, b):
        compared.append(len(a) * len(b))
        return set_seqs(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", recording)
    old, new = _many_changed_lines(600)  # 2,400 lines, 600 changed: difflib alone takes minutes
    codes = suppressions._opcodes(old, new, junk)
    assert _apply_opcodes(codes, old.splitlines(), new.splitlines()) == new.splitlines()
    changed = [(c[1], c[2]) for c in codes if c[0] != "equal"]
    if junk is None:
        assert changed == [(4 * i + 3, 4 * i + 4) for i in range(600)]
    else:  # blank lines do not anchor: each goes with the changed line above it
        assert changed == [(4 * i + 3, 4 * i + 5) for i in range(600)]
    assert compared and max(compared) <= suppressions._DIRECT_CELLS  # never the whole text at once
    mapper = suppressions.line_mapper(old, new)
    assert [mapper(line) for line in (1, 4, 2400, 2401)] == [1, 4, 2400, 2401]
    # lines added and removed too: the mapper also compares the texts from their ends
    fewer = new.replace("def test_7(x):\n", "").replace("import prefect\n", "import prefect\nimport os\n")
    mapper = suppressions.line_mapper(old, fewer)
    assert [mapper(line) for line in (1, 2, 4, 2401)] == [1, 3, 5, 2401]
    assert max(compared) <= suppressions._DIRECT_CELLS


def test_small_diffs_are_difflibs_own():
    import difflib
    import random

    rng = random.Random(8)
    words = ["a", "b", "", "x = 1", ")", "def f():", "    pass"]
    for _ in range(300):
        old = [rng.choice(words) for _ in range(rng.randint(0, 40))]
        new = [line for line in old if rng.random() > 0.2] + [rng.choice(words) for _ in range(rng.randint(0, 5))]
        rng.shuffle(new) if rng.random() < 0.2 else None
        text_old, text_new = "\n".join(old) + "\n", "\n".join(new) + "\n"
        expected = difflib.SequenceMatcher(None, text_old.splitlines(), text_new.splitlines(), autojunk=False)
        assert suppressions._opcodes(text_old, text_new) == expected.get_opcodes()


def test_big_random_diffs_stay_diffs():
    import random

    rng = random.Random(9)
    for _ in range(5):
        old = [f"line {rng.randint(0, 900)}" if rng.random() < 0.7 else "" for _ in range(1_200)]
        new = [line if rng.random() > 0.05 else "changed" for line in old]
        del new[rng.randint(0, 600) : rng.randint(600, 700)]
        new[300:300] = ["inserted"] * 40
        old_text, new_text = "\n".join(old) + "\n", "\n".join(new) + "\n"
        codes = suppressions._opcodes(old_text, new_text, suppressions._no_anchor)
        assert _apply_opcodes(codes, old_text.splitlines(), new_text.splitlines()) == new_text.splitlines()
        assert all(a[0] != b[0] or a[0] != "equal" for a, b in zip(codes, codes[1:]))  # joined
