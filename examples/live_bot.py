"""A bot that holds a whole conversation: join, greet, respond, answer a tool, speak audio,
interrupt, leave.

    python examples/live_bot.py            # against the local simulator (no key needed)
    TAVUS_API_KEY=... TAVUS_REPLICA_ID=r... python examples/live_bot.py   # a real Tavus room

With ``TAVUS_API_KEY`` set it creates a persona with the ``get_weather`` tool and a conversation
on the real API (``TAVUS_REPLICA_ID`` is required; ``TAVUS_PERSONA_ID`` reuses a persona), joins
its Daily room (``pip install 'tavus-async[daily]'``), and ends the conversation when done.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import struct
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

from tavus_async.interactions.events import StoppedSpeaking, ToolCall, Utterance
from tavus_async.models import ToolParams
from tavus_async.room import Room, connect

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


def tone(seconds: float, rate: int = 24000, freq: float = 440.0) -> bytes:
    """PCM16 mono: a sine tone standing in for a TTS engine's output."""
    n = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(n)
    )


async def fake_tts(pieces: int, gate: asyncio.Event) -> AsyncIterator[bytes]:
    """A streaming TTS that produces one 100 ms piece, then stalls until ``gate`` opens."""
    yield tone(0.1)
    await gate.wait()
    for _ in range(pieces - 1):
        yield tone(0.1)


async def converse(room: Room, say: Callable[[str], None]) -> dict[str, Any]:
    """The bot itself; returns what happened (for the test)."""
    summary: dict[str, Any] = {"tool_calls": [], "replica_said": []}

    @room.tool("get_weather", timeout=10)
    async def get_weather(location: str) -> dict[str, Any]:
        summary["tool_calls"].append(location)
        return {"location": location, "forecast": "sunny", "temp_c": 21}

    async def replica_turn() -> str:
        """Read until the replica finishes its turn; return what it said."""
        said = ""
        while True:
            event = await room.wait_for((Utterance, StoppedSpeaking), timeout=60)
            if isinstance(event, Utterance):
                say(f"  {event.role}: {event.speech}")
                if event.role == "replica":
                    said = event.speech
            elif event.role == "replica":
                summary["replica_said"].append(said)
                return said

    assert room.replica is not None
    say(f"joined; the replica is {room.replica.name}")
    await replica_turn()  # the greeting

    say("greeting via echo")
    await room.echo("Hi! I'm a bot written with tavus-async.")
    await replica_turn()

    say("asking a question that needs a tool")
    await room.respond('What is the weather? get_weather {"location": "Lisbon"}')
    call = await room.wait_for(ToolCall, timeout=60)
    say(f"  tool call {call.name}({call.arguments}) -> answered by the handler")
    await replica_turn()

    say("streaming half a second of audio")
    result = await room.echo_audio(tone(0.5))
    summary["audio_chunks"] = result.chunks
    await replica_turn()

    say("streaming audio and interrupting it")
    gate = asyncio.Event()
    stream = asyncio.ensure_future(room.echo_audio(fake_tts(20, gate)))
    await asyncio.sleep(0.05)
    await room.interrupt()
    gate.set()
    interrupted = await asyncio.wait_for(stream, 10)
    summary["interrupted_completed"] = interrupted.completed
    say(f"  audio stopped after {interrupted.chunks} chunk(s)")

    summary["transcript"] = [(t.role, t.text) for t in room.transcript]
    summary["stats"] = room.stats
    return summary


async def run(say: Callable[[str], None] = print) -> dict[str, Any]:
    """Set up (simulator or real Tavus), hold the conversation, leave; return the summary."""
    async with AsyncExitStack() as stack:
        api_key = os.environ.get("TAVUS_API_KEY")
        if api_key:
            from tavus_async import AsyncTavus

            tavus = await stack.enter_async_context(AsyncTavus(api_key=api_key))
            replica_id = os.environ.get("TAVUS_REPLICA_ID")
            if not replica_id:
                raise SystemExit("set TAVUS_REPLICA_ID to the replica to talk to")
            persona_id = os.environ.get("TAVUS_PERSONA_ID")
        else:
            from tavus_async.testing import TavusSimulator

            sim = await stack.enter_async_context(TavusSimulator())
            tavus = await stack.enter_async_context(sim.client())
            replica_id = (await tavus.replicas.list()).data[0].replica_id
            persona_id = None
            say(f"using the local simulator at {sim.base_url}")
        if persona_id is None:
            persona = await tavus.personas.create(
                persona_name="tavus-async live bot",
                system_prompt="You are a helpful, brief assistant.",
                layers={"llm": {"tools": [WEATHER_TOOL]}},
            )
            persona_id = persona.persona_id
        conversation = await tavus.conversations.create(
            persona_id=persona_id,
            replica_id=replica_id,
            custom_greeting="Hello! How can I help?",
        )
        say(f"conversation {conversation.conversation_id}")
        async with connect(
            conversation,
            client=tavus,
            replica_id=replica_id,
            end_conversation=True,
            join_timeout=120,
        ) as room:
            summary = await converse(room, say)
        say("left the room; the conversation was ended")
        for role, text in summary["transcript"]:
            say(f"  [{role}] {text}")
        return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    asyncio.run(run((lambda _: None) if args.quiet else print))
    return 0


if __name__ == "__main__":
    sys.exit(main())
