"""App-message routing between participants, as in Daily: broadcasts, directed, size limit."""

from __future__ import annotations

import json

import pytest
from _sim_rooms_kit import room_server

pytestmark = pytest.mark.anyio

CID = "c123"


async def test_broadcast_reaches_every_other_participant_but_not_the_sender() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        carol = await kit.join(CID, name="carol")

        ack = await alice.send({"hello": "all"})
        assert ack["error"] is None
        for peer in (bob, carol):
            got = await peer.peer_message()
            assert got == {"type": "app-message", "from": alice.pid, "data": {"hello": "all"}}

        # Alice's next peer message is Bob's marker, not her own broadcast coming back.
        await bob.send({"marker": 1}, recipient=alice.pid)
        got = await alice.peer_message()
        assert got["data"] == {"marker": 1}
        assert got["from"] == bob.pid


async def test_directed_message_reaches_only_its_recipient() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        carol = await kit.join(CID, name="carol")

        ack = await alice.send({"secret": True}, recipient=bob.pid)
        assert ack["error"] is None
        assert (await bob.peer_message())["data"] == {"secret": True}
        await alice.send({"public": True})
        # Carol's first peer message is the later broadcast: the directed one never reached her.
        assert (await carol.peer_message())["data"] == {"public": True}
        assert (await bob.peer_message())["data"] == {"public": True}


async def test_unknown_recipient_is_refused() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        ack = await alice.send({"x": 1}, recipient="no-such-participant")
        assert ack["error"] == "participant not found"
        assert kit.hub.stats(CID)["refused_unknown_recipient"] == 1


async def test_message_over_4096_bytes_is_refused_and_not_delivered() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        # The limit applies to the compact JSON encoding of `data`: a string of n characters
        # encodes to n + 2 bytes.
        exact = "x" * (4096 - 2)
        over = "x" * (4096 - 1)
        assert len(json.dumps(exact)) == 4096

        refused = await alice.send(over)
        assert refused["error"] == "message too large"
        accepted = await alice.send(exact)
        assert accepted["error"] is None
        got = await bob.peer_message()
        assert got["data"] == exact  # the refused one never arrived
        assert kit.hub.stats(CID)["refused_too_large"] == 1


async def test_participant_join_and_leave_are_announced() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        joined = await alice.wait(
            lambda f: f["type"] == "participant-joined" and not f["participant"]["is_replica"]
        )
        assert joined["participant"] == {
            "participant_id": bob.pid,
            "user_name": "bob",
            "is_replica": False,
        }
        await bob.ws.send_str(json.dumps({"type": "leave"}))
        assert await bob.closed() == 1000
        left = await alice.wait(lambda f: f["type"] == "participant-left")
        assert left["participant"]["participant_id"] == bob.pid
        assert left["reason"] == "left"


async def test_directed_message_to_the_replica_is_an_interaction() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID, name="alice")
        bob = await kit.join(CID, name="bob")
        await alice.event("system.replica_joined")
        assert alice.replica_pid is not None
        data = {
            "message_type": "conversation",
            "event_type": "conversation.respond",
            "conversation_id": CID,
            "properties": {"text": "just to you"},
        }
        ack = await alice.send(data, recipient=alice.replica_pid)
        assert ack["error"] is None
        # The replica's answer is broadcast to everyone; the message itself reached no peer.
        reply = await bob.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "You said: just to you"
        await alice.send({"after": True})
        assert (await bob.peer_message())["data"] == {"after": True}


async def test_bad_frames_get_an_error_and_a_close() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.ws.send_str("this is not json")
        err = await alice.wait(lambda f: f["type"] == "error")
        assert err["code"] == "bad_frame"
        assert await alice.closed() == 4400
        assert kit.hub.stats(CID)["bad_frames"] == 1
