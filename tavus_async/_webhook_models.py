"""The typed webhook events that :func:`tavus_async.webhooks.parse` returns.

Each class is a msgspec Struct. Instances keep the delivery exactly as received in ``raw`` (held
outside the Struct fields, so it is left out of ``repr`` and equality); the typed fields are a
reading of it. Where Tavus has sent a field in two shapes (``shutdown_reason`` / ``reason``,
legacy ``bucket_name``/``s3_key`` / newer ``storage_uri``), both are kept.

Payload shapes: ``/work/shared/tavus-docs/rest-api-notes.md`` §6 and §7.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from ._logging import redact
from .models import ConversationEvent, TranscriptEntry

__all__ = [
    "CanvasInteraction",
    "ConversationWebhook",
    "DocumentCallback",
    "GuardrailCallback",
    "ObjectiveCallback",
    "PalJoined",
    "PerceptionAnalysisWebhook",
    "PerceptionUnavailable",
    "PostCallActionExecuted",
    "RecordingCopyFailed",
    "RecordingReady",
    "ReplicaJoinedWebhook",
    "ReplicaTrainingCallback",
    "ShutdownReason",
    "ShutdownWebhook",
    "TranscriptionReady",
    "UnknownWebhook",
    "VideoCallback",
    "WebhookEvent",
]


class WebhookEvent(msgspec.Struct, kw_only=True, dict=True):
    """Base of every parsed webhook delivery.

    ``raw`` is the delivery as received (a dict). It may contain the secret token of your
    ``callback_url`` (Tavus echoes it back as ``webhook_url``), so do not log it whole.
    """

    #: The delivery kind: "conversation", "replica", "video", "document", "objective",
    #: "guardrail" or "unknown". Handy for routing without isinstance checks.
    kind: ClassVar[str] = "unknown"
    #: Fields that must read cleanly; a wrong type in any other field drops just that field
    #: (reported in ``issues``) instead of turning the event into :class:`UnknownWebhook`.
    ESSENTIAL: ClassVar[frozenset[str]] = frozenset()

    @property
    def raw(self) -> dict[str, Any]:
        """The delivery exactly as received."""
        value = self.__dict__.get("_raw")
        return value if isinstance(value, dict) else {}

    @property
    def issues(self) -> tuple[str, ...]:
        """Fields left at their default because their value had an unexpected type, with why."""
        value = self.__dict__.get("_issues")
        return value if isinstance(value, tuple) else ()

    def _set_raw(self, raw: dict[str, Any], issues: tuple[str, ...] = ()) -> None:
        self.__dict__["_raw"] = raw
        if issues:
            self.__dict__["_issues"] = issues

    #: Fields left out of ``repr`` (typed events show ``properties`` through their own fields).
    _REPR_SKIP: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        parts = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name in self._REPR_SKIP or value is None or value == {} or value == []:
                continue
            if isinstance(value, list) and len(value) > 3:
                # Transcripts run to hundreds of turns; a repr is for logs.
                parts.append(f"{name}=<{len(value)} items>")
            else:
                parts.append(f"{name}={value!r}")
        if self.issues:
            parts.append(f"issues={list(self.issues)!r}")
        # Webhook URLs carry the receiver's secret token; repr goes to logs and tracebacks.
        return redact(f"{type(self).__name__}({', '.join(parts)})")


# --------------------------------------------------------------------------------------------
# Conversation callbacks: the {message_type, event_type, conversation_id, ...} envelope
# --------------------------------------------------------------------------------------------


class ConversationWebhook(WebhookEvent, ConversationEvent):
    """A conversation callback: the common envelope; event data is under ``properties``.

    A :class:`~tavus_async.models.ConversationEvent` (what ``events`` of a verbose conversation
    hold) delivered as a webhook: same fields, plus ``webhook_url``, ``raw`` and ``issues``.

    ``webhook_url`` is the URL Tavus posted to with any ``token``/``key`` query values replaced by
    ``[REDACTED]`` (``raw["webhook_url"]`` keeps the original). The same classes read the
    ``events`` of ``GET /v2/conversations/{id}?verbose=true``, where only ``event_type``,
    ``timestamp`` and ``properties`` are present.
    """

    kind: ClassVar[str] = "conversation"
    ESSENTIAL: ClassVar[frozenset[str]] = frozenset(
        {"event_type", "conversation_id", "properties", "transcript"}
    )
    _REPR_SKIP: ClassVar[frozenset[str]] = frozenset({"properties"})
    #: The wire event type this class is registered for (subclasses set it).
    EVENT_TYPE: ClassVar[str] = ""
    #: Names of fields that are read from ``properties`` (subclasses extend it).
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ()

    event_type: str = ""
    message_type: str | None = None
    conversation_id: str | None = None
    webhook_url: str | None = None
    timestamp: str | float | None = None
    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class ReplicaJoinedWebhook(ConversationWebhook):
    """``system.replica_joined``: the replica is ready in the room.

    :class:`PalJoined` is a subclass: Tavus sends both names for the same moment, so
    ``isinstance(event, ReplicaJoinedWebhook)`` matches either (expect two deliveries).
    """

    EVENT_TYPE: ClassVar[str] = "system.replica_joined"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("replica_id", "face_id")

    replica_id: str | None = None
    face_id: str | None = None


class PalJoined(ReplicaJoinedWebhook):
    """``system.pal_joined``: the 2026 name of :class:`ReplicaJoinedWebhook` (sent alongside it)."""

    EVENT_TYPE: ClassVar[str] = "system.pal_joined"


class ShutdownReason(str, enum.Enum):
    """The documented ``shutdown_reason`` families (see :attr:`ShutdownWebhook.reason_kind`).

    Tavus sends free-form strings ("participant_left_timeout" and "participant_left_timeout
    reached" both occur), so :attr:`ShutdownWebhook.shutdown_reason` stays a ``str`` and this
    enum is only a lenient classification of it. ``OTHER`` is any reason not listed;
    ``MISSING`` is a shutdown without a reason.
    """

    MAX_CALL_DURATION = "max_call_duration"
    PARTICIPANT_LEFT_TIMEOUT = "participant_left_timeout"
    PARTICIPANT_ABSENT_TIMEOUT = "participant_absent_timeout"
    BOT_COULD_NOT_JOIN = "bot_could_not_join_meeting"
    ROOM_DELETED = "daily_room_has_been_deleted"
    STARTUP_EXCEPTION = "exception_encountered_during_conversation_startup"
    END_ENDPOINT_HIT = "end_conversation_endpoint_hit"
    INTERNAL_ERROR = "internal_error"
    OTHER = "other"
    MISSING = "missing"

    @classmethod
    def classify(cls, reason: str | None) -> ShutdownReason:
        """Map a wire ``shutdown_reason`` onto its family; never raises."""
        if reason is None or not reason.strip():
            return cls.MISSING
        # "internal error occurred at step x" has spaces; the rest are snake_case prefixes.
        text = reason.strip().lower().replace(" ", "_")
        for member in _CLASSIFIABLE:
            if text.startswith(member.value):
                return member
        return cls.OTHER


_CLASSIFIABLE = tuple(
    m for m in ShutdownReason if m not in (ShutdownReason.OTHER, ShutdownReason.MISSING)
)
_ERROR_REASONS = frozenset(
    {
        ShutdownReason.BOT_COULD_NOT_JOIN,
        ShutdownReason.STARTUP_EXCEPTION,
        ShutdownReason.INTERNAL_ERROR,
    }
)


class ShutdownWebhook(ConversationWebhook):
    """``system.shutdown``: the room shut down; ``shutdown_reason`` says why (free-form).

    The 2026 verbose example names the field ``reason``; either spelling fills
    ``shutdown_reason``.
    """

    EVENT_TYPE: ClassVar[str] = "system.shutdown"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("replica_id", "shutdown_reason")

    replica_id: str | None = None
    shutdown_reason: str | None = None

    @property
    def reason_kind(self) -> ShutdownReason:
        """The documented family of ``shutdown_reason`` (``OTHER`` when unlisted)."""
        return ShutdownReason.classify(self.shutdown_reason)

    @property
    def ended_by_max_duration(self) -> bool:
        """The call reached ``max_call_duration``."""
        return self.reason_kind is ShutdownReason.MAX_CALL_DURATION

    @property
    def ended_by_participant_left(self) -> bool:
        """Everyone left and ``participant_left_timeout`` expired."""
        return self.reason_kind is ShutdownReason.PARTICIPANT_LEFT_TIMEOUT

    @property
    def ended_by_participant_absent(self) -> bool:
        """Nobody joined within ``participant_absent_timeout``."""
        return self.reason_kind is ShutdownReason.PARTICIPANT_ABSENT_TIMEOUT

    @property
    def ended_by_api(self) -> bool:
        """Someone called ``POST /v2/conversations/{id}/end``."""
        return self.reason_kind is ShutdownReason.END_ENDPOINT_HIT

    @property
    def is_error(self) -> bool:
        """The conversation ended because something failed on Tavus's side."""
        return self.reason_kind in _ERROR_REASONS


class TranscriptionReady(ConversationWebhook):
    """``application.transcription_ready``: the whole transcript, after the call ended."""

    EVENT_TYPE: ClassVar[str] = "application.transcription_ready"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("replica_id", "transcript")

    replica_id: str | None = None
    transcript: list[TranscriptEntry] = msgspec.field(default_factory=list)

    def turns(self, *, include_system: bool = False) -> list[TranscriptEntry]:
        """The transcript, without ``system`` entries unless asked for."""
        if include_system:
            return list(self.transcript)
        return [t for t in self.transcript if t.role != "system"]


class RecordingReady(ConversationWebhook):
    """``application.recording_ready``: the recording landed in your bucket.

    Two payload generations exist: legacy ``bucket_name`` + ``s3_key`` + ``duration`` (seconds)
    and newer ``storage_provider`` + ``storage_uri``. :attr:`uri` reads either.
    """

    EVENT_TYPE: ClassVar[str] = "application.recording_ready"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = (
        "bucket_name",
        "s3_key",
        "duration",
        "storage_provider",
        "storage_uri",
    )

    bucket_name: str | None = None
    s3_key: str | None = None
    duration: float | None = None
    storage_provider: str | None = None
    storage_uri: str | None = None

    @property
    def uri(self) -> str | None:
        """Where the file is: ``storage_uri``, else ``s3://<bucket_name>/<s3_key>``, else None."""
        if self.storage_uri:
            return self.storage_uri
        if self.bucket_name and self.s3_key:
            return f"s3://{self.bucket_name}/{self.s3_key.lstrip('/')}"
        return None


class RecordingCopyFailed(ConversationWebhook):
    """``application.recording_copy_failed``: copying the recording to your bucket failed.

    The payload is undocumented beyond the name; ``error_message`` is read when present and
    everything else stays in ``properties``.
    """

    EVENT_TYPE: ClassVar[str] = "application.recording_copy_failed"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("error_message",)

    error_message: str | None = None


class PerceptionAnalysisWebhook(ConversationWebhook):
    """``application.perception_analysis``: Raven's end-of-call visual summary (markdown-ish)."""

    EVENT_TYPE: ClassVar[str] = "application.perception_analysis"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("analysis",)

    analysis: str | None = None


class PerceptionUnavailable(ConversationWebhook):
    """``application.perception_unavailable``: perception was on but produced no analysis.

    ``reason`` is one of ``no_vision_history``, ``empty_summary``, ``summary_error`` (as
    documented; kept as a free string).
    """

    EVENT_TYPE: ClassVar[str] = "application.perception_unavailable"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("reason",)

    reason: str | None = None


class PostCallActionExecuted(ConversationWebhook):
    """``application.post_call_action_executed``: one post-call action ran."""

    EVENT_TYPE: ClassVar[str] = "application.post_call_action_executed"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("tool_name", "status", "request", "response")

    tool_name: str | None = None
    status: str | int | None = None
    request: Any = None
    response: Any = None


class CanvasInteraction(ConversationWebhook):
    """``canvas.interaction``: a participant used a Magic Canvas component (an answer, a form,
    a booking). Sent once per interaction, when first recorded; retries never re-send it.

    Tavus has not published the ``properties`` schema (it matches the items of
    ``GET /v2/conversations/{id}/canvas/interactions``), so they are kept as received in
    :attr:`properties`; ``component`` is read when present.
    """

    EVENT_TYPE: ClassVar[str] = "canvas.interaction"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = ("component",)

    component: str | None = None


class ObjectiveCallback(ConversationWebhook):
    """An objective's ``callback_url`` fired (the objective completed). Best effort.

    Tavus has not published this payload. Any delivery whose ``event_type`` mentions
    "objective", or a flat body with ``objectives_id``/``objective_name``, lands here; fields
    are read from ``properties`` first, then from the top level.
    """

    kind: ClassVar[str] = "objective"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = (
        "objective_name",
        "objectives_id",
        "output_variables",
        "status",
    )

    objective_name: str | None = None
    objectives_id: str | None = None
    output_variables: dict[str, Any] | None = None
    status: str | None = None


class GuardrailCallback(ConversationWebhook):
    """A guardrail's ``callback_url`` fired (the guardrail was triggered). Best effort.

    Tavus has not published this payload. Any delivery whose ``event_type`` mentions
    "guardrail", or a flat body with ``guardrails_id``/``guardrail_name``, lands here.
    ``guardrail_name`` also reads ``guardrail`` (the in-room event's spelling).
    """

    kind: ClassVar[str] = "guardrail"
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = (
        "guardrail_name",
        "guardrails_id",
        "guardrail_uuid",
        "reason",
    )

    guardrail_name: str | None = None
    guardrails_id: str | None = None
    guardrail_uuid: str | None = None
    reason: str | None = None


CONVERSATION_EVENT_CLASSES: tuple[type[ConversationWebhook], ...] = (
    ReplicaJoinedWebhook,
    PalJoined,
    ShutdownWebhook,
    TranscriptionReady,
    RecordingReady,
    RecordingCopyFailed,
    PerceptionAnalysisWebhook,
    PerceptionUnavailable,
    PostCallActionExecuted,
    CanvasInteraction,
)


# --------------------------------------------------------------------------------------------
# Flat callbacks: the body is the resource (or a slice of it), no envelope
# --------------------------------------------------------------------------------------------


class _StatusMixin:
    """``succeeded`` / ``failed`` from a ``status`` field."""

    if TYPE_CHECKING:  # msgspec reads runtime annotations; only the Structs declare fields
        status: str | None
    _DONE: ClassVar[frozenset[str]] = frozenset({"ready", "completed"})

    @property
    def succeeded(self) -> bool:
        """The work finished successfully."""
        return (self.status or "").lower() in self._DONE

    @property
    def failed(self) -> bool:
        """The work failed; see the class's error fields for why."""
        return (self.status or "").lower() == "error"


class ReplicaTrainingCallback(_StatusMixin, WebhookEvent):
    """A replica's training finished: ``status`` ``ready`` (GET says ``completed``) or ``error``.

    ``error_message`` is Tavus's human-readable training error (see the "Errors and Status
    Details" page) when ``status`` is ``error``.
    """

    kind: ClassVar[str] = "replica"
    ESSENTIAL: ClassVar[frozenset[str]] = frozenset({"replica_id", "status"})

    replica_id: str
    status: str | None = None
    error_message: str | None = None
    replica_name: str | None = None
    training_progress: str | int | None = None


class VideoCallback(_StatusMixin, WebhookEvent):
    """A video finished generating: the body is the video object itself (``ready``/``error``).

    On failure ``status_details`` holds Tavus's error text and ``download_url`` is null.
    """

    kind: ClassVar[str] = "video"
    ESSENTIAL: ClassVar[frozenset[str]] = frozenset({"video_id", "status"})

    video_id: str
    video_name: str | None = None
    status: str | None = None
    status_details: str | None = None
    error_details: Any = None
    download_url: str | None = None
    hosted_url: str | None = None
    stream_url: str | None = None
    generation_progress: str | int | None = None
    replica_id: str | None = None
    data: dict[str, Any] | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def script(self) -> str | None:
        """The script the video was generated from (``data.script``), when present."""
        script = (self.data or {}).get("script")
        return script if isinstance(script, str) else None


class DocumentCallback(_StatusMixin, WebhookEvent):
    """A knowledge-base document's status changed (``started``/``processing``/``ready``/``error``).

    Tavus documents "periodic callbacks with status updates" but not their payload; this reads
    the Document object's fields, which is what the body most likely is.
    """

    kind: ClassVar[str] = "document"
    ESSENTIAL: ClassVar[frozenset[str]] = frozenset({"document_id", "status"})

    document_id: str
    document_name: str | None = None
    document_url: str | None = None
    status: str | None = None
    progress: int | float | str | None = None
    error_message: str | None = None
    tags: list[str] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class UnknownWebhook(WebhookEvent):
    """A JSON object this SDK does not recognise, or could not read as what it claims to be.

    Nothing is lost: ``raw`` holds the delivery, ``reason`` says why it was not typed. The
    envelope fields are filled when they are present and are strings.
    """

    event_type: str | None = None
    message_type: str | None = None
    conversation_id: str | None = None
    timestamp: str | float | None = None
    properties: dict[str, Any] = msgspec.field(default_factory=dict)
    reason: str = ""
