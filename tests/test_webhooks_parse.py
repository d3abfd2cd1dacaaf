"""webhooks.parse: every documented payload to the right class and fields; never a stray error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async import webhooks
from tavus_async.errors import TavusError
from tavus_async.webhooks import (
    DocumentCallback,
    GuardrailCallback,
    ObjectiveCallback,
    PalJoined,
    PerceptionAnalysisWebhook,
    PerceptionUnavailable,
    PostCallActionExecuted,
    RecordingCopyFailed,
    RecordingReady,
    ReplicaJoinedWebhook,
    ReplicaTrainingCallback,
    ShutdownReason,
    ShutdownWebhook,
    TranscriptionReady,
    UnknownWebhook,
    VideoCallback,
    WebhookParseError,
    parse,
)

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"

# fixture name -> (class, fields it must have)
EXPECTED: dict[str, tuple[type[webhooks.WebhookEvent], dict[str, Any]]] = {
    "system_replica_joined": (
        ReplicaJoinedWebhook,
        {"replica_id": "r79e1c033f", "conversation_id": "c123456", "message_type": "system"},
    ),
    "system_pal_joined": (PalJoined, {"face_id": "r79e1c033f", "event_type": "system.pal_joined"}),
    "system_shutdown": (
        ShutdownWebhook,
        {
            "shutdown_reason": "participant_left_timeout",
            "reason_kind": ShutdownReason.PARTICIPANT_LEFT_TIMEOUT,
            "ended_by_participant_left": True,
            "ended_by_max_duration": False,
            "is_error": False,
        },
    ),
    "system_shutdown_max_duration": (
        ShutdownWebhook,
        {"shutdown_reason": "max_call_duration reached", "ended_by_max_duration": True},
    ),
    "verbose_shutdown_2026": (
        ShutdownWebhook,
        {"shutdown_reason": "participant_left_timeout", "conversation_id": None},
    ),
    "verbose_replica_joined_2026": (ReplicaJoinedWebhook, {"replica_id": None, "properties": {}}),
    "transcription_ready_faq": (TranscriptionReady, {"conversation_id": ""}),
    "transcription_ready_minimal": (TranscriptionReady, {"replica_id": "r1"}),
    "verbose_transcription_ready_2026": (TranscriptionReady, {}),
    "recording_ready_legacy": (
        RecordingReady,
        {
            "bucket_name": "my-bucket",
            "s3_key": "tavus/c1/recording.mp4",
            "duration": 14.0,
            "uri": "s3://my-bucket/tavus/c1/recording.mp4",
            "storage_uri": None,
        },
    ),
    "recording_ready_storage_uri": (
        RecordingReady,
        {
            "storage_provider": "s3",
            "uri": "s3://my-bucket/tavus/c1/recording.mp4",
            "bucket_name": None,
        },
    ),
    "recording_copy_failed": (
        RecordingCopyFailed,
        {"error_message": "Access denied writing to bucket my-bucket"},
    ),
    "perception_analysis_faq": (PerceptionAnalysisWebhook, {"message_type": "application"}),
    "perception_analysis_raven": (PerceptionAnalysisWebhook, {}),
    "perception_unavailable": (PerceptionUnavailable, {"reason": "no_vision_history"}),
    "post_call_action_executed": (
        PostCallActionExecuted,
        {"tool_name": "create_ticket", "status": "success"},
    ),
    "replica_training_ready": (
        ReplicaTrainingCallback,
        {"replica_id": "r783537ef5", "status": "ready", "succeeded": True, "failed": False},
    ),
    "replica_training_error": (
        ReplicaTrainingCallback,
        {"status": "error", "failed": True, "succeeded": False},
    ),
    "video_ready": (
        VideoCallback,
        {
            "video_id": "v1a2b3c4",
            "succeeded": True,
            "generation_progress": "100/100",
            "hosted_url": "https://videos.tavus.io/video/v1",
            "script": "Hello from Tavus! Enjoy your new replica",
        },
    ),
    "video_error": (
        VideoCallback,
        {"failed": True, "download_url": None, "generation_progress": "0/100"},
    ),
    "document_processing": (
        DocumentCallback,
        {"document_id": "d8-5c71baca86fc", "status": "processing", "progress": 40},
    ),
    "document_error": (
        DocumentCallback,
        {"failed": True, "error_message": "website_processing_failed"},
    ),
    "objective_completed_guess": (
        ObjectiveCallback,
        {"objective_name": "collect_email", "output_variables": {"email": "a@example.com"}},
    ),
    "guardrail_triggered_guess": (
        GuardrailCallback,
        {"guardrail_name": "no_medical_advice", "reason": "The user asked for a diagnosis."},
    ),
    "unknown_event": (UnknownWebhook, {"event_type": "application.something_new"}),
}


def _load(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def test_every_fixture_has_an_expectation() -> None:
    on_disk = {p.stem for p in FIXTURES.glob("*.json")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_documented_payload_parses_to_its_class(name: str) -> None:
    cls, fields = EXPECTED[name]
    body = _load(name)
    original = json.loads(body)
    for form in (body, body.decode(), original):  # bytes, str and dict all work the same
        event = parse(form)
        assert type(event) is cls, getattr(event, "reason", "")
        for attr, want in fields.items():
            assert getattr(event, attr) == want, attr
        assert event.raw == original
        if isinstance(event, webhooks.ConversationWebhook):
            assert event.event_type == original.get("event_type", event.event_type)
            assert event.properties == original.get("properties", {})


def test_transcript_entries_are_typed() -> None:
    event = parse(_load("transcription_ready_faq"))
    assert isinstance(event, TranscriptionReady)
    assert [t.role for t in event.transcript] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    assert event.transcript[1].content == " Hello, tell me a story. "
    assert [t.role for t in event.turns()] == ["user", "assistant", "user", "assistant"]
    assert len(event.turns(include_system=True)) == 5
    assert event.occurred_at == dt.datetime(2025, 2, 10, 21, 30, 6, 141454, tzinfo=dt.timezone.utc)


def test_2026_transcript_timing_fields() -> None:
    event = parse(_load("verbose_transcription_ready_2026"))
    assert isinstance(event, TranscriptionReady)
    first, second = event.transcript
    assert first.timestamp == pytest.approx(1779475657.84)
    assert first.seconds_from_start == 0.0
    assert first.duration == pytest.approx(2.15)
    assert first.inference_id == "inf_abc123"
    assert second.inference_id is None
    assert first.occurred_at is not None
    assert first.occurred_at.year == 2026


def test_transcript_timestamp_may_be_a_string() -> None:
    event = parse(
        {
            "event_type": "application.transcription_ready",
            "properties": {
                "transcript": [
                    {"role": "user", "content": "hi", "timestamp": "2025-07-11T06:48:37Z"},
                    {"role": "tool", "content": None, "timestamp": 12},
                ]
            },
        }
    )
    assert isinstance(event, TranscriptionReady)
    assert event.transcript[0].timestamp == "2025-07-11T06:48:37Z"
    assert event.transcript[0].occurred_at == dt.datetime(
        2025, 7, 11, 6, 48, 37, tzinfo=dt.timezone.utc
    )
    assert event.transcript[1].role == "tool"
    assert event.transcript[1].timestamp == 12.0


def test_pal_joined_is_a_replica_joined() -> None:
    event = parse(_load("system_pal_joined"))
    assert isinstance(event, ReplicaJoinedWebhook)
    match event:
        case PalJoined(face_id=face):
            assert face == "r79e1c033f"
        case _:
            pytest.fail("PalJoined did not match")


@pytest.mark.parametrize(
    ("reason", "kind", "flag"),
    [
        ("max_call_duration reached", ShutdownReason.MAX_CALL_DURATION, "ended_by_max_duration"),
        ("participant_left_timeout", ShutdownReason.PARTICIPANT_LEFT_TIMEOUT, None),
        ("participant_left_timeout reached", ShutdownReason.PARTICIPANT_LEFT_TIMEOUT, None),
        (
            "participant_absent_timeout reached",
            ShutdownReason.PARTICIPANT_ABSENT_TIMEOUT,
            "ended_by_participant_absent",
        ),
        (
            "bot_could_not_join_meeting_it_was_probably_ended",
            ShutdownReason.BOT_COULD_NOT_JOIN,
            "is_error",
        ),
        ("daily_room_has_been_deleted", ShutdownReason.ROOM_DELETED, None),
        (
            "exception_encountered_during_conversation_startup",
            ShutdownReason.STARTUP_EXCEPTION,
            "is_error",
        ),
        ("end_conversation_endpoint_hit", ShutdownReason.END_ENDPOINT_HIT, "ended_by_api"),
        ("internal error occurred at step 7", ShutdownReason.INTERNAL_ERROR, "is_error"),
        ("Max_Call_Duration Reached", ShutdownReason.MAX_CALL_DURATION, "ended_by_max_duration"),
        ("a reason from the future", ShutdownReason.OTHER, None),
        ("", ShutdownReason.MISSING, None),
    ],
)
def test_shutdown_reason_helpers(reason: str, kind: ShutdownReason, flag: str | None) -> None:
    event = parse({"event_type": "system.shutdown", "properties": {"shutdown_reason": reason}})
    assert isinstance(event, ShutdownWebhook)
    assert event.shutdown_reason == reason  # kept verbatim
    assert event.reason_kind is kind
    flags = ("ended_by_max_duration", "ended_by_participant_absent", "ended_by_api", "is_error")
    for name in flags:
        assert getattr(event, name) is (name == flag), name


def test_shutdown_without_reason() -> None:
    event = parse({"event_type": "system.shutdown", "properties": None})
    assert isinstance(event, ShutdownWebhook)
    assert event.shutdown_reason is None
    assert event.reason_kind is ShutdownReason.MISSING


def test_webhook_url_token_is_redacted_but_raw_is_verbatim() -> None:
    secret = webhooks.generate_secret()
    url = webhooks.callback_url("https://api.example.com/hooks/tavus?tenant=7", secret)
    body = json.loads(_load("system_shutdown"))
    body["webhook_url"] = url
    event = parse(body)
    assert isinstance(event, ShutdownWebhook)
    assert secret not in (event.webhook_url or "")
    assert event.webhook_url is not None
    assert event.webhook_url.startswith("https://api.example.com/hooks/tavus?tenant=7&token=")
    assert secret not in repr(event)
    assert event.raw["webhook_url"] == url


def test_repr_is_short_for_long_transcripts() -> None:
    event = parse(_load("transcription_ready_faq"))
    text = repr(event)
    assert "transcript=<5 items>" in text
    assert "VISUAL_SCENE" not in text


def test_wrong_field_type_gives_unknown_with_reason() -> None:
    event = parse({"event_type": "system.shutdown", "conversation_id": 42, "properties": {}})
    assert isinstance(event, UnknownWebhook)
    assert event.event_type == "system.shutdown"
    assert event.conversation_id is None
    assert "conversation_id" in event.reason
    assert event.raw["conversation_id"] == 42


@pytest.mark.parametrize(
    ("body", "reason_part"),
    [
        ({"hello": "world"}, "no event_type"),
        ({"event_type": 5}, "not a string"),
        ({"event_type": "system.shutdown", "properties": [1, 2]}, "properties is a list"),
        ({"video_id": None, "status": "ready"}, "VideoCallback"),
        ({"event_type": "application.brand_new", "properties": {"a": 1}}, "unrecognised"),
    ],
)
def test_unknown_shapes_never_raise(body: dict[str, Any], reason_part: str) -> None:
    event = parse(body)
    assert isinstance(event, UnknownWebhook)
    assert reason_part in event.reason
    assert event.raw == body


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        (b"", "not valid JSON"),
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[1, 2]", "JSON array"),
        (b'"text"', "JSON str"),
        (b"null", "JSON NoneType"),
        (b'{"a": 1', "not valid JSON"),
    ],
)
def test_non_object_bodies_raise_webhook_parse_error(body: bytes | str, message_part: str) -> None:
    with pytest.raises(WebhookParseError) as info:
        parse(body)
    assert message_part in str(info.value)
    assert isinstance(info.value, TavusError)
    assert isinstance(info.value, ValueError)


def test_wrong_input_type_raises_webhook_parse_error() -> None:
    with pytest.raises(WebhookParseError, match="bytes, str, a mapping or a msgspec Struct"):
        parse(12)  # type: ignore[arg-type]


def test_callback_url_keeps_query_and_replaces_token() -> None:
    secret = "s" * 20
    assert (
        webhooks.callback_url("https://x.example/h", secret)
        == f"https://x.example/h?token={secret}"
    )
    url = webhooks.callback_url("https://x.example/h?a=1&token=old", secret, param="token")
    assert url == f"https://x.example/h?a=1&token={secret}"
    assert webhooks.callback_url("http://127.0.0.1:8080/h", secret, param="k").endswith(
        f"?k={secret}"
    )


@pytest.mark.parametrize("base", ["/relative/path", "ftp://x.example/h", "not a url", ""])
def test_callback_url_rejects_bad_base(base: str) -> None:
    with pytest.raises(ValueError, match="absolute http"):
        webhooks.callback_url(base, "s" * 20)


def test_callback_url_rejects_short_secret_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="at least 16") as info:
        webhooks.callback_url("https://x.example/h", "hunter2")
    assert "hunter2" not in str(info.value)


def test_generate_secret_is_random_and_long() -> None:
    a, b = webhooks.generate_secret(), webhooks.generate_secret()
    assert a != b
    assert len(a) >= 40
    assert webhooks.callback_url("https://x.example/h", a).endswith(a)  # URL-safe, unescaped


# -- property tests ---------------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    [
        "event_type",
        "properties",
        "conversation_id",
        "timestamp",
        "webhook_url",
        "message_type",
        "video_id",
        "document_id",
        "replica_id",
        "status",
        "objective_name",
        "guardrails_id",
        "transcript",
        "shutdown_reason",
        "data",
    ]
)
_event_types = st.sampled_from(
    [*(cls.EVENT_TYPE for cls in webhooks.CONVERSATION_EVENT_CLASSES), "x.objective", "guardrail"]
)
_plausible = st.dictionaries(
    _keys, _json | _event_types | st.dictionaries(_keys, _json, max_size=4), max_size=6
)


@property_test(300)
@given(st.binary(max_size=200))
def test_property_parse_arbitrary_bytes_only_raises_parse_error(data: bytes) -> None:
    try:
        event = parse(data)
    except WebhookParseError:
        return
    assert isinstance(event, webhooks.WebhookEvent)


@property_test(300)
@given(_json)
def test_property_parse_arbitrary_json_only_raises_parse_error(value: Any) -> None:
    body = json.dumps(value).encode()
    if isinstance(value, dict):
        assert isinstance(parse(body), webhooks.WebhookEvent)
    else:
        with pytest.raises(WebhookParseError):
            parse(body)


@property_test(500)
@given(_plausible)
def test_property_parse_plausible_objects_never_raise(value: dict[str, Any]) -> None:
    event = parse(value)
    assert isinstance(event, webhooks.WebhookEvent)
    assert event.raw == value
    repr(event)  # must not raise either
    again = parse(json.dumps(value))
    assert type(again) is type(event)


def test_badly_typed_optional_field_is_dropped_and_reported() -> None:
    body = json.loads(_load("video_ready"))
    body["hosted_url"] = 5
    body["generation_progress"] = 100  # an int instead of "100/100" is fine as is
    event = parse(body)
    assert isinstance(event, VideoCallback)
    assert event.succeeded
    assert event.hosted_url is None
    assert event.generation_progress == 100
    assert len(event.issues) == 1
    assert event.issues[0].startswith("hosted_url ignored")
    assert "issues=" in repr(event)
    assert event.raw["hosted_url"] == 5


def test_badly_typed_essential_field_gives_unknown() -> None:
    body = json.loads(_load("video_ready"))
    body["status"] = 3
    event = parse(body)
    assert isinstance(event, UnknownWebhook)
    assert "status" in event.reason


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        pytest.param(
            b'\xef\xbb\xbf{"video_id": "v1", "status": "ready"}', VideoCallback, id="utf8-bom"
        ),
        pytest.param(
            b'{"event_type": "system.shutdown", "properties": {"shutdown_reason": "\\ud800"}}',
            ShutdownWebhook,
            id="lone-surrogate",
        ),
        pytest.param(
            b'{"event_type": "system.shutdown", "timestamp": 1e400}', ShutdownWebhook, id="1e400"
        ),
    ],
)
def test_valid_json_msgspec_refuses_still_parses(
    body: bytes, cls: type[webhooks.WebhookEvent]
) -> None:
    assert type(parse(body)) is cls


def test_deeply_nested_body_is_a_parse_error() -> None:
    with pytest.raises(WebhookParseError, match="not valid JSON"):
        parse(b"[" * 100_000)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("system_shutdown", "conversation"),
        ("replica_training_ready", "replica"),
        ("video_ready", "video"),
        ("document_processing", "document"),
        ("objective_completed_guess", "objective"),
        ("guardrail_triggered_guess", "guardrail"),
        ("unknown_event", "unknown"),
    ],
)
def test_kind_routes_without_isinstance(name: str, kind: str) -> None:
    assert parse(_load(name)).kind == kind
