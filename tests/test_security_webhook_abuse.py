"""The webhook handler under a storm of abuse, over real sockets on 127.0.0.1.

``tests/test_webhooks_handler.py`` covers each abuse alone (wrong token, 413, bad JSON, 500
duplicates at once). Here they all arrive together, in a seeded random mix of 2,000 requests,
with what a plain client cannot send: bodies streamed without a length and past the limit,
connections that hang up half-way through a body, raw bytes and odd encodings in the token.
Every request gets the status its kind calls for, the counters add up, exactly one event per
distinct good delivery reaches the callback, and the server still answers afterwards.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
from _leaks import assert_no_leaks, snapshot
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from tavus_async import webhooks
from tavus_async.webhooks import WebhookEvent

pytestmark = pytest.mark.anyio

SECRET = "abuse-secret-" + "k" * 24
LIMIT = 4096
REQUESTS = 2_000

#: Request kind -> the status it must get.
STATUS = {
    "good": 200,
    "duplicate": 200,
    "wrong-token": 401,
    "no-token": 401,
    "binary-token": 401,
    "token-in-header": 401,
    "oversized": 413,
    "oversized-chunked": 413,
    "invalid-json": 400,
    "json-array": 400,
    "empty": 400,
    "get": 405,
}
#: Kinds sent over a raw socket that hangs up mid-body: no status, no crash, nothing handled.
HANG_UP = "hang-up"


def _good(i: int) -> bytes:
    return json.dumps(
        {
            "event_type": "system.replica_joined",
            "message_type": "system",
            "conversation_id": f"c{i:06d}",
            "timestamp": "2026-05-01T10:00:00Z",
            "properties": {"replica_id": "r1"},
        }
    ).encode()


async def _stream(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 1024):
        yield b"x" * 1024


async def _send(
    session: aiohttp.ClientSession, base: str, kind: str, i: int, rng: random.Random
) -> int | None:
    url = f"{base}?token={SECRET}"
    data: Any = _good(i)
    headers: dict[str, str] = {}
    method = "POST"
    if kind == "duplicate":
        data = _good(0)
    elif kind == "wrong-token":
        url = f"{base}?token={SECRET[:-1]}{rng.choice('abc')}"
    elif kind == "no-token":
        url = base
    elif kind == "binary-token":
        url = f"{base}?token=%ff%fe%00{SECRET}"
    elif kind == "token-in-header":
        url, headers = base, {"Authorization": f"Bearer {SECRET}", "X-Token": SECRET}
    elif kind == "oversized":
        data = b'{"a": "' + b"y" * (LIMIT + rng.randint(1, 10_000)) + b'"}'
    elif kind == "oversized-chunked":
        data = _stream(LIMIT + 4096)
    elif kind == "invalid-json":
        data = rng.choice([b"{", b"\xff\xfe", b'{"a": }', b"null" * 3, bytes(range(256))])
    elif kind == "json-array":
        data = b"[1, 2, 3]"
    elif kind == "empty":
        data = b""
    elif kind == "get":
        method = "GET"
    elif kind == HANG_UP:
        await _hang_up(base, i)
        return None
    async with session.request(method, url, data=data, headers=headers) as resp:
        await resp.read()
        return resp.status


async def _hang_up(base: str, i: int) -> None:
    """Send headers promising a body, half of it, then close the socket."""
    url = URL(base)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    body = _good(100_000 + i)
    head = (
        f"POST {url.path}?token={SECRET} HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body[: len(body) // 2])
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader


async def test_a_storm_of_mixed_abuse_gets_the_right_answers_and_the_server_survives() -> None:
    rng = random.Random(8)
    received: list[WebhookEvent] = []

    async def on_event(event: WebhookEvent) -> None:
        received.append(event)
        await asyncio.sleep(0)

    kinds = [*STATUS, HANG_UP]
    plan = ["good"] + [rng.choice(kinds) for _ in range(REQUESTS - 1)]
    before = snapshot()
    handler = webhooks.aiohttp_handler(on_event, secret=SECRET, max_body_bytes=LIMIT)
    app = web.Application()
    handler.attach(app, "/hook")
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        base = str(server.make_url("/hook"))
        connector = aiohttp.TCPConnector(limit=50)
        async with aiohttp.ClientSession(connector=connector) as session:
            with anyio.fail_after(60):
                statuses = await asyncio.gather(
                    *(_send(session, base, kind, i, rng) for i, kind in enumerate(plan))
                )
            wrong = [
                (i, kind, status)
                for i, (kind, status) in enumerate(zip(plan, statuses, strict=True))
                if kind != HANG_UP and status != STATUS[kind]
            ]
            assert wrong == []
            # Still serving, and still checking.
            async with session.post(f"{base}?token={SECRET}", data=_good(999_999)) as resp:
                assert resp.status == 200
            await handler.join(timeout=10)
    finally:
        await server.close()
    count = Counter(plan)
    good = count["good"] + 1  # + the final delivery
    # One event per distinct good delivery; duplicates and hang-ups never reach the callback.
    assert len(received) == good
    joined = [e for e in received if isinstance(e, webhooks.ReplicaJoinedWebhook)]
    assert len(joined) == good
    assert len({e.conversation_id for e in joined}) == good
    stats = handler.stats
    assert stats.accepted == good
    assert stats.duplicates == count["duplicate"]
    unauthorized = sum(count[k] for k in ("wrong-token", "no-token", "binary-token"))
    assert stats.unauthorized == unauthorized + count["token-in-header"]
    assert stats.too_large == count["oversized"] + count["oversized-chunked"]
    assert stats.bad_request == count["invalid-json"] + count["json-array"] + count["empty"]
    # A GET never reaches the handler: the POST-only route answers 405 itself.
    assert stats.callback_errors == 0
    await assert_no_leaks(before)
