"""The rooms inside the whole TavusSimulator: settings from the REST create reach the room."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from _sim_rooms_kit import RoomClient

from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


async def _join(session: aiohttp.ClientSession, url: str, token: str | None = None) -> RoomClient:
    params = {"name": "tester"}
    if token is not None:
        params["t"] = token
    client = RoomClient(await session.ws_connect(url, params=params))
    first = await client.wait(lambda f: f["type"] in ("joined", "error"))
    client.joined = first
    client.pid = first.get("participant_id", "")
    return client


async def test_rest_created_conversation_room_end_to_end() -> None:
    async with TavusSimulator(time="manual") as sim, sim.client() as tavus:
        persona = await tavus.personas.create(
            persona_name="Guide", system_prompt="Be brief.", context="We sell kayaks."
        )
        replicas = await tavus.replicas.list()
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id,
            replica_id=replicas.data[0].replica_id,
            custom_greeting="Welcome aboard!",
            conversational_context="The caller is Mia.",
            require_auth=True,
            properties={"participant_left_timeout": 20},
        )
        cid = conv.conversation_id
        assert conv.meeting_token
        sim.replica.when("discount", say="Ten percent off today.")

        async with aiohttp.ClientSession() as session:
            url = conv.conversation_url
            assert url is not None
            refused = await _join(session, url, token="not-the-token")
            assert refused.joined["code"] == "unauthorized"
            assert await refused.closed() == 4401

            client = await _join(session, url, token=conv.meeting_token)
            assert client.joined["type"] == "joined"
            await client.event("system.replica_joined")
            greeting = await client.event("conversation.utterance", role="replica")
            assert greeting["properties"]["speech"] == "Welcome aboard!"
            # Manual time: the greeting plays out only as time moves.
            await sim.advance(10)
            await client.event("conversation.stopped_speaking", interrupted=False)

            await client.interact("conversation.respond", cid, text="What do you know?")
            reply = await client.event("conversation.utterance", role="replica")
            assert "We sell kayaks." in reply["properties"]["speech"]
            assert "The caller is Mia." in reply["properties"]["speech"]
            await client.interact("conversation.respond", cid, text="Any discount?")
            await sim.advance(30)
            said = "Ten percent off today."
            await client.event("conversation.utterance", role="replica", speech=said)
            stopped = await client.event("conversation.stopped_speaking", interrupted=False)
            assert stopped["properties"]["duration"] == pytest.approx(
                0.2 + len(said) / 15, abs=1e-3
            )

            await client.ws.send_str(json.dumps({"type": "leave"}))
            assert await client.closed() == 1000

        room = sim.rooms.room(cid)
        assert room is not None
        assert not room.humans  # the leave is handled before the socket closes
        await sim.advance(19)
        assert (await tavus.conversations.get(cid)).status == "active"
        await sim.advance(1)
        ended = await tavus.conversations.get(cid, verbose=True)
        assert ended.status == "ended"
        assert ended.ended_reason == "participant_left_timeout reached"
        turns = [(t.role, t.content) for t in ended.transcript if t.role != "system"]
        assert turns[0] == ("assistant", "Welcome aboard!")
        assert ("user", "Any discount?") in turns
        assert turns[-1] == ("assistant", "Ten percent off today.")


async def test_an_async_brain_may_call_the_simulator_while_time_advances() -> None:
    async with TavusSimulator(time="manual") as sim, sim.client() as tavus:
        replicas = await tavus.replicas.list()
        conv = await tavus.conversations.create(
            replica_id=replicas.data[0].replica_id, custom_greeting="Hi there friend."
        )

        class Lookup:
            async def reply(self, turn: Any) -> str:
                # A REST round trip to this same simulator, made while the clock is advancing.
                current = await tavus.conversations.get(turn.conversation_id)
                return f"This conversation is {current.status}."

        sim.replica.brain = Lookup()
        async with aiohttp.ClientSession() as session:
            url = conv.conversation_url
            assert url is not None
            client = await _join(session, url)
            await client.event("conversation.started_speaking")
            # Asked during the greeting: the reply waits for it, then thinks while time moves.
            await client.interact("conversation.respond", conv.conversation_id, text="status?")
            await sim.advance(30)
            reply = await client.event("conversation.utterance", role="replica", timeout=10)
            assert reply["properties"]["speech"] == "Hi there friend."
            reply = await client.event("conversation.utterance", role="replica", timeout=10)
            assert reply["properties"]["speech"] == "This conversation is active."
        assert sim.rooms.stats(conv.conversation_id).get("settle_timeouts", 0) == 0
