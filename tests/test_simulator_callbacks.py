"""callback_url deliveries: the documented payloads, POSTed to a real receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
from _sim_http import TIMEOUT
from aiohttp import web

from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


class Receiver:
    """A webhook endpoint that records every JSON body; /fail answers 500."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        return web.Response(status=500 if request.path == "/fail" else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"http://127.0.0.1:{port}"
    try:
        yield rec
    finally:
        await runner.cleanup()


async def post(http: aiohttp.ClientSession, path: str, body: Any = None) -> Any:
    async with http.post(path, json=body) as resp:
        assert resp.status < 300, await resp.text()
        raw = await resp.read()
        return (await resp.json()) if raw else None


async def test_conversation_callbacks_follow_the_documented_sequence(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    hook = f"{receiver.url}/hook?token=s3cret"
    conv = await post(
        http, "/v2/conversations", {"persona_id": "pdced222244b", "callback_url": hook}
    )
    cid = conv["conversation_id"]
    assert conv["callback_url"] == hook
    if tavus_simulator.rooms is not None:
        # The replica joins when the first participant does.
        url = conv["conversation_url"] + "?name=guest"
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as guest,
            guest.ws_connect(url) as ws,
        ):
            with anyio.fail_after(5):
                async for msg in ws:
                    frame = msg.json()
                    others = [*frame.get("participants", []), frame.get("participant") or {}]
                    if any(p.get("is_replica") for p in others):
                        break
            await post(http, f"/v2/conversations/{cid}/end")
    else:
        await post(http, f"/v2/conversations/{cid}/end")
    await tavus_simulator.callbacks.drain()
    types = [p["event_type"] for p in receiver.received]
    assert types == [
        "system.replica_joined",
        "system.shutdown",
        "application.transcription_ready",
        "application.perception_analysis",
    ]
    for payload in receiver.received:
        assert payload["conversation_id"] == cid
        assert payload["webhook_url"] == hook
        assert payload["message_type"] == payload["event_type"].split(".")[0]
        assert payload["properties"]["replica_id"] == "rfe12d8b9597"
        assert payload["timestamp"].endswith("Z")
    shutdown = receiver.received[1]["properties"]
    assert shutdown["shutdown_reason"] == "end_conversation_endpoint_hit"
    transcript = receiver.received[2]["properties"]["transcript"]
    assert transcript[0]["role"] == "system"
    assert isinstance(receiver.received[3]["properties"]["analysis"], str)
    assert tavus_simulator.callbacks.delivered == 4
    assert tavus_simulator.callbacks.failed == 0


async def test_transcript_carries_what_the_room_reported(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    conv = await post(
        http,
        "/v2/conversations",
        {"replica_id": "rfe12d8b9597", "callback_url": f"{receiver.url}/t"},
    )
    cid = conv["conversation_id"]
    tavus_simulator.hooks.on_transcript(cid, "user", "Hello there")
    tavus_simulator.hooks.on_transcript(cid, "assistant", "Hi! How can I help?")
    await post(http, f"/v2/conversations/{cid}/end")
    await tavus_simulator.callbacks.drain()
    ready = [p for p in receiver.received if p["event_type"] == "application.transcription_ready"]
    transcript = ready[0]["properties"]["transcript"]
    assert [(t["role"], t["content"]) for t in transcript[1:]] == [
        ("user", "Hello there"),
        ("assistant", "Hi! How can I help?"),
    ]
    assert isinstance(transcript[1]["timestamp"], float)


async def test_replica_training_callbacks(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    ok = await post(
        http,
        "/v2/replicas",
        {"train_video_url": "https://x/a.mp4", "callback_url": f"{receiver.url}/r"},
    )
    tavus_simulator.fail_next_training("consent_phrase_mismatch")
    bad = await post(
        http,
        "/v2/replicas",
        {"train_video_url": "https://x/b.mp4", "callback_url": f"{receiver.url}/r"},
    )
    await tavus_simulator.callbacks.drain()
    by_id = {p["replica_id"]: p for p in receiver.received}
    # "ready" in the callback although GET says "completed", as documented.
    assert by_id[ok["replica_id"]] == {"replica_id": ok["replica_id"], "status": "ready"}
    failed = by_id[bad["replica_id"]]
    assert failed["status"] == "error"
    assert "consent phrase" in failed["error_message"]


async def test_video_callback_is_the_flat_video_object(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    video = await post(
        http,
        "/v2/videos",
        {
            "replica_id": "rfe12d8b9597",
            "script": "Welcome!",
            "video_name": "Intro",
            "callback_url": f"{receiver.url}/v",
        },
    )
    await tavus_simulator.callbacks.drain()
    (payload,) = receiver.received
    assert payload["video_id"] == video["video_id"]
    assert payload["status"] == "ready"
    assert payload["generation_progress"] == "100/100"
    assert payload["data"] == {"script": "Welcome!"}
    assert payload["download_url"].startswith("https://")
    assert payload["error_details"] is None
    assert "T" not in payload["created_at"]  # "YYYY-MM-DD HH:MM:SS.ffffff", as documented


async def test_document_status_callbacks(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    await post(
        http,
        "/v2/documents",
        {"document_url": "https://ex.com/a.pdf", "callback_url": f"{receiver.url}/d"},
    )
    await tavus_simulator.callbacks.drain()
    statuses = [p["status"] for p in receiver.received]
    assert statuses[0] == "processing"
    assert statuses[-1] == "ready"
    assert receiver.received[-1]["progress"] == 100


async def test_failed_deliveries_are_counted_not_lost(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, receiver: Receiver
) -> None:
    await post(
        http,
        "/v2/replicas",
        {"train_video_url": "https://x/a.mp4", "callback_url": f"{receiver.url}/fail"},
    )
    # Port 9 on loopback: nobody listens there, so the connection is refused.
    await post(
        http,
        "/v2/replicas",
        {"train_video_url": "https://x/b.mp4", "callback_url": "http://127.0.0.1:9/x"},
    )
    await tavus_simulator.callbacks.drain()
    assert tavus_simulator.callbacks.failed == 2
    assert tavus_simulator.callbacks.delivered == 0
    errors = sorted(d.error or "" for d in tavus_simulator.callbacks.deliveries)
    assert errors[0].startswith("Client")  # connection refused
    assert errors[1] == "receiver answered HTTP 500"
    async with (
        aiohttp.ClientSession(tavus_simulator.base_url, timeout=TIMEOUT) as control,
        control.get("/_sim/counts") as resp,
    ):
        counts = await resp.json()
    assert counts["callbacks"]["failed"] == 2


async def test_non_loopback_callback_urls_are_recorded_not_contacted(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    # The docs' example URL: a test simulator must not reach out to the internet.
    await post(
        http,
        "/v2/replicas",
        {"train_video_url": "https://x/a.mp4", "callback_url": "https://yourwebsite.com/webhook"},
    )
    await tavus_simulator.callbacks.drain()
    (delivery,) = tavus_simulator.callbacks.deliveries
    assert delivery.status is None
    assert delivery.error is not None
    assert "not a loopback URL" in delivery.error
    assert delivery.payload["status"] == "ready"
    assert (tavus_simulator.callbacks.skipped, tavus_simulator.callbacks.failed) == (1, 1)
