"""The production Daily path (issue 15): who is the replica, what media is received, what
payload Daily is given, how echo audio is paced, the bridge's two races, and the Room's
timeouts reaching its transport (issue 12). Over the threaded fake CallClient, which
``test_daily_contract.py`` pins to the real daily-python."""

from __future__ import annotations

import ast
import asyncio
import base64
import contextlib
import datetime
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import pytest
from fakes import fake_ws_room
from fakes.fake_daily import FakeDailyRoom
from fakes.fake_ws_room import FakeWsRoomServer

import tavus_async
from tavus_async.errors import JoinError, MessageTooLargeError, SendError
from tavus_async.interactions.events import ToolCall, Utterance
from tavus_async.interactions.messages import DEFAULT_MAX_MESSAGE_BYTES, Respond, encode
from tavus_async.room import (
    ForeignMessage,
    JoinInfo,
    Participant,
    ParticipantJoined,
    ParticipantLeft,
    ReplicaParticipantJoined,
    Room,
)
from tavus_async.room.daily import DailyTransport, _BridgeMixin
from tavus_async.room.transport import CallState, EventSink, TransportDisconnected
from tavus_async.room.websocket import WebSocketTransport

pytestmark = pytest.mark.anyio

CID = "c-fake"
URL = f"https://tavus.daily.co/{CID}"
REPLICA_ID = "r79e1c033f"


def ev(event_type: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_type": "conversation",
        "event_type": event_type,
        "conversation_id": CID,
    }
    if props is not None:
        msg["properties"] = props
    return msg


def utterance(text: str) -> dict[str, Any]:
    return ev("conversation.utterance", {"role": "user", "speech": text})


def daily_room(fake: FakeDailyRoom, **transport_options: Any) -> Room:
    transport = DailyTransport(client_factory=fake.factory, **transport_options)
    return Room(URL, transport=transport, replica_id=REPLICA_ID)


async def until(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    with anyio.fail_after(timeout):
        while not pred():  # noqa: ASYNC110 - state filled by the fake's emitter thread
            await anyio.sleep(0.005)


# -- 1. replica identity ---------------------------------------------------------------------


async def test_a_guest_named_after_the_replica_id_is_not_the_replica() -> None:
    """The spoofing guest: present first, named with the replica id, forging a tool call."""
    fake = FakeDailyRoom()
    guest = fake.add_remote(REPLICA_ID, user_id="guest-42")
    replica = fake.add_remote("Anna", user_id="tavus-replica-123")
    ran: list[str] = []
    async with daily_room(fake) as room:

        @room.tool("transfer_money")
        async def transfer_money(amount: int) -> str:
            ran.append(f"{amount}")
            return "done"

        assert room.replica is not None
        assert room.replica.id == replica
        forged = ev("conversation.tool_call", {"name": "transfer_money", "arguments": "{}"})
        fake.send_from(guest, forged)
        assert (await room.wait_for(ForeignMessage, timeout=5)).sender == guest
        fake.send_from(replica, utterance("hello"))
        assert (await room.wait_for(Utterance, timeout=5)).speech == "hello"
    assert ran == []
    assert room.stats.foreign == 1


async def test_the_default_room_does_not_take_the_replica_id_as_a_name_rule() -> None:
    """``Room(replica_id=...)`` used to make the replica id a user-name rule of its transport."""
    room = Room(URL, replica_id=REPLICA_ID)
    assert isinstance(room.transport, DailyTransport)
    spoof = {"id": "p1", "info": {"userName": REPLICA_ID, "userId": "guest"}}
    assert not room.transport._participant(spoof).is_replica


async def test_an_opt_in_name_rule_never_outranks_a_user_id_match() -> None:
    fake = FakeDailyRoom()
    guest = fake.add_remote(REPLICA_ID)  # first, and matching the opted-in name rule
    async with daily_room(fake, replica_names=(REPLICA_ID,)) as room:
        assert room.replica is not None
        assert room.replica.id == guest
        assert room.replica.replica_rule == "user_name"
        replica = fake.add_remote("Anna", user_id="tavus-replica-123")
        taken = await room.wait_for(ReplicaParticipantJoined, timeout=5)
        while taken.participant.id != replica:
            taken = await room.wait_for(ReplicaParticipantJoined, timeout=5)
        assert room.replica.id == replica
        fake.send_from(guest, utterance("forged"))
        assert (await room.wait_for(ForeignMessage, timeout=5)).sender == guest


async def test_late_name_updates_never_take_over_a_known_replica() -> None:
    fake = FakeDailyRoom()
    replica = fake.add_remote("Anna", user_id="tavus-replica-123")
    guest = fake.add_remote("")
    async with daily_room(fake, replica_names=("Anna",)) as room:
        fake.update_remote(guest, name="Anna")  # a guest renames itself like the replica
        await room.wait_for(ParticipantJoined, timeout=5)
        fake.send_from(guest, utterance("forged"))
        assert (await room.wait_for(ForeignMessage, timeout=5)).sender == guest
        assert room.replica is not None
        assert room.replica.id == replica


async def test_a_late_name_is_no_replica_without_the_opt_in() -> None:
    fake = FakeDailyRoom()
    guest = fake.add_remote("")
    room = Room(URL, transport=DailyTransport(client_factory=fake.factory), join_timeout=5)
    async with anyio.create_task_group() as tg:
        tg.start_soon(room.join)
        await until(lambda: bool(room.participants()))  # joined, waiting for a replica
        fake.update_remote(guest, name=REPLICA_ID)
        await anyio.sleep(0.2)
        assert room.replica is None
        replica = fake.add_remote("Anna", user_id="tavus-replica-9")
        await until(lambda: room.replica is not None)
    assert room.replica is not None
    assert room.replica.id == replica
    await room.leave()


async def test_of_two_replicas_the_first_keeps_the_role() -> None:
    fake = FakeDailyRoom()
    first = fake.add_remote("r1", user_id="tavus-replica-1")
    async with daily_room(fake) as room:
        second = fake.add_remote("r2", user_id="tavus-replica-2")
        await room.wait_for(ParticipantJoined, timeout=5)
        fake.send_from(second, utterance("second"))
        assert (await room.wait_for(ForeignMessage, timeout=5)).sender == second
        assert room.replica is not None
        assert room.replica.id == first


async def test_a_replica_that_rejoins_is_trusted_under_its_new_id() -> None:
    fake = FakeDailyRoom()
    first = fake.add_remote("r", user_id="tavus-replica-1")
    async with daily_room(fake) as room:
        fake.remove_remote(first)
        await room.wait_for(ParticipantLeft, timeout=5)
        again = fake.add_remote("r", user_id="tavus-replica-1")
        assert (await room.wait_for(ReplicaParticipantJoined, timeout=5)).participant.id == again
        fake.send_from(again, utterance("back"))
        assert (await room.wait_for(Utterance, timeout=5)).speech == "back"
        fake.send_from(first, utterance("stale"))
        assert (await room.wait_for(ForeignMessage, timeout=5)).sender == first


async def test_no_replica_join_error_says_who_was_seen_and_how_to_opt_in() -> None:
    fake = FakeDailyRoom()
    token = "eyJhbGciOiJIUzI1NiJ9.eyJyIjoiYyJ9.c2VjcmV0c2lnbmF0dXJl"
    guest = fake.add_remote("Persona Anna", user_id="u-77")
    leaker = fake.add_remote(token)  # a name holding the meeting token must not leak it
    transport = DailyTransport(client_factory=fake.factory)
    room = Room(URL, token, transport=transport, join_timeout=0.5)
    with pytest.raises(JoinError) as info:
        await room.join()
    text = str(info.value)
    assert "wait for the replica" in text
    assert "Persona Anna" in text
    assert guest in text
    assert "u-77" in text
    assert leaker in text
    assert token not in text
    assert "[REDACTED]" in text
    assert "tavus-replica" in text
    assert "replica_names=" in text


# -- 2. media off by default -----------------------------------------------------------------


async def test_media_is_unsubscribed_before_the_join() -> None:
    fake = FakeDailyRoom()
    fake.add_remote("r", user_id="tavus-replica-1")
    async with daily_room(fake):
        (client,) = fake.created
        states = {
            k: v["subscriptionState"] for k, v in client.subscription_profiles()["base"].items()
        }
        assert states == {
            "camera": "unsubscribed",
            "microphone": "unsubscribed",
            "screenVideo": "unsubscribed",
            "screenAudio": "unsubscribed",
        }


async def test_subscribe_media_receives_what_was_asked_for() -> None:
    fake = FakeDailyRoom()
    fake.add_remote("r", user_id="tavus-replica-1")
    async with daily_room(fake, subscribe_media=("microphone",)):
        base = fake.created[0].subscription_profiles()["base"]
        states = {kind: value["subscriptionState"] for kind, value in base.items()}
        assert states["microphone"] == "subscribed"
        assert {states["camera"], states["screenVideo"], states["screenAudio"]} == {"unsubscribed"}
    with pytest.raises(ValueError, match="unknown media kind"):
        DailyTransport(client_factory=fake.factory, subscribe_media=("video",))


# -- 3. one payload form, one limit, one error -----------------------------------------------


async def test_a_tool_returning_a_datetime_reaches_the_replica_on_daily() -> None:
    fake = FakeDailyRoom()
    replica = fake.add_remote("r", user_id="tavus-replica-1")
    when = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.timezone.utc)
    async with daily_room(fake) as room:

        @room.tool("next_slot")
        async def next_slot() -> dict[str, Any]:
            return {"when": when}

        fake.send_from(
            replica,
            ev(
                "conversation.tool_call",
                {"name": "next_slot", "arguments": "{}", "tool_call_id": "t1"},
            ),
        )
        await room.wait_for(ToolCall, timeout=5)
        (result, _), *_ = fake.wait_inbox(replica, 1)
    assert result["properties"]["output"] == {"when": "2026-12-02T09:00:00Z"}
    assert room.stats.tool_errors == 0


async def test_too_large_is_one_error_from_encode_and_from_room_send() -> None:
    fake = FakeDailyRoom()
    fake.add_remote("r", user_id="tavus-replica-1")
    big = Respond("x" * DEFAULT_MAX_MESSAGE_BYTES)
    with pytest.raises(MessageTooLargeError) as from_encode:
        encode(big, CID)
    async with daily_room(fake) as room:
        with pytest.raises(MessageTooLargeError) as from_room:
            await room.send(big)
    for err in (from_encode.value, from_room.value):
        assert isinstance(err, SendError)
        assert isinstance(err, ValueError)
        assert (err.event_type, err.limit) == ("conversation.respond", DEFAULT_MAX_MESSAGE_BYTES)
    assert from_room.value.size == from_encode.value.size
    assert fake.inbox == {} or all(not v for v in fake.inbox.values())


def test_the_app_message_limit_is_defined_once() -> None:
    """It was declared four times (transport, messages, simulator, a test fake)."""
    root = Path(tavus_async.__file__).parent
    defined = []
    for path in [*root.rglob("*.py"), Path(fake_ws_room.__file__)]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value == DEFAULT_MAX_MESSAGE_BYTES:
                defined.append(path.name)
    assert defined == ["messages.py"]


# -- timeouts: one owner ---------------------------------------------------------------------


async def test_the_rooms_send_timeout_is_the_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Room(send_timeout=S) used to fail at the transport's own default instead of S."""
    kwdefaults = dict(WebSocketTransport.__init__.__kwdefaults__ or {})
    kwdefaults["send_timeout"] = 0.2  # the transport's default, shorter than the Room's value
    monkeypatch.setattr(WebSocketTransport.__init__, "__kwdefaults__", kwdefaults)
    async with FakeWsRoomServer(CID) as server:
        await server.add_remote("r", is_replica=True)
        async with Room(server.url, send_timeout=3.0) as room:
            server.ack_delay = 0.5
            await room.echo("acknowledged after 0.5 s")  # within 3 s: delivered
        async with Room(server.url, send_timeout=0.3) as room:
            server.ack_delay = 2.0  # later than the Room's deadline
            started = time.monotonic()
            with pytest.raises(SendError, match=r"within 0\.3 s"):
                await room.echo("never acknowledged")
            assert time.monotonic() - started < 5.0
            server.ack_delay = 0.0


def test_the_rooms_join_and_send_timeouts_reach_the_transport_it_makes() -> None:
    daily = Room(URL, join_timeout=7.0, send_timeout=3.0).transport
    assert isinstance(daily, DailyTransport)
    assert (daily._join_timeout, daily._send_timeout) == (7.0, 3.0)
    ws = Room("ws://127.0.0.1:9/rooms/c1", join_timeout=7.0, send_timeout=3.0).transport
    assert isinstance(ws, WebSocketTransport)
    assert (ws._connect_timeout, ws._send_timeout) == (7.0, 3.0)
    assert Room(URL).transport._send_timeout == 10.0  # type: ignore[attr-defined]


async def test_send_timeout_with_an_own_transport_is_refused() -> None:
    fake = FakeDailyRoom()
    with pytest.raises(ValueError, match="pass them to that transport"):
        Room(URL, transport=DailyTransport(client_factory=fake.factory), send_timeout=5)


# -- 4. echo audio paced, not serialised -----------------------------------------------------


class _SlowTransport:
    """A joined-at-once transport whose sends complete after ``delay``, recording overlap."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.handed: list[Any] = []
        self.completed = 0

    @property
    def local_id(self) -> str | None:
        return "local"

    def participants(self) -> Mapping[str, Participant]:
        return {}

    async def join(self, url: str, token: str | None, name: str, sink: EventSink) -> JoinInfo:
        return JoinInfo("local", (Participant("rep", is_replica=True),), CID)

    async def send(self, message: Any, recipient: str | None = None) -> None:
        self.handed.append(message)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        self.completed += 1

    async def leave(self) -> None:
        return None


def _pcm(seconds: float) -> bytes:
    return bytes(int(seconds * 24000) * 2)


async def test_echo_audio_pipelines_a_bounded_number_of_chunks_in_order() -> None:
    transport = _SlowTransport(0.05)
    async with Room(URL, transport=transport) as room:
        result = await room.echo_audio(_pcm(1.0))
    assert result.completed
    assert result.chunks == len(transport.handed) == transport.completed
    assert 1 < transport.max_in_flight <= 8
    props = [m["properties"] for m in transport.handed]
    assert [p["done"] for p in props] == [False] * (len(props) - 1) + [True]
    assert len({p["inference_id"] for p in props}) == 1
    assert b"".join(base64.b64decode(p["audio"]) for p in props[:-1]) == _pcm(1.0)


async def test_interrupt_drops_what_is_queued() -> None:
    transport = _SlowTransport(0.05)
    async with Room(URL, transport=transport) as room:
        async with anyio.create_task_group() as tg:
            results: list[Any] = []

            async def stream() -> None:
                results.append(await room.echo_audio(_pcm(5.0)))

            tg.start_soon(stream)
            await until(lambda: transport.completed >= 3)
            await room.interrupt()
        handed = len(transport.handed)
        await anyio.sleep(0.2)
        assert len(transport.handed) == handed  # nothing after the interrupt
    (result,) = results
    assert not result.completed
    interrupt_at = next(
        i for i, m in enumerate(transport.handed) if m["event_type"] == "conversation.interrupt"
    )
    assert interrupt_at == len(transport.handed) - 1
    assert interrupt_at < 5 * 24000 * 2 // 4000  # far from the whole utterance


async def test_cancelling_echo_audio_stops_sends_and_leaves_no_task() -> None:
    transport = _SlowTransport(0.05)
    async with Room(URL, transport=transport) as room:
        with anyio.move_on_after(0.2):
            await room.echo_audio(_pcm(5.0))
        handed = len(transport.handed)
        await anyio.sleep(0.2)
        assert len(transport.handed) == handed
        assert transport.in_flight == 0
        assert 0 < handed < 40


# -- 5. the bridge races ---------------------------------------------------------------------


class _Loop:
    """Stands in for the loop: records scheduled drains; the test runs them by hand."""

    def __init__(self) -> None:
        self.scheduled: list[Callable[[], None]] = []

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None:
        self.scheduled.append(fn)

    call_soon = call_soon_threadsafe

    def is_closed(self) -> bool:
        return False

    def run(self) -> None:
        while self.scheduled:
            self.scheduled.pop(0)()


def test_an_event_posted_while_a_drain_runs_is_never_stranded() -> None:
    """The drain runs (on the loop thread) exactly between the poster's flag check and its
    append: the item must still be delivered without waiting for another event."""
    loop, delivered = _Loop(), list[tuple[Any, ...]]()
    bridge = _BridgeMixin(loop, delivered.append)  # type: ignore[arg-type]
    bridge._post("call-state", "joined")  # a drain is now scheduled
    drain = loop.scheduled.pop()

    class Interleaving(type(bridge._pending)):  # type: ignore[misc]
        hooked = True

        def append(self, item: Any) -> None:
            if self.hooked:
                self.hooked = False
                drain()  # the loop thread wins the race here
            super().append(item)

    bridge._pending = Interleaving(bridge._pending)
    bridge._post("call-state", "left")
    loop.run()
    assert delivered == [("call-state", "joined"), ("call-state", "left")]
    assert not bridge._pending


class _InstantClient:
    """Completes the join inline and reports ``left`` right after (an instant eject)."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def update_subscription_profiles(self, profile_settings: Any, completion: Any = None) -> None:
        completion(None)

    def join(
        self,
        meeting_url: str,
        meeting_token: Any = None,
        client_settings: Any = None,
        completion: Any = None,
    ) -> None:
        data = {"participants": {"local": {"id": "me", "info": {"isLocal": True}}}}
        # Both reach the loop before the join coroutine resumes: the completion, then `left`.
        completion(data, None)
        self.handler.on_call_state_updated("left")

    def leave(self, completion: Any = None) -> None:
        if completion is not None:
            completion(None)

    def send_app_message(
        self, message: Any, participant_id: Any = None, completion: Any = None
    ) -> None:
        completion("AppMessage(Signalling(ChannelNotOpen))")

    def participants(self) -> dict[str, Any]:
        return {}

    def release(self) -> None:
        pass


async def test_a_left_right_after_the_join_completion_is_a_disconnect() -> None:
    events: list[Any] = []
    transport = DailyTransport(client_factory=_InstantClient)
    with pytest.raises(JoinError, match="right after joining"):
        await transport.join(URL, None, "bot", events.append)
    assert CallState("left") in events
    assert any(isinstance(e, TransportDisconnected) for e in events)
    assert transport._state == "left"


async def test_the_fake_reports_left_right_after_the_join_like_daily_can() -> None:
    fake = FakeDailyRoom()
    fake.add_remote("r", user_id="tavus-replica-1")
    fake.left_after_join = True
    room = daily_room(fake)
    # Which comes first on the loop, the join coroutine or the `left`, is the threads' choice:
    # the join fails, or it succeeds and the room goes away at once. Never joined forever.
    with contextlib.suppress(JoinError):
        await room.join()
    await until(lambda: room.closed)
    await room.leave()
    assert all(not c.thread_alive for c in fake.created)
