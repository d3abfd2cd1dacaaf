"""Rooms under faults: a socket killed mid-conversation, a replica that never comes, a flood.

- The simulator kills our socket mid-conversation (an abrupt close, no goodbye): the stream
  ends with ``Disconnected``, a send waiting for its ack and every later send fail with typed
  errors, and every wait is bounded.
- A replica that never joins: ``JoinError`` once ``join_timeout`` has passed, nothing left
  behind, and the conversation ended when the room was told to end it.
- 100,000 events at a consumer that reads slowly: the buffer stays bounded, the shed events are
  counted and announced in the stream (``EventsDropped``), and no tool call is ever shed.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator, Mapping
from typing import Any

import anyio
import pytest
from _leaks import assert_no_leaks, snapshot

from tavus_async.errors import JoinError, RoomClosedError, RoomError
from tavus_async.interactions.events import Event, StoppedSpeaking, ToolCall, Utterance
from tavus_async.room import Disconnected, EventsDropped, Room, connect
from tavus_async.room.transport import (
    AppMessage,
    EventSink,
    JoinInfo,
    Participant,
    TransportDisconnected,
)
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(time=20.0) as s:
        yield s


async def _conversation(tavus: Any, **fields: Any) -> Any:
    persona = await tavus.personas.create(persona_name="Rel", system_prompt="Be brief.")
    replica = (await tavus.replicas.list(limit=1)).data[0].replica_id
    return await tavus.conversations.create(
        persona_id=persona.persona_id, replica_id=replica, custom_greeting="Hi.", **fields
    )


def _kill_our_socket(sim: TavusSimulator, conversation_id: str) -> None:
    """Abort the simulator's end of every human participant's socket (no close frame)."""
    room = sim.rooms.room(conversation_id)
    assert room is not None
    assert room.humans, "nobody is in the room"
    for participant in room.humans.values():
        transport = participant.ws._req.transport
        assert transport is not None
        transport.abort()


async def test_a_killed_socket_ends_the_stream_and_fails_sends_with_typed_errors(
    sim: TavusSimulator,
) -> None:
    before = snapshot()
    async with sim.client() as tavus:
        conv = await _conversation(tavus)
        with anyio.fail_after(15):
            async with connect(conv, client=tavus) as room:
                await room.respond("hello")
                await room.wait_for(Utterance, where=lambda e: e.role == "replica", timeout=5)
                # A send in flight (written, not yet acknowledged) when the socket dies.
                pending = asyncio.ensure_future(room.respond("are you there?"))
                _kill_our_socket(sim, conv.conversation_id)
                with pytest.raises(RoomError) as sent:
                    await pending
                assert isinstance(sent.value, (RoomClosedError,)), repr(sent.value)
                # The stream ends with a Disconnected event, then stops (it does not hang).
                rest = [event async for event in room]
                assert rest, "the stream ended without saying why"
                assert isinstance(rest[-1], Disconnected)
                assert rest[-1].reason == "connection-lost"
                assert room.state == "disconnected"
                # Every later call fails at once with a typed error.
                with pytest.raises(RoomClosedError):
                    await room.echo("too late")
                with pytest.raises(RoomClosedError):
                    await room.recv()
                with pytest.raises(RoomClosedError):
                    await room.wait_for(StoppedSpeaking, timeout=1)
        await tavus.conversations.end(conv.conversation_id)
    await assert_no_leaks(before)


async def test_a_socket_killed_during_a_long_echo_stream_stops_it_with_a_typed_error(
    sim: TavusSimulator,
) -> None:
    async with sim.client() as tavus:
        conv = await _conversation(tavus)
        with anyio.fail_after(15):
            async with connect(conv, client=tavus) as room:
                stream = asyncio.ensure_future(
                    room.echo_audio(b"\x00\x01" * 24000 * 5, realtime=True)
                )
                await asyncio.sleep(0.3)
                _kill_our_socket(sim, conv.conversation_id)
                with pytest.raises(RoomClosedError):
                    await stream
        await tavus.conversations.end(conv.conversation_id)


async def test_a_replica_that_never_joins_is_a_join_error_in_the_configured_time(
    sim: TavusSimulator,
) -> None:
    before = snapshot()
    async with sim.client() as tavus:
        conv = await _conversation(tavus)
        sim.replica.joins = False  # the replica never comes
        join_timeout = 0.5
        started = time.monotonic()
        with anyio.fail_after(10), pytest.raises(JoinError) as err:
            async with connect(
                conv, client=tavus, join_timeout=join_timeout, end_conversation=True
            ):
                pytest.fail("joined without a replica")
        waited = time.monotonic() - started
        assert waited >= join_timeout
        assert "replica" in str(err.value)
        assert f"{join_timeout:g} s" in str(err.value)
        # end_conversation holds on the way out of a failed join too.
        got = await tavus.conversations.get(conv.conversation_id)
        assert got.status == "ended"
    await assert_no_leaks(before)


class _FloodTransport:
    """A transport whose replica floods the room: events go straight into the Room's sink."""

    def __init__(self) -> None:
        self.sink: EventSink | None = None
        self.replica = Participant(id="replica-1", name="r1", is_replica=True)

    @property
    def local_id(self) -> str | None:
        return "me"

    def participants(self) -> Mapping[str, Participant]:
        return {self.replica.id: self.replica}

    async def join(
        self, url: str, meeting_token: str | None, display_name: str, sink: EventSink
    ) -> JoinInfo:
        self.sink = sink
        return JoinInfo(local_id="me", participants=(self.replica,), conversation_id="c1")

    async def send(self, message: Any, recipient: str | None = None) -> None:
        await asyncio.sleep(0)

    async def leave(self) -> None:
        if self.sink is not None:
            self.sink(TransportDisconnected("left"))
        self.sink = None


def _flood_event(i: int, chunks_per_utterance: int = 50) -> dict[str, Any]:
    """Event ``i`` of a flood: streaming chunks, one utterance per ``chunks_per_utterance``."""
    base = {
        "message_type": "conversation",
        "conversation_id": "c1",
        "seq": i,
        "turn_idx": i // chunks_per_utterance,
        "inference_id": f"inf-{i // chunks_per_utterance}",
    }
    if i % 1000 == 999:
        props = {"name": "lookup", "arguments": f'{{"n": {i}}}', "tool_call_id": f"tc{i}"}
        return {**base, "event_type": "conversation.tool_call", "properties": props}
    props2 = {"role": "replica", "speech": f"chunk {i}", "content_index": i, "final": False}
    return {**base, "event_type": "conversation.utterance.streaming", "properties": props2}


@pytest.mark.slow
async def test_a_flood_of_100k_events_to_a_slow_consumer_is_bounded_counted_and_keeps_tools() -> (
    None
):
    total, buffer_size = 100_000, 1024
    transport = _FloodTransport()
    room = Room("ws://127.0.0.1:9/rooms/c1", transport=transport, buffer_size=buffer_size)
    tool_calls: list[str] = []
    delivered = 0
    dropped_seen = 0
    most_buffered = 0
    tracemalloc.start()
    try:
        async with room:
            sink = transport.sink
            assert sink is not None
            tracemalloc.reset_peak()
            start_mem, _ = tracemalloc.get_traced_memory()

            async def produce() -> None:
                nonlocal most_buffered
                for i in range(total):
                    sink(AppMessage(_flood_event(i), transport.replica.id))
                    if i % 500 == 499:
                        most_buffered = max(most_buffered, len(room._buffer))
                        await asyncio.sleep(0)

            async def consume() -> None:
                nonlocal delivered, dropped_seen
                async for event in room:
                    if isinstance(event, EventsDropped):
                        dropped_seen += event.count
                        continue
                    if not isinstance(event, Event):
                        continue  # the room's own events (joined, call state)
                    delivered += 1
                    if isinstance(event, ToolCall):
                        tool_calls.append(event.tool_call_id or "")
                    if delivered % 50 == 0:
                        await asyncio.sleep(0.001)  # a consumer slower than the room
                    if delivered + dropped_seen >= total:
                        return

            with anyio.fail_after(60):
                consumer = asyncio.ensure_future(consume())
                await produce()
                await consumer
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    hard_limit = room._buffer.hard_limit
    grew = (peak - start_mem) / 2**20
    print(
        f"flood: {total} events, delivered {delivered}, dropped {room.stats.dropped} "
        f"(announced {dropped_seen}), tool calls {len(tool_calls)}, most buffered "
        f"{most_buffered} (hard limit {hard_limit}), traced peak +{grew:.1f} MiB, "
        f"transcript turns {len(room.transcript)}"
    )
    assert room.stats.received == total
    assert most_buffered <= hard_limit
    # The buffer is bounded, so memory is too: far below 100k events' worth.
    assert peak - start_mem < 10 * 2**20, f"peak grew by {(peak - start_mem) / 2**20:.1f} MiB"
    # Everything is accounted for: delivered plus dropped, and the drops were announced.
    assert room.stats.dropped > 0
    assert dropped_seen == room.stats.dropped
    assert delivered + room.stats.dropped == total
    # Not one tool call was shed.
    assert tool_calls == [f"tc{i}" for i in range(999, total, 1000)]
    assert room._buffer.protected_dropped_total == 0


async def _flood_memory(total: int) -> int:
    """Bytes still held by a room after ``total`` one-chunk utterances (each its own turn)."""
    transport = _FloodTransport()
    room = Room("ws://127.0.0.1:9/rooms/c1", transport=transport, buffer_size=64)
    async with room:
        sink = transport.sink
        assert sink is not None
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            for i in range(total):
                sink(AppMessage(_flood_event(i, chunks_per_utterance=1), transport.replica.id))
                if i % 1000 == 999:
                    await asyncio.sleep(0)
            held, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return held - start


@pytest.mark.slow
async def test_a_flood_of_distinct_utterances_keeps_memory_bounded() -> None:
    small = await _flood_memory(10_000)
    large = await _flood_memory(50_000)
    # Bounded: five times the events must not hold five times the memory.
    assert large < 2 * small + 2 * 2**20, f"{small / 2**20:.1f} MiB -> {large / 2**20:.1f} MiB"


async def test_ending_on_leave_survives_transient_faults_and_never_hangs_on_persistent_ones(
    sim: TavusSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    async with sim.client(retry_initial_delay=0.001, max_retries=3) as tavus:
        conv = await _conversation(tavus)
        end_route = f"POST /v2/conversations/{conv.conversation_id}/end"
        # Transient: the end is retried through 503, 429 and a dropped connection.
        with anyio.fail_after(15):
            async with connect(conv, client=tavus, end_conversation=True) as room:
                await room.respond("hello")
                sim.faults.add(end_route, status=503, times=1)
                sim.faults.add(end_route, status=429, retry_after=0, times=1)
                sim.faults.add(end_route, drop="before", times=1)
        got = await tavus.conversations.get(conv.conversation_id)
        assert got.status == "ended"
        # Persistent: leave still returns (bounded), says so in the log, and does not raise.
        conv2 = await _conversation(tavus)
        rule = sim.faults.add(
            f"POST /v2/conversations/{conv2.conversation_id}/end", status=502, times=None
        )
        with anyio.fail_after(15):
            async with connect(conv2, client=tavus, end_conversation=True):
                pass
        assert rule.hits == 4  # the first attempt and three retries
        assert "could not end conversation" in caplog.text
        sim.faults.remove(rule)
        await tavus.conversations.end(conv2.conversation_id)
