"""A fleet job: which conversation a bot should join, and what the backend wants it to know."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..errors import TavusError

__all__ = ["FleetError", "Job", "JobError", "decode_job", "encode_job", "job_from"]


class FleetError(TavusError):
    """The fleet could not talk to Redis, or Redis answered something it did not expect."""


class JobError(FleetError, ValueError):
    """A job cannot be submitted as given (no conversation id, data that is not JSON...)."""


class _Wire(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=False):
    """The JSON kept in the stream entry's ``job`` field (one field, one decode)."""

    conversation_id: str
    conversation_url: str | None = None
    replica_id: str | None = None
    meeting_token: str | None = None
    data: dict[str, Any] = {}
    submitted_at: float = 0.0


@dataclass(frozen=True)
class Job:
    """One conversation for a bot, as :meth:`Fleet.submit` wrote it and a worker read it.

    Attributes:
        conversation_id: The conversation to join.
        conversation_url: Its room URL (the worker looks it up when the backend gave only an id).
        replica_id: The conversation's replica, to recognise it in the room.
        meeting_token: For ``require_auth`` rooms. Kept in Redis with the job; never in a repr
            or a log.
        data: The keyword arguments given to :meth:`Fleet.submit` (JSON values).
        submitted_at: Unix time of the submit.
        message_id: The stream entry id (set on the worker side).
        deliveries: How many times the entry was handed to a worker (1 on the first run).
    """

    conversation_id: str
    conversation_url: str | None = None
    replica_id: str | None = None
    meeting_token: str | None = field(default=None, repr=False)
    data: Mapping[str, Any] = field(default_factory=dict)
    submitted_at: float = 0.0
    message_id: str = ""
    deliveries: int = 1

    def __repr__(self) -> str:
        token = ", meeting_token=***" if self.meeting_token else ""
        return (
            f"Job(conversation_id={self.conversation_id!r}, message_id={self.message_id!r}, "
            f"deliveries={self.deliveries}, data={dict(self.data)!r}{token})"
        )


def job_from(conversation_or_id: Any, *, meeting_token: str | None, data: Mapping[str, Any]) -> Job:
    """Build the job for ``submit`` from a conversation (model or dict) or its id.

    Raises:
        JobError: No conversation id could be found.
    """

    def get(name: str) -> Any:
        if isinstance(conversation_or_id, Mapping):
            return conversation_or_id.get(name)
        return getattr(conversation_or_id, name, None)

    if isinstance(conversation_or_id, str):
        cid: Any = conversation_or_id
        url = replica = token = None
    else:
        cid, url, replica, token = (
            get("conversation_id"),
            get("conversation_url"),
            get("replica_id"),
            get("meeting_token"),
        )
    if not isinstance(cid, str) or not cid.strip():
        raise JobError(
            "submit() needs a conversation (as returned by conversations.create) or its id, "
            f"got {type(conversation_or_id).__name__} without a conversation_id"
        )
    return Job(
        conversation_id=cid,
        conversation_url=url if isinstance(url, str) and url else None,
        replica_id=replica if isinstance(replica, str) and replica else None,
        meeting_token=meeting_token if meeting_token is not None else token,
        data=dict(data),
        submitted_at=time.time(),
    )


def encode_job(job: Job) -> bytes:
    """The stream entry's ``job`` field.

    Raises:
        JobError: ``job.data`` holds something that is not a JSON value.
    """
    wire = _Wire(
        conversation_id=job.conversation_id,
        conversation_url=job.conversation_url,
        replica_id=job.replica_id,
        meeting_token=job.meeting_token,
        data=dict(job.data),
        submitted_at=job.submitted_at,
    )
    try:
        return msgspec.json.encode(wire)
    except (TypeError, msgspec.EncodeError) as exc:
        raise JobError(f"job data must be JSON values (str, int, list, dict...): {exc}") from None


_decoder = msgspec.json.Decoder(_Wire)


def decode_job(raw: bytes | str, *, message_id: str, deliveries: int) -> Job:
    """Read a stream entry's ``job`` field.

    Raises:
        JobError: The entry is not a job this SDK wrote.
    """
    try:
        wire = _decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise JobError(f"stream entry {message_id} is not a fleet job: {exc}") from None
    return Job(
        conversation_id=wire.conversation_id,
        conversation_url=wire.conversation_url,
        replica_id=wire.replica_id,
        meeting_token=wire.meeting_token,
        data=wire.data,
        submitted_at=wire.submitted_at,
        message_id=message_id,
        deliveries=deliveries,
    )
