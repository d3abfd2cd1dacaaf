"""Waiters and the always-ended conversation, end to end against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from tavus_async import AsyncTavus, JobFailedError, Progress, WaitTimeoutError
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

STOCK_REPLICA = "rfe12d8b9597"
STOCK_PERSONA = "pdced222244b"


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(time="manual") as simulator:
        yield simulator


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[AsyncTavus]:
    async with sim.client(retry_initial_delay=0.001) as client:
        yield client


async def _drive(sim: TavusSimulator, done: asyncio.Future[Any], step: float) -> None:
    """Advance simulated time in steps until the waiter has finished."""
    with anyio.fail_after(10):
        while not done.done():
            await sim.advance(step)
            await anyio.sleep(0.005)


async def test_replica_wait_reports_rising_progress_then_returns_the_ready_replica(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    replica = await tavus.replicas.create(
        replica_name="Ada", train_video_url="https://example.com/train.mp4"
    )
    seen: list[Progress] = []
    waiter = asyncio.ensure_future(
        tavus.replicas.wait_until_ready(
            replica.replica_id, interval=0.005, max_interval=0.01, on_progress=seen.append
        )
    )
    await _drive(sim, waiter, sim.timings.training / 8)
    ready = await waiter
    assert ready.status == "completed"
    assert seen[0].status == "started"
    assert seen[-1].percent == 100.0
    percents = [p.percent for p in seen if p.percent is not None]
    assert percents == sorted(percents)
    assert len(set(percents)) >= 3  # it saw intermediate progress, not just the end


async def test_failed_training_raises_with_tavus_own_message(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    sim.fail_next_training("video_duration")
    replica = await tavus.replicas.create(
        replica_name="Bob", train_video_url="https://example.com/train.mp4"
    )
    waiter = asyncio.ensure_future(
        tavus.replicas.wait_until_ready(replica.replica_id, interval=0.005, max_interval=0.01)
    )
    await _drive(sim, waiter, sim.timings.training / 4)
    with pytest.raises(JobFailedError) as info:
        await waiter
    err = info.value
    assert err.resource_id == replica.replica_id
    assert err.status == "error"
    stored = sim.store.replicas[replica.replica_id]["error_message"]
    assert err.error_message == stored
    assert stored in str(err)


async def test_video_and_document_waiters_see_their_lifecycles(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    video = await tavus.videos.create(replica_id=STOCK_REPLICA, script="Hello there")
    doc = await tavus.documents.create(document_url="https://example.com/guide.pdf")
    statuses: dict[str, list[str | None]] = {"video": [], "doc": []}
    video_wait = asyncio.ensure_future(
        tavus.videos.wait_until_ready(
            video.video_id,
            interval=0.005,
            max_interval=0.01,
            on_progress=lambda p: statuses["video"].append(p.status),
        )
    )
    doc_wait = asyncio.ensure_future(
        tavus.documents.wait_until_ready(
            doc.document_id,
            interval=0.005,
            max_interval=0.01,
            on_progress=lambda p: statuses["doc"].append(p.status),
        )
    )
    both = asyncio.ensure_future(asyncio.gather(video_wait, doc_wait))
    await _drive(sim, both, 5.0)
    final_video, final_doc = await both
    assert final_video.status == "ready"
    assert final_doc.status == "ready"
    assert "generating" in statuses["video"] or "queued" in statuses["video"]
    assert statuses["doc"][-1] == "ready"
    assert len(statuses["doc"]) >= 2


async def test_failed_document_carries_tavus_error_code(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    sim.fail_next_document("file_download_failed")
    doc = await tavus.documents.create(document_url="https://example.com/missing.pdf")
    waiter = asyncio.ensure_future(
        tavus.documents.wait_until_ready(doc.document_id, interval=0.005, max_interval=0.01)
    )
    await _drive(sim, waiter, 10.0)
    with pytest.raises(JobFailedError) as info:
        await waiter
    assert info.value.error_code == "file_download_failed"


async def test_waiter_times_out_with_the_last_state(tavus: AsyncTavus) -> None:
    replica = await tavus.replicas.create(
        replica_name="Cy", train_video_url="https://example.com/train.mp4"
    )
    # Manual time never advances, so training never finishes.
    with pytest.raises(WaitTimeoutError) as info:
        await tavus.replicas.wait_until_ready(
            replica.replica_id, timeout=0.1, interval=0.01, max_interval=0.02
        )
    assert info.value.last.replica_id == replica.replica_id
    assert info.value.last.status == "started"


async def test_session_ends_the_conversation_on_exit_error_and_cancellation(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    async with tavus.conversations.session(
        persona_id=STOCK_PERSONA, replica_id=STOCK_REPLICA
    ) as conv:
        assert sim.store.conversations[conv.conversation_id]["status"] == "active"
    assert sim.store.conversations[conv.conversation_id]["status"] == "ended"

    with pytest.raises(LookupError):
        async with tavus.conversations.session(
            persona_id=STOCK_PERSONA, replica_id=STOCK_REPLICA
        ) as conv2:
            raise LookupError("the block failed")
    assert sim.store.conversations[conv2.conversation_id]["status"] == "ended"

    entered: list[str] = []
    inside = anyio.Event()

    async def block() -> None:
        async with tavus.conversations.session(
            persona_id=STOCK_PERSONA, replica_id=STOCK_REPLICA
        ) as conv3:
            entered.append(conv3.conversation_id)
            inside.set()
            await anyio.sleep_forever()

    task = asyncio.ensure_future(block())
    with anyio.fail_after(5):
        await inside.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sim.store.conversations[entered[0]]["status"] == "ended"
    # Ending twice is harmless.
    await tavus.conversations.end(entered[0])


async def test_wait_for_status_sees_the_conversation_end(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    conv = await tavus.conversations.create(persona_id=STOCK_PERSONA, replica_id=STOCK_REPLICA)
    waiter = asyncio.ensure_future(
        tavus.conversations.wait_for_status(
            conv.conversation_id, interval=0.005, max_interval=0.01, verbose=True
        )
    )
    await anyio.sleep(0.03)
    assert not waiter.done()
    await tavus.conversations.end(conv.conversation_id)
    with anyio.fail_after(5):
        ended = await waiter
    assert ended.status == "ended"
