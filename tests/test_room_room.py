"""Room behaviour with scripted peers: who may speak for Tavus, back-pressure, de-duplication,
stream semantics, the join state machine, and the Daily path over the threaded fake."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from fakes.fake_daily import FakeDailyRoom
from fakes.fake_ws_room import FakeWsRoomServer

from tavus_async.errors import JoinError, RoomClosedError, RoomError, SendError
from tavus_async.interactions.events import (
    StartedSpeaking,
    ToolCall,
    Utterance,
    UtteranceStreaming,
)
from tavus_async.room import (
    Disconnected,
    EventsDropped,
    ForeignMessage,
    ParticipantJoined,
    ParticipantLeft,
    ReplicaParticipantJoined,
    Room,
    connect,
)
from tavus_async.room.daily import DailyTransport

pytestmark = pytest.mark.anyio

CID = "c-fake"
_seq = itertools.count(1)


def ev(event_type: str, props: dict[str, Any] | None = None, **envelope: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_type": "conversation",
        "event_type": event_type,
        "conversation_id": CID,
        "seq": next(_seq),
    }
    msg.update(envelope)
    if props is not None:
        msg["properties"] = props
    return msg


def tool_call(name: str, args: dict[str, Any], call_id: str | None = "tc1") -> dict[str, Any]:
    props: dict[str, Any] = {"name": name, "arguments": json.dumps(args)}
    if call_id is not None:
        props["tool_call_id"] = call_id
    return ev("conversation.tool_call", props, inference_id="i-user")


@pytest.fixture
async def server() -> AsyncIterator[FakeWsRoomServer]:
    async with FakeWsRoomServer(CID) as s:
        yield s


@pytest.fixture
async def replica(server: FakeWsRoomServer) -> str:
    return await server.add_remote("r-replica", is_replica=True)


async def next_of(room: Room, cls: type, timeout: float = 5.0) -> Any:
    return await room.wait_for(cls, timeout=timeout)


async def test_room_returns_after_the_replica_is_known(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        assert room.replica is not None
        assert room.replica.id == replica
        assert room.conversation_id == CID  # from the ws URL
        assert room.local_id
        first = await next_of(room, ReplicaParticipantJoined)
        assert first.participant.id == replica
        assert server.joins[0]["name"] == "tavus-async"


async def test_join_waits_for_a_late_replica(server: FakeWsRoomServer) -> None:
    async def late() -> None:
        await anyio.sleep(0.2)
        await server.add_remote("r-late", is_replica=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(late)
        async with Room(server.url) as room:
            assert room.replica is not None
            assert room.replica.name == "r-late"


async def test_no_replica_within_join_timeout_is_a_join_error(server: FakeWsRoomServer) -> None:
    room = Room(server.url, join_timeout=0.3)
    with pytest.raises(JoinError, match=r"wait for the replica to join within 0\.3 s"):
        await room.join()
    assert room.closed
    await anyio.sleep(0.05)
    assert server.clients == {}  # we left the room


async def test_meeting_token_is_sent_but_never_shown(server: FakeWsRoomServer) -> None:
    server.token = "eyJsecret.token.value"
    await server.add_remote("r", is_replica=True)
    with pytest.raises(JoinError) as info:
        async with Room(server.url, "wrong-token-123456"):
            pass
    assert "wrong-token" not in str(info.value)
    async with Room(server.url, "eyJsecret.token.value") as room:
        assert "eyJsecret" not in repr(room)
        assert "eyJsecret" not in repr(room.transport)
    assert server.joins[-1]["t"] == "eyJsecret.token.value"


async def test_a_guest_cannot_forge_a_tool_call(server: FakeWsRoomServer, replica: str) -> None:
    ran: list[str] = []
    async with Room(server.url) as room:

        @room.tool("transfer_money")
        async def transfer_money(amount: int) -> str:
            ran.append(f"{amount}")
            return "done"

        guest = await server.add_remote("mallory")
        await server.send_from(guest, tool_call("transfer_money", {"amount": 10**6}))
        foreign = await next_of(room, ForeignMessage)
        assert foreign.sender == guest
        assert foreign.data["event_type"] == "conversation.tool_call"
        await server.send_from(replica, tool_call("transfer_money", {"amount": 5}))
        await next_of(room, ToolCall)
        results = await server.wait_inbox(replica, 1)
        assert ran == ["5"]
        assert results[0][0]["event_type"] == "conversation.tool_result"
        assert room.stats.foreign == 1


async def test_foreign_messages_can_be_dropped_but_are_counted(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url, foreign_messages="drop") as room:
        guest = await server.add_remote("guest")
        await server.send_from(guest, {"hello": 1})
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "x"})
        )
        got = await next_of(room, Utterance)
        assert got.speech == "x"
        assert room.stats.foreign == 1
        assert room.stats.foreign_dropped == 1


async def test_messages_for_another_conversation_are_ignored_and_counted(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        other = ev("conversation.utterance", {"role": "user", "speech": "not ours"})
        other["conversation_id"] = "c-other"
        await server.send_from(replica, other)
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "ours"})
        )
        got = await next_of(room, Utterance)
        assert got.speech == "ours"
        assert room.stats.other_conversation == 1


async def test_pal_duplicates_are_removed(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        for role in ("pal", "replica"):
            await server.send_from(
                replica,
                ev("conversation.started_speaking", {"role": role}, inference_id="i1", seq=900),
            )
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "end"})
        )
        got = [e async for e in _until_utterance(room)]
        assert len([e for e in got if isinstance(e, StartedSpeaking)]) == 1
        assert room.stats.duplicates == 1


async def _until_utterance(room: Room) -> AsyncIterator[Any]:
    with anyio.fail_after(5):
        async for event in room:
            yield event
            if isinstance(event, Utterance):
                return


async def test_heartbeats_are_suppressed_by_default(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        await server.send_from(replica, ev("system.replica_present", {}, message_type="system"))
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "x"})
        )
        got = [type(e).__name__ async for e in _until_utterance(room)]
        assert "ReplicaPresent" not in got
        assert room.stats.heartbeats == 1


async def test_a_slow_consumer_loses_droppable_events_first_and_is_told(
    server: FakeWsRoomServer, replica: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with Room(server.url, buffer_size=8) as room:
        await next_of(room, ReplicaParticipantJoined)
        with caplog.at_level(logging.WARNING, logger="tavus_async"):
            for i in range(30):
                await server.send_from(
                    replica,
                    ev("conversation.utterance.streaming", {"role": "replica", "speech": f"w{i}"}),
                )
                if i == 10:
                    await server.send_from(replica, tool_call("get_weather", {"city": "Oslo"}))
            await server.send_from(
                replica, ev("conversation.utterance", {"role": "user", "speech": "end"})
            )
            await anyio.sleep(0.2)  # everything arrived; nobody read
            got = [e async for e in _until_utterance(room)]
        dropped = [e for e in got if isinstance(e, EventsDropped)]
        assert len(dropped) == 1
        assert dropped[0].count == room.stats.dropped
        assert dropped[0].by_type == {"UtteranceStreaming": dropped[0].count}
        assert isinstance(got[0], EventsDropped)  # the consumer learns first
        streaming = [e for e in got if isinstance(e, UtteranceStreaming)]
        assert len(streaming) + dropped[0].count == 30
        assert streaming[-1].speech == "w29"  # the newest survive
        assert [e.name for e in got if isinstance(e, ToolCall)] == ["get_weather"]
        messages = [r.getMessage() for r in caplog.records]
        assert sum("dropping the oldest droppable" in m for m in messages) == 1  # when it began
        assert any(f"{dropped[0].count} event(s) were dropped" in m for m in messages)


async def test_recv_is_cancellation_safe(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        await next_of(room, ReplicaParticipantJoined)
        with anyio.move_on_after(0.05):
            await room.recv()
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "kept"})
        )
        got = await room.recv()
        assert isinstance(got, Utterance)
        assert got.speech == "kept"


async def test_wait_for_matches_where_and_times_out(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        for speech in ("a", "b", "c"):
            await server.send_from(
                replica, ev("conversation.utterance", {"role": "user", "speech": speech})
            )
        got = await room.wait_for(Utterance, where=lambda u: u.speech == "b", timeout=5)
        assert got.speech == "b"
        with pytest.raises(TimeoutError):
            await room.wait_for(ToolCall, timeout=0.1)


async def test_events_filters_by_type(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        await server.send_from(replica, ev("conversation.started_speaking", {"role": "user"}))
        await server.send_from(
            replica, ev("conversation.utterance", {"role": "user", "speech": "x"})
        )
        guest = await server.add_remote("guest")
        await server.remove_remote(guest)
        seen: list[Any] = []
        with anyio.fail_after(5):
            async for event in room.events(Utterance, ParticipantLeft):
                seen.append(event)
                if isinstance(event, ParticipantLeft):
                    break
        assert [type(e) for e in seen] == [Utterance, ParticipantLeft]


async def test_participants_joining_and_leaving_are_in_the_stream(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        guest = await server.add_remote("guest")
        joined = await next_of(room, ParticipantJoined)
        assert joined.participant.id == guest
        assert set(room.participants()) == {replica, guest}
        await server.remove_remote(replica)
        left = await next_of(room, ParticipantLeft)
        assert left.participant.is_replica


async def test_a_dropped_connection_yields_disconnected_then_ends(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        await next_of(room, ReplicaParticipantJoined)
        await server.drop_connections()
        rest = [e async for e in room]
        assert isinstance(rest[-1], Disconnected)
        assert rest[-1].reason == "connection-lost"
        with pytest.raises(RoomClosedError):
            await room.recv()
        with pytest.raises(RoomClosedError, match="disconnected"):
            await room.echo("hi")


async def test_sends_build_the_documented_messages(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        await room.echo("hi")
        await room.respond("question")
        await room.append_context("more", job_status="completed")
        await room.overwrite_context("all new")
        await room.set_sensitivity(pause="high", interrupt="low")
        await room.send_tool_result("tc9", {"ok": True}, status="error")
        await room.confirm_objective("get_email", {"email": "a@b.c"})
        await room.send({"custom": True})
        await room.interrupt()
        got = [m for m, _ in await server.wait_inbox(replica, 10)]
    assert [m.get("event_type") for m in got] == [
        "conversation.echo",
        "conversation.respond",
        "conversation.append_llm_context",
        "conversation.overwrite_llm_context",
        "conversation.sensitivity",
        "conversation.sensitivity",
        "conversation.tool_result",
        "conversation.objective.confirm",
        None,
        "conversation.interrupt",
    ]
    assert all(m.get("conversation_id") == CID for m in got if "event_type" in m)
    assert got[0]["properties"] == {"modality": "text", "text": "hi", "done": True}
    assert got[2]["properties"] == {"context": "more", "job_status": "completed"}
    assert got[4]["properties"] == {"participant_pause_sensitivity": "high"}
    assert got[5]["properties"] == {"participant_interrupt_sensitivity": "low"}
    assert got[6]["properties"] == {
        "tool_call_id": "tc9",
        "output": {"ok": True},
        "status": "error",
    }
    assert got[8] == {"custom": True}


async def test_send_errors_are_typed(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url) as room:
        with pytest.raises(SendError, match="too large"):
            await room.echo("x" * 5000)
        with pytest.raises(ValueError, match="text"):
            await room.echo("")
        with pytest.raises(ValueError, match="pause= and/or interrupt="):
            await room.set_sensitivity()
        with pytest.raises(TypeError, match="send\\(\\) takes"):
            await room.send(42)  # type: ignore[arg-type]


async def test_send_before_join_and_rejoin_are_errors(server: FakeWsRoomServer) -> None:
    room = Room(server.url)
    with pytest.raises(RoomClosedError, match="join the room first"):
        await room.echo("hi")
    await server.add_remote("r", is_replica=True)
    async with room:
        with pytest.raises(RoomError, match="already joined"):
            await room.join()


async def test_a_legacy_tool_call_is_answered_with_an_echo(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        room.tools.register(lambda city: f"Rain in {city}", name="get_weather")
        await server.send_from(replica, tool_call("get_weather", {"city": "Oslo"}, call_id=None))
        ((msg, _),) = await server.wait_inbox(replica, 1)
    assert msg["event_type"] == "conversation.echo"
    assert msg["properties"]["text"] == "Rain in Oslo"


async def test_legacy_tool_reply_can_append_context(server: FakeWsRoomServer, replica: str) -> None:
    async with Room(server.url, legacy_tool_reply="append_context") as room:

        @room.tool()
        async def get_weather(city: str, call: ToolCall) -> str:
            assert call.name == "get_weather"
            return "sunny"

        await server.send_from(replica, tool_call("get_weather", {"city": "Oslo"}, call_id=None))
        ((msg, _),) = await server.wait_inbox(replica, 1)
    assert msg["event_type"] == "conversation.append_llm_context"
    assert msg["properties"]["context"] == "Result of the tool get_weather: sunny"


async def test_tool_registration_errors_are_clear() -> None:
    room = Room("ws://127.0.0.1:9/rooms/c1")
    room.tools.register(lambda: 1, name="a")
    with pytest.raises(ValueError, match="already registered"):
        room.tools.register(lambda: 2, name="a")
    with pytest.raises(ValueError, match="non-empty name"):
        room.tools.register(lambda: 1, name="")
    with pytest.raises(TypeError, match="callable"):
        room.tools.register("nope")  # type: ignore[arg-type]


async def test_bad_options_name_the_option() -> None:
    with pytest.raises(ValueError, match="conversation_url"):
        Room("")
    with pytest.raises(ValueError, match=r"https:// .* or ws://"):
        Room("ftp://example.com/room")
    with pytest.raises(ValueError, match="end_conversation=True needs client="):
        Room("ws://127.0.0.1:9/rooms/c1", end_conversation=True)
    with pytest.raises(ValueError, match="foreign_messages"):
        Room("ws://127.0.0.1:9/rooms/c1", foreign_messages="keep")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="join_timeout must be positive"):
        Room("ws://127.0.0.1:9/rooms/c1", join_timeout=0)
    with pytest.raises(ValueError, match="no conversation_url"):
        connect({"conversation_id": "c1", "conversation_url": None})


async def test_connect_reads_a_conversation_dict(server: FakeWsRoomServer, replica: str) -> None:
    async with connect({"conversation_url": server.url, "conversation_id": CID}) as room:
        assert room.conversation_id == CID
        assert room.replica is not None


# -- the Daily path: the same Room over DailyTransport and the threaded fake -------------------


def daily_room(fake: FakeDailyRoom, **kw: Any) -> Room:
    return Room(
        "https://tavus.daily.co/c-fake",
        transport=DailyTransport(client_factory=fake.factory),
        **kw,
    )


async def test_a_room_over_daily_exchanges_events_and_results() -> None:
    fake = FakeDailyRoom()
    replica = fake.add_remote("r123", user_id="tavus-replica-abc")
    async with daily_room(fake) as room:
        assert room.conversation_id == "c-fake"
        assert room.replica is not None
        assert room.replica.id == replica

        @room.tool("get_weather")
        async def get_weather(city: str) -> str:
            return f"Sun in {city}"

        fake.send_from(replica, tool_call("get_weather", {"city": "Rome"}))
        call = await next_of(room, ToolCall)
        assert call.arguments == {"city": "Rome"}
        with anyio.fail_after(5):
            while not fake.inbox[replica]:  # noqa: ASYNC110 - filled by the emitter thread
                await anyio.sleep(0.01)
        msg, sender = fake.inbox[replica][0]
        assert sender == room.local_id
        assert msg["properties"] == {
            "tool_call_id": "tc1",
            "output": "Sun in Rome",
            "status": "success",
        }
    assert all(not c.thread_alive for c in fake.created)


async def test_daily_replica_recognised_by_the_replica_id() -> None:
    fake = FakeDailyRoom()
    fake.add_remote("guest")
    replica = fake.add_remote("r-abc")  # no tavus-replica userId: matched by name
    room = Room(
        "https://tavus.daily.co/c-fake",
        transport=DailyTransport(client_factory=fake.factory, replica_names=("r-abc",)),
    )
    async with room:
        assert room.replica is not None
        assert room.replica.id == replica


async def test_sends_during_an_in_flight_join_wait_for_it() -> None:
    fake = FakeDailyRoom()
    replica = fake.add_remote("r", user_id="tavus-replica")
    fake.join_delay = 0.3
    room = daily_room(fake)
    async with anyio.create_task_group() as tg:
        tg.start_soon(room.join)
        await anyio.sleep(0.01)
        assert room.state == "joining"
        await room.echo("early bird")  # waits for the join, then goes out
        assert room.state == "joined"
    await room.leave()
    assert fake.inbox[replica][0][0]["properties"]["text"] == "early bird"


async def test_a_daily_join_error_keeps_dailys_text_and_releases() -> None:
    fake = FakeDailyRoom()
    fake.join_error = "Connection(Api(RoomLookup(RoomInfoFetchFailed(Forbidden))))"
    room = daily_room(fake)
    with pytest.raises(JoinError, match=r"RoomLookup\(RoomInfoFetchFailed\(Forbidden"):
        await room.join()
    assert all(not c.thread_alive for c in fake.created)


async def test_events_reach_the_consumer_from_the_emitter_thread() -> None:
    fake = FakeDailyRoom()
    replica = fake.add_remote("r", user_id="tavus-replica")
    async with daily_room(fake) as room:
        for i in range(200):
            fake.send_from(
                replica, ev("conversation.utterance", {"role": "user", "speech": str(i)})
            )
        got: list[str] = []
        with anyio.fail_after(5):
            async for event in room.events(Utterance):
                got.append(event.speech)
                if len(got) == 200:
                    break
        assert got == [str(i) for i in range(200)]
        emitters = set().union(*(c.emitter_thread_ids for c in fake.created))
        assert emitters
        assert asyncio.get_running_loop()._thread_id not in emitters  # type: ignore[attr-defined]


async def test_a_replica_that_rejoins_is_trusted_under_its_new_id(
    server: FakeWsRoomServer, replica: str
) -> None:
    async with Room(server.url) as room:
        impostor = await server.add_remote("r-second", is_replica=True)
        await next_of(room, ParticipantJoined)  # a second replica while the first is here
        await server.send_from(
            impostor, ev("conversation.utterance", {"role": "user", "speech": "x"})
        )
        assert (await next_of(room, ForeignMessage)).sender == impostor
        await server.remove_remote(replica)
        await next_of(room, ParticipantLeft)
        again = await server.add_remote("r-again", is_replica=True)
        back = await next_of(room, ReplicaParticipantJoined)
        assert back.participant.id == again
        assert room.replica is not None
        assert room.replica.id == again
        await server.send_from(
            again, ev("conversation.utterance", {"role": "user", "speech": "ok"})
        )
        assert (await next_of(room, Utterance)).speech == "ok"


async def test_wait_for_replica_can_be_turned_off(server: FakeWsRoomServer) -> None:
    async with Room(server.url, wait_for_replica=False) as room:
        assert room.replica is None
        await room.echo("anyone there?")  # sends work before the replica arrives
        replica = await server.add_remote("r", is_replica=True)
        assert (await next_of(room, ReplicaParticipantJoined)).participant.id == replica


async def test_a_daily_replica_named_after_joining_is_recognised() -> None:
    fake = FakeDailyRoom()
    pid = fake.add_remote("")  # Daily may fill the user name in later
    room = Room(
        "https://tavus.daily.co/c-fake",
        transport=DailyTransport(client_factory=fake.factory, replica_names=("r-late",)),
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(room.join)
        await anyio.sleep(0.1)
        assert room.replica is None
        fake.update_remote(pid, name="r-late")
        with anyio.fail_after(5):
            await room.wait_for(ReplicaParticipantJoined)
    assert room.replica is not None
    assert room.replica.id == pid
    await room.leave()


async def test_reorder_delivers_in_seq_order_and_gives_up_on_gaps(
    server: FakeWsRoomServer, replica: str
) -> None:
    def utt(seq: int) -> dict[str, Any]:
        return ev("conversation.utterance", {"role": "user", "speech": str(seq)}, seq=seq)

    async with Room(server.url, reorder=0.2) as room:
        for seq in (5001, 5003, 5002):
            await server.send_from(replica, utt(seq))
        got = [(await next_of(room, Utterance)).speech for _ in range(3)]
        assert got == ["5001", "5002", "5003"]
        await server.send_from(replica, utt(5005))  # 5004 never comes
        late = await next_of(room, Utterance, timeout=2)
        assert late.speech == "5005"
        received = room.stats.received
        await server.send_from(replica, utt(5007))  # held for 5006 ...
        with anyio.fail_after(2):
            while room.stats.received == received:  # noqa: ASYNC110 - arrival, not delivery
                await anyio.sleep(0.005)
    # ... and delivered when the room is left rather than lost.
    assert [e.speech async for e in room.events(Utterance)] == ["5007"]


async def test_reorder_must_be_positive() -> None:
    with pytest.raises(ValueError, match="reorder must be a positive"):
        Room("ws://127.0.0.1:9/rooms/c1", reorder=0)
