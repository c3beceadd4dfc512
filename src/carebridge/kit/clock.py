"""The one place the code asks what time it is.

`now()` is the current moment in the deployment's time zone (settings.timezone, Europe/London by default: the
zone passed in, else that of the app serving the request, else the process's; see docs/decisions/0003), always
timezone-aware; `today()` is the date there — not the server's local date, which on a UTC host is "yesterday"
between midnight and 01:00 in a British summer. `utc_now()` is the same moment in UTC, for stamps stored in the
database.

The server reads the real clock. Tests pin it: tests/conftest.py sets a fixed moment for every test (autouse), and
tests that need another moment call `pinned(...)`, so no test depends on the day it runs. Nothing else in `src`
calls `datetime.now()` or `date.today()`; a test greps for it (tests/kit/test_clock.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import ZoneInfo

_source: Callable[[], dt.datetime] | None = None


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zone() -> ZoneInfo:
    # The zone of the app serving this request (config.settings_in_effect: its settings.timezone), else the
    # process's own. Callers holding settings pass their zone to now()/today() instead.
    from carebridge.config import settings_in_effect

    return zone(settings_in_effect().timezone)


def utc_now() -> dt.datetime:
    """The current moment in UTC (aware)."""
    moment = _source() if _source is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC)


def now(zone_name: str | None = None) -> dt.datetime:
    """The current moment in the deployment's time zone (aware): `zone_name` (a caller's settings.timezone), else
    the zone of the app serving this request, else the process's."""
    return utc_now().astimezone(zone(zone_name) if zone_name else _zone())


def today(zone_name: str | None = None) -> dt.date:
    """Today's date in the deployment's time zone (see now())."""
    return now(zone_name).date()


def pin(moment: dt.datetime | None) -> None:
    """Fix the clock at `moment` (aware; a naive moment is read in the deployment's zone), or back to the real
    clock with None. For tests and benchmarks; the server never pins it."""
    global _source
    if moment is None:
        _source = None
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    fixed = moment.astimezone(dt.UTC)
    _source = lambda: fixed  # noqa: E731


@contextmanager
def pinned(moment: dt.datetime) -> Iterator[dt.datetime]:
    """`with pinned(moment):` — the clock reads `moment` inside the block, and what it read before after it."""
    global _source
    before = _source
    pin(moment)
    try:
        yield moment
    finally:
        _source = before
