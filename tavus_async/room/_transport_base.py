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
from ..errors import JoinError, SendError
from .transport import MAX_MESSAGE_BYTES, EventSink, Participant, TransportEvent

__all__ = ["TransportBase", "encode_app_message"]

_encoder = msgspec.json.Encoder()


def encode_app_message(message: Any) -> bytes:
    """Encode ``message`` as JSON, within the app-message size limit.

    Raises:
        SendError: The message is not JSON, or is over :data:`MAX_MESSAGE_BYTES` encoded.
    """
    try:
        data = _encoder.encode(message)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SendError(f"the message is not JSON-serialisable: {exc}") from None
    if len(data) > MAX_MESSAGE_BYTES:
        raise SendError(
            f"message too large: {len(data)} bytes encoded, the limit is {MAX_MESSAGE_BYTES}; "
            "split it (for audio, use shorter chunks)"
        )
    return data


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
