"""Outbound messages: exact wire shapes, validation before sending, round-trips."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec
import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.interactions import events as ev
from tavus_async.interactions.messages import (
    DEFAULT_MAX_MESSAGE_BYTES,
    AppendContext,
    Echo,
    EchoAudio,
    Interrupt,
    Message,
    MessageTooLargeError,
    ObjectiveConfirm,
    OverwriteContext,
    RawMessage,
    Respond,
    Sensitivity,
    ToolResult,
    encode,
    to_dict,
)

CID = "c123456"


def _envelope(event_type: str, properties: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message_type": "conversation",
        "event_type": event_type,
        "conversation_id": CID,
    }
    if properties is not None:
        out["properties"] = properties
    return out


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (
            Echo("Hello from an external echo."),
            _envelope(
                "conversation.echo",
                {"modality": "text", "text": "Hello from an external echo.", "done": True},
            ),
        ),
        (
            Echo("part", inference_id="u1", done=False),
            _envelope(
                "conversation.echo",
                {"modality": "text", "text": "part", "inference_id": "u1", "done": False},
            ),
        ),
        (
            EchoAudio(b"\x00\x00\x01\x00", 24000, "u2"),
            _envelope(
                "conversation.echo",
                {
                    "modality": "audio",
                    "audio": "AAABAA==",
                    "sample_rate": 24000,
                    "inference_id": "u2",
                    "done": False,
                },
            ),
        ),
        (
            Respond("User message as if they had just finished speaking."),
            _envelope(
                "conversation.respond",
                {"text": "User message as if they had just finished speaking."},
            ),
        ),
        (Interrupt(), _envelope("conversation.interrupt", None)),
        (
            OverwriteContext("The user is now asking about enterprise pricing."),
            _envelope(
                "conversation.overwrite_llm_context",
                {"context": "The user is now asking about enterprise pricing."},
            ),
        ),
        (
            AppendContext("Additional system context for this turn.", job_status="completed"),
            _envelope(
                "conversation.append_llm_context",
                {"context": "Additional system context for this turn.", "job_status": "completed"},
            ),
        ),
        (
            AppendContext("More."),
            _envelope("conversation.append_llm_context", {"context": "More."}),
        ),
        (
            Sensitivity(pause="high"),
            _envelope("conversation.sensitivity", {"participant_pause_sensitivity": "high"}),
        ),
        (
            Sensitivity(interrupt="low"),
            _envelope("conversation.sensitivity", {"participant_interrupt_sensitivity": "low"}),
        ),
        (
            ToolResult("tc_9f2d", "It is 72 degrees and sunny in San Francisco."),
            _envelope(
                "conversation.tool_result",
                {
                    "tool_call_id": "tc_9f2d",
                    "output": "It is 72 degrees and sunny in San Francisco.",
                    "status": "success",
                },
            ),
        ),
        (
            ToolResult("tc_1", {"temp": 72}, status="error"),
            _envelope(
                "conversation.tool_result",
                {"tool_call_id": "tc_1", "output": {"temp": 72}, "status": "error"},
            ),
        ),
        (
            ObjectiveConfirm("confirm_identity", {"name": "Ana"}),
            _envelope(
                "conversation.objective.confirm",
                {"objective_name": "confirm_identity", "output_variables": {"name": "Ana"}},
            ),
        ),
        (
            RawMessage("conversation.realtime_api", {"type": "session.update"}),
            _envelope("conversation.realtime_api", {"type": "session.update"}),
        ),
        (
            RawMessage("conversation.echo", {"modality": "text", "text": "x"}, extra={"seq": 1}),
            {**_envelope("conversation.echo", {"modality": "text", "text": "x"}), "seq": 1},
        ),
    ],
)
def test_wire_shape(msg: Message, expected: dict[str, Any]) -> None:
    assert to_dict(msg, CID) == expected
    data = encode(msg, CID)
    assert json.loads(data) == expected
    # `done` is a JSON boolean, never a string.
    props = expected.get("properties") or {}
    if "done" in props:
        assert isinstance(json.loads(data)["properties"]["done"], bool)


def test_reference_examples_are_reproduced_exactly() -> None:
    """The outbound examples in the reference, built from message classes, match verbatim."""
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures" / "interactions"
    cases: dict[str, Message] = {
        "ref_00_echo_text": Echo("Hello from an external echo."),
        "ref_02_respond": Respond("User message as if they had just finished speaking."),
        "ref_03_interrupt": Interrupt(),
        "ref_04_overwrite_llm_context": OverwriteContext(
            "The user is now asking about enterprise pricing."
        ),
        "ref_05_append_llm_context": AppendContext(
            "Additional system context for this turn.", job_status="completed"
        ),
        "ref_06_sensitivity": Sensitivity(pause="high"),
        "ref_07_tool_result": ToolResult(
            "tc_9f2d", "It is 72 degrees and sunny in San Francisco.", status="success"
        ),
    }
    for stem, msg in cases.items():
        expected = json.loads((fixtures / f"{stem}.json").read_text())
        assert to_dict(msg, expected["conversation_id"]) == expected, stem


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Echo(""), "text"),
        (lambda: Echo("   "), "text"),
        (lambda: Echo("x", inference_id=""), "inference_id"),
        (lambda: Respond(""), "text"),
        (lambda: OverwriteContext(""), "context"),
        (lambda: AppendContext("\n"), "context"),
        (lambda: AppendContext("x", job_status=""), "job_status"),
        (lambda: Sensitivity(), "pause= or interrupt="),
        (lambda: Sensitivity(pause="low", interrupt="low"), "pause= or interrupt="),
        (lambda: Sensitivity(pause="max"), "pause"),  # type: ignore[arg-type]
        (lambda: Sensitivity(interrupt="auto"), "interrupt"),  # type: ignore[arg-type]
        (lambda: ToolResult(""), "tool_call_id"),
        (lambda: ToolResult("t", status="ok"), "status"),  # type: ignore[arg-type]
        (lambda: ObjectiveConfirm(""), "objective_name"),
        (lambda: RawMessage(""), "event_type"),
        (lambda: RawMessage("conversation.echo", {"text": "hi"}), "modality"),
        (lambda: RawMessage("conversation.echo", {"modality": "speech"}), "modality"),
        (lambda: RawMessage("conversation.echo"), "modality"),
        (lambda: EchoAudio(b""), "audio"),
        (lambda: EchoAudio(b"\x00"), "odd byte count"),
        (lambda: EchoAudio(b"\x00\x00", 44100), "sample_rate 44100"),
        (lambda: to_dict(Echo("x"), ""), "conversation_id"),
    ],
)
def test_validation_errors_name_the_field(build: Any, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        build()


def test_type_errors_for_wrong_types() -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        Echo(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected an interactions message"):
        to_dict({"event_type": "x"}, CID)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        encode(ToolResult("t", object()), CID)


def test_invalid_values_cannot_be_smuggled_past_send() -> None:
    with pytest.raises(ValueError, match="text"):
        msgspec.structs.replace(Echo("ok"), text="")
    bad = Echo("ok")
    msgspec.structs.force_setattr(bad, "text", "")
    with pytest.raises(ValueError, match="text"):
        to_dict(bad, CID)


def test_size_limit() -> None:
    base = len(encode(Respond("x"), CID))
    fits = Respond("x" * (DEFAULT_MAX_MESSAGE_BYTES - base + 1))
    assert len(encode(fits, CID)) == DEFAULT_MAX_MESSAGE_BYTES
    too_big = Respond("x" * (DEFAULT_MAX_MESSAGE_BYTES - base + 2))
    with pytest.raises(MessageTooLargeError) as info:
        encode(too_big, CID)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.size, err.limit, err.event_type) == (4097, 4096, "conversation.respond")
    assert "max_size" in str(err)
    # Configurable, and None lifts it.
    assert len(encode(too_big, CID, max_size=None)) == 4097
    with pytest.raises(MessageTooLargeError, match="100-byte"):
        encode(Respond("y" * 100), CID, max_size=100)
    # Non-ASCII text counts in encoded bytes, not characters.
    with pytest.raises(MessageTooLargeError):
        encode(Respond("é" * 2100), CID)


def test_tool_result_for_call() -> None:
    call = ev.decode(
        {"event_type": "conversation.tool_call", "properties": {"name": "f", "tool_call_id": "t7"}}
    )
    assert isinstance(call, ev.ToolCall)
    assert to_dict(ToolResult.for_call(call, "done"), CID)["properties"]["tool_call_id"] == "t7"
    legacy = ev.decode({"event_type": "conversation.tool_call", "properties": {"name": "g"}})
    assert isinstance(legacy, ev.ToolCall)
    with pytest.raises(ValueError, match="no tool_call_id"):
        ToolResult.for_call(legacy, "x")


# --- round trips: every message decodes back (through events.decode) to the same fields ------

_text = st.text(min_size=1).filter(lambda s: s.strip() != "")
_ids = st.none() | st.text(alphabet="abcdef0123456789-", min_size=1, max_size=40)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@property_test()
@given(text=_text, inference_id=_ids, done=st.booleans())
def test_property_echo_round_trip(text: str, inference_id: str | None, done: bool) -> None:
    msg = Echo(text, inference_id=inference_id, done=done)
    event = ev.decode(encode(msg, CID, max_size=None))
    assert isinstance(event, ev.EchoEvent)
    assert (event.text, event.inference_id, event.done, event.modality) == (
        text,
        inference_id,
        done,
        "text",
    )
    assert event.conversation_id == CID


@property_test()
@given(
    samples=st.binary(min_size=1, max_size=600).map(lambda b: b + b[-1:] if len(b) % 2 else b),
    rate=st.sampled_from([16000, 24000]),
    done=st.booleans(),
)
def test_property_echo_audio_round_trip(samples: bytes, rate: int, done: bool) -> None:
    msg = EchoAudio(samples, rate, "u", done)
    event = ev.decode(encode(msg, CID))
    assert isinstance(event, ev.EchoEvent)
    assert (event.audio, event.sample_rate, event.done, event.modality) == (
        samples,
        rate,
        done,
        "audio",
    )


@property_test()
@given(
    text=_text,
    context=_text,
    job=st.none() | _text,
    which=st.sampled_from(["pause", "interrupt"]),
    level=st.sampled_from(["low", "medium", "high"]),
    tool_call_id=_text,
    output=_json_values,
    status=st.sampled_from(["success", "error"]),
    variables=st.none() | st.dictionaries(st.text(), st.text(), max_size=3),
)
def test_property_other_messages_round_trip(
    text: str,
    context: str,
    job: str | None,
    which: str,
    level: Any,
    tool_call_id: str,
    output: Any,
    status: Any,
    variables: dict[str, str] | None,
) -> None:
    respond = ev.decode(encode(Respond(text), CID, max_size=None))
    assert isinstance(respond, ev.RespondEvent)
    assert respond.text == text

    over = ev.decode(encode(OverwriteContext(context), CID, max_size=None))
    assert isinstance(over, ev.OverwriteContextEvent)
    assert over.context == context

    append = ev.decode(encode(AppendContext(context, job_status=job), CID, max_size=None))
    assert isinstance(append, ev.AppendContextEvent)
    assert (append.context, append.job_status) == (context, job)

    sens_msg = Sensitivity(pause=level) if which == "pause" else Sensitivity(interrupt=level)
    sens = ev.decode(encode(sens_msg, CID))
    assert isinstance(sens, ev.SensitivityEvent)
    assert sens.raw["properties"] == {f"participant_{which}_sensitivity": level}

    result = ev.decode(encode(ToolResult(tool_call_id, output, status=status), CID, max_size=None))
    assert isinstance(result, ev.ToolResultEvent)
    assert (result.tool_call_id, result.output, result.status) == (tool_call_id, output, status)

    confirm = ev.decode(encode(ObjectiveConfirm(text, variables), CID, max_size=None))
    assert isinstance(confirm, ev.ObjectiveConfirmEvent)
    assert (confirm.objective_name, confirm.output_variables) == (text, variables)

    interrupt = ev.decode(encode(Interrupt(), CID))
    assert isinstance(interrupt, ev.InterruptEvent)
    assert interrupt.conversation_id == CID


@property_test()
@given(
    event_type=st.text(min_size=1).filter(lambda s: s.strip() and s != "conversation.echo"),
    props=st.none() | st.dictionaries(st.text(), _json_values, max_size=4),
)
def test_property_raw_message_round_trip(event_type: str, props: dict[str, Any] | None) -> None:
    data = encode(RawMessage(event_type, props), CID, max_size=None)
    assert json.loads(data) == _envelope(event_type, props)
