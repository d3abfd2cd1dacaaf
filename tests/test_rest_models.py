"""The REST models without a server: timestamps, JSON Patch, lenient shapes, request building."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import msgspec
import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.models import (
    Conversation,
    ConversationEvent,
    Layers,
    LLMLayer,
    Patch,
    PatchOp,
    PatchResult,
    Persona,
    PersonaCreate,
    Replica,
    TTSLayer,
    Video,
    parse_progress,
    parse_timestamp,
    pointer,
)
from tavus_async.models._common import build_request
from tavus_async.models.guardrails import to_guardrail_set
from tavus_async.models.objectives import to_objective_set
from tavus_async.models.patch import normalize_patch
from tavus_async.models.personas import unwrap_persona

UTC = timezone.utc

# --- timestamps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-05-16T02:09:22.675928Z", datetime(2025, 5, 16, 2, 9, 22, 675928, UTC)),
        ("2024-01-24T07:14:03.327Z", datetime(2024, 1, 24, 7, 14, 3, 327000, UTC)),
        ("Mon, 14 Jul 2025 09:14:24 GMT", datetime(2025, 7, 14, 9, 14, 24, tzinfo=UTC)),
        ("2024-08-28 15:27:40.824457", datetime(2024, 8, 28, 15, 27, 40, 824457, UTC)),
        ("2026-04-29T12:00:00Z", datetime(2026, 4, 29, 12, tzinfo=UTC)),
        ("2026-04-29T14:00:00+02:00", datetime(2026, 4, 29, 12, tzinfo=UTC)),
        ("2026-04-29T08:30:00-0330", datetime(2026, 4, 29, 12, tzinfo=UTC)),
        ("2025-05-16T02:09:22.6759281234Z", datetime(2025, 5, 16, 2, 9, 22, 675928, UTC)),
        ("2025-05-16", datetime(2025, 5, 16, tzinfo=UTC)),
        (1779475657.5, datetime(2026, 5, 22, 18, 47, 37, 500000, UTC)),
        ("1779475657.5", datetime(2026, 5, 22, 18, 47, 37, 500000, UTC)),
    ],
)
def test_parse_timestamp_formats(raw: str | float, expected: datetime) -> None:
    assert parse_timestamp(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "yesterday", "2025-13-45T99:99:99Z", True])
def test_parse_timestamp_unreadable_is_none(raw: object) -> None:
    assert parse_timestamp(raw) is None


@property_test()
@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_property_parse_timestamp_round_trips_every_tavus_format(when: datetime) -> None:
    assert parse_timestamp(when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == when
    assert parse_timestamp(when.strftime("%Y-%m-%d %H:%M:%S.%f")) == when
    assert parse_timestamp(when.isoformat()) == when
    assert parse_timestamp(format_datetime(when, usegmt=True)) == when.replace(microsecond=0)
    epoch = parse_timestamp(when.timestamp())
    assert epoch is not None
    assert abs(epoch - when) < timedelta(milliseconds=1)


def test_model_timestamp_properties() -> None:
    video = msgspec.json.decode(
        b'{"video_id": "v", "created_at": "Mon, 14 Jul 2025 09:14:24 GMT", "updated_at": "bad"}',
        type=Video,
    )
    assert video.created_at == "Mon, 14 Jul 2025 09:14:24 GMT"
    assert video.created_datetime == datetime(2025, 7, 14, 9, 14, 24, tzinfo=UTC)
    assert video.updated_datetime is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42/100", 0.42), ("100/100", 1.0), (50, 0.5), ("75", 0.75), ("10%", 0.1), (None, None)],
)
def test_parse_progress(raw: object, expected: float | None) -> None:
    assert parse_progress(raw) == expected
    assert Replica(replica_id="r", training_progress="42/100").progress == 0.42


# --- JSON Patch -----------------------------------------------------------------------------


def test_patch_builder_encodes_every_op() -> None:
    patch = (
        Patch()
        .replace("/persona_name", "Guide")
        .add("/layers/llm/tools/-", {"type": "function"})
        .remove("/document_tags")
        .move("/a", "/b")
        .copy("/c", "/d")
        .test("/e", None)
    )
    assert patch.to_list() == [
        {"op": "replace", "path": "/persona_name", "value": "Guide"},
        {"op": "add", "path": "/layers/llm/tools/-", "value": {"type": "function"}},
        {"op": "remove", "path": "/document_tags"},
        {"op": "move", "path": "/b", "from": "/a"},
        {"op": "copy", "path": "/d", "from": "/c"},
        {"op": "test", "path": "/e", "value": None},
    ]
    assert len(patch) == 6


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([{"op": "upsert", "path": "/a", "value": 1}], "unknown op 'upsert'"),
        ([{"op": "replace", "path": "a/b", "value": 1}], "not a JSON Pointer"),
        ([{"op": "replace", "path": "/a~2", "value": 1}], "not a JSON Pointer"),
        ([{"op": "add", "path": "/a"}], "needs a 'value'"),
        ([{"op": "test", "path": "/a"}], "needs a 'value'"),
        ([{"op": "move", "path": "/a"}], "needs a 'from'"),
        ([{"op": "copy", "path": "/a", "from": "b"}], "not a JSON Pointer"),
        ([{"op": "replace", "path": "/a", "vale": 1}], "unknown member"),
        ([{"op": "remove", "path": "/a"}, {"op": "remove"}], "#1"),
        ([PatchOp(op="replace", path="/a")], "needs a 'value'"),
        ([], "empty"),
        (["remove /a"], "expected a dict"),
    ],
)
def test_invalid_patches_are_value_errors(ops: list[object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_patch(ops)  # type: ignore[arg-type]


def test_patch_shape_mistakes() -> None:
    one_op: Any = {"op": "remove", "path": "/a"}
    with pytest.raises(TypeError, match="list of operations"):
        normalize_patch(one_op)
    with pytest.raises(ValueError, match="unknown op"):
        Patch().add("/a", 1)._push(PatchOp(op="merge", path="/a"))


def test_pointer_escapes_segments() -> None:
    assert pointer("layers", "llm", "model") == "/layers/llm/model"
    assert pointer("data", 0, "a/b~c") == "/data/0/a~1b~0c"
    Patch().replace(pointer("data", 0, "a/b"), 1)


def test_patch_diff_uses_jsonpatch() -> None:
    old = {"persona_name": "A", "document_tags": ["x"], "layers": {"llm": {"model": "m1"}}}
    new = {"persona_name": "B", "layers": {"llm": {"model": "m2"}}}
    ops = {(o["op"], o["path"]) for o in Patch.diff(old, new).to_list()}
    assert ops == {
        ("replace", "/persona_name"),
        ("remove", "/document_tags"),
        ("replace", "/layers/llm/model"),
    }


# --- lenient response shapes ----------------------------------------------------------------


def test_persona_unwrap_both_shapes() -> None:
    flat = {"persona_id": "p1", "persona_name": "A", "layers": {"llm": {"model": "m"}}}
    assert unwrap_persona(flat).persona_name == "A"
    assert unwrap_persona({"data": [flat]}).persona_id == "p1"
    assert unwrap_persona({"data": flat}).persona_id == "p1"
    with pytest.raises(msgspec.ValidationError, match="holds 2"):
        unwrap_persona({"data": [flat, flat]})


def test_both_perception_vocabularies_decode() -> None:
    raw = {
        "persona_id": "p",
        "layers": {
            "perception": {
                "perception_model": "raven-1",
                "visual_tools": [{"name": "id_shown", "description": "flat form"}],
                "audio_tools": [{"type": "function", "function": {"name": "escalate"}}],
                "ambient_awareness_queries": ["raven-0 question"],
                "perception_tools": [{"type": "function", "function": {"name": "old"}}],
                "emotion_recognition": "auto",
            },
            "conversational_flow": {"replica_interruptibility": "verylow", "active_listening": 1},
            "future_layer": {"x": 1},
        },
    }
    persona = msgspec.convert(raw, Persona)
    assert persona.layers is not None
    perception = persona.layers.perception
    assert perception is not None
    assert [t.tool_name for t in perception.visual_tools or []] == ["id_shown"]
    assert [t.tool_name for t in perception.audio_tools or []] == ["escalate"]
    assert perception.ambient_awareness_queries == ["raven-0 question"]
    assert persona.layers.conversational_flow is not None
    assert persona.layers.conversational_flow.replica_interruptibility == "verylow"


def test_objectives_shapes_and_next_required() -> None:
    as_dict = to_objective_set(
        {"data": {"objective_name": "a", "next_required_objective": "b", "created_at": "t"}}, "o1"
    )
    assert as_dict.objectives_id == "o1"
    assert as_dict.created_at == "t"
    assert as_dict.objectives[0].next_required == ["b"]
    as_list = to_objective_set(
        {
            "objectives_id": "o2",
            "data": [{"objective_name": "a", "next_required_objectives": ["b", "c"]}],
        }
    )
    assert as_list.objectives[0].next_required == ["b", "c"]
    flat = to_objective_set({"objectives_id": "o3", "objective_name": "a", "objective_prompt": "p"})
    assert flat.objectives[0].objective_prompt == "p"
    created = to_objective_set(
        {"objectives_id": "o4", "objective_name": "set", "status": "active", "created_at": "t"}
    )
    assert created.objectives == []
    assert created.status == "active"


def test_guardrails_shapes_and_spellings() -> None:
    docs = to_guardrail_set({"data": {"guardrails_name": "n", "guardrails_prompt": "p"}}, "g1")
    assert docs.guardrails_id == "g1"
    assert (docs.guardrails[0].guardrail_name, docs.guardrails[0].guardrail_prompt) == ("n", "p")
    flat = to_guardrail_set(
        {"guardrails_id": "g2", "guardrail_name": "n", "guardrail_prompt": "p", "tags": ["t"]}
    )
    assert flat.guardrails[0].tags == ["t"]


def test_unknown_fields_never_break_decoding() -> None:
    conv = msgspec.json.decode(
        b'{"conversation_id": "c1", "status": "ended", "new_field": [1, 2], '
        b'"events": [{"event_type": "x", "timestamp": 1.5, "extra": true}]}',
        type=Conversation,
    )
    assert conv.events == [ConversationEvent(event_type="x", timestamp=1.5)]


def test_conversation_verbose_helpers() -> None:
    conv = Conversation(
        conversation_id="c",
        events=[
            ConversationEvent(event_type="system.shutdown", properties={"reason": "max_call"}),
            ConversationEvent(
                event_type="application.transcription_ready",
                properties={"transcript": [{"role": "user", "content": "hi"}, {"role": 5}]},
            ),
            ConversationEvent(
                event_type="application.perception_analysis", properties={"analysis": "calm"}
            ),
        ],
    )
    assert conv.ended_reason == "max_call"
    # A malformed turn is kept, not dropped.
    assert [(t.role, t.content) for t in conv.transcript] == [("user", "hi"), ("5", None)]
    assert conv.perception_analysis == "calm"
    assert Conversation(conversation_id="c", shutdown_reason="top").ended_reason == "top"


# --- repr of secrets ------------------------------------------------------------------------


def test_reprs_mask_secrets() -> None:
    conv = Conversation(conversation_id="c1", meeting_token="eyJsecret.token.value")
    assert "eyJsecret" not in repr(conv)
    assert "meeting_token='***'" in repr(conv)
    assert ("meeting_token", "***") in conv.__rich_repr__()
    layers = Layers(
        llm=LLMLayer(api_key="sk-abc", headers={"Authorization": "Bearer zzz"}, model="m"),
        tts=TTSLayer(api_key="el-key"),
    )
    text = repr(layers)
    assert "sk-abc" not in text
    assert "zzz" not in text
    assert "el-key" not in text
    assert "model='m'" in text
    # The values themselves are intact for the request body.
    assert layers.to_dict()["llm"]["api_key"] == "sk-abc"


# --- request building -----------------------------------------------------------------------


def test_build_request_merges_and_checks() -> None:
    body = build_request(
        PersonaCreate,
        PersonaCreate(persona_name="a", layers=Layers(llm=LLMLayer(model="m"))),
        {"system_prompt": "s"},
        extra_body={"layers": {"llm": {"future": True}}, "pal_mode": 1},
    )
    assert body == {
        "persona_name": "a",
        "system_prompt": "s",
        "layers": {"llm": {"model": "m", "future": True}},
        "pal_mode": 1,
    }
    with pytest.raises(ValueError, match=r"layers\.perception\.visual_tools\[0\]\.fn"):
        build_request(PersonaCreate, {"layers": {"perception": {"visual_tools": [{"fn": {}}]}}}, {})
    with pytest.raises(TypeError, match="expected a PersonaCreate"):
        build_request(PersonaCreate, "persona", {})  # type: ignore[arg-type]


def test_patch_values_may_be_models_and_results_are_truthy_when_changed() -> None:
    patch = Patch().add("/layers/llm", LLMLayer(model="m", speculative_inference=False))
    assert patch.to_list() == [
        {
            "op": "add",
            "path": "/layers/llm",
            "value": {"model": "m", "speculative_inference": False},
        }
    ]
    assert PatchResult(changed=True, status_code=200)
    assert not PatchResult(changed=False, status_code=304)
