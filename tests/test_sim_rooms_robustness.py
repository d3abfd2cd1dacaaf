"""Junk never breaks a room; bounded memory; objective confirmation."""

from __future__ import annotations

from typing import Any

import pytest
from _sim_rooms_kit import room_server

from tavus_async.testing import _rooms

pytestmark = pytest.mark.anyio

CID = "c123"

JUNK: list[Any] = [
    None,
    42,
    "text",
    [],
    {"event_type": 5},
    {"message_type": "conversation", "event_type": "conversation.respond"},
    {"message_type": "conversation", "event_type": "conversation.respond", "properties": []},
    {"event_type": "conversation.respond", "properties": {"text": 7}},
    {"event_type": "conversation.echo", "properties": {"modality": "audio", "audio": "@@"}},
    {"event_type": "conversation.echo", "properties": {"modality": "audio", "audio": 3}},
    {
        "event_type": "conversation.echo",
        "properties": {"modality": "audio", "audio": "AAAA", "sample_rate": -1},
    },
    {"event_type": "conversation.echo", "properties": {"modality": "text", "text": ""}},
    {"event_type": "conversation.tool_result", "properties": {"tool_call_id": None}},
    {"event_type": "conversation.sensitivity", "properties": {}},
    {"event_type": "conversation.overwrite_llm_context", "properties": {"context": 1}},
    {"event_type": "conversation.append_llm_context", "properties": None},
    {"event_type": "conversation.objective.confirm", "properties": {}},
    {"event_type": "conversation.realtime_api", "properties": {"type": "session.update"}},
    {"event_type": "conversation.something_new", "properties": {"x": 1}},
    {"message_type": "system", "event_type": "conversation.respond", "properties": {"text": "x"}},
]


async def test_junk_is_acked_counted_and_the_room_still_answers() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        bob = await kit.join(CID)
        for data in JUNK:
            ack = await alice.send(data)
            assert ack["error"] is None
            # Peers still get whatever was broadcast, junk included (the channel is Daily's).
            assert (await bob.peer_message())["data"] == data
        await alice.interact("conversation.respond", CID, text="still alive?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "You said: still alive?"
        stats = kit.hub.stats(CID)
        assert stats.get("internal_errors", 0) == 0
        # Everything shaped like an interaction but invalid is counted, with its reason.
        assert stats["rejected"] == 12
        assert stats["unhandled"] == 2  # realtime_api and the unknown event type
        assert len(kit.hub.replica.rejected(CID)) == 12


async def test_objective_confirm_completes_the_objective() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.interact(
            "conversation.objective.confirm",
            CID,
            objective_name="collect_email",
            output_variables={"email": "mia@example.com"},
        )
        done = await alice.event("conversation.objective.completed")
        assert done["properties"] == {
            "objective_name": "collect_email",
            "output_variables": {"email": "mia@example.com"},
        }


async def test_received_history_is_bounded_but_counted() -> None:
    async with room_server() as kit:
        kit.hub.replica.history_limit = 5
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        for _ in range(8):
            await alice.interact(
                "conversation.sensitivity", CID, participant_pause_sensitivity="low"
            )
        kept = kit.hub.replica.received(CID)
        assert len(kept) == 5
        assert kit.hub.stats(CID)["interactions"] == 8


async def test_a_participant_that_stops_reading_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_rooms, "MAX_OUTBOX", 3)
    async with room_server() as kit:
        kit.open(CID, greeting="")
        await kit.join(CID)
        room = kit.hub.room(CID)
        assert room is not None
        # A participant whose writer never runs stands for a client that stopped reading.
        stuck = _rooms._Participant("stuck", "stuck", False)
        for i in range(4):
            room._queue(stuck, {"type": "app-message", "from": "x", "data": i})
        assert stuck.closing
        last = stuck.outbox[-1]
        assert isinstance(last, _rooms._Close)
        assert last.code == _rooms.CLOSE_SLOW_CONSUMER
        assert len(stuck.outbox) == 1
        assert room.stats["slow_consumers"] == 1


async def test_unfinished_audio_is_counted_when_the_room_ends() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.interact(
            "conversation.echo", CID, modality="audio", audio="AAAA", inference_id="x", done=False
        )
        assert kit.hub.stats(CID)["audio_pending"] == 1
        await kit.hub.close(CID, "end_conversation_endpoint_hit")
        stats = kit.hub.stats(CID)
        assert stats["audio_unfinished"] == 1
        assert stats["audio_pending"] == 0


async def test_queued_speech_is_bounded_and_drops_are_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_rooms, "MAX_QUEUED_SPEECH", 2)
    async with room_server("manual") as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        for i in range(4):
            await alice.interact(
                "conversation.echo", CID, modality="text", text=f"line {i}", inference_id=f"i{i}"
            )
            if i == 0:
                await alice.event("conversation.started_speaking")
        # One speaks now, two wait, the fourth is dropped; advancing plays the three.
        await kit.clock.advance(60)
        spoken = []
        for _ in range(3):
            utter = await alice.event("conversation.utterance")
            spoken.append(utter["properties"]["speech"])
        assert spoken == ["line 0", "line 1", "line 2"]
        assert kit.hub.stats(CID)["speech_dropped"] == 1
