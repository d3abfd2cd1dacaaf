"""The backend half of a bot fleet: create conversations and hand each to the fleet.

    REDIS_URL=redis://localhost:6379/0 TAVUS_API_KEY=... TAVUS_REPLICA_ID=r... \\
        python examples/fleet/backend.py --count 5

It creates a persona with a ``get_weather`` tool (or uses ``TAVUS_PERSONA_ID``), then
``--count`` conversations, and submits each with ``fleet.submit(conversation, city=...)``; any
number of ``examples/fleet/worker.py`` processes pick them up. Against the local simulator, set
``TAVUS_BASE_URL`` and ``TAVUS_API_KEY`` to what ``tavus-async simulate`` prints (the replica then
defaults to the first one listed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from redis.asyncio import Redis

from tavus_async import AsyncTavus
from tavus_async.errors import TavusError
from tavus_async.fleet import Fleet
from tavus_async.models import ToolParams

WEATHER_TOOL: ToolParams = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "City name"}},
            "required": ["location"],
        },
    },
}
CITIES = ("Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Tunis", "Quito", "Perth")


async def submit_conversations(
    tavus: AsyncTavus, fleet: Fleet, count: int, hold: float, left_timeout: int
) -> list[str]:
    """Create ``count`` conversations and submit each to ``fleet``; return their ids."""
    replica_id = (
        os.environ.get("TAVUS_REPLICA_ID") or (await tavus.replicas.list()).data[0].replica_id
    )
    persona_id = os.environ.get("TAVUS_PERSONA_ID")
    if not persona_id:
        persona = await tavus.personas.create(
            persona_name="tavus-async fleet bot",
            system_prompt="You are a helpful, brief assistant.",
            layers={"llm": {"tools": [WEATHER_TOOL]}},
        )
        persona_id = persona.persona_id
    ids = []
    for i in range(count):
        conversation = await tavus.conversations.create(
            persona_id=persona_id,
            replica_id=replica_id,
            custom_greeting="Hello! Ask me about the weather.",
            # Tavus waits this long for a participant who dropped out: a crashed worker's
            # conversation stays up until another worker's bot has joined it.
            properties={"participant_left_timeout": left_timeout},
        )
        # Right after creating it: the job carries its URL and replica, and what the bot needs.
        await fleet.submit(conversation, city=CITIES[i % len(CITIES)], hold_seconds=hold)
        ids.append(conversation.conversation_id)
        print(f"submitted {conversation.conversation_id}", flush=True)
    return ids


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3, help="conversations to create")
    parser.add_argument("--name", default="tavus", help="the fleet's name (its Redis key prefix)")
    parser.add_argument(
        "--hold", type=float, default=0.0, help="seconds each bot stays after its answer"
    )
    parser.add_argument(
        "--left-timeout", type=int, default=60, help="participant_left_timeout (seconds)"
    )
    args = parser.parse_args(argv)
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    try:
        async with AsyncTavus() as tavus:
            ids = await submit_conversations(
                tavus, Fleet(redis, name=args.name), args.count, args.hold, args.left_timeout
            )
    except TavusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await redis.aclose()
    print(f"submitted {len(ids)} conversations", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
