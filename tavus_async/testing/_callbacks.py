"""Webhook deliveries: POST a JSON payload to a resource's ``callback_url``, in the background.

Each delivery is one attempt (Tavus documents no retry policy for callbacks). Every attempt is
recorded, successful or not, so tests can assert on what was sent and nothing fails silently.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp

from ..errors import InvalidInputError

__all__ = ["CallbackDispatcher", "Delivery"]

_log = logging.getLogger("tavus_async.testing")


@dataclass
class Delivery:
    """One callback POST and its outcome."""

    url: str
    payload: dict[str, Any]
    #: HTTP status the receiver answered, or None when the request failed.
    status: int | None = None
    #: Why the delivery failed (connection error text or a non-2xx status), else None.
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names a loopback host literally (no DNS lookup is made)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackDispatcher:
    """Delivers callbacks with its own :class:`aiohttp.ClientSession`, closed by :meth:`aclose`.

    Args:
        timeout: seconds to wait for a receiver before counting the delivery as failed.
        allow: ``"loopback"`` (default) delivers only to 127.0.0.0/8, ``::1`` and ``localhost``;
            any other URL (such as the docs' ``https://yourwebsite.com/webhook``) is recorded
            as a failed delivery without any network traffic. ``"any"`` delivers everywhere.
    """

    def __init__(
        self, timeout: float = 10.0, allow: Literal["loopback", "any"] = "loopback"
    ) -> None:
        if allow not in ("loopback", "any"):
            raise InvalidInputError(f"allow must be 'loopback' or 'any', got {allow!r}")
        self._timeout = timeout
        self.allow = allow
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        #: Every delivery attempted, in the order it was queued.
        self.deliveries: list[Delivery] = []
        self.delivered = 0
        self.failed = 0
        #: Deliveries refused because the URL was not loopback (also counted in ``failed``).
        self.skipped = 0

    def send(self, url: str | None, payload: dict[str, Any]) -> Delivery | None:
        """Queue a POST of ``payload`` to ``url``; a no-op (None) when no URL was configured."""
        if not url:
            return None
        delivery = Delivery(url=url, payload=payload)
        self.deliveries.append(delivery)
        if self.allow == "loopback" and not is_loopback_url(url):
            # A test simulator must not reach out to the internet; say so instead of sending.
            delivery.error = "not delivered: not a loopback URL (use callbacks='any' to allow)"
            self.failed += 1
            self.skipped += 1
            return delivery
        task = asyncio.get_running_loop().create_task(self._post(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (at most ``timeout`` seconds) until every queued delivery has finished."""

        async def _all() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

        await asyncio.wait_for(_all(), timeout)

    async def aclose(self) -> None:
        """Give in-flight deliveries a moment, cancel the rest, and close the session."""
        if self._tasks:
            _done, pending = await asyncio.wait(list(self._tasks), timeout=2.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, delivery: Delivery) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        try:
            async with self._session.post(delivery.url, json=delivery.payload) as resp:
                await resp.read()
                delivery.status = resp.status
                if not delivery.ok:
                    delivery.error = f"receiver answered HTTP {resp.status}"
        except asyncio.CancelledError:
            delivery.error = "cancelled: the simulator stopped before the delivery finished"
            self.failed += 1
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        if delivery.ok:
            self.delivered += 1
        else:
            self.failed += 1
            # The query string is left out: users put secret tokens there (rest-api-notes §6.6).
            _log.warning("callback to %s failed: %s", delivery.url.split("?", 1)[0], delivery.error)
