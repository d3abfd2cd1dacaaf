"""Lifecycles on the controllable clock: training, rendering, documents, conversations."""

from __future__ import annotations

import aiohttp
import anyio
import pytest
from _sim_http import TIMEOUT, call

from tavus_async.testing import TavusSimulator, Timings

pytestmark = pytest.mark.anyio


manual = pytest.mark.tavus_simulator(time="manual")


@manual
async def test_replica_training_progresses_only_when_time_moves(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    _, created = await call(
        http, "POST", "/v2/replicas", json={"train_video_url": "https://x/train.mp4"}
    )
    rid = created["replica_id"]
    _, got = await call(http, "GET", f"/v2/replicas/{rid}")
    assert (got["status"], got["training_progress"]) == ("started", "0/100")
    training = tavus_simulator.timings.training
    seen = []
    for _ in range(tavus_simulator.timings.steps):
        await tavus_simulator.advance(training / tavus_simulator.timings.steps)
        _, got = await call(http, "GET", f"/v2/replicas/{rid}")
        seen.append((got["status"], got["training_progress"]))
    assert seen == [
        ("started", "25/100"),
        ("started", "50/100"),
        ("started", "75/100"),
        ("completed", "100/100"),
    ]
    assert got["error_message"] is None
    assert tavus_simulator.counts["replicas.trained"] == 1


@manual
async def test_replica_training_failure_on_request(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.fail_next_training("video_duration")
    _, first = await call(http, "POST", "/v2/replicas", json={"train_video_url": "https://x/a"})
    _, second = await call(
        http,
        "POST",
        "/v2/replicas",
        json={"train_video_url": "https://x/b", "replica_name": "please fail"},
    )
    _, third = await call(http, "POST", "/v2/replicas", json={"train_video_url": "https://x/c"})
    await tavus_simulator.advance(tavus_simulator.timings.training)
    statuses = {}
    for created in (first, second, third):
        _, got = await call(http, "GET", f"/v2/replicas/{created['replica_id']}")
        statuses[created["replica_id"]] = (got["status"], got["error_message"])
    assert statuses[first["replica_id"]][0] == "error"
    assert "minimum duration" in statuses[first["replica_id"]][1]
    assert statuses[second["replica_id"]][0] == "error"
    assert "downloading your video" in statuses[second["replica_id"]][1]
    assert statuses[third["replica_id"]] == ("completed", None)
    # A conversation cannot use a replica that failed.
    status, _ = await call(
        http, "POST", "/v2/conversations", json={"replica_id": first["replica_id"]}
    )
    assert status == 400


@manual
async def test_video_generation_queued_generating_ready(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    _, created = await call(
        http, "POST", "/v2/videos", json={"replica_id": "rfe12d8b9597", "script": "Hi there"}
    )
    vid = created["video_id"]
    timings = tavus_simulator.timings
    _, got = await call(http, "GET", f"/v2/videos/{vid}")
    assert (got["status"], got["generation_progress"], got["download_url"]) == (
        "queued",
        "0/100",
        None,
    )
    await tavus_simulator.advance(timings.video_queue + timings.video / 2)
    _, got = await call(http, "GET", f"/v2/videos/{vid}")
    assert got["status"] == "generating"
    assert got["generation_progress"] == "50/100"
    await tavus_simulator.advance(timings.video / 2)
    _, got = await call(http, "GET", f"/v2/videos/{vid}?verbose=true")
    assert got["status"] == "ready"
    assert got["generation_progress"] == "100/100"
    assert got["download_url"].startswith("https://")
    assert got["still_image_thumbnail_url"]
    assert got["status_details"] == "Your request has processed successfully!"


@manual
async def test_video_failure(http: aiohttp.ClientSession, tavus_simulator: TavusSimulator) -> None:
    tavus_simulator.fail_next_video()
    _, created = await call(
        http, "POST", "/v2/videos", json={"replica_id": "rfe12d8b9597", "script": "Hi"}
    )
    await tavus_simulator.advance(
        tavus_simulator.timings.video_queue + tavus_simulator.timings.video
    )
    _, got = await call(http, "GET", f"/v2/videos/{created['video_id']}")
    assert got["status"] == "error"
    assert "error occurred" in got["status_details"]


@manual
async def test_document_processing_and_recrawl_rules(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    timings = tavus_simulator.timings
    _, plain = await call(http, "POST", "/v2/documents", json={"document_url": "https://ex.com/a"})
    _, site = await call(
        http,
        "POST",
        "/v2/documents",
        json={"document_url": "https://ex.com", "crawl": {"depth": 2, "max_pages": 3}},
    )
    did = site["document_id"]
    assert site["status"] == "started"
    assert site["crawl_config"] == {"depth": 2, "max_pages": 3}
    # 409 while it is still processing.
    status, body = await call(http, "POST", f"/v2/documents/{did}/recrawl")
    assert status == 409
    assert "current status: started" in body["error"]
    await tavus_simulator.advance(timings.document_start + timings.document / 2)
    _, got = await call(http, "GET", f"/v2/documents/{did}")
    assert (got["status"], got["progress"]) == ("processing", 50)
    status, body = await call(http, "POST", f"/v2/documents/{did}/recrawl")
    assert status == 409
    assert "processing" in body["error"]
    await tavus_simulator.advance(timings.document / 2)
    _, got = await call(http, "GET", f"/v2/documents/{did}")
    assert (got["status"], got["progress"], got["crawl_count"]) == ("ready", 100, 1)
    assert len(got["crawled_urls"]) == 3
    # 400 for a document that was not crawled.
    status, body = await call(http, "POST", f"/v2/documents/{plain['document_id']}/recrawl")
    assert status == 400
    assert "crawl" in body["error"]
    # 429 inside the cooldown, with the minutes left.
    status, body = await call(http, "POST", f"/v2/documents/{did}/recrawl")
    assert status == 429
    assert "60 minutes" in body["error"]
    await tavus_simulator.advance(timings.recrawl_cooldown)
    status, body = await call(
        http, "POST", f"/v2/documents/{did}/recrawl", json={"crawl": {"depth": 1, "max_pages": 1}}
    )
    assert status == 202
    assert body["status"] == "recrawling"
    await tavus_simulator.advance(timings.document_start + timings.document)
    _, got = await call(http, "GET", f"/v2/documents/{did}")
    assert (got["status"], got["crawl_count"], got["crawl_config"]["max_pages"]) == ("ready", 2, 1)
    assert await call(http, "POST", "/v2/documents/dnope/recrawl") == (
        404,
        {"message": "Document not found"},
    )


@manual
async def test_document_failure(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.fail_next_document("file_format_unsupported")
    _, doc = await call(http, "POST", "/v2/documents", json={"document_url": "https://ex.com/x"})
    await tavus_simulator.advance(
        tavus_simulator.timings.document_start + tavus_simulator.timings.document
    )
    _, got = await call(http, "GET", f"/v2/documents/{doc['document_id']}")
    assert (got["status"], got["error_message"]) == ("error", "file_format_unsupported")


async def test_instant_mode_finishes_work_before_the_next_request(
    http: aiohttp.ClientSession,
) -> None:
    _, created = await call(
        http, "POST", "/v2/replicas", json={"train_video_url": "https://x/train.mp4"}
    )
    assert created["status"] == "started"
    _, got = await call(http, "GET", f"/v2/replicas/{created['replica_id']}")
    assert got["status"] == "completed"
    _, video = await call(
        http, "POST", "/v2/videos", json={"replica_id": created["replica_id"], "script": "x"}
    )
    _, got = await call(http, "GET", f"/v2/videos/{video['video_id']}")
    assert got["status"] == "ready"


@manual
async def test_max_call_duration_ends_the_conversation(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    _, conv = await call(
        http,
        "POST",
        "/v2/conversations",
        json={"replica_id": "rfe12d8b9597", "properties": {"max_call_duration": 120}},
    )
    cid = conv["conversation_id"]
    await tavus_simulator.advance(119)
    _, got = await call(http, "GET", f"/v2/conversations/{cid}")
    assert got["status"] == "active"
    await tavus_simulator.advance(1)
    _, got = await call(http, "GET", f"/v2/conversations/{cid}?verbose=true")
    assert got["status"] == "ended"
    assert got["shutdown_reason"] == "max_call_duration reached"
    shutdown = [e for e in got["events"] if e["event_type"] == "system.shutdown"]
    assert shutdown[0]["properties"]["shutdown_reason"] == "max_call_duration reached"
    if tavus_simulator.rooms is not None:
        assert not tavus_simulator.rooms.is_open(cid)


@manual
async def test_nobody_joining_ends_after_participant_absent_timeout(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    _, conv = await call(
        http,
        "POST",
        "/v2/conversations",
        json={"replica_id": "rfe12d8b9597", "properties": {"participant_absent_timeout": 30}},
    )
    await tavus_simulator.advance(30)
    _, got = await call(http, "GET", f"/v2/conversations/{conv['conversation_id']}?verbose=true")
    assert got["status"] == "ended"
    assert got["shutdown_reason"] == "participant_absent_timeout reached"


async def test_verbose_events_after_end(http: aiohttp.ClientSession) -> None:
    _, conv = await call(http, "POST", "/v2/conversations", json={"persona_id": "pdced222244b"})
    cid = conv["conversation_id"]
    _, live = await call(http, "GET", f"/v2/conversations/{cid}?verbose=true")
    assert "system.shutdown" not in {e["event_type"] for e in live["events"]}
    await call(http, "POST", f"/v2/conversations/{cid}/end")
    _, got = await call(http, "GET", f"/v2/conversations/{cid}?verbose=true")
    types = [e["event_type"] for e in got["events"]]
    assert types[-3:] == [
        "system.shutdown",
        "application.transcription_ready",
        "application.perception_analysis",
    ]
    shutdown = got["events"][-3]
    assert shutdown["properties"]["shutdown_reason"] == "end_conversation_endpoint_hit"
    transcript = got["events"][-2]["properties"]["transcript"]
    assert transcript[0]["role"] == "system"
    assert "sales coach" in transcript[0]["content"]
    assert all(isinstance(e["timestamp"], str) for e in got["events"])


@pytest.mark.tavus_simulator(concurrency_limit=2)
async def test_concurrency_cap_and_test_mode(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    body = {"replica_id": "rfe12d8b9597"}
    first = (await call(http, "POST", "/v2/conversations", json=body))[1]
    await call(http, "POST", "/v2/conversations", json=body)
    assert await call(http, "POST", "/v2/conversations", json=body) == (
        400,
        {"message": "User has reached maximum concurrent conversations"},
    )
    # test_mode is created ended and does not count toward the cap.
    status, test = await call(http, "POST", "/v2/conversations", json={**body, "test_mode": True})
    assert status == 200
    assert test["status"] == "ended"
    if tavus_simulator.rooms is not None:
        assert not tavus_simulator.rooms.is_open(test["conversation_id"])
    # Ending one frees a slot.
    await call(http, "POST", f"/v2/conversations/{first['conversation_id']}/end")
    assert (await call(http, "POST", "/v2/conversations", json=body))[0] == 200
    assert tavus_simulator.counts["conversations.create"] == 4


async def test_scaled_time_runs_work_in_the_background() -> None:
    timings = Timings(training=2.0, steps=2)
    async with TavusSimulator(time=100.0, timings=timings) as sim:
        headers = {"x-api-key": sim.api_key}
        async with aiohttp.ClientSession(sim.base_url, headers=headers, timeout=TIMEOUT) as http:
            _, created = await call(
                http, "POST", "/v2/replicas", json={"train_video_url": "https://x/t.mp4"}
            )
            rid = created["replica_id"]
            with anyio.fail_after(5):
                while True:
                    _, got = await call(http, "GET", f"/v2/replicas/{rid}")
                    if got["status"] == "completed":
                        break
                    await anyio.sleep(0.005)


async def test_time_mode_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown time mode"):
        TavusSimulator(time="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        TavusSimulator(time=0.0)


@manual
async def test_advance_through_the_control_endpoint(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    _, created = await call(http, "POST", "/v2/replicas", json={"train_video_url": "https://x/t"})
    async with (
        aiohttp.ClientSession(tavus_simulator.base_url, timeout=TIMEOUT) as control,
        control.post("/_sim/advance", json={"seconds": 10_000}) as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["now"] >= 10_000
    _, got = await call(http, "GET", f"/v2/replicas/{created['replica_id']}")
    assert got["status"] == "completed"
