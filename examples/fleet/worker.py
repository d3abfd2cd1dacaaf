"""The worker half of a bot fleet: take conversations from Redis and run a bot in each.

    REDIS_URL=redis://localhost:6379/0 TAVUS_API_KEY=... python examples/fleet/worker.py

Run as many as you need, on as many machines (each holds up to ``--concurrency`` rooms). The bot
answers the replica's ``get_weather`` tool calls, asks one question that needs the tool, listens
for ``hold_seconds`` more, and returns; the fleet then ends the conversation. SIGTERM stops the
worker gracefully: running bots get ``--shutdown-timeout`` seconds, the rest go to other workers.
Against the simulator, set ``TAVUS_BASE_URL``/``TAVUS_API_KEY`` as ``tavus-async simulate`` prints
(real Tavus rooms need ``pip install 'tavus-async[daily]'``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

import anyio
from redis.asyncio import Redis

from tavus_async import AsyncTavus
from tavus_async.errors import TavusError
from tavus_async.fleet import Fleet, Job
from tavus_async.interactions.events import ToolCall, Utterance
from tavus_async.room import Disconnected, Room


async def weather_bot(room: Room, job: Job) -> None:
    """Answer ``get_weather``, ask about ``job.data['city']``, listen a while, return."""
    city = str(job.data.get("city", "Lisbon"))

    @room.tool("get_weather", timeout=10)
    async def get_weather(location: str) -> dict[str, Any]:
        return {"location": location, "forecast": "sunny", "temp_c": 21}

    await room.respond(f'What is the weather? get_weather {{"location": "{city}"}}')
    call = await room.wait_for(ToolCall, timeout=30)
    answer = await room.wait_for(
        Utterance, where=lambda e: e.role == "replica" and "forecast" in e.speech, timeout=30
    )
    print(
        f"bot {job.conversation_id} (delivery {job.deliveries}) answered {call.name}: "
        f"{answer.speech[:60]}",
        flush=True,
    )
    # Stands for the rest of a real conversation: listen until the time is up or it ends.
    with anyio.move_on_after(float(job.data.get("hold_seconds", 0))):
        async for event in room:
            if isinstance(event, Disconnected):
                return


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=10, help="most rooms at once")
    parser.add_argument("--name", default="tavus", help="the fleet's name (its Redis key prefix)")
    parser.add_argument(
        "--lease", type=float, default=15.0, help="seconds before a silent worker's jobs move"
    )
    parser.add_argument("--shutdown-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    try:
        async with AsyncTavus() as tavus:
            fleet = Fleet(redis, name=args.name)
            await fleet.ensure_group()  # reach Redis before saying we are ready
            print(f"worker {os.getpid()} ready (up to {args.concurrency} rooms)", flush=True)
            await fleet.run_worker(
                weather_bot,
                client=tavus,
                concurrency=args.concurrency,
                lease_ttl=args.lease,
                shutdown_timeout=args.shutdown_timeout,
            )
    except TavusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await redis.aclose()
    print(f"worker {os.getpid()} stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
