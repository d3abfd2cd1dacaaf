"""Room lifecycles: REST end, max duration, last leave, absence, auth, shutdown without leaks."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from _sim_rooms_kit import room_server

from tavus_async.testing._rooms import REASON_ABSENT, REASON_LEFT, REASON_MAX_DURATION

pytestmark = pytest.mark.anyio

CID = "c123"


async def test_close_sends_room_ended_and_later_joins_are_refused() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        await kit.hub.close(CID, "end_conversation_endpoint_hit")
        for client in (alice, bob):
            ended = await client.wait(lambda f: f["type"] == "room-ended")
            assert ended["reason"] == "end_conversation_endpoint_hit"
            assert await client.closed() == 4000
        assert not kit.hub.is_open(CID)

        late = await kit.connect(CID)
        err = await late.wait(lambda f: f["type"] == "error")
        assert err["code"] == "not_found"
        assert "ended" in err["message"]
        assert await late.closed() == 4404


async def test_unknown_room_is_refused_with_4404() -> None:
    async with room_server() as kit:
        client = await kit.connect("c_missing")
        err = await client.wait(lambda f: f["type"] == "error")
        assert err["code"] == "not_found"
        assert await client.closed() == 4404


async def test_max_call_duration_ends_the_room() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, greeting="", properties={"max_call_duration": 120})
        alice = await kit.join(CID)
        await kit.clock.advance(119)
        assert kit.hub.is_open(CID)
        assert kit.hooks.ended == []
        await kit.clock.advance(1)
        # The clock returns with the room already ended.
        assert kit.hooks.ended == [(CID, REASON_MAX_DURATION)]
        assert not kit.hub.is_open(CID)
        ended = await alice.wait(lambda f: f["type"] == "room-ended")
        assert ended["reason"] == REASON_MAX_DURATION
        assert await alice.closed() == 4000


async def test_last_leave_ends_the_room_after_participant_left_timeout() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, greeting="", properties={"participant_left_timeout": 30})
        alice = await kit.join(CID)
        bob = await kit.join(CID)
        await alice.ws.close()
        await bob.wait(lambda f: f["type"] == "participant-left")
        await kit.clock.advance(60)
        assert kit.hub.is_open(CID), "one participant is still in the room"

        await bob.ws.send_str(json.dumps({"type": "leave"}))
        assert await bob.closed() == 1000
        room = kit.hub.room(CID)
        assert room is not None
        await kit.until(lambda: not room.humans)
        await kit.clock.advance(29)
        assert kit.hub.is_open(CID)

        # Rejoining within the timeout cancels it.
        carol = await kit.join(CID)
        await kit.clock.advance(5)
        assert kit.hub.is_open(CID)
        await carol.ws.close()
        await kit.until(lambda: not room.humans)
        await kit.clock.advance(30)
        assert kit.hooks.ended == [(CID, REASON_LEFT)]
        assert not kit.hub.is_open(CID)


async def test_nobody_joining_ends_the_room_after_participant_absent_timeout() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, properties={"participant_absent_timeout": 100})
        await kit.clock.advance(100)
        assert kit.hooks.ended == [(CID, REASON_ABSENT)]
        assert kit.hooks.joined == []


async def test_require_auth_checks_the_meeting_token(caplog: pytest.LogCaptureFixture) -> None:
    token = "tok-very-secret-123"
    caplog.set_level(logging.DEBUG)
    async with room_server() as kit:
        kit.open(CID, greeting="", require_auth=True, meeting_token=token)
        for given in (None, "wrong-token"):
            client = await kit.connect(CID, token=given)
            err = await client.wait(lambda f: f["type"] == "error")
            assert err["code"] == "unauthorized"
            assert token not in json.dumps(err)
            assert await client.closed() == 4401
        assert kit.hooks.joined == [], "a refused client must not bring the replica in"

        alice = await kit.join(CID, token=token)
        assert alice.pid
        await alice.event("system.replica_joined")
    assert token not in caplog.text


async def test_aclose_ends_every_room_and_leaves_no_tasks() -> None:
    async with room_server("manual") as kit:
        kit.open("c1", greeting="A greeting that is still being spoken when we shut down")
        kit.open("c2", greeting="")
        one = await kit.join("c1")
        two = await kit.join("c2")
        await one.event("conversation.started_speaking")
        await kit.hub.aclose()
        for client in (one, two):
            ended = await client.wait(lambda f: f["type"] == "room-ended")
            assert ended["reason"] == "simulator_shutdown"
            assert await client.closed() == 4000
        await asyncio.sleep(0)
        leftovers = [
            t
            for t in asyncio.all_tasks()
            if t.get_name().startswith("tavus-sim-room") and not t.done()
        ]
        assert leftovers == []
        with pytest.raises(RuntimeError, match="closed"):
            kit.open("c3")


async def test_a_brain_can_end_its_own_room_mid_turn() -> None:
    async with room_server() as kit:

        class Hangup:
            async def reply(self, turn: Any) -> str:
                await kit.hub.close(turn.conversation_id, "end_conversation_endpoint_hit")
                return "never spoken"

        kit.hub.replica.brain = Hangup()
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="bye")
        ended = await alice.wait(lambda f: f["type"] == "room-ended")
        assert ended["reason"] == "end_conversation_endpoint_hit"
        assert await alice.closed() == 4000
        spoken = [f for f in alice.inbox if alice.is_event(f, "conversation.utterance")]
        assert all(f["data"]["properties"]["role"] == "user" for f in spoken)


async def test_a_cancelled_close_still_shuts_the_room() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        closing = asyncio.ensure_future(kit.hub.close(CID, "end_conversation_endpoint_hit"))
        await asyncio.sleep(0)
        closing.cancel()
        ended = await alice.wait(lambda f: f["type"] == "room-ended")
        assert ended["reason"] == "end_conversation_endpoint_hit"
        assert await alice.closed() == 4000
        await kit.hub.close(CID, "again")  # idempotent: waits for the same shutdown
        room = kit.hub.room(CID)
        assert room is not None
        assert room.close_reason == "end_conversation_endpoint_hit"
