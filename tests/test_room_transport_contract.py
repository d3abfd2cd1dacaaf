"""One contract, every transport: WebSocketTransport over a real socket, DailyTransport over a fake
CallClient that calls back from its own thread (as daily-python does)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from fakes.fake_daily import FakeDailyRoom
from fakes.fake_ws_room import FakeWsRoomServer

from tavus_async.errors import JoinError, RoomClosedError, SendError
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


class WsHarness:
    name = "websocket"

    def __init__(self, server: FakeWsRoomServer) -> None:
        self.server = server
        self.url = server.url

    def make(self, **kw: Any) -> Transport:
        return WebSocketTransport(**kw)

    async def add_remote(self, name: str, is_replica: bool = False) -> str:
        return await self.server.add_remote(name, is_replica=is_replica)

    async def remove_remote(self, pid: str) -> None:
        await self.server.remove_remote(pid)

    async def send_from(self, pid: str, data: Any, recipient: str | None = None) -> None:
        await self.server.send_from(pid, data, recipient)

    async def inbox(self, pid: str, count: int) -> list[tuple[Any, str]]:
        return await self.server.wait_inbox(pid, count)

    def inbox_now(self, pid: str) -> list[tuple[Any, str]]:
        return list(self.server.inbox[pid])

    async def end_room(self) -> None:
        await self.server.end_room()

    def slow_acks(self, seconds: float) -> None:
        self.server.ack_delay = seconds


class DailyHarness:
    name = "daily-fake"

    def __init__(self) -> None:
        self.room = FakeDailyRoom()
        self.url = "https://tavus.daily.co/c-fake"

    def make(self, **kw: Any) -> Transport:
        return DailyTransport(client_factory=self.room.factory, **kw)

    async def add_remote(self, name: str, is_replica: bool = False) -> str:
        return self.room.add_remote(name, user_id="tavus-replica-1" if is_replica else "guest")

    async def remove_remote(self, pid: str) -> None:
        self.room.remove_remote(pid)

    async def send_from(self, pid: str, data: Any, recipient: str | None = None) -> None:
        self.room.send_from(pid, data, recipient)

    async def inbox(self, pid: str, count: int) -> list[tuple[Any, str]]:
        with anyio.fail_after(5):
            while len(self.room.inbox[pid]) < count:  # noqa: ASYNC110 - filled by a thread
                await anyio.sleep(0.005)
        return list(self.room.inbox[pid])

    def inbox_now(self, pid: str) -> list[tuple[Any, str]]:
        return list(self.room.inbox[pid])

    async def end_room(self) -> None:
        self.room.eject_all()

    def slow_acks(self, seconds: float) -> None:
        self.room.send_delay = seconds


Harness = WsHarness | DailyHarness


@pytest.fixture(params=["websocket", "daily-fake"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "websocket":
        async with FakeWsRoomServer() as server:
            yield WsHarness(server)
    else:
        h = DailyHarness()
        yield h
        # Every fake client created was released (its emitter thread ended).
        assert all(not c.thread_alive for c in h.room.created)


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
        assert by_id[replica].name == "r-replica"
        assert not by_id[guest].is_replica
        assert set(t.participants()) == {replica, guest}
    finally:
        await t.leave()


async def test_inbound_events_arrive_on_the_loop_thread_in_order(harness: Harness) -> None:
    t, sink = harness.make(), Sink()
    await t.join(harness.url, None, "bot", sink)
    try:
        pid = await harness.add_remote("r1", is_replica=True)
        joined = await sink.wait(lambda e: isinstance(e, PeerJoined))
        assert joined.participant.id == pid
        assert joined.participant.is_replica
        for i in range(20):
            await harness.send_from(pid, {"n": i})
        await sink.wait(lambda e: isinstance(e, AppMessage) and e.data == {"n": 19})
        msgs = sink.of(AppMessage)
        assert [m.data["n"] for m in msgs] == list(range(20))
        assert {m.sender for m in msgs} == {pid}
        await harness.remove_remote(pid)
        left = await sink.wait(lambda e: isinstance(e, PeerLeft))
        assert left.participant.id == pid
        assert left.participant.is_replica
        assert pid not in t.participants()
        assert sink.threads == {threading.get_ident()}
    finally:
        await t.leave()


async def test_broadcast_reaches_others_and_is_not_echoed(harness: Harness) -> None:
    a = await harness.add_remote("a", is_replica=True)
    b = await harness.add_remote("b")
    t, sink = harness.make(), Sink()
    info = await t.join(harness.url, None, "bot", sink)
    try:
        await t.send({"hello": "all"})
        assert await harness.inbox(a, 1) == [({"hello": "all"}, info.local_id)]
        assert await harness.inbox(b, 1) == [({"hello": "all"}, info.local_id)]
        await t.send({"only": "b"}, recipient=b)
        assert (await harness.inbox(b, 2))[1] == ({"only": "b"}, info.local_id)
        await anyio.sleep(0.05)
        assert len(harness.inbox_now(a)) == 1  # the direct message went to b only
        assert sink.of(AppMessage) == []  # never echoed to the sender
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
        got = await s1.wait(lambda e: isinstance(e, AppMessage))
        assert (got.data, got.sender) == ({"x": 1}, i2.local_id)
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
        with pytest.raises(SendError, match=r"too large: 4\d{3} bytes"):
            await t.send({"blob": "x" * 4100})
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
    harness.slow_acks(1.0)
    try:
        with pytest.raises(SendError, match=r"within 0\.2 s"):
            await t.send({"a": 1})
    finally:
        harness.slow_acks(0)
        await t.leave()


async def test_no_events_after_leave(harness: Harness) -> None:
    pid = await harness.add_remote("r", is_replica=True)
    t, sink = harness.make(), Sink()
    await t.join(harness.url, None, "bot", sink)
    await t.leave()
    count = len(sink.events)
    await harness.send_from(pid, {"late": True})
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
