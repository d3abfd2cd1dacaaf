"""Outbound Interactions Protocol messages: validated before anything is sent.

Build a message, then turn it into what the transport sends:

    from tavus_async.interactions.messages import Echo, Sensitivity, encode, to_dict

    payload = to_dict(Echo("Hello!"), conversation_id)     # a dict for daily-python
    data = encode(Sensitivity(pause="high"), conversation_id)  # compact JSON bytes for a socket

`to_dict` and `encode` fill `message_type` ("conversation") and `conversation_id`, always send
the protocol constants (`modality`, `done` as a JSON boolean), and check the encoded size against
`max_size` (Daily documents 4096 bytes per app-message). Every problem is a `ValueError` naming
the field: empty text or context, an unknown sensitivity value, an echo without a valid modality,
a message too large (`MessageTooLargeError`, a `ValueError`).

The messages (one class per interaction, frozen msgspec Structs, validated on construction):

- `Echo(text)` and `EchoAudio(audio, sample_rate=...)`: make the replica speak this text / PCM16.
- `Respond(text)`: answer this text as if the user said it.
- `Interrupt()`: stop the replica now.
- `OverwriteContext(context)` / `AppendContext(context, job_status=None)`.
- `Sensitivity(pause=...)` or `Sensitivity(interrupt=...)`: exactly one per message.
- `ToolResult(tool_call_id, output, status="success")`; `ToolResult.for_call(event, output)`.
- `ObjectiveConfirm(objective_name, output_variables=None)`.
- `RawMessage(event_type, properties)`: the escape hatch for anything else.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Union

import msgspec

from ..errors import InvalidInputError, InvalidTypeError, MessageTooLargeError

if TYPE_CHECKING:
    from tavus_async.interactions.events import ToolCall

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "ECHO_SAMPLE_RATES",
    "SENSITIVITY_VALUES",
    "AppendContext",
    "Echo",
    "EchoAudio",
    "Interrupt",
    "Message",
    "MessageTooLargeError",
    "ObjectiveConfirm",
    "OutboundMessage",
    "OverwriteContext",
    "RawMessage",
    "Respond",
    "Sensitivity",
    "ToolResult",
    "encode",
    "to_dict",
]

DEFAULT_MAX_MESSAGE_BYTES: Final = 4096
"""Daily's documented limit for one app-message: the one definition every transport, the
simulator and the message encoder enforce."""

ECHO_SAMPLE_RATES: Final = (16000, 24000)
"""Sample rates Tavus accepts for audio echo (24000 recommended, 16000 the wire default)."""

SENSITIVITY_VALUES: Final = ("low", "medium", "high")
"""The documented sensitivity values."""

_ECHO_MODALITIES: Final = ("text", "audio")

RESAMPLE_HINT: Final = (
    "Resample to 24000 Hz (recommended) or 16000 Hz mono PCM16 first, e.g. with "
    "soxr.resample(samples, in_rate, 24000) or scipy.signal.resample_poly, or with "
    "`ffmpeg -i in.wav -ac 1 -ar 24000 -f s16le out.pcm`."
)


def _require_text(field: str, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(f"{field} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{field} must not be empty")


class Message(msgspec.Struct, frozen=True):
    """Base of the outbound messages; subclasses define `EVENT_TYPE` and `wire_properties()`."""

    EVENT_TYPE: ClassVar[str] = ""

    def wire_properties(self) -> dict[str, Any] | None:
        """The `properties` object to send (None when the message has none)."""
        return {}


class Echo(Message, frozen=True):
    """Make the replica speak exactly `text` (`conversation.echo`, text modality).

    Args:
        text: the words to speak (emotion tags such as `<emotion value="excited"/>` allowed).
        inference_id: groups several echoes into one utterance; without it a new echo
            interrupts the current one.
        done: whether this ends the utterance (True for a single-message echo).

    Raises:
        ValueError: `text` is empty.
    """

    EVENT_TYPE: ClassVar[str] = "conversation.echo"
    text: str
    inference_id: str | None = None
    done: bool = True

    def __post_init__(self) -> None:
        _require_text("text", self.text)
        if self.inference_id is not None and not self.inference_id:
            raise InvalidInputError("inference_id must be a non-empty string or None")

    def wire_properties(self) -> dict[str, Any]:
        """The echo properties, with `modality` and a boolean `done`."""
        props: dict[str, Any] = {"modality": "text", "text": self.text}
        if self.inference_id is not None:
            props["inference_id"] = self.inference_id
        props["done"] = bool(self.done)
        return props


class EchoAudio(Message, frozen=True):
    """One chunk of PCM16 mono audio for the replica to speak (`conversation.echo`, audio).

    Most callers want `interactions.audio.echo_audio_messages`, which chunks a whole
    utterance to fit the size limit and ends it properly.

    Args:
        audio: raw PCM, 16-bit signed little-endian, mono (sent base64-encoded).
        sample_rate: 16000 or 24000.
        inference_id: the utterance this chunk belongs to (one id per utterance).
        done: True only on the last chunk of the utterance.

    Raises:
        ValueError: empty or odd-length audio, or an unsupported sample rate.
    """

    EVENT_TYPE: ClassVar[str] = "conversation.echo"
    audio: bytes
    sample_rate: int = 24000
    inference_id: str | None = None
    done: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.audio, (bytes, bytearray, memoryview)):
            raise InvalidTypeError(f"audio must be bytes, got {type(self.audio).__name__}")
        if len(self.audio) == 0:
            raise InvalidInputError("audio must not be empty")
        if len(self.audio) % 2:
            raise InvalidInputError(
                f"audio has an odd byte count ({len(self.audio)}); PCM16 needs 2 bytes per sample"
            )
        if self.sample_rate not in ECHO_SAMPLE_RATES:
            raise InvalidInputError(
                f"sample_rate {self.sample_rate} is not supported; Tavus accepts 16000 or 24000 "
                f"Hz. {RESAMPLE_HINT}"
            )
        if self.inference_id is not None and not self.inference_id:
            raise InvalidInputError("inference_id must be a non-empty string or None")

    def wire_properties(self) -> dict[str, Any]:
        """The echo properties: base64 audio, `sample_rate`, `inference_id`, boolean `done`."""
        props: dict[str, Any] = {
            "modality": "audio",
            "audio": base64.b64encode(self.audio).decode("ascii"),
            "sample_rate": self.sample_rate,
        }
        if self.inference_id is not None:
            props["inference_id"] = self.inference_id
        props["done"] = bool(self.done)
        return props


class Respond(Message, frozen=True):
    """Have the replica answer `text` as if the user had said it (`conversation.respond`)."""

    EVENT_TYPE: ClassVar[str] = "conversation.respond"
    text: str

    def __post_init__(self) -> None:
        _require_text("text", self.text)

    def wire_properties(self) -> dict[str, Any]:
        """`{"text": ...}`."""
        return {"text": self.text}


class Interrupt(Message, frozen=True):
    """Stop the replica speaking now (`conversation.interrupt`; it has no properties)."""

    EVENT_TYPE: ClassVar[str] = "conversation.interrupt"

    def wire_properties(self) -> dict[str, Any] | None:
        """None: the interrupt carries no `properties` object."""


class OverwriteContext(Message, frozen=True):
    """Replace the conversational context (`conversation.overwrite_llm_context`)."""

    EVENT_TYPE: ClassVar[str] = "conversation.overwrite_llm_context"
    context: str

    def __post_init__(self) -> None:
        _require_text("context", self.context)

    def wire_properties(self) -> dict[str, Any]:
        """`{"context": ...}`."""
        return {"context": self.context}


class AppendContext(Message, frozen=True):
    """Append to the conversational context (`conversation.append_llm_context`).

    Args:
        context: the text to append.
        job_status: optional status to report, e.g. `"completed"` (semantics undocumented).
    """

    EVENT_TYPE: ClassVar[str] = "conversation.append_llm_context"
    context: str
    job_status: str | None = None

    def __post_init__(self) -> None:
        _require_text("context", self.context)
        if self.job_status is not None:
            _require_text("job_status", self.job_status)

    def wire_properties(self) -> dict[str, Any]:
        """`{"context": ..., "job_status": ...}` (job_status only when set)."""
        props: dict[str, Any] = {"context": self.context}
        if self.job_status is not None:
            props["job_status"] = self.job_status
        return props


SensitivityValue = Literal["low", "medium", "high"]


class Sensitivity(Message, frozen=True):
    """Change pause or interrupt sensitivity (`conversation.sensitivity`), one key per message.

    The current docs require exactly one key per message; to set both, send two messages.

    Args:
        pause: `participant_pause_sensitivity` ("low", "medium" or "high").
        interrupt: `participant_interrupt_sensitivity` ("low", "medium" or "high").

    Raises:
        ValueError: neither or both given, or a value outside low/medium/high.
    """

    EVENT_TYPE: ClassVar[str] = "conversation.sensitivity"
    pause: SensitivityValue | None = None
    interrupt: SensitivityValue | None = None

    def __post_init__(self) -> None:
        if (self.pause is None) == (self.interrupt is None):
            raise InvalidInputError(
                "give exactly one of pause= or interrupt= (Tavus takes one key per "
                "sensitivity message; send two messages to change both)"
            )
        field, value = (
            ("pause", self.pause) if self.pause is not None else ("interrupt", self.interrupt)
        )
        if value not in SENSITIVITY_VALUES:
            raise InvalidInputError(f"{field} must be one of low, medium, high; got {value!r}")

    def wire_properties(self) -> dict[str, Any]:
        """The single sensitivity key."""
        if self.pause is not None:
            return {"participant_pause_sensitivity": self.pause}
        return {"participant_interrupt_sensitivity": self.interrupt}


class ToolResult(Message, frozen=True):
    """Return a tool call's result (`conversation.tool_result`).

    Args:
        tool_call_id: the `tool_call_id` of the `ToolCall` / `PerceptionToolCall` answered.
        output: a string (passed through) or a JSON-serialisable object.
        status: "success" (default) or "error" (the replica acknowledges the failure).
    """

    EVENT_TYPE: ClassVar[str] = "conversation.tool_result"
    tool_call_id: str
    output: Any = None
    status: Literal["success", "error"] = "success"

    def __post_init__(self) -> None:
        _require_text("tool_call_id", self.tool_call_id)
        if self.status not in ("success", "error"):
            raise InvalidInputError(f"status must be 'success' or 'error'; got {self.status!r}")

    @classmethod
    def for_call(
        cls,
        call: ToolCall,
        output: Any = None,
        *,
        status: Literal["success", "error"] = "success",
    ) -> ToolResult:
        """The result for a decoded `ToolCall` event.

        Raises:
            ValueError: the call has no `tool_call_id` (the tool is not set up for app-message
                delivery; answer with a text `Echo` instead, the older pattern).
        """
        if not call.tool_call_id:
            raise InvalidInputError(
                f"tool call {call.name!r} has no tool_call_id, so Tavus cannot pair a "
                "tool_result with it; reply with Echo(...) instead"
            )
        return cls(call.tool_call_id, output, status=status)

    def wire_properties(self) -> dict[str, Any]:
        """`tool_call_id`, `output` (when given) and `status`."""
        props: dict[str, Any] = {"tool_call_id": self.tool_call_id}
        if self.output is not None:
            props["output"] = self.output
        props["status"] = self.status
        return props


class ObjectiveConfirm(Message, frozen=True):
    """Confirm a manual-confirmation objective (`conversation.objective.confirm`).

    Tavus publishes no payload for this message; `objective_name` (and optionally edited
    `output_variables`) is the best-supported guess. Use `RawMessage` to send another shape.
    """

    EVENT_TYPE: ClassVar[str] = "conversation.objective.confirm"
    objective_name: str
    output_variables: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _require_text("objective_name", self.objective_name)

    def wire_properties(self) -> dict[str, Any]:
        """`objective_name` and, when given, `output_variables`."""
        props: dict[str, Any] = {"objective_name": self.objective_name}
        if self.output_variables is not None:
            props["output_variables"] = self.output_variables
        return props


class RawMessage(Message, frozen=True):
    """Send any interaction as is: the escape hatch for what this SDK does not model.

    `message_type` and `conversation_id` are still filled in by `to_dict` / `encode` unless
    `extra` sets them. An echo sent this way must still carry a valid `modality`.

    Args:
        event_type: the wire `event_type`, e.g. `"conversation.realtime_api"`.
        properties: the `properties` object, or None to omit it.
        extra: other envelope keys to send.
    """

    event_type: str
    properties: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _require_text("event_type", self.event_type)
        if self.properties is not None and not isinstance(self.properties, dict):
            raise InvalidTypeError(
                f"properties must be a dict, got {type(self.properties).__name__}"
            )
        if self.extra is not None and not isinstance(self.extra, dict):
            raise InvalidTypeError(f"extra must be a dict, got {type(self.extra).__name__}")
        if self.event_type == "conversation.echo":
            modality = (self.properties or {}).get("modality")
            if modality not in _ECHO_MODALITIES:
                raise InvalidInputError(
                    f"properties.modality must be 'text' or 'audio' on an echo; got {modality!r}"
                )

    def wire_properties(self) -> dict[str, Any] | None:
        """The given `properties` (None: omitted)."""
        return self.properties


OutboundMessage = Union[  # noqa: UP007 - a runtime alias that also works on Python 3.10 tooling
    Echo,
    EchoAudio,
    Respond,
    Interrupt,
    OverwriteContext,
    AppendContext,
    Sensitivity,
    ToolResult,
    ObjectiveConfirm,
    RawMessage,
]
"""Every outbound message class."""


def _event_type(msg: Message) -> str:
    return msg.event_type if isinstance(msg, RawMessage) else msg.EVENT_TYPE


def to_dict(msg: Message, conversation_id: str) -> dict[str, Any]:
    """The app-message for `msg` as a dict (what daily-python's `send_app_message` takes).

    Args:
        msg: the message.
        conversation_id: the conversation it is for.

    Returns:
        `{"message_type", "event_type", "conversation_id", "properties"?}`.

    Raises:
        ValueError: `conversation_id` is empty.
        TypeError: `msg` is not a message.
    """
    if not isinstance(msg, Message):
        raise InvalidTypeError(f"expected an interactions message, got {type(msg).__name__}")
    if not isinstance(conversation_id, str) or not conversation_id:
        raise InvalidInputError("conversation_id must be a non-empty string")
    out: dict[str, Any] = {
        "message_type": "conversation",
        "event_type": _event_type(msg),
        "conversation_id": conversation_id,
    }
    post_init = getattr(msg, "__post_init__", None)
    if post_init is not None:
        # Structs are frozen, but msgspec.structs.force_setattr gets around that; check again.
        post_init()
    props = msg.wire_properties()
    if props is not None:
        out["properties"] = props
    if isinstance(msg, RawMessage) and msg.extra:
        out.update(msg.extra)
    return out


def encode(
    msg: Message, conversation_id: str, *, max_size: int | None = DEFAULT_MAX_MESSAGE_BYTES
) -> bytes:
    """The app-message for `msg` as compact JSON bytes, checked against the size limit.

    Args:
        msg: the message.
        conversation_id: the conversation it is for.
        max_size: the largest encoded size allowed, in bytes (None: no limit).

    Raises:
        MessageTooLargeError: the encoded message is larger than `max_size`.
        ValueError: `conversation_id` is empty.
        TypeError: `msg` is not a message, or its contents are not JSON-serialisable.
    """
    payload = to_dict(msg, conversation_id)
    try:
        data = msgspec.json.encode(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(
            f"{_event_type(msg)} message is not JSON-serialisable: {exc}"
        ) from None
    if max_size is not None and len(data) > max_size:
        raise MessageTooLargeError(_event_type(msg), len(data), max_size)
    return data
