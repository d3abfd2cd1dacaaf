"""The exception hierarchy of tavus-async.

Every error the SDK raises on purpose derives from :class:`TavusError`::

    TavusError
    ├── InvalidInputError (ValueError)  a value passed to the SDK is wrong: fix the call
    │   ├── InvalidTypeError (TypeError)    ... of the wrong type
    │   └── ConfigurationError          ... in the client's configuration (no API key...)
    ├── MissingExtraError (ImportError) an optional extra is not installed: pip install it
    ├── StateError (RuntimeError)       the object cannot do that now (closed, not started)
    ├── NotAvailableError (LookupError) what was asked for is not there (no open room...)
    ├── APIError                        something went wrong talking to the REST API
    │   ├── APIStatusError              the server answered with an error status
    │   │   ├── BadRequestError         400
    │   │   │   └── ConcurrencyLimitError   400 "maximum concurrent conversations"
    │   │   ├── AuthenticationError     401
    │   │   ├── PermissionDeniedError   403
    │   │   ├── NotFoundError           404, and 400 "Invalid <x>_id"
    │   │   ├── ConflictError           409
    │   │   ├── PreconditionFailedError 412 (an ``if_match`` that is out of date)
    │   │   ├── UnprocessableEntityError 422
    │   │   ├── RateLimitError          429
    │   │   └── InternalServerError     5xx
    │   ├── APIConnectionError          the request did not complete
    │   │   └── APITimeoutError         ... because a timeout expired
    │   └── APIResponseValidationError  a 2xx body that does not decode
    ├── WaitTimeoutError (TimeoutError) a wait gave up: says what was awaited, for how long
    ├── JobFailedError                  long-running work (training, generation) failed
    └── RoomError                       the room connector
        ├── JoinError
        ├── SendError
        │   └── MessageTooLargeError    (also a ValueError) over the app-message limit
        └── RoomClosedError

Each error that stands for a mistake in the call also subclasses the builtin that fits, so
``except ValueError`` (or ``TypeError``, ``ImportError``, ``RuntimeError``, ``TimeoutError``)
keeps working. No message built here ever contains the API key or a meeting token: messages are
made from the method, the path (ids only) and the server's own error text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "InvalidInputError",
    "InvalidTypeError",
    "JobFailedError",
    "JoinError",
    "MessageTooLargeError",
    "MissingExtraError",
    "NotAvailableError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "RoomClosedError",
    "RoomError",
    "SendError",
    "StateError",
    "TavusError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
]


#: Response headers that carry a request id, in the order they are looked for. Tavus documents
#: none; these are the usual ones (a proxy's, or a later API version's).
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray")


def _find_request_id(headers: Mapping[str, str]) -> str | None:
    """The request id among response ``headers`` (any case), or None."""
    found = {name.lower(): value for name, value in headers.items()}
    return next((found[name] for name in _REQUEST_ID_HEADERS if found.get(name)), None)


class TavusError(Exception):
    """Base class of every error raised by tavus-async."""


class InvalidInputError(TavusError, ValueError):
    """A value passed to the SDK is invalid (a misspelt field, a bad id, an out-of-range option).

    Raised before any I/O; the message names the value and what is accepted.
    """


class InvalidTypeError(InvalidInputError, TypeError):
    """A value passed to the SDK has the wrong type (also a :class:`TypeError`)."""


class ConfigurationError(InvalidInputError):
    """The client was configured wrongly (for example, no API key)."""


class MissingExtraError(TavusError, ImportError):
    """An optional extra is not installed; the message says which ``pip install`` adds it."""


class StateError(TavusError, RuntimeError):
    """The object cannot do this in its current state (closed, or not started yet)."""


class NotAvailableError(TavusError, LookupError):
    """What was asked for is not there: no open room for that conversation, no captured call."""


class APIError(TavusError):
    """A REST call failed.

    Attributes:
        message: A human-readable description, starting with the method and path.
        method: The HTTP method of the failed call, when known.
        path: The request path (never the query string, which could carry secrets).
    """

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


class APIStatusError(APIError):
    """The server answered with a non-success status.

    Attributes:
        status_code: The HTTP status.
        body: The decoded JSON body (or the raw text when it was not JSON).
        server_message: The server's own error text (from ``error`` or ``message``).
        headers: The response headers, case-insensitive (``e.headers.get("retry-after")``
            finds ``Retry-After``); no request headers, so no key.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any,
        server_message: str | None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.body = body
        self.server_message = server_message
        self.headers: CIMultiDictProxy[str] = _ci_headers(headers)

    @property
    def request_id(self) -> str | None:
        """The server's id of the failed request (``X-Request-Id`` and the like), if it sent one."""
        return _find_request_id(self.headers)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not pickle by default; errors cross process pools.
        return (
            _rebuild_status_error,
            (
                type(self),
                self.message,
                self.status_code,
                self.body,
                self.server_message,
                # A proxy does not pickle; the (name, value) pairs keep repeated headers.
                list(self.headers.items()),
                self.method,
                self.path,
            ),
        )


def _rebuild_status_error(
    cls: type[APIStatusError],
    message: str,
    status_code: int,
    body: Any,
    server_message: str | None,
    headers: list[tuple[str, str]],
    method: str | None,
    path: str | None,
) -> APIStatusError:
    return cls(
        message,
        status_code=status_code,
        body=body,
        server_message=server_message,
        headers=headers,
        method=method,
        path=path,
    )


def _ci_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> CIMultiDictProxy[str]:
    """A read-only, case-insensitive view of ``headers`` (aiohttp's own type, reused as is)."""
    if isinstance(headers, CIMultiDictProxy):
        return headers
    return CIMultiDictProxy(CIMultiDict(headers or ()))


class BadRequestError(APIStatusError):
    """400: the request was malformed or failed validation."""


class ConcurrencyLimitError(BadRequestError):
    """400 "User has reached maximum concurrent conversations": end a conversation first."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (for example, an IP-restricted key)."""


class NotFoundError(APIStatusError):
    """404, or 400 "Invalid <x>_id": the resource does not exist."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that forbids this (for example, still processing)."""


class PreconditionFailedError(APIStatusError):
    """412: the resource changed since you read it (its ``ETag`` no longer matches
    ``if_match``); read it again and reapply your change."""


class UnprocessableEntityError(APIStatusError):
    """422: the body was understood but is invalid (for example, a bad JSON Patch)."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says how long the server asked to wait."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait, when it said."""
        from ._retry import parse_retry_after

        return parse_retry_after(self.headers.get("Retry-After"))


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(APIError):
    """The request did not complete: the connection failed or was dropped.

    Attributes:
        request_sent: False when the failure provably happened before any byte of the
            request reached the server (so retrying a create cannot double-bill).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIResponseValidationError(APIError):
    """A success response whose body does not decode into the expected model.

    Attributes:
        status_code: The HTTP status.
        raw_body: The body as received, for inspection.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        raw_body: bytes,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.raw_body = raw_body


class WaitTimeoutError(TavusError, TimeoutError):
    """A waiter gave up before the work finished.

    Attributes:
        last: The last state the waiter saw (a model), when it saw one.
    """

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class JobFailedError(TavusError):
    """Long-running work (training, generation, processing) ended in an error.

    Attributes:
        resource_id: The id of the replica, video or document.
        status: The final status Tavus reported.
        error_message: Tavus's own error text.
        error_code: Tavus's own error code, when it gave one.
        last: The final model.
    """

    def __init__(
        self,
        message: str,
        *,
        resource_id: str,
        status: str | None,
        error_message: str | None,
        error_code: str | None = None,
        last: Any = None,
    ) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.status = status
        self.error_message = error_message
        self.error_code = error_code
        self.last = last


class RoomError(TavusError):
    """The room connector failed."""


class JoinError(RoomError):
    """Joining the conversation's room failed or timed out."""


class SendError(RoomError):
    """A message could not be delivered to the room."""


class MessageTooLargeError(SendError, ValueError):
    """The encoded message is larger than the app-message size limit.

    Raised before any I/O, by :func:`tavus_async.interactions.messages.encode` and by every
    transport's ``send`` alike (so ``Room.send`` raises it too). It is a :class:`SendError`
    and a :class:`ValueError`.

    Attributes:
        size: The encoded size in bytes.
        limit: The limit it exceeded.
        event_type: The message's event type (``"app-message"`` for a dict without one).
    """

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        self.event_type = event_type
        self.size = size
        self.limit = limit
        hint = (
            "send shorter audio chunks (see interactions.audio)"
            if event_type == "conversation.echo"
            else "shorten the text, or split it over several messages"
        )
        super().__init__(
            f"message too large: the {event_type} message is {size} bytes encoded, over the "
            f"{limit}-byte app-message limit (max_size); {hint}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.event_type, self.size, self.limit))


class RoomClosedError(RoomError):
    """The room was left or closed; nothing more can be sent."""
