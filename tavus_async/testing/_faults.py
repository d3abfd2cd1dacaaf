"""Fault injection: scripted errors, latency and dropped connections, per route or global.

A :class:`FaultRule` matches requests by method and path (a route template such as
``"POST /v2/conversations"``, ``"GET /v2/conversations/{conversation_id}"``, a concrete path, or
``"*"`` for everything) and does one thing to each matching request, ``times`` times (``None``
means forever):

- ``status=503`` (with optional ``retry_after`` seconds, ``body``, ``raw`` bytes and ``headers``):
  answer with that status *without* running the endpoint, so nothing is created. A 2xx status
  with a ``body`` serves an odd success (a shape Tavus may send, a body that does not decode);
  204 and 304 answer without a body.
- ``latency=0.2``: wait that many real seconds, then serve normally (combine with ``status``).
- ``drop="before"``: close the connection before running the endpoint (nothing happened).
- ``drop="after"``: run the endpoint (the resource IS created and counted), then close the
  connection without answering: the case that makes a retried create duplicate work.
- ``drop="mid"``: run the endpoint, send the status line, headers and half the body, then close.

"Fail N times then succeed" is ``add(route=..., status=503, times=N)``.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InvalidInputError

__all__ = ["FaultPlan", "FaultRule"]

DropMode = Literal["before", "after", "mid"]

_DEFAULT_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


@dataclass
class FaultRule:
    """One scripted fault; see the module docstring for the fields' meaning."""

    route: str = "*"
    status: int | None = None
    times: int | None = 1
    retry_after: float | str | None = None
    latency: float = 0.0
    drop: DropMode | None = None
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] | None = None
    id: int = 0
    #: How many requests this rule has affected so far.
    hits: int = 0
    _method: str = field(default="*", repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.status is None and not self.latency and self.drop is None:
            raise InvalidInputError("a fault needs at least one of status=, latency= or drop=")
        if self.status is not None and not 100 <= self.status <= 599:
            raise InvalidInputError(f"status must be an HTTP status code, got {self.status!r}")
        if self.drop is not None and self.drop not in ("before", "after", "mid"):
            raise InvalidInputError(f"drop must be 'before', 'after' or 'mid', got {self.drop!r}")
        if self.times is not None and self.times < 1:
            raise InvalidInputError(f"times must be >= 1 or None (forever), got {self.times!r}")
        if self.latency < 0:
            raise InvalidInputError(f"latency must be >= 0 seconds, got {self.latency!r}")
        if (self.raw is not None or self.headers) and self.status is None:
            raise InvalidInputError("raw= and headers= need a status= to answer with")
        if self.raw is not None and self.body is not None:
            raise InvalidInputError("give a fault body= (JSON) or raw= (bytes), not both")
        self._method, self._pattern = _compile(self.route)

    @property
    def exhausted(self) -> bool:
        """True once the rule has fired ``times`` times."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether a request ``method path`` is one this rule applies to."""
        if self._method not in ("*", method.upper()):
            return False
        if self._pattern is None:
            return True
        return self._pattern.fullmatch(path.rstrip("/") or "/") is not None

    def error_body(self) -> Any:
        """The JSON body of a status fault (Tavus's ``{"error": ...}`` shape by default)."""
        if self.body is not None:
            return self.body
        assert self.status is not None
        return {"error": _DEFAULT_MESSAGES.get(self.status, f"Simulated HTTP {self.status}")}

    def response_headers(self) -> dict[str, str]:
        """The headers of a status fault (``Retry-After`` and the rule's own)."""
        headers = dict(self.headers or {})
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def to_json(self) -> dict[str, Any]:
        """A JSON view of the rule, for the control endpoint."""
        return {
            "id": self.id,
            "route": self.route,
            "status": self.status,
            "times": self.times,
            "retry_after": self.retry_after,
            "latency": self.latency,
            "drop": self.drop,
            "hits": self.hits,
        }


def _compile(route: str) -> tuple[str, re.Pattern[str] | None]:
    """Split ``"METHOD /path/{param}"`` into a method and a path regex (None = any path)."""
    route = route.strip()
    method, _, path = route.partition(" ") if " " in route else ("*", "", route)
    method = method.upper() or "*"
    path = path.strip()
    if path in ("", "*"):
        return method, None
    path = path.rstrip("/") or "/"
    parts = re.split(r"(\{[^/}]+\}|\*)", path)
    regex = "".join(
        "[^/]+" if p.startswith("{") else ".*" if p == "*" else re.escape(p) for p in parts
    )
    return method, re.compile(regex)


class FaultPlan:
    """The scripted faults of one simulator; the first live matching rule wins."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        # The control endpoint and a test's own thread may both edit the plan.
        self._lock = threading.Lock()
        #: How many requests were affected by any fault.
        self.injected = 0

    def add(
        self,
        route: str = "*",
        *,
        status: int | None = None,
        times: int | None = 1,
        retry_after: float | str | None = None,
        latency: float = 0.0,
        drop: DropMode | None = None,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> FaultRule:
        """Script a fault; returns the rule (``rule.hits`` tells how often it fired).

        Args:
            route: ``"METHOD /path"`` (templates like ``{conversation_id}`` and ``*`` allowed),
                a bare path (any method) or ``"*"`` (every API request).
            status: answer with this status instead of running the endpoint.
            times: how many matching requests to affect; ``None`` for every one.
            retry_after: value of a ``Retry-After`` header on a status fault.
            latency: real seconds to wait before serving.
            drop: close the connection ``"before"`` or ``"after"`` running the endpoint, or
                ``"mid"``-response.
            body: JSON body for a status fault (default ``{"error": "..."}``).
            raw: A raw body for a status fault, sent as is (a body that is not JSON).
            headers: Extra response headers of a status fault.
        """
        rule = FaultRule(
            route=route,
            status=status,
            times=times,
            retry_after=retry_after,
            latency=latency,
            drop=drop,
            body=body,
            raw=raw,
            headers=headers,
        )
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def add_from_json(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from the control endpoint's JSON (same names as :meth:`add`)."""
        allowed = {"route", "status", "times", "retry_after", "latency", "drop", "body", "headers"}
        unknown = set(spec) - allowed
        if unknown:
            raise InvalidInputError(
                f"unknown fault fields {sorted(unknown)}; allowed: {sorted(allowed)}"
            )
        return self.add(**spec)

    def remove(self, rule: FaultRule | int) -> None:
        """Remove one rule (by object or id)."""
        rid = rule if isinstance(rule, int) else rule.id
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rid]

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """The rules still able to fire, in match order."""
        with self._lock:
            return [r for r in self._rules if not r.exhausted]

    def take(self, method: str, path: str) -> FaultRule | None:
        """Claim the first live rule matching this request (counting the hit), if any."""
        with self._lock:
            for rule in self._rules:
                if not rule.exhausted and rule.matches(method, path):
                    rule.hits += 1
                    self.injected += 1
                    return rule
        return None
