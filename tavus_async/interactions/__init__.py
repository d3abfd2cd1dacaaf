"""The Interactions Protocol, pure and without I/O: inbound events, outbound messages, audio.

- `events`: `decode(message) -> Event` (never raises), one class per event type, `EVENT_TYPES`,
  `is_droppable`.
- `messages`: `Echo`, `EchoAudio`, `Respond`, `Interrupt`, `OverwriteContext`, `AppendContext`,
  `Sensitivity`, `ToolResult`, `ObjectiveConfirm`, `RawMessage`; `to_dict` / `encode` validate and
  fill the envelope.
- `audio`: `echo_audio_messages` / `echo_audio_messages_async` turn PCM16 into echo chunks.
- `DuplicateFilter` drops PAL/replica duplicate copies; `SeqReorderBuffer` reorders by `seq`.
"""

from __future__ import annotations

from tavus_async.interactions._ordering import DuplicateFilter, SeqReorderBuffer
from tavus_async.interactions.audio import (
    echo_audio_messages,
    echo_audio_messages_async,
    max_chunk_bytes,
)
from tavus_async.interactions.events import (
    EVENT_CLASSES,
    EVENT_TYPES,
    Event,
    MalformedEvent,
    UnknownEvent,
    decode,
    is_droppable,
)
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

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "EVENT_CLASSES",
    "EVENT_TYPES",
    "AppendContext",
    "DuplicateFilter",
    "Echo",
    "EchoAudio",
    "Event",
    "Interrupt",
    "MalformedEvent",
    "Message",
    "MessageTooLargeError",
    "ObjectiveConfirm",
    "OverwriteContext",
    "RawMessage",
    "Respond",
    "Sensitivity",
    "SeqReorderBuffer",
    "ToolResult",
    "UnknownEvent",
    "decode",
    "echo_audio_messages",
    "echo_audio_messages_async",
    "encode",
    "is_droppable",
    "max_chunk_bytes",
    "to_dict",
]
