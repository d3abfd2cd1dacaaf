"""``AsyncTavus``: configuration, session ownership and the resource namespaces."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar, overload

import aiohttp
from multidict import CIMultiDict

from ._catalog import CATALOG, ResourceNamespaces
from ._http import HTTPConfig, HTTPCore, ResponseCapture, SessionProvider, capture_response
from ._logging import register_secret
from ._retry import RetryPolicy
from .errors import ConfigurationError, InvalidInputError

__all__ = ["DEFAULT_BASE_URL", "AsyncTavus"]

DEFAULT_BASE_URL = "https://tavusapi.com"
_NOT_GIVEN: Any = object()
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

T = TypeVar("T")


class AsyncTavus(ResourceNamespaces):
    """An asynchronous client for the Tavus REST API.

    Example::

        async with AsyncTavus() as tavus:          # TAVUS_API_KEY from the environment
            page = await tavus.personas.list(limit=10)

    Args:
        api_key: The Tavus API key; defaults to the ``TAVUS_API_KEY`` environment variable.
        base_url: Defaults to ``TAVUS_BASE_URL`` or ``https://tavusapi.com`` (a trailing ``/v2``
            is accepted and dropped: paths carry it).
        timeout: Seconds for one attempt of one request, from connecting to the last byte.
        max_retries: Retries after the first attempt for retryable failures (see the README's
            "Retries" section: creates are retried only when that cannot double-bill).
        session: An ``aiohttp.ClientSession`` to use. We never close a session you pass in.
        default_headers: Extra headers sent with every request.
        connect_timeout: Seconds to establish a connection.
        max_retry_after: Give up rather than wait when the server's ``Retry-After`` asks for
            longer than this.

    Raises:
        ConfigurationError: No API key was given or found in the environment.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        default_headers: Mapping[str, str] | None = None,
        connect_timeout: float = 10.0,
        max_retry_after: float = 60.0,
        retry_initial_delay: float = 0.5,
        retry_max_delay: float = 8.0,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("TAVUS_API_KEY")
        if not key:
            raise ConfigurationError(
                "No Tavus API key: pass AsyncTavus(api_key=...) or set the TAVUS_API_KEY "
                "environment variable (keys are made at https://platform.tavus.io/api-keys). "
                "To run without an account, use tavus_async.testing.TavusSimulator."
            )
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds: {timeout!r}")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0: {max_retries!r}")
        key = _checked_key(key)
        url = _checked_base_url(base_url or os.environ.get("TAVUS_BASE_URL") or DEFAULT_BASE_URL)
        config = HTTPConfig(
            api_key=key,
            base_url=url,
            timeout=float(timeout),
            connect_timeout=float(connect_timeout),
            retry=RetryPolicy(
                max_retries=max_retries,
                initial_delay=float(retry_initial_delay),
                max_delay=float(retry_max_delay),
                max_retry_after=float(max_retry_after),
            ),
            sessions=SessionProvider(session),
            default_headers=MappingProxyType(dict(default_headers or {})),
            # Named in a 401's message (never the key itself), so the user knows what to fix.
            api_key_source=(
                "the api_key argument"
                if api_key is not None
                else "the TAVUS_API_KEY environment variable"
            ),
        )
        self._setup(config, is_copy=False)

    def _setup(self, config: HTTPConfig, *, is_copy: bool) -> None:
        self._config = config
        self._is_copy = is_copy
        self._http = HTTPCore(config)
        self._init_resources()

    def _init_resources(self) -> None:
        # One namespace per catalog row, bound to this client's request core; nested ones
        # (tavus.pals.skills) on their parent's namespace.
        for row in CATALOG:
            owner = self if row.parent is None else getattr(self, row.parent)
            setattr(owner, row.attribute, row.cls(self._http, row))

    @property
    def base_url(self) -> str:
        """The API's base URL, without ``/v2``."""
        return self._config.base_url

    @property
    def timeout(self) -> float:
        """Seconds for one attempt of one request."""
        return self._config.timeout

    @property
    def connect_timeout(self) -> float:
        """Seconds to establish a connection."""
        return self._config.connect_timeout

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self._config.retry.max_retries

    @property
    def max_retry_after(self) -> float:
        """The longest ``Retry-After`` this client waits for."""
        return self._config.retry.max_retry_after

    @property
    def retry_initial_delay(self) -> float:
        """Scale of the first backoff step, in seconds."""
        return self._config.retry.initial_delay

    @property
    def retry_max_delay(self) -> float:
        """Cap of one backoff step, in seconds."""
        return self._config.retry.max_delay

    def __repr__(self) -> str:
        return f"AsyncTavus(base_url={self.base_url!r}, api_key='***')"

    @property
    def api_key_hint(self) -> str:
        """The last 4 characters of the key, to tell keys apart without showing them."""
        key = self._config.api_key
        return "..." + key[-4:] if len(key) > 8 else "***"

    def with_options(
        self,
        *,
        api_key: str = _NOT_GIVEN,
        base_url: str = _NOT_GIVEN,
        default_headers: Mapping[str, str] = _NOT_GIVEN,
        timeout: float = _NOT_GIVEN,
        connect_timeout: float = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
        max_retry_after: float = _NOT_GIVEN,
        retry_initial_delay: float = _NOT_GIVEN,
        retry_max_delay: float = _NOT_GIVEN,
    ) -> AsyncTavus:
        """Return a copy with other options that shares this client's session.

        Closing the copy does nothing: the session belongs to the original client.

        Args:
            api_key: Another key (another Tavus account or a restricted key).
            base_url: Another API (``TAVUS_BASE_URL`` is not read again).
            default_headers: Headers merged over this client's default headers (a name given
                here replaces the header of that name whatever its case).
            timeout: Seconds for one attempt of one request.
            connect_timeout: Seconds to establish a connection.
            max_retries: Retries after the first attempt.
            max_retry_after: The longest ``Retry-After`` to wait for.
            retry_initial_delay: Scale of the first backoff step.
            retry_max_delay: Cap of one backoff step.

        Raises:
            ConfigurationError: An empty key, a base URL that is not http(s), or a value out of
                range.

        Example::

            patient = tavus.with_options(timeout=120, max_retries=5)
            await patient.videos.get(video_id)
            other = tavus.with_options(api_key=os.environ["OTHER_TAVUS_KEY"])
        """
        config = self._config
        retry = config.retry
        changes: dict[str, Any] = {}
        if api_key is not _NOT_GIVEN:
            changes["api_key"] = _checked_key(api_key)
            changes["api_key_source"] = "the api_key given to with_options()"
        if base_url is not _NOT_GIVEN:
            changes["base_url"] = _checked_base_url(base_url)
        if default_headers is not _NOT_GIVEN:
            merged = CIMultiDict(config.default_headers)
            for name, value in default_headers.items():
                merged[name] = value
            changes["default_headers"] = MappingProxyType(dict(merged))
        if timeout is not _NOT_GIVEN:
            changes["timeout"] = _positive("timeout", timeout)
        if connect_timeout is not _NOT_GIVEN:
            changes["connect_timeout"] = _positive("connect_timeout", connect_timeout)
        if max_retries is not _NOT_GIVEN:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ConfigurationError(f"max_retries must be an integer >= 0: {max_retries!r}")
            retry = dataclasses.replace(retry, max_retries=max_retries)
        if max_retry_after is not _NOT_GIVEN:
            retry = dataclasses.replace(
                retry, max_retry_after=_at_least_zero("max_retry_after", max_retry_after)
            )
        if retry_initial_delay is not _NOT_GIVEN:
            retry = dataclasses.replace(
                retry, initial_delay=_at_least_zero("retry_initial_delay", retry_initial_delay)
            )
        if retry_max_delay is not _NOT_GIVEN:
            retry = dataclasses.replace(
                retry, max_delay=_at_least_zero("retry_max_delay", retry_max_delay)
            )
        # Same session provider: the copy shares the original's session, never closes it.
        clone = object.__new__(AsyncTavus)
        clone._setup(dataclasses.replace(config, retry=retry, **changes), is_copy=True)
        return clone

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str] | None = ...,
        idempotent: bool | None = ...,
    ) -> Any: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str] | None = ...,
        idempotent: bool | None = ...,
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Call an endpoint this SDK does not model yet, with the same retries and errors.

        The escape hatch for what Tavus ships before this SDK does: the request goes through the
        client's session, key, timeouts and retry loop, and an error status raises the same
        :class:`~tavus_async.APIStatusError` subclasses as every other call.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: A path on the API host, starting with ``/v2/`` (never a full URL: the key is
                only sent to the configured ``base_url``).
            cast_to: A model (a msgspec Struct, or any type msgspec decodes) to decode into;
                without it the decoded JSON comes back as plain ``dict``/``list`` values.
            params: Query parameters (None values left out, lists comma-separated).
            json: A JSON body (dicts, lists or msgspec Structs).
            headers: Extra headers of this request.
            idempotent: Whether a retry cannot duplicate work (defaults: POST no, others yes).

        Returns:
            The decoded body (None for an empty body, such as a 204), or a ``cast_to``.

        Raises:
            InvalidInputError: An unknown method or a path that is not ``/v2/...``.
            APIStatusError: (a subclass) Tavus answered with an error status.
            APIConnectionError: The request did not complete after its retries.
            APIResponseValidationError: The body does not match ``cast_to``.

        Example::

            skills = await tavus.request("GET", "/v2/skills", params={"limit": 5})
        """
        verb = method.upper() if isinstance(method, str) else method
        if verb not in _METHODS:
            raise InvalidInputError(
                f"method must be one of {', '.join(sorted(_METHODS))}, got {method!r}"
            )
        if not isinstance(path, str) or not path.startswith("/v2/") or "://" in path:
            raise InvalidInputError(f"path must be an API path starting with /v2/, got {path!r}")
        resp = await self._http.request_response(
            verb, path, params=params, json=json, headers=headers, idempotent=idempotent
        )
        if cast_to is not None:
            return resp.parse(cast_to)
        return resp.json()

    def capture_response(self) -> contextlib.AbstractAsyncContextManager[ResponseCapture]:
        """Capture status, headers and raw body of the calls made inside the block.

        Failed calls are recorded too (their errors still raise), so the status and headers of
        a 4xx/5xx are there after the ``except``.

        Example::

            async with tavus.capture_response() as raw:
                await tavus.personas.get(persona_id)
            print(raw.response.status_code, raw.response.headers)
        """
        return capture_response()

    async def aclose(self) -> None:
        """Close the session this client created (not one passed in, not from a copy)."""
        if self._is_copy:
            return
        await self._config.sessions.aclose()

    async def __aenter__(self) -> AsyncTavus:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _checked_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError("api_key must be a non-empty string")
    register_secret(key)
    return key


def _checked_base_url(base_url: object) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string: {base_url!r}")
    url = base_url.rstrip("/")
    if url.endswith("/v2"):
        url = url[: -len("/v2")]
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must start with http:// or https://: {url!r}")
    return url


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number of seconds: {value!r}")
    return float(value)


def _at_least_zero(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigurationError(f"{name} must be a number of seconds >= 0: {value!r}")
    return float(value)
