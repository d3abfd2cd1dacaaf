"""A long-running simulator keeps at most ``keep_ended`` ended conversations (issue 17)."""

from __future__ import annotations

import pytest

from tavus_async import AsyncTavus
from tavus_async.errors import NotFoundError
from tavus_async.interactions.events import ReplicaJoined, StoppedSpeaking
from tavus_async.room import connect
from tavus_async.testing import TavusSimulator
from tavus_async.testing._simulator import KEEP_ENDED

pytestmark = pytest.mark.anyio


async def test_the_oldest_ended_conversations_are_forgotten_past_the_bound() -> None:
    async with (
        TavusSimulator(keep_ended=2) as sim,
        AsyncTavus(api_key=sim.api_key, base_url=sim.base_url) as tavus,
    ):
        persona = (await tavus.personas.list()).data[0]
        replica_id = (await tavus.replicas.list(limit=1)).data[0].replica_id

        async def create() -> str:
            conv = await tavus.conversations.create(
                persona_id=persona.persona_id, replica_id=replica_id, custom_greeting=""
            )
            return conv.conversation_id

        ids = [await create() for _ in range(4)]
        live = await create()
        # The first one had a room with traffic, so the room hub and the replica hold state.
        conv = await tavus.conversations.get(ids[0])
        async with connect(conv, client=tavus) as room:
            await room.wait_for(ReplicaJoined, timeout=5)
            await room.respond("hello")
            await room.wait_for(StoppedSpeaking, where=lambda e: e.role == "replica", timeout=5)
        assert sim.replica.received(ids[0])
        for cid in ids:
            await tavus.conversations.end(cid)

        for old in ids[:2]:
            with pytest.raises(NotFoundError):
                await tavus.conversations.get(old)
            assert sim.rooms.room(old) is None
            assert sim.replica.received(old) == []
        for kept in ids[2:]:
            assert (await tavus.conversations.get(kept)).status == "ended"
        assert (await tavus.conversations.get(live)).status == "active"  # never forgotten
        assert sim.rooms.is_open(live)
        assert sim.counts["conversations.forgotten"] == 2
        assert len(sim.store.conversations) == len(ids[2:]) + 1


async def test_keep_ended_none_keeps_every_conversation_and_the_default_is_bounded() -> None:
    assert TavusSimulator().keep_ended == KEEP_ENDED
    with pytest.raises(ValueError, match="keep_ended"):
        TavusSimulator(keep_ended=-1)
    async with (
        TavusSimulator(keep_ended=None, rooms=False) as sim,
        AsyncTavus(api_key=sim.api_key, base_url=sim.base_url) as tavus,
    ):
        persona = (await tavus.personas.list()).data[0]
        replica_id = (await tavus.replicas.list(limit=1)).data[0].replica_id
        for _ in range(3):
            conv = await tavus.conversations.create(
                persona_id=persona.persona_id, replica_id=replica_id
            )
            await tavus.conversations.end(conv.conversation_id)
        assert sim.counts["conversations.forgotten"] == 0
        ended = [c for c in sim.store.conversations.values() if c["status"] == "ended"]
        assert len(ended) == 3
