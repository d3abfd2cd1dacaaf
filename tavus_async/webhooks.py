"""Tavus webhooks: typed parsing of ``callback_url`` deliveries and a ready aiohttp handler.

Parse a delivery you received some other way::

    from tavus_async import webhooks

    event = webhooks.parse(body)        # bytes, str or a dict; raises only WebhookParseError
    match event:
        case webhooks.ShutdownWebhook() if event.ended_by_max_duration: ...
        case webhooks.TranscriptionReady(): save(event.conversation_id, event.turns())
        case webhooks.VideoCallback(status="ready"): publish(event.hosted_url)
        case webhooks.UnknownWebhook(): log.info("unhandled delivery: %s", event.reason)

Receive them with aiohttp (the one obvious way)::

    secret = webhooks.generate_secret()          # keep it in your settings, not in code
    receiver = webhooks.aiohttp_handler(on_event, secret=secret)
    receiver.attach(app, "/webhooks/tavus")       # POST route + closes pending work on cleanup
    url = webhooks.callback_url("https://api.example.com/webhooks/tavus", secret)
    await tavus.conversations.create(..., callback_url=url)

Tavus does not sign callbacks (rest-api-notes §6.6), so the handler authenticates each delivery
by a secret token in the URL's query (``?token=...``), compared in constant time. It answers 401
on a missing or wrong token, 413 on a body over ``max_body_bytes``, 400 on a body that is not a
JSON object, 405 to anything but POST, 503 while ``max_pending`` callbacks are still running or
after ``aclose()``, and 200 otherwise, duplicates included (so Tavus has nothing to retry). It
runs ``on_event`` in a task after answering. Redeliveries (same body) within ``dedupe_ttl`` are
dropped; pass ``dedupe_key`` to also fold Tavus's ``system.pal_joined`` / ``system.replica_joined``
twins, and ``dedupe=RedisDedupe(redis)`` to drop them across every backend instance. Every
outcome is counted in ``receiver.stats``.

Parsing is tolerant: an unknown shape gives :class:`UnknownWebhook` (with ``reason``), and a
non-essential field of an unexpected type is left at its default and reported in
``event.issues`` rather than costing the typed event.

Secrets: the token is never logged. Tavus echoes the URL back as ``webhook_url``; parsed events
show it with the token replaced by ``[REDACTED]`` (``event.raw`` keeps the delivery verbatim).
aiohttp's default access log prints the query string; serve with
``access_log_class=SafeAccessLogger`` (or ``access_log=None``) to keep tokens out of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import re
import secrets as _secrets
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import msgspec
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from yarl import URL

from ._logging import get_logger, redact, register_secret
from ._webhook_dedupe import (
    DedupeError,
    DedupeStore,
    MemoryDedupe,
    RedisDedupe,
    delivery_key,
    key_text,
)
from ._webhook_models import (
    CONVERSATION_EVENT_CLASSES,
    CanvasInteraction,
    ConversationWebhook,
    DocumentCallback,
    GuardrailCallback,
    ObjectiveCallback,
    PalJoined,
    PerceptionAnalysisWebhook,
    PerceptionUnavailable,
    PostCallActionExecuted,
    RecordingCopyFailed,
    RecordingReady,
    ReplicaJoinedWebhook,
    ReplicaTrainingCallback,
    ShutdownReason,
    ShutdownWebhook,
    TranscriptionReady,
    UnknownWebhook,
    VideoCallback,
    WebhookEvent,
)
from .errors import InvalidInputError, InvalidTypeError, TavusError, WaitTimeoutError
from .models import TranscriptEntry

__all__ = [
    "CONVERSATION_EVENT_CLASSES",
    "CanvasInteraction",
    "ConversationWebhook",
    "DedupeError",
    "DedupeStore",
    "DocumentCallback",
    "GuardrailCallback",
    "MemoryDedupe",
    "ObjectiveCallback",
    "PalJoined",
    "PerceptionAnalysisWebhook",
    "PerceptionUnavailable",
    "PostCallActionExecuted",
    "RecordingCopyFailed",
    "RecordingReady",
    "RedisDedupe",
    "ReplicaJoinedWebhook",
    "ReplicaTrainingCallback",
    "SafeAccessLogger",
    "ShutdownReason",
    "ShutdownWebhook",
    "TranscriptEntry",
    "TranscriptionReady",
    "UnknownWebhook",
    "VideoCallback",
    "WebhookEvent",
    "WebhookHandler",
    "WebhookParseError",
    "WebhookStats",
    "aiohttp_handler",
    "callback_url",
    "delivery_key",
    "generate_secret",
    "parse",
]

_log = get_logger("webhooks")
_E = TypeVar("_E", bound=WebhookEvent)

#: The shortest secret accepted; ``generate_secret()`` gives 43 characters.
MIN_SECRET_LENGTH = 16


class WebhookParseError(TavusError, ValueError):
    """A webhook body is not a JSON object, so it cannot be a Tavus callback."""


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_BY_EVENT_TYPE: dict[str, type[ConversationWebhook]] = {
    cls.EVENT_TYPE: cls for cls in CONVERSATION_EVENT_CLASSES
}
_ENVELOPE = ("event_type", "message_type", "conversation_id", "webhook_url", "timestamp")
# Fields read from the top level too when ``properties`` lacks them (payloads not documented).
_TOP_LEVEL_FALLBACK = (ObjectiveCallback, GuardrailCallback)
_ALIASES: dict[type[ConversationWebhook], dict[str, str]] = {
    # The 2026 verbose example spells it "reason".
    ShutdownWebhook: {"shutdown_reason": "reason"},
    # The in-room guardrail event says "guardrail".
    GuardrailCallback: {"guardrail_name": "guardrail"},
}


def parse(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any] | msgspec.Struct,
) -> WebhookEvent:
    """Parse one webhook delivery into a typed event.

    Args:
        body: The raw request body (bytes or str), or an already decoded JSON object. Events
            from ``GET /v2/conversations/{id}?verbose=true`` parse too, as dicts or as the
            client's ``Conversation.events`` items: ``[parse(e) for e in conv.events or []]``.

    Returns:
        The matching :class:`WebhookEvent` subclass. A JSON object of any other shape, or one
        that does not fit the class it claims to be, gives :class:`UnknownWebhook` with a
        ``reason``; unknown shapes never raise.

    Raises:
        WebhookParseError: ``body`` is not JSON, or is JSON but not an object.
    """
    obj = _load(body)
    try:
        return _classify(obj)
    except Exception as exc:  # the promise is "only WebhookParseError"; report, never raise
        return _unknown(obj, f"could not read the delivery: {type(exc).__name__}: {exc}")


def _load(body: object) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    if isinstance(body, msgspec.Struct):
        built = msgspec.to_builtins(body)
        if isinstance(built, dict):
            return built
    if not isinstance(body, bytes | bytearray | memoryview | str):
        raise WebhookParseError(
            f"a webhook body must be bytes, str, a mapping or a msgspec Struct, "
            f"not {type(body).__name__}"
        )
    obj = _decode_json(body)
    if not isinstance(obj, dict):
        kind = "array" if isinstance(obj, list) else type(obj).__name__
        raise WebhookParseError(
            f"the webhook body is a JSON {kind}, but Tavus callbacks are JSON objects"
        )
    return obj


def _decode_json(body: bytes | bytearray | memoryview | str) -> object:
    try:
        return msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        problem = str(exc)
    try:
        # Valid JSON that msgspec refuses (a UTF-8 BOM, lone surrogate escapes, 1e400) gets a
        # second look from the lenient stdlib reader before the body is called invalid.
        return json.loads(bytes(body) if isinstance(body, memoryview | bytearray) else body)
    except (ValueError, RecursionError):
        pass
    size = body.nbytes if isinstance(body, memoryview) else len(body)
    raise WebhookParseError(
        f"the webhook body ({size} bytes) is not valid JSON ({problem}); Tavus posts JSON "
        "objects, so check that only Tavus callbacks are sent to this URL"
    )


def _classify(obj: dict[str, Any]) -> WebhookEvent:
    event_type = obj.get("event_type")
    if event_type is not None:
        if not isinstance(event_type, str):
            return _unknown(obj, f"event_type is a {type(event_type).__name__}, not a string")
        cls = _BY_EVENT_TYPE.get(event_type) or _BY_EVENT_TYPE.get(event_type.strip().lower())
        if cls is None:
            lowered = event_type.lower()
            if "objective" in lowered:
                cls = ObjectiveCallback
            elif "guardrail" in lowered:
                cls = GuardrailCallback
            else:
                return _unknown(obj, f"unrecognised event_type {event_type!r}")
        return _conversation(cls, obj)
    # No envelope: the flat resource callbacks (rest-api-notes §6.3-6.5).
    if "video_id" in obj:
        return _flat(VideoCallback, obj)
    if "document_id" in obj:
        return _flat(DocumentCallback, obj)
    if "objectives_id" in obj or "objective_name" in obj:
        return _conversation(ObjectiveCallback, obj)
    if "guardrails_id" in obj or "guardrail_name" in obj:
        return _conversation(GuardrailCallback, obj)
    if "replica_id" in obj and "status" in obj and "conversation_id" not in obj:
        return _flat(ReplicaTrainingCallback, obj)
    return _unknown(
        obj,
        "no event_type and no resource id (video_id, document_id, replica_id + status); "
        "not a documented Tavus callback",
    )


def _conversation(cls: type[ConversationWebhook], obj: dict[str, Any]) -> WebhookEvent:
    props = obj.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return _unknown(obj, f"properties is a {type(props).__name__}, not an object")
    aliases = _ALIASES.get(cls, {})
    data: dict[str, Any] = {}
    for name in cls.PROPERTY_FIELDS:
        value = props.get(name)
        if value is None and name in aliases:
            value = props.get(aliases[name])
        if value is None and cls in _TOP_LEVEL_FALLBACK:
            value = obj.get(name)
            if value is None and name in aliases:
                value = obj.get(aliases[name])
        if value is not None:  # null means "absent": keep the field's default
            data[name] = value
    for name in _ENVELOPE:
        value = obj.get(name)
        if value is not None:
            data[name] = value
    data["properties"] = props
    try:
        event, issues = _convert(cls, data)
    except (msgspec.ValidationError, TypeError, ValueError) as exc:
        return _unknown(obj, f"{obj.get('event_type') or cls.__name__}: {exc}")
    if event.webhook_url is not None:
        event.webhook_url = redact(event.webhook_url)
    event._set_raw(obj, issues)
    return event


def _flat(cls: type[WebhookEvent], obj: dict[str, Any]) -> WebhookEvent:
    data = {k: v for k, v in obj.items() if v is not None}
    try:
        event, issues = _convert(cls, data)
    except (msgspec.ValidationError, TypeError, ValueError) as exc:
        return _unknown(obj, f"{cls.__name__}: {exc}")
    event._set_raw(obj, issues)
    return event


_FIELD_AT = re.compile(r"at `\$\.([A-Za-z_][A-Za-z0-9_]*)")


def _convert(cls: type[_E], data: dict[str, Any]) -> tuple[_E, tuple[str, ...]]:
    """``msgspec.convert`` that drops (and reports) badly typed fields that are not essential.

    Tavus payloads drift; a progress field turning from "40/100" into 40 should not cost the
    caller the typed event. Essential fields (ids, status, transcript) still fail the whole read.
    """
    issues: list[str] = []
    while True:
        try:
            return msgspec.convert(data, cls, strict=False), tuple(issues)
        except msgspec.ValidationError as exc:
            found = _FIELD_AT.search(str(exc))
            name = found.group(1) if found else None
            if name is None or name not in data or name in cls.ESSENTIAL:
                raise
            issues.append(f"{name} ignored: {exc}")
            del data[name]


def _unknown(obj: dict[str, Any], reason: str) -> UnknownWebhook:
    def text(key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) else None

    stamp = obj.get("timestamp")
    props = obj.get("properties")
    event = UnknownWebhook(
        event_type=text("event_type"),
        message_type=text("message_type"),
        conversation_id=text("conversation_id"),
        timestamp=stamp
        if isinstance(stamp, str | int | float) and not isinstance(stamp, bool)
        else None,
        properties=props if isinstance(props, dict) else {},
        reason=reason,
    )
    event._set_raw(obj)
    return event


# --------------------------------------------------------------------------------------------
# Securing the callback URL
# --------------------------------------------------------------------------------------------


def generate_secret(nbytes: int = 32) -> str:
    """Return a new URL-safe random secret for :func:`callback_url` (43 characters by default)."""
    return _secrets.token_urlsafe(nbytes)


def _check_secret(secret: object) -> str:
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        # Never echo the value: it is a secret even when it is a bad one.
        raise InvalidInputError(
            f"a webhook secret must be a string of at least {MIN_SECRET_LENGTH} characters; "
            "make one with tavus_async.webhooks.generate_secret()"
        )
    return secret


def callback_url(base_url: str, secret: str, *, param: str = "token") -> str:
    """Return ``base_url`` with ``secret`` added as the ``param`` query parameter.

    Pass the result as ``callback_url`` when creating conversations, replicas, videos and
    documents; :func:`aiohttp_handler` checks it. Existing query parameters are kept; an
    existing ``param`` is replaced.

    Args:
        base_url: The absolute http(s) URL of your webhook route (use https in production:
            the token travels in the URL).
        secret: At least 16 characters; see :func:`generate_secret`.
        param: The query parameter name (the handler's ``token_param``).

    Raises:
        ValueError: ``base_url`` is not an absolute http(s) URL, or ``secret`` is too short.
    """
    _check_secret(secret)
    try:
        url = URL(base_url)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"base_url is not a URL: {redact(str(base_url))!r} ({exc})"
        ) from None
    if not url.absolute or url.scheme not in ("http", "https") or not url.host:
        raise InvalidInputError(
            f"base_url must be an absolute http(s) URL such as "
            f"'https://api.example.com/webhooks/tavus', got {redact(base_url)!r}"
        )
    return str(url.update_query({param: secret}))


# --------------------------------------------------------------------------------------------
# The aiohttp handler
# --------------------------------------------------------------------------------------------

OnEvent = Callable[[WebhookEvent], Awaitable[None] | None]
DedupeKey = Callable[[bytes, WebhookEvent], Hashable]


@dataclass
class WebhookStats:
    """What a :class:`WebhookHandler` has done, counted since it was made."""

    #: Requests that reached the handler.
    received: int = 0
    #: Deliveries accepted and handed to ``on_event``.
    accepted: int = 0
    #: Deliveries answered 200 but dropped because the same one was accepted recently.
    duplicates: int = 0
    #: 401: missing or wrong token.
    unauthorized: int = 0
    #: 413: body over ``max_body_bytes``.
    too_large: int = 0
    #: 400: body not a JSON object.
    bad_request: int = 0
    #: 405: not a POST.
    wrong_method: int = 0
    #: 503: too many callbacks still running, or the handler is closed.
    rejected_busy: int = 0
    #: ``on_event`` calls that returned normally.
    handled: int = 0
    #: ``on_event`` calls that raised (each one is logged with its traceback).
    callback_errors: int = 0
    #: ``on_event`` calls cancelled by :meth:`WebhookHandler.aclose`.
    cancelled: int = 0
    #: Remembered deliveries forgotten early because the dedupe memory was full.
    dedupe_evicted: int = 0
    #: 503: the dedupe store (Redis) could not be reached, so the delivery was not taken.
    dedupe_errors: int = 0
    #: Claims given back (``on_event`` raised, was cancelled, or never ran: 503 busy), so a
    #: later copy of the delivery runs.
    dedupe_released: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict (for metrics or logs)."""
        return asdict(self)


def _body_key(body: bytes, _event: WebhookEvent) -> Hashable:
    return hashlib.sha256(body).digest()


class WebhookHandler:
    """An aiohttp request handler for Tavus callbacks; make one with :func:`aiohttp_handler`.

    Use it as a route handler (``app.router.add_post(path, handler)``) or call
    :meth:`attach`. ``pending`` is the number of ``on_event`` calls still running; ``join()``
    waits for them and ``aclose()`` finishes them (cancelling stragglers) and refuses new ones.
    """

    def __init__(
        self,
        on_event: OnEvent,
        *,
        secret: str | Sequence[str],
        max_body_bytes: int = 1_000_000,
        dedupe_size: int = 10_000,
        dedupe_ttl: float = 3600.0,
        dedupe_key: DedupeKey | None = None,
        dedupe: DedupeStore | None = None,
        max_pending: int = 10_000,
        token_param: str = "token",
    ) -> None:
        if not callable(on_event):
            raise InvalidTypeError("on_event must be a function (sync or async) taking one event")
        secret_list = [secret] if isinstance(secret, str) else list(secret)
        if not secret_list:
            raise InvalidInputError(
                "at least one webhook secret is required; see generate_secret()"
            )
        for item in secret_list:
            _check_secret(item)
            register_secret(item)  # the tavus_async logger masks it from now on
        if max_body_bytes < 1:
            raise InvalidInputError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
        if dedupe_size < 0 or dedupe_ttl < 0:
            raise InvalidInputError(
                "dedupe_size and dedupe_ttl must be >= 0 (0 turns deduping off)"
            )
        if max_pending < 1:
            raise InvalidInputError(f"max_pending must be at least 1, got {max_pending}")
        self._on_event = on_event
        self._secrets = [s.encode() for s in secret_list]
        self._max_body = max_body_bytes
        if dedupe is not None and not isinstance(dedupe, DedupeStore):
            raise InvalidTypeError(
                "dedupe must be a tavus_async.webhooks.DedupeStore (MemoryDedupe, RedisDedupe "
                f"or a subclass), not {type(dedupe).__name__}"
            )
        self._dedupe = dedupe if dedupe is not None else MemoryDedupe(dedupe_size)
        self._dedupe_ttl = dedupe_ttl
        self._dedupe_key = dedupe_key or _body_key
        self._max_pending = max_pending
        self._token_param = token_param
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.stats = WebhookStats()
        _mark_coroutine_function(self)

    def __repr__(self) -> str:
        return (
            f"WebhookHandler(on_event={getattr(self._on_event, '__qualname__', '?')}, "
            f"pending={self.pending}, closed={self._closed})"
        )

    @property
    def pending(self) -> int:
        """How many ``on_event`` calls are scheduled or running."""
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`; new deliveries get 503."""
        return self._closed

    def attach(self, app: web.Application, path: str = "/webhooks/tavus") -> web.AbstractRoute:
        """Add a POST route for this handler to ``app`` and close it on the app's cleanup."""
        route = app.router.add_post(path, self.handle)
        app.on_cleanup.append(self._on_cleanup)
        return route

    async def _on_cleanup(self, _app: web.Application) -> None:
        await self.aclose()

    def _token_ok(self, offered: str | None) -> bool:
        if offered is None:
            return False
        # Bytes, not str: compare_digest raises TypeError on non-ASCII str.
        given = offered.encode("utf-8", "surrogatepass")
        ok = False
        for expected in self._secrets:  # check every secret so timing does not say which
            ok |= hmac.compare_digest(given, expected)
        return ok

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """Handle one delivery (aiohttp calls this); same as :meth:`handle`."""
        return await self.handle(request)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Handle one delivery: check, read, parse, dedupe, answer, then schedule ``on_event``."""
        stats = self.stats
        stats.received += 1
        if request.method != "POST":
            stats.wrong_method += 1
            return web.Response(status=405, text="use POST", headers={"Allow": "POST"})
        if not self._token_ok(request.query.get(self._token_param)):
            stats.unauthorized += 1
            # request.path has no query string, so the offered token is not logged.
            _log.warning("webhook rejected (401, missing or wrong token) on %s", request.path)
            return web.Response(status=401, text="missing or wrong webhook token")
        if self._closed:
            stats.rejected_busy += 1
            return web.Response(status=503, text="webhook receiver is shutting down")
        body = await self._read_body(request)
        if body is None:
            stats.too_large += 1
            _log.warning(
                "webhook rejected (413, over %d bytes) on %s", self._max_body, request.path
            )
            return web.Response(status=413, text=f"body larger than {self._max_body} bytes")
        try:
            event = parse(body)
        except WebhookParseError as exc:
            stats.bad_request += 1
            _log.warning("webhook rejected (400) on %s: %s", request.path, exc)
            return web.Response(status=400, text=str(exc))
        try:
            key = self._dedupe_key(body, event)
        except Exception:
            # A broken dedupe_key must not cost the delivery; fall back to the body's hash.
            _log.exception("dedupe_key raised for %s; using the body hash", _label(event))
            key = _body_key(body, event)
        name = key_text(key)
        try:
            fresh = await self._dedupe.claim(name, self._dedupe_ttl)
        except DedupeError as exc:
            stats.dedupe_errors += 1
            _log.warning("webhook rejected (503): %s", exc)
            return web.Response(
                status=503, text="webhook dedupe store unavailable", headers={"Retry-After": "5"}
            )
        if not fresh:
            stats.duplicates += 1
            _log.info("duplicate webhook dropped: %s", _label(event))
            return web.Response(status=200, text="duplicate ignored")
        if len(self._tasks) >= self._max_pending:
            await self._release(name, event)  # not taken: a retry must find it unclaimed
            stats.rejected_busy += 1
            _log.warning("webhook rejected (503): %d callbacks still running", len(self._tasks))
            return web.Response(
                status=503, text="too many webhooks in progress", headers={"Retry-After": "1"}
            )
        if isinstance(self._dedupe, MemoryDedupe):
            stats.dedupe_evicted = self._dedupe.evicted
        stats.accepted += 1
        # Scheduled, not awaited: the 200 goes out before on_event runs.
        task = asyncio.get_running_loop().create_task(self._run(event, name), name=_label(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=200, text="ok")

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The body, or None when it is over the limit (read no further than the limit)."""
        declared = request.content_length
        if declared is not None and declared > self._max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(65536):
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _run(self, event: WebhookEvent, key: str) -> None:
        try:
            result = self._on_event(event)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            self.stats.cancelled += 1
            await asyncio.shield(self._release(key, event))
            raise
        except Exception:
            self.stats.callback_errors += 1
            _log.exception("webhook callback raised while handling %s", _label(event))
            await self._release(key, event)
        else:
            self.stats.handled += 1
            try:
                await self._dedupe.done(key)
            except DedupeError:  # the claim stands either way; nothing to undo
                _log.warning("dedupe store failed to record %s as done", _label(event))

    async def _release(self, key: str, event: WebhookEvent) -> None:
        """Give the claim back (callback failed or never ran), so a later copy runs."""
        try:
            await self._dedupe.release(key)
        except DedupeError as exc:
            _log.warning("could not release the dedupe claim of %s: %s", _label(event), exc)
        else:
            self.stats.dedupe_released += 1

    async def join(self, timeout: float | None = None) -> None:
        """Wait until every scheduled ``on_event`` call has finished.

        Raises:
            TimeoutError: ``timeout`` seconds passed first (the calls keep running).
        """

        async def _all() -> None:
            while self._tasks:
                await asyncio.wait(list(self._tasks))

        try:
            await asyncio.wait_for(_all(), timeout)
        except asyncio.TimeoutError:
            raise WaitTimeoutError(
                f"{self.pending} webhook callbacks still running after {timeout}s"
            ) from None

    async def aclose(self, timeout: float = 10.0) -> None:
        """Refuse new deliveries (503), wait up to ``timeout`` seconds, then cancel the rest.

        Safe to call more than once.
        """
        self._closed = True
        if not self._tasks:
            return
        _done, still = await asyncio.wait(list(self._tasks), timeout=timeout)
        for task in still:
            task.cancel()
        if still:
            _log.warning("cancelled %d webhook callbacks still running at close", len(still))
            await asyncio.gather(*still, return_exceptions=True)


def _mark_coroutine_function(obj: object) -> None:
    """Make ``inspect``/``asyncio`` see a callable object with an async ``__call__`` as async.

    aiohttp warns ("Bare functions are deprecated") about route handlers it does not recognise
    as coroutine functions, and an instance is not one by default.
    """
    mark = getattr(inspect, "markcoroutinefunction", None)
    if mark is not None:  # Python 3.12+
        mark(obj)
    legacy = getattr(asyncio.coroutines, "_is_coroutine", None)
    if legacy is not None:  # Python <= 3.11: asyncio.iscoroutinefunction reads this marker
        obj._is_coroutine = legacy  # type: ignore[attr-defined]


def _label(event: WebhookEvent) -> str:
    """A short, secret-free description of an event for logs and task names."""
    if isinstance(event, ConversationWebhook | UnknownWebhook):
        kind = event.event_type or type(event).__name__
        cid = event.conversation_id
        return f"{kind} (conversation {cid})" if cid else kind
    for attr in ("video_id", "document_id", "replica_id"):
        value = getattr(event, attr, None)
        if isinstance(value, str):
            return f"{type(event).__name__} ({attr} {value})"
    return type(event).__name__


def aiohttp_handler(
    on_event: OnEvent,
    *,
    secret: str | Sequence[str],
    max_body_bytes: int = 1_000_000,
    dedupe_size: int = 10_000,
    dedupe_ttl: float = 3600.0,
    dedupe_key: DedupeKey | None = None,
    dedupe: DedupeStore | None = None,
    max_pending: int = 10_000,
    token_param: str = "token",
) -> WebhookHandler:
    """Make an aiohttp route handler that receives Tavus callbacks and calls ``on_event``.

    Args:
        on_event: Called with each parsed :class:`WebhookEvent`, after the 200 has been sent,
            in a task the handler tracks. May be sync or async. Exceptions are logged and
            counted (``stats.callback_errors``), never raised into the server. A sync function
            runs on the event loop: keep it quick, or make it async.
        secret: The token your :func:`callback_url` carries; several during a rotation.
        max_body_bytes: Larger bodies get 413 (transcripts are the big ones; 1 MB is ample).
        dedupe_size: How many recent deliveries to remember; 0 turns deduping off.
        dedupe_ttl: How long (seconds) a delivery is remembered.
        dedupe_key: Identity of a delivery, from the raw body and the event; by default the
            SHA-256 of the body, so only byte-identical redeliveries are dropped.
        dedupe: Where claims are kept: a :class:`MemoryDedupe` of ``dedupe_size`` by default
            (this process only); :class:`RedisDedupe` shares them between every instance
            behind your load balancer. A delivery whose ``on_event`` raises is released, so a
            later copy of it runs (see :class:`DedupeStore`). When the store cannot be reached
            the delivery gets 503 and is counted in ``stats.dedupe_errors``.
        max_pending: With this many ``on_event`` calls still running, answer 503.
        token_param: The query parameter carrying the token.

    Returns:
        A :class:`WebhookHandler`: pass it to ``app.router.add_post`` or call its ``attach``.

    Raises:
        ValueError: A secret is shorter than 16 characters, or a limit is out of range.
    """
    return WebhookHandler(
        on_event,
        secret=secret,
        max_body_bytes=max_body_bytes,
        dedupe_size=dedupe_size,
        dedupe_ttl=dedupe_ttl,
        dedupe_key=dedupe_key,
        dedupe=dedupe,
        max_pending=max_pending,
        token_param=token_param,
    )


class SafeAccessLogger(AbstractAccessLogger):
    """An aiohttp access logger that logs the path without the query (where tokens live).

    ``web.AppRunner(app, access_log_class=SafeAccessLogger)`` or
    ``web.run_app(app, access_log_class=SafeAccessLogger)``.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log one request: client, method, path, status and duration."""
        self.logger.info(
            "%s %s %s %s %.1fms",
            request.remote,
            request.method,
            request.path,
            response.status,
            time * 1000,
        )
