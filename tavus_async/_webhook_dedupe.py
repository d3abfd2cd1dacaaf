"""Where the webhook handler remembers which deliveries it has already taken.

One process: :class:`MemoryDedupe` (the default). Several backend instances behind a load
balancer: :class:`RedisDedupe`, so a delivery (or its ``pal_joined``/``replica_joined`` twin)
that reaches two instances runs its callback once across all of them.

The contract is *claim, then release on failure*. :meth:`DedupeStore.claim` atomically marks a
delivery as taken for ``ttl`` seconds and says whether this caller was first; the caller runs
the callback; if the callback raises, :meth:`DedupeStore.release` forgets the claim, so the next
copy of that delivery (Tavus sends some twice, a retry, a replay from your own logs) runs it
instead of being dropped as a duplicate. A successful callback leaves the claim in place until
``ttl``. Marking a delivery done only *after* its callback would need a second write and would
let two instances run it at the same time while the first one is still busy: claiming first is
what makes "once" hold under concurrency.

Why not answer non-2xx so that Tavus retries a failed callback? The handler answers 200 before
``on_event`` runs (Tavus does not wait on your code, and an answer that waited would turn a slow
callback into a Tavus timeout). A crash between claim and callback therefore loses that delivery
for ``ttl``, exactly as the in-memory store loses it when the process dies.

Framework-agnostic use (any web framework, a queue consumer, a replay script)::

    event = webhooks.parse(body)
    async with dedupe.once(webhooks.delivery_key(body)) as fresh:
        if fresh:
            await handle(event)        # raises -> the claim is released, the error propagates
"""

from __future__ import annotations

import hashlib
import secrets
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .errors import InvalidInputError, TavusError

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["DedupeError", "DedupeStore", "MemoryDedupe", "RedisDedupe", "delivery_key", "key_text"]

#: How long a delivery is remembered by default (seconds): Tavus's duplicates come within it.
DEFAULT_TTL = 3600.0


class DedupeError(TavusError):
    """The de-duplication store could not be reached or answered something unexpected.

    The handler answers 503 to the delivery (so Tavus may retry it) and counts it in
    ``stats.dedupe_errors``; it never runs a callback it could not claim.
    """


def delivery_key(body: bytes, _event: object = None) -> str:
    """The default identity of a delivery: the SHA-256 of its raw body, as hex.

    Only byte-identical redeliveries share it; pass ``dedupe_key=`` to the handler to fold
    Tavus's ``system.pal_joined``/``system.replica_joined`` twins as well.
    """
    return hashlib.sha256(body).hexdigest()


def key_text(key: Hashable) -> str:
    """A stable text form of a ``dedupe_key`` result, the same in every process.

    Strings stay as they are, bytes become hex, anything else (a tuple of ids, say) is hashed
    from its ``repr``, which for str/int/tuple values does not change between processes.
    """
    if isinstance(key, str):
        return key
    if isinstance(key, bytes | bytearray):
        return bytes(key).hex()
    return hashlib.sha256(repr(key).encode()).hexdigest()


class DedupeStore(ABC):
    """Remembers claimed deliveries; subclass it to keep them somewhere else.

    Implementations must make :meth:`claim` atomic across every caller that shares the store.
    """

    @abstractmethod
    async def claim(self, key: str, ttl: float = DEFAULT_TTL) -> bool:
        """Mark ``key`` as taken for ``ttl`` seconds; True when this caller took it first.

        Raises:
            DedupeError: The store could not answer.
        """

    @abstractmethod
    async def release(self, key: str) -> None:
        """Forget this caller's claim on ``key`` (its callback failed); a no-op otherwise.

        Raises:
            DedupeError: The store could not answer.
        """

    async def done(self, key: str) -> None:  # noqa: B027 (optional hook)
        """The callback for ``key`` succeeded: the claim stays until its ttl runs out."""

    @asynccontextmanager
    async def once(self, key: str, ttl: float = DEFAULT_TTL) -> AsyncIterator[bool]:
        """Claim ``key`` for the block; yields whether it is fresh; releases it if the block raises.

        Raises:
            DedupeError: The store could not answer (the block does not run).
        """
        fresh = await self.claim(key, ttl)
        try:
            yield fresh
        except BaseException:
            if fresh:
                await self.release(key)
            raise
        if fresh:
            await self.done(key)


class _RecentKeys:
    """Keys seen in the last ``ttl`` seconds, at most ``maxsize`` of them (oldest go first)."""

    def __init__(
        self, maxsize: int, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._maxsize = maxsize
        self._ttl = ttl
        self._clock = clock
        # Insertion order is expiry order while every key lives for the same ttl (the handler's
        # case); a key added with a longer one only delays the pruning of those behind it.
        self._expiry: OrderedDict[Hashable, float] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._expiry)

    def _expire(self, now: float) -> None:
        expiry = self._expiry
        while expiry:
            key, deadline = next(iter(expiry.items()))
            if deadline > now:
                break
            del expiry[key]

    def seen(self, key: Hashable) -> bool:
        """True when ``key`` was added less than its ttl ago."""
        if self._maxsize <= 0:
            return False
        now = self._clock()
        self._expire(now)
        deadline = self._expiry.get(key)
        return deadline is not None and deadline > now

    def add(self, key: Hashable, ttl: float | None = None) -> None:
        """Remember ``key`` for ``ttl`` seconds (or the default), dropping the oldest if full."""
        if self._maxsize <= 0:
            return
        now = self._clock()
        self._expire(now)
        self._expiry[key] = now + (self._ttl if ttl is None else ttl)
        self._expiry.move_to_end(key)
        while len(self._expiry) > self._maxsize:
            self._expiry.popitem(last=False)
            self.evicted += 1

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` now."""
        self._expiry.pop(key, None)


class MemoryDedupe(DedupeStore):
    """Claims made in the last ``ttl`` seconds in this process, at most ``maxsize`` of them.

    The default store of :func:`~tavus_async.webhooks.aiohttp_handler`. The oldest claims are
    forgotten first when it is full (counted in :attr:`evicted`).

    Args:
        maxsize: How many claims to remember; 0 remembers none (deduping off).
        clock: Seconds, monotonic (tests pass a fake one).

    Raises:
        ValueError: ``maxsize`` is negative.
    """

    def __init__(self, maxsize: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        if maxsize < 0:
            raise InvalidInputError(f"maxsize must be >= 0 (0 turns deduping off), got {maxsize}")
        self._maxsize = maxsize
        self._keys = _RecentKeys(maxsize, DEFAULT_TTL, clock)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"MemoryDedupe(maxsize={self._maxsize}, remembered={len(self._keys)})"

    @property
    def evicted(self) -> int:
        """Claims forgotten before their ttl because the store was full."""
        return self._keys.evicted

    async def claim(self, key: str, ttl: float = DEFAULT_TTL) -> bool:
        """Mark ``key`` as taken for ``ttl`` seconds; True when it was not already."""
        if self._maxsize <= 0 or ttl <= 0:
            return True
        if self._keys.seen(key):
            return False
        self._keys.add(key, ttl)
        return True

    async def release(self, key: str) -> None:
        """Forget the claim on ``key``."""
        self._keys.discard(key)


# Delete the key only while it still holds our token: a claim that expired and was taken by
# another instance meanwhile is theirs (the compare-and-delete from Redis's SET documentation).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisDedupe(DedupeStore):
    """Claims kept in Redis, shared by every handler that uses the same server and ``prefix``.

    Each delivery costs one atomic ``SET key token NX PX ttl`` (and, only when its callback
    fails, one compare-and-delete). Keys expire on their own; nothing needs cleaning up.

    Args:
        redis: A ``redis.asyncio.Redis`` client (``pip install 'tavus-async[redis]'``); you own
            it and close it.
        prefix: Prepended to every key, so several apps can share one Redis.

    Example::

        from redis.asyncio import Redis
        redis = Redis.from_url("redis://localhost:6379/0")
        receiver = webhooks.aiohttp_handler(on_event, secret=secret,
                                            dedupe=webhooks.RedisDedupe(redis))
    """

    def __init__(self, redis: Redis, *, prefix: str = "tavus:webhook:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._release = redis.register_script(_RELEASE)
        # Claims whose callback is still running, and the token each was made with (so that
        # release deletes only our own); done() drops them, so this holds in-flight work only.
        self._tokens: dict[str, str] = {}
        self._process_token = secrets.token_hex(8)

    def __repr__(self) -> str:
        return f"RedisDedupe(prefix={self._prefix!r})"

    async def claim(self, key: str, ttl: float = DEFAULT_TTL) -> bool:
        """``SET prefix+key token NX PX ttl``: True when this call created the key."""
        if ttl <= 0:
            return True
        token = f"{self._process_token}:{secrets.token_hex(8)}"
        try:
            created: Any = await self._redis.set(
                self._prefix + key, token, nx=True, px=max(1, int(ttl * 1000))
            )
        except Exception as exc:  # redis.RedisError, OSError, timeouts: all mean "no answer"
            raise DedupeError(f"could not claim a webhook delivery in Redis: {exc}") from exc
        if created:
            self._tokens[key] = token
            return True
        return False

    async def release(self, key: str) -> None:
        """Delete the key if it still holds this store's claim."""
        token = self._tokens.pop(key, None)
        if token is None:
            return
        try:
            await self._release(keys=[self._prefix + key], args=[token])
        except Exception as exc:
            raise DedupeError(f"could not release a webhook delivery in Redis: {exc}") from exc

    async def done(self, key: str) -> None:
        """Keep the claim until it expires; drop only this store's note of its token."""
        self._tokens.pop(key, None)
