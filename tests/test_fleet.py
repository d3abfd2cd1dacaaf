"""tavus_async.fleet in one process: a real Redis (Valkey) server and the simulator's real rooms."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from _redis_kit import redis_url  # noqa: F401 (fixture)
from redis.asyncio import Redis
from typing_extensions import Unpack

from tavus_async import AsyncTavus
from tavus_async.fleet import Fleet, FleetError, Job, JobError, Worker
from tavus_async.models import ConversationPropertiesParams
from tavus_async.room import Room
from tavus_async.testing import TavusSimulator
from tavus_async.testing import _rooms as sim_rooms

LEASE = 0.6  # seconds: short, so that claims happen within the test
BLOCK = 0.1  # seconds one read waits: short, so that stop() and hand-backs are quick


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:  # noqa: F811
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def fleet(redis: Redis) -> Fleet:
    return Fleet(redis, name=f"t{secrets.token_hex(4)}")


@pytest.fixture
def occupancy(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The most bots ever in each simulator room at once (observed on the server side)."""
    most: Counter[str] = Counter()
    original = sim_rooms.Room.join

    def join(self: sim_rooms.Room, name: str, ws: Any) -> Any:
        participant = original(self, name, ws)
        most[self.conversation_id] = max(most[self.conversation_id], len(self.humans))
        return participant

    monkeypatch.setattr(sim_rooms.Room, "join", join)
    return most


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (bounded) until ``check()`` holds; the fleet's progress is only visible by polling."""
    with anyio.fail_after(timeout):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.ensure_future(worker.run(handle_signals=False))
    try:
        yield task
    finally:
        worker.stop()
        await asyncio.wait_for(task, 20)


async def create(tavus: AsyncTavus, **properties: Unpack[ConversationPropertiesParams]) -> Any:
    replica = (await tavus.replicas.list()).data[0].replica_id
    return await tavus.conversations.create(
        replica_id=replica,
        custom_greeting="Hello!",
        properties={"participant_left_timeout": 60, **properties},
    )


async def status(tavus: AsyncTavus, cid: str) -> str | None:
    return (await tavus.conversations.get(cid)).status


@pytest.mark.anyio
async def test_a_submitted_conversation_gets_a_bot_and_is_ended(
    fleet: Fleet, tavus_client: AsyncTavus, occupancy: Counter[str]
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    async def bot(room: Room, job: Job) -> None:
        await room.echo(f"hi {job.data['customer']}")
        seen.append((job.conversation_id, dict(job.data)))

    conv = await create(tavus_client)
    entry = await fleet.submit(conv, customer="acme")
    assert entry
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, concurrency=2, lease_ttl=LEASE)
    async with running(worker):
        await until(lambda: worker.stats.completed == 1)
        stats = await fleet.stats()
        assert [w.consumer for w in stats.workers] == [worker.consumer]
    assert seen == [(conv.conversation_id, {"customer": "acme"})]
    assert await status(tavus_client, conv.conversation_id) == "ended"
    assert occupancy[conv.conversation_id] == 1
    stats = await fleet.stats()
    assert (stats.queued, stats.pending) == (0, 0)
    assert stats.counters["submitted"] == 1
    assert stats.counters["joined"] == 1
    assert stats.counters["completed"] == 1
    assert stats.workers == []  # a stopped worker removes its heartbeat
    assert await fleet.redis.xlen(fleet.stream) == 0  # acknowledged entries are deleted


@pytest.mark.anyio
async def test_an_ended_conversation_is_acknowledged_without_joining(
    fleet: Fleet, tavus_client: AsyncTavus, tavus_simulator: TavusSimulator
) -> None:
    joined: list[str] = []

    async def bot(room: Room, job: Job) -> None:
        joined.append(job.conversation_id)

    conv = await create(tavus_client)
    await tavus_client.conversations.end(conv.conversation_id)
    await fleet.submit(conv.conversation_id)  # an id alone works too
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    async with running(worker):
        await until(lambda: worker.stats.skipped_ended == 1)
    assert joined == []
    stats = await fleet.stats()
    assert stats.pending == 0
    assert stats.counters["skipped_ended"] == 1
    assert stats.counters["joined"] == 0


@pytest.mark.anyio
async def test_a_bot_that_raises_ends_its_conversation_by_default(
    fleet: Fleet, tavus_client: AsyncTavus, caplog: pytest.LogCaptureFixture
) -> None:
    async def bot(room: Room, job: Job) -> None:
        raise RuntimeError("bot bug")

    conv = await create(tavus_client)
    await fleet.submit(conv)
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    async with running(worker):
        await until(lambda: worker.stats.failed == 1)
        await until(lambda: worker.running == 0)
    assert await status(tavus_client, conv.conversation_id) == "ended"
    stats = await fleet.stats()
    assert stats.failed == 1
    assert stats.pending == 0
    assert "bot failed in conversation" in caplog.text
    assert "bot bug" in worker.stats.errors[0]


@pytest.mark.anyio
async def test_release_policy_retries_elsewhere_then_ends(
    fleet: Fleet, tavus_client: AsyncTavus
) -> None:
    attempts: list[tuple[str, int]] = []

    async def bot(room: Room, job: Job) -> None:
        attempts.append((job.conversation_id, job.deliveries))
        raise RuntimeError("still broken")

    conv = await create(tavus_client)
    await fleet.submit(conv)
    options: dict[str, Any] = {
        "block": BLOCK,
        "lease_ttl": LEASE,
        "on_bot_error": "release",
        "max_attempts": 3,
    }
    a = fleet.worker(bot, client=tavus_client, **options)
    b = fleet.worker(bot, client=tavus_client, **options)
    async with running(a), running(b):
        await until(lambda: len(attempts) == 3 and a.running + b.running == 0)
        await asyncio.sleep(LEASE * 2)  # nothing more happens: it was ended, not released again
    assert [n for _, n in attempts] == [1, 2, 3]
    assert await status(tavus_client, conv.conversation_id) == "ended"
    stats = await fleet.stats()
    assert stats.counters["released"] == 2
    assert stats.failed == 3
    assert stats.pending == 0


@pytest.mark.anyio
async def test_one_bot_per_room_even_when_a_job_is_submitted_twice(
    fleet: Fleet, tavus_client: AsyncTavus, occupancy: Counter[str]
) -> None:
    in_room: Counter[str] = Counter()
    most: Counter[str] = Counter()
    release = asyncio.Event()

    async def bot(room: Room, job: Job) -> None:
        in_room[job.conversation_id] += 1
        most[job.conversation_id] = max(most[job.conversation_id], in_room[job.conversation_id])
        try:
            await release.wait()
        finally:
            in_room[job.conversation_id] -= 1

    conv = await create(tavus_client)
    await fleet.submit(conv)
    await fleet.submit(conv)  # a retried request in the backend, say
    a = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    b = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    async with running(a), running(b):
        await until(lambda: sum(in_room.values()) == 1)
        await asyncio.sleep(LEASE * 4)  # long past a lease: renewals keep it, the twin waits
        assert sum(in_room.values()) == 1
        release.set()
        await until(lambda: a.stats.completed + b.stats.completed == 1)
        # The twin comes back after a lease, finds the conversation ended, and is dropped.
        await until(lambda: a.stats.skipped_ended + b.stats.skipped_ended == 1)
    assert most[conv.conversation_id] == 1
    assert occupancy[conv.conversation_id] == 1
    assert (a.stats.lease_busy + b.stats.lease_busy) >= 1
    assert (await fleet.stats()).pending == 0


@pytest.mark.anyio
async def test_graceful_shutdown_hands_unfinished_rooms_to_another_worker(
    fleet: Fleet, tavus_client: AsyncTavus, occupancy: Counter[str]
) -> None:
    runs: list[str] = []
    finish = asyncio.Event()

    async def stubborn(room: Room, job: Job) -> None:
        runs.append("first")
        await asyncio.Event().wait()  # never finishes by itself

    async def quick(room: Room, job: Job) -> None:
        runs.append("second")
        await finish.wait()

    conv = await create(tavus_client)
    await fleet.submit(conv)
    # A long lease: the second worker can only take the job because it was handed back.
    first = fleet.worker(
        stubborn, client=tavus_client, block=BLOCK, lease_ttl=30, shutdown_timeout=0.2
    )
    second = fleet.worker(quick, client=tavus_client, block=BLOCK, lease_ttl=30)
    async with running(first) as first_task:
        await until(lambda: first.running == 1 and runs == ["first"])
        first.stop()
        await asyncio.wait_for(first_task, 10)
    assert first.stats.released == 1
    assert await status(tavus_client, conv.conversation_id) == "active"  # left, not ended
    async with running(second):
        await until(lambda: runs == ["first", "second"], timeout=5)
        finish.set()
        await until(lambda: second.stats.completed == 1)
    assert await status(tavus_client, conv.conversation_id) == "ended"
    assert occupancy[conv.conversation_id] == 1
    assert (await fleet.stats()).pending == 0


@pytest.mark.anyio
async def test_stats_show_running_rooms_per_worker(fleet: Fleet, tavus_client: AsyncTavus) -> None:
    go = asyncio.Event()

    async def bot(room: Room, job: Job) -> None:
        await go.wait()

    convs = [await create(tavus_client) for _ in range(3)]
    for conv in convs:
        await fleet.submit(conv)
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, concurrency=2, lease_ttl=LEASE)
    async with running(worker):
        await until(lambda: worker.running == 2)
        await asyncio.sleep(LEASE)  # a heartbeat has been written since
        stats = await fleet.stats()
        assert stats.running == {worker.consumer: 2}
        assert stats.pending == 2
        assert stats.queued == 1  # the third waits for a free slot
        assert len(stats.workers[0].conversations) == 2
        go.set()
        await until(lambda: worker.stats.completed == 3)
    final = (await fleet.stats()).as_dict()
    assert final["counters"]["completed"] == 3
    assert final["pending"] == 0


@pytest.mark.anyio
async def test_bad_input_gets_clear_errors(fleet: Fleet, tavus_client: AsyncTavus) -> None:
    with pytest.raises(JobError, match="conversation_id"):
        await fleet.submit({"conversation_url": "ws://x"})
    with pytest.raises(JobError, match="JSON"):
        await fleet.submit("c123", blob=object())
    with pytest.raises(ValueError, match="concurrency"):
        fleet.worker(_noop, client=tavus_client, block=BLOCK, concurrency=0)
    with pytest.raises(ValueError, match="on_bot_error"):
        fleet.worker(_noop, client=tavus_client, block=BLOCK, on_bot_error="retry")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AsyncTavus"):
        fleet.worker(_noop, client=None)
    with pytest.raises(ValueError, match="name"):
        Fleet(fleet.redis, name="has space")
    job = Job(conversation_id="c1", meeting_token="secret-token-value")
    assert "secret-token-value" not in repr(job)


@pytest.mark.anyio
async def test_unreachable_redis_is_a_fleet_error() -> None:
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    try:
        with pytest.raises(FleetError, match="could not"):
            await Fleet(dead).submit("c123")
        with pytest.raises(FleetError, match="could not read"):
            await Fleet(dead).stats()
    finally:
        await dead.aclose()


async def _noop(room: Room, job: Job) -> None:
    return None


@pytest.mark.anyio
async def test_a_bot_whose_lease_is_taken_is_stopped(
    fleet: Fleet, tavus_client: AsyncTavus
) -> None:
    stopped = asyncio.Event()

    async def bot(room: Room, job: Job) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            stopped.set()
            raise

    conv = await create(tavus_client)
    await fleet.submit(conv)
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    async with running(worker):
        await until(lambda: worker.running == 1 and worker.stats.joined == 1)
        # Someone else now holds the lease (as after a pause longer than the lease): the next
        # renewal sees it is not ours and stops our bot rather than share the room.
        await fleet.redis.set(fleet.lease_key(conv.conversation_id), "another-worker", px=60_000)
        await asyncio.wait_for(stopped.wait(), LEASE * 3)
        await until(lambda: worker.running == 0)
    assert worker.stats.lease_lost == 1
    assert await status(tavus_client, conv.conversation_id) == "active"  # not ours to end
    assert await fleet.redis.get(fleet.lease_key(conv.conversation_id)) == b"another-worker"
