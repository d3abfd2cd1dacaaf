"""Property tests: `decode` never raises, whatever arrives, and the three input forms agree."""

from __future__ import annotations

import json
from typing import Any

from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.interactions.events import (
    EVENT_TYPES,
    Event,
    KnownEvent,
    MalformedEvent,
    UnknownEvent,
    decode,
    event_to_dict,
    is_droppable,
)

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)

# Every field name any event or properties Struct knows, so that random payloads hit the
# typed paths (wrong types, missing required fields) rather than only unknown keys.
_FIELD_NAMES = sorted(
    {
        "role",
        "speech",
        "text",
        "final",
        "content_index",
        "is_interrupted",
        "duration",
        "interrupted",
        "name",
        "arguments",
        "tool_call_id",
        "modality",
        "frames",
        "analysis",
        "objective_name",
        "output_variables",
        "guardrail",
        "reason",
        "replica_id",
        "shutdown_reason",
        "audio",
        "sample_rate",
        "done",
        "context",
        "job_status",
        "output",
        "status",
        "inference_id",
        "participant_pause_sensitivity",
    }
)
_ENVELOPE = ["message_type", "conversation_id", "seq", "turn_idx", "timestamp", "inference_id"]

_plausible_values = (
    _json
    | st.sampled_from(["pal", "replica", "user", "true", "False", "1", "{}", '{"a": 1}', "{x"])
    | st.lists(_text | st.fixed_dictionaries({"data": _text}, optional={"mime_type": _json}))
)

_event_types = (
    st.sampled_from(sorted(EVENT_TYPES))
    | _text
    | st.sampled_from(["conversation.guardrail_x", "CONVERSATION.UTTERANCE", "system.pal_present"])
)

_messages = st.builds(
    lambda et, env, props, props_is_dict: {
        "event_type": et,
        **env,
        **({"properties": props} if props_is_dict else {}),
    },
    _event_types,
    st.dictionaries(st.sampled_from(_ENVELOPE), _plausible_values, max_size=4),
    st.dictionaries(st.sampled_from(_FIELD_NAMES), _plausible_values, max_size=5),
    st.booleans(),
) | st.dictionaries(_text, _json, max_size=4)


def _read_everything(event: Event) -> None:
    """Every public attribute of a decoded event can be read (documented raisers aside)."""
    for name in dir(event):
        if name.startswith("_") or name in {"audio"}:
            continue
        getattr(event, name)
    assert isinstance(event.raw, dict)
    assert isinstance(event.event_type, str)
    is_droppable(event)
    event_to_dict(event)


@property_test()
@given(_json)
def test_property_decode_never_raises_on_any_json_value(value: Any) -> None:
    text = json.dumps(value)
    for obj in (value, text, text.encode()):
        event = decode(obj)
        assert isinstance(event, Event)
        _read_everything(event)
    if not isinstance(value, dict):
        assert isinstance(decode(text), MalformedEvent)


@property_test()
@given(st.binary(max_size=200))
def test_property_decode_never_raises_on_garbage_bytes(data: bytes) -> None:
    event = decode(data)
    assert isinstance(event, Event)
    _read_everything(event)


@property_test()
@given(_text)
def test_property_decode_never_raises_on_any_string(data: str) -> None:
    event = decode(data)
    assert isinstance(event, Event)
    _read_everything(event)


@property_test()
@given(_messages)
def test_property_event_shaped_messages_decode_consistently(message: dict[str, Any]) -> None:
    from_dict = decode(message)
    from_bytes = decode(json.dumps(message).encode())
    from_str = decode(json.dumps(message))
    for event in (from_dict, from_bytes, from_str):
        _read_everything(event)
        et = message.get("event_type")
        if isinstance(event, (KnownEvent, UnknownEvent)):
            assert event.event_type == et
        else:
            assert isinstance(event, MalformedEvent)
            assert event.reason
        if isinstance(et, str) and et in EVENT_TYPES:
            assert type(event) in (EVENT_TYPES[et], MalformedEvent)
    assert type(from_dict) is type(from_bytes) is type(from_str)
    assert from_dict == from_bytes == from_str
    assert from_dict.raw == from_bytes.raw == message
