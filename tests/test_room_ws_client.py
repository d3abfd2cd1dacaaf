"""The rooms' WebSocket connection (``room/_ws_client.py``) against real servers on loopback.

aiohttp's WebSocket server checks what a conforming server checks (our masking, the handshake);
a raw asyncio server sends what a conforming server never would (masked frames, fragments split
at every byte, oversized messages), to see the connection fail the way RFC 6455 says.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest
from aiohttp import WSMsgType, web

from tavus_async.errors import RoomClosedError
from tavus_async.room._ws_client import (
    ClientConnection,
    HandshakeError,
    _mask,
    open_connection,
)

pytestmark = pytest.mark.anyio

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Inbox:
    """What a connection handed on: messages (payload, is_text) and its close code."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, bool]] = []
        self.closed: list[int] = []
        self._changed = asyncio.Event()

    def on_message(self, data: bytes, text: bool) -> None:
        self.messages.append((data, text))
        self._changed.set()

    def on_closed(self, code: int) -> None:
        self.closed.append(code)
        self._changed.set()

    async def until(self, check: Callable[[], bool]) -> None:
        with anyio.fail_after(5):
            while not check():
                self._changed.clear()
                await self._changed.wait()


async def connect(url: str, inbox: Inbox, **kw: Any) -> ClientConnection:
    with anyio.fail_after(5):
        return await open_connection(
            url, {"name": "bot"}, on_message=inbox.on_message, on_closed=inbox.on_closed, **kw
        )


# --- against aiohttp's server ------------------------------------------------------------------


@pytest.fixture
async def echo_server() -> AsyncIterator[tuple[str, list[Any]]]:
    """Echoes text, reports its query and what it received; `close` closes with 4001."""
    seen: list[Any] = []

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        seen.append(dict(request.query))
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                seen.append(msg.data)
                if msg.data == "close":
                    await ws.close(code=4001, message=b"bye")
                elif msg.data == "ping":
                    await ws.ping(b"hi")
                else:
                    await ws.send_str(msg.data)
        seen.append(("closed", ws.close_code))
        return ws

    app = web.Application()
    app.router.add_get("/rooms/{cid}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"ws://127.0.0.1:{port}/rooms/c1?x=1", seen
    finally:
        await runner.cleanup()


async def test_messages_go_both_ways_masked_and_the_query_is_kept(
    echo_server: tuple[str, list[Any]],
) -> None:
    url, seen = echo_server
    inbox = Inbox()
    conn = await connect(url, inbox)
    big = "é" * 70_000  # a 64-bit length field, UTF-8 intact through the mask
    for text in ("hello", "x" * 300, big):
        conn.send_text(text.encode())
    await inbox.until(lambda: len(inbox.messages) == 3)
    assert [m.decode() for m, _ in inbox.messages] == ["hello", "x" * 300, big]
    assert all(is_text for _, is_text in inbox.messages)
    assert seen[0] == {"x": "1", "name": "bot"}
    await conn.close()
    await inbox.until(lambda: bool(inbox.closed))
    assert conn.closed
    assert inbox.closed == [1000]
    assert seen[-1] == ("closed", 1000)  # the server saw our closing handshake


async def test_a_server_close_is_answered_and_reported_with_its_code(
    echo_server: tuple[str, list[Any]],
) -> None:
    url, _ = echo_server
    inbox = Inbox()
    conn = await connect(url, inbox)
    conn.send_text(b"close")
    await inbox.until(lambda: bool(inbox.closed))
    assert inbox.closed == [4001]
    assert conn.close_code == 4001
    with pytest.raises(RoomClosedError, match="closed"):
        conn.send_text(b"late")


async def test_a_ping_is_answered(echo_server: tuple[str, list[Any]]) -> None:
    url, _seen = echo_server
    inbox = Inbox()
    conn = await connect(url, inbox)
    conn.send_text(b"ping")
    conn.send_text(b"after")  # the server reads on only once our pong is handled
    await inbox.until(lambda: len(inbox.messages) == 1)
    assert inbox.messages == [(b"after", True)]
    await conn.close()


async def test_a_heartbeat_answered_keeps_the_connection(
    echo_server: tuple[str, list[Any]],
) -> None:
    url, _ = echo_server
    inbox = Inbox()
    conn = await connect(url, inbox)
    conn.heartbeat(0.05)
    await asyncio.sleep(0.4)  # about eight pings, each answered by aiohttp's server
    assert not conn.closed
    assert inbox.closed == []
    assert conn.failure is None
    conn.send_text(b"still here")
    await inbox.until(lambda: bool(inbox.messages))
    assert inbox.messages == [(b"still here", True)]
    await conn.close()


async def test_an_http_refusal_is_a_handshake_error_with_its_status(
    echo_server: tuple[str, list[Any]],
) -> None:
    url, _ = echo_server
    with pytest.raises(HandshakeError) as info:
        await connect(url.replace("/rooms/c1", "/nowhere"), Inbox())
    assert info.value.status == 404


def test_the_mask_is_its_own_inverse() -> None:
    key = b"\x01\x80\xff\x10"
    for payload in (b"", b"a", b"abcd", b"abcde", bytes(range(256)) * 5):
        masked = _mask(payload, key)
        assert len(masked) == len(payload)
        assert _mask(masked, key) == payload
        if payload:
            assert masked[0] == payload[0] ^ key[0]


# --- against a raw server that breaks the rules ------------------------------------------------


def server_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes = b"") -> bytes:
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if mask else 0
    if n < 126:
        head = bytes((first, bit | n))
    elif n < 1 << 16:
        head = bytes((first, bit | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((first, bit | 127)) + n.to_bytes(8, "big")
    return head + mask + (_mask(payload, mask) if mask else payload)


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def raw_server(script: Script, *, accept: str | None = None) -> tuple[str, asyncio.Server]:
    """A server that upgrades by hand (with ``accept`` if given) and then runs ``script``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        digest = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept or digest}\r\n\r\n".encode()
        )
        try:
            await script(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return f"ws://127.0.0.1:{port}/rooms/c1", server


async def run_raw(script: Script, **kw: Any) -> tuple[Inbox, ClientConnection]:
    url, server = await raw_server(script, **kw)
    inbox = Inbox()
    async with server:
        conn = await connect(url, inbox)
        await inbox.until(lambda: bool(inbox.closed))
    return inbox, conn


async def test_frames_split_at_every_byte_and_fragments_are_reassembled() -> None:
    wire = (
        server_frame(0x1, b"hello")
        + server_frame(0x1, b"frag", fin=False)
        + server_frame(0x9, b"p")  # a ping between fragments is allowed
        + server_frame(0x0, b"mented", fin=False)
        + server_frame(0x0, b"!", fin=True)
        + server_frame(0x2, b"\x00\x01")
        + server_frame(0x1, b"y" * 70_000)
        + server_frame(0x8, (1000).to_bytes(2, "big"))
    )

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for i in range(len(wire)):  # one byte per segment
            writer.write(wire[i : i + 1])
            if i % 64 == 0 or i < 64:
                await writer.drain()
                await asyncio.sleep(0)
        await writer.drain()
        await reader.read(1024)  # the pong and the answering close arrive before EOF

    inbox, conn = await run_raw(script)
    assert inbox.messages == [
        (b"hello", True),
        (b"fragmented!", True),
        (b"\x00\x01", False),
        (b"y" * 70_000, True),
    ]
    assert inbox.closed == [1000]
    assert conn.failure is None


@pytest.mark.parametrize(
    ("wire", "code", "why"),
    [
        (server_frame(0x1, b"x", mask=b"abcd"), 1002, "masked"),
        (bytes((0xC1, 1)) + b"x", 1002, "reserved"),
        (server_frame(0x0, b"x"), 1002, "continuation"),
        (server_frame(0x9, b"p", fin=False), 1002, "control"),
        (server_frame(0x3, b""), 1002, "opcode"),
        (server_frame(0x1, b"a", fin=False) + server_frame(0x1, b"b"), 1002, "inside"),
        (server_frame(0x1, b"z" * 2000), 1009, "over the limit"),
    ],
)
async def test_a_broken_server_fails_the_connection_with_the_rfc_code(
    wire: bytes, code: int, why: str
) -> None:
    received: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(wire)
        await writer.drain()
        received.set_result(await reader.read(64))  # our close frame

    url, server = await raw_server(script)
    inbox = Inbox()
    async with server:
        conn = await connect(url, inbox, max_size=1000)
        await inbox.until(lambda: bool(inbox.closed))
        with anyio.fail_after(5):
            frame = await received
    assert inbox.messages == []
    assert inbox.closed == [code]
    assert conn.failure is not None
    assert why in conn.failure
    # Our close frame carries the code: masked, so unmask it to read it.
    assert frame[0] == 0x88
    assert frame[1] == 0x82
    assert _mask(frame[6:8], frame[2:6]) == code.to_bytes(2, "big")


async def test_a_wrong_accept_is_refused() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(64)

    url, server = await raw_server(script, accept="bm9wZQ==")
    async with server:
        with pytest.raises(HandshakeError, match="Accept"):
            await connect(url, Inbox())


async def test_a_message_in_the_same_segment_as_the_upgrade_is_kept() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # raw_server wrote the 101 already; this lands in the same read more often than not,
        # and a later one in any case: both are delivered.
        writer.write(server_frame(0x1, b"first") + server_frame(0x8, b"\x03\xe8"))
        await writer.drain()
        await reader.read(64)

    inbox, _ = await run_raw(script)
    assert inbox.messages == [(b"first", True)]


async def test_a_missed_pong_ends_the_connection() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(64)  # the ping, never answered
        await reader.read()  # until the connection is dropped

    url, server = await raw_server(script)
    inbox = Inbox()
    async with server:
        conn = await connect(url, inbox)
        conn.heartbeat(0.1)
        await inbox.until(lambda: bool(inbox.closed))
    assert conn.failure == "no pong within 0.05 s of a ping"
    assert inbox.closed == [1006]


async def test_wss_is_verified_against_the_given_ca() -> None:
    import ssl

    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(f"tls:{msg.data}")
        return ws

    app = web.Application()
    app.router.add_get("/rooms/{cid}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    url = f"wss://127.0.0.1:{runner.addresses[0][1]}/rooms/c1"
    try:
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        inbox = Inbox()
        conn = await connect(url, inbox, tls=trusting)
        conn.send_text(b"hi")
        await inbox.until(lambda: bool(inbox.messages))
        assert inbox.messages == [(b"tls:hi", True)]
        await conn.close()
        # Without that CA, the system's store does not know the certificate: refused.
        with pytest.raises(ssl.SSLCertVerificationError):
            await connect(url, Inbox())
    finally:
        await runner.cleanup()


# --- what WebSocketTransport makes of a failed join -------------------------------------------


async def _join(url: str, **kw: Any) -> None:
    from tavus_async.room.websocket import WebSocketTransport

    transport = WebSocketTransport(**kw)
    await transport.join(url, "secret-token", "bot", lambda event: None)


async def test_a_failed_join_says_why_and_never_shows_the_token(
    echo_server: tuple[str, list[Any]],
) -> None:
    from tavus_async.errors import JoinError

    url, _ = echo_server
    with pytest.raises(JoinError, match=r"refused the connection \(HTTP 404\)") as refused:
        await _join(url.replace("/rooms/c1", "/nowhere"))

    hung_up: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # takes the connection, never answers the upgrade
        finally:
            writer.close()
            hung_up.set_result(None)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(JoinError, match=r"no answer from the room at .* within 0\.2 s") as slow:
            await _join(f"ws://127.0.0.1:{port}/rooms/c1", connect_timeout=0.2)
        with anyio.fail_after(5):
            await hung_up  # the transport gave the connection up when it timed out
    # The port is free again: nothing listens there now.
    with pytest.raises(JoinError, match="could not connect to the room at") as unreachable:
        await _join(f"ws://127.0.0.1:{port}/rooms/c1")
    for info in (refused, slow, unreachable):
        assert "secret-token" not in str(info.value)
        assert info.value.__cause__ is None
