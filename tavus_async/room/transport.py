"""The ``Transport`` protocol: the narrow I/O surface a :class:`~tavus_async.room.Room` drives.

A transport joins one room, sends app messages (broadcast or to one participant, each awaiting
its delivery), and pushes what happens in the room to a *sink* callback that always runs on the
event-loop thread. Two implementations ship: :class:`~tavus_async.room.daily.DailyTransport`
(real Tavus rooms, on daily-python) and
:class:`~tavus_async.room.websocket.WebSocketTransport` (the simulator's rooms). Pass your own to
``Room(..., transport=...)`` to plug in anything else.

Inbound shapes are small frozen dataclasses so nothing outside a transport sees Daily's dicts or
the simulator's frames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ..errors import InvalidInputError

__all__ = [
    "REPLICA_USER_ID_HINT",
    "AppMessage",
    "CallState",
    "EventSink",
    "JoinInfo",
    "Participant",
    "PeerJoined",
    "PeerLeft",
    "Transport",
    "TransportDisconnected",
    "TransportEvent",
    "transport_for_url",
]

#: Tavus's replica joins with a Daily ``userId`` containing this (``@tavus/cvi-ui``'s
#: ``useReplicaIDs`` filter): it comes from Tavus's meeting token, so a guest cannot choose it.
REPLICA_USER_ID_HINT = "tavus-replica"


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in the room.

    Attributes:
        id: The transport's participant id (a UUID on Daily).
        name: The display name (``user_name``), chosen by that participant's own client.
        is_local: True for this client itself.
        is_replica: True when the transport identified this participant as the Tavus replica.
        user_id: Daily's ``userId`` when known (Tavus's replica carries ``tavus-replica``).
        replica_rule: Which rule identified the replica: ``"user_id"`` (the default, and the
            strongest), ``"user_name"`` (opt-in), or None when it is not the replica.
    """

    id: str
    name: str = ""
    is_local: bool = False
    is_replica: bool = False
    user_id: str | None = None
    replica_rule: str | None = None


@dataclass(frozen=True, slots=True)
class JoinInfo:
    """What a completed join returned.

    Attributes:
        local_id: This client's participant id.
        participants: The other participants already present.
        conversation_id: The conversation id, when the transport learned it from the room.
    """

    local_id: str
    participants: tuple[Participant, ...] = ()
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class AppMessage:
    """An app message received from ``sender`` (a participant id)."""

    data: Any
    sender: str


@dataclass(frozen=True, slots=True)
class PeerJoined:
    """A participant joined (never emitted for the local client)."""

    participant: Participant


@dataclass(frozen=True, slots=True)
class PeerLeft:
    """A participant left; ``reason`` is the transport's own word (``left``, ``hidden``...)."""

    participant: Participant
    reason: str = "left"


@dataclass(frozen=True, slots=True)
class CallState:
    """The call state changed (``joining``, ``joined``, ``leaving``, ``left``)."""

    state: str


@dataclass(frozen=True, slots=True)
class TransportDisconnected:
    """The room went away without us leaving: ended, dropped, ejected.

    Attributes:
        reason: A short machine-friendly reason (``room-ended``, ``connection-lost``...).
        detail: Free text from the other side, when it gave one.
    """

    reason: str
    detail: str | None = field(default=None)


TransportEvent = AppMessage | PeerJoined | PeerLeft | CallState | (TransportDisconnected)

#: Receives every inbound event, always on the event-loop thread. It must not block.
EventSink = Callable[[TransportEvent], None]


@runtime_checkable
class Transport(Protocol):
    """What a Room needs from a room connection.

    Contract (checked by ``tests/test_room_transport_contract.py`` for every transport):

    - ``join`` completes once, returns :class:`JoinInfo`, or raises
      :class:`~tavus_async.errors.JoinError` keeping the remote error text. After it returns,
      the sink receives events on the loop thread, in arrival order.
    - ``send`` normalises the message to JSON types once (``prepare_app_message``: the object
      it hands over is the one whose size was checked), resolves when the room accepted it, or
      raises :class:`~tavus_async.errors.SendError` (refused, not JSON, unknown recipient,
      timeout; :class:`~tavus_async.errors.MessageTooLargeError` when too large, before I/O).
      Before ``join`` completed or after ``leave`` it raises
      :class:`~tavus_async.errors.RoomClosedError`. A broadcast is never echoed to the sender.
    - ``leave`` is idempotent, never raises, and releases everything the transport holds
      (sockets, sessions, native clients, tasks, threads). No sink call happens after it returns.
    """

    @property
    def local_id(self) -> str | None:
        """This client's participant id once joined."""
        ...

    def participants(self) -> Mapping[str, Participant]:
        """A snapshot of the other participants currently present, by id."""
        ...

    async def join(
        self,
        url: str,
        meeting_token: str | None,
        display_name: str,
        sink: EventSink,
    ) -> JoinInfo:
        """Join the room at ``url``; deliver events to ``sink`` from then on."""
        ...

    async def send(self, message: Any, recipient: str | None = None) -> None:
        """Send an app message to everyone (``recipient=None``) or to one participant."""
        ...

    async def leave(self) -> None:
        """Leave the room and release every resource. Idempotent; never raises."""
        ...


def replica_of(participants: Mapping[str, Participant]) -> Participant | None:
    """Return the participant flagged as the replica, if one is present."""
    for participant in participants.values():
        if participant.is_replica:
            return participant
    return None


def transport_for_url(url: str, **options: Any) -> Transport:
    """Choose a transport from the room URL.

    ``ws://`` and ``wss://`` URLs are the simulator's rooms (:class:`WebSocketTransport`);
    ``http(s)://`` URLs (Tavus's Daily rooms) get :class:`DailyTransport`.

    Args:
        url: The conversation URL.
        **options: Passed to the transport's constructor.

    Raises:
        ValueError: The URL has no scheme this SDK can join.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("ws", "wss"):
        from .websocket import WebSocketTransport

        return WebSocketTransport(**options)
    if scheme in ("http", "https"):
        from .daily import DailyTransport

        return DailyTransport(**options)
    raise InvalidInputError(
        f"cannot join a room at a {scheme or 'scheme-less'} URL: expected a conversation_url "
        "starting with https:// (a Tavus Daily room) or ws:// (a simulator room)"
    )
