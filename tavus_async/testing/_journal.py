"""The simulator's request journal: what each API request looked like, for tests to assert on."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from ..errors import NotAvailableError

__all__ = ["RecordedRequest", "RequestJournal"]

_REDACTED = "***"
# Headers that carry secrets: kept as "***" so no key reaches a test log or snapshot.
_SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie"})


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the simulator received it (faulted ones included).

    Attributes:
        method: The HTTP method.
        path: The concrete path (``/v2/personas/p123``).
        query: The query parameters.
        headers: The request headers, case-insensitive (``headers["X-Trace"]`` finds
            ``x-trace``); ``x-api-key`` and other secrets read ``***``.
        raw: The body as received.
        authorized: Whether the request carried the simulator's API key.
    """

    method: str
    path: str
    query: Mapping[str, str]
    headers: CIMultiDictProxy[str]
    raw: bytes = field(repr=False)
    authorized: bool

    @property
    def body(self) -> Any:
        """The body decoded as JSON; None when empty, the text when it is not JSON."""
        if not self.raw:
            return None
        try:
            return json.loads(self.raw)
        except ValueError:
            return self.raw.decode("utf-8", "replace")


class RequestJournal:
    """The last ``size`` API requests, oldest first (``sim.requests``).

    Example::

        await tavus.personas.create(persona_name="Guide")
        assert sim.requests.last.body == {"persona_name": "Guide"}
        assert len(sim.requests.calls("POST", "/v2/personas")) == 1

    Args:
        size: How many requests to keep (older ones are dropped, so a long run stays bounded).
    """

    def __init__(self, size: int = 1000) -> None:
        self._items: deque[RecordedRequest] = deque(maxlen=size)

    def record(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        raw: bytes,
        *,
        authorized: bool,
    ) -> None:
        """Add one request (secret headers are redacted here, before anything keeps them)."""
        clean = CIMultiDictProxy(
            CIMultiDict(
                (k, _REDACTED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()
            )
        )
        self._items.append(RecordedRequest(method, path, dict(query), clean, raw, authorized))

    @property
    def last(self) -> RecordedRequest:
        """The latest request.

        Raises:
            LookupError: No request was received.
        """
        if not self._items:
            raise NotAvailableError("the simulator has received no API request")
        return self._items[-1]

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The requests with this method and/or exact path (trailing slash ignored)."""
        want = path.rstrip("/") if path is not None else None
        return [
            r
            for r in self._items
            if (method is None or r.method == method.upper())
            and (want is None or r.path.rstrip("/") == want)
        ]

    def clear(self) -> None:
        """Forget every recorded request."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(list(self._items))

    def __getitem__(self, index: int) -> RecordedRequest:
        return self._items[index]
