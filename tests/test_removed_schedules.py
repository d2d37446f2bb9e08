"""PFU303/PFU330: OneTimeSchedule and UnionSchedule."""

from __future__ import annotations

import pytest

from casefiles import fixture_cases
from removed_cases import render_fixture, run
from prefect_upgrade.findings import FixClass

STAYS = [
    "from prefect.schedules import Schedule, clocks\ns = Schedule(clocks=[clocks.DatesClock([d])])\n",
    "from mylib import OneTimeSchedule\nOneTimeSchedule(d)\n",
    "def UnionSchedule(s):\n    return s\nUnionSchedule([a])\n",
    "# OneTimeSchedule(start_date=d)\ntext = 'UnionSchedule'\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_left_alone(text):
    result = run(text)
    assert result.text == text and result.findings == []


def test_one_time_schedule():
    text = "from prefect.schedules import OneTimeSchedule\ns = OneTimeSchedule(start_date=d)\n"
    assert run(text).text == (
        "from prefect.schedules import Schedule\n"
        "from prefect.schedules.clocks import DatesClock\n\n"
        "s = Schedule(clocks=[DatesClock(dates=[d])])\n"
    )


def test_union_schedule_of_a_list_keeps_its_layout():
    text = (
        "from prefect.schedules import UnionSchedule\n"
        "u = UnionSchedule([\n    a,  # first\n    b,\n])\n"
    )
    assert run(text).text == (
        "from prefect.schedules import Schedule\n\n"
        "u = Schedule(clocks=[\n    *a.clocks,  # first\n    *b.clocks,\n])\n"
    )


def test_union_schedule_of_an_expression():
    text = "import prefect\nu = prefect.schedules.UnionSchedule(schedules=get())\n"
    assert "Schedule(clocks=[c for s in get() for c in s.clocks])" in run(text).text


def test_a_local_schedule_name_is_not_shadowed():
    text = (
        "from prefect.schedules import OneTimeSchedule\n"
        "class Schedule:\n    pass\n"
        "s = OneTimeSchedule(d)\n"
    )
    out = run(text).text
    assert "s = prefect.schedules.Schedule(clocks=[DatesClock(dates=[d])])" in out
    assert "import prefect.schedules\n" in out
    assert "from prefect.schedules import Schedule" not in out


def test_unreadable_calls_are_manual_and_the_import_still_goes():
    text = "from prefect.schedules import OneTimeSchedule\ns = OneTimeSchedule(**kw)\nf = OneTimeSchedule\n"
    result = run(text)
    assert "import OneTimeSchedule" not in result.text
    assert [(f.code, f.fix_class) for f in result.findings] == [
        ("PFU303", FixClass.MANUAL),
        ("PFU303", FixClass.MANUAL),
    ]


@pytest.mark.parametrize(
    "tail, manual",
    [
        # adversarial review: these went without a word (the annotation) or as "nothing used it"
        ('__all__ = ["OneTimeSchedule"]\n', True),
        ('def f(s: "OneTimeSchedule") -> None:\n    pass\n', True),
        ('"""Replaces OneTimeSchedule."""\n', False),  # a docstring is no use
    ],
)
def test_a_name_still_in_all_or_a_string_annotation_is_reported(tail, manual):
    result = run("from prefect.schedules import OneTimeSchedule\n" + tail)
    assert result.text == tail
    assert [(f.code, f.fix_class) for f in result.findings] == [
        ("PFU303", FixClass.MANUAL if manual else FixClass.SAFE)
    ]
    assert ("remove it there" in result.findings[0].message) is manual


@pytest.mark.parametrize("path", fixture_cases("removed_schedules"), ids=lambda p: p.stem)
def test_fixture(path, snapshot):
    snapshot.assert_match(render_fixture(path), f"{path.stem}.txt")
