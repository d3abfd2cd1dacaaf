"""What the shipped transports share: participant bookkeeping, the sink, one-shot joins, the
app-message size check.

:class:`~tavus_async.room.daily.DailyTransport` and
:class:`~tavus_async.room.websocket.WebSocketTransport` talk to different rooms but keep the
same state and enforce the same rules, so a bot tested against the simulator behaves the same
in a real room.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from .._logging import logger
from ..errors import JoinError, MessageTooLargeError, SendError
from ..interactions.messages import DEFAULT_MAX_MESSAGE_BYTES
from .transport import EventSink, Participant, TransportEvent

__all__ = ["TransportBase", "prepare_app_message"]

_encoder = msgspec.json.Encoder()

#: daily-python refuses integers outside JSON's 64-bit range ("JSON number out of range").
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _check_ints(value: Any) -> None:
    if type(value) is int:  # bool is not checked: it is always in range
        if not _INT_MIN <= value <= _INT_MAX:
            raise SendError(
                f"the message holds the integer {value}, outside the 64-bit range JSON "
                "carries; send it as a string"
            )
    elif isinstance(value, dict):
        for item in value.values():
            _check_ints(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_ints(item)


def prepare_app_message(message: Any) -> tuple[Any, bytes]:
    """Normalise ``message`` to JSON-native types once, and encode it within the size limit.

    Every transport sends what this returns: the builtins object (``dict``, ``list``, ``str``,
    numbers, ``bool``, ``None``) to a library that serialises it (daily-python), or its JSON
    bytes to a socket. ``datetime`` becomes an ISO 8601 string, ``UUID``/``Decimal`` strings,
    ``Enum`` its value, ``bytes`` base64, Structs and dataclasses dicts, non-string keys
    strings: the same JSON on every transport, so a payload that works against the simulator
    works on Daily.

    Returns:
        ``(payload, data)``: the normalised object and its compact JSON encoding.

    Raises:
        SendError: ``None``, or something JSON cannot carry (an arbitrary object, an integer
            over 64 bits, a lone surrogate); raised before any I/O.
        MessageTooLargeError: Over :data:`DEFAULT_MAX_MESSAGE_BYTES` encoded.
    """
    if message is None:
        raise SendError("the message is None: send a dict (or another JSON value)")
    try:
        payload = msgspec.to_builtins(message, str_keys=True)
        data = _encoder.encode(payload)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SendError(f"the message is not JSON-serialisable: {exc}") from None
    _check_ints(payload)
    if len(data) > DEFAULT_MAX_MESSAGE_BYTES:
        event_type = payload.get("event_type") if isinstance(payload, dict) else None
        raise MessageTooLargeError(
            event_type if isinstance(event_type, str) else "app-message",
            len(data),
            DEFAULT_MAX_MESSAGE_BYTES,
        )
    return payload, data


class TransportBase:
    """The state every shipped transport keeps: its lifecycle, its id, who else is present."""

    def __init__(self) -> None:
        self._sink: EventSink | None = None
        self._state = "new"  # new -> joining -> joined -> (disconnected) -> left
        self._local_id: str | None = None
        self._participants: dict[str, Participant] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} state={self._state} local_id={self._local_id!r}>"

    @property
    def local_id(self) -> str | None:
        """This client's participant id once joined."""
        return self._local_id

    def participants(self) -> Mapping[str, Participant]:
        """A snapshot of the other participants present."""
        return dict(self._participants)

    def _check_unused(self) -> None:
        # One join per transport: its state (participants, sink, sockets) is not reset.
        if self._state != "new":
            raise JoinError(
                f"this transport was already used (state {self._state}); make a new one"
            )

    def _emit(self, event: TransportEvent) -> None:
        if self._state == "left" or self._sink is None:
            return
        try:
            self._sink(event)
        except Exception:  # a broken sink must not kill the reader
            logger.exception("room event sink raised; event %s lost", type(event).__name__)
