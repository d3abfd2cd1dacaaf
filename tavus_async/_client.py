"""``AsyncTavus``: configuration, session ownership and the resource namespaces."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import aiohttp

from . import _version
from ._http import HTTPCore, ResponseCapture, capture_response
from ._logging import register_secret
from .errors import ConfigurationError
from .resources import (
    Conversations,
    Documents,
    Guardrails,
    Objectives,
    Personas,
    PronunciationDictionaries,
    Replicas,
    Tools,
    Videos,
    Voices,
)

__all__ = ["DEFAULT_BASE_URL", "AsyncTavus"]

DEFAULT_BASE_URL = "https://tavusapi.com"
_NOT_GIVEN: Any = object()


class _SessionHolder:
    """The aiohttp session shared by a client and its ``with_options`` copies."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self.session = session
        # An injected session belongs to the caller: we never close it.
        self.owned = session is None
        self.closed = False


class AsyncTavus:
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
        register_secret(key)
        self._api_key = key
        url = base_url or os.environ.get("TAVUS_BASE_URL") or DEFAULT_BASE_URL
        url = url.rstrip("/")
        if url.endswith("/v2"):
            url = url[: -len("/v2")]
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url must start with http:// or https://: {url!r}")
        self.base_url = url
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout)
        self.max_retries = max_retries
        self.max_retry_after = float(max_retry_after)
        self.retry_initial_delay = float(retry_initial_delay)
        self.retry_max_delay = float(retry_max_delay)
        self._default_headers = dict(default_headers or {})
        self._holder = _SessionHolder(session)
        self._is_copy = False
        self._http = HTTPCore(self)
        self._init_resources()

    def _init_resources(self) -> None:
        self.conversations = Conversations(self)
        self.personas = Personas(self)
        self.replicas = Replicas(self)
        self.objectives = Objectives(self)
        self.guardrails = Guardrails(self)
        self.documents = Documents(self)
        self.videos = Videos(self)
        self.voices = Voices(self)
        self.pronunciation_dictionaries = PronunciationDictionaries(self)
        self.tools = Tools(self)

    def __repr__(self) -> str:
        return f"AsyncTavus(base_url={self.base_url!r}, api_key='***')"

    @property
    def api_key_hint(self) -> str:
        """The last 4 characters of the key, to tell keys apart without showing them."""
        return "..." + self._api_key[-4:] if len(self._api_key) > 8 else "***"

    def with_options(
        self,
        *,
        timeout: float = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
        max_retry_after: float = _NOT_GIVEN,
        retry_initial_delay: float = _NOT_GIVEN,
        retry_max_delay: float = _NOT_GIVEN,
    ) -> AsyncTavus:
        """Return a copy with other options that shares this client's session.

        Closing the copy does nothing: the session belongs to the original client.

        Example::

            patient = tavus.with_options(timeout=120, max_retries=5)
            await patient.videos.get(video_id)
        """
        clone = object.__new__(AsyncTavus)
        clone.__dict__.update(self.__dict__)
        if timeout is not _NOT_GIVEN:
            if timeout <= 0:
                raise ConfigurationError(f"timeout must be positive: {timeout!r}")
            clone.timeout = float(timeout)
        if max_retries is not _NOT_GIVEN:
            if max_retries < 0:
                raise ConfigurationError(f"max_retries must be >= 0: {max_retries!r}")
            clone.max_retries = max_retries
        if max_retry_after is not _NOT_GIVEN:
            clone.max_retry_after = float(max_retry_after)
        if retry_initial_delay is not _NOT_GIVEN:
            clone.retry_initial_delay = float(retry_initial_delay)
        if retry_max_delay is not _NOT_GIVEN:
            clone.retry_max_delay = float(retry_max_delay)
        clone._is_copy = True
        clone._http = HTTPCore(clone)
        clone._init_resources()
        return clone

    def capture_response(self) -> contextlib.AbstractAsyncContextManager[ResponseCapture]:
        """Capture status, headers and raw body of the calls made inside the block.

        Example::

            async with tavus.capture_response() as raw:
                await tavus.personas.get(persona_id)
            print(raw.response.status_code, raw.response.headers)
        """
        return capture_response()

    def _headers(self, *, has_body: bool) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"tavus-async/{_version.__version__}",
            **self._default_headers,
            "x-api-key": self._api_key,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    async def _get_session(self) -> aiohttp.ClientSession:
        holder = self._holder
        if holder.closed:
            raise RuntimeError("this AsyncTavus client was closed; create a new one")
        if holder.session is None:
            # Created here, inside the running loop, never in __init__ (which may run outside one).
            holder.session = aiohttp.ClientSession()
        return holder.session

    async def aclose(self) -> None:
        """Close the session this client created (not one passed in, not from a copy)."""
        if self._is_copy:
            return
        holder = self._holder
        holder.closed = True
        session, holder.session = holder.session, None
        if session is not None and holder.owned:
            await session.close()

    async def __aenter__(self) -> AsyncTavus:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
