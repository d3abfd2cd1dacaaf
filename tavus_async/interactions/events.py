"""Inbound Interactions Protocol events: typed, tolerant, fast decoding.

Every app-message a Tavus room broadcasts becomes one instance of a subclass of `Event`:

    from tavus_async.interactions.events import decode, Utterance, ToolCall

    event = decode(message)            # dict (daily-python), str or bytes (a socket); never raises
    match event:
        case Utterance(role="replica"):
            print(event.speech)
        case ToolCall(name="get_weather"):
            city = event.arguments.get("city")

What every event carries (the envelope, see the reference's section 0):

- `event_type` (the wire name), `message_type`, `conversation_id`, `seq`, `turn_idx`,
  `timestamp` (float Unix seconds), `inference_id` (from the envelope, or from `properties` where
  older payloads put it), `properties` (a typed Struct per event) and `raw` (the original message
  as a dict).
- Fields are flattened for reading: `event.speech`, `event.role`, `event.name`, `event.arguments`
  and so on are properties that read `event.properties`.

How decoding stays total: an unknown `event_type` gives `UnknownEvent`; a known one whose payload
does not fit gives `MalformedEvent` with a `reason`; something that is not a JSON object at all
also gives `MalformedEvent`. Nothing a room sends can make `decode` raise.

What is normalised (Tavus sends several of these in two shapes):

- `role`: `"pal"` and `"replica"` both read as `"replica"`; `role_raw` keeps the wire value.
- `done`: a JSON boolean or the strings `"true"`/`"false"` (any case).
- `arguments`: a JSON string or an object; `event.arguments` is always a dict,
  `event.arguments_raw` the wire string, and bad JSON is kept raw (`arguments_error` says why).
- perception `frames`: base64 strings or `{data, mime_type}` objects; `event.frames` is a list of
  `Frame`.
- objective fields: read from `properties` or from the envelope, where Tavus sometimes hoists them.
- the `event_type` spelling: `conversation.perception-analysis` (hyphen), other capitalisations,
  and any unregistered name containing `"guardrail"` map onto the matching class.

Speed: each class is a msgspec Struct; bytes and str go through one cached
`msgspec.json.Decoder` over the tagged union of all classes, dicts through `msgspec.convert` into
the class looked up in `EVENT_TYPES`. The slow path runs only when that fails.

The classes for the messages a client sends (`EchoEvent`, `RespondEvent`, ...) are here too, so the
simulator and listeners can read what other participants send with the same `decode`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Union

import msgspec

from ..errors import InvalidInputError

__all__ = [
    "DROPPABLE_NOTE",
    "EVENT_CLASSES",
    "EVENT_TYPES",
    "AppendContextEvent",
    "EchoEvent",
    "Event",
    "Frame",
    "GuardrailTriggered",
    "InterruptEvent",
    "KnownEvent",
    "MalformedEvent",
    "ObjectiveActivated",
    "ObjectiveCompleted",
    "ObjectiveConfirmEvent",
    "ObjectiveEvent",
    "ObjectivePending",
    "OverwriteContextEvent",
    "PalPresent",
    "PerceptionAnalysis",
    "PerceptionAnalysisHyphenated",
    "PerceptionToolCall",
    "RagObservability",
    "RealtimeApiEvent",
    "ReplicaInterrupted",
    "ReplicaJoined",
    "ReplicaPresent",
    "ReplicaStartedSpeaking",
    "ReplicaStoppedSpeaking",
    "RespondEvent",
    "SensitivityEvent",
    "Shutdown",
    "StartedSpeaking",
    "StoppedSpeaking",
    "ToolCall",
    "ToolResultEvent",
    "UnknownEvent",
    "UserStartedSpeaking",
    "UserStoppedSpeaking",
    "Utterance",
    "UtteranceStreaming",
    "decode",
    "encode_event",
    "event_to_dict",
    "is_droppable",
    "normalize_role",
]

# Tavus renamed the persona "PAL"; PAL turns carry role "pal" and a legacy "replica" copy.
_ROLE_ALIASES: Final[dict[str, str]] = {"pal": "replica", "replica": "replica", "user": "user"}


def normalize_role(role: str | None) -> str | None:
    """Map a wire role onto `"replica"` or `"user"`; `"pal"` reads as `"replica"`.

    Unknown roles pass through unchanged (lower-cased) so that nothing is hidden.
    """
    if role is None:
        return None
    return _ROLE_ALIASES.get(role) or _ROLE_ALIASES.get(role.lower(), role.lower())


# --------------------------------------------------------------------------------------------
# Properties (the `properties` object of each event)
# --------------------------------------------------------------------------------------------


class Properties(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """Base of every `properties` Struct; older payloads put `inference_id` here.

    Untracked by the garbage collector, like :class:`Event`: decoded JSON holds no cycles.
    """

    inference_id: str | None = None


class Frame(msgspec.Struct, omit_defaults=True, gc=False):
    """One perception frame: base64 image data and its MIME type."""

    data: str
    mime_type: str = "image/jpeg"

    def to_bytes(self) -> bytes:
        """Decode the base64 `data`.

        Raises:
            ValueError: the data is not valid base64.
        """
        try:
            return base64.b64decode(self.data, validate=True)
        except binascii.Error as exc:
            raise InvalidInputError(f"frame data is not valid base64: {exc}") from None


class UtteranceProperties(Properties):
    """`conversation.utterance` properties (`speech`, with `text` as a third-party fallback)."""

    role: str | None = None
    speech: str | None = None
    text: str | None = None
    visual_context: str | None = None
    user_audio_analysis: str | None = None
    user_visual_analysis: str | None = None

    def __post_init__(self) -> None:
        if self.speech is None and self.text is None:
            raise InvalidInputError("utterance has neither properties.speech nor properties.text")


class StreamingProperties(Properties):
    """`conversation.utterance.streaming` properties: accumulated text and end-of-turn flags."""

    role: str | None = None
    speech: str = ""
    content_index: int | None = None
    final: bool = False
    is_interrupted: bool = False


class SpeakingProperties(Properties):
    """Properties of every started/stopped speaking event (`duration`, `interrupted` on stop)."""

    role: str | None = None
    duration: float | None = None
    interrupted: bool = False


class ToolCallProperties(Properties):
    """`conversation.tool_call` properties; `arguments` is a JSON string or an object."""

    name: str
    arguments: Any = None
    tool_call_id: str | None = None


class PerceptionToolCallProperties(ToolCallProperties):
    """`conversation.perception_tool_call` properties: modality and optional vision frames."""

    modality: str | None = None
    frames: list[str | Frame] | None = None


class PerceptionAnalysisProperties(Properties):
    """`conversation.perception_analysis` properties: Raven's end-of-call summary."""

    analysis: str = ""


class ObjectiveProperties(Properties):
    """Objective event properties (payload known only from third-party code)."""

    objective_name: str | None = None
    output_variables: dict[str, Any] | None = None


class GuardrailProperties(Properties):
    """Guardrail app-message properties (documented: `guardrail`, `guardrail_uuid`, `reason`)."""

    guardrail: str | None = None
    guardrail_uuid: str | None = None
    reason: str | None = None


class ReplicaJoinedProperties(Properties):
    """`system.replica_joined` properties (the webhook form has `replica_id`)."""

    replica_id: str | None = None


class ShutdownProperties(Properties):
    """`system.shutdown` properties."""

    shutdown_reason: str | None = None


class EchoProperties(Properties):
    """`conversation.echo` properties as a receiver sees them; `done` may be a string."""

    modality: str | None = None
    text: str | None = None
    audio: str | None = None
    sample_rate: int | None = None
    done: bool | None = None


class TextProperties(Properties):
    """`conversation.respond` properties."""

    text: str


class ContextProperties(Properties):
    """Overwrite/append context properties (`job_status` only on append)."""

    context: str
    job_status: str | None = None


class SensitivityProperties(Properties):
    """`conversation.sensitivity` properties; the current docs send exactly one key."""

    participant_pause_sensitivity: str | None = None
    participant_interrupt_sensitivity: str | None = None


class ToolResultProperties(Properties):
    """`conversation.tool_result` properties."""

    tool_call_id: str
    output: Any = None
    status: str | None = None


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


def _iso_to_epoch(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        # Python 3.10's fromisoformat does not accept the "Z" suffix webhooks use.
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed.timestamp()


class _EventCache:
    """Per-instance slots of an :class:`Event` that are not wire fields.

    They hold the original message (``_src`` undecoded bytes/str, or ``_raw`` the dict), the
    wire spelling of an aliased ``event_type`` and parsed tool-call arguments; being slots, not
    Struct fields, they stay out of ``repr``, equality and encoding.
    """

    __slots__ = ("_parsed_args", "_raw", "_src", "_wire_type")

    if TYPE_CHECKING:
        _parsed_args: tuple[dict[str, Any], str | None, str | None]
        _raw: Any  # the message dict as received (a Mapping the caller gave)
        _src: Any  # the bytes or str as received
        _wire_type: str


class Event(_EventCache, msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """Base of every decoded event: the envelope fields shared by all.

    Events are not tracked by the cyclic garbage collector (``gc=False``): they hold only decoded
    JSON data (strings, numbers, lists, dicts and other untracked Structs), which cannot refer
    back to the event, so reference counting frees them. A bot holding thousands of rooms would
    otherwise have every event in flight walked by each collection (issue 17).
    """

    message_type: str = "conversation"
    conversation_id: str | None = None
    seq: int | None = None
    turn_idx: int | None = None
    timestamp: float | str | None = None
    """Float Unix seconds; numeric or ISO-8601 strings are converted, anything else kept as is."""
    inference_id: str | None = None

    @property
    def event_type(self) -> str:
        """The wire `event_type` of this event."""
        return str(getattr(self, "_wire_type", None) or self.__struct_config__.tag)

    @property
    def raw(self) -> dict[str, Any]:
        """The original message as a dict (decoded lazily when the input was bytes or str)."""
        raw: dict[str, Any] | None = getattr(self, "_raw", None)
        if raw is None:
            source = getattr(self, "_src", None)
            if source is not None:
                del self._src
                try:
                    decoded = msgspec.json.decode(source)
                except (msgspec.DecodeError, UnicodeDecodeError):  # pragma: no cover - decoded once
                    decoded = None
                raw = decoded if isinstance(decoded, dict) else {}
            else:
                raw = event_to_dict(self)
            self._raw = raw
        return raw


class KnownEvent(Event, tag_field="event_type"):
    """Base of the registered event classes (tagged by `event_type` for msgspec)."""

    def __post_init__(self) -> None:
        if self.inference_id is None:
            props = getattr(self, "properties", None)
            if isinstance(props, Properties):
                self.inference_id = props.inference_id
            elif isinstance(props, dict):
                inner = props.get("inference_id")
                if isinstance(inner, str):
                    self.inference_id = inner
        if type(self.timestamp) is str:
            self.timestamp = _iso_to_epoch(self.timestamp)


class _RoleMixin:
    """Flattened `role` / `role_raw` for events whose properties carry a role."""

    __slots__ = ()  # an untracked Struct may only inherit from slots classes

    if TYPE_CHECKING:  # msgspec reads runtime annotations; only the Struct may declare fields
        properties: Any

    @property
    def role(self) -> str | None:
        """`"replica"` or `"user"`; a PAL's `"pal"` reads as `"replica"`."""
        return normalize_role(self.properties.role)

    @property
    def role_raw(self) -> str | None:
        """The role exactly as sent (`"pal"`, `"replica"`, `"user"`)."""
        return self.properties.role  # type: ignore[no-any-return]


class Utterance(_RoleMixin, KnownEvent, tag="conversation.utterance"):
    """A full user transcript, or the replica's full intended LLM reply."""

    properties: UtteranceProperties

    @property
    def speech(self) -> str:
        """The utterance text (`properties.speech`, falling back to `properties.text`)."""
        p = self.properties
        return p.speech if p.speech is not None else (p.text or "")

    @property
    def visual_context(self) -> str | None:
        """Legacy raven-0 frame description."""
        return self.properties.visual_context

    @property
    def user_audio_analysis(self) -> str | None:
        """Raven-1 tone analysis (user turns only)."""
        return self.properties.user_audio_analysis

    @property
    def user_visual_analysis(self) -> str | None:
        """Raven-1 appearance analysis (user turns only)."""
        return self.properties.user_visual_analysis


class UtteranceStreaming(_RoleMixin, KnownEvent, tag="conversation.utterance.streaming"):
    """Accumulated text actually spoken so far; `final` on the last message of a turn."""

    properties: StreamingProperties = msgspec.field(default_factory=StreamingProperties)

    @property
    def speech(self) -> str:
        """Accumulated text so far; on the final message exactly the words spoken."""
        return self.properties.speech

    @property
    def content_index(self) -> int | None:
        """0-based order of this chunk within its inference."""
        return self.properties.content_index

    @property
    def final(self) -> bool:
        """True on the last message of the turn."""
        return self.properties.final

    @property
    def is_interrupted(self) -> bool:
        """True on the final message when the user cut the speaker off."""
        return self.properties.is_interrupted


class _SpeakingEvent(KnownEvent):
    properties: SpeakingProperties = msgspec.field(default_factory=SpeakingProperties)

    @property
    def duration(self) -> float | None:
        """Seconds spoken (stopped events only); None when unknown."""
        return self.properties.duration

    @property
    def interrupted(self) -> bool:
        """True if the speaker was cut off (stopped events only)."""
        return self.properties.interrupted


class StartedSpeaking(_RoleMixin, _SpeakingEvent, tag="conversation.started_speaking"):
    """Someone started speaking (the unified form; `role` says who)."""


class StoppedSpeaking(_RoleMixin, _SpeakingEvent, tag="conversation.stopped_speaking"):
    """Someone stopped speaking (the unified form), with `duration` and `interrupted`."""


class _FixedRoleSpeaking(_SpeakingEvent):
    _ROLE: ClassVar[str] = ""

    @property
    def role(self) -> str:
        """The role implied by the event name."""
        return self._ROLE

    @property
    def role_raw(self) -> str | None:
        """The role exactly as sent, if the payload named one."""
        return self.properties.role


class ReplicaStartedSpeaking(_FixedRoleSpeaking, tag="conversation.replica.started_speaking"):
    """Replica audio started (the per-role form)."""

    _ROLE: ClassVar[str] = "replica"


class ReplicaStoppedSpeaking(_FixedRoleSpeaking, tag="conversation.replica.stopped_speaking"):
    """Replica audio stopped (the per-role form), with `duration` and `interrupted`."""

    _ROLE: ClassVar[str] = "replica"


class UserStartedSpeaking(_FixedRoleSpeaking, tag="conversation.user.started_speaking"):
    """User speech started. Its `inference_id` churns under speculative inference."""

    _ROLE: ClassVar[str] = "user"


class UserStoppedSpeaking(_FixedRoleSpeaking, tag="conversation.user.stopped_speaking"):
    """User speech stopped."""

    _ROLE: ClassVar[str] = "user"


def _parse_arguments(value: Any) -> tuple[dict[str, Any], str | None, str | None]:
    """Return (arguments dict, raw string or None, error or None) for a wire `arguments`."""
    if value is None:
        return {}, None, None
    if isinstance(value, dict):
        return value, None, None
    if isinstance(value, str):
        if not value.strip():
            return {}, value, None
        try:
            parsed = msgspec.json.decode(value)
        except msgspec.DecodeError as exc:
            return {}, value, f"arguments is not valid JSON: {exc}"
        if isinstance(parsed, dict):
            return parsed, value, None
        return {}, value, f"arguments is JSON {type(parsed).__name__}, not an object"
    return {}, None, f"arguments is a {type(value).__name__}, not a JSON string or object"


class ToolCall(KnownEvent, tag="conversation.tool_call"):
    """The LLM wants your client to run a function; answer with a `ToolResult` message."""

    properties: ToolCallProperties
    tool_call_id: str | None = None
    """Where Tavus puts it is undocumented: read from the envelope or from `properties`."""

    def __post_init__(self) -> None:
        KnownEvent.__post_init__(self)
        if self.tool_call_id is None:
            self.tool_call_id = self.properties.tool_call_id

    @property
    def name(self) -> str:
        """The function name."""
        return self.properties.name

    def _args(self) -> tuple[dict[str, Any], str | None, str | None]:
        cached: tuple[dict[str, Any], str | None, str | None] | None = getattr(
            self, "_parsed_args", None
        )
        if cached is None:
            cached = self._parsed_args = _parse_arguments(self.properties.arguments)
        return cached

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments as a dict (empty when absent or unparseable; see `arguments_error`)."""
        return self._args()[0]

    @property
    def arguments_raw(self) -> str | None:
        """The wire string when arguments came as a JSON string, else None."""
        return self._args()[1]

    @property
    def arguments_error(self) -> str | None:
        """Why `arguments` could not be read as an object, or None."""
        return self._args()[2]


class PerceptionToolCall(ToolCall, tag="conversation.perception_tool_call"):
    """Raven fired a visual or audio perception tool.

    It is a `ToolCall` too (same `name`, `arguments`, `tool_call_id`), so `case ToolCall()`
    matches both; match `PerceptionToolCall()` first to tell them apart.
    """

    properties: PerceptionToolCallProperties

    @property
    def modality(self) -> str | None:
        """`"vision"` or `"audio"`."""
        return self.properties.modality

    @property
    def frames(self) -> list[Frame]:
        """Vision frames, whichever of the two wire shapes they came in."""
        frames = self.properties.frames
        if not frames:
            return []
        return [f if isinstance(f, Frame) else Frame(data=f) for f in frames]


class PerceptionAnalysis(KnownEvent, tag="conversation.perception_analysis"):
    """End-of-call visual summary (the webhook `application.perception_analysis` is surer)."""

    properties: PerceptionAnalysisProperties = msgspec.field(
        default_factory=PerceptionAnalysisProperties
    )

    @property
    def analysis(self) -> str:
        """Raven's markdown-ish summary."""
        return self.properties.analysis


class PerceptionAnalysisHyphenated(PerceptionAnalysis, tag="conversation.perception-analysis"):
    """The hyphenated spelling one third-party source reports; read it like the other."""


class ReplicaInterrupted(KnownEvent, tag="conversation.replica_interrupted"):
    """Removed in 2026 in favour of stopped-speaking with `interrupted`; still parsed."""

    properties: Properties = msgspec.field(default_factory=Properties)


class ObjectiveEvent(KnownEvent):
    """Base of the objective events; fields are read from `properties` or the envelope."""

    properties: ObjectiveProperties = msgspec.field(default_factory=ObjectiveProperties)
    objective_name: str | None = None
    output_variables: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        KnownEvent.__post_init__(self)
        p = self.properties
        if self.objective_name is None:
            self.objective_name = p.objective_name
        if self.output_variables is None:
            self.output_variables = p.output_variables


class ObjectivePending(ObjectiveEvent, tag="conversation.objective.pending"):
    """A manual-confirmation objective waits for an `ObjectiveConfirm` message."""


class ObjectiveActivated(ObjectiveEvent, tag="conversation.objective.activated"):
    """An objective began."""


class ObjectiveCompleted(ObjectiveEvent, tag="conversation.objective.completed"):
    """An objective completed; values in `output_variables` may be the string `"NOTFOUND"`."""


class GuardrailTriggered(KnownEvent, tag="conversation.guardrail.triggered"):
    """A guardrail fired.

    Tavus does not document this event's name; any `event_type` containing `"guardrail"` decodes
    to this class and `event_type` reports the name actually sent.
    """

    properties: GuardrailProperties = msgspec.field(default_factory=GuardrailProperties)

    @property
    def guardrail(self) -> str | None:
        """The guardrail's name."""
        return self.properties.guardrail

    @property
    def guardrail_uuid(self) -> str | None:
        """The guardrail's id."""
        return self.properties.guardrail_uuid

    @property
    def reason(self) -> str | None:
        """Why it fired."""
        return self.properties.reason


class RagObservability(KnownEvent, tag="conversation.rag.observability"):
    """Which knowledge-base documents the LLM used; the payload is undocumented, so kept raw."""

    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class ReplicaJoined(KnownEvent, tag="system.replica_joined"):
    """The replica is ready in the room."""

    message_type: str = "system"
    properties: ReplicaJoinedProperties = msgspec.field(default_factory=ReplicaJoinedProperties)

    @property
    def replica_id(self) -> str | None:
        """The replica's id, when sent."""
        return self.properties.replica_id


class ReplicaPresent(KnownEvent, tag="system.replica_present"):
    """A heartbeat, about once per second. Don't log at info level."""

    message_type: str = "system"
    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class PalPresent(ReplicaPresent, tag="system.pal_present"):
    """The PAL-named heartbeat; a `ReplicaPresent` under its newer name."""


class Shutdown(KnownEvent, tag="system.shutdown"):
    """The room shut down."""

    message_type: str = "system"
    properties: ShutdownProperties = msgspec.field(default_factory=ShutdownProperties)

    @property
    def shutdown_reason(self) -> str | None:
        """Why, e.g. `"max_call_duration reached"`."""
        return self.properties.shutdown_reason


# Messages a client sends; decoded here for the simulator and for listeners.


class EchoEvent(KnownEvent, tag="conversation.echo"):
    """A `conversation.echo` someone sent (text or base64 PCM16 audio)."""

    properties: EchoProperties = msgspec.field(default_factory=EchoProperties)

    @property
    def modality(self) -> str | None:
        """`"text"` or `"audio"`; inferred from the payload when the sender omitted it."""
        p = self.properties
        if p.modality is not None:
            return p.modality
        if p.audio:
            return "audio"
        if p.text is not None:
            return "text"
        return None

    @property
    def text(self) -> str | None:
        """The text to speak (text modality)."""
        return self.properties.text

    @property
    def audio(self) -> bytes:
        """The PCM16 audio (audio modality), base64-decoded.

        Raises:
            ValueError: the audio field is not valid base64.
        """
        data = self.properties.audio
        if not data:
            return b""
        try:
            return base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise InvalidInputError(f"echo audio is not valid base64: {exc}") from None

    @property
    def sample_rate(self) -> int:
        """The audio sample rate; Tavus defaults to 16000 when it is omitted."""
        return self.properties.sample_rate or 16000

    @property
    def done(self) -> bool:
        """True on the last message of an utterance (strings `"true"` are accepted)."""
        return self.properties.done is True


class RespondEvent(KnownEvent, tag="conversation.respond"):
    """A `conversation.respond` (text answered as if the user said it)."""

    properties: TextProperties

    @property
    def text(self) -> str:
        """The injected user text."""
        return self.properties.text


class InterruptEvent(KnownEvent, tag="conversation.interrupt"):
    """A `conversation.interrupt`."""

    properties: Properties = msgspec.field(default_factory=Properties)


class OverwriteContextEvent(KnownEvent, tag="conversation.overwrite_llm_context"):
    """A `conversation.overwrite_llm_context`."""

    properties: ContextProperties

    @property
    def context(self) -> str:
        """The new conversational context."""
        return self.properties.context


class AppendContextEvent(KnownEvent, tag="conversation.append_llm_context"):
    """A `conversation.append_llm_context` (optionally with `job_status`)."""

    properties: ContextProperties

    @property
    def context(self) -> str:
        """The context to append."""
        return self.properties.context

    @property
    def job_status(self) -> str | None:
        """Optional job status, e.g. `"completed"`."""
        return self.properties.job_status


class SensitivityEvent(KnownEvent, tag="conversation.sensitivity"):
    """A `conversation.sensitivity`."""

    properties: SensitivityProperties = msgspec.field(default_factory=SensitivityProperties)


class ToolResultEvent(KnownEvent, tag="conversation.tool_result"):
    """A `conversation.tool_result`."""

    properties: ToolResultProperties

    @property
    def tool_call_id(self) -> str:
        """The tool call this result answers."""
        return self.properties.tool_call_id

    @property
    def output(self) -> Any:
        """The result (string or object)."""
        return self.properties.output

    @property
    def status(self) -> str:
        """`"success"` (the default) or `"error"`."""
        return self.properties.status or "success"


class ObjectiveConfirmEvent(ObjectiveEvent, tag="conversation.objective.confirm"):
    """A `conversation.objective.confirm` (payload undocumented; read like other objectives)."""


class RealtimeApiEvent(KnownEvent, tag="conversation.realtime_api"):
    """Legacy `conversation.realtime_api` (an OpenAI Realtime event body in `properties`)."""

    properties: dict[str, Any] = msgspec.field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The fallbacks
# --------------------------------------------------------------------------------------------


class UnknownEvent(Event):
    """An event whose `event_type` no class is registered for; everything is kept."""

    event_type: str
    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class MalformedEvent(Event):
    """Something that could not be read as the event it claims to be, with the `reason`.

    `event_type` is the claimed type ("" when there was none); `payload` is the input as
    received when it was not a JSON object (garbage bytes, a list, ...). Like every event it is
    not tracked by the garbage collector, so a `payload` that comes to hold this event (a list
    the event is appended to) would never be freed: keep events out of what you decode.
    """

    event_type: str = ""
    reason: str = ""
    payload: Any = None


# --------------------------------------------------------------------------------------------
# Registry and decode
# --------------------------------------------------------------------------------------------

EVENT_CLASSES: Final[tuple[type[KnownEvent], ...]] = (
    Utterance,
    UtteranceStreaming,
    StartedSpeaking,
    StoppedSpeaking,
    ReplicaStartedSpeaking,
    ReplicaStoppedSpeaking,
    UserStartedSpeaking,
    UserStoppedSpeaking,
    ToolCall,
    PerceptionToolCall,
    PerceptionAnalysis,
    PerceptionAnalysisHyphenated,
    ReplicaInterrupted,
    ObjectivePending,
    ObjectiveActivated,
    ObjectiveCompleted,
    GuardrailTriggered,
    RagObservability,
    ReplicaJoined,
    ReplicaPresent,
    PalPresent,
    Shutdown,
    EchoEvent,
    RespondEvent,
    InterruptEvent,
    OverwriteContextEvent,
    AppendContextEvent,
    SensitivityEvent,
    ToolResultEvent,
    ObjectiveConfirmEvent,
    RealtimeApiEvent,
)
"""Every registered event class (tagged by `event_type`)."""

EVENT_TYPES: Final[dict[str, type[KnownEvent]]] = {
    str(cls.__struct_config__.tag): cls for cls in EVENT_CLASSES
}
"""Wire `event_type` -> class. Treat as read-only: `decode`'s JSON decoder is built at import
from `EVENT_CLASSES`, so an entry added later would be seen for dicts but not for bytes."""

_LOWER_EVENT_TYPES: Final[dict[str, type[KnownEvent]]] = {
    k.lower(): v for k, v in EVENT_TYPES.items()
}

# The union's members are only known at runtime; msgspec reads the Union object itself.
_EventUnion: Any = Union[EVENT_CLASSES]  # noqa: UP007
_DECODER: Final = msgspec.json.Decoder(_EventUnion, strict=False)
# Bound once: decode() is the hot path of every room.
_decode_json: Final = _DECODER.decode
_convert: Final = msgspec.convert
_lookup: Final = EVENT_TYPES.get

_ENVELOPE_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "message_type": (str,),
    "conversation_id": (str,),
    "seq": (int,),
    "turn_idx": (int,),
    "timestamp": (float, int),
    "inference_id": (str,),
}


def _envelope(obj: Mapping[Any, Any]) -> dict[str, Any]:
    """The well-typed envelope fields of a message, for the fallback classes."""
    out: dict[str, Any] = {}
    for key, types in _ENVELOPE_TYPES.items():
        value: Any = obj.get(key)
        if isinstance(value, types) and not isinstance(value, bool):
            out[key] = value
    if isinstance(out.get("timestamp"), int):
        out["timestamp"] = float(out["timestamp"])
    if "inference_id" not in out:
        props = obj.get("properties")
        if isinstance(props, dict):
            inner = props.get("inference_id")
            if isinstance(inner, str):
                out["inference_id"] = inner
    return out


def _malformed(reason: str, payload: Any = None, obj: Mapping[Any, Any] | None = None) -> Event:
    if obj is None:
        event = MalformedEvent(reason=reason, payload=payload)
        event._raw = {}
        return event
    et = obj.get("event_type")
    event = MalformedEvent(
        event_type=et if isinstance(et, str) else "", reason=reason, **_envelope(obj)
    )
    event._raw = obj
    return event


def _from_dict(obj: dict[Any, Any], error: Exception | None) -> Event:
    """The slow path for a dict: classify it, trying other spellings of its `event_type`."""
    et = obj.get("event_type")
    if not isinstance(et, str):
        reason = "missing event_type" if et is None else "event_type is not a string"
        return _malformed(reason, obj=obj)
    cls = EVENT_TYPES.get(et)
    if cls is not None:
        if error is None:
            try:
                event: Event = msgspec.convert(obj, cls, strict=False)
            except (msgspec.ValidationError, TypeError, ValueError) as exc:
                error = exc
            else:
                event._raw = obj
                return event
        return _malformed(f"{et}: {error}", obj=obj)
    alias = _LOWER_EVENT_TYPES.get(et.lower())
    if alias is None and "guardrail" in et.lower():
        alias = GuardrailTriggered
    if alias is not None:
        canonical = dict(obj)
        canonical["event_type"] = alias.__struct_config__.tag
        try:
            event = msgspec.convert(canonical, alias, strict=False)
        except (msgspec.ValidationError, TypeError, ValueError) as exc:
            return _malformed(f"{et}: {exc}", obj=obj)
        event._raw = obj
        event._wire_type = et
        return event
    props = obj.get("properties")
    unknown = UnknownEvent(
        event_type=et, properties=props if isinstance(props, dict) else {}, **_envelope(obj)
    )
    unknown._raw = obj
    return unknown


def _from_text(data: bytes | bytearray | memoryview | str, error: Exception) -> Event:
    try:
        obj = msgspec.json.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        return _malformed(f"not valid JSON: {exc}", payload=data)
    if not isinstance(obj, dict):
        return _malformed(f"expected a JSON object, got {type(obj).__name__}", payload=obj)
    et = obj.get("event_type")
    if isinstance(error, msgspec.ValidationError) and isinstance(et, str) and et in EVENT_TYPES:
        return _from_dict(obj, error)
    return _from_dict(obj, None)


def decode(obj: object) -> Event:
    """Decode one app-message into a typed event. Never raises.

    Args:
        obj: the message as daily-python delivers it (a dict), or JSON text (`str`/`bytes`).

    Returns:
        An instance of the registered class for its `event_type`, else `UnknownEvent`; a
        `MalformedEvent` (with `reason`) when the input is not a JSON object, has no
        `event_type`, or does not fit its class.
    """
    try:
        kind = type(obj)
        if kind is bytes or kind is str:
            try:
                event: Event = _decode_json(obj)  # type: ignore[arg-type]
            except (msgspec.DecodeError, TypeError, ValueError) as exc:
                return _from_text(obj, exc)  # type: ignore[arg-type]
            # Kept undecoded: `raw` parses it only if someone reads it.
            event._src = obj
            return event
        if kind is dict:
            et = obj.get("event_type")  # type: ignore[attr-defined]
            cls = _lookup(et) if type(et) is str else None
            if cls is not None:
                try:
                    event = _convert(obj, cls, strict=False)
                except (msgspec.ValidationError, TypeError, ValueError) as exc:
                    return _from_dict(obj, exc)  # type: ignore[arg-type]
                event._raw = obj
                return event
            return _from_dict(obj, None)  # type: ignore[arg-type]
        if isinstance(obj, (bytes, str, bytearray, memoryview)):
            # A mutable buffer may be reused by its owner; copy it before keeping it.
            return decode(bytes(obj) if not isinstance(obj, str) else str(obj))
        if isinstance(obj, Mapping):
            return decode(dict(obj))
        return _malformed(
            f"expected a dict, str or bytes message, got {type(obj).__name__}", payload=obj
        )
    except Exception as exc:  # the promise is "never raises"; report instead
        reason = f"could not decode: {type(exc).__name__}: {exc}"
        try:
            if isinstance(obj, dict):
                return _malformed(reason, obj=obj)
        except Exception:  # pragma: no cover - a hostile mapping; give up on the envelope
            pass
        return _malformed(reason, payload=obj)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The wire form of an event (what Tavus would broadcast), e.g. for a simulator to send.

    Unset optional fields are left out; `message_type` and `event_type` are always present.
    """
    built = msgspec.to_builtins(event)
    out: dict[str, Any] = {"message_type": event.message_type, "event_type": event.event_type}
    if isinstance(built, dict):
        for key, value in built.items():
            out.setdefault(key, value)
    return out


def encode_event(event: Event) -> bytes:
    """`event_to_dict(event)` as compact JSON bytes."""
    return msgspec.json.encode(event_to_dict(event))


# --------------------------------------------------------------------------------------------
# Back-pressure classification
# --------------------------------------------------------------------------------------------

DROPPABLE_NOTE: Final = (
    "Droppable: heartbeats, started-speaking, non-final streaming text (a later message repeats "
    "it), and stopped-speaking unless it reports an interruption. Never: utterances, tool calls, "
    "final streaming text, objectives, guardrails, system events, unknown or malformed events."
)

_ALWAYS_DROPPABLE: Final[frozenset[type[Event]]] = frozenset(
    {
        ReplicaPresent,
        PalPresent,
        StartedSpeaking,
        ReplicaStartedSpeaking,
        UserStartedSpeaking,
    }
)
_STOPPED: Final[frozenset[type[Event]]] = frozenset(
    {StoppedSpeaking, ReplicaStoppedSpeaking, UserStoppedSpeaking}
)


def is_droppable(event: Event) -> bool:
    """Whether a slow consumer may drop this event without losing anything it cannot rebuild.

    Streaming text accumulates, so a non-final message is superseded by the next one; the final
    one is the spoken transcript and is kept. A stopped-speaking event that reports an
    interruption replaces the removed `replica_interrupted` and is kept. See `DROPPABLE_NOTE`.
    """
    cls = type(event)
    if cls in _ALWAYS_DROPPABLE:
        return True
    if cls is UtteranceStreaming:
        return not event.final  # type: ignore[attr-defined]
    if cls in _STOPPED:
        return not event.interrupted  # type: ignore[attr-defined]
    return False
