"""The Room against the real simulator over its socket: a whole conversation, tools, audio, ends."""

from __future__ import annotations

import asyncio
import logging
import math
import struct
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from tavus_async.errors import JoinError, RoomClosedError
from tavus_async.interactions.events import (
    ReplicaJoined,
    StartedSpeaking,
    StoppedSpeaking,
    ToolCall,
    Utterance,
    UtteranceStreaming,
)
from tavus_async.room import Disconnected, ReplicaParticipantJoined, Room, connect
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator() as s:
        yield s


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[Any]:
    async with sim.client() as client:
        yield client


async def _conversation(tavus: Any, greeting: str = "Hello there") -> Any:
    persona = await tavus.personas.create(
        persona_name="Bot", system_prompt="Be brief.", layers={"llm": {"tools": [WEATHER_TOOL]}}
    )
    replicas = await tavus.replicas.list()
    return await tavus.conversations.create(
        persona_id=persona.persona_id,
        replica_id=replicas.data[0].replica_id,
        custom_greeting=greeting,
    )


def _tone(seconds: float, rate: int = 24000) -> bytes:
    n = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n)
    )


def _room_tasks() -> list[asyncio.Task[Any]]:
    """Live tasks the room connector started (the simulator's own are named tavus-sim-*)."""
    prefixes = ("tavus-room", "tavus-ws-room", "tavus-tool")
    return [t for t in asyncio.all_tasks() if not t.done() and t.get_name().startswith(prefixes)]


async def _until(room: Room, cls: type, where: Any = None, timeout: float = 5.0) -> list[Any]:
    """Everything read up to and including the first matching event."""
    seen: list[Any] = []
    with anyio.fail_after(timeout):
        async for event in room:
            seen.append(event)
            if isinstance(event, cls) and (where is None or where(event)):
                return seen
    raise AssertionError(f"stream ended before {cls.__name__}: {seen}")


async def test_join_greeting_and_a_respond_turn_arrive_in_order(tavus: Any) -> None:
    conv = await _conversation(tavus)
    async with connect(conv, client=tavus) as room:
        assert room.replica is not None
        assert room.replica.name == (await tavus.conversations.get(conv.conversation_id)).replica_id
        greeting = await _until(room, StoppedSpeaking)
        kinds = [type(e) for e in greeting]
        assert kinds.index(ReplicaParticipantJoined) < kinds.index(StartedSpeaking)
        assert ReplicaJoined in kinds
        assert kinds.index(StartedSpeaking) < kinds.index(Utterance) < kinds.index(StoppedSpeaking)
        utterance = next(e for e in greeting if isinstance(e, Utterance))
        assert utterance.role == "replica"
        assert utterance.speech == "Hello there"

        await room.respond("How are you?")
        turn = await _until(room, StoppedSpeaking)
        user = [e for e in turn if isinstance(e, Utterance) and e.role == "user"]
        reply = [e for e in turn if isinstance(e, Utterance) and e.role == "replica"]
        assert [u.speech for u in user] == ["How are you?"]
        assert reply[0].speech == "You said: How are you?"
        seqs = [e.seq for e in greeting + turn if getattr(e, "seq", None) is not None]
        assert seqs == sorted(seqs)
        assert [(t.role, t.text) for t in room.transcript] == [
            ("replica", "Hello there"),
            ("user", "How are you?"),
            ("replica", "You said: How are you?"),
        ]


async def test_a_registered_tool_answers_and_the_replica_speaks_the_result(tavus: Any) -> None:
    conv = await _conversation(tavus)
    calls: list[str] = []
    async with connect(conv, client=tavus) as room:

        @room.tool("get_weather")
        async def get_weather(location: str) -> dict[str, Any]:
            calls.append(location)
            return {"location": location, "sky": "sunny"}

        await _until(room, StoppedSpeaking)  # the greeting
        await room.respond('get_weather {"location": "Paris"}')
        call = await room.wait_for(ToolCall, timeout=5)
        assert call.arguments == {"location": "Paris"}
        spoken = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
        assert calls == ["Paris"]
        assert '"sky": "sunny"' in spoken.speech
        assert room.stats.tool_calls == 1
        assert room.stats.tool_errors == 0


async def test_a_failing_tool_sends_a_safe_error_and_logs_it(
    tavus: Any, caplog: pytest.LogCaptureFixture
) -> None:
    conv = await _conversation(tavus)
    async with connect(conv, client=tavus) as room:

        @room.tool("get_weather")
        async def get_weather(location: str) -> str:
            raise RuntimeError("db password=hunter2 refused")

        await _until(room, StoppedSpeaking)
        with caplog.at_level(logging.ERROR, logger="tavus_async"):
            await room.respond("get_weather please")
            spoken = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
        assert spoken.speech == "Sorry, get_weather failed: the tool get_weather failed"
        assert "hunter2" not in spoken.speech
        assert any("get_weather raised" in r.getMessage() for r in caplog.records)
        assert room.stats.tool_errors == 1


async def test_a_slow_tool_times_out_as_an_error_result(tavus: Any) -> None:
    conv = await _conversation(tavus)
    async with connect(conv, client=tavus, tool_timeout=0.2) as room:
        release = anyio.Event()

        @room.tool("get_weather")
        async def get_weather(location: str) -> str:
            await release.wait()
            return "never"

        await _until(room, StoppedSpeaking)
        await room.respond("get_weather now")
        spoken = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
        assert spoken.speech == "Sorry, get_weather failed: the tool get_weather timed out"


async def test_echo_text_and_audio_are_spoken(tavus: Any, sim: TavusSimulator) -> None:
    conv = await _conversation(tavus, greeting="")
    async with connect(conv, client=tavus) as room:
        await room.echo("Straight from the bot.")
        spoken = await room.wait_for(Utterance, timeout=5)
        assert spoken.speech == "Straight from the bot."
        await room.wait_for(StoppedSpeaking, timeout=5)

        result = await room.echo_audio(_tone(0.5))
        assert result.completed
        assert result.chunks >= 9  # 0.5 s does not fit fewer than nine 4 KB messages
        stopped = await room.wait_for(StoppedSpeaking, timeout=5)
        assert stopped.duration == pytest.approx(0.5 + 0.04, abs=0.02)
        received = sim.replica.received(conv.conversation_id)
        audio = [m for m in received if m["properties"].get("modality") == "audio"]
        assert len(audio) == result.chunks
        assert {m["properties"]["inference_id"] for m in audio} == {result.inference_id}
        assert [m["properties"]["done"] for m in audio] == [False] * (result.chunks - 1) + [True]


async def test_interrupt_stops_a_streaming_echo_audio(tavus: Any, sim: TavusSimulator) -> None:
    conv = await _conversation(tavus, greeting="")
    async with connect(conv, client=tavus) as room:
        gate = anyio.Event()

        async def tts() -> AsyncIterator[bytes]:
            yield _tone(0.2)
            await gate.wait()
            yield _tone(0.2)

        async with anyio.create_task_group() as tg:
            results: list[Any] = []

            async def stream() -> None:
                results.append(await room.echo_audio(tts()))

            tg.start_soon(stream)
            with anyio.fail_after(5):
                while not any(  # noqa: ASYNC110 - the simulator records without signalling
                    m["properties"].get("modality") == "audio"
                    for m in sim.replica.received(conv.conversation_id)
                ):
                    await anyio.sleep(0.01)
            await room.interrupt()
            gate.set()
        assert results[0].completed is False
        received = sim.replica.received(conv.conversation_id)
        kinds = [m["event_type"] for m in received]
        after = kinds[kinds.index("conversation.interrupt") + 1 :]
        assert after == []  # nothing queued went out after the interrupt
        assert not any(m["properties"].get("done") for m in received if "properties" in m)


async def test_end_conversation_runs_once_even_when_the_body_raises(
    tavus: Any, sim: TavusSimulator
) -> None:
    conv = await _conversation(tavus)
    with pytest.raises(ZeroDivisionError):
        async with connect(conv, client=tavus, end_conversation=True):
            1 / 0  # noqa: B018
    ended = await tavus.conversations.get(conv.conversation_id)
    assert ended.status == "ended"
    assert sim.counts["conversations.end"] == 1


async def test_end_conversation_on_cancellation(tavus: Any, sim: TavusSimulator) -> None:
    conv = await _conversation(tavus)
    with anyio.move_on_after(0.3):
        async with connect(conv, client=tavus, end_conversation=True) as room:
            async for _ in room:
                pass
    assert (await tavus.conversations.get(conv.conversation_id)).status == "ended"
    assert sim.counts["conversations.end"] == 1


async def test_ending_the_conversation_ends_the_stream_with_disconnected(tavus: Any) -> None:
    conv = await _conversation(tavus)
    async with connect(conv, client=tavus) as room:
        await _until(room, StoppedSpeaking)
        await tavus.conversations.end(conv.conversation_id)
        rest = [e async for e in room]
        assert isinstance(rest[-1], Disconnected)
        assert rest[-1].reason == "room-ended"
        with pytest.raises(RoomClosedError, match="room-ended"):
            await room.respond("anyone?")
        with pytest.raises(RoomClosedError):
            await room.recv()


async def test_unknown_room_is_a_join_error(sim: TavusSimulator) -> None:
    with pytest.raises(JoinError, match="refused the join"):
        async with Room(f"{sim.ws_base_url}/rooms/c-does-not-exist"):
            pass


async def test_leaving_ends_iteration_and_closes_sends(tavus: Any) -> None:
    conv = await _conversation(tavus)
    room = connect(conv, client=tavus)
    async with room:
        pass
    assert room.closed
    assert [e async for e in room if isinstance(e, Disconnected)] == []
    with pytest.raises(RoomClosedError):
        await room.echo("late")


async def test_no_task_or_session_outlives_the_room(tavus: Any) -> None:
    conv = await _conversation(tavus)
    async with connect(conv, client=tavus) as room:

        @room.tool("get_weather")
        async def get_weather(location: str) -> str:
            await anyio.sleep(30)  # still running when we leave
            return "late"

        await room.respond("get_weather")
        await room.wait_for(ToolCall, timeout=5)
        ours = [t.get_name() for t in _room_tasks()]
        # The WebSocket connection reads without a task of its own (issue 17).
        assert sorted(ours) == ["tavus-room-tools", "tavus-tool-get_weather"]
        conn = room.transport._conn  # type: ignore[attr-defined]
        assert conn is not None
        assert not conn.closed
    assert _room_tasks() == []
    assert room.transport._conn is None  # type: ignore[attr-defined]
    assert conn.closed
    assert conn._transport is None


async def test_a_room_without_tools_starts_no_tool_task_and_a_late_registry_tool_still_runs(
    tavus: Any,
) -> None:
    conv = await _conversation(tavus)
    calls: list[str] = []
    async with connect(conv, client=tavus) as room:
        await _until(room, StoppedSpeaking)  # the greeting
        # No tool: no task group task held for the room (issue 17: thousands of rooms).
        assert [t.get_name() for t in _room_tasks()] == []

        # Registered on the registry itself, not through room.tool: the first call starts the
        # task group, and the call waits for it rather than being lost.
        async def get_weather(location: str) -> str:
            calls.append(location)
            return "sunny"

        room.tools.register(get_weather)
        await room.respond('get_weather {"location": "Oslo"}')
        await room.wait_for(ToolCall, timeout=5)
        spoken = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
        assert calls == ["Oslo"]
        assert "sunny" in spoken.speech
        assert room.stats.tool_calls == 1
        assert "tavus-room-tools" in [t.get_name() for t in _room_tasks()]
    assert _room_tasks() == []


async def test_each_room_is_one_connection_closed_when_it_leaves(tavus: Any) -> None:
    first, second = await _conversation(tavus), await _conversation(tavus)
    async with connect(first, client=tavus) as a:
        async with connect(second, client=tavus) as b:
            conn_a = a.transport._conn  # type: ignore[attr-defined]
            conn_b = b.transport._conn  # type: ignore[attr-defined]
            assert conn_a is not None
            assert conn_b is not None
            assert conn_a is not conn_b
        assert conn_b.closed
        assert conn_b._transport is None
        assert not conn_a.closed  # the first room still talks over its own
        await a.respond("still talking")
        await a.wait_for(StoppedSpeaking, where=lambda e: e.role == "replica", timeout=5)
    assert conn_a.closed
    assert conn_a._transport is None


async def test_streaming_text_truncates_the_transcript_on_interrupt(
    sim: TavusSimulator, tavus: Any
) -> None:
    conv = await _conversation(tavus, greeting="")
    async with connect(conv, client=tavus) as room:
        # The streaming events are what the transcript trusts over the intended utterance.
        await room.echo("one two three four five six seven eight nine ten")
        events = await _until(room, StoppedSpeaking)
        streaming = [e for e in events if isinstance(e, UtteranceStreaming)]
        assert streaming[-1].final
        turn = room.transcript[-1]
        assert turn.text == streaming[-1].speech
        assert not turn.interrupted


async def test_realtime_echo_audio_is_paced_at_playback_speed(
    tavus: Any, sim: TavusSimulator
) -> None:
    conv = await _conversation(tavus, greeting="")
    async with connect(conv, client=tavus) as room:
        started = anyio.current_time()
        result = await room.echo_audio(_tone(0.6), realtime=True)
        took = anyio.current_time() - started
        assert result.completed
        # Up to 200 ms ahead of playback is allowed, so 0.6 s of audio cannot finish sooner.
        assert took >= 0.35


async def test_cancelling_at_any_point_of_a_join_leaves_nothing(tavus: Any) -> None:
    joined = 0
    for n in (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610):
        conv = await _conversation(tavus)  # a room ends once its last participant leaves
        room = connect(conv, client=tavus)

        async def use(room: Room = room) -> None:
            nonlocal joined
            async with room:
                joined += 1
                await room.respond("hello")
                await room.wait_for(StoppedSpeaking, timeout=5)

        task = asyncio.ensure_future(use())
        for _ in range(n):
            if task.done():
                break
            await asyncio.sleep(0)
        task.cancel()
        with anyio.fail_after(5):  # no stage of the teardown waits out a timeout
            (outcome,) = await asyncio.gather(task, return_exceptions=True)
        assert outcome is None or isinstance(outcome, asyncio.CancelledError), outcome
        assert room.state in ("new", "closed")
        assert _room_tasks() == []
    assert joined > 0  # some runs got past the join, so every stage was cut somewhere


async def test_cancelling_echo_audio_sends_nothing_more(tavus: Any, sim: TavusSimulator) -> None:
    conv = await _conversation(tavus, greeting="")
    async with connect(conv, client=tavus) as room:

        async def slow_tts() -> AsyncIterator[bytes]:
            yield _tone(0.2)
            await anyio.sleep(30)
            yield _tone(0.2)

        with anyio.move_on_after(0.3):
            await room.echo_audio(slow_tts())
        sent = len(sim.replica.received(conv.conversation_id))
        assert sent >= 1
        await room.echo("still here")  # the room is fine after the cancellation
        await room.wait_for(Utterance, timeout=5)
        received = sim.replica.received(conv.conversation_id)
        assert len(received) == sent + 1
        assert not any(m["properties"].get("done") for m in received[:-1])


async def test_a_cancelled_leave_completes_and_still_propagates_the_cancellation(
    tavus: Any,
) -> None:
    mid_leave = 0
    for n in range(1, 10):
        conv = await _conversation(tavus)
        room = connect(conv, client=tavus)
        await room.join()
        reached = False

        async def leave_then_continue(room: Room = room) -> None:
            nonlocal reached
            await room.leave()
            reached = True  # only if the cancellation was swallowed (or came too late)

        task = asyncio.ensure_future(leave_then_continue())
        for _ in range(n):
            await asyncio.sleep(0)
        landed_mid_leave = not task.done() and room.state == "closed"
        task.cancel()
        with anyio.fail_after(5):
            (outcome,) = await asyncio.gather(task, return_exceptions=True)
        assert room.state == "closed"
        assert room.transport._conn is None  # type: ignore[attr-defined]
        assert _room_tasks() == []
        if landed_mid_leave:
            mid_leave += 1
            assert isinstance(outcome, asyncio.CancelledError)
            assert not reached
    assert mid_leave > 0


async def test_a_pal_conversation_announces_pal_joined_in_the_room(tavus: Any) -> None:
    # Created in the 2026 vocabulary, the room sends system.pal_joined beside the legacy event.
    pal = await tavus.pals.create(
        default_face_id="rfe12d8b9597", system_prompt="Be brief.", pal_name="Room PAL"
    )
    conv = await tavus.conversations.create(pal_id=pal.pal_id, custom_greeting="Hi")
    async with connect(conv, client=tavus) as room:
        seen = await _until(room, StoppedSpeaking)
    kinds = [getattr(e, "event_type", None) for e in seen]
    assert "system.replica_joined" in kinds
    assert kinds.index("system.pal_joined") == kinds.index("system.replica_joined") + 1
    joined = next(e for e in seen if getattr(e, "event_type", None) == "system.pal_joined")
    assert joined.properties["face_id"] == "rfe12d8b9597"
