"""examples/fleet/ as real processes: a backend submits 30 conversations to three workers, one of
which is SIGKILLed mid-way; every conversation still gets one bot at a time and is ended.

The simulator runs in the test process on a real port (its rooms are observed from the server
side: how many bots were in each room at once); Redis is a real Valkey server.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from contextlib import AsyncExitStack

import anyio
import pytest
from _example_kit import (
    EXAMPLES,
    ExampleProcess,
    assert_refused_cleanly,
    example_env,
    run_example,
    started_example,
)
from _redis_kit import redis_url  # noqa: F401 (fixture)
from redis.asyncio import Redis
from test_fleet import occupancy  # noqa: F401 (fixture)

from tavus_async.fleet import Fleet
from tavus_async.testing import TavusSimulator

BACKEND = EXAMPLES / "fleet" / "backend.py"
WORKER = EXAMPLES / "fleet" / "worker.py"
COUNT = 30
LEASE = 1.5  # seconds: how long the killed worker's conversations wait for another bot


def _statuses(sim: TavusSimulator, ids: list[str]) -> Counter[str]:
    return Counter(sim.store.conversations[cid]["status"] for cid in ids)


@pytest.mark.slow
@pytest.mark.anyio
async def test_three_workers_one_killed_every_conversation_gets_one_bot_and_ends(
    redis_url: str,  # noqa: F811
    occupancy: Counter[str],  # noqa: F811
) -> None:
    name = f"ex{secrets.token_hex(4)}"
    redis = Redis.from_url(redis_url)
    fleet = Fleet(redis, name=name)
    async with TavusSimulator() as sim, AsyncExitStack() as stack:
        stack.push_async_callback(redis.aclose)
        env = example_env(
            TAVUS_BASE_URL=sim.base_url, TAVUS_API_KEY=sim.api_key, REDIS_URL=redis_url
        )
        args = ("--name", name, "--concurrency", "4", "--lease", str(LEASE))
        workers: list[ExampleProcess] = [
            await stack.enter_async_context(
                started_example(WORKER, *args, "--shutdown-timeout", "10", env=env)
            )
            for _ in range(3)
        ]
        await asyncio.gather(*(w.wait_for(r"ready", timeout=30) for w in workers))

        backend = await stack.enter_async_context(
            started_example(
                BACKEND, "--name", name, "--count", str(COUNT), "--hold", "1.0", env=env
            )
        )
        await backend.wait_for(rf"submitted {COUNT} conversations", timeout=30)
        ids = [line.split()[1] for line in backend.lines if line.startswith("submitted c")]
        assert len(ids) == COUNT

        # Kill (SIGKILL: no clean-up at all) a worker while it holds rooms.
        victim_pid = int((await workers[0].wait_for(r"worker (\d+) ready")).group(1))

        def in_a_room(cid: str) -> bool:
            room = sim.rooms.room(cid)
            active = sim.store.conversations[cid]["status"] == "active"
            return active and room is not None and len(room.humans) == 1

        with anyio.fail_after(20):
            while True:
                stats = await fleet.stats()
                held = [
                    cid
                    for w in stats.workers
                    if w.pid == victim_pid
                    for cid in w.conversations
                    if in_a_room(cid)
                ]
                if len(held) >= 2:
                    break
                await asyncio.sleep(0.05)
        # Its bots are in these rooms right now (no await between this check and the kill).
        orphans = [cid for cid in held if in_a_room(cid)]
        workers[0].proc.kill()
        await workers[0].proc.wait()
        assert orphans

        with anyio.fail_after(45):
            while True:
                if _statuses(sim, ids)["ended"] == COUNT:
                    break
                await asyncio.sleep(0.1)
            # A worker acknowledges a job just after ending its conversation: wait for the last.
            while True:
                final = await fleet.stats()
                counters = final.counters
                if counters["completed"] + counters["skipped_ended"] + counters["failed"] >= COUNT:
                    break
                await asyncio.sleep(0.05)
        left_in_stream = await redis.xlen(fleet.stream)

    # Every conversation: ended by its bot (the end endpoint), never by a timeout, after having
    # exactly one bot at a time.
    reasons = Counter(sim.store.conversations[cid].get("_shutdown_reason") for cid in ids)
    assert reasons == {"end_conversation_endpoint_hit": COUNT}
    assert {cid: occupancy[cid] for cid in ids} == dict.fromkeys(ids, 1)
    # The orphans' jobs were claimed by the other workers, which joined the still-running
    # conversations. (One whose bot had just finished may already have been ending when the
    # kill came: then it is acknowledged without a second join, which is the rule.)
    assert final.claimed >= len(orphans)
    assert any(sim.rooms.room(cid).stats["joins"] >= 2 for cid in orphans)
    # Nothing left: no queued or pending job, no entry in the stream; each job acknowledged once.
    assert (final.queued, final.pending, left_in_stream) == (0, 0, 0), final.as_dict()
    assert final.counters["completed"] + final.counters["skipped_ended"] == COUNT, final.as_dict()
    assert final.failed == 0, final.as_dict()
    # The two survivors stopped gracefully on SIGTERM (started_example sends it on exit).
    for worker in workers[1:]:
        assert worker.proc.returncode == 0, worker.output
        assert "stopped" in worker.output
    answered = [line for w in workers for line in w.lines if "answered get_weather" in line]
    assert len(answered) >= COUNT


def test_the_examples_refuse_cleanly_without_redis_or_a_key() -> None:
    dead = "redis://127.0.0.1:1"
    key = "sk_fleet_example_never_printed"
    worker = run_example(WORKER, env=example_env(TAVUS_API_KEY=key, REDIS_URL=dead), timeout=60)
    assert_refused_cleanly(worker, "could not create the fleet's consumer group", key)
    backend = run_example(BACKEND, env=example_env(REDIS_URL=dead), timeout=60)
    assert_refused_cleanly(backend, "No Tavus API key", key)
