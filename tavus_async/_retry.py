"""Which failures are retried, how long to wait, and ``Retry-After`` parsing.

The policy protects against double billing: Tavus has no idempotency key, so a create (a POST
that makes a resource) is retried only when the request provably never reached the server (the
connection was not established) or the server said it did not process it (429, 503). Reads,
deletes, patches and ``end`` are retried on every transient failure.

Delays come from backoff's exponential generator with full jitter; a ``Retry-After`` the
server sends wins over the computed delay, unless it asks for more than ``max_retry_after``.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import backoff

__all__ = [
    "CREATE_RETRYABLE_STATUSES",
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "parse_retry_after",
]

#: Statuses worth retrying for an idempotent call.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses that say the server did not process the request, so even a create may retry.
CREATE_RETRYABLE_STATUSES = frozenset({429, 503})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta-seconds or an HTTP date.

    Args:
        value: The header value, or None.
        now: The current Unix time (for tests); defaults to ``time.time()``.

    Returns:
        Seconds to wait (never negative), or None when absent or unparseable.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to retry.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        initial_delay: Scale of the first backoff step, in seconds.
        max_delay: Cap of one computed backoff step, in seconds.
        max_retry_after: Give up instead of waiting when the server asks for longer than this.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delays(self) -> Iterator[float]:
        """Yield one jittered delay per retry, from backoff's exponential generator."""
        gen = backoff.expo(base=2, factor=self.initial_delay, max_value=self.max_delay)
        first = next(gen)
        # backoff 2.x primes the generator with a None (its fork python-backoff 3 may not): skip it.
        if first is not None and first > 0:
            yield backoff.full_jitter(first)
        for value in gen:
            yield backoff.full_jitter(value)

    @staticmethod
    def should_retry_status(status: int, *, idempotent: bool) -> bool:
        """Whether a response with ``status`` may be retried."""
        if idempotent:
            return status in RETRYABLE_STATUSES
        return status in CREATE_RETRYABLE_STATUSES

    @staticmethod
    def should_retry_connection(*, request_sent: bool, idempotent: bool) -> bool:
        """Whether a failed connection may be retried (creates only if nothing was sent)."""
        return idempotent or not request_sent
