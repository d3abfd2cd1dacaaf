"""A bounded, single-loop event buffer that sheds the oldest *droppable* events first.

Producers (transport callbacks, already marshalled onto the loop) call :meth:`EventBuffer.put`,
which never blocks. When the buffer is full:

1. the oldest droppable item already buffered is removed (streaming text, speaking events,
   heartbeats: a later event supersedes them); else
2. an incoming droppable item is itself refused; else
3. a protected item (a tool call, an utterance, a lifecycle event) is admitted above ``maxsize``,
   up to ``hard_limit``. Past that, the consumer has stopped reading altogether; the oldest
   protected item is shed rather than letting memory grow without bound.

Every loss is counted. :meth:`get` returns a marker made by ``on_dropped(count, by_type)``
before the next item, so the consumer *sees* that it lost events, in order.

:meth:`get` is cancellation-safe: a waiter is woken by a bare future and the item is taken only
once it resumes, so a cancelled ``get`` never loses an item.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, TypeVar

from ..errors import InvalidInputError

__all__ = ["BufferClosed", "EventBuffer"]

T = TypeVar("T")


class BufferClosed(Exception):
    """Raised by :meth:`EventBuffer.get` once the buffer is closed and drained."""


class EventBuffer(Generic[T]):
    """Bounded FIFO with a drop-oldest-droppable policy; use from one event loop only.

    Args:
        maxsize: Soft bound: above it, droppable items are shed.
        is_droppable: Says whether an item may be shed under pressure.
        on_dropped: Builds the in-stream marker from (count, {type name: count}).
        hard_limit: Absolute bound (default ``4 * maxsize``).
        on_shedding: Called when shedding starts (the first drop since the last marker was
            read), so the loss is logged when it happens, not only when it is read.
    """

    def __init__(
        self,
        maxsize: int,
        *,
        is_droppable: Callable[[T], bool],
        on_dropped: Callable[[int, Mapping[str, int]], T],
        hard_limit: int | None = None,
        on_shedding: Callable[[], None] | None = None,
    ) -> None:
        if maxsize < 1:
            raise InvalidInputError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self.hard_limit = max(hard_limit if hard_limit is not None else 4 * maxsize, maxsize)
        self._is_droppable = is_droppable
        self._on_dropped = on_dropped
        self._on_shedding = on_shedding
        self._items: deque[T] = deque()
        # A list, not a deque: there is one consumer, so at most a waiter or two, and an empty
        # deque costs 760 bytes (x thousands of rooms, benchmarks/README.md, Scale).
        self._waiters: list[asyncio.Future[None]] = []
        self._closed = False
        self._pending_dropped: Counter[str] = Counter()
        self.dropped_total = 0
        """Every item shed since creation."""
        self.protected_dropped_total = 0
        """Items shed although not droppable (only past ``hard_limit``)."""

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran (items already buffered can still be read)."""
        return self._closed

    def _count_drop(self, item: T) -> None:
        if not self._pending_dropped and self._on_shedding is not None:
            self._on_shedding()
        self._pending_dropped[type(item).__name__] += 1
        self.dropped_total += 1

    def put(self, item: T) -> bool:
        """Add ``item`` without blocking; False when it (not an older one) was shed."""
        if self._closed:
            return False
        items = self._items
        if len(items) >= self.maxsize and not self._shed_oldest_droppable():
            if self._is_droppable(item):
                self._count_drop(item)
                self._wake()  # the marker itself is news to a waiting consumer
                return False
            if len(items) >= self.hard_limit:
                self._count_drop(items.popleft())
                self.protected_dropped_total += 1
        items.append(item)
        self._wake()
        return True

    def _shed_oldest_droppable(self) -> bool:
        items = self._items
        for index, old in enumerate(items):
            if self._is_droppable(old):
                del items[index]
                self._count_drop(old)
                return True
        return False

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return

    def get_nowait(self) -> T:
        """Return the next item (a drop marker first, if events were shed).

        Raises:
            asyncio.QueueEmpty: Nothing is buffered (and the buffer is open).
            BufferClosed: The buffer is closed and drained.
        """
        if self._pending_dropped:
            counts = dict(self._pending_dropped)
            self._pending_dropped.clear()
            return self._on_dropped(sum(counts.values()), counts)
        if self._items:
            return self._items.popleft()
        if self._closed:
            raise BufferClosed
        raise asyncio.QueueEmpty

    def get(self) -> Coroutine[Any, Any, T]:
        """Wait for the next item; raises :class:`BufferClosed` once closed and drained."""
        return self._next(BufferClosed)

    def anext(self) -> Coroutine[Any, Any, T]:
        """:meth:`get` for an ``__anext__``: raises ``StopAsyncIteration`` once drained.

        Returned, not awaited, by the caller's ``__anext__``, so reading an event costs one
        coroutine, not two (each is an object for the garbage collector: benchmarks/, Scale).
        """
        return self._next(StopAsyncIteration)

    async def _next(self, ended: type[Exception]) -> T:
        while True:
            # Checked first rather than by catching QueueEmpty: an exception and its traceback
            # per wait are two more objects for the garbage collector.
            if self._items or self._pending_dropped:
                return self.get_nowait()
            if self._closed:
                raise ended
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                waiter.cancel()
                # We may have been chosen to take an item just as we were cancelled: pass the
                # wake-up on so another consumer does not sleep on a non-empty buffer.
                if self._items or self._pending_dropped or self._closed:
                    self._wake()
                raise

    def close(self) -> None:
        """Stop accepting items and wake every consumer; buffered items stay readable."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
