"""``tavus-async fleet status`` against a real Redis (Valkey) and a running fleet worker."""

from __future__ import annotations

import asyncio
import json

import pytest
from _redis_kit import redis_url  # noqa: F401 (fixture)
from test_fleet import BLOCK, LEASE, create, fleet, redis, running, until  # noqa: F401

from tavus_async import AsyncTavus
from tavus_async.cli import main
from tavus_async.fleet import Fleet, Job
from tavus_async.room import Room


@pytest.mark.anyio
async def test_cli_fleet_status(
    fleet: Fleet,  # noqa: F811
    tavus_client: AsyncTavus,
    redis_url: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    go = asyncio.Event()

    async def bot(room: Room, job: Job) -> None:
        await go.wait()

    conv = await create(tavus_client)
    await fleet.submit(conv)
    worker = fleet.worker(bot, client=tavus_client, block=BLOCK, lease_ttl=LEASE)
    args = ["fleet", "status", "--redis", redis_url, "--name", fleet.name]
    async with running(worker):
        await until(lambda: worker.running == 1)
        await asyncio.sleep(LEASE)  # a heartbeat with the conversation in it
        assert await asyncio.to_thread(main, [*args, "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["pending"] == 1
        assert shown["running"] == {worker.consumer: 1}
        assert shown["workers"][0]["conversations"] == [conv.conversation_id]
        assert await asyncio.to_thread(main, args) == 0
        table = capsys.readouterr().out
        assert worker.consumer in table
        assert conv.conversation_id in table
        assert "pending" in table
        go.set()
        await until(lambda: worker.stats.completed == 1)
    dead = ["fleet", "status", "--redis", "redis://127.0.0.1:1", "--name", fleet.name]
    assert await asyncio.to_thread(main, dead) == 1
    assert "could not read the fleet's state" in capsys.readouterr().err
