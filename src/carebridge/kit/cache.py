"""A bounded in-memory cache of generated files (checker leaflets and audio), made once per key.

Bounded by count and by bytes, least recently used out first. Concurrent requests for the same key wait for one
generation (single flight) instead of each starting their own; a failed generation is not kept, and every waiter
gets its error. Keys are digests, so the cache holds no answer in readable form; values are what would be sent.
Thread-safe: the routes that use it are sync, run by the server's thread pool, off the event loop.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future


class GeneratedCache:
    def __init__(self, max_items: int, max_bytes: int) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.generated = 0  # how many times `make` ran: what the tests and the benchmark count

    @property
    def enabled(self) -> bool:
        return self.max_items > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def get_or_make(self, key: str, make: Callable[[], bytes], *, timeout: float = 60.0) -> bytes:
        """The value for `key`, made by `make()` if no one has it or is making it."""
        if not self.enabled:
            self.generated += 1
            return make()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            future = self._pending.get(key)
            owner = future is None
            if future is None:
                future = self._pending[key] = Future()
        if not owner:
            return future.result(timeout=timeout)
        try:
            value = make()
        except BaseException as error:
            with self._lock:
                self._pending.pop(key, None)
            future.set_exception(error)
            raise
        with self._lock:
            self.generated += 1
            self._pending.pop(key, None)
            if len(value) <= self.max_bytes:
                self._entries[key] = value
                self.bytes += len(value)
                while len(self._entries) > self.max_items or self.bytes > self.max_bytes:
                    _, evicted = self._entries.popitem(last=False)
                    self.bytes -= len(evicted)
        future.set_result(value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
