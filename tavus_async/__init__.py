"""tavus-async: an asyncio-first Python SDK for the Tavus Conversational Video Interface.

Example::

    from tavus_async import AsyncTavus

    async with AsyncTavus() as tavus:
        page = await tavus.personas.list(limit=10)
"""

from ._client import DEFAULT_BASE_URL, AsyncTavus
from ._http import APIResponse, ResponseCapture
from ._pagination import AsyncPage, AsyncPaginator
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    JobFailedError,
    JoinError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RoomClosedError,
    RoomError,
    SendError,
    TavusError,
    UnprocessableEntityError,
    WaitTimeoutError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPage",
    "AsyncPaginator",
    "AsyncTavus",
    "AuthenticationError",
    "BadRequestError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "JobFailedError",
    "JoinError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseCapture",
    "RoomClosedError",
    "RoomError",
    "SendError",
    "TavusError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "__version__",
]
