"""The simulated replica's behaviour in a room: join, greeting, turns, echo, interrupt, context."""

from __future__ import annotations

import base64

import pytest
from _sim_rooms_kit import Frame, room_server

pytestmark = pytest.mark.anyio

CID = "c123"


def _stopped(e: Frame) -> bool:
    return bool(e["event_type"] == "conversation.stopped_speaking")


async def test_first_join_brings_the_replica_and_its_greeting() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="Hi there, welcome to the room!")
        alice = await kit.join(CID, name="alice")
        assert alice.joined["participants"] == []
        assert alice.joined["conversation_id"] == CID

        joined = await alice.wait(lambda f: f["type"] == "participant-joined")
        assert joined["participant"]["is_replica"] is True
        assert joined["participant"]["user_name"] == "r_test"

        system = await alice.event("system.replica_joined")
        assert system["message_type"] == "system"
        assert system["properties"]["replica_id"] == "r_test"
        assert kit.hooks.joined == [CID]

        events = await alice.events_until(_stopped)
        kinds = [e["event_type"] for e in events]
        assert kinds[:2] == ["conversation.started_speaking", "conversation.utterance"]
        assert events[1]["properties"] == {
            "role": "replica",
            "speech": "Hi there, welcome to the room!",
        }
        streaming = [e for e in events if e["event_type"] == "conversation.utterance.streaming"]
        assert streaming[-1]["properties"]["final"] is True
        assert streaming[-1]["properties"]["speech"] == "Hi there, welcome to the room!"
        assert [s["properties"]["content_index"] for s in streaming] == list(range(len(streaming)))
        assert events[-1]["properties"]["interrupted"] is False
        assert events[-1]["properties"]["duration"] > 0
        assert kit.hooks.transcripts[CID] == [("assistant", "Hi there, welcome to the room!")]

        # A second participant sees the replica (and alice) already present; no second greeting.
        bob = await kit.join(CID, name="bob")
        names = sorted((p["user_name"], p["is_replica"]) for p in bob.joined["participants"])
        assert names == [("alice", False), ("r_test", True)]
        seen = await alice.wait(lambda f: f["type"] == "participant-joined")
        assert seen["participant"]["user_name"] == "bob"
        assert kit.hooks.joined == [CID]


async def test_respond_turn_is_ordered_and_sequenced() -> None:
    async with room_server() as kit:
        kit.open(CID)
        alice = await kit.join(CID)
        greeting = await alice.events_until(_stopped)

        ack = await alice.interact("conversation.respond", CID, text="How are you today?")
        assert ack["error"] is None
        turn = await alice.events_until(_stopped)
        kinds = [e["event_type"] for e in turn]
        assert kinds[0] == "conversation.utterance"
        assert turn[0]["properties"] == {"role": "user", "speech": "How are you today?"}
        assert kinds[1:3] == ["conversation.started_speaking", "conversation.utterance"]
        assert turn[2]["properties"]["speech"] == "You said: How are you today?"
        assert set(kinds[3:-1]) == {"conversation.utterance.streaming"}
        assert turn[-2]["properties"]["speech"] == "You said: How are you today?"
        assert turn[-1]["properties"]["role"] == "replica"

        everything = greeting + turn
        seqs = [e["seq"] for e in everything]
        assert seqs == sorted(seqs)
        assert len(set(seqs)) == len(seqs)
        assert all(isinstance(e["timestamp"], float) for e in everything)
        assert all(e["turn_idx"] == 1 for e in turn)
        assert turn[0]["inference_id"] != turn[1]["inference_id"]
        # One inference id ties the replica's reply together.
        assert len({e["inference_id"] for e in turn[1:]}) == 1
        assert kit.hooks.transcripts[CID][-2:] == [
            ("user", "How are you today?"),
            ("assistant", "You said: How are you today?"),
        ]

        await alice.interact("conversation.respond", CID, text="Again")
        second = await alice.events_until(_stopped)
        assert {e["turn_idx"] for e in second} == {2}
        assert second[0]["seq"] > turn[-1]["seq"]


async def test_events_decode_with_the_sdk_decoder() -> None:
    events_mod = pytest.importorskip("tavus_async.interactions.events")
    async with room_server() as kit:
        kit.open(CID)
        alice = await kit.join(CID)
        await alice.events_until(_stopped)
        await alice.interact("conversation.respond", CID, text="decode me")
        turn = await alice.events_until(_stopped)
        decoded = [events_mod.decode(e) for e in turn]
        names = [type(d).__name__ for d in decoded]
        assert not {"UnknownEvent", "MalformedEvent"} & set(names), names
        assert decoded[0].speech == "decode me"


async def test_text_echo_duration_grows_with_the_text() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.event("system.replica_joined")
        short, long = "Hi.", "This is a much longer sentence that takes a while to say out loud."
        await alice.interact("conversation.echo", CID, modality="text", text=short, done=True)
        first = await alice.events_until(_stopped)
        await alice.interact("conversation.echo", CID, modality="text", text=long, done=True)
        second = await alice.events_until(_stopped)
        assert first[1]["properties"]["speech"] == short
        assert second[1]["properties"]["speech"] == long
        assert second[-1]["properties"]["duration"] > first[-1]["properties"]["duration"] > 0


async def test_audio_echo_is_assembled_per_inference_id_until_done() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.event("system.replica_joined")
        # 50 ms at 24 kHz, 16-bit mono (100 ms would exceed the 4 KB message limit).
        chunk = base64.b64encode(bytes(2400)).decode()
        for done in (False, False):
            ack = await alice.interact(
                "conversation.echo",
                CID,
                modality="audio",
                audio=chunk,
                sample_rate=24000,
                inference_id="inf-1",
                done=done,
            )
            assert ack["error"] is None
        assert kit.hub.stats(CID)["audio_pending"] == 1
        # "done" as the string Tavus's own examples show.
        await alice.interact(
            "conversation.echo",
            CID,
            modality="audio",
            audio=chunk,
            sample_rate=24000,
            inference_id="inf-1",
            done="true",
        )
        events = await alice.events_until(_stopped)
        assert [e["event_type"] for e in events] == [
            "conversation.started_speaking",
            "conversation.stopped_speaking",
        ]
        assert {e["inference_id"] for e in events} == {"inf-1"}
        assert events[-1]["properties"]["duration"] == pytest.approx(0.15)
        stats = kit.hub.stats(CID)
        assert stats["echo_audio_chunks"] == 3
        assert stats["echo_audio_utterances"] == 1
        assert stats["audio_pending"] == 0

        # Default sample rate is 16 kHz: 1600 bytes is 0.05 s.
        one = base64.b64encode(bytes(1600)).decode()
        await alice.interact("conversation.echo", CID, modality="audio", audio=one, done=True)
        events = await alice.events_until(_stopped)
        assert events[-1]["properties"]["duration"] == pytest.approx(0.05)


async def test_interrupt_cuts_speech_short() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        text = "one two three four five six seven eight nine ten eleven twelve"
        await alice.interact("conversation.echo", CID, modality="text", text=text)
        started = await alice.event("conversation.started_speaking")
        await alice.event("conversation.utterance")
        # Each chunk of three words takes a quarter of the duration: let one chunk through.
        duration = round(0.2 + len(text) / 15.0, 3)
        await kit.clock.advance(duration / 4 + 0.01)
        first = await alice.event("conversation.utterance.streaming")
        assert first["properties"]["speech"] == "one two three"

        await alice.interact("conversation.interrupt", CID)
        events = await alice.events_until(_stopped)
        last_chunk = events[-2]["properties"]
        assert last_chunk["final"] is True
        assert last_chunk["is_interrupted"] is True
        assert last_chunk["speech"] == "one two three"
        stopped = events[-1]
        assert stopped["properties"]["interrupted"] is True
        assert 0 < stopped["properties"]["duration"] < duration
        assert stopped["inference_id"] == started["inference_id"]
        assert kit.hooks.transcripts[CID] == [("assistant", "one two three")]

        # Nothing more is said for the interrupted utterance, even after its time has passed.
        await kit.clock.advance(duration)
        await alice.interact("conversation.echo", CID, modality="text", text="next")
        nxt = await alice.event("conversation.started_speaking")
        assert nxt["inference_id"] != started["inference_id"]
        assert not [f for f in alice.inbox if alice.is_event(f, "conversation.utterance.streaming")]


async def test_respond_waits_for_the_greeting_but_interrupts_other_speech() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, greeting="Welcome to this lovely simulated room friend")
        alice = await kit.join(CID)
        await alice.event("conversation.started_speaking")
        await alice.interact("conversation.respond", CID, text="hello")
        await alice.event("conversation.utterance", role="user")
        # Long enough for the greeting (about 3.1 s), not for the reply after it.
        await kit.clock.advance(3.2)
        greeting_stop = await alice.event("conversation.stopped_speaking")
        assert greeting_stop["properties"]["interrupted"] is False
        await alice.event("conversation.utterance", role="replica", speech="You said: hello")

        # The reply is speaking now; a new respond barges in.
        await alice.interact("conversation.respond", CID, text="stop, new question")
        stop = await alice.event("conversation.stopped_speaking")
        assert stop["properties"]["interrupted"] is True
        await alice.event(
            "conversation.utterance", role="replica", speech="You said: stop, new question"
        )


async def test_echo_without_inference_id_interrupts_and_with_one_queues() -> None:
    async with room_server("manual") as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.interact("conversation.echo", CID, modality="text", text="first words here")
        await alice.event("conversation.started_speaking")
        await alice.event("conversation.utterance")
        await alice.interact(
            "conversation.echo", CID, modality="text", text="queued", inference_id="q1"
        )
        await alice.interact("conversation.echo", CID, modality="text", text="urgent")
        stop = await alice.event("conversation.stopped_speaking")
        assert stop["properties"]["interrupted"] is True
        utter = await alice.event("conversation.utterance")
        # The urgent echo dropped the queued one.
        assert utter["properties"]["speech"] == "urgent"
        await kit.clock.advance(10)
        await alice.event("conversation.stopped_speaking", interrupted=False)
        assert not [f for f in alice.inbox if alice.is_event(f, "conversation.utterance")]


async def test_context_changes_what_the_replica_knows() -> None:
    async with room_server() as kit:
        persona = {"context": "You sell bicycles.", "system_prompt": "Be brief."}
        kit.open(CID, greeting="", persona=persona, conversational_context="The user is Ana.")
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="What do you know?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert "You sell bicycles." in reply["properties"]["speech"]
        assert "The user is Ana." in reply["properties"]["speech"]

        await alice.interact(
            "conversation.append_llm_context", CID, context="Ana likes red.", job_status="completed"
        )
        await alice.interact("conversation.respond", CID, text="what do you know now?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert "The user is Ana." in reply["properties"]["speech"]
        assert "Ana likes red." in reply["properties"]["speech"]

        await alice.interact("conversation.overwrite_llm_context", CID, context="Ben is here.")
        await alice.interact("conversation.respond", CID, text="Tell me your context")
        reply = await alice.event("conversation.utterance", role="replica")
        assert "Ben is here." in reply["properties"]["speech"]
        assert "Ana" not in reply["properties"]["speech"]
        room = kit.hub.room(CID)
        assert room is not None
        assert room.job_status == "completed"


async def test_sensitivity_is_validated_and_bad_values_are_counted() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        ack = await alice.interact(
            "conversation.sensitivity", CID, participant_pause_sensitivity="high"
        )
        assert ack["error"] is None
        await alice.interact(
            "conversation.sensitivity", CID, participant_interrupt_sensitivity="loud"
        )
        await alice.interact("conversation.sensitivity", CID, volume="low")
        await alice.interact("conversation.echo", CID, modality="speech", text="x")
        await alice.interact("conversation.respond", CID, text="")
        # Interactions are handled in arrival order: once this reply is heard, all were seen.
        await alice.interact("conversation.respond", CID, text="sync")
        await alice.event("conversation.utterance", role="replica")
        room = kit.hub.room(CID)
        assert room is not None
        assert room.sensitivity == {"participant_pause_sensitivity": "high"}
        reasons = [reason for reason, _ in kit.hub.replica.rejected(CID)]
        assert len(reasons) == 4
        assert "loud" in reasons[0]
        assert "volume" in reasons[1]
        assert "speech" in reasons[2]
        assert "respond" in reasons[3]
        assert kit.hub.stats(CID)["rejected"] == 4


async def test_messages_for_another_conversation_are_ignored_and_recorded() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", "c_other", text="not for you")
        await alice.interact("conversation.respond", CID, text="for you")
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "You said: for you"
        assert len(kit.hub.replica.received(CID)) == 2
        assert "c_other" in kit.hub.replica.rejected(CID)[0][0]
