"""End to end: the simulator's callbacks reach a webhook server over HTTP, typed and deduped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tavus_async import AsyncTavus, Conversation, webhooks
from tavus_async.testing import TavusSimulator
from tavus_async.webhooks import WebhookEvent, WebhookHandler

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def receiver(
    events: list[WebhookEvent],
) -> AsyncIterator[tuple[WebhookHandler, str, str]]:
    """A webhook server on 127.0.0.1; yields the handler, its base URL and its secret."""
    secret = webhooks.generate_secret()
    handler = webhooks.aiohttp_handler(events.append, secret=secret)
    app = web.Application()
    handler.attach(app, "/webhooks/tavus")
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server(access_log_class=webhooks.SafeAccessLogger)
    try:
        yield handler, str(server.make_url("/webhooks/tavus")), secret
    finally:
        await server.close()


async def settle(sim: TavusSimulator, handler: WebhookHandler) -> None:
    """Wait (bounded) until every callback was sent and the handler finished with it."""
    with anyio.fail_after(10):
        await sim.callbacks.drain(timeout=10)
        await handler.join(timeout=10)


async def one_conversation(
    sim: TavusSimulator, tavus: AsyncTavus, handler: WebhookHandler, callback_url: str
) -> Conversation:
    """Create and end a conversation that reports to ``callback_url``; settle its callbacks."""
    conv = await tavus.conversations.create(
        persona_id="pdced222244b", replica_id="rfe12d8b9597", callback_url=callback_url
    )
    await tavus.conversations.end(conv.conversation_id)
    await settle(sim, handler)
    return conv


async def test_conversation_callbacks_arrive_typed_and_duplicates_are_dropped() -> None:
    events: list[WebhookEvent] = []
    async with (
        receiver(events) as (handler, base, secret),
        TavusSimulator(rooms=False) as sim,
        sim.client() as tavus,
    ):
        url = webhooks.callback_url(base, secret)
        conv = await one_conversation(sim, tavus, handler, url)
        delivered = list(sim.callbacks.deliveries)
        assert delivered, "the simulator sent no callbacks"
        assert all(d.ok for d in delivered), [d.error for d in delivered]
        first_round = len(events)

        # Tavus may deliver a callback more than once: replay every delivery byte for byte.
        for d in delivered:
            sim.callbacks.send(d.url, d.payload)
        await settle(sim, handler)

    assert first_round == len(delivered)
    assert len(events) == first_round  # the replays were dropped...
    assert handler.stats.duplicates == len(delivered)  # ...and counted
    by_type = {type(e): e for e in events}
    shutdown = by_type[webhooks.ShutdownWebhook]
    assert isinstance(shutdown, webhooks.ShutdownWebhook)
    assert shutdown.conversation_id == conv.conversation_id
    assert shutdown.ended_by_api
    assert shutdown.webhook_url is not None
    assert secret not in shutdown.webhook_url
    transcript = by_type[webhooks.TranscriptionReady]
    assert isinstance(transcript, webhooks.TranscriptionReady)
    assert transcript.transcript[0].role == "system"
    conversation_events = [e for e in events if isinstance(e, webhooks.ConversationWebhook)]
    assert len(conversation_events) == len(events)
    assert {e.conversation_id for e in conversation_events} == {conv.conversation_id}
    assert not any(isinstance(e, webhooks.UnknownWebhook) for e in events)


async def test_wrong_secret_is_refused_and_recorded_by_the_simulator() -> None:
    events: list[WebhookEvent] = []
    async with (
        receiver(events) as (handler, base, _secret),
        TavusSimulator(rooms=False) as sim,
        sim.client() as tavus,
    ):
        url = webhooks.callback_url(base, webhooks.generate_secret())  # not the receiver's
        await one_conversation(sim, tavus, handler, url)
        statuses = {d.status for d in sim.callbacks.deliveries}
    assert statuses == {401}
    assert events == []
    assert handler.stats.unauthorized == len(sim.callbacks.deliveries)


async def test_replica_and_video_callbacks_arrive_typed() -> None:
    events: list[WebhookEvent] = []
    async with (
        receiver(events) as (handler, base, secret),
        TavusSimulator(rooms=False) as sim,
        sim.client() as tavus,
    ):
        url = webhooks.callback_url(base, secret)
        replica = await tavus.replicas.create(
            train_video_url="https://example.com/train.mp4", replica_name="Ok", callback_url=url
        )
        sim.fail_next_video()
        video = await tavus.videos.create(
            replica_id="rfe12d8b9597", script="Hello!", callback_url=url
        )
        with anyio.fail_after(20):
            while len(events) < 2:
                await sim.callbacks.drain(timeout=10)
                await handler.join(timeout=10)
                await asyncio.sleep(0.01)
    trained = [e for e in events if isinstance(e, webhooks.ReplicaTrainingCallback)]
    videos = [e for e in events if isinstance(e, webhooks.VideoCallback)]
    assert [e.replica_id for e in trained] == [replica.replica_id]
    assert trained[0].succeeded
    assert [e.video_id for e in videos] == [video.video_id]
    assert videos[0].failed
    assert videos[0].status_details


async def test_verbose_conversation_events_parse_like_callbacks() -> None:
    async with TavusSimulator(rooms=False) as sim, sim.client() as tavus:
        conv = await tavus.conversations.create(
            persona_id="pdced222244b", replica_id="rfe12d8b9597"
        )
        await tavus.conversations.end(conv.conversation_id)
        verbose = await tavus.conversations.get(conv.conversation_id, verbose=True)
    parsed = [webhooks.parse(e) for e in verbose.events or []]
    kinds = {type(e) for e in parsed}
    assert {webhooks.ShutdownWebhook, webhooks.TranscriptionReady} <= kinds
    assert not any(isinstance(e, webhooks.UnknownWebhook) for e in parsed)
    shutdown = next(e for e in parsed if isinstance(e, webhooks.ShutdownWebhook))
    assert shutdown.shutdown_reason == verbose.ended_reason
