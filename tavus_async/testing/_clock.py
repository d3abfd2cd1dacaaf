"""The simulator's controllable clock: instant, scaled real time, or advanced by hand.

Simulated time is a float of seconds since the simulator started. Timers are scheduled on it and
fired in due order by one driver task, so lifecycles (replica training, video generation,
document processing, conversation timeouts) run deterministically in tests.

Modes:
    ``"instant"``: background *work* (training, rendering, document processing) finishes as soon
        as the event loop gets a turn; *deadlines* (``max_call_duration``, participant timeouts,
        the recrawl cooldown) still run on real time, so a live conversation does not end the
        moment it starts.
    ``"real"``: everything runs on wall-clock time (scale 1.0).
    a float ``scale``: simulated seconds per real second (``60.0`` turns a minute into a second).
    ``"manual"``: time stands still until :meth:`SimClock.advance` moves it.

In every mode :meth:`SimClock.advance` jumps time forward and fires what fell due, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Union

from ..errors import InvalidInputError, InvalidTypeError

__all__ = ["SimClock", "TimeMode", "Timer"]

TimeMode = Union[Literal["instant", "real", "manual"], float]  # noqa: UP007 (a runtime alias on 3.10)

_log = logging.getLogger("tavus_async.testing")

#: A timer callback; when it returns an awaitable, the clock awaits it.
TimerCallback = Callable[[], object]


@dataclass(order=True)
class Timer:
    """One scheduled callback; cancel it with :meth:`cancel`."""

    due: float
    seq: int
    callback: TimerCallback = field(compare=False)
    name: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Stop the timer from firing (harmless if it already fired)."""
        self.cancelled = True


def _parse_mode(mode: TimeMode) -> tuple[str, float]:
    """Turn a user's ``time=`` argument into (mode name, scale), rejecting anything else."""
    if isinstance(mode, bool):
        raise InvalidTypeError("time must be 'instant', 'real', 'manual' or a positive float scale")
    if isinstance(mode, (int, float)):
        if mode <= 0:
            raise InvalidInputError(
                f"time scale must be positive, got {mode!r}; use 'manual' to freeze"
            )
        return "scaled", float(mode)
    if mode == "instant":
        return "instant", 1.0
    if mode == "real":
        return "scaled", 1.0
    if mode == "manual":
        return "manual", 0.0
    raise InvalidInputError(
        f"unknown time mode {mode!r}: use 'instant', 'real', 'manual' or a float scale"
    )


class SimClock:
    """Simulated time with a timer heap, driven by one task on the running loop.

    Args:
        mode: see the module docstring.
    """

    def __init__(self, mode: TimeMode = "instant") -> None:
        self.mode, self.scale = _parse_mode(mode)
        self._offset = 0.0
        self._t0: float | None = None
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._driver: asyncio.Task[None] | None = None
        self._lock: asyncio.Lock | None = None
        #: Callbacks that raised; kept so a test can see them instead of losing them.
        self.errors: list[BaseException] = []

    # -- reading time -------------------------------------------------------------------------

    def now(self) -> float:
        """Simulated seconds since :meth:`start` (0.0 before it)."""
        if self._t0 is None:
            return self._offset
        if self.mode == "manual":
            return self._offset
        return self._offset + (asyncio.get_running_loop().time() - self._t0) * self.scale

    def work_delay(self, seconds: float) -> float:
        """The delay to use for background work: zero in instant mode, else ``seconds``."""
        return 0.0 if self.mode == "instant" else seconds

    # -- scheduling ----------------------------------------------------------------------------

    def call_later(self, delay: float, callback: TimerCallback, name: str = "") -> Timer:
        """Run ``callback`` (sync, or async) ``delay`` simulated seconds from now."""
        timer = Timer(self.now() + max(0.0, delay), next(self._seq), callback, name)
        heapq.heappush(self._heap, timer)
        if self._wake is not None:
            self._wake.set()
        return timer

    def pending(self) -> list[Timer]:
        """Timers still waiting to fire, earliest first."""
        return sorted(t for t in self._heap if not t.cancelled)

    # -- driving -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the driver task on the running loop."""
        loop = asyncio.get_running_loop()
        self._t0 = loop.time()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._driver = loop.create_task(self._drive(), name="tavus-sim-clock")

    async def stop(self) -> None:
        """Stop the driver; timers that have not fired are dropped."""
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver
            self._driver = None
        self._offset = self.now() if self._t0 is not None else self._offset
        self._t0 = None
        self._heap.clear()

    async def advance(self, seconds: float) -> None:
        """Jump simulated time forward by ``seconds`` and fire, in order, everything now due.

        Returns once every callback that fell due (and the callbacks those scheduled within the
        window) has run.
        """
        if seconds < 0:
            raise InvalidInputError(f"cannot advance time backwards ({seconds!r} seconds)")
        assert self._lock is not None, "the clock is not running: start the simulator first"
        async with self._lock:
            target = self.now() + seconds
            while self._heap and self._heap[0].due <= target:
                timer = heapq.heappop(self._heap)
                if timer.cancelled:
                    continue
                # Move time to the timer's due moment first, so the callback sees the right now().
                self._offset += max(0.0, timer.due - self.now())
                await self._fire(timer)
            self._offset += max(0.0, target - self.now())
        if self._wake is not None:
            self._wake.set()

    async def run_due(self) -> None:
        """Fire every timer already due (the app calls this after each request)."""
        if self._lock is None:
            return
        async with self._lock:
            now = self.now()
            while self._heap and self._heap[0].due <= now:
                timer = heapq.heappop(self._heap)
                if not timer.cancelled:
                    await self._fire(timer)
                now = self.now()

    async def _fire(self, timer: Timer) -> None:
        try:
            result = timer.callback()
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken lifecycle step must not kill the clock
            _log.exception("simulator timer %r failed", timer.name)
            self.errors.append(exc)

    async def _drive(self) -> None:
        assert self._wake is not None
        assert self._lock is not None
        while True:
            self._wake.clear()
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            timeout: float | None = None
            if self._heap:
                wait = self._heap[0].due - self.now()
                if wait <= 0:
                    async with self._lock:
                        if self._heap and self._heap[0].due <= self.now():
                            timer = heapq.heappop(self._heap)
                            if not timer.cancelled:
                                await self._fire(timer)
                    continue
                if self.mode != "manual":
                    timeout = wait / self.scale
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
