"""The one request path: build -> send -> classify -> retry -> decode.

Nothing else in the SDK talks to aiohttp for REST calls. A resource method calls
:meth:`HTTPCore.request` (decoded model) or :meth:`HTTPCore.request_response` (status, headers and
body). Every attempt goes through one retry loop whose policy lives in :mod:`tavus_async._retry`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar, overload

import aiohttp
import anyio
import msgspec
from multidict import CIMultiDict
from typing_extensions import TypedDict

from . import _version, errors
from ._logging import get_logger
from ._retry import RetryPolicy, parse_retry_after
from .errors import InvalidInputError, NotAvailableError, StateError

__all__ = [
    "APIResponse",
    "HTTPConfig",
    "HTTPCore",
    "RequestOptions",
    "ResponseCapture",
    "SessionProvider",
    "capture_response",
    "invalid_response",
    "require_id",
]

T = TypeVar("T")

log = get_logger("http")

_INVALID_ID_RE = re.compile(r"^\s*invalid\s+\w*_?id\b", re.IGNORECASE)
_CONCURRENCY_RE = re.compile(r"maximum\s+concurrent\s+conversations", re.IGNORECASE)

_STATUS_ERRORS: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    412: errors.PreconditionFailedError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
}


class RequestOptions(TypedDict, total=False):
    """Per-call options, taken by every resource method as keyword arguments.

    Example::

        await tavus.personas.get(pid, timeout=5, extra_headers={"X-Trace": "abc"})

    Attributes:
        timeout: Seconds for one attempt of this call (instead of the client's ``timeout``).
        extra_headers: Headers added to this call's request; a name given here replaces the
            client's header of that name whatever its case.
        extra_query: Query parameters added to this call (they replace the method's own).
        extra_body: Fields merged (deeply) into the JSON body, unchecked: for parameters Tavus
            added after this release. A call without a body sends these as its body.
    """

    timeout: float
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, Any]
    extra_body: Mapping[str, Any]


@dataclass(frozen=True)
class APIResponse:
    """What the server answered to one call (the last attempt, after retries).

    Attributes:
        status_code: The HTTP status.
        headers: The response headers.
        content: The raw body.
        method: The request method.
        path: The request path.
        attempts: How many attempts the call took (1 when it was not retried).
    """

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    path: str
    attempts: int = 1

    @property
    def request_id(self) -> str | None:
        """The server's id of this request (``X-Request-Id`` and the like), if it sent one.

        Tavus documents no request-id header; this finds the common ones when a proxy or a
        later API version adds them, and is what to quote in a support request.
        """
        return errors._find_request_id(self.headers)

    @property
    def not_modified(self) -> bool:
        """True for a 304: a PATCH that changed nothing."""
        return self.status_code == 304

    def json(self) -> Any:
        """The body decoded as JSON (None for an empty body)."""
        return msgspec.json.decode(self.content) if self.content else None

    def parse(self, cast_to: type[T]) -> T:
        """Decode the body into ``cast_to``.

        Raises:
            APIResponseValidationError: The body does not match ``cast_to``; the raw body is kept.
        """
        return _decode(self, cast_to)


@dataclass
class ResponseCapture:
    """Collects the :class:`APIResponse` of every call made inside :func:`capture_response`."""

    responses: list[APIResponse] = field(default_factory=list)

    @property
    def response(self) -> APIResponse:
        """The last response captured.

        Raises:
            LookupError: No call completed inside the block.
        """
        if not self.responses:
            raise NotAvailableError("no API call completed inside capture_response()")
        return self.responses[-1]


_capture: contextvars.ContextVar[ResponseCapture | None] = contextvars.ContextVar(
    "tavus_async_capture", default=None
)


@contextlib.asynccontextmanager
async def capture_response() -> AsyncIterator[ResponseCapture]:
    """Capture status, headers and body of the calls made in this task.

    Each call's last response is recorded, a failed call's too (its error still raises), so the
    status and headers of a 4xx/5xx are there after the ``except``. For one call,
    ``resource.with_raw_response.<method>(...)`` returns the same record beside its result.

    Example::

        async with tavus.capture_response() as raw:
            persona = await tavus.personas.get("p123")
        print(raw.response.status_code, raw.response.headers["content-type"])
    """
    capture = ResponseCapture()
    token = _capture.set(capture)
    try:
        yield capture
    finally:
        _capture.reset(token)


def require_id(name: str, value: object) -> str:
    """Check a path id before any I/O.

    Raises:
        ValueError: ``value`` is not a non-empty string, or contains a ``/``.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{name} must be a non-empty string, got {value!r}")
    if "/" in value or "?" in value or "#" in value:
        raise InvalidInputError(f"{name} must be a bare id without '/', '?' or '#', got {value!r}")
    return value


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(cast_to: Any) -> msgspec.json.Decoder[Any]:
    dec = _decoders.get(cast_to)
    if dec is None:
        dec = msgspec.json.Decoder(cast_to)
        _decoders[cast_to] = dec
    return dec


def _decode(resp: APIResponse, cast_to: type[T]) -> T:
    if cast_to is type(None):
        return None
    content = resp.content if resp.content.strip() else b"null"
    try:
        result: T = _decoder(cast_to).decode(content)
        return result
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_response(
            resp,
            f"the {resp.status_code} response does not match "
            f"{getattr(cast_to, '__name__', cast_to)}: {exc}",
        ) from exc


def invalid_response(resp: APIResponse, problem: str) -> errors.APIResponseValidationError:
    """The error for a success response whose body is not what was expected (body kept).

    Args:
        resp: The response.
        problem: What is wrong with it; the message starts with the method and path.
    """
    return errors.APIResponseValidationError(
        f"{resp.method} {resp.path}: {problem}",
        status_code=resp.status_code,
        raw_body=resp.content,
        method=resp.method,
        path=resp.path,
    )


def _server_message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                inner = value.get("message")
                if isinstance(inner, str):
                    return inner
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return None


def _status_error(resp: APIResponse, key_source: str | None = None) -> errors.APIStatusError:
    try:
        body: Any = msgspec.json.decode(resp.content) if resp.content else None
    except msgspec.DecodeError:
        body = resp.content.decode("utf-8", "replace")
    said = _server_message(body)
    status = resp.status_code
    cls: type[errors.APIStatusError]
    if status == 400 and said and _CONCURRENCY_RE.search(said):
        cls = errors.ConcurrencyLimitError
    elif status == 400 and said and _INVALID_ID_RE.match(said):
        cls = errors.NotFoundError
    elif status >= 500:
        cls = errors.InternalServerError
    else:
        cls = _STATUS_ERRORS.get(status, errors.APIStatusError)
    text = f"{resp.method} {resp.path} failed with {status}"
    text += f": {said}" if said else " (the server gave no message)"
    if status == 401:
        text += (
            f". The API key came from {key_source or 'the client'}: check it is a current key "
            "from https://platform.tavus.io/api-keys (and that TAVUS_BASE_URL, if set, is the "
            "API it belongs to)"
        )
    return cls(
        text,
        status_code=status,
        body=body,
        server_message=said,
        headers=resp.headers,
        method=resp.method,
        path=resp.path,
    )


class _Attempt:
    """The outcome of one attempt: a response, or an error with what we know of its delivery."""

    __slots__ = ("error", "response")

    def __init__(
        self, response: APIResponse | None = None, error: errors.APIError | None = None
    ) -> None:
        self.response = response
        self.error = error


class SessionProvider:
    """The aiohttp session shared by a client and its ``with_options`` copies.

    The session is made on first use, inside the running loop (never in ``__init__``, which may
    run outside one). It belongs to one event loop: a client used in a later ``asyncio.run()``
    gets a new session in that loop, and the session of a loop that ends is closed while that
    loop can still close it (so no ``Event loop is closed`` error, no unclosed-session warning).

    Args:
        session: A session to use instead; it belongs to the caller and is never closed here.
    """

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._session = session
        # An injected session belongs to the caller: we never close it.
        self.owned = session is None
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: AsyncGenerator[None, None] | None = None

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The current session, if one was made or given."""
        return self._session

    async def get(self) -> aiohttp.ClientSession:
        """The session to send with, made in the running loop when there is none yet.

        Raises:
            RuntimeError: The client was closed.
        """
        if self.closed:
            raise StateError("this AsyncTavus client was closed; create a new one")
        session = self._session
        if not self.owned:
            assert session is not None
            return session
        loop = asyncio.get_running_loop()
        if session is None or session.closed or self._loop is not loop:
            session = aiohttp.ClientSession()
            self._session, self._loop = session, loop
            self._guard = _close_with_loop(session)
            # Started here, the guard is one of this loop's async generators: asyncio.run()
            # (and anyio's runner) finalize those before closing the loop, which closes the
            # session while the loop can still close its connections.
            await self._guard.asend(None)
        return session

    async def aclose(self) -> None:
        """Close the session if it was made here; later :meth:`get` calls raise."""
        self.closed = True
        session, self._session = self._session, None
        guard, self._guard = self._guard, None
        if not self.owned or session is None:
            return
        if self._loop is asyncio.get_running_loop():
            await session.close()
            if guard is not None:
                await guard.aclose()


async def _close_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    # Suspended until its loop shuts down its async generators (or the client closes it).
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


@dataclass(frozen=True)
class HTTPConfig:
    """Everything a :class:`HTTPCore` needs, fixed when it is made (``with_options`` copies it).

    Attributes:
        api_key: The Tavus API key (never shown in a repr).
        base_url: ``https://tavusapi.com``, without ``/v2`` (paths carry it).
        timeout: Seconds for one attempt, from connecting to the last byte.
        connect_timeout: Seconds to establish a connection.
        retry: The retry policy.
        default_headers: Extra headers sent with every request.
        sessions: Where the aiohttp session comes from (shared by copies).
        api_key_source: Where the key came from, named in a 401's message (never the key).
    """

    api_key: str = field(repr=False)
    base_url: str
    timeout: float
    connect_timeout: float
    retry: RetryPolicy
    sessions: SessionProvider = field(compare=False)
    default_headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    api_key_source: str = "the client's api_key"

    def headers(self, *, has_body: bool) -> dict[str, str]:
        """The headers of a request with or without a JSON body."""
        headers = {
            "Accept": "application/json",
            "User-Agent": f"tavus-async/{_version.__version__}",
            **self.default_headers,
            "x-api-key": self.api_key,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers


class HTTPCore:
    """Sends requests with one :class:`HTTPConfig` (its session, base URL, timeouts, retries)."""

    def __init__(self, config: HTTPConfig) -> None:
        self.config = config
        self._sessions = config.sessions
        self._base_url = config.base_url
        # Built once: a configuration is frozen (with_options makes a new config and core).
        self._timeout = aiohttp.ClientTimeout(
            total=config.timeout, sock_connect=min(config.connect_timeout, config.timeout)
        )
        self._headers_no_body = config.headers(has_body=False)
        self._headers_body = config.headers(has_body=True)
        self._policy = config.retry

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        idempotent: bool | None = ...,
        options: RequestOptions | None = ...,
        headers: Mapping[str, str] | None = ...,
        authenticated: bool = ...,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        idempotent: bool | None = ...,
        options: RequestOptions | None = ...,
        headers: Mapping[str, str] | None = ...,
        authenticated: bool = ...,
    ) -> None: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        options: RequestOptions | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> T | None:
        """Send a request and decode the body into ``cast_to``.

        Args:
            method: HTTP method.
            path: Path under the base URL, starting with ``/v2/``.
            cast_to: The type to decode into, or None to ignore the body.
            params: Query parameters; None values are left out, booleans sent as true/false.
            json: A JSON body: a dict, a list or a msgspec Struct.
            idempotent: Whether a retry cannot duplicate work. Defaults to False for POST and
                True for every other method.
            headers: Extra headers of this request only (``If-Match``...).
            authenticated: False for Tavus's public endpoints: the API key is not sent.
            options: The call's :class:`RequestOptions` (timeout, extra headers, query, body).

        Raises:
            APIStatusError: (a subclass) The server answered with an error status.
            APIConnectionError: The request did not complete after its retries.
            APIResponseValidationError: A success body that does not match ``cast_to``.
            InvalidInputError: An invalid per-call option.
        """
        resp = await self.request_response(
            method,
            path,
            params=params,
            json=json,
            idempotent=idempotent,
            options=options,
            headers=headers,
            authenticated=authenticated,
        )
        if cast_to is None:
            return None
        return _decode(resp, cast_to)

    async def request_response(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        options: RequestOptions | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> APIResponse:
        """Send a request and return the raw :class:`APIResponse` (after retries).

        A 304 is returned, not raised: it means a PATCH changed nothing. Inside
        :func:`capture_response` the last response is recorded, an error status's too.
        ``options``, ``headers`` and ``authenticated`` are as in :meth:`request`.

        Raises:
            APIStatusError: (a subclass) The server answered with an error status.
            APIConnectionError: The request did not complete after its retries.
            InvalidInputError: An invalid per-call option.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method != "POST"
        policy = self._policy
        send_headers: Mapping[str, str] = self._headers_body
        if headers or not authenticated:
            # The method's own headers (If-Match...); a public endpoint gets no key.
            merged = CIMultiDict(send_headers)
            for name, value in (headers or {}).items():
                merged[name] = value
            if not authenticated:
                merged.popall("x-api-key", None)
            send_headers = merged
        timeout, timeout_s = self._timeout, self.config.timeout
        if options:
            json, params, send_headers, timeout, timeout_s = self._apply(
                options, json, params, send_headers
            )
        body = None if json is None else msgspec.json.encode(json)
        if body is None:
            # No body, no Content-Type (the other headers kept).
            unchanged = send_headers is self._headers_body
            send_headers = (
                self._headers_no_body if unchanged else _without_content_type(send_headers)
            )
        query = _query(params)
        delays: Iterator[float] | None = None  # made on the first retry: most calls need none
        attempt_no = 0
        while True:
            attempt_no += 1
            outcome = await self._attempt(
                method, path, query, body, attempt_no, send_headers, timeout, timeout_s
            )
            retry_after: float | None = None
            if outcome.response is not None:
                resp = outcome.response
                if resp.status_code < 400:
                    _record(resp)
                    return resp
                error: errors.APIError = _status_error(resp, self.config.api_key_source)
                may_retry = policy.should_retry_status(resp.status_code, idempotent=idempotent)
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            else:
                assert outcome.error is not None
                error = outcome.error
                sent = getattr(error, "request_sent", True)
                may_retry = policy.should_retry_connection(request_sent=sent, idempotent=idempotent)
            if not may_retry or attempt_no > policy.max_retries:
                if attempt_no > 1:
                    error.message += f" (after {attempt_no} attempts)"
                    error.args = (error.message,)
                if outcome.response is not None:
                    _record(outcome.response)
                raise error
            if delays is None:
                delays = policy.delays()
            computed = next(delays)
            if retry_after is not None:
                if retry_after > policy.max_retry_after:
                    error.message += (
                        f" (the server asked to retry after {retry_after:.0f}s, more than "
                        f"max_retry_after={policy.max_retry_after:.0f}s, so we gave up)"
                    )
                    error.args = (error.message,)
                    if outcome.response is not None:
                        _record(outcome.response)
                    raise error
                delay = retry_after
            else:
                delay = computed
            log.info(
                "retrying %s %s in %.2fs (attempt %d of %d): %s",
                method,
                path,
                delay,
                attempt_no + 1,
                policy.max_retries + 1,
                error.message,
            )
            await anyio.sleep(delay)

    async def _attempt(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        body: bytes | None,
        attempt_no: int,
        headers: Mapping[str, str],
        timeout: aiohttp.ClientTimeout,
        timeout_s: float,
    ) -> _Attempt:
        session = await self._sessions.get()
        url = self._base_url + path
        log.debug("request %s %s params=%s attempt=%d", method, path, query, attempt_no)
        try:
            async with session.request(
                method,
                url,
                params=query or None,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as r:
                content = await r.read()
                resp = APIResponse(
                    status_code=r.status,
                    # aiohttp's case-insensitive view, kept as is (no copy per request).
                    headers=r.headers,
                    content=content,
                    method=method,
                    path=path,
                    attempts=attempt_no,
                )
        except aiohttp.ConnectionTimeoutError as exc:
            return _Attempt(
                error=_conn_error(
                    errors.APITimeoutError, method, path, "connecting timed out", exc, sent=False
                )
            )
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            return _Attempt(
                error=_conn_error(
                    errors.APITimeoutError,
                    method,
                    path,
                    f"no complete response within {timeout_s:g}s",
                    exc,
                    sent=True,
                )
            )
        except aiohttp.ClientConnectorError as exc:
            # The TCP (or TLS) connection was never established: nothing reached the server.
            return _Attempt(
                error=_conn_error(
                    errors.APIConnectionError, method, path, "could not connect", exc, sent=False
                )
            )
        except aiohttp.ClientError as exc:
            return _Attempt(
                error=_conn_error(
                    errors.APIConnectionError, method, path, "the connection failed", exc, sent=True
                )
            )
        log.debug(
            "response %s %s -> %d (%d bytes)", method, path, resp.status_code, len(resp.content)
        )
        return _Attempt(response=resp)

    def _apply(
        self,
        options: RequestOptions,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> tuple[Any, Mapping[str, Any] | None, Mapping[str, str], aiohttp.ClientTimeout, float]:
        """Fold one call's options into its body, query, headers and timeout."""
        unknown = sorted(set(options) - set(RequestOptions.__annotations__))
        if unknown:
            raise errors.InvalidInputError(
                f"unknown per-call option(s) {unknown}; the options are "
                f"{', '.join(RequestOptions.__annotations__)}"
            )
        timeout, timeout_s = self._timeout, self.config.timeout
        per_call = options.get("timeout")
        if per_call is not None:
            if (
                isinstance(per_call, bool)
                or not isinstance(per_call, (int, float))
                or per_call <= 0
            ):
                raise errors.InvalidInputError(
                    f"timeout must be a positive number of seconds, got {per_call!r}"
                )
            timeout_s = float(per_call)
            timeout = aiohttp.ClientTimeout(
                total=timeout_s, sock_connect=min(self.config.connect_timeout, timeout_s)
            )
        extra_query = options.get("extra_query")
        if extra_query:
            params = {**(params or {}), **extra_query}
        extra_body = options.get("extra_body")
        if extra_body:
            json = merge_body(json, extra_body)
        extra_headers = options.get("extra_headers")
        if extra_headers:
            merged = CIMultiDict(headers)
            for name, value in extra_headers.items():
                if not isinstance(name, str) or not isinstance(value, str):
                    raise errors.InvalidTypeError(
                        f"extra_headers must map header names to strings, got {name!r}: "
                        f"{type(value).__name__}"
                    )
                merged[name] = value  # replaces the header whatever the case of its name
            headers = merged
        return json, params, headers, timeout, timeout_s


def _record(resp: APIResponse) -> None:
    capture = _capture.get()
    if capture is not None:
        capture.responses.append(resp)


def _without_content_type(headers: Mapping[str, str]) -> Mapping[str, str]:
    out = CIMultiDict(headers)
    out.popall("Content-Type", None)
    return out


def merge_body(json: Any, extra_body: Mapping[str, Any]) -> Any:
    """``json`` with ``extra_body`` merged into it deeply (a new object; ``json`` is unchanged).

    Raises:
        InvalidInputError: ``json`` is not an object (a JSON Patch list takes no extra fields).
    """
    extra = msgspec.to_builtins(dict(extra_body))
    if json is None:
        return extra
    body = msgspec.to_builtins(json)
    if not isinstance(body, dict):
        raise errors.InvalidInputError(
            "extra_body needs a JSON object body; this call sends a "
            f"{type(body).__name__} (a JSON Patch takes its operations instead)"
        )
    _deep_merge(body, extra)
    return body


def _deep_merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _deep_merge(current, value)
        else:
            into[key] = value


def _conn_error(
    cls: type[errors.APIConnectionError],
    method: str,
    path: str,
    what: str,
    exc: BaseException,
    *,
    sent: bool,
) -> errors.APIConnectionError:
    detail = type(exc).__name__
    text = str(exc)
    if text:
        # aiohttp puts host:port in connector errors; never the headers, so no key can leak.
        detail += f": {text[:200]}"
    return cls(f"{method} {path}: {what} ({detail})", method=method, path=path, request_sent=sent)


def _query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not params:
        return out
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out.append((key, "true" if value else "false"))
        elif isinstance(value, (list, tuple)):
            out.append((key, ",".join(str(v) for v in value)))
        else:
            out.append((key, str(value)))
    return out
