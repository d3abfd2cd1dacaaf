"""``WebSocketTransport``: joins the simulator's rooms (``ws://.../rooms/<conversation_id>``).

The wire protocol is JSON text frames (see ``notes/wire.md``): the server answers the upgrade
with a ``joined`` frame, then pushes ``participant-joined``/``participant-left``/``app-message``
frames and acknowledges every ``app-message`` we send with an ``ack`` carrying an error text or
null. ``error`` and ``room-ended`` frames precede a server-side close.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from ssl import SSLContext
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import msgspec

from .._logging import logger
from ..errors import JoinError, RoomClosedError, SendError
from ._cancel import complete_then_reraise
from ._transport_base import TransportBase, prepare_app_message
from ._ws_client import ClientConnection, HandshakeError, open_connection
from .transport import (
    AppMessage,
    CallState,
    EventSink,
    JoinInfo,
    Participant,
    PeerJoined,
    PeerLeft,
    TransportDisconnected,
)

__all__ = ["WebSocketTransport"]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class _AppFrame(msgspec.Struct):
    """An inbound frame's kind and sender, its ``data`` left as undecoded JSON."""

    type: str = ""
    data: msgspec.Raw = msgspec.Raw()
    sender: str = msgspec.field(default="", name="from")


_app_frame_decoder = msgspec.json.Decoder(_AppFrame)


class _AckTimeout(Exception):
    """No acknowledgement came within the send timeout."""


def _expire(fut: asyncio.Future[str | None]) -> None:
    if not fut.done():
        fut.set_exception(_AckTimeout())


def _safe_url(url: str) -> str:
    """The URL without query or userinfo, so a token can never reach a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _participant(obj: Any) -> Participant:
    if not isinstance(obj, dict):
        return Participant(id=str(obj))
    return Participant(
        id=str(obj.get("participant_id", "")),
        name=str(obj.get("user_name") or ""),
        is_replica=bool(obj.get("is_replica", False)),
    )


class WebSocketTransport(TransportBase):
    """A :class:`~tavus_async.room.transport.Transport` over the simulator's WebSocket rooms.

    Each room is one WebSocket connection (:mod:`tavus_async.room._ws_client`): its messages
    are handled as they arrive, with no reader task and no queue between the socket and the
    room.

    Args:
        connect_timeout: Seconds allowed for the connection, the upgrade and the ``joined``
            frame.
        send_timeout: Seconds to wait for the server's ``ack`` of each message.
        heartbeat: WebSocket ping interval in seconds; the connection is dropped when a pong is
            not back within half of it (``None`` disables pings).
        replica_json: Deliver the replica's app messages as their JSON text (``bytes``) rather
            than decoded; :class:`~tavus_async.room.Room` asks for this, since
            :func:`~tavus_async.interactions.events.decode` reads JSON straight into typed
            events without building dicts (cheaper, and nothing for the garbage collector to
            walk: ``benchmarks/README.md``, Scale). Other senders' messages stay decoded.
        max_message_size: The largest message accepted, in bytes; a bigger one fails the
            connection (close code 1009).
        ssl: The TLS context for ``wss://`` rooms (default: verified against the system's
            CAs); pass one that trusts your own CA for a simulator served over TLS.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 30.0,
        send_timeout: float = 10.0,
        heartbeat: float | None = 20.0,
        replica_json: bool = False,
        max_message_size: int = 4 * 1024 * 1024,
        ssl: SSLContext | None = None,
    ) -> None:
        super().__init__()
        self._replica_json = replica_json
        self._connect_timeout = connect_timeout
        self._send_timeout = send_timeout
        self._heartbeat = heartbeat
        self._max_message_size = max_message_size
        self._ssl = ssl
        self._conn: ClientConnection | None = None
        #: While joining: the first message's waiter, then the messages that came after it
        #: (replayed once the Room has taken the join, so they reach it in the old order).
        self._first: asyncio.Future[bytes | None] | None = None
        self._early: list[tuple[bytes, bool]] | None = None
        self._closed_early: int | None = None
        self._pending: dict[str, asyncio.Future[str | None]] = {}
        self._ids = itertools.count(1)
        self._end_reason: tuple[str, str | None] | None = None

    async def join(
        self,
        url: str,
        meeting_token: str | None,
        display_name: str,
        sink: EventSink,
    ) -> JoinInfo:
        """Open the WebSocket and wait for the ``joined`` frame.

        Raises:
            JoinError: The room refused us (unknown room, bad token), the connection failed, or
                no ``joined`` frame came within ``connect_timeout``. The message names the room
                URL without its query string.
        """
        self._check_unused()
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("ws", "wss"):
            raise JoinError(f"WebSocketTransport joins ws:// or wss:// URLs, not {scheme or url!r}")
        self._state = "joining"
        self._sink = sink
        where = _safe_url(url)
        params = {"name": display_name}
        if meeting_token:
            params["t"] = meeting_token
        loop = asyncio.get_running_loop()
        first: asyncio.Future[bytes | None] = loop.create_future()
        self._first, self._early = first, []
        try:
            with anyio.fail_after(self._connect_timeout):
                self._conn = await open_connection(
                    url,
                    params,
                    on_message=self._on_message,
                    on_closed=self._on_closed,
                    max_size=self._max_message_size,
                    tls=self._ssl,
                )
                info = await self._await_joined(first, where)
        except BaseException as exc:
            await self._teardown()
            failure = self._join_failure(exc, where)
            if failure is None:
                raise
            raise failure from None
        self._state = "joined"
        if self._heartbeat:
            self._conn.heartbeat(self._heartbeat)
        self._emit(CallState("joined"))
        # What came with the `joined` frame is handled on the next turn of the loop, after the
        # caller has taken the join (its participants first), as a reader task would have.
        loop.call_soon(self._replay_early)
        return info

    def _join_failure(self, exc: BaseException, where: str) -> JoinError | None:
        """The :class:`JoinError` that says why the join failed; ``None`` to re-raise ``exc``."""
        if isinstance(exc, TimeoutError):  # before OSError: it is one
            return JoinError(
                f"no answer from the room at {where} within {self._connect_timeout:g} s"
            )
        if isinstance(exc, HandshakeError):
            what = f"HTTP {exc.status}" if exc.status else str(exc)
            return JoinError(f"the room at {where} refused the connection ({what})")
        if isinstance(exc, (OSError, UnicodeError)):
            return JoinError(f"could not connect to the room at {where}: {type(exc).__name__}")
        return None  # a JoinError already, a cancellation, or a bug: as it is

    async def _await_joined(self, first: asyncio.Future[bytes | None], where: str) -> JoinInfo:
        data = await first
        if data is None:
            closed = self._conn.close_code if self._conn is not None else 1006
            raise JoinError(
                f"the room at {where} closed the connection during join (code {closed})"
            )
        frame = self._decode(data)
        kind = frame.get("type") if frame is not None else None
        if kind == "error":
            code = frame.get("code") if frame else None
            text = frame.get("message") if frame else None
            raise JoinError(f"the room at {where} refused the join: {code}: {text}")
        if kind != "joined" or frame is None:
            raise JoinError(f"the room at {where} sent {kind!r} instead of 'joined'")
        self._local_id = str(frame.get("participant_id", ""))
        others = [_participant(p) for p in frame.get("participants") or ()]
        for p in others:
            self._participants[p.id] = p
        cid = frame.get("conversation_id")
        return JoinInfo(
            local_id=self._local_id,
            participants=tuple(others),
            conversation_id=cid if isinstance(cid, str) else None,
        )

    def _replay_early(self) -> None:
        early, self._early = self._early, None
        for data, text in early or ():
            self._on_message(data, text)
        code, self._closed_early = self._closed_early, None
        if code is not None:
            self._on_closed(code)

    # -- inbound: called by the connection as messages arrive (on the loop, never awaits) -------

    def _on_message(self, data: bytes, text: bool) -> None:
        first = self._first
        if first is not None:
            self._first = None
            if not first.done():
                first.set_result(data if text else None)
            return
        if self._early is not None:
            self._early.append((data, text))
            return
        if not text:
            logger.debug("room sent a binary frame; ignored")
            return
        try:
            if self._replica_json and self._replica_message(data):
                return
            frame = self._decode(data)
            if frame is None:
                logger.warning("room sent a frame that is not a JSON object; ignored")
                return
            self._handle(frame)
        except Exception:  # the socket's callback must survive a bug in handling one frame
            logger.exception("room frame handling failed")

    def _on_closed(self, code: int) -> None:
        first, self._first = self._first, None
        if first is not None and not first.done():
            first.set_result(None)
        if self._early is not None:
            # Still joining, or joined with the early messages still to replay: end after them.
            self._closed_early = code
            return
        self._fail_pending("the room connection closed before the message was acknowledged")
        if self._state == "joined":
            self._state = "disconnected"
            failure = self._conn.failure if self._conn is not None else None
            reason, detail = self._end_reason or (
                "connection-lost",
                failure or f"the room closed the connection (code {code})",
            )
            self._emit(TransportDisconnected(reason, detail))

    @staticmethod
    def _decode(data: str | bytes) -> dict[str, Any] | None:
        try:
            frame = _decoder.decode(data)
        except msgspec.DecodeError:
            return None
        return frame if isinstance(frame, dict) else None

    def _replica_message(self, text: bytes) -> bool:
        """Emit ``text`` if it is an app message from the replica, as JSON; say whether it was."""
        try:
            frame = _app_frame_decoder.decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return False  # the generic path reports it
        if frame.type != "app-message":
            return False
        sender = self._participants.get(frame.sender)
        if sender is None or not sender.is_replica:
            return False
        data = bytes(frame.data)
        if not data.lstrip().startswith(b"{"):
            return False  # not an object (a string holding JSON, say): decoded as before
        self._emit(AppMessage(data, frame.sender))
        return True

    def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "app-message":
            self._emit(AppMessage(frame.get("data"), str(frame.get("from", ""))))
        elif kind == "ack":
            fut = self._pending.pop(str(frame.get("id")), None)
            if fut is not None and not fut.done():
                error = frame.get("error")
                fut.set_result(None if error is None else str(error))
        elif kind == "participant-joined":
            p = _participant(frame.get("participant"))
            if p.id and p.id != self._local_id and p.id not in self._participants:
                self._participants[p.id] = p
                self._emit(PeerJoined(p))
        elif kind == "participant-left":
            p = _participant(frame.get("participant"))
            known = self._participants.pop(p.id, p)
            self._emit(PeerLeft(known, str(frame.get("reason") or "left")))
        elif kind == "room-ended":
            self._end_reason = ("room-ended", str(frame.get("reason") or "") or None)
        elif kind == "error":
            self._end_reason = (
                str(frame.get("code") or "error"),
                str(frame.get("message") or "") or None,
            )
        else:
            logger.debug("room sent an unknown frame type %r; ignored", kind)

    def _fail_pending(self, why: str) -> None:
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(RoomClosedError(why))

    async def send(self, message: Any, recipient: str | None = None) -> None:
        """Send ``message`` (any JSON value) and wait for the room's acknowledgement.

        Raises:
            RoomClosedError: Not joined, already left, or the connection dropped.
            MessageTooLargeError: Over the app-message limit, encoded (before any I/O).
            SendError: The message is not JSON (see
                :func:`~tavus_async.room._transport_base.prepare_app_message`), the recipient is
                unknown, or no acknowledgement came within ``send_timeout``.
        """
        conn = self._conn
        if self._state != "joined" or conn is None or conn.closed:
            raise RoomClosedError(f"cannot send: the room is not joined (state {self._state})")
        _, data = prepare_app_message(message)
        msg_id = str(next(self._ids))
        frame = b'{"type":"app-message","id":%s,"recipient":%s,"data":%s}' % (
            _encoder.encode(msg_id),
            _encoder.encode(recipient or "*"),
            data,
        )
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[str | None] = loop.create_future()
        self._pending[msg_id] = fut
        try:
            conn.send_text(frame)
            await conn.drain()
            # A timer rather than a cancel scope: four fewer objects per message in flight,
            # which the garbage collector walks with thousands of rooms (benchmarks/, Scale).
            timer = loop.call_later(self._send_timeout, _expire, fut)
            try:
                error = await fut
            finally:
                timer.cancel()
        except _AckTimeout:
            raise SendError(
                f"the room did not acknowledge the message within {self._send_timeout:g} s"
            ) from None
        finally:
            self._pending.pop(msg_id, None)
        if error is not None:
            raise SendError(f"the room refused the message: {error}")

    async def leave(self) -> None:
        """Say goodbye and close the connection; idempotent and never raises.

        It completes even when the caller is cancelled meanwhile, and then re-raises that
        cancellation.
        """
        if self._state == "left":
            return
        was_joined = self._state == "joined"
        self._state = "left"
        await complete_then_reraise(self._leave(was_joined))

    async def _leave(self, was_joined: bool) -> None:
        conn = self._conn
        if was_joined and conn is not None and not conn.closed:
            with contextlib.suppress(RoomClosedError):
                conn.send_text(b'{"type":"leave"}')
        await self._teardown_now()

    async def _teardown(self) -> None:
        """Close everything we hold, even if cancelled meanwhile (then re-raise that)."""
        await complete_then_reraise(self._teardown_now())

    async def _teardown_now(self) -> None:
        """Close the connection (the closing handshake, bounded in time) and fail the sends."""
        if self._state != "left":
            self._state = "left"
        conn, self._conn = self._conn, None
        if conn is not None:
            with anyio.move_on_after(5, shield=True):
                await conn.close(timeout=2.0)
        self._fail_pending("the room was left")
