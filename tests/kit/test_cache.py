"""kit.cache.GeneratedCache: made once per key, bounded by count and bytes, one generation for concurrent callers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from carebridge.kit.cache import GeneratedCache


def test_a_value_is_made_once_and_then_served():
    cache = GeneratedCache(4, 1000)
    calls = []
    assert cache.get_or_make("a", lambda: calls.append(1) or b"A") == b"A"
    assert cache.get_or_make("a", lambda: calls.append(1) or b"other") == b"A"
    assert calls == [1] and cache.generated == 1


def test_the_bounds_hold_least_recently_used_out_first():
    cache = GeneratedCache(3, 100)
    for key in "abc":
        cache.get_or_make(key, lambda key=key: key.encode() * 10)
    cache.get_or_make("a", lambda: b"never")  # "a" is now the most recently used
    cache.get_or_make("d", lambda: b"d" * 10)
    assert len(cache) == 3 and "b" not in cache and "a" in cache and "d" in cache
    cache.get_or_make("big", lambda: b"x" * 75)  # a fourth item: the least recently used ("c") goes
    assert cache.bytes == 95 and "big" in cache and "a" in cache and "c" not in cache
    cache.get_or_make("big2", lambda: b"x" * 75)  # 75 + 75 > 100: everything older goes
    assert cache.bytes == 75 and len(cache) == 1 and "big2" in cache
    cache.get_or_make("huge", lambda: b"x" * 101)  # larger than the whole cache: served, not kept
    assert "huge" not in cache and cache.bytes <= 100
    for index in range(50):
        cache.get_or_make(str(index), lambda: b"y" * 30)
        assert len(cache) <= 3 and cache.bytes <= 100


def test_concurrent_requests_for_one_key_make_it_once():
    cache = GeneratedCache(4, 1000)
    calls = []
    started = threading.Event()

    def make() -> bytes:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return b"leaflet"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: cache.get_or_make("same", make), range(8)))
    assert started.is_set() and results == [b"leaflet"] * 8 and calls == [1]


def test_a_failure_is_not_kept_and_every_waiter_sees_it():
    cache = GeneratedCache(4, 1000)
    calls = []

    def fail() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        raise RuntimeError("espeak-ng is not there")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(cache.get_or_make, "k", fail) for _ in range(4)]
        for future in futures:
            with pytest.raises(RuntimeError):
                future.result()
    assert calls == [1] and "k" not in cache
    assert cache.get_or_make("k", lambda: b"now it works") == b"now it works"


def test_zero_turns_it_off():
    cache = GeneratedCache(0, 0)
    assert not cache.enabled
    cache.get_or_make("a", lambda: b"A")
    cache.get_or_make("a", lambda: b"A")
    assert cache.generated == 2 and len(cache) == 0
