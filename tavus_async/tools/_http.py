"""The HTTP channel: answer Tavus's signed tool requests from a :class:`ToolRegistry`.

A tool whose ``delivery.api.auth`` is ``{"type": "hmac", "secret": ...}`` makes Tavus POST a
fixed body to your URL, signed with ``X-Tavus-Signature`` (api-2026-surface.md §15)::

    {"conversation_id": "c123", "name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}

:func:`handle_request` is the whole protocol, framework-free: raw bytes and headers in, a
:class:`ToolHTTPResponse` out. In order, it answers

- **413** to a body over ``max_body_size`` (before hashing it),
- **401** to a missing or wrong signature (checked over the exact raw bytes, in constant time),
- **400** to a body that is not a JSON object with a string ``name``, or whose ``arguments``
  (a JSON string or an object) is not an object,
- **404** to a tool name the registry does not have,
- **422** to arguments that do not fit the function (the body names the argument; the function
  is not called),
- **504** when the function outlives its deadline, which is set below the tool's ``timeout`` so
  the answer still reaches Tavus in time, **500** when it raises (a safe message only: the
  exception is logged, never sent),
- **200** with the result otherwise: a string as ``text/plain``, anything else as JSON.

Tavus retries a 5xx once and never a 4xx, so a receiver should be idempotent per call.

:func:`aiohttp_handler` serves it on aiohttp. From FastAPI or Starlette, hand it the raw body::

    from fastapi import FastAPI, Request, Response
    from tavus_async import tools

    app = FastAPI()

    @app.post("/tavus/tools")
    async def tavus_tools(request: Request) -> Response:
        answer = await tools.handle_request(
            registry, await request.body(), request.headers, secret=settings.tool_secret
        )
        return Response(answer.body, status_code=answer.status, headers=answer.headers)

(Starlette reads the whole body; put a size limit in front of it, as in your server's config.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from .._logging import get_logger, register_secret
from ..errors import ConfigurationError
from ._registry import DEFAULT_TOOL_TIMEOUT, ToolContext, ToolOutcome, ToolRegistry
from ._signature import SIGNATURE_HEADER, verify_signature

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "ToolHTTPResponse",
    "ToolRequestHandler",
    "ToolRequestStats",
    "aiohttp_handler",
    "handle_request",
    "handler_deadline",
]

_log = get_logger("tools")

DEFAULT_MAX_BODY_SIZE = 256 * 1024
"""Bytes a tool request may carry; Tavus's are a name and the LLM's arguments."""

_JSON = {"Content-Type": "application/json"}
_TEXT = {"Content-Type": "text/plain; charset=utf-8"}
_STATUS = {"unknown_tool": 404, "timeout": 504, "failed": 500}


class _Request(msgspec.Struct):
    """The fields of Tavus's callback body we read; unknown keys are ignored."""

    name: str
    arguments: Any = None
    conversation_id: str | None = None
    tool_call_id: str | None = None


_decode_request = msgspec.json.Decoder(_Request).decode
_encode = msgspec.json.Encoder().encode


class ToolHTTPResponse(msgspec.Struct, frozen=True):
    """What to answer: hand these three to your framework's response type.

    Attributes:
        status: The HTTP status code.
        headers: The response headers (``Content-Type``).
        body: The response body.
    """

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


@dataclass
class ToolRequestStats:
    """Counters of one receiver, by outcome (nothing is refused without being counted)."""

    received: int = 0
    answered: int = 0
    unauthorized: int = 0
    too_large: int = 0
    bad_request: int = 0
    unknown_tool: int = 0
    bad_arguments: int = 0
    timed_out: int = 0
    failed: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


def handler_deadline(timeout: float) -> float:
    """Seconds a function may run when Tavus waits ``timeout`` seconds for the answer.

    A fifth of the timeout, at most one second, is kept for the answer's way back.
    """
    return timeout - min(1.0, timeout * 0.2)


def _error(status: int, message: str) -> ToolHTTPResponse:
    return ToolHTTPResponse(status, dict(_JSON), _encode({"error": message}))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    # A plain dict is case-sensitive; framework header maps are not.
    lowered = name.lower()
    for key, item in headers.items():
        if key.lower() == lowered:
            return item
    return None


def _answer(outcome: ToolOutcome) -> ToolHTTPResponse:
    if outcome.status == "success":
        output = outcome.output
        if isinstance(output, str):
            return ToolHTTPResponse(200, dict(_TEXT), output.encode())
        return ToolHTTPResponse(200, dict(_JSON), _encode(output))
    if outcome.reason == "bad_arguments":
        # Arguments that are not an object at all are a malformed request; a misfit is not.
        return _error(422 if outcome.argument is not None else 400, str(outcome.output))
    return _error(_STATUS.get(outcome.reason, 500), str(outcome.output))


def _count(stats: ToolRequestStats | None, response: ToolHTTPResponse, kind: str | None) -> None:
    if stats is None:
        return
    stats.by_status[response.status] = stats.by_status.get(response.status, 0) + 1
    if kind is not None:
        setattr(stats, kind, getattr(stats, kind) + 1)
    if response.status == 200:
        stats.answered += 1


_KIND = {
    "unknown_tool": "unknown_tool",
    "bad_arguments": "bad_arguments",
    "timeout": "timed_out",
    "failed": "failed",
}


async def handle_request(
    registry: ToolRegistry,
    raw_body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    stats: ToolRequestStats | None = None,
) -> ToolHTTPResponse:
    """Answer one tool request from Tavus (the ``hmac`` delivery channel).

    Args:
        registry: The tools to answer from.
        raw_body: The request body exactly as received.
        headers: The request headers (any mapping; ``X-Tavus-Signature`` is looked up without
            regard to case).
        secret: The tool's shared secret (``delivery.api.auth.secret``).
        max_body_size: Bytes above which the request gets 413.
        stats: Counters to update, if any.

    Returns:
        The status, headers and body to answer with (see the module docs for each status).

    Raises:
        ConfigurationError: ``secret`` is empty.
    """
    if not secret:
        raise ConfigurationError("handle_request needs the tool's non-empty hmac secret")
    if stats is not None:
        stats.received += 1
    if len(raw_body) > max_body_size:
        response = _error(413, f"the body is larger than {max_body_size} bytes")
        _count(stats, response, "too_large")
        return response
    if not verify_signature(secret, raw_body, _header(headers, SIGNATURE_HEADER)):
        _log.warning("tool request refused (401): missing or wrong %s", SIGNATURE_HEADER)
        response = _error(401, f"missing or wrong {SIGNATURE_HEADER}")
        _count(stats, response, "unauthorized")
        return response
    try:
        request = _decode_request(raw_body)
    except msgspec.DecodeError as exc:
        # msgspec's message names the field and type only, never the body's content.
        response = _error(400, f"the body is not a Tavus tool call: {exc}")
        _count(stats, response, "bad_request")
        return response
    spec = registry.get(request.name)
    if spec is None:
        response = _error(404, f"no tool named {request.name} here")
        _count(stats, response, "unknown_tool")
        return response
    context = ToolContext(
        request.name, "http", request.conversation_id, request.tool_call_id, event=None
    )
    deadline = handler_deadline(spec.timeout or DEFAULT_TOOL_TIMEOUT)
    outcome = await registry.call(
        request.name, request.arguments, context=context, timeout=deadline
    )
    response = _answer(outcome)
    kind = _KIND.get(outcome.reason)
    if kind == "bad_arguments" and response.status == 400:
        kind = "bad_request"
    _count(stats, response, kind)
    return response


class ToolRequestHandler:
    """An aiohttp handler for Tavus's signed tool requests; make one with :func:`aiohttp_handler`.

    Route it with :meth:`attach` (or ``app.router.add_post(path, handler.handle)``). Every
    outcome is counted in ``stats``.
    """

    def __init__(
        self, registry: ToolRegistry, *, secret: str, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> None:
        if not isinstance(secret, str) or not secret:
            raise ConfigurationError(
                "aiohttp_handler needs the tool's hmac secret (delivery.api.auth.secret): "
                "a non-empty string"
            )
        if max_body_size < 1:
            raise ConfigurationError(f"max_body_size must be at least 1, got {max_body_size}")
        register_secret(secret)  # the tavus_async logger masks it from now on
        self.registry = registry
        self._secret = secret
        self._max_body = max_body_size
        self.stats = ToolRequestStats()

    def __repr__(self) -> str:
        return f"ToolRequestHandler(tools={sorted(self.registry)!r}, secret=********)"

    def attach(self, app: web.Application, path: str = "/tavus/tools") -> web.AbstractRoute:
        """Add a POST route for this handler to ``app`` at ``path``."""
        return app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request (aiohttp calls this)."""
        body = await self._read_body(request)
        if body is None:
            self.stats.received += 1
            answer = _error(413, f"the body is larger than {self._max_body} bytes")
            _count(self.stats, answer, "too_large")
        else:
            answer = await handle_request(
                self.registry,
                body,
                request.headers,
                secret=self._secret,
                max_body_size=self._max_body,
                stats=self.stats,
            )
        return web.Response(status=answer.status, body=answer.body, headers=answer.headers)

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The body, or None when it is over the limit (read no further than the limit)."""
        declared = request.content_length
        if declared is not None:
            return None if declared > self._max_body else await request.read()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(65536):
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def aiohttp_handler(
    registry: ToolRegistry, *, secret: str, max_body_size: int = DEFAULT_MAX_BODY_SIZE
) -> ToolRequestHandler:
    """An aiohttp receiver that answers Tavus's signed tool requests from ``registry``.

    ::

        receiver = tools.aiohttp_handler(registry, secret=os.environ["TAVUS_TOOL_SECRET"])
        receiver.attach(app, "/tavus/tools")

    Args:
        registry: The tools to answer from.
        secret: The tools' shared hmac secret (never logged or shown in a repr).
        max_body_size: Bytes above which a request gets 413 (read no further).

    Raises:
        ConfigurationError: ``secret`` is empty or ``max_body_size`` is not positive.
    """
    return ToolRequestHandler(registry, secret=secret, max_body_size=max_body_size)
