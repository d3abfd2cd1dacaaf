"""``DailyTransport``: joins a Tavus conversation's Daily room with daily-python.

daily-python delivers every completion and event on one native thread per ``CallClient``
(``daily-emitter``), never the event loop's. The rules this module follows come from measuring
it (``shared/design/daily-python.md``):

- ``Daily.init()`` runs once per process behind a lock: a second call aborts the process.
- The event handler only *schedules* onto the loop with ``call_soon_threadsafe``. It never
  blocks, waits or calls back into the SDK, because the SDK holds its handler lock (and the
  callback thread) while it runs.
- Each request gets its own asyncio future; its completion is marshalled with
  ``call_soon_threadsafe``, ignoring a closed loop and an already-settled future (completions
  are not FIFO and may land after a timeout).
- ``leave()`` then ``release()``; ``release()`` blocks until pending work ends (19 s behind an
  unreachable join), so it runs in a worker thread, never on the loop or in a callback.
- Daily's errors are strings; they become :class:`~tavus_async.errors.JoinError` /
  :class:`~tavus_async.errors.SendError` keeping the text. ``on_error`` repeats every failed
  request as ``"Error handling <op>: ..."``; those copies are dropped (the caller already got
  the exception) and only standalone errors are logged.

``daily`` is imported lazily: without the extra, creating a ``DailyTransport`` raises an
``ImportError`` that says ``pip install 'tavus-async[daily]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import deque
from collections.abc import Callable, Collection, Mapping
from types import ModuleType
from typing import Any, Protocol

import anyio

from .._logging import logger, redact
from ..errors import InvalidInputError, JoinError, MissingExtraError, RoomClosedError, SendError
from ._cancel import complete_then_reraise
from ._transport_base import TransportBase, prepare_app_message
from .transport import (
    REPLICA_USER_ID_HINT,
    AppMessage,
    CallState,
    EventSink,
    JoinInfo,
    Participant,
    PeerJoined,
    PeerLeft,
    TransportDisconnected,
)

__all__ = [
    "MEDIA_KINDS",
    "CallClientLike",
    "DailyTransport",
    "ensure_daily_initialized",
    "import_daily",
    "subscription_profiles",
]

_INSTALL_HINT = "DailyTransport needs daily-python: pip install 'tavus-async[daily]'"
_DUPLICATE_ERROR_PREFIX = "Error handling "

_init_lock = threading.Lock()
_initialized = False


def import_daily() -> ModuleType:
    """Import daily-python, or raise an ``ImportError`` naming the extra to install."""
    try:
        import daily
    except ImportError as exc:  # pragma: no cover - the extra is installed in our test env
        raise MissingExtraError(_INSTALL_HINT) from exc
    return daily


def ensure_daily_initialized() -> ModuleType:
    """Run ``Daily.init()`` exactly once per process (a second call would abort the process).

    Note: libraries with their own private init flag (pipecat) cannot see ours; do not mix
    them in one process.
    """
    global _initialized
    daily = import_daily()
    with _init_lock:
        if not _initialized:
            daily.Daily.init()
            _initialized = True
    return daily


class CallClientLike(Protocol):
    """The part of ``daily.CallClient`` the transport uses (the fake in tests implements it)."""

    def join(
        self,
        meeting_url: str,
        meeting_token: str | None = None,
        client_settings: Mapping[str, Any] | None = None,
        completion: Callable[[Any, Any], None] | None = None,
    ) -> None: ...

    def leave(self, completion: Callable[[Any], None] | None = None) -> None: ...

    def send_app_message(
        self,
        message: Any,
        participant_id: str | None = None,
        completion: Callable[[Any], None] | None = None,
    ) -> None: ...

    def update_subscription_profiles(
        self,
        profile_settings: Mapping[str, Any],
        completion: Callable[[Any], None] | None = None,
    ) -> None: ...

    def participants(self) -> Mapping[str, Any]: ...

    def release(self) -> None: ...


#: The media kinds a Daily subscription profile names (daily-python ``subscription_profiles()``).
MEDIA_KINDS = ("camera", "microphone", "screenVideo", "screenAudio")


def subscription_profiles(subscribe_media: Collection[str]) -> dict[str, Any]:
    """The ``base`` profile: ``subscribed`` for the kinds asked for, ``unsubscribed`` otherwise.

    Raises:
        ValueError: A kind that is not one of :data:`MEDIA_KINDS`.
    """
    unknown = sorted(set(subscribe_media) - set(MEDIA_KINDS))
    if unknown:
        raise InvalidInputError(
            f"subscribe_media: unknown media kind(s) {unknown}; choose from {list(MEDIA_KINDS)}"
        )
    return {
        "base": {
            kind: "subscribed" if kind in subscribe_media else "unsubscribed"
            for kind in MEDIA_KINDS
        }
    }


ClientFactory = Callable[[Any], CallClientLike]


#: Items handled per loop callback before yielding to other tasks (fairness under bursts).
_DRAIN_BATCH = 256


class _BridgeMixin:
    """Daily's event callbacks; each only hands a tuple to the loop.

    Runs on Daily's emitter thread. Must never block, wait, or call the SDK (deadlock), and
    must tolerate a loop that has closed under it.

    Items go into a deque (appends are atomic) and one ``call_soon_threadsafe`` wakes the loop
    for however many arrived meanwhile: under a burst the loop is woken once per batch, not
    once per event (each wake-up is a write to the loop's self-pipe).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[tuple[Any, ...]], None]):
        self._loop = loop
        self._deliver = deliver
        self._pending: deque[tuple[Any, ...]] = deque()
        self._scheduled = False
        self.closed = False

    def _post(self, *item: Any) -> None:
        if self.closed:
            return
        # Append first, then test the flag: `_drain` clears the flag before it pops, so either
        # it takes this item, or the flag is already clear here and a new drain is scheduled.
        # (Checking the flag first could strand the item until the next event: a final `left`
        # would never be seen.)
        self._pending.append(item)
        if self._scheduled:
            if self._loop.is_closed():  # the drain will never run: stop collecting
                self.closed = True
                self._pending.clear()
            return  # a drain is on its way and will take this item too
        self._scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop closed: nobody is listening any more
            self.closed = True
            self._pending.clear()

    def _drain(self) -> None:
        """On the loop thread: deliver what arrived, in order, a batch at a time."""
        # Cleared first: an item appended from now on schedules another drain, so none waits.
        self._scheduled = False
        pending = self._pending
        for _ in range(_DRAIN_BATCH):
            if not pending:
                return
            try:
                self._deliver(pending.popleft())
            except Exception:  # one bad item must not strand the ones behind it
                logger.exception("handling a Daily event failed")
        if pending and not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._drain)

    def on_app_message(self, message: Any, sender: str) -> None:
        self._post("app-message", message, sender)

    def on_participant_joined(self, participant: Mapping[str, Any]) -> None:
        self._post("participant-joined", participant)

    def on_participant_updated(self, participant: Mapping[str, Any]) -> None:
        self._post("participant-updated", participant)

    def on_participant_left(self, participant: Mapping[str, Any], reason: str) -> None:
        self._post("participant-left", participant, reason)

    def on_call_state_updated(self, state: str) -> None:
        self._post("call-state", state)

    def on_error(self, message: str) -> None:
        self._post("error", message)


_bridge_classes: dict[type, type] = {}


def _bridge_class(base: type) -> type:
    """The handler class: ``_BridgeMixin`` on top of ``daily.EventHandler`` (or ``object``)."""
    cls = _bridge_classes.get(base)
    if cls is None:
        # EventHandler.__new__ rejects keyword arguments, so the bridge takes positional ones.
        cls = type("_DailyBridge", (_BridgeMixin, base), {})
        _bridge_classes[base] = cls
    return cls


def _settle(fut: asyncio.Future[tuple[Any, ...]], args: tuple[Any, ...]) -> None:
    if not fut.done():  # a timed-out or cancelled request completes later: ignore it
        fut.set_result(args)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


class DailyTransport(TransportBase):
    """A :class:`~tavus_async.room.transport.Transport` on daily-python's ``CallClient``.

    Args:
        client_factory: Builds the call client from the event handler. Defaults to
            ``daily.CallClient`` (after ``Daily.init()``); tests pass a fake.
        replica_names: Opt-in: Daily user names that also identify the replica (for example
            the persona's name). By default only a participant whose ``userId`` contains
            ``tavus-replica`` is the replica (Tavus sets it through the meeting token; any
            client chooses its own user name). A name match is marked ``replica_rule=
            "user_name"`` and never outranks a ``userId`` match.
        client_settings: Passed to ``CallClient.join``; by default camera and microphone off.
        subscribe_media: The media to receive from the other participants, any of
            :data:`MEDIA_KINDS`. By default none: before the join the transport unsubscribes
            from every participant's camera, microphone and screen, since a bot that reads
            app messages only would otherwise receive and decode the replica's HD video
            (daily-python subscribes to everything by default). Each kind subscribed costs
            its bandwidth and decoding CPU for every remote participant (camera: the most,
            up to the sender's high layer; microphone: one Opus stream each); subscribe only
            to what you read, for example ``("microphone",)`` for the replica's voice with
            ``set_audio_renderer``.
        join_timeout: Outer bound on the join completion. daily-python itself takes about 19 s
            to give up on an unreachable room, so keep this above 20 s.
        send_timeout: Bound on each app message's completion.
        leave_timeout: Bound on the leave completion (it queues behind a pending join).
        release_timeout: Bound on waiting for ``release()`` in its worker thread.
    """

    def __init__(
        self,
        *,
        client_factory: ClientFactory | None = None,
        replica_names: Collection[str] = (),
        client_settings: Mapping[str, Any] | None = None,
        subscribe_media: Collection[str] = (),
        join_timeout: float = 30.0,
        send_timeout: float = 10.0,
        leave_timeout: float = 25.0,
        release_timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self._subscriptions = subscription_profiles(subscribe_media)
        if client_factory is None:
            daily = ensure_daily_initialized()
            self._handler_base: type = daily.EventHandler

            def client_factory(handler: Any) -> CallClientLike:
                return daily.CallClient(event_handler=handler)  # type: ignore[no-any-return]

        else:
            self._handler_base = object
        self._factory: ClientFactory = client_factory
        self._replica_names = frozenset(replica_names)
        self._client_settings = (
            dict(client_settings)
            if client_settings is not None
            else {"inputs": {"camera": {"isEnabled": False}, "microphone": {"isEnabled": False}}}
        )
        self._join_timeout = join_timeout
        self._send_timeout = send_timeout
        self._leave_timeout = leave_timeout
        self._release_timeout = release_timeout
        self._client: CallClientLike | None = None
        self._bridge: _BridgeMixin | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._secrets: tuple[str, ...] = ()
        self._join_future: asyncio.Future[tuple[Any, ...]] | None = None
        self._left_while_joining = False
        self._release_thread: threading.Thread | None = None
        self.standalone_errors = 0
        self.duplicate_errors = 0

    # -- inbound -------------------------------------------------------------------------------

    def _participant(self, raw: Any) -> Participant:
        if not isinstance(raw, Mapping):
            return Participant(id=str(raw))
        info = raw.get("info") or {}
        name = str(info.get("userName") or "")
        user_id = info.get("userId")
        user_id = str(user_id) if user_id is not None else None
        is_local = bool(info.get("isLocal", False))
        # The userId comes from Tavus's meeting token; a user name is whatever a client chose,
        # so it counts only when the caller opted in, and only below a userId match.
        rule: str | None = None
        if not is_local:
            if user_id is not None and REPLICA_USER_ID_HINT in user_id:
                rule = "user_id"
            elif name and name in self._replica_names:
                rule = "user_name"
        return Participant(
            id=str(raw.get("id", "")),
            name=name,
            is_local=is_local,
            is_replica=rule is not None,
            user_id=user_id,
            replica_rule=rule,
        )

    def _on_item(self, item: tuple[Any, ...]) -> None:
        """Runs on the loop thread for every callback Daily delivered."""
        if self._state == "left":
            return
        kind = item[0]
        if kind == "app-message":
            self._emit(AppMessage(item[1], str(item[2])))
        elif kind == "participant-joined":
            p = self._participant(item[1])
            if p.is_local or not p.id or p.id in self._participants:
                return
            self._participants[p.id] = p
            self._emit(PeerJoined(p))
        elif kind == "participant-updated":
            # The user name (which identifies the replica) may be set after the join.
            p = self._participant(item[1])
            known = self._participants.get(p.id)
            if known is not None and p.replica_rule != known.replica_rule:
                self._participants[p.id] = p
                if p.is_replica:  # the Room decides whether it may become the replica
                    self._emit(PeerJoined(p))
        elif kind == "participant-left":
            p = self._participant(item[1])
            known = self._participants.pop(p.id, p)
            self._emit(PeerLeft(known, str(item[2] or "left")))
        elif kind == "call-state":
            state = str(item[1])
            self._emit(CallState(state))
            if state == "left" and self._state == "joining":
                # Daily left the call before the join coroutine saw its completion (the
                # completion can even reach the loop after this event): join() decides.
                self._left_while_joining = True
            elif state == "left" and self._state == "joined":
                # Not initiated by us: ejected, room expired or ended, network lost.
                self._state = "disconnected"
                self._emit(TransportDisconnected("left", "Daily reported that the call was left"))
        elif kind == "error":
            text = self._clean(str(item[1]))
            if text.startswith(_DUPLICATE_ERROR_PREFIX):
                # A copy of a failed request's completion error: the caller already has it.
                self.duplicate_errors += 1
                logger.debug("Daily: %s", text)
            else:
                self.standalone_errors += 1
                logger.warning("Daily reported an error: %s", text)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "[REDACTED]")
        return redact(text)

    # -- requests ------------------------------------------------------------------------------

    def _request(self) -> tuple[asyncio.Future[tuple[Any, ...]], Callable[..., None]]:
        loop = self._loop
        assert loop is not None
        fut: asyncio.Future[tuple[Any, ...]] = loop.create_future()

        def completion(*args: Any) -> None:
            # Daily's thread: marshal to the loop; a closed loop means nobody waits any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, fut, args)

        return fut, completion

    def _open_client(self) -> CallClientLike:
        """Create the call client and its bridge (once), bound to the running loop."""
        if self._client is None:
            self._loop = asyncio.get_running_loop()
            self._bridge = _bridge_class(self._handler_base)(self._loop, self._on_item)
            self._client = self._factory(self._bridge)
        return self._client

    async def join(
        self,
        url: str,
        meeting_token: str | None,
        display_name: str,
        sink: EventSink,
    ) -> JoinInfo:
        """Join the Daily room at ``url``.

        Raises:
            JoinError: Daily refused or failed the join (its text is kept), or no completion
                came within ``join_timeout``.
        """
        self._check_unused()
        checks = (("URL", url), ("meeting token", meeting_token), ("name", display_name))
        for label, value in checks:
            # A NUL makes daily-python panic with a BaseException that `except Exception` misses.
            if value is not None and "\x00" in value:
                raise JoinError(f"the room {label} contains a NUL character")
        self._secrets = (meeting_token,) if meeting_token else ()
        self._sink = sink
        self._state = "joining"
        self._open_client()
        assert self._client is not None
        client = self._client
        try:
            with anyio.fail_after(self._join_timeout):
                data, error = await self._join_call(client, url, meeting_token, display_name)
        except JoinError:
            await self._teardown()
            raise
        except TimeoutError:
            await self._teardown()
            raise JoinError(
                f"Daily did not complete the join within {self._join_timeout:g} s"
            ) from None
        except BaseException:
            await self._teardown()
            raise
        if error is not None:
            await self._teardown()
            raise JoinError(f"Daily join failed: {self._clean(str(error))}")
        if self._state != "joining":  # left while the join was in flight
            raise RoomClosedError("the room was left while joining")
        if self._left_while_joining:  # joined, and Daily left the call at once
            self._emit(TransportDisconnected("left", "Daily left the call right after joining"))
            await self._teardown()
            raise JoinError("Daily left the call right after joining (ejected, or the room ended)")
        participants = (data or {}).get("participants") or {}
        local = participants.get("local") or {}
        self._local_id = str(local.get("id", "")) or None
        joined: list[Participant] = []
        for key, raw in participants.items():
            if key == "local":
                continue
            p = self._participant(raw)
            if p.id and p.id != self._local_id:
                self._participants.setdefault(p.id, p)
                joined.append(self._participants[p.id])
        self._state = "joined"
        return JoinInfo(local_id=self._local_id or "", participants=tuple(joined))

    async def _join_call(
        self, client: CallClientLike, url: str, meeting_token: str | None, display_name: str
    ) -> tuple[Any, ...]:
        """Set the name and the media subscriptions, then join; return the join completion."""
        try:
            set_user_name = getattr(client, "set_user_name", None)
            if set_user_name is not None:
                set_user_name(display_name)
            # Before the join, so no media flows in: daily-python subscribes to all by default.
            subscribed, completion = self._request()
            client.update_subscription_profiles(self._subscriptions, completion=completion)
        except Exception as exc:
            raise JoinError(f"Daily refused the join settings: {self._clean(str(exc))}") from None
        (error,) = await subscribed
        if error is not None:
            raise JoinError(f"Daily refused the media subscriptions: {self._clean(str(error))}")
        fut, completion = self._request()
        self._join_future = fut
        try:
            client.join(url, meeting_token, self._client_settings, completion=completion)
        except Exception as exc:
            raise JoinError(f"Daily refused the join: {self._clean(str(exc))}") from None
        # shield: a cancelled wait must not mark the join settled (Daily still runs it)
        return await asyncio.shield(fut)

    async def send(self, message: Any, recipient: str | None = None) -> None:
        """Send an app message to everyone, or to one participant id, and await its completion.

        Raises:
            RoomClosedError: Not joined, or already left or disconnected.
            MessageTooLargeError: Over the app-message limit, encoded (before any I/O).
            SendError: Not JSON, a recipient that is not a participant id, Daily's completion
                error (text kept), or no completion within ``send_timeout``.
        """
        if self._state != "joined":
            raise RoomClosedError(f"cannot send: the room is not joined (state {self._state})")
        await self._send(message, recipient)

    async def _send(self, message: Any, recipient: str | None) -> None:
        client = self._client
        if client is None:
            raise RoomClosedError("cannot send: the Daily client was released")
        # Daily gets the normalised builtins, the object whose JSON size was checked: it refuses
        # datetime, UUID, Decimal, Enum, bytes and int keys that msgspec (and so the simulator)
        # would accept.
        payload, _ = prepare_app_message(message)
        if recipient is not None and not _is_uuid(recipient):
            raise SendError(f"participant not found: {recipient!r} is not a Daily participant id")
        fut, completion = self._request()
        try:
            client.send_app_message(payload, recipient, completion=completion)
        except RuntimeError as exc:
            raise RoomClosedError(f"the Daily client is gone: {exc}") from None
        except Exception as exc:
            raise SendError(f"Daily refused the app message: {self._clean(str(exc))}") from None
        try:
            with anyio.fail_after(self._send_timeout):
                (error,) = await fut
        except TimeoutError:
            raise SendError(
                f"Daily did not complete the app message within {self._send_timeout:g} s"
            ) from None
        if error is not None:
            raise SendError(f"Daily could not deliver the app message: {self._clean(str(error))}")

    async def leave(self) -> None:
        """``leave()`` then ``release()`` in a worker thread; idempotent, bounded, never raises."""
        if self._state == "left":
            return
        await self._teardown()

    async def _teardown(self) -> None:
        """Leave and release, even if cancelled meanwhile (then re-raise that)."""
        await complete_then_reraise(self._teardown_now())

    async def _teardown_now(self) -> None:
        was = self._state
        self._state = "left"
        bridge, client = self._bridge, self._client
        if bridge is not None:
            bridge.closed = True  # no more events reach the loop
        if client is None:
            return
        join = self._join_future
        if was == "joining" and join is not None and not join.done():
            # The join is still running inside Daily (its room lookup retries for ~19 s) and
            # cannot be cancelled. Queue the leave behind it and release in a background
            # thread, which holds the client until Daily is done, so the caller's JoinError is
            # not held up. The thread ends by itself; wait_released() lets tests wait for it.
            with contextlib.suppress(Exception):
                client.leave()
            self._release_thread = _start_release_thread(client, None, None)
            self._client = None
            self._bridge = None
            return
        with anyio.CancelScope(shield=True):
            if was in ("joining", "joined", "disconnected"):
                fut, completion = self._request()
                try:
                    client.leave(completion=completion)
                except Exception as exc:
                    logger.debug("Daily leave raised: %s", type(exc).__name__)
                else:
                    with anyio.move_on_after(self._leave_timeout) as scope:
                        (error,) = await fut
                        if error is not None:
                            logger.debug("Daily leave completed with: %s", self._clean(str(error)))
                    if scope.cancelled_caught:
                        logger.warning(
                            "Daily did not complete leave within %.0f s; releasing anyway",
                            self._leave_timeout,
                        )
            released = await _release_in_thread(client, self._release_timeout)
        if released:
            self._client = None
            self._bridge = None
        else:
            logger.warning(
                "Daily's release() did not return within %.0f s; its thread is left to finish",
                self._release_timeout,
            )

    async def wait_released(self, timeout: float) -> bool:
        """Wait for a background release (after a join abandoned mid-flight); True when done."""
        thread = self._release_thread
        if thread is None:
            return self._client is None
        with anyio.move_on_after(timeout):
            while thread.is_alive():  # noqa: ASYNC110 - polling a thread, not a task
                await anyio.sleep(0.05)
        return not thread.is_alive()

    async def _send_unchecked(self, message: Any, recipient: str | None = None) -> None:
        """Send without the joined-state check (tests exercise Daily's own refusals)."""
        self._open_client()
        await self._send(message, recipient)


def _start_release_thread(
    client: CallClientLike,
    loop: asyncio.AbstractEventLoop | None,
    done: asyncio.Future[None] | None,
) -> threading.Thread:
    """Run ``client.release()`` in a dedicated thread; settle ``done`` on ``loop`` after it."""

    def run() -> None:
        try:
            client.release()
        except Exception as exc:  # "already released" and the like: nothing left to free
            logger.debug("Daily release raised: %s", type(exc).__name__)
        if loop is not None and done is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lambda: None if done.done() else done.set_result(None))

    thread = threading.Thread(target=run, name="tavus-daily-release", daemon=True)
    thread.start()
    return thread


async def _release_in_thread(client: CallClientLike, timeout: float) -> bool:
    """Call ``client.release()`` in a dedicated thread; True once it returned within ``timeout``.

    Never on the loop thread: release blocks until the client's pending work (a join to an
    unreachable room: ~19 s) has finished.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    thread = _start_release_thread(client, loop, done)
    with anyio.move_on_after(timeout, shield=True):
        await done
    if done.done():
        thread.join(timeout=1.0)
        return not thread.is_alive()
    return False
