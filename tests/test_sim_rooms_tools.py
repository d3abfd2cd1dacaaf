"""Tool calls and the replica scripting hook (rules, custom brains, pushed events)."""

from __future__ import annotations

import json
import re

import pytest
from _sim_rooms_kit import Frame, room_server

from tavus_async.testing._brain import (
    CallTool,
    Say,
    ScriptedTurn,
    guardrail,
    objective,
    perception_tool_call,
)

pytestmark = pytest.mark.anyio

CID = "c123"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
                "verbose": {"type": "boolean"},
            },
            "required": ["location", "unit", "days"],
        },
    },
}
PERSONA = {"layers": {"llm": {"tools": [WEATHER_TOOL]}}}


async def test_tool_call_round_trip_speaks_the_result() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="", persona=PERSONA)
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="Please call get_weather for me")
        user = await alice.event("conversation.utterance", role="user")
        call = await alice.event("conversation.tool_call")
        props = call["properties"]
        assert props["name"] == "get_weather"
        assert isinstance(props["arguments"], str)
        # Required parameters filled by type, the enum with its first value; optional ones left.
        assert json.loads(props["arguments"]) == {
            "location": "test",
            "unit": "celsius",
            "days": 1,
        }
        assert props["tool_call_id"].startswith("tc_")
        assert call["inference_id"] == user["inference_id"]
        assert call["turn_idx"] == user["turn_idx"] == 1

        ack = await alice.interact(
            "conversation.tool_result",
            CID,
            tool_call_id=props["tool_call_id"],
            output="Sunny and 21 degrees in Paris.",
            status="success",
        )
        assert ack["error"] is None
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "Sunny and 21 degrees in Paris."
        assert reply["seq"] > call["seq"]
        stats = kit.hub.stats(CID)
        assert stats["tool_calls"] == 1
        assert stats["tool_results"] == 1


async def test_json_after_the_tool_name_becomes_the_arguments() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="", persona=PERSONA)
        alice = await kit.join(CID)
        text = 'use get_weather {"location": "Oslo", "unit": "fahrenheit", "days": 3} thanks'
        await alice.interact("conversation.respond", CID, text=text)
        call = await alice.event("conversation.tool_call")
        args = json.loads(call["properties"]["arguments"])
        assert args == {"location": "Oslo", "unit": "fahrenheit", "days": 3}
        # An object output is spoken as JSON; an error status is acknowledged, not spoken as data.
        await alice.interact(
            "conversation.tool_result",
            CID,
            tool_call_id=call["properties"]["tool_call_id"],
            output={"temp": 40},
            status="error",
        )
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == 'Sorry, get_weather failed: {"temp": 40}'


async def test_no_tool_result_times_out_and_is_counted() -> None:
    async with room_server("manual") as kit:
        kit.hub.replica.tool_result_timeout = 10
        kit.open(CID, greeting="", persona=PERSONA)
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="get_weather")
        call = await alice.event("conversation.tool_call")
        await kit.clock.advance(9)
        assert kit.hub.stats(CID).get("tool_timeouts", 0) == 0
        await kit.clock.advance(1)
        reply = await alice.event("conversation.utterance", role="replica")
        assert "get_weather failed" in reply["properties"]["speech"]
        assert kit.hub.stats(CID)["tool_timeouts"] == 1
        # A late result no longer matches anything: ignored, but recorded.
        await alice.interact(
            "conversation.tool_result",
            CID,
            tool_call_id=call["properties"]["tool_call_id"],
            output="late",
        )
        await alice.interact("conversation.respond", CID, text="sync")
        await alice.event("conversation.utterance", role="replica", speech="You said: sync")
        assert kit.hub.stats(CID)["tool_results_unmatched"] == 1


async def test_text_without_a_tool_name_gets_the_default_reply() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="", persona=PERSONA)
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="How is the weather?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "You said: How is the weather?"
        assert kit.hub.stats(CID).get("tool_calls", 0) == 0


async def test_scripted_rules_win_over_the_brain() -> None:
    async with room_server() as kit:
        replica = kit.hub.replica
        once = replica.when(re.compile(r"\bprice\b"), say="It costs 10 euros.", once=True)
        tool_rule = replica.when(
            "book",
            tool="book_table",
            arguments={"people": 2},
            emit=objective("booking_started", "activated"),
        )
        kit.open(CID, greeting="")
        alice = await kit.join(CID)

        await alice.interact("conversation.respond", CID, text="What is the price?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "It costs 10 euros."
        await alice.interact("conversation.respond", CID, text="And the price again?")
        reply = await alice.event("conversation.utterance", role="replica")
        assert reply["properties"]["speech"] == "You said: And the price again?"
        assert once.hits == 1

        # Scripted tools need not be in the persona.
        await alice.interact("conversation.respond", CID, text="Book a table")
        started = await alice.event("conversation.objective.activated")
        assert started["properties"] == {"objective_name": "booking_started"}
        call = await alice.event("conversation.tool_call")
        assert call["seq"] > started["seq"]
        assert json.loads(call["properties"]["arguments"]) == {"people": 2}
        await alice.interact(
            "conversation.tool_result",
            CID,
            tool_call_id=call["properties"]["tool_call_id"],
            output="Booked for 2.",
        )
        await alice.event("conversation.utterance", role="replica", speech="Booked for 2.")
        assert tool_rule.hits == 1


async def test_rule_validation() -> None:
    async with room_server() as kit:
        with pytest.raises(ValueError, match="at least one"):
            kit.hub.replica.when("x")
        with pytest.raises(ValueError, match="needs 'tool'"):
            kit.hub.replica.when("x", say="y", arguments={"a": 1})


async def test_a_custom_async_brain_sees_the_turn() -> None:
    seen: list[ScriptedTurn] = []

    class Brain:
        async def reply(self, turn: ScriptedTurn) -> list[Say | CallTool | str]:
            seen.append(turn)
            return ["First sentence.", Say("Second sentence.")]

    async with room_server() as kit:
        kit.hub.replica.brain = Brain()
        kit.open(CID, greeting="", persona={"system_prompt": "Be kind.", "context": "Ctx."})
        alice = await kit.join(CID)
        await alice.interact("conversation.respond", CID, text="hi")
        first = await alice.event("conversation.utterance", role="replica")
        second = await alice.event("conversation.utterance", role="replica")
        assert first["properties"]["speech"] == "First sentence."
        assert second["properties"]["speech"] == "Second sentence."
        assert first["inference_id"] != second["inference_id"]
        assert seen[0].text == "hi"
        assert seen[0].system_prompt == "Be kind."
        assert seen[0].context == "Ctx."
        assert seen[0].history == (("user", "hi"),)


async def test_pushed_events_reach_everyone_with_seq() -> None:
    async with room_server() as kit:
        kit.open(CID, greeting="")
        alice = await kit.join(CID)
        bob = await kit.join(CID)
        await alice.event("system.replica_joined")
        frame = {"data": "/9j/4AAQ", "mime_type": "image/jpeg"}
        await kit.hub.replica.push(
            CID,
            perception_tool_call("id_shown", {"id_type": "passport"}, frames=[frame]),
            perception_tool_call("sarcasm", {"reason": "tone"}, modality="audio"),
            guardrail("no_medical_advice", "asked for a diagnosis", guardrail_uuid="g-1"),
        )
        got: list[Frame] = []
        for client in (alice, bob):
            vision = await client.event("conversation.perception_tool_call", modality="vision")
            audio = await client.event("conversation.perception_tool_call", modality="audio")
            rail = await client.event("conversation.guardrail.triggered")
            got.extend([vision, audio, rail])
        vision, audio, rail = got[:3]
        assert vision["properties"]["arguments"] == {"id_type": "passport"}
        assert vision["properties"]["frames"] == [frame]
        assert json.loads(audio["properties"]["arguments"]) == {"reason": "tone"}
        assert rail["properties"] == {
            "guardrail": "no_medical_advice",
            "guardrail_uuid": "g-1",
            "reason": "asked for a diagnosis",
        }
        assert vision["seq"] < audio["seq"] < rail["seq"]
        assert got[3:] == got[:3], "both participants see the same events"

        await kit.hub.replica.say(CID, "Unprompted words.")
        await alice.event("conversation.utterance", role="replica", speech="Unprompted words.")
        with pytest.raises(LookupError):
            await kit.hub.replica.push("c_missing", "hello")


async def test_pal_duplicates_and_legacy_events_when_asked() -> None:
    async with room_server() as kit:
        kit.hub.replica.pal_duplicates = True
        kit.hub.replica.legacy_speaking_events = True
        kit.open(CID, greeting="Hi.")
        alice = await kit.join(CID)
        events = await alice.events_until(
            lambda e: e["event_type"] == "conversation.replica.stopped_speaking"
        )
        started = [e for e in events if e["event_type"] == "conversation.started_speaking"]
        assert [e["properties"]["role"] for e in started] == ["pal", "replica"]
        assert started[0]["seq"] == started[1]["seq"]
        kinds = {e["event_type"] for e in events}
        assert "conversation.replica.started_speaking" in kinds
