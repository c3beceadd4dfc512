"""Opening hours from HSDS `schedule` rows: RFC 5545 recurrences with opens_at/closes_at, in a time zone.

Semantics (the shared conventions, made precise):

- Time zone: `timezone_name` (an IANA zone, or a fixed offset written "+01:00" / "UTC+1"), else HSDS `timezone`
  (a UTC offset in hours), else the deployment's zone (settings.timezone). An `opens_at` with an offset suffix
  ("09:00+02:00", "09:00Z") is at that fixed offset, and so is the whole rule.
- An occurrence on local date D opens at D + opens_at and closes at D + closes_at. closes_at earlier than (or equal
  to) opens_at closes the next day (overnight; equal = 24 hours from opens_at); "23:59", "23:59:59" and "24:00" mean
  the end of the day; opens_at == closes_at == "00:00" is open 24 hours. No closes_at = open to the end of the day.
  No opens_at = the rule says nothing about hours and is ignored.
- Local times are turned into instants as RFC 5545 §3.3.5 says (Python's `fold=0`): a time that does not exist on a
  spring-forward day is read with the offset before the gap (09:30 in a 09:00-10:00 gap opens at 10:30), a time that
  happens twice on a fall-back day means the first one.
- Which dates: freq WEEKLY/MONTHLY (and DAILY/YEARLY, which RFC 5545 also has) with interval, byday (ordinals such as
  "1SA" or "-1FR" for monthly rules), bymonthday, byweekno, byyearday, wkst, count, dtstart and until, as
  python-dateutil's rrule reads them; dates outside valid_from..valid_to are never open. No freq: byday means weekly,
  bymonthday means monthly, neither means every day. A rule that cannot be read (bad time, bad byday, a weekly rule
  with neither byday nor a start date) is ignored: it never makes a service look open.
- `next_opening(t)` is `t` itself when the service is open at t (it is open "from now"), else the first instant
  after t at which it opens, looked for within NEXT_OPENING_HORIZON (62 days: long enough for a rule that repeats
  every other month); None when nothing opens within it. `open_until(t)` is when the opening period containing t
  ends, following overlapping and adjoining occurrences; None when it does not end within 8 days (open around the
  clock) or when closed at t.

Plain weekly rules (the vast majority) take a fast path: no rrule, and `WeeklyTable` evaluates "open at t" for many
services at once with numpy (used by the search index). Both paths give the same answers; tests check that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from dateutil import rrule as du

NEXT_OPENING_HORIZON = timedelta(days=62)
DAY = 86400
WEEK = 7 * DAY
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NO_LOWER = -(2**31)
_NO_UPPER = 2**31 - 1

_TIME_RE = re.compile(
    r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)?\s*$"
)
_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_OFFSET_NAME_RE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


# --- parsing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeOfDay:
    """A wall-clock time as seconds since midnight (0..86400), and its explicit UTC offset in seconds, if any."""

    seconds: int
    offset: int | None = None


def parse_time_of_day(text: Any) -> TimeOfDay | None:
    """Read an HSDS opens_at/closes_at ("9:00", "09:00:00", "17:30Z", "08:00+01:00", "24:00"); None if unreadable."""
    if not isinstance(text, str):
        return None
    match = _TIME_RE.match(text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        return None
    offset = None
    if match.group(5):
        offset = 0
    elif match.group(6):
        offset_hours, offset_minutes = int(match.group(7)), int(match.group(8) or 0)
        if offset_hours > 14 or offset_minutes > 59:
            return None
        offset = (offset_hours * 3600 + offset_minutes * 60) * (-1 if match.group(6) == "-" else 1)
    return TimeOfDay(hours * 3600 + minutes * 60 + seconds, offset)


def parse_byday(text: Any) -> tuple[tuple[int | None, int], ...] | None:
    """Read an RFC 5545 BYDAY list ("MO,WE", "1SA", "-1FR") into (ordinal or None, weekday 0=Monday) pairs.

    Returns () for an empty value and None when any part is unreadable."""
    if text is None:
        return ()
    if not isinstance(text, str):
        return None
    parts = [part.strip().upper() for part in text.split(",")]
    if parts == [""]:
        return ()
    days: list[tuple[int | None, int]] = []
    for part in parts:
        match = _BYDAY_RE.match(part)
        if not match:
            return None
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and not 1 <= abs(ordinal) <= 53:
            return None
        days.append((ordinal, WEEKDAY_CODES.index(match.group(2))))
    return tuple(days)


def parse_int_list(text: Any, limit: int) -> tuple[int, ...] | None:
    """Read "2,3,-1" with every value in ±1..limit; () for an empty value, None if unreadable."""
    if text is None:
        return ()
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return None
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        return ()
    values = []
    for part in parts:
        if not re.fullmatch(r"[+-]?\d{1,3}", part):
            return None
        value = int(part)
        if not 1 <= abs(value) <= limit:
            return None
        values.append(value)
    return tuple(values)


@lru_cache(maxsize=1024)
def resolve_zone(timezone_name: str | None, offset_hours: float | None, default: str) -> tzinfo:
    """The zone a schedule's times are in: its IANA name or offset name, else HSDS's offset, else the default."""
    if timezone_name:
        name = timezone_name.strip()
        match = _OFFSET_NAME_RE.match(name)
        if match:
            hours, minutes = int(match.group(2)), int(match.group(3) or 0)
            if hours <= 14 and minutes <= 59:
                sign = -1 if match.group(1) == "-" else 1
                return timezone(sign * timedelta(hours=hours, minutes=minutes))
        else:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
    if offset_hours is not None:
        try:
            offset = timedelta(hours=float(offset_hours))
        except (TypeError, ValueError, OverflowError):
            offset = None
        if offset is not None and abs(offset) < timedelta(hours=24):
            return timezone(offset)
    return ZoneInfo(default)


# --- compiled rules ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=True)
class CompiledRule:
    """One schedule row, read once. `open_seconds`/`close_seconds` count from the occurrence day's local midnight
    (close may pass 86400: the next day). `weekdays` is set for plain weekly rules (the fast path); other rules keep
    their rrule parts in `recurrence`. `lower`/`upper` bound the occurrence dates (inclusive)."""

    zone: tzinfo
    open_seconds: int
    close_seconds: int
    lower: date | None
    upper: date | None
    weekdays: frozenset[int] | None
    recurrence: tuple | None = None  # (freq, interval, count, anchor, byweekday, bymonthday, bymonth, byweekno, byyearday, wkst)
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _intervals: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_weekly(self) -> bool:
        return self.weekdays is not None

    @property
    def whole_minutes(self) -> bool:
        return self.open_seconds % 60 == 0 and self.close_seconds % 60 == 0

    def __hash__(self) -> int:
        return hash((self.zone, self.open_seconds, self.close_seconds, self.lower, self.upper, self.weekdays, self.recurrence))

    def dates(self, first: date, last: date) -> Iterator[date]:
        """Dates on which an occurrence starts, first..last inclusive, in order (lazily)."""
        if self.lower and first < self.lower:
            first = self.lower
        if self.upper and last > self.upper:
            last = self.upper
        if first > last:
            return iter(())
        if self.weekdays is not None:
            return self._weekly_dates(first, last)
        return iter(self._general_dates(first, last))

    def _weekly_dates(self, first: date, last: date) -> Iterator[date]:
        weekdays = self.weekdays
        day, weekday = first, first.weekday()
        one = timedelta(days=1)
        while day <= last:
            if weekday in weekdays:  # type: ignore[operator]
                yield day
            day += one
            weekday = (weekday + 1) % 7

    def _general_dates(self, first: date, last: date) -> list[date]:
        result: list[date] = []
        block = 64
        for number in range(first.toordinal() // block, last.toordinal() // block + 1):
            for day in self._block_dates(number, block):
                if first <= day <= last:
                    result.append(day)
        return result

    def _block_dates(self, number: int, block: int) -> list[date]:
        cached = self._cache.get(number)
        if cached is None:
            if len(self._cache) > 64:
                self._cache.clear()
            start = date.fromordinal(max(1, number * block))
            end = date.fromordinal(max(1, number * block + block - 1))
            cached = _recurrence_dates(self.recurrence, start, end)  # type: ignore[arg-type]
            self._cache[number] = cached
        return cached

    def interval(self, day: date) -> tuple[float, float]:
        """The occurrence starting on `day` as (opens, closes) POSIX timestamps; may be empty around DST."""
        # Rules are shared by many services (the index interns them), so each day is worked out once.
        key = day.toordinal()
        found = self._intervals.get(key)
        if found is None:
            midnight = datetime(day.year, day.month, day.day)
            opens = (midnight + timedelta(seconds=self.open_seconds)).replace(tzinfo=self.zone).timestamp()
            closes = (midnight + timedelta(seconds=self.close_seconds)).replace(tzinfo=self.zone).timestamp()
            found = (opens, closes)
            if len(self._intervals) > 2048:
                self._intervals.clear()
            self._intervals[key] = found
        return found


_FREQS = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
_DU_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)
_EPOCH_MONDAY = date(1970, 1, 5)


def _recurrence_dates(recurrence: tuple, first: date, last: date) -> list[date]:
    freq, interval, count, anchor, byweekday, bymonthday, bymonth, byweekno, byyearday, wkst = recurrence
    true_anchor = anchor or _EPOCH_MONDAY
    if count is not None:
        start = true_anchor
    else:
        start = _phase_aligned_start(freq, interval, true_anchor, first)
    kwargs: dict[str, Any] = {"dtstart": datetime.combine(start, time()), "interval": interval, "wkst": wkst}
    if count is not None:
        kwargs["count"] = count
    else:
        kwargs["until"] = datetime.combine(last, time())
    if byweekday:
        kwargs["byweekday"] = [_DU_WEEKDAYS[day] if ordinal is None else _DU_WEEKDAYS[day](ordinal) for ordinal, day in byweekday]
    if bymonthday:
        kwargs["bymonthday"] = bymonthday
    if bymonth:
        kwargs["bymonth"] = bymonth
    if byweekno:
        kwargs["byweekno"] = byweekno
    if byyearday:
        kwargs["byyearday"] = byyearday
    try:
        rule = du.rrule(freq, **kwargs)
        return [
            moment.date()
            for moment in rule.between(datetime.combine(first, time()), datetime.combine(last, time()), inc=True)
        ]
    except (ValueError, OverflowError, TypeError):
        return []


def _phase_aligned_start(freq: int, interval: int, anchor: date, first: date) -> date:
    """A start date at or before `first` that keeps the rule's phase (every `interval` periods from `anchor`), so
    that rrule need not iterate from a start date years ago."""
    if first <= anchor:
        if freq == du.MONTHLY:
            return anchor.replace(day=1)
        if freq == du.YEARLY:
            return anchor.replace(month=1, day=1)
        return anchor
    if freq == du.DAILY:
        return anchor + timedelta(days=((first - anchor).days // interval) * interval)
    if freq == du.WEEKLY:
        return anchor + timedelta(days=((first - anchor).days // (7 * interval)) * 7 * interval)
    if freq == du.MONTHLY:
        months = (first.year - anchor.year) * 12 + first.month - anchor.month
        months = (months // interval) * interval
        total = anchor.year * 12 + anchor.month - 1 + months
        return date(total // 12, total % 12 + 1, 1)
    years = ((first.year - anchor.year) // interval) * interval
    return date(anchor.year + years, 1, 1)


def _field(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def as_date(value: Any) -> date | None:
    """A date from a date, a date-time or an ISO string (its first ten characters); None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def compile_schedule(row: Any, default_zone: str = "Europe/London") -> CompiledRule | None:
    """Read one schedule (an ORM row, a Core row mapping or a dict with HSDS field names); None if it says nothing
    usable about opening hours."""
    opens = parse_time_of_day(_field(row, "opens_at"))
    if opens is None or opens.seconds >= DAY:
        return None
    raw_close = _field(row, "closes_at")
    closes = parse_time_of_day(raw_close) if raw_close not in (None, "") else TimeOfDay(DAY)
    if closes is None:
        return None

    zone: tzinfo
    if opens.offset is not None or closes.offset is not None:
        zone_offset = opens.offset if opens.offset is not None else closes.offset
        zone = timezone(timedelta(seconds=zone_offset))  # type: ignore[arg-type]
        close_seconds = closes.seconds
        if closes.offset is not None and closes.offset != zone_offset and closes.seconds < DAY:
            close_seconds = (closes.seconds - closes.offset + zone_offset) % DAY  # type: ignore[operator]
    else:
        zone = resolve_zone(_field(row, "timezone_name"), _as_float(_field(row, "timezone")), default_zone)
        close_seconds = closes.seconds
    open_seconds = opens.seconds
    if close_seconds in (DAY - 60, DAY - 1):
        close_seconds = DAY
    if open_seconds == 0 and close_seconds == 0:
        close_seconds = DAY
    elif close_seconds <= open_seconds:
        close_seconds += DAY

    byday = parse_byday(_field(row, "byday"))
    bymonthday = parse_int_list(_field(row, "bymonthday"), 31)
    byweekno = parse_int_list(_field(row, "byweekno"), 53)
    byyearday = parse_int_list(_field(row, "byyearday"), 366)
    if byday is None or bymonthday is None or byweekno is None or byyearday is None:
        return None
    freq_name = (_field(row, "freq") or "").strip().upper()
    if not freq_name:
        freq_name = "WEEKLY" if byday else ("MONTHLY" if bymonthday else "DAILY")
    if freq_name not in _FREQS:
        return None
    interval = _as_int(_field(row, "interval")) or 1
    count = _as_int(_field(row, "count"))
    if interval < 1 or interval > 1000 or (count is not None and not 1 <= count <= 100_000):
        return None
    dtstart = as_date(_field(row, "dtstart"))
    valid_from = as_date(_field(row, "valid_from"))
    anchor = dtstart or valid_from
    lower = max((d for d in (valid_from, dtstart) if d), default=None)
    upper = min((d for d in (as_date(_field(row, "valid_to")), as_date(_field(row, "until"))) if d), default=None)
    if count is not None and anchor is None:
        count = None  # a count of occurrences from an unknown start means nothing

    plain = interval == 1 and count is None and not (bymonthday or byweekno or byyearday)
    if freq_name == "DAILY" and plain and not byday:
        return CompiledRule(zone, open_seconds, close_seconds, lower, upper, frozenset(range(7)))
    if freq_name == "WEEKLY" and plain:
        if byday:
            return CompiledRule(zone, open_seconds, close_seconds, lower, upper, frozenset(day for _n, day in byday))
        if anchor is None:
            return None
        return CompiledRule(zone, open_seconds, close_seconds, lower, upper, frozenset({anchor.weekday()}))

    freq = _FREQS[freq_name]
    byweekday = tuple((None if freq == du.WEEKLY else n, day) for n, day in byday)
    bymonth: tuple[int, ...] = ()
    if not (byweekday or bymonthday or byweekno or byyearday):
        if freq == du.WEEKLY:
            if anchor is None:
                return None
            byweekday = ((None, anchor.weekday()),)
        elif freq == du.MONTHLY:
            if anchor is None:
                return None
            bymonthday = (anchor.day,)
        elif freq == du.YEARLY:
            if anchor is None:
                return None
            bymonth, bymonthday = (anchor.month,), (anchor.day,)
    wkst_code = (_field(row, "wkst") or "MO").strip().upper()
    wkst = WEEKDAY_CODES.index(wkst_code) if wkst_code in WEEKDAY_CODES else 0
    recurrence = (freq, interval, count, anchor, byweekday, bymonthday, bymonth, byweekno, byyearday, wkst)
    return CompiledRule(zone, open_seconds, close_seconds, lower, upper, None, recurrence)


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) < 24 else None


def compile_schedules(rows: Iterable[Any], default_zone: str = "Europe/London") -> tuple[CompiledRule, ...]:
    rules = []
    for row in rows:
        rule = row if isinstance(row, CompiledRule) else compile_schedule(row, default_zone)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


# --- scalar questions ----------------------------------------------------------------------------------------------


def _timestamp(instant: datetime) -> float:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.timestamp()


_local_dates: dict[tuple[tzinfo, int], date] = {}


def _local_date(timestamp: float, zone: tzinfo) -> date:
    # Local midnights fall on whole quarter hours of UTC in every zone in use, so the local date is the same for
    # a whole UTC quarter hour: remember it (a small bounded cache of pure facts).
    key = (zone, int(timestamp // 900))
    found = _local_dates.get(key)
    if found is None:
        found = datetime.fromtimestamp(key[1] * 900, zone).date()
        if len(_local_dates) > 4096:
            _local_dates.clear()
        _local_dates[key] = found
    return found


def _rules(schedules: Iterable[Any], default_zone: str | None) -> tuple[CompiledRule, ...]:
    if default_zone is None:
        # Callers serving a request pass their app's settings.timezone; otherwise the settings in effect.
        from carebridge.config import settings_in_effect

        default_zone = settings_in_effect().timezone
    return compile_schedules(schedules, default_zone)


def occurrences(rule: CompiledRule, start: float, end: float) -> Iterator[tuple[float, float]]:
    """Non-empty (opens, closes) timestamps of `rule` that overlap [start, end), in order."""
    first = _local_date(start, rule.zone) - timedelta(days=2)
    last = _local_date(end, rule.zone) + timedelta(days=1)
    for day in rule.dates(first, last):
        opens, closes = rule.interval(day)
        if closes > opens and closes > start and opens < end:
            yield opens, closes


def open_at_timestamp(rules: Sequence[CompiledRule], timestamp: float) -> bool:
    for rule in rules:
        for opens, closes in occurrences(rule, timestamp, timestamp + 1e-6):
            if opens <= timestamp < closes:
                return True
    return False


def is_open_at(schedules: Iterable[Any], instant: datetime, default_zone: str | None = None) -> bool:
    """Whether any of the schedules is open at `instant` (a timezone-aware datetime)."""
    return open_at_timestamp(_rules(schedules, default_zone), _timestamp(instant))


def next_opening_timestamp(
    rules: Sequence[CompiledRule], timestamp: float, horizon: timedelta = NEXT_OPENING_HORIZON
) -> tuple[float, tzinfo] | None:
    best: tuple[float, tzinfo] | None = None
    end = timestamp + horizon.total_seconds()
    for rule in rules:
        for opens, closes in occurrences(rule, timestamp, end):
            if opens <= timestamp < closes:
                return timestamp, rule.zone
            if opens > timestamp:
                if best is None or opens < best[0]:
                    best = (opens, rule.zone)
                break  # occurrences come in order: later ones of this rule open later
    return best


def next_opening(
    schedules: Iterable[Any],
    instant: datetime,
    horizon: timedelta = NEXT_OPENING_HORIZON,
    default_zone: str | None = None,
) -> datetime | None:
    """`instant` if open then, else the first opening after it within `horizon`, in the schedule's own zone."""
    found = next_opening_timestamp(_rules(schedules, default_zone), _timestamp(instant), horizon)
    if found is None:
        return None
    return datetime.fromtimestamp(found[0], found[1])


OPEN_UNTIL_HORIZON = timedelta(days=8)


def open_until_timestamp(
    rules: Sequence[CompiledRule], timestamp: float, horizon: timedelta = OPEN_UNTIL_HORIZON
) -> float | None:
    """When the opening period containing `timestamp` ends (following overlapping or adjoining occurrences of all
    rules); None if closed at `timestamp`, +inf if it does not end within the horizon (8 days: "open around the
    clock")."""
    end = timestamp + horizon.total_seconds()
    window = 2 * DAY
    while True:
        # Look a little ahead first; most opening periods end within a day.
        reach = min(end, timestamp + window)
        intervals = sorted(interval for rule in rules for interval in occurrences(rule, timestamp, reach))
        until: float | None = None
        for opens, closes in intervals:
            if until is None:
                if opens <= timestamp < closes:
                    until = closes
            elif opens <= until:
                until = max(until, closes)
            else:
                break
        if until is None:
            return None
        if until < reach - DAY or reach >= end:
            return until if until < end else float("inf")
        window *= 4


def open_until(schedules: Iterable[Any], instant: datetime, default_zone: str | None = None) -> datetime | None:
    rules = _rules(schedules, default_zone)
    until = open_until_timestamp(rules, _timestamp(instant))
    if until is None or until == float("inf"):
        return None
    return datetime.fromtimestamp(until, rules[0].zone)


# --- many services at once (the search index) ----------------------------------------------------------------------


def _transition(zone: tzinfo, start: float, end: float) -> tuple[float, int, int] | None:
    """The UTC-offset change of `zone` between two timestamps as (instant, offset before, offset after), if any."""

    def offset(moment: float) -> int:
        return int(datetime.fromtimestamp(moment, zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    before, after = offset(start), offset(end)
    if before == after:
        return None
    low, high = start, end
    while high - low > 1:
        middle = (low + high) // 2
        if offset(middle) == before:
            low = middle
        else:
            high = middle
    return float(high), before, after


class WeeklyTable:
    """The plain weekly rules of many entries as numpy rows, to answer "open at t?" for thousands at once.

    One row per (entry, weekday of a rule): wall-clock seconds of the week from Monday 00:00 (`starts`, `ends`;
    ends may pass the end of the week), the rule's zone and its date bounds as ordinals. Rows are sorted by entry
    and `offsets` gives each entry's rows (CSR), so a subset of entries can be evaluated without touching the rest.
    """

    def __init__(self, entry_count: int, rules_by_entry: Sequence[Sequence[CompiledRule]]) -> None:
        zones: dict[tzinfo, int] = {}
        entries, starts, ends, zone_ids, lowers, uppers = [], [], [], [], [], []
        counts = np.zeros(entry_count, dtype=np.int64)
        for entry, rules in enumerate(rules_by_entry):
            for rule in rules:
                if rule.weekdays is None:
                    continue
                zone_id = zones.setdefault(rule.zone, len(zones))
                lower = rule.lower.toordinal() if rule.lower else _NO_LOWER
                upper = rule.upper.toordinal() if rule.upper else _NO_UPPER
                for weekday in sorted(rule.weekdays):
                    entries.append(entry)
                    starts.append(weekday * DAY + rule.open_seconds)
                    ends.append(weekday * DAY + rule.close_seconds)
                    zone_ids.append(zone_id)
                    lowers.append(lower)
                    uppers.append(upper)
                    counts[entry] += 1
        self.zones = list(zones)
        self.entries = np.asarray(entries, dtype=np.int32)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.ends = np.asarray(ends, dtype=np.int64)
        self.zone_ids = np.asarray(zone_ids, dtype=np.int16)
        self.lowers = np.asarray(lowers, dtype=np.int64)
        self.uppers = np.asarray(uppers, dtype=np.int64)
        self.offsets = np.zeros(entry_count + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.entry_count = entry_count
        self._clock_cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def _zone_clocks(self, timestamp: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per zone: wall-clock seconds of this week's Monday 00:00, and the offset change near `timestamp` as (wall
        time from which `after` applies, offset before, offset after). UTC offsets change on whole minutes, so the
        answer is the same for a whole minute and is kept for it."""
        minute = int(timestamp // 60)
        cached = self._clock_cache.get(minute)
        if cached is not None:
            return cached
        zone_count = len(self.zones)
        week_start = np.zeros(zone_count, dtype=np.int64)
        switch = np.full(zone_count, np.iinfo(np.int64).max, dtype=np.int64)
        before = np.zeros(zone_count, dtype=np.int64)
        after = np.zeros(zone_count, dtype=np.int64)
        moment_start = minute * 60.0
        for zone_id, zone in enumerate(self.zones):
            offset = int(datetime.fromtimestamp(moment_start, zone).utcoffset().total_seconds())  # type: ignore[union-attr]
            wall = minute * 60 + offset
            day_number = wall // DAY
            week_start[zone_id] = (day_number - (day_number + 3) % 7) * DAY
            before[zone_id] = after[zone_id] = offset
            change = _transition(zone, moment_start - 3 * DAY, moment_start) or _transition(
                zone, moment_start, moment_start + 3 * DAY
            )
            if change:
                moment, offset_before, offset_after = change
                before[zone_id], after[zone_id] = offset_before, offset_after
                switch[zone_id] = int(moment) + max(offset_before, offset_after)
        result = (week_start, switch, before, after)
        if len(self._clock_cache) > 64:
            self._clock_cache.clear()
        self._clock_cache[minute] = result
        return result

    def rows_for(self, entries: np.ndarray) -> np.ndarray:
        """Indices of the rows of the given entries."""
        begins = self.offsets[entries]
        lengths = self.offsets[entries + 1] - begins
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        shifts = np.repeat(begins - np.cumsum(lengths) + lengths, lengths)
        return np.arange(total, dtype=np.int64) + shifts

    def open_mask(self, timestamp: float, entries: np.ndarray | None = None) -> np.ndarray:
        """A boolean array over all entries: open at `timestamp` by some weekly rule (only `entries` evaluated)."""
        mask = np.zeros(self.entry_count, dtype=bool)
        if not len(self.entries):
            return mask
        rows = None if entries is None else self.rows_for(entries)
        zone_ids = self.zone_ids if rows is None else self.zone_ids[rows]
        starts = self.starts if rows is None else self.starts[rows]
        ends = self.ends if rows is None else self.ends[rows]
        if not len(starts):
            return mask
        week_start, switch, before, after = self._zone_clocks(timestamp)
        zone_week = week_start[zone_ids]
        zone_switch, zone_before, zone_after = switch[zone_ids], before[zone_ids], after[zone_ids]
        lowers = self.lowers if rows is None else self.lowers[rows]
        uppers = self.uppers if rows is None else self.uppers[rows]
        hit = np.zeros(len(starts), dtype=bool)
        for weeks_back in (0, 1):
            wall_open = zone_week + starts - weeks_back * WEEK
            wall_close = zone_week + ends - weeks_back * WEEK
            opens = wall_open - np.where(wall_open < zone_switch, zone_before, zone_after)
            closes = wall_close - np.where(wall_close < zone_switch, zone_before, zone_after)
            day = wall_open // DAY + EPOCH_ORDINAL
            hit |= (opens <= timestamp) & (timestamp < closes) & (lowers <= day) & (day <= uppers)
        matched = self.entries[hit] if rows is None else self.entries[rows[hit]]
        mask[matched] = True
        return mask
