"""Room lifecycle events: what happens to the room itself, in the same stream as Tavus events.

``async for event in room`` yields decoded Interactions Protocol events
(:mod:`tavus_async.interactions.events`) and these. Each has an ``event_type`` starting with
``room.`` so a JSON-lines listener can print them uniformly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .transport import Participant

__all__ = [
    "CallStateChanged",
    "Disconnected",
    "EventsDropped",
    "ForeignMessage",
    "ParticipantJoined",
    "ParticipantLeft",
    "ReplicaParticipantJoined",
    "RoomEvent",
]


@dataclass(frozen=True, slots=True)
class RoomEvent:
    """Base of the room's own events."""

    event_type: ClassVar[str] = "room.event"


@dataclass(frozen=True, slots=True)
class ReplicaParticipantJoined(RoomEvent):
    """The replica's participant is in the room (once per room; the Room waits for it).

    Not to be confused with the protocol's ``ReplicaJoined`` (``system.replica_joined``), an
    app message the replica may also send.
    """

    event_type: ClassVar[str] = "room.replica_joined"
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantJoined(RoomEvent):
    """Another (non-replica) participant joined."""

    event_type: ClassVar[str] = "room.participant_joined"
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantLeft(RoomEvent):
    """A participant left; ``participant.is_replica`` says whether it was the replica."""

    event_type: ClassVar[str] = "room.participant_left"
    participant: Participant
    reason: str = "left"


@dataclass(frozen=True, slots=True)
class CallStateChanged(RoomEvent):
    """The transport's call state changed (``joined``, ``leaving``, ``left``...)."""

    event_type: ClassVar[str] = "room.call_state"
    state: str


@dataclass(frozen=True, slots=True)
class Disconnected(RoomEvent):
    """The room went away without us leaving (ended, dropped); the stream ends after it.

    Attributes:
        reason: ``room-ended``, ``connection-lost``, ``left`` (Daily), or the server's code.
        detail: Free text from the other side, when given.
    """

    event_type: ClassVar[str] = "room.disconnected"
    reason: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class EventsDropped(RoomEvent):
    """The consumer fell behind and ``count`` droppable events were shed before this point.

    Attributes:
        count: How many events were dropped.
        by_type: Count per event class name.
    """

    event_type: ClassVar[str] = "room.events_dropped"
    count: int
    by_type: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ForeignMessage(RoomEvent):
    """An app message from a participant that is not the replica; never decoded as Tavus's.

    Anyone in a Daily room can broadcast; reading a guest's message as a tool call would let the
    guest drive your bot. Inspect ``data`` yourself if you expect messages from other clients.
    """

    event_type: ClassVar[str] = "room.foreign_message"
    sender: str
    data: Any
