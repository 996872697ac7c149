"""Login throttling: after repeated failures for an account or from a client, wait.

Each key (``account:EMAIL``, ``client:ADDRESS``) keeps the times of its recent failures.
Once ``limit`` failures fall inside ``window`` seconds, the key is locked for ``base_delay``
seconds after its last failure, doubling with every further failure up to ``max_delay``. A
successful login clears the account's failures (not the client's: one good password
must not reset a client that is guessing others).

In memory, per process: enough for one machine; each API replica counts on its own, and
the proxy's ``limit_req`` (deploy/nginx) bounds the sum. Bounded in size, so a flood of
made-up emails cannot grow it without limit.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self,
        *,
        limit: int = 5,
        window: float = 15 * 60,
        base_delay: float = 30.0,
        max_delay: float = 60 * 60,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, *keys: str) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max((self._wait(key, now) for key in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                self._failures[key] = times  # most recently used last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] > self.window + self.max_delay:
            times.popleft()  # long forgotten
        if not times:
            return 0.0
        last = times[-1]
        # The failures in the window that ends at the last one decide how long it locks for.
        over = sum(1 for t in times if last - t <= self.window) - self.limit
        if over < 0:
            return 0.0
        delay = min(self.max_delay, self.base_delay * (2 ** over))
        return max(0.0, last + delay - now)


class UploadSlots:
    """Uploads one user may have in flight at once (upload and replace requests), so that one
    account cannot hold every connection and temp file of the server with slow uploads.

    In memory, per process, like the login throttle: each API replica counts on its own.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    def acquire(self, user_id: str) -> bool:
        """Take a slot for ``user_id``; False when all of theirs are in use."""
        with self._lock:
            running = self._running.get(user_id, 0)
            if running >= self.limit:
                return False
            self._running[user_id] = running + 1
            return True

    def release(self, user_id: str) -> None:
        with self._lock:
            running = self._running.get(user_id, 0) - 1
            if running > 0:
                self._running[user_id] = running
            else:
                self._running.pop(user_id, None)

    def running(self, user_id: str) -> int:
        with self._lock:
            return self._running.get(user_id, 0)
