"""A small RFC 6455 client connection: one asyncio protocol per room, messages handed on as they
arrive.

:class:`~tavus_async.room.websocket.WebSocketTransport` joins the simulator's rooms with it.
Written here rather than taken from aiohttp's ``ClientWebSocketResponse`` because a room is a
long-lived connection that only ever hands its messages to one callback, and aiohttp's client
carries a reader task, a message queue and the whole HTTP response per connection: at 1,000
rooms that was about 9 KB and, every time a room waited for its next message, eight objects for
the garbage collector to walk (``benchmarks/README.md``, Scale). Here a message goes from
``data_received`` straight to the callback, and a room holds one protocol object.

What it implements of RFC 6455, as a client: the opening handshake (``Sec-WebSocket-Key`` and
its ``Accept`` checked), masked frames out, unmasked frames in (a masked one is a protocol
error), fragmented messages, ping answered with pong, the closing handshake, and a size limit
per message. No extensions are offered, so none can be agreed (no compression).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..errors import RoomClosedError

__all__ = ["ClientConnection", "HandshakeError", "open_connection"]

#: RFC 6455 §1.3: the server proves it read our key by hashing it with this.
_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _BINARY, _CONTINUATION = 0x1, 0x2, 0x0
_CLOSE, _PING, _PONG = 0x8, 0x9, 0xA
#: Close codes (RFC 6455 §7.4.1).
NORMAL, PROTOCOL_ERROR, TOO_BIG, ABNORMAL = 1000, 1002, 1009, 1006
#: The most the response headers of the handshake may take.
_MAX_HEAD = 64 * 1024

#: Called with each complete message's payload, and whether it is text (else binary).
OnMessage = Callable[[bytes, bool], None]
#: Called once when the connection has ended, with the close code (1006 when none came).
OnClosed = Callable[[int], None]


class HandshakeError(Exception):
    """The server did not upgrade the connection; ``status`` is its HTTP status (0 if none)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class _ProtocolError(Exception):
    """The server broke RFC 6455; the connection is failed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def _mask(payload: bytes, key: bytes) -> bytes:
    """XOR ``payload`` with the 4-byte ``key`` repeated (as one big integer: C speed)."""
    n = len(payload)
    if not n:
        return payload
    stream = (key * ((n + 3) // 4))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def _frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 1 << 16:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    # RFC 6455 §5.3: the key must be unpredictable; a message costs one urandom call.
    key = os.urandom(4)
    return head + key + _mask(payload, key)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS context every ``wss://`` room shares.

    Making one loads the CA store: slow, and a few hundred KB each.
    """
    return ssl.create_default_context()


def _accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


class ClientConnection(asyncio.Protocol):
    """One WebSocket connection; made by :func:`open_connection`.

    Messages go to ``on_message`` from the event loop's reading callback, in order and without
    a task switch; ``on_message`` must not block (it may schedule work). ``on_closed`` runs
    once, when the connection has ended for whatever reason.
    """

    __slots__ = (
        "_beat",
        "_close_code",
        "_close_sent",
        "_closed",
        "_drained",
        "_fragment_opcode",
        "_fragment_size",
        "_fragments",
        "_handshake",
        "_head",
        "_interval",
        "_key",
        "_max_size",
        "_need",
        "_on_closed",
        "_on_message",
        "_paused",
        "_tail",
        "_transport",
        "failure",
    )

    def __init__(self, on_message: OnMessage, on_closed: OnClosed, max_size: int) -> None:
        self._transport: asyncio.Transport | None = None
        self._on_message = on_message
        self._on_closed = on_closed
        self._max_size = max_size
        #: Bytes received but not parsed yet (an incomplete frame), and how many a frame needs.
        self._tail = bytearray()
        self._need = 0
        self._head: bytearray | None = bytearray()  # the handshake response, until it ends
        self._handshake: asyncio.Future[None] | None = None
        self._key = ""
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self._fragment_size = 0
        self._paused = False
        self._drained: asyncio.Future[None] | None = None
        self._close_sent = False
        self._closed: asyncio.Future[None] | None = None
        self._close_code = ABNORMAL
        #: The heartbeat's one timer: the next ping, or the deadline for its pong.
        self._beat: asyncio.TimerHandle | None = None
        self._interval = 0.0
        self.failure: str | None = None
        """Why we ended the connection ourselves (a protocol error, a missed pong), if we did."""

    # -- the state callers read ----------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the connection has ended or we started closing it."""
        return self._transport is None or self._close_sent

    @property
    def close_code(self) -> int:
        """The close code the server sent (1006 until one came, or if none did)."""
        return self._close_code

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # A room's messages are small and each waits for an answer: without this, Nagle's
            # algorithm holds one back until the previous one is acknowledged (tens of ms).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._closed = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        if self._head is not None:
            rest = self._read_head(data)
            if rest is None:
                return
            data = rest
        tail = self._tail
        if tail:
            tail += data
            if len(tail) < self._need:
                return  # still short of the frame the tail holds: parse nothing yet
            data = bytes(tail)
            tail.clear()
        try:
            self._read_frames(data)
        except _ProtocolError as exc:
            self._fail(exc.code, str(exc))

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._head = None
        if self._handshake is not None and not self._handshake.done():
            self._handshake.set_exception(
                HandshakeError(0, "the server closed the connection during the handshake")
            )
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None
        for waiter in (self._drained, self._closed):
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        self._on_closed(self._close_code)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # -- the handshake ---------------------------------------------------------------------------

    def _start(self, host: str, target: str, key: str) -> asyncio.Future[None]:
        assert self._transport is not None
        self._key = key
        self._handshake = asyncio.get_running_loop().create_future()
        self._transport.write(
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode("latin-1")
        )
        return self._handshake

    def _read_head(self, data: bytes) -> bytes | None:
        """Collect the handshake response; return the bytes after it once it is complete."""
        head = self._head
        assert head is not None
        start = max(len(head) - 3, 0)
        head += data
        end = head.find(b"\r\n\r\n", start)
        waiter = self._handshake
        if end < 0:
            if len(head) > _MAX_HEAD and waiter is not None and not waiter.done():
                waiter.set_exception(HandshakeError(0, "the handshake response is too long"))
                self._abort()
            return None
        self._head = None
        problem = self._check_head(bytes(head[:end]))
        if waiter is not None and not waiter.done():
            if problem is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(problem)
        if problem is not None:
            self._abort()
            return None
        return bytes(head[end + 4 :])

    def _check_head(self, head: bytes) -> HandshakeError | None:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        try:
            status = int(parts[1])
        except (IndexError, ValueError):
            return HandshakeError(0, "the server's answer is not HTTP")
        if status != 101:
            return HandshakeError(status, f"HTTP {status}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("upgrade", "").lower() != "websocket":
            return HandshakeError(status, "the server did not upgrade to websocket")
        if headers.get("sec-websocket-accept") != _accept(self._key):
            return HandshakeError(status, "the server's Sec-WebSocket-Accept does not match")
        if headers.get("sec-websocket-extensions"):
            return HandshakeError(status, "the server agreed to an extension nobody offered")
        return None

    # -- frames in -------------------------------------------------------------------------------

    def _read_frames(self, data: bytes) -> None:
        pos, end = 0, len(data)
        self._need = 0
        while end - pos >= 2:
            first, second = data[pos], data[pos + 1]
            if second & 0x80:
                raise _ProtocolError(PROTOCOL_ERROR, "the server sent a masked frame")
            if first & 0x70:
                raise _ProtocolError(PROTOCOL_ERROR, "reserved bits set (no extension agreed)")
            size, start = second & 0x7F, pos + 2
            if size == 126:
                start += 2
                if end < start:
                    break
                size = int.from_bytes(data[pos + 2 : start], "big")
            elif size == 127:
                start += 8
                if end < start:
                    break
                size = int.from_bytes(data[pos + 2 : start], "big")
            if size > self._max_size:
                raise _ProtocolError(TOO_BIG, f"a frame of {size} bytes is over the limit")
            stop = start + size
            if stop > end:
                self._need = stop - pos
                break
            self._on_frame(first, data[start:stop])
            pos = stop
            transport = self._transport
            if transport is None or transport.is_closing():
                return  # a close frame (or a callback) ended the connection
        if pos < end:
            self._tail += data[pos:]
            if not self._need:  # only the header was short: a byte more may complete it
                self._need = len(self._tail) + 1

    def _on_frame(self, first: int, payload: bytes) -> None:
        opcode, final = first & 0x0F, bool(first & 0x80)
        if opcode >= 0x8:
            if not final or len(payload) > 125:
                raise _ProtocolError(PROTOCOL_ERROR, "a control frame was fragmented or too big")
            self._on_control(opcode, payload)
            return
        if opcode == _CONTINUATION:
            if not self._fragment_opcode:
                raise _ProtocolError(PROTOCOL_ERROR, "a continuation frame started a message")
        elif opcode in (_TEXT, _BINARY):
            if self._fragment_opcode:
                raise _ProtocolError(PROTOCOL_ERROR, "a new message inside a fragmented one")
            if final:
                self._on_message(payload, opcode == _TEXT)
                return
            self._fragment_opcode = opcode
        else:
            raise _ProtocolError(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        self._fragment_size += len(payload)
        if self._fragment_size > self._max_size:
            raise _ProtocolError(TOO_BIG, "a fragmented message is over the limit")
        self._fragments.append(payload)
        if final:
            message = b"".join(self._fragments)
            text = self._fragment_opcode == _TEXT
            self._fragments.clear()
            self._fragment_opcode = self._fragment_size = 0
            self._on_message(message, text)

    def _on_control(self, opcode: int, payload: bytes) -> None:
        if opcode == _PING:
            self._write(_PONG, payload)
        elif opcode == _PONG:
            if self._beat is not None and self._interval:
                self._beat.cancel()
                self._beat = asyncio.get_running_loop().call_later(self._interval, self._ping)
        elif opcode == _CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self._close_code = code
            if not self._close_sent:
                self._write(_CLOSE, payload[:2])  # echo the code: the closing handshake
                self._close_sent = True
            # RFC 6455 §7.1.1: the server closes the TCP connection first; we need not wait.
            if self._transport is not None:
                self._transport.close()
        else:  # pragma: no cover - _on_frame only passes control opcodes
            raise _ProtocolError(PROTOCOL_ERROR, f"unknown control opcode {opcode:#x}")

    # -- frames out ------------------------------------------------------------------------------

    def _write(self, opcode: int, payload: bytes) -> None:
        if self._transport is not None and not self._close_sent:
            self._transport.write(_frame(opcode, payload))

    def send_text(self, data: bytes) -> None:
        """Queue one text message (UTF-8 ``data``); see :meth:`drain` for flow control.

        Raises:
            RoomClosedError: The connection has ended or is closing.
        """
        if self.closed:
            raise RoomClosedError("cannot send: the room's connection is closed")
        self._write(_TEXT, data)

    async def drain(self) -> None:
        """Wait while the socket's write buffer is over its high-water mark."""
        if self._paused and self._transport is not None:
            if self._drained is None or self._drained.done():
                self._drained = asyncio.get_running_loop().create_future()
            await self._drained

    def heartbeat(self, interval: float) -> None:
        """Ping every ``interval`` seconds; end the connection if a pong is not back within half.

        Timers rather than a task: a room holds one timer handle for it, nothing more.
        """
        self._interval = interval
        self._beat = asyncio.get_running_loop().call_later(interval, self._ping)

    def _ping(self) -> None:
        if self.closed:
            return
        self._write(_PING, b"")
        self._beat = asyncio.get_running_loop().call_later(self._interval / 2, self._pong_missed)

    def _pong_missed(self) -> None:
        self._beat = None
        self.failure = f"no pong within {self._interval / 2:g} s of a ping"
        self._abort()

    async def close(self, code: int = NORMAL, timeout: float = 2.0) -> None:
        """Start the closing handshake and wait up to ``timeout`` for the server to end it."""
        if self._transport is None:
            return
        if not self._close_sent:
            self._write(_CLOSE, code.to_bytes(2, "big"))
            self._close_sent = True
        closed = self._closed
        if closed is not None and not closed.done():
            await asyncio.wait((closed,), timeout=timeout)
        self._abort()

    def _fail(self, code: int, reason: str) -> None:
        """RFC 6455 §7.1.7: fail the connection (a close frame with ``code``, then drop it)."""
        self.failure = reason
        self._write(_CLOSE, code.to_bytes(2, "big"))
        self._close_sent = True
        self._close_code = code
        self._abort()

    def _abort(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def open_connection(
    url: str,
    params: Mapping[str, str],
    *,
    on_message: OnMessage,
    on_closed: OnClosed,
    max_size: int = 4 * 1024 * 1024,
    tls: ssl.SSLContext | None = None,
) -> ClientConnection:
    """Connect to ``url`` (``ws://`` or ``wss://``) with ``params`` added to its query.

    The caller bounds the time (a cancel scope): this waits for the TCP connection and the
    server's 101. ``tls`` is the context for ``wss://`` (default: the system's CAs).

    Raises:
        HandshakeError: The server answered but did not upgrade (``status`` says how).
        OSError: The connection could not be made (refused, unreachable, TLS failure).
    """
    parts = urlsplit(url)
    secure = parts.scheme.lower() == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    target = (parts.path or "/") + (f"?{query}" if query else "")
    # The Host header is ASCII: a non-ASCII name in its IDNA form, an IPv6 literal bracketed.
    name = f"[{host}]" if ":" in host else host.encode("idna").decode("ascii")
    authority = name if parts.port is None else f"{name}:{parts.port}"
    loop = asyncio.get_running_loop()
    _, conn = await loop.create_connection(
        lambda: ClientConnection(on_message, on_closed, max_size),
        host,
        port,
        ssl=(tls or _tls()) if secure else None,
    )
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        await conn._start(authority, target, key)
    except BaseException:
        conn._abort()
        raise
    return conn
