"""Per-address rate limits with bounded memory (the browser caller page's offers)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque


class RateLimit:
    """At most `limit` events per `window_s` per key; at most `max_keys` keys remembered
    (least recently seen forgotten first), so a flood of addresses cannot exhaust memory."""

    def __init__(self, limit: int, window_s: float = 60.0, max_keys: int = 10000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when allowed (and counted); otherwise the seconds until it would be."""
        current = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.pop(key, None) or deque()
            while events and events[0] <= current - self.window_s:
                events.popleft()
            self._events[key] = events
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            if len(events) >= self.limit:
                return events[0] + self.window_s - current
            events.append(current)
            return 0.0
