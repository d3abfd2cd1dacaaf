"""One contract, every transport: WebSocketTransport against the real simulator and a scripted
WebSocket room (both over real sockets), and DailyTransport over a fake CallClient that calls
back from its own thread (as daily-python does)."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from fakes.fake_daily import FakeDailyRoom
from fakes.fake_ws_room import FakeWsRoomServer

from tavus_async.errors import JoinError, MessageTooLargeError, RoomClosedError, SendError
from tavus_async.room.daily import DailyTransport
from tavus_async.room.transport import (
    AppMessage,
    PeerJoined,
    PeerLeft,
    Transport,
    TransportDisconnected,
    TransportEvent,
)
from tavus_async.room.websocket import WebSocketTransport
from tavus_async.testing import TavusSimulator
from tavus_async.testing._brain import Emit

pytestmark = pytest.mark.anyio


class Sink:
    """Records transport events and the threads they arrived on."""

    def __init__(self) -> None:
        self.events: list[TransportEvent] = []
        self.threads: set[int] = set()

    def __call__(self, event: TransportEvent) -> None:
        self.threads.add(threading.get_ident())
        self.events.append(event)

    async def wait(self, pred: Callable[[TransportEvent], bool], timeout: float = 5.0) -> Any:
        with anyio.fail_after(timeout):
            while True:
                for event in self.events:
                    if pred(event):
                        return event
                await anyio.sleep(0.005)

    def of(self, cls: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, cls)]


class _Peer:
    """A second client in the room, over its own WebSocketTransport (for the simulator)."""

    def __init__(self, transport: WebSocketTransport, sink: Sink) -> None:
        self.transport = transport
        self.sink = sink


class WsHarness:
    name = "websocket"
    knows_replica_sender = True
    can_remove_replica = True
    can_slow_acks = True

    def __init__(self, server: FakeWsRoomServer) -> None:
        self.server = server
        self.url = server.url
        self.cid = server.conversation_id
        self.helpers: set[str] = set()

    def make(self, **kw: Any) -> Transport:
        return WebSocketTransport(**kw)

    async def add_remote(self, name: str, is_replica: bool = False) -> str:
        return await self.server.add_remote(name, is_replica=is_replica)

    async def remove_remote(self, pid: str) -> None:
        await self.server.remove_remote(pid)

    async def send_from(self, pid: str, data: Any, recipient: str | None = None) -> None:
        await self.server.send_from(pid, data, recipient)

    async def inbox(self, pid: str, count: int) -> list[tuple[Any, str | None]]:
        return list(await self.server.wait_inbox(pid, count))

    def inbox_now(self, pid: str) -> list[tuple[Any, str | None]]:
        return list(self.server.inbox[pid])

    async def end_room(self) -> None:
        await self.server.end_room()

    def slow_acks(self, seconds: float) -> None:
        self.server.ack_delay = seconds

    async def close(self) -> None:
        pass


class DailyHarness:
    name = "daily-fake"
    knows_replica_sender = True
    can_remove_replica = True
    can_slow_acks = True

    def __init__(self) -> None:
        self.room = FakeDailyRoom()
        self.cid = "c-fake"
        self.url = f"https://tavus.daily.co/{self.cid}"
        self.helpers: set[str] = set()

    def make(self, **kw: Any) -> Transport:
        return DailyTransport(client_factory=self.room.factory, **kw)

    async def add_remote(self, name: str, is_replica: bool = False) -> str:
        return self.room.add_remote(name, user_id="tavus-replica-1" if is_replica else "guest")

    async def remove_remote(self, pid: str) -> None:
        self.room.remove_remote(pid)

    async def send_from(self, pid: str, data: Any, recipient: str | None = None) -> None:
        self.room.send_from(pid, data, recipient)

    async def inbox(self, pid: str, count: int) -> list[tuple[Any, str | None]]:
        with anyio.fail_after(5):
            while len(self.room.inbox[pid]) < count:  # noqa: ASYNC110 - filled by a thread
                await anyio.sleep(0.005)
        return list(self.room.inbox[pid])

    def inbox_now(self, pid: str) -> list[tuple[Any, str | None]]:
        return list(self.room.inbox[pid])

    async def end_room(self) -> None:
        self.room.eject_all()

    def slow_acks(self, seconds: float) -> None:
        self.room.send_delay = seconds

    async def close(self) -> None:
        # Every fake client created was released (its emitter thread ended).
        assert all(not c.thread_alive for c in self.room.created)


class SimHarness:
    """The real simulator: guests are real clients; the replica is the simulator's own."""

    name = "simulator"
    knows_replica_sender = False  # the replica is not a socket client
    can_remove_replica = False
    can_slow_acks = False

    def __init__(self, sim: TavusSimulator, tavus: Any, conversation: Any) -> None:
        self.sim = sim
        self.tavus = tavus
        self.cid = conversation.conversation_id
        self.url = conversation.conversation_url
        self.peers: dict[str, _Peer] = {}
        self.helpers: set[str] = set()
        self.replica_pid: str | None = None

    def make(self, **kw: Any) -> Transport:
        return WebSocketTransport(**kw)

    async def _peer(self, name: str) -> _Peer:
        sink = Sink()
        transport = WebSocketTransport()
        info = await transport.join(self.url, None, name, sink)
        peer = _Peer(transport, sink)
        self.peers[info.local_id] = peer
        return peer

    async def add_remote(self, name: str, is_replica: bool = False) -> str:
        if not is_replica:
            peer = await self._peer(name)
            assert peer.transport.local_id is not None
            return peer.transport.local_id
        if self.replica_pid is None:
            # The simulator's replica joins with the first participant: bring a helper in.
            helper = await self._peer("helper")
            assert helper.transport.local_id is not None
            self.helpers.add(helper.transport.local_id)
            present = [p for p in helper.transport.participants().values() if p.is_replica]
            if present:  # someone else's join already brought it in
                self.replica_pid = present[0].id
            else:
                joined = await helper.sink.wait(
                    lambda e: isinstance(e, PeerJoined) and e.participant.is_replica
                )
                self.replica_pid = joined.participant.id
        return self.replica_pid

    async def remove_remote(self, pid: str) -> None:
        await self.peers.pop(pid).transport.leave()

    async def send_from(self, pid: str, data: Any, recipient: str | None = None) -> None:
        if pid == self.replica_pid:
            assert recipient is None
            await self.sim.replica.push(
                self.cid, Emit(data["event_type"], dict(data.get("properties", {})))
            )
        else:
            await self.peers[pid].transport.send(data, recipient)

    def inbox_now(self, pid: str) -> list[tuple[Any, str | None]]:
        if pid == self.replica_pid:
            return [(m, None) for m in self.sim.replica.received(self.cid)]
        return [(m.data, m.sender) for m in self.peers[pid].sink.of(AppMessage)]

    async def inbox(self, pid: str, count: int) -> list[tuple[Any, str | None]]:
        with anyio.fail_after(5):
            while len(self.inbox_now(pid)) < count:  # noqa: ASYNC110 - polled
                await anyio.sleep(0.005)
        return self.inbox_now(pid)

    async def end_room(self) -> None:
        await self.tavus.conversations.end(self.cid)

    def slow_acks(self, seconds: float) -> None:
        pytest.skip("the simulator acknowledges at once")

    async def close(self) -> None:
        for peer in self.peers.values():
            await peer.transport.leave()


Harness = WsHarness | DailyHarness | SimHarness


def payload(harness: Harness, n: int) -> dict[str, Any]:
    """An interaction-shaped message (the simulator's replica reads only those)."""
    return {
        "message_type": "conversation",
        "event_type": "conversation.contract_test",
        "conversation_id": harness.cid,
        "properties": {"n": n},
    }


def number(data: Any) -> Any:
    return data.get("properties", {}).get("n") if isinstance(data, dict) else None


@pytest.fixture(params=["websocket", "daily-fake", "simulator"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    h: Harness
    if request.param == "websocket":
        async with FakeWsRoomServer() as server:
            h = WsHarness(server)
            yield h
            await h.close()
    elif request.param == "daily-fake":
        h = DailyHarness()
        yield h
        await h.close()
    else:
        async with TavusSimulator() as sim, sim.client() as tavus:
            sim.replica.greeting = ""  # a silent replica: only what the tests send
            replicas = await tavus.replicas.list()
            persona = await tavus.personas.create(persona_name="p", system_prompt="s")
            conversation = await tavus.conversations.create(
                persona_id=persona.persona_id, replica_id=replicas.data[0].replica_id
            )
            h = SimHarness(sim, tavus, conversation)
            yield h
            await h.close()


async def test_join_lists_present_participants_and_flags_the_replica(harness: Harness) -> None:
    replica = await harness.add_remote("r-replica", is_replica=True)
    guest = await harness.add_remote("guest")
    t, sink = harness.make(), Sink()
    info = await t.join(harness.url, None, "bot", sink)
    try:
        assert info.local_id
        assert t.local_id == info.local_id
        by_id = {p.id: p for p in info.participants}
        assert by_id[replica].is_replica
        assert not by_id[guest].is_replica
        assert set(t.participants()) == {replica, guest} | harness.helpers
    finally:
        await t.leave()


async def test_inbound_events_arrive_on_the_loop_thread_in_order(harness: Harness) -> None:
    t, sink = harness.make(), Sink()
    await t.join(harness.url, None, "bot", sink)
    try:
        pid = await harness.add_remote("r1", is_replica=True)
        joined = await sink.wait(lambda e: isinstance(e, PeerJoined) and e.participant.id == pid)
        assert joined.participant.is_replica
        for i in range(20):
            await harness.send_from(pid, payload(harness, i))
        await sink.wait(lambda e: isinstance(e, AppMessage) and number(e.data) == 19)
        msgs = [m for m in sink.of(AppMessage) if number(m.data) is not None]
        assert [number(m.data) for m in msgs] == list(range(20))
        assert {m.sender for m in msgs} == {pid}
        guest = await harness.add_remote("guest")
        await sink.wait(lambda e: isinstance(e, PeerJoined) and e.participant.id == guest)
        await harness.remove_remote(guest)
        left = await sink.wait(lambda e: isinstance(e, PeerLeft) and e.participant.id == guest)
        assert not left.participant.is_replica
        assert guest not in t.participants()
        if harness.can_remove_replica:
            await harness.remove_remote(pid)
            left = await sink.wait(lambda e: isinstance(e, PeerLeft) and e.participant.id == pid)
            assert left.participant.is_replica
        assert sink.threads == {threading.get_ident()}
    finally:
        await t.leave()


async def test_broadcast_reaches_others_and_is_not_echoed(harness: Harness) -> None:
    a = await harness.add_remote("a", is_replica=True)
    b = await harness.add_remote("b")
    t, sink = harness.make(), Sink()
    info = await t.join(harness.url, None, "bot", sink)
    try:
        hello = payload(harness, 1)
        await t.send(hello)
        got_a = await harness.inbox(a, 1)
        assert got_a[-1][0] == hello
        if harness.knows_replica_sender:
            assert got_a[-1][1] == info.local_id
        assert await harness.inbox(b, 1) == [(hello, info.local_id)]
        direct = payload(harness, 2)
        await t.send(direct, recipient=b)
        assert (await harness.inbox(b, 2))[1] == (direct, info.local_id)
        await anyio.sleep(0.05)
        assert len(harness.inbox_now(a)) == 1  # the direct message went to b only
        assert [m for m in sink.of(AppMessage) if number(m.data)] == []  # never echoed
    finally:
        await t.leave()


async def test_two_transports_talk_to_each_other(harness: Harness) -> None:
    t1, s1 = harness.make(), Sink()
    t2, s2 = harness.make(), Sink()
    i1 = await t1.join(harness.url, None, "one", s1)
    i2 = await t2.join(harness.url, None, "two", s2)
    try:
        await s1.wait(lambda e: isinstance(e, PeerJoined) and e.participant.id == i2.local_id)
        await t2.send({"x": 1}, recipient=i1.local_id)
        got = await s1.wait(lambda e: isinstance(e, AppMessage) and e.data == {"x": 1})
        assert got.sender == i2.local_id
        await t2.leave()
        await s1.wait(lambda e: isinstance(e, PeerLeft) and e.participant.id == i2.local_id)
    finally:
        await t1.leave()
        await t2.leave()


async def test_send_before_join_and_after_leave_raise_room_closed(harness: Harness) -> None:
    t = harness.make()
    with pytest.raises(RoomClosedError, match="not joined"):
        await t.send({"a": 1})
    await t.join(harness.url, None, "bot", Sink())
    await t.leave()
    await t.leave()  # idempotent
    with pytest.raises(RoomClosedError):
        await t.send({"a": 1})


async def test_bad_messages_are_send_errors_naming_the_problem(harness: Harness) -> None:
    t = harness.make()
    await t.join(harness.url, None, "bot", Sink())
    try:
        with pytest.raises(MessageTooLargeError, match=r"too large: .* 4\d{3} bytes") as big:
            await t.send({"blob": "x" * 4100})
        assert isinstance(big.value, SendError)
        assert isinstance(big.value, ValueError)
        assert (big.value.limit, big.value.event_type) == (4096, "app-message")
        with pytest.raises(SendError, match="not JSON"):
            await t.send({"obj": object()})
        with pytest.raises(SendError, match="participant not found"):
            await t.send({"a": 1}, recipient="nobody")
        await t.send({"blob": "x" * 4000})  # under the limit still goes
    finally:
        await t.leave()


async def test_send_times_out_as_send_error(harness: Harness) -> None:
    t = harness.make(send_timeout=0.2)
    await t.join(harness.url, None, "bot", Sink())
    try:
        harness.slow_acks(1.0)
        with pytest.raises(SendError, match=r"within 0\.2 s"):
            await t.send({"a": 1})
    finally:
        if harness.can_slow_acks:
            harness.slow_acks(0)
        await t.leave()


async def test_no_events_after_leave(harness: Harness) -> None:
    pid = await harness.add_remote("r", is_replica=True)
    t, sink = harness.make(), Sink()
    await t.join(harness.url, None, "bot", sink)
    await t.leave()
    count = len(sink.events)
    await harness.send_from(pid, payload(harness, 1))
    await harness.add_remote("late-guest")
    await anyio.sleep(0.1)
    assert len(sink.events) == count


async def test_room_ending_is_reported_once_and_closes_sends(harness: Harness) -> None:
    t, sink = harness.make(), Sink()
    await t.join(harness.url, None, "bot", sink)
    try:
        await harness.end_room()
        gone = await sink.wait(lambda e: isinstance(e, TransportDisconnected))
        assert gone.reason in ("room-ended", "left")
        with pytest.raises(RoomClosedError):
            await t.send({"a": 1})
        await anyio.sleep(0.05)
        assert len(sink.of(TransportDisconnected)) == 1
    finally:
        await t.leave()


async def test_a_transport_joins_once(harness: Harness) -> None:
    t = harness.make()
    await t.join(harness.url, None, "bot", Sink())
    try:
        with pytest.raises(JoinError, match="already used"):
            await t.join(harness.url, None, "bot", Sink())
    finally:
        await t.leave()


async def test_replica_json_delivers_the_replicas_messages_undecoded() -> None:
    async with FakeWsRoomServer() as server:
        t, sink = WebSocketTransport(replica_json=True), Sink()
        await t.join(server.url, None, "bot", sink)
        try:
            replica = await server.add_remote("r1", is_replica=True)
            human = await server.add_remote("alice")
            await sink.wait(lambda e: isinstance(e, PeerJoined) and e.participant.id == human)
            event = {"event_type": "conversation.utterance", "properties": {"n": 1}}
            await server.send_from(replica, event)
            await server.send_from(replica, "a string, not an object")
            await server.send_from(human, {"hello": "there"})
            got = await sink.wait(lambda e: isinstance(e, AppMessage) and e.sender == human)
            msgs = sink.of(AppMessage)
            assert [m.sender for m in msgs] == [replica, replica, human]
            # The replica's object arrives as its JSON text, for decode() to read directly...
            assert isinstance(msgs[0].data, bytes)
            assert json.loads(msgs[0].data) == event
            # ...anything else exactly as without the option.
            assert msgs[1].data == "a string, not an object"
            assert got.data == {"hello": "there"}
        finally:
            await t.leave()


class _Colour(enum.Enum):
    RED = "red"


async def test_every_transport_sends_the_same_json_native_payload(harness: Harness) -> None:
    """What msgspec encodes but daily-python refuses is normalised once, the same everywhere:
    a tool result holding a datetime reaches the replica on Daily as on the simulator."""
    pid = await harness.add_remote("r-replica", is_replica=True)
    t = harness.make()
    await t.join(harness.url, None, "bot", Sink())
    try:
        when = datetime.datetime(2026, 12, 2, 13, 30, tzinfo=datetime.timezone.utc)
        ident = uuid.UUID("7a0f3b1e-9d4c-4b8e-a1f2-3c4d5e6f7a8b")
        message = payload(harness, 1)
        message["properties"].update(
            when=when, id=ident, price=decimal.Decimal("1.50"), colour=_Colour.RED, blob=b"ab"
        )
        message["properties"]["by_key"] = {7: "seven"}
        await t.send(message)
        (received, _), *_ = await harness.inbox(pid, 1)
        props = received["properties"]
        assert props["when"] == "2026-12-02T13:30:00Z"
        assert (props["id"], props["price"], props["colour"]) == (str(ident), "1.50", "red")
        assert (props["blob"], props["by_key"]) == ("YWI=", {"7": "seven"})
        with pytest.raises(SendError, match="not JSON"):
            await t.send({"obj": object()})
        with pytest.raises(SendError, match="64-bit"):
            await t.send({"n": 2**70})
    finally:
        await t.leave()
