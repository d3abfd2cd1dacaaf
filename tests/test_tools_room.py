"""The room channel: ``conversations.connect(conv, tools=registry)`` against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
import pytest

from tavus_async.interactions.events import StoppedSpeaking, ToolCall, Utterance
from tavus_async.testing import TavusSimulator
from tavus_async.tools import ToolContext, ToolRegistry

pytestmark = pytest.mark.anyio

registry = ToolRegistry()
_calls: list[tuple[str, str, str | None]] = []


@registry.tool
async def get_weather(
    city: Annotated[str, msgspec.Meta(description="City name")],
    ctx: ToolContext,
    units: Literal["metric", "imperial"] = "metric",
) -> dict[str, Any]:
    """Current weather for a city."""
    _calls.append((city, ctx.channel, ctx.conversation_id))
    return {"city": city, "sky": "sunny", "units": units}


@pytest.fixture
async def tavus() -> AsyncIterator[Any]:
    async with TavusSimulator() as sim, sim.client() as client:
        yield client


async def _conversation(tavus: Any) -> Any:
    persona = await tavus.personas.create(
        persona_name="Bot",
        system_prompt="Be brief.",
        layers={"llm": {"tools": registry.definitions()}},
    )
    replicas = await tavus.replicas.list()
    return await tavus.conversations.create(
        persona_id=persona.persona_id, replica_id=replicas.data[0].replica_id, custom_greeting=""
    )


async def _replica_says(room: Any) -> str:
    spoken = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
    await room.wait_for(StoppedSpeaking, timeout=5)
    return str(spoken.speech)


async def test_a_shared_registry_answers_in_the_room(tavus: Any) -> None:
    _calls.clear()
    conv = await _conversation(tavus)
    async with tavus.conversations.connect(conv, tools=registry) as room:
        assert room.tools is registry
        await room.respond('get_weather {"city": "Oslo", "units": "imperial"}')
        call = await room.wait_for(ToolCall, timeout=5)
        assert call.name == "get_weather"
        spoken = await _replica_says(room)
        # The simulator's replica speaks an object result as sorted JSON.
        assert spoken == '{"city": "Oslo", "sky": "sunny", "units": "imperial"}'
        assert _calls == [("Oslo", "room", conv.conversation_id)]
        assert (room.stats.tool_calls, room.stats.tool_errors) == (1, 0)


async def test_a_misfit_argument_is_an_error_result_and_the_function_does_not_run(
    tavus: Any,
) -> None:
    _calls.clear()
    conv = await _conversation(tavus)
    async with tavus.conversations.connect(conv, tools=registry) as room:
        await room.respond('get_weather {"city": 42}')
        spoken = await _replica_says(room)
        assert spoken.startswith("Sorry, get_weather failed:")
        assert "argument 'city' is invalid" in spoken
        assert _calls == []
        assert room.stats.tool_errors == 1
