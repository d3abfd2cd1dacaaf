"""Conversation models: the create request, the conversation, and its verbose events.

A conversation's ``meeting_token`` (present when ``require_auth=True``) is a secret: it is masked
in ``repr`` and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import msgspec

from ._common import Model, RequestModel, Timestamped, parse_timestamp

__all__ = [
    "Conversation",
    "ConversationCreate",
    "ConversationEvent",
    "ConversationProperties",
    "RecordingStorage",
    "TranscriptEntry",
]


class RecordingStorage(RequestModel, kw_only=True, omit_defaults=True):
    """``properties.recording_storage``: where recordings go (``s3``, ``gcs`` or ``azure_blob``)."""

    provider: str
    bucket_name: str | None = None
    bucket_region: str | None = None
    assume_role_arn: str | None = None
    external_id: str | None = None
    project_id: str | None = None
    workload_identity_provider: str | None = None
    service_account_email: str | None = None
    storage_account: str | None = None
    container: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None


class ConversationProperties(RequestModel, kw_only=True, omit_defaults=True):
    """``properties`` of a new conversation (timeouts in seconds).

    Attributes:
        max_call_duration: Hard limit (Tavus default 3600; capped at the plan's maximum).
        participant_left_timeout: Seconds to wait after the last participant leaves.
        participant_absent_timeout: Seconds to wait for anyone to join (default 300).
        enable_recording: Allow recording (it is started from the room).
        enable_closed_captions: Show captions in the room.
        apply_greenscreen: Green background behind the replica.
        language: A full language name (``"spanish"``) or ``"multilingual"`` (deprecated:
            prefer ``languages``).
        languages: The languages the conversation may use.
        recording_storage: Where recordings are copied.
    """

    max_call_duration: int | None = None
    participant_left_timeout: int | None = None
    participant_absent_timeout: int | None = None
    enable_recording: bool | None = None
    enable_closed_captions: bool | None = None
    apply_greenscreen: bool | None = None
    require_auth: bool | None = None
    language: str | None = None
    languages: list[str] | None = None
    recording_storage: RecordingStorage | None = None
    # Deprecated in favour of recording_storage, still accepted by Tavus.
    recording_s3_bucket_name: str | None = None
    recording_s3_bucket_region: str | None = None
    aws_assume_role_arn: str | None = None
    # The LiveKit transport (persona in echo mode with transport_type="livekit").
    livekit_ws_url: str | None = None
    livekit_room_token: str | None = None
    enable_transcription: bool | None = None


class ConversationCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/conversations``.

    Attributes:
        pal_id: The PAL that drives the face (the 2026 name of ``persona_id``; give one).
        face_id: The face; optional when the PAL has a ``default_face_id`` (the 2026 name of
            ``replica_id``).
        replica_id: The replica; optional when the persona has a ``default_replica_id``.
        persona_id: The persona that drives the replica.
        conversation_name: A name for your records.
        callback_url: Where Tavus posts this conversation's webhooks.
        conversational_context: Added to the persona's context for this call.
        custom_greeting: What the replica says when someone joins.
        audio_only: No replica video.
        test_mode: Create without the replica joining (no cost; status ``ended``).
        require_auth: A private room; the response then carries a ``meeting_token``.
        max_participants: At least 2 (the replica counts).
        memory_stores: Memory tags.
        document_ids: Knowledge-base documents.
        document_tags: Knowledge-base tags.
        document_retrieval_strategy: ``speed``, ``balanced`` or ``quality``.
        properties: Timeouts, recording, language...
        participant_tags: One tag naming the participant's memory store.
        meeting_url: A Google Meet, Zoom or Teams meeting the PAL joins instead of a room.
        chat: Text only: no face video; turns go over the room's data channel.
        enable_dynamic_greeting: Let the LLM write the greeting.
        policy: ``eu`` changes the ``auto`` defaults (disclosure, emotion recognition).
    """

    replica_id: str | None = None
    persona_id: str | None = None
    conversation_name: str | None = None
    callback_url: str | None = None
    conversational_context: str | None = None
    custom_greeting: str | None = None
    audio_only: bool | None = None
    test_mode: bool | None = None
    require_auth: bool | None = None
    max_participants: int | None = None
    memory_stores: list[str] | None = None
    document_ids: list[str] | None = None
    document_tags: list[str] | None = None
    document_retrieval_strategy: str | None = None
    properties: ConversationProperties | None = None
    # Names the newer PAL/Face surface and LiveKit use; accepted by Tavus as aliases.
    pal_id: str | None = None
    face_id: str | None = None
    participant_tags: list[str] | None = None
    meeting_url: str | None = None
    chat: bool | None = None
    enable_dynamic_greeting: bool | None = None
    policy: str | None = None

    def __post_init__(self) -> None:
        for new, old in (("pal_id", "persona_id"), ("face_id", "replica_id")):
            mine, theirs = getattr(self, new), getattr(self, old)
            if mine is not None and theirs is not None and mine != theirs:
                raise msgspec.ValidationError(
                    f"{new} and {old} name the same thing and differ ({mine!r} vs {theirs!r}): "
                    f"give one of them"
                )
        if self.meeting_url is not None and not self.meeting_url.startswith("https://"):
            raise msgspec.ValidationError(
                f"meeting_url must be an https:// meeting link, got {self.meeting_url!r}"
            )


class TranscriptEntry(Model, kw_only=True, omit_defaults=True):
    """One turn of the end-of-call transcript.

    Attributes:
        role: ``system``, ``user``, ``assistant`` or ``tool``.
        content: What was said.
        timestamp: Unix seconds (newer payloads) or a string.
        seconds_from_start: Offset from the start of the call.
        duration: Seconds the turn lasted.
        inference_id: The reply's inference id, where available.

    The same class reads a webhook's transcript
    (:attr:`tavus_async.webhooks.TranscriptionReady.transcript`).
    """

    role: str | None = None
    content: str | None = None
    timestamp: float | str | None = None
    seconds_from_start: float | None = None
    duration: float | None = None
    inference_id: str | None = None

    @property
    def occurred_at(self) -> datetime | None:
        """``timestamp`` as an aware UTC datetime, or None when absent or unreadable."""
        return parse_timestamp(self.timestamp)


class ConversationEvent(Model, kw_only=True, omit_defaults=True):
    """One entry of ``events`` in a verbose conversation (the same events webhooks deliver).

    Webhook deliveries of these events are subclasses
    (:class:`tavus_async.webhooks.ConversationWebhook`).

    Attributes:
        event_type: e.g. ``system.replica_joined``, ``system.shutdown``,
            ``application.transcription_ready``, ``application.perception_analysis``.
        timestamp: When it happened (ISO 8601 string, sometimes a number).
        properties: The event's own payload.
    """

    event_type: str | None = None
    timestamp: str | float | None = None
    properties: dict[str, Any] | None = None
    message_type: str | None = None
    conversation_id: str | None = None

    @property
    def occurred_at(self) -> datetime | None:
        """``timestamp`` as an aware UTC datetime, or None when absent or unreadable."""
        return parse_timestamp(self.timestamp)


class Conversation(Timestamped, kw_only=True, omit_defaults=True):
    """A conversation (create, get and list items; ``events`` only with ``verbose=True``).

    Attributes:
        conversation_id: Its id (``c...``).
        conversation_name: Its name.
        status: ``active`` or ``ended`` (kept as an open string).
        conversation_url: The Daily room to join.
        callback_url: Where its webhooks go.
        replica_id: The replica used.
        persona_id: The persona used.
        meeting_token: The room token for private rooms (never shown in repr).
        events: The verbose event list.
        shutdown_reason: Why it ended, when Tavus reports it at the top level.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"meeting_token"})

    conversation_id: str
    conversation_name: str | None = None
    status: str | None = None
    conversation_url: str | None = None
    callback_url: str | None = None
    replica_id: str | None = None
    persona_id: str | None = None
    meeting_token: str | None = None
    events: list[ConversationEvent] | None = None
    shutdown_reason: str | None = None
    audio_only: bool | None = None
    test_mode: bool | None = None

    @property
    def is_active(self) -> bool:
        """Whether Tavus reports the conversation as active."""
        return self.status == "active"

    def _events(self, event_type: str) -> list[ConversationEvent]:
        return [e for e in self.events or [] if e.event_type == event_type]

    @property
    def ended_reason(self) -> str | None:
        """Why the conversation ended: the top-level ``shutdown_reason`` or the shutdown event's."""
        if self.shutdown_reason:
            return self.shutdown_reason
        for event in self._events("system.shutdown"):
            props = event.properties or {}
            for key in ("shutdown_reason", "reason"):
                value = props.get(key)
                if isinstance(value, str) and value:
                    return value
        return None

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """The end-of-call transcript from a verbose response (empty before it is ready)."""
        for event in self._events("application.transcription_ready"):
            raw = (event.properties or {}).get("transcript")
            if isinstance(raw, list):
                return [_transcript_entry(item) for item in raw]
        return []

    @property
    def perception_analysis(self) -> str | None:
        """The end-of-call visual analysis from a verbose response, when there is one."""
        for event in self._events("application.perception_analysis"):
            value = (event.properties or {}).get("analysis")
            if isinstance(value, str):
                return value
        return None


def _transcript_entry(item: Any) -> TranscriptEntry:
    try:
        return msgspec.convert(item, TranscriptEntry, strict=False)
    except msgspec.ValidationError:
        # A malformed turn is kept (as text) rather than dropped, so the transcript stays whole.
        raw = item if isinstance(item, dict) else {"content": item}
        role, content = raw.get("role"), raw.get("content")
        return TranscriptEntry(
            role=None if role is None else str(role),
            content=None if content is None else str(content),
        )
