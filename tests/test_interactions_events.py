"""Inbound events: every reference example decodes to the right class with the right fields."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest

from tavus_async.interactions import events as ev
from tavus_async.interactions.events import (
    EVENT_CLASSES,
    EVENT_TYPES,
    Event,
    MalformedEvent,
    UnknownEvent,
    decode,
    is_droppable,
)

FIXTURES = Path(__file__).parent / "fixtures" / "interactions"
REFERENCE = Path("/work/shared/tavus-docs/interactions-protocol.md")
INFERENCE = "83294d9f-8306-491b-a284-791f56c8383f"

# fixture stem -> (class, {attribute: expected value})
EXPECTED: dict[str, tuple[type[Event], dict[str, Any]]] = {
    "ref_00_echo_text": (
        ev.EchoEvent,
        {"modality": "text", "text": "Hello from an external echo.", "done": True},
    ),
    "ref_01_echo_audio_chunk": (
        ev.EchoEvent,
        {
            "modality": "audio",
            "sample_rate": 24000,
            "inference_id": "7f1c2b0e-5a7d-4e43-9d3a-0c1c9d8e2f10",
            "done": False,
        },
    ),
    "ref_02_respond": (
        ev.RespondEvent,
        {"text": "User message as if they had just finished speaking."},
    ),
    "ref_03_interrupt": (ev.InterruptEvent, {"conversation_id": "c123456"}),
    "ref_04_overwrite_llm_context": (
        ev.OverwriteContextEvent,
        {"context": "The user is now asking about enterprise pricing."},
    ),
    "ref_05_append_llm_context": (
        ev.AppendContextEvent,
        {"context": "Additional system context for this turn.", "job_status": "completed"},
    ),
    "ref_06_sensitivity": (ev.SensitivityEvent, {}),
    "ref_07_tool_result": (
        ev.ToolResultEvent,
        {
            "tool_call_id": "tc_9f2d",
            "output": "It is 72 degrees and sunny in San Francisco.",
            "status": "success",
        },
    ),
    "ref_08_utterance": (
        ev.Utterance,
        {
            "role": "user",
            "role_raw": "user",
            "speech": "Can you check on my order?",
            "user_audio_analysis": "The user sounded slightly impatient.",
            "inference_id": INFERENCE,
            "seq": 42,
            "turn_idx": 3,
            "timestamp": 1746000000.123,
        },
    ),
    "ref_09_utterance_streaming": (
        ev.UtteranceStreaming,
        {
            "role": "replica",
            "speech": "Sure, your order ships",
            "content_index": 4,
            "final": True,
            "is_interrupted": True,
            "seq": 57,
            "timestamp": 1746000001.402,
        },
    ),
    "ref_10_stopped_speaking": (
        ev.StoppedSpeaking,
        {"role": "replica", "role_raw": "pal", "duration": 3.42, "interrupted": False, "seq": 61},
    ),
    "ref_11_replica_stopped_speaking": (
        ev.ReplicaStoppedSpeaking,
        {
            "role": "replica",
            "duration": 3.14,
            "interrupted": False,
            "inference_id": "550e8400-e29b-41d4-a716-446655440000",
            "seq": 201,
            "turn_idx": 4,
            "timestamp": None,
        },
    ),
    "ref_12_user_started_speaking": (
        ev.UserStartedSpeaking,
        {"role": "user", "inference_id": "1b0c8a52-3a3e-4bd4-9a0c-5f3b3f0d6b21", "seq": 40},
    ),
    "ref_13_tool_call": (
        ev.ToolCall,
        {
            "name": "add_to_cart",
            "arguments": {"item_name": "Bananas", "quantity": 2},
            "arguments_raw": '{"item_name": "Bananas", "quantity": 2}',
            "arguments_error": None,
            "tool_call_id": "tc_9f2d",
            "inference_id": INFERENCE,
            "seq": 44,
        },
    ),
    "ref_14_perception_tool_call_audio": (
        ev.PerceptionToolCall,
        {
            "name": "notify_sarcasm_detected",
            "modality": "audio",
            "arguments": {"reason": 'The user said "well, yeah"'},
            "frames": [],
            "conversation_id": "c58b46f8646d943f",
            "seq": 17,
            "turn_idx": 2,
        },
    ),
    "ref_15_perception_tool_call_vision": (
        ev.PerceptionToolCall,
        {
            "name": "notify_if_id_shown",
            "modality": "vision",
            "arguments": {"id_type": "passport"},
            "arguments_raw": None,
            "frames": [ev.Frame(data="/9j/4AAQSkZJRgABAQ...", mime_type="image/jpeg")],
        },
    ),
    "ref_16_perception_analysis": (
        ev.PerceptionAnalysis,
        {"analysis": "**User's Gaze Toward Screen:** ~75% of the time...", "seq": 412},
    ),
    "ref_17_objective_completed": (
        ev.ObjectiveCompleted,
        {
            "objective_name": "get_contact_info",
            "output_variables": {"first_name": "Ana", "email": "ana@example.com"},
            "turn_idx": 6,
        },
    ),
    "extra_echo_done_string": (ev.EchoEvent, {"done": True, "text": "Hi there"}),
    "extra_echo_no_modality": (ev.EchoEvent, {"modality": "text", "done": False}),
    "extra_echo_cvi_ui_shape": (
        ev.EchoEvent,
        {"modality": "text", "text": "Hello there", "audio": b"", "inference_id": "cvi-ui-1"},
    ),
    "extra_utterance_pal_text_field": (
        ev.Utterance,
        {"role": "replica", "role_raw": "pal", "speech": "Your order ships tomorrow."},
    ),
    "extra_streaming_pal_copy": (ev.UtteranceStreaming, {"role": "replica", "role_raw": "pal"}),
    "extra_streaming_replica_copy": (
        ev.UtteranceStreaming,
        {"role": "replica", "role_raw": "replica"},
    ),
    "extra_started_speaking_pal": (ev.StartedSpeaking, {"role": "replica", "role_raw": "pal"}),
    "extra_replica_stopped_speaking_2025": (
        ev.ReplicaStoppedSpeaking,
        {"inference_id": "550e8400-e29b-41d4-a716-446655440000", "duration": None},
    ),
    "extra_replica_started_speaking": (ev.ReplicaStartedSpeaking, {"role": "replica"}),
    "extra_user_stopped_speaking": (ev.UserStoppedSpeaking, {"role": "user", "seq": 41}),
    "extra_perception_analysis_hyphen": (
        ev.PerceptionAnalysisHyphenated,
        {
            "event_type": "conversation.perception-analysis",
            "analysis": "The user looked at the screen most of the time.",
        },
    ),
    "extra_perception_tool_call_frames_2025": (
        ev.PerceptionToolCall,
        {
            "arguments": {"id_type": "drivers_license"},
            "frames": [
                ev.Frame(data="/9j/4AAQSkZJRgABAQ", mime_type="image/jpeg"),
                ev.Frame(data="/9j/4AAQSkZJRgABAg", mime_type="image/jpeg"),
            ],
        },
    ),
    "extra_tool_call_arguments_object": (
        ev.ToolCall,
        {"name": "set_score", "arguments": {"score": 7}, "arguments_raw": None},
    ),
    "extra_tool_call_bad_arguments": (
        ev.ToolCall,
        {"arguments": {}, "arguments_raw": '{"item_name": "Bananas"', "tool_call_id": "tc_env"},
    ),
    "extra_replica_interrupted": (ev.ReplicaInterrupted, {"inference_id": INFERENCE}),
    "extra_objective_pending": (
        ev.ObjectivePending,
        {"objective_name": "confirm_identity", "output_variables": {"full_name": "Ana Silva"}},
    ),
    "extra_objective_activated_hoisted": (
        ev.ObjectiveActivated,
        {"objective_name": "get_contact_info", "output_variables": None},
    ),
    "extra_guardrail": (
        ev.GuardrailTriggered,
        {
            "event_type": "conversation.guardrail_triggered",
            "guardrail": "no_competitors",
            "guardrail_uuid": "g_12ab",
            "reason": "The user asked about a competitor.",
        },
    ),
    "extra_rag_observability": (
        ev.RagObservability,
        {
            "event_type": "Conversation.rag.observability",
            "properties": {"documents": [{"document_id": "d_1", "document_name": "Pricing"}]},
        },
    ),
    "extra_system_replica_joined": (
        ev.ReplicaJoined,
        {"replica_id": "r79e1c033f", "message_type": "system"},
    ),
    "extra_system_replica_present": (ev.ReplicaPresent, {"message_type": "system"}),
    "extra_system_pal_present": (ev.PalPresent, {"event_type": "system.pal_present"}),
    "extra_system_shutdown": (
        ev.Shutdown,
        # 2026-03-02T21:51:47.194Z as Unix seconds
        {"shutdown_reason": "max_call_duration reached", "timestamp": 1772488307.194},
    ),
    "extra_realtime_api": (
        ev.RealtimeApiEvent,
        {"properties": {"type": "session.update", "session": {"instructions": "Be brief."}}},
    ),
    "extra_objective_confirm": (ev.ObjectiveConfirmEvent, {"objective_name": "confirm_identity"}),
}


def _fixture_text(stem: str) -> str:
    return (FIXTURES / f"{stem}.json").read_text()


def test_every_fixture_file_has_expectations() -> None:
    stems = {p.stem for p in FIXTURES.glob("*.json")}
    assert stems == set(EXPECTED)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference document not available")
def test_reference_fixtures_are_every_json_example_verbatim() -> None:
    blocks = re.findall(r"```json\n(.*?)```", REFERENCE.read_text(), re.S)
    refs = sorted(FIXTURES.glob("ref_*.json"))
    assert len(refs) == len(blocks)
    for path, block in zip(refs, blocks, strict=True):
        assert json.loads(path.read_text()) == json.loads(block), path.name


@pytest.mark.parametrize("stem", sorted(EXPECTED))
@pytest.mark.parametrize("form", ["dict", "str", "bytes"])
def test_fixture_decodes_to_class_and_fields(stem: str, form: str) -> None:
    text = _fixture_text(stem)
    message = json.loads(text)
    obj: object = {"dict": message, "str": text, "bytes": text.encode()}[form]
    cls, fields = EXPECTED[stem]

    event = decode(obj)

    assert type(event) is cls, getattr(event, "reason", event)
    assert event.raw == message
    assert event.event_type == message["event_type"]
    assert event.conversation_id == message.get("conversation_id")
    assert event.message_type == message.get("message_type", "conversation")
    for name, expected in fields.items():
        assert getattr(event, name) == expected, name


def test_every_documented_event_type_has_a_class() -> None:
    inventory = {
        "conversation.echo",
        "conversation.respond",
        "conversation.interrupt",
        "conversation.overwrite_llm_context",
        "conversation.append_llm_context",
        "conversation.sensitivity",
        "conversation.tool_result",
        "conversation.objective.confirm",
        "conversation.realtime_api",
        "conversation.utterance",
        "conversation.utterance.streaming",
        "conversation.started_speaking",
        "conversation.stopped_speaking",
        "conversation.replica.started_speaking",
        "conversation.replica.stopped_speaking",
        "conversation.user.started_speaking",
        "conversation.user.stopped_speaking",
        "conversation.tool_call",
        "conversation.perception_tool_call",
        "conversation.perception_analysis",
        "conversation.perception-analysis",
        "conversation.replica_interrupted",
        "conversation.objective.pending",
        "conversation.objective.activated",
        "conversation.objective.completed",
        "conversation.rag.observability",
        "system.replica_joined",
        "system.replica_present",
        "system.pal_present",
        "system.shutdown",
    }
    assert inventory <= set(EVENT_TYPES)
    assert len(EVENT_CLASSES) == len(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        assert cls.__struct_config__.tag == name
        assert issubclass(cls, Event)


def test_pattern_matching_on_flattened_fields() -> None:
    seen: list[str] = []
    for stem in ("ref_08_utterance", "extra_utterance_pal_text_field", "ref_13_tool_call"):
        match decode(_fixture_text(stem)):
            case ev.Utterance(role="replica") as u:
                seen.append(f"replica:{u.speech}")
            case ev.Utterance(role="user"):
                seen.append("user")
            case ev.ToolCall(name="add_to_cart") as call:
                seen.append(f"tool:{call.arguments['quantity']}")
            case _:
                seen.append("other")
    assert seen == ["user", "replica:Your order ships tomorrow.", "tool:2"]


def test_unknown_event_keeps_everything() -> None:
    message = {
        "message_type": "conversation",
        "event_type": "conversation.brand_new_thing",
        "conversation_id": "c1",
        "seq": 9,
        "turn_idx": 2,
        "timestamp": 12,
        "properties": {"inference_id": "i-9", "x": [1, 2]},
    }
    for obj in (message, json.dumps(message), json.dumps(message).encode()):
        event = decode(obj)
        assert type(event) is UnknownEvent
        assert event.event_type == "conversation.brand_new_thing"
        assert event.properties == {"inference_id": "i-9", "x": [1, 2]}
        assert (event.conversation_id, event.seq, event.turn_idx) == ("c1", 9, 2)
        assert event.timestamp == 12.0
        assert event.inference_id == "i-9"
        assert event.raw == message


@pytest.mark.parametrize(
    ("message", "reason_part"),
    [
        ({"event_type": "conversation.tool_call", "seq": 3}, "properties"),
        ({"event_type": "conversation.tool_call", "properties": {"arguments": "{}"}}, "name"),
        ({"event_type": "conversation.utterance", "properties": {"role": "user"}}, "speech"),
        ({"event_type": "conversation.utterance", "properties": []}, "object"),
        ({"event_type": "conversation.stopped_speaking", "seq": "late"}, "seq"),
        ({"event_type": "conversation.respond", "properties": {"text": 5}}, "text"),
        ({"properties": {"speech": "hi"}}, "missing event_type"),
        ({"event_type": 7}, "event_type is not a string"),
    ],
)
def test_bad_payloads_become_malformed_with_a_reason(
    message: dict[str, Any], reason_part: str
) -> None:
    for obj in (message, json.dumps(message), json.dumps(message).encode()):
        event = decode(obj)
        assert type(event) is MalformedEvent
        assert reason_part in event.reason
        assert event.raw == message
        et = message.get("event_type")
        assert event.event_type == (et if isinstance(et, str) else "")
        assert event.seq == (message["seq"] if isinstance(message.get("seq"), int) else None)


@pytest.mark.parametrize(
    ("obj", "reason_part"),
    [
        (b"\xff\xfe garbage", "not valid JSON"),
        ("not json", "not valid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        ("null", "expected a JSON object"),
        (42, "expected a dict"),
        (None, "expected a dict"),
        ([{"event_type": "conversation.utterance"}], "expected a dict"),
    ],
)
def test_non_objects_become_malformed(obj: object, reason_part: str) -> None:
    event = decode(obj)
    assert type(event) is MalformedEvent
    assert reason_part in event.reason
    assert event.raw == {}


def test_mapping_that_is_not_a_dict_is_accepted() -> None:
    message = OrderedDict(json.loads(_fixture_text("ref_13_tool_call")))
    event = decode(message)
    assert type(event) is ev.ToolCall
    assert event.name == "add_to_cart"


def test_mutable_buffers_are_copied_before_being_kept() -> None:
    text = _fixture_text("ref_13_tool_call")
    buffer = bytearray(text.encode())
    event = decode(buffer)
    view_event = decode(memoryview(text.encode()))
    buffer[:] = b"{}"  # the owner reuses its buffer
    assert type(event) is ev.ToolCall
    assert event.raw == json.loads(text)
    assert view_event == event


def test_numeric_strings_are_coerced_and_string_done_is_a_bool() -> None:
    event = decode(
        {
            "event_type": "conversation.echo",
            "seq": "12",
            "timestamp": "1746000000.5",
            "properties": {"modality": "audio", "audio": "AAA=", "done": "False"},
        }
    )
    assert isinstance(event, ev.EchoEvent)
    assert event.seq == 12
    assert event.timestamp == 1746000000.5
    assert event.done is False
    assert event.audio == b"\x00\x00"


def test_echo_audio_accessor_rejects_bad_base64_with_a_clear_error() -> None:
    event = decode(_fixture_text("ref_01_echo_audio_chunk"))
    assert isinstance(event, ev.EchoEvent)
    with pytest.raises(ValueError, match="not valid base64"):
        _ = event.audio


def test_inference_id_prefers_envelope_over_properties() -> None:
    event = decode(
        {
            "event_type": "conversation.replica.stopped_speaking",
            "inference_id": "outer",
            "properties": {"inference_id": "inner"},
        }
    )
    assert event.inference_id == "outer"


def test_objective_fields_prefer_envelope_when_hoisted() -> None:
    event = decode(
        {
            "event_type": "conversation.objective.completed",
            "objective_name": "hoisted",
            "properties": {"objective_name": "inner", "output_variables": {"a": "NOTFOUND"}},
        }
    )
    assert isinstance(event, ev.ObjectiveCompleted)
    assert event.objective_name == "hoisted"
    assert event.output_variables == {"a": "NOTFOUND"}


@pytest.mark.parametrize(
    ("arguments", "expected", "raw", "error_part"),
    [
        ('{"a": 1}', {"a": 1}, '{"a": 1}', None),
        ({"a": 1}, {"a": 1}, None, None),
        ("", {}, "", None),
        ("[1, 2]", {}, "[1, 2]", "not an object"),
        ("{oops", {}, "{oops", "not valid JSON"),
        (17, {}, None, "not a JSON string or object"),
    ],
)
def test_tool_call_arguments_normalisation(
    arguments: Any, expected: dict[str, Any], raw: str | None, error_part: str | None
) -> None:
    event = decode(
        {
            "event_type": "conversation.tool_call",
            "properties": {"name": "f", "arguments": arguments},
        }
    )
    assert isinstance(event, ev.ToolCall)
    assert event.arguments == expected
    assert event.arguments_raw == raw
    if error_part is None:
        assert event.arguments_error is None
    else:
        assert event.arguments_error is not None
        assert error_part in event.arguments_error


def test_frame_to_bytes() -> None:
    assert ev.Frame(data="AAEC").to_bytes() == b"\x00\x01\x02"
    with pytest.raises(ValueError, match="base64"):
        ev.Frame(data="***").to_bytes()


def test_any_guardrail_name_routes_to_guardrail_class() -> None:
    for name in ("conversation.guardrail", "guardrail.triggered", "conversation.Guardrail.Fired"):
        event = decode({"event_type": name, "properties": {"guardrail": "g", "reason": "r"}})
        assert isinstance(event, ev.GuardrailTriggered)
        assert event.event_type == name
        assert (event.guardrail, event.reason) == ("g", "r")


def test_alias_with_bad_payload_is_malformed() -> None:
    event = decode({"event_type": "CONVERSATION.TOOL_CALL", "properties": {}})
    assert isinstance(event, MalformedEvent)
    assert event.event_type == "CONVERSATION.TOOL_CALL"
    assert "name" in event.reason


def test_raw_of_a_constructed_event_is_its_wire_form() -> None:
    event = ev.Utterance(
        properties=ev.UtteranceProperties(role="replica", speech="hi"), conversation_id="c9"
    )
    assert event.raw == {
        "event_type": "conversation.utterance",
        "message_type": "conversation",
        "conversation_id": "c9",
        "properties": {"role": "replica", "speech": "hi"},
    }
    # The wire form decodes back to an equal event.
    assert decode(ev.encode_event(event)) == event
    guard = decode({"event_type": "x.guardrail", "properties": {"reason": "r"}})
    assert ev.event_to_dict(guard)["event_type"] == "x.guardrail"
    joined = ev.ReplicaJoined(properties=ev.ReplicaJoinedProperties(replica_id="r1"))
    assert ev.event_to_dict(joined) == {
        "message_type": "system",
        "event_type": "system.replica_joined",
        "properties": {"replica_id": "r1"},
    }


def test_is_droppable_classification() -> None:
    def d(message: dict[str, Any]) -> bool:
        return is_droppable(decode(message))

    assert d({"event_type": "system.replica_present"})
    assert d({"event_type": "system.pal_present"})
    assert d({"event_type": "conversation.started_speaking", "properties": {"role": "user"}})
    assert d({"event_type": "conversation.replica.started_speaking"})
    assert d({"event_type": "conversation.user.started_speaking"})
    assert d({"event_type": "conversation.stopped_speaking", "properties": {"role": "pal"}})
    assert d({"event_type": "conversation.user.stopped_speaking"})
    assert d({"event_type": "conversation.utterance.streaming", "properties": {"speech": "a"}})
    # Kept: what a consumer cannot rebuild from a later event.
    assert not d({"event_type": "conversation.utterance.streaming", "properties": {"final": True}})
    assert not d(
        {"event_type": "conversation.replica.stopped_speaking", "properties": {"interrupted": True}}
    )
    assert not d({"event_type": "conversation.tool_call", "properties": {"name": "f"}})
    assert not d({"event_type": "conversation.perception_tool_call", "properties": {"name": "f"}})
    assert not d({"event_type": "conversation.utterance", "properties": {"speech": "x"}})
    assert not d({"event_type": "system.shutdown"})
    assert not d({"event_type": "conversation.new_thing"})
    assert not d({"event_type": "conversation.tool_call"})  # malformed: surfaced, not dropped


def test_normalize_role() -> None:
    assert ev.normalize_role("pal") == "replica"
    assert ev.normalize_role("PAL") == "replica"
    assert ev.normalize_role("replica") == "replica"
    assert ev.normalize_role("user") == "user"
    assert ev.normalize_role("observer") == "observer"
    assert ev.normalize_role(None) is None
