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
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import anyio
import msgspec

from .._logging import logger
from ..errors import JoinError, RoomClosedError, SendError
from ._cancel import complete_then_reraise
from ._transport_base import TransportBase, prepare_app_message
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


@dataclass(slots=True)
class _SharedSession:
    session: aiohttp.ClientSession
    users: int = 0


#: The session every transport of an event loop shares when it was not given one.
_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _SharedSession] = (
    weakref.WeakKeyDictionary()
)


def _acquire_session() -> aiohttp.ClientSession:
    """The running loop's shared session (made on first use); pair with :func:`_release_session`.

    One session and connector per loop instead of one per room: a room keeps its connection
    for its whole life, and a session per room cost about 6 KB and 25 objects the garbage
    collector walks (``benchmarks/README.md``, Scale).
    """
    loop = asyncio.get_running_loop()
    shared = _shared.get(loop)
    if shared is None or shared.session.closed:
        # limit=0: every room holds its connection as long as it is joined, so aiohttp's
        # default pool limit (100) would make the 101st room wait for a free connection.
        # No cookie jar: the rooms set no cookies, and one room's must never reach another.
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
        )
        shared = _shared[loop] = _SharedSession(session)
    shared.users += 1
    return shared.session


async def _release_session(session: aiohttp.ClientSession) -> None:
    """Give back a session from :func:`_acquire_session`; the last user closes it."""
    shared = _shared.get(asyncio.get_running_loop())
    if shared is None or shared.session is not session:  # pragma: no cover - defensive
        await session.close()
        return
    shared.users -= 1
    if shared.users <= 0:
        # Forget it before closing, so that a room joining meanwhile opens a fresh one.
        del _shared[asyncio.get_running_loop()]
        await session.close()


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

    Args:
        session: An aiohttp session to use. By default every transport of the event loop shares
            one session and connector, closed when the last of them leaves.
        connect_timeout: Seconds allowed for the upgrade and the ``joined`` frame.
        send_timeout: Seconds to wait for the server's ``ack`` of each message.
        heartbeat: WebSocket ping interval in seconds (``None`` disables pings).
        replica_json: Deliver the replica's app messages as their JSON text (``bytes``) rather
            than decoded; :class:`~tavus_async.room.Room` asks for this, since
            :func:`~tavus_async.interactions.events.decode` reads JSON straight into typed
            events without building dicts (cheaper, and nothing for the garbage collector to
            walk: ``benchmarks/README.md``, Scale). Other senders' messages stay decoded.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        connect_timeout: float = 30.0,
        send_timeout: float = 10.0,
        heartbeat: float | None = 20.0,
        replica_json: bool = False,
    ) -> None:
        super().__init__()
        self._replica_json = replica_json
        self._session = session
        self._own_session = session is None
        self._connect_timeout = connect_timeout
        self._send_timeout = send_timeout
        self._heartbeat = heartbeat
        self._ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self._reader: asyncio.Task[None] | None = None
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
        try:
            with anyio.fail_after(self._connect_timeout):
                if self._session is None:
                    self._session = _acquire_session()
                ws = await self._session.ws_connect(url, params=params, heartbeat=self._heartbeat)
                self._ws = ws
                info = await self._await_joined(ws, where)
        except JoinError:
            await self._teardown()
            raise
        except TimeoutError:
            await self._teardown()
            raise JoinError(
                f"no answer from the room at {where} within {self._connect_timeout:g} s"
            ) from None
        except aiohttp.WSServerHandshakeError as exc:
            await self._teardown()
            raise JoinError(
                f"the room at {where} refused the connection (HTTP {exc.status})"
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            await self._teardown()
            raise JoinError(
                f"could not connect to the room at {where}: {type(exc).__name__}"
            ) from None
        except BaseException:
            await self._teardown()
            raise
        self._state = "joined"
        self._reader = asyncio.get_running_loop().create_task(
            self._read(ws), name="tavus-ws-room-reader"
        )
        self._emit(CallState("joined"))
        return info

    async def _await_joined(
        self, ws: aiohttp.ClientWebSocketResponse[bool], where: str
    ) -> JoinInfo:
        msg = await ws.receive()
        if msg.type is not aiohttp.WSMsgType.TEXT:
            code = ws.close_code
            raise JoinError(f"the room at {where} closed the connection during join (code {code})")
        frame = self._decode(msg.data)
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

    @staticmethod
    def _decode(data: str | bytes) -> dict[str, Any] | None:
        try:
            frame = _decoder.decode(data)
        except msgspec.DecodeError:
            return None
        return frame if isinstance(frame, dict) else None

    async def _read(self, ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
        try:
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    if self._replica_json and self._replica_message(msg.data):
                        continue
                    frame = self._decode(msg.data)
                    if frame is None:
                        logger.warning("room sent a frame that is not a JSON object; ignored")
                        continue
                    self._handle(frame)
                elif msg.type is aiohttp.WSMsgType.ERROR:
                    logger.warning("room connection error: %s", type(ws.exception()).__name__)
        except Exception:
            logger.exception("room reader failed")
        finally:
            self._fail_pending("the room connection closed before the message was acknowledged")
            if self._state == "joined":
                self._state = "disconnected"
                reason, detail = self._end_reason or (
                    "connection-lost",
                    f"the room closed the connection (code {ws.close_code})",
                )
                self._emit(TransportDisconnected(reason, detail))

    def _replica_message(self, text: str) -> bool:
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
        ws = self._ws
        if self._state != "joined" or ws is None or ws.closed:
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
            await ws.send_str(frame.decode())
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
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise RoomClosedError(f"the room connection failed: {type(exc).__name__}") from None
        finally:
            self._pending.pop(msg_id, None)
        if error is not None:
            raise SendError(f"the room refused the message: {error}")

    async def leave(self) -> None:
        """Say goodbye, close the socket and the session; idempotent and never raises.

        It completes even when the caller is cancelled meanwhile, and then re-raises that
        cancellation.
        """
        if self._state == "left":
            return
        was_joined = self._state == "joined"
        self._state = "left"
        await complete_then_reraise(self._leave(was_joined))

    async def _leave(self, was_joined: bool) -> None:
        ws = self._ws
        if was_joined and ws is not None and not ws.closed:
            with anyio.move_on_after(2, shield=True), contextlib.suppress(Exception):
                await ws.send_str('{"type":"leave"}')
        await self._teardown_now()

    async def _teardown(self) -> None:
        """Close everything we hold, even if cancelled meanwhile (then re-raise that)."""
        await complete_then_reraise(self._teardown_now())

    async def _teardown_now(self) -> None:
        """Close everything we hold, bounded in time (runs in a task of its own)."""
        if self._state != "left":
            self._state = "left"
        with anyio.move_on_after(5, shield=True):
            reader, self._reader = self._reader, None
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
            ws, self._ws = self._ws, None
            if ws is not None and not ws.closed:
                with contextlib.suppress(Exception):
                    await ws.close()
            self._fail_pending("the room was left")
            session = self._session
            if self._own_session and session is not None:
                self._session = None
                with contextlib.suppress(Exception):
                    await _release_session(session)
