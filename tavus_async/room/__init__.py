"""The room connector: join a conversation, send interactions, stream typed events.

::

    from tavus_async.room import Room

    async with Room(conversation_url, conversation_id=cid) as room:
        await room.echo("Hello!")
        async for event in room:
            ...

``AsyncTavus.conversations.connect(conversation)`` returns the same :class:`Room`.
"""

from __future__ import annotations

from ._options import RoomOptions
from ._tools import ToolRegistry, ToolSpec
from ._transcript import Transcript, Turn
from .events import (
    CallStateChanged,
    Disconnected,
    EventsDropped,
    ForeignMessage,
    ParticipantJoined,
    ParticipantLeft,
    ReplicaParticipantJoined,
    RoomEvent,
)
from .room import EchoAudioResult, Room, RoomStats, connect
from .transport import JoinInfo, Participant, Transport, transport_for_url

__all__ = [
    "CallStateChanged",
    "Disconnected",
    "EchoAudioResult",
    "EventsDropped",
    "ForeignMessage",
    "JoinInfo",
    "Participant",
    "ParticipantJoined",
    "ParticipantLeft",
    "ReplicaParticipantJoined",
    "Room",
    "RoomEvent",
    "RoomOptions",
    "RoomStats",
    "ToolRegistry",
    "ToolSpec",
    "Transcript",
    "Transport",
    "Turn",
    "connect",
    "transport_for_url",
]
