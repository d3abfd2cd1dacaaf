"""The aiohttp webhook handler under a real aiohttp server on 127.0.0.1 and a real client."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from tavus_async import webhooks
from tavus_async._webhook_dedupe import _RecentKeys
from tavus_async.webhooks import (
    ReplicaTrainingCallback,
    ShutdownWebhook,
    TranscriptionReady,
    WebhookEvent,
    WebhookHandler,
)

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
SECRET = "test-secret-" + "x" * 20


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@asynccontextmanager
async def serve(
    handler: WebhookHandler, **runner_kwargs: Any
) -> AsyncIterator[tuple[aiohttp.ClientSession, URL]]:
    """Serve ``handler`` at /hook on 127.0.0.1; yield a client session and the base URL."""
    app = web.Application()
    handler.attach(app, "/hook")
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server(**runner_kwargs)
    try:
        async with aiohttp.ClientSession() as session:
            yield session, server.make_url("/hook")
    finally:
        await server.close()  # runs on_cleanup -> handler.aclose()


def with_token(url: URL, token: str = SECRET) -> str:
    return webhooks.callback_url(str(url), token)


class Recorder:
    """An async on_event that records events and signals each arrival."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []
        self.arrived = asyncio.Event()

    async def __call__(self, event: WebhookEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    async def wait_for(self, count: int) -> None:
        with anyio.fail_after(5):
            while len(self.events) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.mark.anyio
async def test_correct_token_gets_200_and_typed_event() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
            assert resp.status == 200
        async with session.post(with_token(url), data=fixture("transcription_ready_faq")) as resp:
            assert resp.status == 200
        await rec.wait_for(2)
    first, second = rec.events
    assert isinstance(first, ShutdownWebhook)
    assert first.conversation_id == "c123456"
    assert first.ended_by_participant_left
    assert isinstance(second, TranscriptionReady)
    assert len(second.transcript) == 5
    assert handler.stats.accepted == 2
    assert handler.stats.handled == 2


@pytest.mark.anyio
async def test_sync_callback_is_supported() -> None:
    seen: list[WebhookEvent] = []
    handler = webhooks.aiohttp_handler(seen.append, secret=SECRET)
    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=fixture("replica_training_ready")) as resp:
            assert resp.status == 200
        await handler.join(timeout=5)
    assert len(seen) == 1
    assert isinstance(seen[0], ReplicaTrainingCallback)
    assert seen[0].succeeded


@pytest.mark.anyio
async def test_acknowledges_before_the_callback_finishes() -> None:
    gate = asyncio.Event()
    started = asyncio.Event()
    finished: list[WebhookEvent] = []

    async def slow(event: WebhookEvent) -> None:
        started.set()
        await gate.wait()
        finished.append(event)

    handler = webhooks.aiohttp_handler(slow, secret=SECRET)
    async with serve(handler) as (session, url):
        with anyio.fail_after(5):
            async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
                assert resp.status == 200
                assert await resp.text() == "ok"
            await started.wait()
        # The 200 arrived while on_event is still blocked.
        assert finished == []
        assert handler.pending == 1
        gate.set()
        await handler.join(timeout=5)
        assert handler.pending == 0
        assert len(finished) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "make_url",
    [
        pytest.param(lambda u: str(u), id="missing"),
        pytest.param(lambda u: webhooks.callback_url(str(u), "w" * 32), id="wrong"),
        pytest.param(lambda u: webhooks.callback_url(str(u), SECRET[:-1]), id="prefix"),
        pytest.param(lambda u: webhooks.callback_url(str(u), SECRET + "y"), id="longer"),
        pytest.param(lambda u: webhooks.callback_url(str(u), "ünïcødé-tøkén-" * 2), id="unicode"),
        pytest.param(lambda u: str(u.with_query(token="")), id="empty"),
        pytest.param(lambda u: webhooks.callback_url(str(u), SECRET, param="t"), id="other-param"),
    ],
)
async def test_wrong_or_missing_token_gets_401(make_url: Callable[[URL], str]) -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    async with serve(handler) as (session, url):
        async with session.post(make_url(url), data=fixture("system_shutdown")) as resp:
            assert resp.status == 401
            assert "token" in await resp.text()
        await handler.join(timeout=5)
    assert rec.events == []
    assert handler.stats.unauthorized == 1
    assert handler.stats.accepted == 0


@pytest.mark.anyio
async def test_rotation_accepts_every_listed_secret() -> None:
    rec = Recorder()
    new = webhooks.generate_secret()
    handler = webhooks.aiohttp_handler(rec, secret=[SECRET, new])
    async with serve(handler) as (session, url):
        for token, name in ((SECRET, "system_shutdown"), (new, "video_ready")):
            async with session.post(with_token(url, token), data=fixture(name)) as resp:
                assert resp.status == 200
        await rec.wait_for(2)
    assert handler.stats.accepted == 2


@pytest.mark.anyio
async def test_oversized_body_gets_413() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET, max_body_bytes=1000)
    big = json.dumps({"event_type": "x", "properties": {"pad": "a" * 2000}}).encode()
    just_fits = json.dumps({"event_type": "system.shutdown", "pad": "a" * 900}).encode()
    assert len(just_fits) <= 1000

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit applies anyway
        for i in range(0, len(big), 100):
            yield big[i : i + 100]

    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=big) as resp:
            assert resp.status == 413
        async with session.post(with_token(url), data=chunked()) as resp:
            assert resp.status == 413
        async with session.post(with_token(url), data=just_fits) as resp:
            assert resp.status == 200
        await rec.wait_for(1)
    assert handler.stats.too_large == 2
    assert len(rec.events) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("body", [b"not json", b"", b"[1,2,3]", b'"x"', b'{"a":'])
async def test_bad_json_gets_400_with_reason(body: bytes) -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=body) as resp:
            assert resp.status == 400
            text = await resp.text()
        await handler.join(timeout=5)
    assert "JSON" in text
    assert rec.events == []
    assert handler.stats.bad_request == 1


@pytest.mark.anyio
async def test_get_is_not_allowed() -> None:
    handler = webhooks.aiohttp_handler(lambda e: None, secret=SECRET)
    app = web.Application()
    app.router.add_route("*", "/hook", handler)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(with_token(server.make_url("/hook"))) as resp,
        ):
            assert resp.status == 405
            assert resp.headers["Allow"] == "POST"
    finally:
        await server.close()
        await handler.aclose()
    assert handler.stats.wrong_method == 1


@pytest.mark.anyio
async def test_duplicate_deliveries_are_dropped_and_counted() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    async with serve(handler) as (session, url):
        for name in ("system_shutdown", "system_shutdown", "video_ready", "system_shutdown"):
            async with session.post(with_token(url), data=fixture(name)) as resp:
                assert resp.status == 200  # a duplicate is acknowledged, so Tavus stops
        await handler.join(timeout=5)
    assert [type(e).__name__ for e in rec.events] == ["ShutdownWebhook", "VideoCallback"]
    assert handler.stats.duplicates == 2
    assert handler.stats.accepted == 2


@pytest.mark.anyio
async def test_dedupe_can_be_turned_off() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET, dedupe_size=0)
    async with serve(handler) as (session, url):
        for _ in range(3):
            async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
                assert resp.status == 200
        await rec.wait_for(3)
    assert handler.stats.duplicates == 0


@pytest.mark.anyio
async def test_custom_dedupe_key_drops_pal_joined_twin() -> None:
    # Tavus sends system.replica_joined and system.pal_joined for the same moment.
    def identity(_body: bytes, event: WebhookEvent) -> object:
        if isinstance(event, webhooks.ReplicaJoinedWebhook):
            return ("joined", event.conversation_id)
        return _body

    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET, dedupe_key=identity)
    legacy = json.loads(fixture("system_replica_joined"))
    twin = {**legacy, "event_type": "system.pal_joined"}
    async with serve(handler) as (session, url):
        for body in (legacy, twin):
            async with session.post(with_token(url), json=body) as resp:
                assert resp.status == 200
        await handler.join(timeout=5)
    assert len(rec.events) == 1
    assert handler.stats.duplicates == 1


@pytest.mark.anyio
async def test_callback_that_raises_does_not_break_the_server(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    async def explode(event: WebhookEvent) -> None:
        calls.append(type(event).__name__)
        if isinstance(event, ShutdownWebhook):
            raise RuntimeError("database is down")

    def explode_sync(event: WebhookEvent) -> None:
        raise KeyError("sync boom")

    handler = webhooks.aiohttp_handler(explode, secret=SECRET)
    sync_handler = webhooks.aiohttp_handler(explode_sync, secret=SECRET)
    caplog.set_level(logging.ERROR, logger="tavus_async")
    async with serve(handler) as (session, url):
        for name in ("system_shutdown", "video_ready", "video_error"):
            async with session.post(with_token(url), data=fixture(name)) as resp:
                assert resp.status == 200
        await handler.join(timeout=5)
    async with serve(sync_handler) as (session, url):
        async with session.post(with_token(url), data=fixture("video_ready")) as resp:
            assert resp.status == 200
        await sync_handler.join(timeout=5)
    assert calls == ["ShutdownWebhook", "VideoCallback", "VideoCallback"]
    assert handler.stats.callback_errors == 1
    assert handler.stats.handled == 2
    assert sync_handler.stats.callback_errors == 1
    assert "database is down" in caplog.text
    assert "system.shutdown (conversation c123456)" in caplog.text
    assert "sync boom" in caplog.text


@pytest.mark.anyio
async def test_flood_of_500_duplicates() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    body = fixture("transcription_ready_faq")
    async with serve(handler) as (session, url):
        target = with_token(url)

        async def post() -> int:
            async with session.post(target, data=body) as resp:
                await resp.read()
                return resp.status

        with anyio.fail_after(60):
            statuses = await asyncio.gather(*(post() for _ in range(500)))
        await handler.join(timeout=5)
    assert statuses == [200] * 500
    assert len(rec.events) == 1
    assert handler.stats.accepted == 1
    assert handler.stats.duplicates == 499
    assert handler.stats.received == 500


@pytest.mark.anyio
async def test_flood_of_distinct_deliveries_all_handled() -> None:
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET)
    async with serve(handler) as (session, url):
        target = with_token(url)

        async def post(i: int) -> int:
            body = {"event_type": "system.replica_joined", "conversation_id": f"c{i}"}
            async with session.post(target, json=body) as resp:
                return resp.status

        with anyio.fail_after(60):
            statuses = await asyncio.gather(*(post(i) for i in range(300)))
        await handler.join(timeout=10)
    assert statuses == [200] * 300
    ids = [
        str(e.conversation_id) for e in rec.events if isinstance(e, webhooks.ReplicaJoinedWebhook)
    ]
    assert sorted(ids) == sorted(f"c{i}" for i in range(300))


@pytest.mark.anyio
async def test_busy_handler_answers_503_and_accepts_the_retry_later() -> None:
    gate = asyncio.Event()
    seen: list[WebhookEvent] = []

    async def blocked(event: WebhookEvent) -> None:
        await gate.wait()
        seen.append(event)

    handler = webhooks.aiohttp_handler(blocked, secret=SECRET, max_pending=1)
    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
            assert resp.status == 200
        async with session.post(with_token(url), data=fixture("video_ready")) as resp:
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "1"
        gate.set()
        await handler.join(timeout=5)
        # The refused delivery was not remembered, so its retry is accepted, not a duplicate.
        async with session.post(with_token(url), data=fixture("video_ready")) as resp:
            assert resp.status == 200
        await handler.join(timeout=5)
    assert [type(e).__name__ for e in seen] == ["ShutdownWebhook", "VideoCallback"]
    assert handler.stats.rejected_busy == 1
    assert handler.stats.duplicates == 0


@pytest.mark.anyio
async def test_aclose_cancels_stuck_callbacks_and_refuses_new_ones() -> None:
    started = asyncio.Event()

    async def stuck(event: WebhookEvent) -> None:
        started.set()
        await asyncio.Event().wait()

    handler = webhooks.aiohttp_handler(stuck, secret=SECRET)
    async with serve(handler) as (session, url):
        async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
            assert resp.status == 200
        with anyio.fail_after(5):
            await started.wait()
        with pytest.raises(TimeoutError):
            await handler.join(timeout=0.05)
        await handler.aclose(timeout=0.05)
        assert handler.pending == 0
        assert handler.closed
        async with session.post(with_token(url), data=fixture("video_ready")) as resp:
            assert resp.status == 503
    assert handler.stats.cancelled == 1
    await handler.aclose()  # twice is fine


@pytest.mark.anyio
async def test_secret_never_reaches_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def on_event(event: WebhookEvent) -> None:
        logging.getLogger("tavus_async.user").info("got %r", event)
        raise ValueError(f"failed for {event!r}")

    handler = webhooks.aiohttp_handler(on_event, secret=SECRET)
    body = json.loads(fixture("system_shutdown"))
    async with serve(handler, access_log_class=webhooks.SafeAccessLogger) as (session, url):
        body["webhook_url"] = with_token(url)
        async with session.post(with_token(url), json=body) as resp:
            assert resp.status == 200
        async with session.post(with_token(url), json=body) as resp:  # duplicate
            assert resp.status == 200
        async with session.post(with_token(url, SECRET + "z"), json=body) as resp:
            assert resp.status == 401
        async with session.post(with_token(url), data=b"{") as resp:
            assert resp.status == 400
        await handler.join(timeout=5)
    assert "/hook" in caplog.text  # the access log line is there, without its query
    assert "got ShutdownWebhook(" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(handler)


def test_recent_keys_expire_and_stay_bounded() -> None:
    now = [0.0]
    keys = _RecentKeys(maxsize=3, ttl=10.0, clock=lambda: now[0])
    keys.add("a")
    now[0] = 5.0
    keys.add("b")
    assert keys.seen("a")
    assert keys.seen("b")
    now[0] = 10.0  # "a" expires exactly at its deadline
    assert not keys.seen("a")
    assert keys.seen("b")
    keys.add("c")
    keys.add("d")
    keys.add("e")  # over maxsize: the oldest ("b") goes
    assert len(keys) == 3
    assert not keys.seen("b")
    assert keys.evicted == 1
    now[0] = 100.0
    assert not keys.seen("e")
    assert len(keys) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret": "short"}, "at least 16"),
        ({"secret": []}, "at least one"),
        ({"secret": SECRET, "max_body_bytes": 0}, "max_body_bytes"),
        ({"secret": SECRET, "dedupe_size": -1}, "dedupe"),
        ({"secret": SECRET, "max_pending": 0}, "max_pending"),
    ],
)
def test_bad_configuration_is_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        webhooks.aiohttp_handler(lambda e: None, **kwargs)


@pytest.mark.anyio
async def test_broken_dedupe_key_falls_back_to_body_hash(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_body: bytes, _event: WebhookEvent) -> object:
        raise RuntimeError("key bug")

    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET, dedupe_key=broken)
    async with serve(handler) as (session, url):
        for _ in range(2):
            async with session.post(with_token(url), data=fixture("video_ready")) as resp:
                assert resp.status == 200
        await handler.join(timeout=5)
    assert len(rec.events) == 1
    assert handler.stats.duplicates == 1
    assert "key bug" in caplog.text
