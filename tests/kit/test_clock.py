"""kit.clock: the one place the code asks for now/today, pinned for every test."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from carebridge.kit import clock

SRC = Path(__file__).resolve().parents[2] / "src" / "carebridge"
# Asking the system clock directly (anything but kit/clock.py doing it is a test that depends on the day it runs).
DIRECT = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.time\(")


def test_every_test_runs_at_the_fixed_moment(fixed_clock):
    assert fixed_clock == dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    assert clock.utc_now() == fixed_clock and clock.today() == dt.date(2026, 11, 23)
    assert clock.now().utcoffset() == dt.timedelta(0)  # GMT in November
    assert str(clock.now().tzinfo) == "Europe/London"


@pytest.mark.parametrize(("moment", "local_day", "offset_hours"), [
    (dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC), dt.date(2027, 3, 28), 0),  # a minute before BST
    (dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC), dt.date(2027, 3, 28), 1),
    (dt.datetime(2026, 10, 25, 0, 59, tzinfo=dt.UTC), dt.date(2026, 10, 25), 1),  # a minute before GMT
    (dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC), dt.date(2026, 10, 25), 0),
    (dt.datetime(2027, 8, 31, 23, 0, tzinfo=dt.UTC), dt.date(2027, 9, 1), 1),  # already September in London
    (dt.datetime(2028, 2, 29, 23, 59, tzinfo=dt.UTC), dt.date(2028, 2, 29), 0),
])
def test_today_is_the_deployment_zones_date(moment, local_day, offset_hours):
    with clock.pinned(moment):
        assert clock.today() == local_day
        assert clock.now().utcoffset() == dt.timedelta(hours=offset_hours)
        # (compared in UTC: Python's == between zones is always False for an hour that repeats, PEP 495)
        assert clock.now().astimezone(dt.UTC) == moment and clock.utc_now().tzinfo == dt.UTC
    assert clock.utc_now() == dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # back to the test's fixed moment


def test_a_naive_moment_is_read_in_the_deployment_zone():
    with clock.pinned(dt.datetime(2027, 7, 1, 0, 30)):  # 00:30 BST
        assert clock.utc_now() == dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)


def test_unpinned_the_clock_is_the_real_one():
    clock.pin(None)  # the autouse fixture restores the fixed moment afterwards
    before = dt.datetime.now(dt.UTC)
    assert before - dt.timedelta(seconds=5) <= clock.utc_now() <= dt.datetime.now(dt.UTC)


def test_nothing_in_src_reads_the_system_clock_but_kit_clock():
    offenders = []
    checked = 0
    for path in SRC.rglob("*.py"):
        checked += 1
        if path == SRC / "kit" / "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert checked > 20  # the walk found the package
    assert offenders == []
